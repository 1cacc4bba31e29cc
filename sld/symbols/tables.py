"""Tables on a sheet: the title block, revision and cable schedules, legends.

Their rules are long straight lines, so the marks in their cells (an underline, a stroke of a
signature, a box for a tick) sit on "conductors" and would pass for devices. A table is told by
its cells: rectangles of paper closed all round by lines, about one to four lettering heights
tall, side by side with shared walls, and most with writing in them. The insides of symbols are
closed rectangles too (a coil, a breaker's box), but they stand alone or are empty; the paper
between parallel conductors is long and empty.
"""

from __future__ import annotations

import cv2
import numpy as np
from networkx.utils import UnionFind

from sld.pages.ink import Binary

Box = tuple[int, int, int, int]

#: A cell is this tall (units) ...
CELL_HEIGHT_UNITS = (0.6, 4.0)
#: ... at least this wide (units), and its paper fills this share of its box at least.
CELL_WIDTH_UNITS = 1.0
CELL_FILL = 0.7
#: A table is at least this many cells, walls shared, and this share of them written in ...
TABLE_CELLS = 4
WRITTEN_SHARE = 0.5
#: ... and this wide (units) at least: the relay block of a four-pole breaker (a thermal and a
#: magnetic release per pole, boxed side by side) is a grid of cells too, about 9 units wide.
TABLE_WIDTH_UNITS = 15.0


def table_cells(ink: Binary, drawn: Binary, unit: float) -> list[Box]:
    """The cells of the tables on a page, each grown by a wall's width: `ink` is the line
    drawing with text blanked (its walls), `drawn` all the ink (the writing in the cells), `unit`
    the lettering height in the same pixels.

    Cells, not the box round a table: a title block shares its walls with the sheet frame's zone
    band, and the box round both would cover the drawing above the title block."""
    cells, written = _cells(ink, drawn, unit)
    if len(cells) < TABLE_CELLS:
        return []
    wall = max(3, round(0.4 * unit))
    together = UnionFind(range(len(cells)))
    for a in range(len(cells)):
        for b in range(a + 1, len(cells)):
            if _share_a_wall(cells[a], cells[b], wall):
                together.union(a, b)
    found: list[Box] = []
    for group in together.to_sets():
        members = sorted(group)
        in_writing = sum(written[k] for k in members)
        left = min(cells[k][0] for k in members)
        right = max(cells[k][2] for k in members)
        if (
            len(members) >= TABLE_CELLS
            and in_writing >= WRITTEN_SHARE * len(members)
            and right - left >= TABLE_WIDTH_UNITS * unit
        ):
            found.extend(
                (x0 - wall, y0 - wall, x1 + wall, y1 + wall)
                for x0, y0, x1, y1 in (cells[k] for k in members)
            )
    return found


def _cells(ink: Binary, drawn: Binary, unit: float) -> tuple[list[Box], list[bool]]:
    """Closed rectangles of paper of a table cell's size, and whether each has writing in it."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(
        (1 - ink).astype(np.uint8), connectivity=4
    )
    height, width = ink.shape
    low, high = (bound * unit for bound in CELL_HEIGHT_UNITS)
    cells: list[Box] = []
    written: list[bool] = []
    for x, y, w, h, area in stats[1:count]:
        closed = x > 0 and y > 0 and x + w < width and y + h < height
        if not closed or not (low <= h <= high) or w < CELL_WIDTH_UNITS * unit:
            continue
        if area < CELL_FILL * w * h:
            continue
        cells.append((int(x), int(y), int(x + w), int(y + h)))
        written.append(bool(drawn[y : y + h, x : x + w].any()))
    return cells, written


def _share_a_wall(a: Box, b: Box, wall: int) -> bool:
    """Whether two cells lie side by side (or one above the other) across one wall."""
    for lo, hi, other_lo, other_hi in ((0, 2, 1, 3), (1, 3, 0, 2)):
        gap = max(a[lo], b[lo]) - min(a[hi], b[hi])
        overlap = min(a[other_hi], b[other_hi]) - max(a[other_lo], b[other_lo])
        shorter = min(a[other_hi] - a[other_lo], b[other_hi] - b[other_lo])
        if 0 <= gap <= wall and overlap >= 0.5 * shorter:
            return True
    return False

"""A page's line drawing taken apart: conductors, dashed lines, and what symbols are made of.

Whatever the drawing office, a single-line diagram is drawn the same way: long straight
horizontal and vertical lines (conductors, buses, the sheet frame, table rules), dashed lines
(enclosures, mechanical links between the poles of one device, some conductors), text, and
the symbols, which sit on the conductors and are made of everything else: short strokes,
diagonals, curves. So the symbols are found as what is left once lines, dashes and text are
taken away (`residual`), and nothing here knows what any symbol looks like.

All of it runs on the page resampled to the working scale of `sld.symbols.scale`, where one
unit of the drawing (its lettering height) is `UNIT_PX` pixels: lengths below are in units.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from sld.geometry import FloatArray
from sld.pages.ink import Binary, blank_boxes, ink_mask, pool
from sld.symbols.scale import DrawingScale

#: A straight run at least this long (units) is a line: a conductor, bus, frame or rule.
LONG_LINE_UNITS = 4.5
#: A shorter straight run, at least this long (units), is a conductor too where it joins a
#: line at one end (a short bus, a branch between two devices), unless it is a side of a small
#: closed shape (a fuse's body, a breaker's box) ...
BRANCH_UNITS = 1.5
#: The outline of a closed shape is the ink within this distance (units) of its inside.
OUTLINE_UNITS = 0.4
#: A straight stroke at least this long (units) that reaches at least this far (units) out of a
#: text box is a conductor through the box, not a glyph (`lines_through`).
THROUGH_UNITS = 1.0
BEYOND_BOX_UNITS = 0.5
#: A letter joined to a line has at least this many pixels off the line (`_on_a_line`).
GLYPH_PIXELS = 6
#: A link between two drawn things has ink beside it along at most this share of its length.
CLEAN_LINK_BUSY = 0.5
#: ... whose inside is at most this long (units) and at most this many times longer than wide.
CLOSED_SHAPE_UNITS = 12.0
CLOSED_SHAPE_ASPECT = 10.0
#: A dash is a straight run this long (units), at most this thick ...
DASH_UNITS = (0.25, 2.5)
DASH_THICKNESS_UNITS = 0.6
#: ... and dashes of one dashed line are at most this far apart (units).
DASH_GAP_UNITS = 1.3
#: A chain of dashes this long (units) or longer is a dashed line (enclosure, conductor);
#: shorter chains may tie the poles of one device.
DASHED_LINE_UNITS = 5.0
#: Lines within this share of the page size from its edge, and longer than `FRAME_SPAN` of
#: it, are the sheet's frame.
FRAME_MARGIN = 0.12
FRAME_SPAN = 0.6
#: A frame is at most two lines deep (an outer border and the inner edge of its zone band), at
#: most this share of the page size apart; a spanning line further in (the busbars of a
#: three-phase supply along the top) is drawing.
FRAME_BAND = 0.03
FRAME_LINES = 2

#: Reductions at least this mild keep a working pixel as ink when this share of it is ink
#: (`working_ink`).
MILD_REDUCTION = 0.35
MILD_COVERAGE = 0.2

_SQUARE_3 = np.ones((3, 3), np.uint8)


@dataclass(frozen=True)
class Linework:
    """The page at working scale, taken apart. Masks are uint8 0/1 of one shape."""

    #: Working pixels per point, and one drawing unit in working pixels.
    px_per_pt: float
    unit: float
    #: Where the unit came from (`sld.symbols.scale.DrawingScale.source`).
    scale_source: str
    #: All ink as drawn, and the same with text lines blanked.
    drawn: Binary
    ink: Binary
    #: Long straight vertical and horizontal lines.
    vertical: Binary
    horizontal: Binary
    #: Dashed lines long enough to be enclosures or dashed conductors.
    dashed: Binary
    #: Short chains of dashes: mechanical links between poles, candidates to tie devices.
    links: list[tuple[int, int, int, int]]
    #: Ink less lines and dashed lines: what the symbols are made of.
    residual: Binary
    #: Inside of the sheet frame (x0, y0, x1, y1) in working pixels; the whole page without one.
    inside_frame: tuple[int, int, int, int]

    @property
    def lines(self) -> Binary:
        return np.bitwise_or(self.vertical, self.horizontal)


def take_apart(
    grey: np.ndarray,
    raster_px_per_pt: float,
    scale: DrawingScale,
    text_boxes_pt: FloatArray,
    text_labels: list[str],
) -> Linework:
    """The line drawing of a page raster (`raster_px_per_pt` pixels per point).

    Text is blanked before the symbols are looked for, except a letter or two that a conductor
    runs into: labels are written beside conductors, so such a "letter" is part of a symbol
    that OCR took for text (the thermal hook of a breaker read as a 5).
    """
    factor = scale.work_scale(raster_px_per_pt) / raster_px_per_pt
    px_per_pt = raster_px_per_pt * factor
    unit = scale.unit_pt * px_per_pt
    drawn = working_ink(grey, factor)
    length = max(5, round(LONG_LINE_UNITS * unit))
    boxes = np.asarray(text_boxes_pt, dtype=np.float64).reshape(-1, 4) * px_per_pt
    lines = np.bitwise_or(
        straight_runs(drawn, length, vertical=True), straight_runs(drawn, length, vertical=False)
    )
    keep = _on_a_line(boxes, text_labels, drawn, lines) | _enclosed(boxes, text_labels, drawn, unit)
    work = np.bitwise_or(
        blank_boxes(drawn, boxes[~keep]), lines_through(drawn, boxes[~keep], unit)
    ).astype(np.uint8)
    # The sides of small closed shapes are symbol outlines (a breaker's box, a fuse's body),
    # however long: never conductors.
    outlines = closed_shape_outlines(work, unit)
    open_work = np.bitwise_and(work, 1 - outlines).astype(np.uint8)
    vertical = touched_lines(work, straight_runs(open_work, length, vertical=True))
    horizontal = touched_lines(work, straight_runs(open_work, length, vertical=False))
    vertical, horizontal = add_branches(work, vertical, horizontal, unit, outlines)
    lines = cv2.dilate(np.bitwise_or(vertical, horizontal), _SQUARE_3)
    loose = np.bitwise_and(work, 1 - lines).astype(np.uint8)
    dashed, links = find_dashes(loose, unit)
    residual = np.bitwise_and(loose, 1 - cv2.dilate(dashed, _SQUARE_3)).astype(np.uint8)
    return Linework(
        px_per_pt=px_per_pt,
        unit=unit,
        scale_source=scale.source,
        drawn=drawn,
        ink=work,
        vertical=vertical,
        horizontal=horizontal,
        dashed=dashed,
        links=links,
        residual=residual,
        inside_frame=frame_inside(vertical, horizontal),
    )


def lines_through(drawn: Binary, boxes: FloatArray, unit: float) -> Binary:
    """The straight strokes that run into or through text boxes from outside them.

    OCR's boxes are loose: a terminal number written beside a conductor often has the
    conductor inside its box. A glyph's strokes stay within its box; a conductor leaves it.
    Blanking the text must not cut the conductor, so these strokes are put back.
    """
    through = np.zeros_like(drawn)
    if not len(boxes):
        return through
    length = max(3, round(THROUGH_UNITS * unit))
    beyond = max(2, round(BEYOND_BOX_UNITS * unit))
    height, width = drawn.shape
    for vertical in (True, False):
        runs = straight_runs(drawn, length, vertical=vertical)
        count, labels, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
        if count <= 1:
            continue
        x, y = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
        w, h = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
        for x0, y0, x1, y1 in boxes:
            top, left = max(0, int(y0) - 1), max(0, int(x0) - 1)
            bottom, right = min(height, int(np.ceil(y1)) + 1), min(width, int(np.ceil(x1)) + 1)
            if bottom <= top or right <= left:
                continue
            window = labels[top:bottom, left:right]
            for label in np.unique(window[window > 0]):
                if vertical:
                    leaves = y[label] <= top - beyond or y[label] + h[label] >= bottom + beyond
                else:
                    leaves = x[label] <= left - beyond or x[label] + w[label] >= right + beyond
                if leaves:
                    through[top:bottom, left:right] |= (window == label).astype(np.uint8)
    return through


def _enclosed(boxes: FloatArray, labels: list[str], drawn: Binary, unit: float) -> np.ndarray:
    """Which text boxes (working pixels) are one letter inside a small closed shape: a
    symbol's own lettering (the M in a motor's circle), never a label."""
    short = np.asarray([len("".join(label.split())) == 1 for label in labels], dtype=bool)
    inside = np.zeros(len(boxes), dtype=bool)
    if not short.any():
        return inside
    holes = _holes(drawn, unit)
    for index in np.flatnonzero(short):
        x0, y0, x1, y1 = boxes[index]
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        area = max(1.0, (x1 - x0) * (y1 - y0))
        for hx0, hy0, hx1, hy1 in holes:
            hw, hh = hx1 - hx0, hy1 - hy0
            # A round or square inside about the letter's size: a motor's circle, a box.
            fits = 0.5 * area <= hw * hh <= 4.0 * area and max(hw, hh) <= 2.0 * min(hw, hh)
            if fits and hx0 <= cx <= hx1 and hy0 <= cy <= hy1:
                inside[index] = True
                break
    return inside


def _holes(work: Binary, unit: float) -> list[tuple[int, int, int, int]]:
    """Boxes of the small areas of paper that ink closes all round (symbols' insides)."""
    _, stats, small = _small_holes(work, unit)
    return [
        (int(x), int(y), int(x + w), int(y + h)) for x, y, w, h, _ in stats[np.flatnonzero(small)]
    ]


def _small_holes(work: Binary, unit: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The paper's components (labels, stats) and which are small enclosed holes."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(1 - work, connectivity=4)
    height, width = work.shape
    x, y = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    w, h = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    inside = (x > 0) & (y > 0) & (x + w < width) & (y + h < height)
    longest, shortest = np.maximum(w, h), np.maximum(np.minimum(w, h), 1)
    # A table's cells are long and thin; a symbol's inside is not.
    small = (longest <= CLOSED_SHAPE_UNITS * unit) & (longest <= CLOSED_SHAPE_ASPECT * shortest)
    holes = inside & small & (stats[:, cv2.CC_STAT_AREA] >= 4)
    holes[0] = False
    for index in np.flatnonzero(holes):
        if _is_corridor(work, stats[index], unit):
            holes[index] = False
    return labels, stats, holes


def _is_corridor(work: Binary, stat: np.ndarray, unit: float) -> bool:
    """Whether an enclosed area is the paper between conductors, not a symbol's inside.

    Parallel leads from one device to the next close off a strip of paper the size of a
    symbol, and the corners of conductors that turn one inside the other close off a square
    where they cross. Its long sides run on past one of its ends (the conductors go on); a
    symbol's sides end at its corners.
    """
    x, y, w, h = (int(v) for v in stat[:4])
    reach = max(2, round(unit))
    band = 3
    if h < w:
        work, x, y, w, h = work.T, y, x, h, w
    rows, columns = work.shape

    def goes_on(x0: int, x1: int) -> bool:
        x0, x1 = max(0, x0), min(columns, x1)
        if x1 <= x0:
            return False
        above = work[max(0, y - reach) : y, x0:x1]
        below = work[y + h : min(rows, y + h + reach), x0:x1]
        return any(len(part) == reach and bool(part.any(axis=1).all()) for part in (above, below))

    return goes_on(x - band, x) and goes_on(x + w, x + w + band)


def _on_a_line(boxes: FloatArray, labels: list[str], drawn: Binary, lines: Binary) -> np.ndarray:
    """Which text boxes (working pixels) are a letter or two drawn joined to a long line.

    The "letter" is then a stroke of a symbol on the conductor. A terminal number written
    beside a conductor, whose loose box the conductor crosses, is not joined to it.
    """
    on_line = np.zeros(len(boxes), dtype=bool)
    height, width = lines.shape
    for index, ((x0, y0, x1, y1), label) in enumerate(zip(boxes, labels, strict=True)):
        if not 1 <= len("".join(label.split())) <= 2:
            continue
        left, right = max(0, int(x0) - 1), min(width, int(np.ceil(x1)) + 1)
        top, bottom = max(0, int(y0) - 1), min(height, int(np.ceil(y1)) + 1)
        if right <= left or bottom <= top or not lines[top:bottom, left:right].any():
            continue
        window = drawn[top:bottom, left:right]
        line = cv2.dilate(lines[top:bottom, left:right], _SQUARE_3)
        glyph = np.bitwise_and(window, 1 - line)
        _, parts = cv2.connectedComponents(window, connectivity=8)
        # A part of the window's ink that holds both line and glyph pixels: the glyph is
        # joined to the line (pixels the line's own ragged edge adds are too few to count).
        for part in np.unique(parts[line > 0]):
            if part and int(np.count_nonzero(glyph[parts == part])) >= GLYPH_PIXELS:
                on_line[index] = True
                break
    return on_line


def working_ink(grey: np.ndarray, factor: float) -> Binary:
    """The ink mask of the page reduced by `factor`.

    Ink is found at the page's own resolution (faint scanned lines are seen there), then
    reduced: mildly, a working pixel is ink when a fifth of it is, so a one-pixel line stays a
    line and the inside of a small shape stays paper; strongly, any ink marks its pixel, or
    thin strokes would vanish.
    """
    ink = ink_mask(grey)
    if factor >= 1.0:
        return ink
    if factor < MILD_REDUCTION:
        return pool(ink, factor)
    height, width = ink.shape
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    covered = cv2.resize(ink * np.uint8(255), size, interpolation=cv2.INTER_AREA)
    return (covered >= round(255 * MILD_COVERAGE)).astype(np.uint8)


def straight_runs(work: Binary, length: int, *, vertical: bool) -> Binary:
    """Ink on vertical (or horizontal) straight runs at least `length` pixels long.

    One column (row) exactly: a symbol's stroke that leans a few degrees off the conductor
    stays a stroke. A scan turned by half a degree still has runs of a hundred pixels in one
    column, longer than any `length` asked for here.
    """
    along = np.ones((length, 1) if vertical else (1, length), np.uint8)
    return np.asarray(cv2.morphologyEx(work, cv2.MORPH_OPEN, along), dtype=np.uint8)


def touched_lines(work: Binary, lines: Binary) -> Binary:
    """The lines that something touches. A conductor always joins something (a device, a
    junction, another conductor); a straight stroke that touches nothing is part of a symbol
    (the core of a transformer drawn as two lines between its coils)."""
    count, labels, _, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    if count <= 1:
        return lines
    around = np.bitwise_and(cv2.dilate(lines, _SQUARE_3), work)
    others = np.bitwise_and(around, 1 - lines)
    # Which line each touching pixel is next to: the label of a line pixel beside it.
    nearest = cv2.dilate(labels.astype(np.float32), _SQUARE_3)
    touched = np.zeros(count, dtype=bool)
    touched[np.unique(nearest[others > 0].astype(np.int64))] = True
    touched[0] = False
    return np.asarray(touched[labels], dtype=np.uint8)


def add_branches(
    work: Binary, vertical: Binary, horizontal: Binary, unit: float, outlines: Binary
) -> tuple[Binary, Binary]:
    """The long lines with the shorter conductor runs among the drawing's straight strokes.

    A straight run at least `BRANCH_UNITS` long is a conductor when it is not a side of a small
    closed shape and either joins a line (a short bus, a branch off a conductor), or is a
    clean link between two drawn things: ink at both ends, none along its sides (the wire from
    a fuse to its terminal). Two rounds, so a branch off a branch counts too.
    """
    shortest = max(3, round(BRANCH_UNITS * unit))
    short_v = np.bitwise_and(straight_runs(work, shortest, vertical=True), 1 - vertical)
    short_h = np.bitwise_and(straight_runs(work, shortest, vertical=False), 1 - horizontal)
    if not (short_v.any() or short_h.any()):
        return vertical, horizontal
    margin = max(2, round(0.5 * unit))
    for _ in range(2):
        exact = np.bitwise_or(vertical, horizontal)
        grown = []
        for short, upright in ((short_v, True), (short_h, False)):
            count, labels, stats, _ = cv2.connectedComponentsWithStats(short, connectivity=8)
            area = stats[:, cv2.CC_STAT_AREA].astype(np.float64)
            outlined = np.bincount(labels[outlines > 0], minlength=count) > 0.3 * area
            keep = np.zeros(count, dtype=bool)
            for index in np.flatnonzero(~outlined)[1:] if count > 1 else []:
                keep[index] = _end_on_line(exact, stats[index], upright) or _clean_link(
                    work, short, stats[index], upright, margin
                )
            keep[0] = False
            grown.append(keep[labels].astype(np.uint8))
        vertical = np.bitwise_or(vertical, grown[0])
        horizontal = np.bitwise_or(horizontal, grown[1])
        short_v = np.bitwise_and(short_v, 1 - grown[0])
        short_h = np.bitwise_and(short_h, 1 - grown[1])
    return vertical, horizontal


def _end_on_line(lines: Binary, stat: np.ndarray, upright: bool) -> bool:
    """Whether a line touches one end of a run: a branch or a short bus off a conductor. (A
    bar that a conductor meets in its middle, with free ends, is a symbol's contact.)"""
    x, y, w, h = (int(v) for v in stat[:4])
    if not upright:
        lines = lines.T
        x, y, w, h = y, x, h, w
    rows = lines.shape[0]
    # In line with the run: the line must meet it end on, not pass by a pixel or two aside.
    return bool(
        lines[max(0, y - 3) : y + 1, x : x + w].any()
        or lines[max(0, y + h - 1) : min(rows, y + h + 3), x : x + w].any()
    )


def _clean_link(work: Binary, runs: Binary, stat: np.ndarray, upright: bool, margin: int) -> bool:
    """Whether a run has ink beyond both its ends and none along its sides."""
    x, y, w, h = (int(v) for v in stat[:4])
    if not upright:
        work, runs = work.T, runs.T
        x, y, w, h = y, x, h, w
    rows, cols = work.shape
    left, right = max(0, x - 3), min(cols, x + w + 3)
    # What the run meets at each end: ink just beyond it, or beside its last pixels.
    reach = 5
    top, bottom = max(0, y - reach), min(rows, y + h + reach)
    other = work[top:bottom, left:right].astype(bool) & ~runs[top:bottom, left:right].astype(bool)
    start, end = y - top, y + h - top
    if not (other[: start + 3].any() and other[max(0, end - 3) :].any()):
        return False
    # The ends may run into what they join (a fuse's body, a terminal's ring) for a while.
    sides = work[y : y + h, left:right].astype(bool)
    own = runs[y : y + h, left:right].astype(bool)
    busy = (sides & ~own).any(axis=1)[margin : h - margin]
    return bool(len(busy) and busy.mean() <= CLEAN_LINK_BUSY and not busy.all())


def closed_shape_outlines(work: Binary, unit: float) -> Binary:
    """Ink around small enclosed areas of paper: the outlines of circles, boxes, rectangles."""
    labels, _, holes = _small_holes(work, unit)
    if not holes.any():
        return np.zeros_like(work)
    mask = holes[labels].astype(np.uint8)
    # The outline is the ink around a hole, as thick as the drawing's strokes.
    reach = 2 * max(2, round(OUTLINE_UNITS * unit)) + 1
    grown = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (reach, reach)))
    return np.bitwise_and(grown, work).astype(np.uint8)


def find_dashes(loose: Binary, unit: float) -> tuple[Binary, list[tuple[int, int, int, int]]]:
    """Dashed lines among the loose ink: long chains as a mask, short chains as boxes.

    A dash is a short, thin, straight horizontal or vertical run standing alone; dashes in
    one row (or column) at most `DASH_GAP_UNITS` apart make a chain.
    """
    shortest, longest = (max(2, round(value * unit)) for value in DASH_UNITS)
    thickest = max(2, round(DASH_THICKNESS_UNITS * unit))
    gap = max(2, round(DASH_GAP_UNITS * unit))
    dashed = np.zeros_like(loose)
    links: list[tuple[int, int, int, int]] = []
    count, labels, stats, _ = cv2.connectedComponentsWithStats(loose, connectivity=8)
    if count <= 1:
        return dashed, links
    widths, heights = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    for vertical in (False, True):
        along, across = (heights, widths) if vertical else (widths, heights)
        is_dash = (along >= shortest) & (along <= longest) & (across <= thickest)
        is_dash[0] = False
        # A dash must be mostly one straight run, not a small letter or a curl.
        is_dash &= stats[:, cv2.CC_STAT_AREA] <= 1.6 * along * np.maximum(across, 1)
        pieces = np.isin(labels, np.flatnonzero(is_dash)).astype(np.uint8)
        if not pieces.any():
            continue
        kernel = np.ones((gap, 1) if vertical else (1, gap), np.uint8)
        chains = cv2.morphologyEx(pieces, cv2.MORPH_CLOSE, kernel)
        n, chain_labels, chain_stats, _ = cv2.connectedComponentsWithStats(chains, connectivity=8)
        for index in range(1, n):
            x, y, w, h, _ = (int(v) for v in chain_stats[index])
            span = h if vertical else w
            members = np.unique(
                labels[y : y + h, x : x + w][chain_labels[y : y + h, x : x + w] == index]
            )
            dashes = int(np.count_nonzero(is_dash[members[members > 0]]))
            if dashes < 2:
                continue
            if span >= DASHED_LINE_UNITS * unit and dashes >= 3:
                region = (chain_labels[y : y + h, x : x + w] == index) & (
                    pieces[y : y + h, x : x + w] > 0
                )
                dashed[y : y + h, x : x + w][region] = 1
            else:
                links.append((x, y, x + w, y + h))
    return dashed, links


def frame_inside(vertical: Binary, horizontal: Binary) -> tuple[int, int, int, int]:
    """The inside of the sheet frame: long lines near the page edges bound it.

    From each edge inwards, up to `FRAME_LINES` spanning lines belong to the frame while each
    lies within `FRAME_BAND` of the one before; the first line further in is part of the
    drawing.
    """
    height, width = vertical.shape
    columns = vertical.sum(axis=0)
    rows = horizontal.sum(axis=1)
    margin_x, margin_y = round(FRAME_MARGIN * width), round(FRAME_MARGIN * height)
    band_x, band_y = round(FRAME_BAND * width), round(FRAME_BAND * height)
    spanning_x = np.flatnonzero(columns >= FRAME_SPAN * height)
    spanning_y = np.flatnonzero(rows >= FRAME_SPAN * width)
    left = _frame_edge(spanning_x[spanning_x < margin_x], band_x)
    right = width - _frame_edge(width - 1 - spanning_x[spanning_x > width - margin_x], band_x)
    top = _frame_edge(spanning_y[spanning_y < margin_y], band_y)
    bottom = height - _frame_edge(height - 1 - spanning_y[spanning_y > height - margin_y], band_y)
    return left, top, right, bottom


def _frame_edge(distances: np.ndarray, band: int) -> int:
    """How far in the frame reaches from an edge, given the distances of spanning lines to it.

    Adjacent pixel rows (or columns) are one line drawn thick.
    """
    reach, lines, previous = 0, 0, -2
    for distance in np.sort(distances):
        if distance > previous + 1:  # a new line
            if distance - reach > band or lines == FRAME_LINES:
                break
            lines += 1
        reach, previous = int(distance) + 1, int(distance)
    return reach

"""Text-line boxes found on overlapping tiles -> one box per line on the page.

Where tiles overlap, a line is found twice; a line that crosses a tile border is found whole in
one tile and cut in the other. The complete box is the one that does not touch an inner tile
border, and of those the larger. Merging boxes before recognition means each line is read once.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sld.geometry import BoolArray, FloatArray, areas, intersections

#: Two boxes are the same line when their overlap covers this much of the smaller one.
SAME_LINE_OVERLAP = 0.5
#: A box within this many pixels of an inner tile edge may be cut by it.
BORDER_MARGIN_PX = 2.0


def touches_inner_border(
    boxes_px: FloatArray, tile_box_px: tuple[int, int, int, int], page_size_px: tuple[int, int]
) -> BoolArray:
    """Which boxes (tile pixels) reach a tile edge that is not also the page's edge."""
    x0, y0, x1, y1 = tile_box_px
    page_width, page_height = page_size_px
    width, height = x1 - x0, y1 - y0
    near = BORDER_MARGIN_PX
    cut = np.zeros(len(boxes_px), dtype=bool)
    if x0 > 0:
        cut |= boxes_px[:, 0] <= near
    if y0 > 0:
        cut |= boxes_px[:, 1] <= near
    if x1 < page_width:
        cut |= boxes_px[:, 2] >= width - near
    if y1 < page_height:
        cut |= boxes_px[:, 3] >= height - near
    return cut


def complete_lines(boxes: FloatArray, cut: BoolArray) -> NDArray[np.intp]:
    """Indices of one box per line, in reading order (top to bottom, then left to right).

    Of boxes that are the same line, an uncut one wins over a cut one, then the larger.
    """
    if not len(boxes):
        return np.zeros(0, dtype=np.intp)
    box_areas = areas(boxes)
    order = np.lexsort((-box_areas, cut))
    overlap = intersections(boxes, boxes)
    smaller = np.minimum(box_areas[:, None], box_areas[None, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        same_line = np.where(smaller > 0, overlap / smaller, 0.0) >= SAME_LINE_OVERLAP
    taken = np.zeros(len(boxes), dtype=bool)
    keep: list[int] = []
    for index in order:
        if taken[index]:
            continue
        keep.append(int(index))
        taken |= same_line[index]
    kept = np.asarray(keep, dtype=np.intp)
    return kept[reading_order(boxes[kept])]


def reading_order(boxes: FloatArray) -> NDArray[np.intp]:
    """Indices of boxes top to bottom, then left to right."""
    return np.lexsort((boxes[:, 0], boxes[:, 1])).astype(np.intp)

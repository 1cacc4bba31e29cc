"""Ink: the drawn strokes of a raster as a binary mask, and the same strokes thinned.

Symbol matching compares strokes, not grey levels, so that a thin-lined exemplar finds a
thick-lined symbol, and a clean exemplar finds a symbol on a toned, noisy scan. Three steps:

- `ink_mask`: paper is estimated from a coarse maximum filter (uneven lighting and toned paper
  of scans), a pixel is ink when darker than its paper by more than the paper's grain; text
  boxes are blanked (an "O" in a label is not a motor).
- `thin_strokes`: every stroke reduced to its centre line (the ridge of the distance to paper),
  whatever its width; filled regions (arrow heads, junction dots, the striker of a fuse) keep
  their body, so a filled triangle is not mistaken for a line.
- `pool`: a binary image resampled to another size such that no stroke disappears (any ink in a
  cell marks the cell).
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from sld.geometry import FloatArray

Binary = NDArray[np.uint8]

#: A pixel is ink when darker than a share of its paper's brightness between these two.
INK_SHARE = 0.625
PALEST_INK = 0.85
#: Regions at least this thick (pixels) are filled shapes, not strokes.
FILLED_SIZE = 7

_SQUARE_3 = np.ones((3, 3), np.uint8)
_DISK = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (FILLED_SIZE, FILLED_SIZE))


def ink_mask(grey: NDArray[np.uint8], text_boxes: FloatArray | None = None) -> Binary:
    """1 where the raster is ink, 0 on paper and inside `text_boxes` (pixels)."""
    height, width = grey.shape
    small = cv2.resize(
        grey, (max(1, width // 8), max(1, height // 8)), interpolation=cv2.INTER_AREA
    )
    coarse = cv2.blur(cv2.dilate(small, np.ones((5, 5), np.uint8)), (5, 5))
    paper = np.asarray(
        cv2.resize(coarse, (width, height), interpolation=cv2.INTER_LINEAR), dtype=np.uint8
    )
    darkest_paper = cv2.convertScaleAbs(paper, alpha=ink_share(grey, paper))
    ink = (cv2.compare(grey, darkest_paper, cv2.CMP_LT) // 255).astype(np.uint8)
    return ink if text_boxes is None else blank_boxes(ink, text_boxes)


def blank_boxes(ink: Binary, boxes: FloatArray) -> Binary:
    """A copy of the mask with the boxes (pixels, grown by one) cleared."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    if not len(boxes):
        return ink
    blanked = ink.copy()
    height, width = ink.shape
    for x0, y0, x1, y1 in boxes:
        top, left = max(0, int(y0) - 1), max(0, int(x0) - 1)
        bottom, right = min(height, int(np.ceil(y1)) + 1), min(width, int(np.ceil(x1)) + 1)
        if bottom > top and right > left:
            blanked[top:bottom, left:right] = 0
    return blanked


def ink_share(grey: NDArray[np.uint8], paper: NDArray[np.uint8]) -> float:
    """How dark, as a share of its paper, a pixel must be to be ink: clear of the paper's grain.

    Five standard deviations of the grain below the paper, so that a faint, low-contrast scan
    keeps its pale lines; but never lighter than `PALEST_INK` of the paper (clean renders have
    no grain) nor darker than `INK_SHARE` (very noisy scans).
    """
    sample = grey[::6, ::6].astype(np.float32) / np.maximum(paper[::6, ::6].astype(np.float32), 1)
    centre = float(np.median(sample))
    spread = 1.4826 * float(np.median(np.abs(sample - centre)))
    return float(np.clip(centre - 5.0 * spread, INK_SHARE, PALEST_INK))


def thin_strokes(ink: Binary) -> Binary:
    """Stroke centre lines (1-2 pixels wide) plus the bodies of filled shapes.

    A centre-line pixel is a local maximum of the distance to paper across the stroke: along a
    row or along a column, which keeps the lines unbroken whatever their direction.
    """
    if not ink.any():
        return ink
    distance = cv2.distanceTransform(ink, cv2.DIST_L2, 3)
    across_rows = cv2.dilate(distance, np.ones((1, 3), np.uint8))
    across_cols = cv2.dilate(distance, np.ones((3, 1), np.uint8))
    ridge = ((distance >= across_rows) | (distance >= across_cols)) & (ink > 0)
    filled = cv2.morphologyEx(ink, cv2.MORPH_OPEN, _DISK)
    return (ridge | (filled > 0)).astype(np.uint8)


def pool(binary: Binary, factor: float) -> Binary:
    """`binary` resized by `factor`; a cell is set when any ink falls in it."""
    height, width = binary.shape
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    # 0/255 in uint8: area averaging keeps a cell that holds a fiftieth of ink above 5.
    resized = cv2.resize(binary * np.uint8(255), size, interpolation=cv2.INTER_AREA)
    return (resized > 5).astype(np.uint8)


def stroke_width(ink: Binary) -> float:
    """Typical stroke width in pixels: twice the median distance to paper along centre lines."""
    if not ink.any():
        return 1.0
    distance = cv2.distanceTransform(ink, cv2.DIST_L2, 3)
    ridge = (distance >= cv2.dilate(distance, _SQUARE_3)) & (ink > 0)
    return max(1.0, 2.0 * float(np.median(distance[ridge])))

"""Where a PDF page is on the display: page size, /Rotate, and the map from PDF user space.

Text layer and vector paths come out in points on the displayed page (origin top-left, y down,
/Rotate applied), the one coordinate system the other stages use. PDF user space (origin
bottom-left, y up, before /Rotate) never leaves `sld.pages`: `display_matrix` is the one
conversion.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from sld.geometry import FloatArray

#: PDFium is not thread-safe, not even across documents: every use of it holds this lock.
PDFIUM_LOCK = threading.RLock()

#: A box as pdfium gives it: left, bottom, right, top in PDF user space.
PdfBox = tuple[float, float, float, float]


def displayed_size(bbox: PdfBox, rotation: int) -> tuple[float, float]:
    """Width and height of the page as displayed: the page box, turned by /Rotate."""
    left, bottom, right, top = bbox
    width, height = right - left, top - bottom
    return (height, width) if rotation in (90, 270) else (width, height)


def display_matrix(bbox: PdfBox, rotation: int) -> FloatArray:
    """The 3x3 affine map from PDF user space to displayed points (origin top-left, y down).

    `bbox` is the visible page box (crop box within media box); /Rotate turns the page
    clockwise by `rotation` degrees when it is displayed.
    """
    left, bottom, right, top = bbox
    rows = {
        0: [[1.0, 0.0, -left], [0.0, -1.0, top]],
        90: [[0.0, 1.0, -bottom], [1.0, 0.0, -left]],
        180: [[-1.0, 0.0, right], [0.0, 1.0, -bottom]],
        270: [[0.0, -1.0, top], [-1.0, 0.0, right]],
    }[rotation % 360]
    return np.asarray([*rows, [0.0, 0.0, 1.0]], dtype=np.float64)


def transform_points(matrix: FloatArray, points: FloatArray) -> FloatArray:
    """Apply a 3x3 affine to `(N, 2)` points."""
    x, y = points[:, 0], points[:, 1]
    return np.stack(
        [
            matrix[0, 0] * x + matrix[0, 1] * y + matrix[0, 2],
            matrix[1, 0] * x + matrix[1, 1] * y + matrix[1, 2],
        ],
        axis=1,
    )


def transform_boxes(matrix: FloatArray, boxes: FloatArray) -> FloatArray:
    """Apply a 3x3 affine to `(N, 4)` boxes; the result is the box around the moved corners."""
    corners = boxes[:, [0, 1, 2, 1, 2, 3, 0, 3]].reshape(-1, 2)
    moved = transform_points(matrix, corners).reshape(-1, 4, 2)
    return np.concatenate([moved.min(axis=1), moved.max(axis=1)], axis=1)


def reading_frame(boxes: FloatArray, angles: np.ndarray[Any, Any]) -> FloatArray:
    """Boxes seen in the frame of their text: u along the reading direction, v across it.

    In that frame every text reads left to right with v growing from ascender to descender,
    whatever its `angle` (0, 90, 180, 270 counter-clockwise on the displayed page), so lines
    and gaps are found the same way for horizontal and vertical text.
    """
    x0, y0, x1, y1 = boxes.T
    frames = {
        0: (x0, y0, x1, y1),
        90: (-y1, x0, -y0, x1),
        180: (-x1, -y1, -x0, -y0),
        270: (y0, -x1, y1, -x0),
    }
    result = np.empty_like(boxes)
    for angle, columns in frames.items():
        chosen = angles == angle
        if chosen.any():
            result[chosen] = np.stack(columns, axis=1)[chosen]
    return result


def quarter_turns(degrees: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Angles rounded to the nearest of 0, 90, 180, 270."""
    return (np.round(np.asarray(degrees, dtype=np.float64) / 90.0).astype(np.int64) % 4) * 90


def _shown_box(box: PdfBox) -> str:
    return "[" + " ".join(f"{value:g}" for value in box) + "]"


def odd_page_box(media: PdfBox | None, crop: PdfBox | None, used: PdfBox) -> str | None:
    """What is odd about a page's boxes, as a warning, or None when they are as expected.

    PDFium (like PDF viewers) quietly takes a missing or empty MediaBox as US Letter and
    ignores an empty CropBox; the page is still read, but its size may not be the drawing's,
    so the user is told. `media` and `crop` are the boxes as the file states them (None when
    absent), `used` the box the page is read with.
    """
    used_size = f"{used[2] - used[0]:g} x {used[3] - used[1]:g} pt"
    if media is None:
        return f"has no MediaBox; read as {used_size}, as PDF viewers do"
    if media[2] <= media[0] or media[3] <= media[1]:
        return f"has an empty MediaBox {_shown_box(media)}; read as {used_size}, as PDF viewers do"
    if crop is None:
        return None
    if crop[2] <= crop[0] or crop[3] <= crop[1]:
        return f"has an empty CropBox {_shown_box(crop)}; read with its MediaBox ({used_size})"
    inside = (
        max(crop[0], media[0]),
        max(crop[1], media[1]),
        min(crop[2], media[2]),
        min(crop[3], media[3]),
    )
    if any(abs(a - b) > 0.01 for a, b in zip(inside, crop, strict=True)):
        return (
            f"has a CropBox {_shown_box(crop)} that reaches outside its MediaBox "
            f"{_shown_box(media)}; read with the part inside ({used_size})"
        )
    return None

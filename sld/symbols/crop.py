"""Cutting an exemplar out of a drawing: the user's "this is a breaker" box becomes a reference.

The box is in PDF points, as in the result, and should hold the symbol as the result format
draws it: the body and its leads, up to the points where the conductors attach. Those points,
the terminals, are found here from the drawing itself: wherever ink crosses the box's border
and carries on outside it, a conductor attaches. They tell the matcher which way the
conductor runs through the symbol, and which strokes are leads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sld.pages.ink import ink_mask, stroke_width
from sld.pages.page import PageImage

#: How far outside the box (pixels) a conductor must carry on to count as attached.
REACH_PX = 4


@dataclass(frozen=True)
class Crop:
    """The grey image of the box (text blanked) and its terminals in its pixels."""

    image: NDArray[np.uint8]
    terminals: list[tuple[float, float]]
    dpi: float


def crop_exemplar(page: PageImage, bbox_pt: tuple[float, float, float, float]) -> Crop:
    """Cut `bbox_pt` out of the page raster, with text-layer words inside it blanked."""
    x0, y0, x1, y1 = bbox_pt
    if not (x0 < x1 and y0 < y1):
        raise ValueError(f"the box must have x0 < x1 and y0 < y1, got {list(bbox_pt)}")
    height, width = page.image.shape
    scale = page.scale
    left, top = max(0, round(x0 * scale)), max(0, round(y0 * scale))
    right, bottom = min(width, round(x1 * scale)), min(height, round(y1 * scale))
    if right - left < 4 or bottom - top < 4:
        raise ValueError(
            f"the box {list(bbox_pt)} is {right - left} x {bottom - top} pixels on the page "
            f"at {page.dpi:g} dpi: too small for a symbol (or outside the page)"
        )
    # Work on the box with a margin, so conductors leaving it can be seen.
    margin = 2 * REACH_PX
    m_left, m_top = max(0, left - margin), max(0, top - margin)
    m_right, m_bottom = min(width, right + margin), min(height, bottom + margin)
    grey = page.image[m_top:m_bottom, m_left:m_right].copy()
    for word in page.words:
        wx0, wy0, wx1, wy1 = (round(value * scale) for value in word.bbox)
        grey[
            max(0, wy0 - m_top) : max(0, wy1 - m_top + 1),
            max(0, wx0 - m_left) : max(0, wx1 - m_left + 1),
        ] = 255
    ink = ink_mask(grey)
    box = (left - m_left, top - m_top, right - m_left, bottom - m_top)
    terminals = find_terminals(ink, box)
    image = grey[box[1] : box[3], box[0] : box[2]]
    return Crop(image=np.ascontiguousarray(image), terminals=terminals, dpi=page.dpi)


def find_terminals(
    ink: NDArray[np.uint8], box: tuple[int, int, int, int]
) -> list[tuple[float, float]]:
    """Points on the border of `box` (in its own pixels) where ink continues outside it.

    A terminal is a narrow run of ink (a conductor, not the side of a bus) on the box's edge
    whose columns (or rows) hold ink just outside the box too.
    """
    x0, y0, x1, y1 = box
    inside = ink[y0:y1, x0:x1]
    widest = 3.0 * stroke_width(inside) + 2.0
    found: list[tuple[float, float]] = []
    height, width = ink.shape
    edges = (
        # (ink along the edge inside, ink just outside, where the terminal sits)
        ("top", inside[0:2].any(axis=0), ink[max(0, y0 - REACH_PX) : y0, x0:x1]),
        ("bottom", inside[-2:].any(axis=0), ink[y1 : min(height, y1 + REACH_PX), x0:x1]),
        ("left", inside[:, 0:2].any(axis=1), ink[y0:y1, max(0, x0 - REACH_PX) : x0]),
        ("right", inside[:, -2:].any(axis=1), ink[y0:y1, x1 : min(width, x1 + REACH_PX)]),
    )
    for side, edge, outside in edges:
        if outside.size == 0:
            continue
        axis = 0 if side in ("top", "bottom") else 1
        attached = np.asarray(edge & outside.all(axis=axis), dtype=bool)
        for start, stop in _runs(attached):
            if stop - start > widest:
                continue
            middle = (start + stop) / 2.0
            found.append(
                {
                    "top": (middle, 0.0),
                    "bottom": (middle, float(y1 - y0)),
                    "left": (0.0, middle),
                    "right": (float(x1 - x0), middle),
                }[side]
            )
    return found


def _runs(flags: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(start, stop) of each run of True values."""
    padded = np.concatenate([[False], flags, [False]]).astype(np.int8)
    changes = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b)) for a, b in zip(changes[::2], changes[1::2], strict=True)]

"""Linking text lines to the components they label.

A label sits beside its symbol, within about two symbol sizes. Each text line goes to the
nearest symbol within that reach; lines farther from every symbol (title block, notes, bus
names) label nothing.
"""

from __future__ import annotations

import numpy as np

from sld.detections import Detections
from sld.geometry import FloatArray
from sld.page import PageImage
from sld.wiring import Conductors

#: A label may sit this many symbol sizes (the larger box side) away from its symbol.
REACH_IN_SYMBOL_SIZES = 2.0


def box_gaps(a: FloatArray, b: FloatArray) -> FloatArray:
    """Pairwise distance between the edges of boxes (0 when they overlap), shape (len(a), len(b))."""
    dx = np.maximum(0.0, np.maximum(a[:, None, 0] - b[None, :, 2], b[None, :, 0] - a[:, None, 2]))
    dy = np.maximum(0.0, np.maximum(a[:, None, 1] - b[None, :, 3], b[None, :, 1] - a[:, None, 3]))
    return np.asarray(np.hypot(dx, dy), dtype=np.float64)


def link_texts(
    page: PageImage, symbols: Detections, texts: Detections, conductors: Conductors
) -> list[int | None]:
    """For each text line, the index of the symbol it labels, or None."""
    if not len(symbols) or not len(texts):
        return [None] * len(texts)
    gaps = box_gaps(texts.boxes, symbols.boxes)
    sizes = np.maximum(
        symbols.boxes[:, 2] - symbols.boxes[:, 0], symbols.boxes[:, 3] - symbols.boxes[:, 1]
    )
    reachable = gaps <= sizes[None, :] * REACH_IN_SYMBOL_SIZES
    nearest = np.argmin(np.where(reachable, gaps, np.inf), axis=1)
    return [int(n) if reachable[i, n] else None for i, n in enumerate(nearest)]

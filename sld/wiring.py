"""Conductors: the wires and buses of a page, as straight segments in points.

From the PDF's vector strokes where the page has them. Strokes that belong to a symbol's own
drawing (inside its box) are not conductors, and a stroke that runs into a symbol is cut at the
symbol's edge, so the symbol, not the line, joins the two sides.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from sld.detections import Detections
from sld.geometry import FloatArray
from sld.page import PageImage

#: How far (points) a box is grown when deciding whether a stroke belongs to a symbol.
SYMBOL_MARGIN = 1.0


def _empty() -> FloatArray:
    return np.zeros((0, 4), dtype=np.float64)


@dataclass(frozen=True)
class Conductors:
    """Conductor segments (N, 4) as x0, y0, x1, y1 in points, with their stroke widths (N,)."""

    segments: FloatArray = field(default_factory=_empty)
    widths: FloatArray = field(default_factory=lambda: np.zeros(0, dtype=np.float64))
    #: Filled dots that mark junctions (M, 4) boxes in points.
    dots: FloatArray = field(default_factory=_empty)

    def __len__(self) -> int:
        return len(self.segments)


def _cut_at_boxes(segments: FloatArray, widths: FloatArray, boxes: FloatArray) -> Conductors:
    """Remove the parts of segments that lie inside symbol boxes."""
    if not len(segments):
        return Conductors()
    lines = shapely.linestrings(segments.reshape(-1, 2, 2))
    if len(boxes):
        grown = boxes + np.asarray([-1, -1, 1, 1]) * SYMBOL_MARGIN
        symbol_area = shapely.union_all(shapely.box(*grown.T))
        lines = shapely.difference(lines, symbol_area)
    kept: list[FloatArray] = []
    kept_widths: list[float] = []
    for line, width in zip(lines, widths, strict=True):
        for part in shapely.get_parts(line):
            coords = shapely.get_coordinates(part)
            for start, end in zip(coords[:-1], coords[1:], strict=True):
                if np.hypot(*(end - start)) > 1e-6:
                    kept.append(np.concatenate([start, end]))
                    kept_widths.append(float(width))
    if not kept:
        return Conductors()
    return Conductors(segments=np.asarray(kept), widths=np.asarray(kept_widths))


def extract_conductors(page: PageImage, symbols: Detections, texts: Detections) -> Conductors:
    """The page's conductors: vector strokes outside the symbols (raster pages have none yet)."""
    if page.vector is None or not len(page.vector.segments):
        return Conductors()
    conductors = _cut_at_boxes(page.vector.segments, page.vector.widths, symbols.boxes)
    return Conductors(
        segments=conductors.segments, widths=conductors.widths, dots=page.vector.fills.copy()
    )

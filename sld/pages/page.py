"""`PageImage`: one displayed page as the stages see it (raster, text layer, vector strokes).

`raster.py` builds these from PDFs and image files. Everything on a `PageImage` except `image`
is in PDF points on the displayed page (rotation applied, origin top-left, y downwards); the
image is the only pixel-space thing, and `scale` converts between the two.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from sld.geometry import FloatArray


@dataclass(frozen=True)
class Word:
    """A word of the PDF text layer: its text, box in points and reading direction."""

    text: str
    bbox: tuple[float, float, float, float]
    #: Reading direction in degrees counter-clockwise on the displayed page: 0, 90, 180 or 270.
    angle: int = 0


def _no_segments() -> FloatArray:
    return np.zeros((0, 4), dtype=np.float64)


def _no_values() -> FloatArray:
    return np.zeros(0, dtype=np.float64)


@dataclass(frozen=True)
class VectorGraphics:
    """The stroked and filled geometry of a vector PDF page, in points.

    Curves are flattened to straight segments. Conductors, busbars and symbol outlines are all
    in here; telling them apart is the connectivity stage's job.
    """

    #: Stroked straight segments, (N, 4) as x0, y0, x1, y1.
    segments: FloatArray = field(default_factory=_no_segments)
    #: Stroke width of each segment in points, (N,).
    widths: FloatArray = field(default_factory=_no_values)
    #: Bounding boxes of filled shapes (junction dots, arrow heads, solid bars), (M, 4).
    fills: FloatArray = field(default_factory=_no_segments)
    #: Per segment (N,): drawn with a dash pattern (an enclosure, a mechanical link, a
    #: boundary), which on a one-line is never a conductor. Empty: none dashed.
    dashed: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))


@dataclass(frozen=True)
class PageImage:
    """A page ready for the stages: a grey raster plus what the file itself says about the page."""

    #: The file the page came from, as the user named it (for messages and the result).
    source: str
    #: Zero-based page index in the file.
    index: int
    #: Displayed page size in points.
    width_pt: float
    height_pt: float
    #: Pixels per inch of `image`; below the requested DPI when the pixel cap applied.
    dpi: float
    #: Grey levels, uint8, shape (height_px, width_px), displayed orientation, 255 = paper.
    image: NDArray[np.uint8]
    #: Words of the PDF text layer (empty for scans and image files).
    words: tuple[Word, ...] = ()
    #: Vector geometry (None when the page is a raster: image files, scans).
    vector: VectorGraphics | None = None

    @classmethod
    def from_raster(
        cls, image: NDArray[np.uint8], dpi: float, source: str, index: int = 0
    ) -> PageImage:
        """A page that is only its raster (an image file, a test's drawing): its size in
        points follows from the pixels and the DPI."""
        height, width = image.shape
        return cls(
            source=source,
            index=index,
            width_pt=width * 72 / dpi,
            height_pt=height * 72 / dpi,
            dpi=dpi,
            image=image,
        )

    @property
    def scale(self) -> float:
        """Pixels per point of `image`."""
        return self.dpi / 72.0

    @property
    def has_text_layer(self) -> bool:
        return bool(self.words)

    @property
    def where(self) -> str:
        """`file, page N` (1-based), for messages a person reads."""
        return f"{self.source}, page {self.index + 1}"

    def pixels_to_points(self, boxes_px: FloatArray) -> FloatArray:
        return np.asarray(boxes_px, dtype=np.float64) / self.scale

    def points_to_pixels(self, boxes_pt: FloatArray) -> FloatArray:
        return np.asarray(boxes_pt, dtype=np.float64) * self.scale

"""Overlapping tiles of a page raster, and the one mapping from tile pixels back to page points.

Backends see tiles, not pages, so a large sheet is never shrunk below the detail a symbol needs.
Neighbouring tiles overlap by more than the largest symbol, so every symbol lies whole in at
least one tile; `merge.py` removes the duplicates and the halves cut by a tile border.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from sld.detections import Detections
from sld.geometry import FloatArray, as_boxes, clip_boxes, intersections, valid_boxes
from sld.pages.page import PageImage

#: A tile whose darkest pixel is lighter than this holds no ink and is skipped by backends.
INK_LEVEL = 160


@dataclass(frozen=True)
class Tile:
    """A crop of a page raster with its place on the page."""

    index: int
    #: Top-left corner of the tile in page pixels.
    x0: int
    y0: int
    #: Grey uint8 pixels, a view into the page raster.
    image: NDArray[np.uint8]
    #: Boxes of text on this tile in tile pixels, (N, 4): detectors must not find symbols there.
    text_boxes: FloatArray = field(default_factory=lambda: np.zeros((0, 4), dtype=np.float64))
    #: What each of those boxes reads.
    text_labels: tuple[str, ...] = ()
    #: Pixels per inch of the page raster (None: unknown, e.g. a tile made by hand).
    dpi: float | None = None

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])

    @property
    def has_ink(self) -> bool:
        return bool(self.image.size) and int(self.image.min()) < INK_LEVEL


def tile_origins(length: int, size: int, overlap: int) -> list[int]:
    """Start offsets along one axis: tiles of `size` that overlap by at least `overlap`.

    The last tile is aligned to the far edge, so no tile hangs over the page and the overlap
    is never below the requested one. A page shorter than a tile gets one tile.
    """
    if size <= overlap:
        raise ValueError(f"tile size ({size}) must be larger than the overlap ({overlap})")
    if length <= size:
        return [0]
    stride = size - overlap
    count = int(np.ceil((length - size) / stride)) + 1
    # Spread the tiles evenly so every overlap is the same and at least `overlap`.
    return [round(i * (length - size) / (count - 1)) for i in range(count)]


def make_tiles(
    page: PageImage,
    size: int,
    overlap: int,
    text_boxes_pt: FloatArray | None = None,
    text_labels: Sequence[str] = (),
) -> list[Tile]:
    """Cut the page raster into overlapping tiles, each with the text boxes that fall on it
    (and what they read, when `text_labels` gives that for each box)."""
    height, width = page.image.shape
    text_px = page.points_to_pixels(as_boxes([] if text_boxes_pt is None else text_boxes_pt))
    labels = np.asarray(list(text_labels) or [""] * len(text_px), dtype=object)
    tiles: list[Tile] = []
    for y0 in tile_origins(height, size, overlap):
        for x0 in tile_origins(width, size, overlap):
            crop = page.image[y0 : y0 + size, x0 : x0 + size]
            tile_box = as_boxes([[x0, y0, x0 + crop.shape[1], y0 + crop.shape[0]]])
            on_tile = intersections(text_px, tile_box)[:, 0] > 0
            local = text_px[on_tile] - np.asarray([x0, y0, x0, y0], dtype=np.float64)
            local = clip_boxes(local, crop.shape[1], crop.shape[0])
            tiles.append(
                Tile(
                    index=len(tiles),
                    x0=x0,
                    y0=y0,
                    image=crop,
                    text_boxes=local,
                    text_labels=tuple(str(label) for label in labels[on_tile]),
                    dpi=page.dpi,
                )
            )
    return tiles


def tile_detections_to_points(detections: Detections, tile: Tile, page: PageImage) -> Detections:
    """The one conversion from a backend's tile pixels to page points.

    Boxes are clipped to the tile first (a backend may overshoot), then offset by the tile's
    place and divided by the page's pixels-per-point. Degenerate boxes are dropped.
    """
    if not len(detections):
        return detections
    clipped = replace(detections, boxes=clip_boxes(detections.boxes, tile.width, tile.height))
    in_points = clipped.scaled(1.0 / page.scale, offset_x=tile.x0, offset_y=tile.y0)
    return in_points[valid_boxes(in_points.boxes)]

"""Symbol detectors: the `SymbolDetector` protocol, the detector that `SLD_DETECTOR` chooses,
and detection over a whole page.

A detector sees tiles and answers in tile pixels; `detect_page` maps its boxes to page points
(`sld.symbols.merge` then merges the tiles). Backends are imported only when chosen, so the
embedded default never loads torch. A new detector is a module here with a factory
`create(settings)`, registered in `sld.registry.DETECTORS` under the name `SLD_DETECTOR` takes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, cast

from sld.detections import Detections
from sld.geometry import FloatArray
from sld.pages.page import PageImage
from sld.pages.tiling import Tile, make_tiles, tile_detections_to_points
from sld.registry import DETECTORS, shared_backend
from sld.settings import Settings
from sld.symbols.merge import TileDetections, tile_box_points


class SymbolDetector(Protocol):
    """Finds SLD symbols on tiles. Labels are component types (`circuit_breaker`, ...)."""

    name: str

    def detect(self, tiles: Sequence[Tile]) -> list[Detections]:
        """One `Detections` per tile, boxes in that tile's pixels, scores in [0, 1]."""
        ...


def detector_for(settings: Settings) -> SymbolDetector:
    """The detector `SLD_DETECTOR` names (see `sld.registry.DETECTORS`), created on first use
    for these settings and then reused."""
    return cast(SymbolDetector, shared_backend(DETECTORS, "detector", settings.detector, settings))


def detect_page(page: PageImage, text_boxes: FloatArray, settings: Settings) -> TileDetections:
    """Run the chosen detector on the page's inked tiles; boxes come back in page points."""
    tiles = make_tiles(page, settings.tile_size, settings.tile_overlap, text_boxes)
    inked: list[Tile] = [tile for tile in tiles if tile.has_ink]
    found = detector_for(settings).detect(inked) if inked else []
    return TileDetections(
        per_tile=[
            (tile_detections_to_points(detections, tile, page), tile_box_points(tile, page))
            for tile, detections in zip(inked, found, strict=True)
        ]
    )

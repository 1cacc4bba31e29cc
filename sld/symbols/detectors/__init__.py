"""Symbol detectors: the `SymbolDetector` protocol, the detector that `SLD_DETECTOR` chooses,
and detection over a whole page.

A detector sees tiles and answers in tile pixels (a `PageDetector` sees the whole page and
answers in points); `detect_page` maps the boxes to page points
(`sld.symbols.merge` then merges the tiles). Backends are imported only when chosen, so the
embedded default never loads torch. A new detector is a module here with a factory
`create(settings)`, registered in `sld.registry.DETECTORS` under the name `SLD_DETECTOR` takes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol, cast

from sld.detections import Detections
from sld.geometry import clip_boxes, valid_boxes
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


class PageDetector(Protocol):
    """A detector that works on whole pages (the template matcher): it takes the page and its
    text lines in points, and answers in points."""

    def detect_page(self, page: PageImage, texts: Detections) -> Detections: ...


def detect_page(page: PageImage, texts: Detections, settings: Settings) -> TileDetections:
    """Run the chosen detector on the page's inked tiles, with the page's text lines (points);
    boxes come back in page points. A detector that works on whole pages gets the page."""
    detector = detector_for(settings)
    if hasattr(detector, "detect_page"):
        whole: PageDetector = detector  # type: ignore[assignment]
        box = (0.0, 0.0, page.width_pt, page.height_pt)
        on_page = whole.detect_page(page, texts)
        inside = replace(on_page, boxes=clip_boxes(on_page.boxes, page.width_pt, page.height_pt))
        return TileDetections(per_tile=[(inside[valid_boxes(inside.boxes)], box)])
    labels = [str(label) for label in texts.labels]
    tiles = make_tiles(page, settings.tile_size, settings.tile_overlap, texts.boxes, labels)
    inked: list[Tile] = [tile for tile in tiles if tile.has_ink]
    found = detector.detect(inked) if inked else []
    return TileDetections(
        per_tile=[
            (tile_detections_to_points(detections, tile, page), tile_box_points(tile, page))
            for tile, detections in zip(inked, found, strict=True)
        ]
    )

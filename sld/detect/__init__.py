"""Symbol detectors: the `SymbolDetector` protocol and the registry that picks one by name.

A detector sees tiles and answers in tile pixels; the detection stage (`sld/stages.py`) maps
its boxes to page points and merges the tiles. Backends are imported only when chosen, so the
embedded default never loads torch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import import_module
from typing import Protocol

from sld.detections import Detections
from sld.settings import Settings
from sld.tiling import Tile


class SymbolDetector(Protocol):
    """Finds SLD symbols on tiles. Labels are component types (`circuit_breaker`, ...)."""

    name: str

    def detect(self, tiles: Sequence[Tile]) -> list[Detections]:
        """One `Detections` per tile, boxes in that tile's pixels, scores in [0, 1]."""
        ...


#: Backend name -> "module:factory". The factory takes the settings and returns a detector.
DETECTORS: dict[str, str] = {
    "template": "sld.detect.template:create",
    "rex-omni": "sld.detect.rexomni:create",
    "rex-omni-server": "sld.detect.rexomni:create_server",
    "grounding-dino": "sld.detect.grounding_dino:create",
}


class UnknownBackendError(ValueError):
    """A backend name that is not registered; the message lists the ones that are."""


def load_factory(registry: dict[str, str], kind: str, name: str) -> Callable[[Settings], object]:
    """The factory registered under `name`, imported on first use."""
    try:
        target = registry[name]
    except KeyError:
        known = ", ".join(sorted(registry))
        raise UnknownBackendError(f"unknown {kind} {name!r}; choose one of: {known}") from None
    module_name, _, attribute = target.partition(":")
    factory: Callable[[Settings], object] = getattr(import_module(module_name), attribute)
    return factory


def create_detector(settings: Settings) -> SymbolDetector:
    detector: SymbolDetector = load_factory(DETECTORS, "detector", settings.detector)(settings)  # type: ignore[assignment]
    return detector

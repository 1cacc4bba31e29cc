"""Backends chosen by name: which module builds the symbol detector or text engine a setting
names.

Every backend is registered here, as `"module:factory"` in the table of its kind, so a
backend's module (and torch, for the model backends) is imported only when it is chosen. The
factory takes the `Settings` and returns the backend: a `SymbolDetector`
(`sld.symbols.detectors`) or a `TextReader` (`sld.text.engines`).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from sld.settings import Settings

#: `SLD_DETECTOR` values and the factories of their detectors (`sld/symbols/detectors/`).
DETECTORS: dict[str, str] = {
    "template": "sld.symbols.detectors.template:create",
    "rex-omni": "sld.symbols.detectors.rexomni:create",
    "rex-omni-server": "sld.symbols.detectors.rexomni:create_server",
    "grounding-dino": "sld.symbols.detectors.grounding_dino:create",
}

#: `SLD_OCR` values and the factories of their text readers (`sld/text/engines/`).
TEXT_READERS: dict[str, str] = {
    "pdf-text": "sld.text.engines.pdf_text:create",
    "rapidocr": "sld.text.engines.rapid:create",
    "auto": "sld.text.engines.auto:create",
    "none": "sld.text.engines.auto:create_none",
    "rex-omni": "sld.text.engines.rexomni:create",
    "rex-omni-server": "sld.text.engines.rexomni:create_server",
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


def create_backend(registry: dict[str, str], kind: str, name: str, settings: Settings) -> object:
    """A new backend of the registered `name`, built from `settings`."""
    return load_factory(registry, kind, name)(settings)


#: Backends built so far, by kind, name and settings: model weights load once per process.
_SHARED: dict[tuple[str, str, str], object] = {}


def shared_backend(registry: dict[str, str], kind: str, name: str, settings: Settings) -> object:
    """The backend `name` for these settings, built on first use and reused afterwards, across
    pages and files."""
    key = (kind, name, settings.model_dump_json())
    if key not in _SHARED:
        _SHARED[key] = create_backend(registry, kind, name, settings)
    return _SHARED[key]

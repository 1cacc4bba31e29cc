"""Drawings of the catalogue's symbols at another office's proportions are still named.

Stretching a candidate and an exemplar to one square forgives the proportions of a whole
drawing, not those of its parts: a transformer whose circles overlap by more, or whose
windings have three turns instead of four, compares badly with the catalogue's drawing. The
library holds the same drawings at other proportions (`sld.synth.PROPORTION_VARIANTS`); these
tests draw the foreign office's symbols, whose proportions are neither the catalogue's nor the
siblings'.
"""

from __future__ import annotations

import shutil

import cv2
import numpy as np
import pytest

from sld.geometry import as_boxes, iou_matrix
from sld.settings import Settings
from sld.symbols.detectors.template import TemplateDetector
from sld.symbols.library import BUILTIN_LIBRARY, ExemplarInfo
from sld.synth import PROPORTION_VARIANTS, SymbolVariant, render_symbol_png, symbol_variant
from sld.synth.foreign import FOREIGN_VARIANTS
from tests.symbols.test_template import DPI, whole_page_tile


def on_wire(variant: SymbolVariant) -> tuple[np.ndarray, np.ndarray]:
    """A page with one symbol on a vertical conductor, and its body box in page pixels."""
    symbol, box, terminals = render_symbol_png(variant, 1.25, DPI)
    page = np.full((700, 700), 255, np.uint8)
    top, left = 350 - symbol.shape[0] // 2, 350 - symbol.shape[1] // 2
    page[top : top + symbol.shape[0], left : left + symbol.shape[1]] = symbol
    for x, y in terminals.values():
        edge = 0 if y < symbol.shape[0] / 2 else 699
        cv2.line(page, (round(x) + left, round(y) + top), (round(x) + left, edge), 0, 3)
    return page, np.asarray([box[0] + left, box[1] + top, box[2] + left, box[3] + top])


def foreign(kind: str, standard: str) -> SymbolVariant:
    """The foreign office's drawing (`sld.synth.foreign`): other proportions than the
    catalogue's and than the library's siblings."""
    return next(v for v in FOREIGN_VARIANTS if v.type == kind and v.standard == standard)


def named(detector: TemplateDetector, page: np.ndarray, box: np.ndarray) -> str:
    """The type of the device found on `box` (IoU >= 0.5), or ""."""
    (found,) = detector.detect([whole_page_tile(page)])
    if not len(found):
        return ""
    overlaps = iou_matrix(found.boxes, as_boxes([box]))[:, 0]
    best = int(np.argmax(overlaps))
    return str(found.labels[best]) if overlaps[best] >= 0.5 else ""


@pytest.fixture(scope="module")
def catalogue_only(tmp_path_factory: pytest.TempPathFactory) -> TemplateDetector:
    """The built-in library less the drawings at other proportions."""
    folder = tmp_path_factory.mktemp("catalogue-only") / "symbols"
    shutil.copytree(BUILTIN_LIBRARY, folder)
    siblings = {(v.type, v.standard, v.variant) for v in PROPORTION_VARIANTS}
    for meta in folder.glob("*/*.json"):
        info = ExemplarInfo.model_validate_json(meta.read_text())
        if (info.type, info.standard, info.variant) in siblings:
            (meta.parent / info.image).unlink()
            meta.unlink()
    return TemplateDetector(Settings(symbol_builtin_library=folder))


@pytest.fixture(scope="module")
def builtin() -> TemplateDetector:
    return TemplateDetector(Settings())


def test_the_library_holds_each_sibling_once() -> None:
    names = [f"{v.standard}-{v.variant}".replace("_", "-") for v in PROPORTION_VARIANTS]
    assert len(set(names)) == len(names)
    for variant, name in zip(PROPORTION_VARIANTS, names, strict=True):
        assert (BUILTIN_LIBRARY / variant.type / f"{name}.json").exists(), name


@pytest.mark.parametrize(
    ("kind", "standard"),
    [("transformer", "iec"), ("fuse", "ansi")],
)
def test_a_symbol_at_other_proportions_is_named(
    builtin: TemplateDetector, catalogue_only: TemplateDetector, kind: str, standard: str
) -> None:
    # Circles that overlap by more than half their diameter; an S with three bends.
    page, box = on_wire(foreign(kind, standard))
    assert named(builtin, page, box) == kind
    # The catalogue's own proportions alone do not name it.
    assert named(catalogue_only, page, box) != kind


def test_the_catalogues_own_drawings_are_still_named(builtin: TemplateDetector) -> None:
    for key in ("transformer/ansi/coils", "fuse/iec/rect_through", "fuse/ansi/s_curve"):
        page, box = on_wire(symbol_variant(key))
        assert named(builtin, page, box) == key.split("/")[0], key

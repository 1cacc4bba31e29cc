"""The `template` detector: finds the symbols of a generated sheet, turned, mirrored and scaled
symbols, nothing inside text, nothing on a blank tile; answers per tile in tile pixels."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from sld.document import CORE_TYPES
from sld.geometry import as_boxes, iou_matrix
from sld.pages.page import PageImage
from sld.pages.raster import load_page, open_source
from sld.pages.tiling import Tile, make_tiles
from sld.settings import Settings
from sld.symbols.detectors import detector_for
from sld.symbols.detectors.template import Examined, Placement, TemplateDetector, _agree_by_shape
from sld.symbols.devices import DeviceCandidate
from sld.synth import generate_set, render_symbol_png, symbol_variant

SEED = 5  # apart from calibration (1000) and evaluation (2000+) seeds
DPI = 200.0


@pytest.fixture(scope="module")
def detector() -> TemplateDetector:
    found = detector_for(Settings())
    assert isinstance(found, TemplateDetector)
    return found


def draw_on_wire(
    key: str, scale: float, rotation: int = 0, mirror: bool = False, line_width: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """A page with one symbol on a conductor (wires from each terminal to the page's edge),
    and the symbol's box in page pixels."""
    symbol, box, terminals = render_symbol_png(
        symbol_variant(key), scale, DPI, rotation=rotation, mirror=mirror, line_width=line_width
    )
    page = np.full((700, 700), 255, np.uint8)
    top, left = 350 - symbol.shape[0] // 2, 350 - symbol.shape[1] // 2
    page[top : top + symbol.shape[0], left : left + symbol.shape[1]] = symbol
    stroke = max(1, round(line_width * DPI / 72))
    x0, y0, x1, y1 = box[0] + left, box[1] + top, box[2] + left, box[3] + top
    for x, y in terminals.values():
        x, y = x + left, y + top
        # From the terminal straight away from the symbol's body, to the page's edge.
        gaps = {"up": y - y0, "down": y1 - y, "left": x - x0, "right": x1 - x}
        way = min(gaps, key=gaps.__getitem__)
        end = {"up": (x, 0), "down": (x, 699), "left": (0, y), "right": (699, y)}[way]
        cv2.line(page, (round(x), round(y)), (round(end[0]), round(end[1])), 0, stroke)
    return page, np.asarray([x0, y0, x1, y1], dtype=np.float64)


def whole_page_tile(image: np.ndarray, text: np.ndarray | None = None) -> Tile:
    boxes = np.zeros((0, 4)) if text is None else np.asarray(text, dtype=np.float64).reshape(-1, 4)
    return Tile(index=0, x0=0, y0=0, image=image, text_boxes=boxes)


def best_match(detector: TemplateDetector, image: np.ndarray, box: np.ndarray) -> tuple[str, float]:
    """Type and IoU of the detection that overlaps `box` most ("" if none)."""
    (found,) = detector.detect([whole_page_tile(image)])
    if not len(found):
        return "", 0.0
    overlaps = iou_matrix(found.boxes, as_boxes([box]))[:, 0]
    best = int(np.argmax(overlaps))
    return str(found.labels[best]), float(overlaps[best])


@pytest.mark.parametrize(
    ("key", "scale", "rotation", "mirror"),
    [
        ("circuit_breaker/iec/square", 1.25, 0, False),
        ("circuit_breaker/iec/switch_cross", 0.7, 90, True),
        ("circuit_breaker/ansi/drawout", 2.4, 270, False),
        ("disconnect_switch/iec/blade_bar", 1.0, 180, True),
        ("disconnect_switch/ansi/blade_contacts", 1.6, 90, False),
        ("fuse/iec/rect_striker", 0.65, 270, True),
        ("fuse/ansi/s_curve", 2.0, 0, True),
        ("transformer/ansi/coils_core", 0.8, 90, False),
        ("transformer/iec/vector_group", 2.5, 0, False),
        ("motor/iec/m_3ph", 0.65, 0, False),
        ("generator/ansi/g", 2.4, 0, False),
    ],
)
def test_turned_mirrored_and_scaled_symbols_are_found(
    detector: TemplateDetector, key: str, scale: float, rotation: int, mirror: bool
) -> None:
    """Scales from about half to twice the exemplars' (drawn at 1.25), all four quarter turns,
    mirrored, with other line widths than the exemplars' (1 pt): thick on large symbols, thin
    on small ones. (Small symbols with thick strokes lose their inner details: a fuse's
    striker, a breaker's cross.)"""
    line_width = 1.4 if scale >= 1.0 else 0.7
    image, box = draw_on_wire(key, scale, rotation, mirror, line_width=line_width)
    label, overlap = best_match(detector, image, box)
    assert label == key.split("/")[0]
    assert overlap >= 0.6


def test_scores_are_shares_of_agreeing_strokes(detector: TemplateDetector) -> None:
    image, box = draw_on_wire("fuse/iec/rect_through", 1.25)
    (found,) = detector.detect([whole_page_tile(image)])
    assert len(found) == 1
    assert 0.9 <= found.scores[0] <= 1.0
    # Half the symbol rubbed out: the best fit left (if any) scores clearly lower.
    x0, y0, x1, y1 = box.astype(int)
    image[y0 : (y0 + y1) // 2, : (x0 + x1) // 2 - 3] = 255
    (damaged,) = TemplateDetector(Settings(symbol_threshold=0.0)).detect([whole_page_tile(image)])
    near = iou_matrix(damaged.boxes, as_boxes([box]))[:, 0] > 0.3
    assert not near.any() or damaged.scores[near].max() < found.scores[0] - 0.05


def test_nothing_is_found_inside_text(detector: TemplateDetector) -> None:
    image, box = draw_on_wire("motor/iec/m", 1.25)
    label, _ = best_match(detector, image, box)
    assert label == "motor"
    # The same ink inside a text box (an "O" of a label, say) is no symbol.
    text = box + np.asarray([-2, -2, 2, 2])
    (found,) = detector.detect([whole_page_tile(image, text)])
    assert len(found) == 0


def test_a_blank_tile_gives_nothing(detector: TemplateDetector) -> None:
    blank = np.full((512, 512), 255, np.uint8)
    assert [len(d) for d in detector.detect([whole_page_tile(blank)])] == [0]
    assert detector.detect([]) == []


def _page(image: np.ndarray) -> PageImage:
    return PageImage.from_raster(image, DPI, "test")


def test_each_symbol_is_reported_once_in_a_tile_that_holds_it(detector: TemplateDetector) -> None:
    image, box = draw_on_wire("transformer/iec/two_circles", 1.25)
    tiles = make_tiles(_page(image), size=400, overlap=200)
    found = detector.detect(tiles)
    assert len(found) == len(tiles)
    placed = [
        (d.boxes[i] + [t.x0, t.y0, t.x0, t.y0], str(d.labels[i]), t)
        for t, d in zip(tiles, found, strict=True)
        for i in range(len(d))
    ]
    transformers = [p for p in placed if p[1] == "transformer"]
    assert len(transformers) == 1
    page_box, _, tile = transformers[0]
    assert iou_matrix(as_boxes([page_box]), as_boxes([box]))[0, 0] > 0.6
    assert tile.x0 <= page_box[0] and page_box[2] <= tile.x0 + tile.width


@pytest.mark.parametrize("style", ["iec", "ansi"])
def test_symbols_of_a_generated_sheet_are_found(
    detector: TemplateDetector, tmp_path: Path, style: str
) -> None:
    """Detection F1 over the core types on one vector sheet; breaking the matching fails this."""
    (pdf,) = generate_set(tmp_path, 1, SEED, style=style, scans=False)
    settings = Settings()
    page = load_page(open_source(pdf), 0, settings)
    truth = json.loads(pdf.with_suffix(".json").read_text())["pages"][0]
    text = as_boxes([t["bbox"] for t in truth["texts"]])
    labels = [t["text"] for t in truth["texts"]]
    tiles = [
        t
        for t in make_tiles(page, settings.tile_size, settings.tile_overlap, text, labels)
        if t.has_ink
    ]
    found = detector.detect(tiles)
    predicted = [
        ((d.boxes[i] + [t.x0, t.y0, t.x0, t.y0]) / page.scale, str(d.labels[i]))
        for t, d in zip(tiles, found, strict=True)
        for i in range(len(d))
    ]
    tp = fp = fn = 0
    for kind in CORE_TYPES:
        truth_boxes = as_boxes([c["bbox"] for c in truth["components"] if c["type"] == kind])
        mine = as_boxes([b for b, label in predicted if label == kind])
        matched = 0
        if len(truth_boxes) and len(mine):
            overlaps = iou_matrix(mine, truth_boxes) >= 0.5
            used: set[int] = set()
            for row in overlaps:
                free = [int(j) for j in np.flatnonzero(row) if int(j) not in used]
                if free:
                    used.add(free[0])
                    matched += 1
        tp += matched
        fp += len(mine) - matched
        fn += len(truth_boxes) - matched
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert tp >= 10
    assert f1 >= 0.9, f"{style} sheet: tp {tp}, fp {fp}, fn {fn}"


def _library_of(folder: Path, keys: dict[str, str]) -> Path:
    """A library folder with the built-in exemplars named in `keys`, under the types given."""
    from sld.symbols.library import BUILTIN_LIBRARY, ExemplarInfo

    for name, kind in keys.items():
        source = next(BUILTIN_LIBRARY.glob(f"*/{name}.json"))
        info = ExemplarInfo.model_validate_json(source.read_text())
        target = folder / kind
        target.mkdir(parents=True, exist_ok=True)
        (target / info.image).write_bytes((source.parent / info.image).read_bytes())
        (target / source.name).write_text(info.model_copy(update={"type": kind}).model_dump_json())
    return folder


def test_not_a_symbol_exemplars_win_their_places_but_are_not_reported(tmp_path: Path) -> None:
    image, _ = draw_on_wire("fuse/ansi/box", 1.25)
    plain = _library_of(tmp_path / "plain", {"ansi-box": "fuse"})
    (found,) = TemplateDetector(Settings(symbol_builtin_library=plain)).detect(
        [whole_page_tile(image)]
    )
    assert list(found.labels) == ["fuse"]
    # The same drawing declared a look-alike: it takes the place and nothing is reported.
    both = _library_of(tmp_path / "both", {"ansi-box": "not_a_symbol", "iec-rect-through": "fuse"})
    (found,) = TemplateDetector(Settings(symbol_builtin_library=both)).detect(
        [whole_page_tile(image)]
    )
    assert len(found) == 0


def test_the_users_drawing_of_a_type_replaces_the_built_in_ones(tmp_path: Path) -> None:
    """Once the user's folder draws a type, the built-in drawings of that type name nothing:
    a plain box on a conductor is a breaker in the catalogue, not in an office whose breakers
    are drawn otherwise. The built-in drawings of other types still name."""
    image, _ = draw_on_wire("circuit_breaker/iec/square", 1.25)
    builtin = _library_of(tmp_path / "builtin", {"iec-square": "circuit_breaker"})
    (found,) = TemplateDetector(Settings(symbol_builtin_library=builtin)).detect(
        [whole_page_tile(image)]
    )
    assert list(found.labels) == ["circuit_breaker"]
    other_type = _library_of(tmp_path / "fuses", {"ansi-box": "fuse"})
    settings = Settings(symbol_builtin_library=builtin, symbol_library=other_type)
    (found,) = TemplateDetector(settings).detect([whole_page_tile(image)])
    assert list(found.labels) == ["circuit_breaker"]
    same_type = _library_of(tmp_path / "arcs", {"ansi-arc": "circuit_breaker"})
    settings = Settings(symbol_builtin_library=builtin, symbol_library=same_type)
    (found,) = TemplateDetector(settings).detect([whole_page_tile(image)])
    assert list(found.labels) == ["symbol"]


def test_the_symbol_size_comes_from_the_drawing_not_the_dpi(detector: TemplateDetector) -> None:
    """A drawing rendered at 96 dpi (an image file) is found, and so is the same raster taken
    for 400 dpi, where the transformer is a quarter of the exemplar's size in points: the scale
    is measured on the page, not assumed from a symbol size."""
    symbol, box, terminals = render_symbol_png(
        symbol_variant("transformer/iec/two_circles"), 1.25, 96
    )
    page = np.full((400, 400), 255, np.uint8)
    page[150 : 150 + symbol.shape[0], 150 : 150 + symbol.shape[1]] = symbol
    for x, y in terminals.values():
        end = 0 if y < symbol.shape[0] / 2 else 399
        cv2.line(page, (round(x) + 150, round(y) + 150), (round(x) + 150, end), 0, 1)
    truth = np.asarray(box) + 150
    for dpi in (96.0, 400.0):
        (found,) = detector.detect([Tile(index=0, x0=0, y0=0, image=page, dpi=dpi)])
        assert list(found.labels) == ["transformer"], dpi
        assert iou_matrix(found.boxes, as_boxes([truth]))[0, 0] > 0.6, dpi


def _seen(
    mask: np.ndarray, kind: str, score: float, x: float, near_view: str | None = None
) -> Examined:
    height, width = mask.shape
    candidate = DeviceCandidate((0, 0, width, height), frozenset(), 1, 0.9, mask)
    box = (x, 0.0, x + width, float(height))
    return Examined(candidate, mask, box, Placement(kind, score, box), near_view)


def _breaker_strokes() -> np.ndarray:
    mask = np.zeros((40, 14), np.uint8)
    cv2.line(mask, (7, 0), (7, 12), 1, 2)
    cv2.line(mask, (7, 28), (7, 39), 1, 2)
    cv2.line(mask, (2, 12), (7, 28), 1, 2)  # the blade, open
    cv2.line(mask, (4, 10), (10, 14), 1, 1)  # the cross of a breaker's contact
    cv2.line(mask, (10, 10), (4, 14), 1, 1)
    return mask


def test_devices_drawn_alike_take_the_name_most_of_them_were_given() -> None:
    breaker, ring = _breaker_strokes(), np.zeros((30, 30), np.uint8)
    cv2.circle(ring, (15, 15), 12, 1, 2)
    examined = [
        _seen(breaker, "circuit_breaker", 0.7, 0),
        _seen(breaker, "circuit_breaker", 0.66, 50),
        _seen(breaker, "symbol", 0.9, 100),  # below the threshold, drawn the same way
        _seen(ring, "symbol", 0.8, 150),  # drawn otherwise: stays unexplained
    ]
    agreed = _agree_by_shape(examined)
    kinds = [seen.placement.type for seen in agreed if seen.placement is not None]
    assert kinds == ["circuit_breaker", "circuit_breaker", "circuit_breaker", "symbol"]
    assert agreed[2].placement is not None and agreed[2].placement.score == pytest.approx(0.68)


def test_a_name_given_to_a_minority_of_alike_devices_is_not_spread() -> None:
    breaker = _breaker_strokes()
    examined = [
        _seen(breaker, "circuit_breaker", 0.7, 0),
        _seen(breaker, "symbol", 0.9, 50),
        _seen(breaker, "symbol", 0.9, 100),
    ]
    agreed = _agree_by_shape(examined)
    assert [seen.placement.type for seen in agreed if seen.placement] == [
        "circuit_breaker",
        "symbol",
        "symbol",
    ]


def test_one_named_device_names_alike_ones_whose_best_view_agrees() -> None:
    # The branch breakers of a board fall just short of an exemplar cut from its main breaker;
    # one passes, the others' best view is the same breaker: they are breakers too.
    breaker = _breaker_strokes()
    examined = [
        _seen(breaker, "circuit_breaker", 0.66, 0, near_view="main-breaker"),
        _seen(breaker, "symbol", 0.9, 50, near_view="main-breaker"),
        _seen(breaker, "symbol", 0.9, 100, near_view="main-breaker"),
    ]
    agreed = _agree_by_shape(examined)
    assert [seen.placement.type for seen in agreed if seen.placement] == ["circuit_breaker"] * 3
    # Near misses of other exemplars are no support: the one name stays alone.
    examined = [
        _seen(breaker, "circuit_breaker", 0.66, 0, near_view="main-breaker"),
        _seen(breaker, "symbol", 0.9, 50, near_view="fuse"),
        _seen(breaker, "symbol", 0.9, 100, near_view="main-breaker"),
        _seen(breaker, "symbol", 0.9, 150, near_view="other-breaker"),
    ]
    agreed = _agree_by_shape(examined)
    assert [seen.placement.type for seen in agreed if seen.placement] == [
        "circuit_breaker",
        "symbol",
        "symbol",
        "symbol",
    ]

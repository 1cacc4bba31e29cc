"""The reference-symbol library: built-in contents, saving and loading, `sld symbols add` from a
drawing (terminals found, the exemplar used by the next run), `sld symbols list`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sld.cli.main import main
from sld.detections import Detections
from sld.document import CORE_TYPES, Document
from sld.pages.page import PageImage
from sld.pages.raster import load_page, open_source
from sld.pages.tiling import make_tiles
from sld.settings import Settings
from sld.symbols.crop import cut_exemplar
from sld.symbols.detectors.template import TemplateDetector
from sld.symbols.library import (
    BUILTIN_LIBRARY,
    ExemplarInfo,
    add_from_drawing,
    load_folder,
    load_library,
    load_thresholds,
    save_exemplar,
)
from sld.synth import generate_set
from sld.text.engines import text_reader_for

#: Tests draw their sheets from this seed: apart from calibration (1000) and evaluation (2000+).
SEED = 5


def test_builtin_library_covers_the_core_types_in_both_standards() -> None:
    exemplars = load_folder(BUILTIN_LIBRARY)
    for component_type in CORE_TYPES:
        for standard in ("iec", "ansi"):
            found = [
                e for e in exemplars if e.type == component_type and e.info.standard == standard
            ]
            assert found, f"no {standard} {component_type} in the built-in library"
    variants = {(e.type, e.info.variant) for e in exemplars}
    assert len(variants) >= 20
    for exemplar in exemplars:
        assert exemplar.image.dtype == np.uint8 and exemplar.image.min() < 128
        assert exemplar.info.licence and exemplar.info.source


def test_builtin_thresholds_are_calibrated_for_every_core_type() -> None:
    thresholds = load_thresholds(Settings())
    for component_type in CORE_TYPES:
        assert 0.5 <= thresholds[component_type] <= 1.0
    about = json.loads((BUILTIN_LIBRARY / "thresholds.json").read_text())["about"]
    assert about["calibration_seed"] < 2000  # never an evaluation seed


def test_saved_exemplar_loads_back(tmp_path: Path) -> None:
    image = np.full((30, 20), 255, np.uint8)
    image[:, 9:11] = 0
    info = ExemplarInfo(
        type="fuse",
        standard="iec",
        variant="test",
        source="drawn in a test",
        licence="CC0",
        dpi=200,
        terminals=[(10.0, 0.0), (10.0, 30.0)],
        image="",
    )
    save_exemplar(tmp_path, "one", info, image)
    (loaded,) = load_folder(tmp_path)
    assert loaded.name == "one" and loaded.type == "fuse"
    assert loaded.info.terminals == [(10.0, 0.0), (10.0, 30.0)]
    np.testing.assert_array_equal(loaded.image, image)
    assert loaded.size_pt == pytest.approx((20 * 72 / 200, 30 * 72 / 200))


def test_a_loose_box_is_cut_to_the_symbols_tight_box() -> None:
    """The user boxes a fuse with its leads and some paper: the exemplar is the body alone,
    its terminals on the sides where the conductor attached."""
    image = np.full((400, 400), 255, np.uint8)
    image[:, 199:202] = 0  # a conductor, top to bottom
    image[170:171, 190:211] = 0  # the fuse body: a rectangle around the conductor
    image[230:231, 190:211] = 0
    image[170:231, 190:191] = 0
    image[170:231, 210:211] = 0
    page = PageImage(
        source="t.png", index=0, width_pt=144.0, height_pt=144.0, dpi=200.0, image=image
    )
    loose = (50.0, 40.0, 90.0, 104.0)  # points: leads above and below, paper each side
    crop = cut_exemplar(page, loose, Detections())
    x0, y0, x1, y1 = crop.box_pt
    assert abs(x0 - 190 * 72 / 200) < 1.0 and abs(x1 - 211 * 72 / 200) < 1.0
    assert abs(y0 - 170 * 72 / 200) < 1.0 and abs(y1 - 231 * 72 / 200) < 1.0
    height, width = crop.image.shape
    assert sorted(crop.terminals) == sorted([(width / 2, 0.0), (width / 2, float(height))])


@pytest.fixture(scope="module")
def sheet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sheet")
    (pdf,) = generate_set(folder, 1, SEED, style="iec", scans=False)
    return pdf


def _breakers(pdf: Path) -> tuple[list[list[float]], str]:
    """Boxes of the sheet's most common breaker variant, and that variant."""
    graph = json.loads(pdf.with_name(f"{pdf.stem}.graph.json").read_text())
    variants = [n["variant"] for n in graph["nodes"] if n.get("type") == "circuit_breaker"]
    common = max(set(variants), key=variants.count)
    boxes = [
        n["bbox"]
        for n in graph["nodes"]
        if n.get("type") == "circuit_breaker" and n["variant"] == common
    ]
    return boxes, common


def test_added_exemplar_is_used_in_the_next_run(sheet: Path, tmp_path: Path) -> None:
    empty, user = tmp_path / "builtin", tmp_path / "user"
    empty.mkdir()
    settings = Settings(symbol_builtin_library=empty, symbol_library=user)
    page = load_page(open_source(sheet), 0, settings)
    texts = text_reader_for(settings).read(page)
    labels = [str(label) for label in texts.labels]
    tiles = [
        t
        for t in make_tiles(page, settings.tile_size, settings.tile_overlap, texts.boxes, labels)
        if t.has_ink
    ]
    detector = TemplateDetector(settings)
    # Nothing to name the devices with yet: every one is an unclassified `symbol`.
    assert {label for d in detector.detect(tiles) for _, _, label in d} == {"symbol"}

    boxes, variant = _breakers(sheet)
    x0, y0, x1, y1 = boxes[0]
    meta = add_from_drawing(settings, "circuit_breaker", sheet, 1, (x0, y0, x1, y1))
    assert meta.parent == user / "circuit_breaker" and meta.with_suffix(".png").exists()
    (exemplar,) = load_library(settings)
    assert exemplar.info.dpi == 200 and len(exemplar.info.terminals) == 2
    width_pt, height_pt = exemplar.size_pt
    box = boxes[0]
    assert width_pt == pytest.approx(box[2] - box[0], abs=1) and height_pt == pytest.approx(
        box[3] - box[1], abs=1
    )

    found = detector.detect(tiles)  # the same detector sees the new exemplar
    predicted = [
        [b[0] + t.x0, b[1] + t.y0, b[2] + t.x0, b[3] + t.y0]
        for t, detections in zip(tiles, found, strict=True)
        for b, _, label in detections
        if label == "circuit_breaker"
    ]
    assert {label for d in found for _, _, label in d} == {"circuit_breaker", "symbol"}
    scale = page.scale
    hits = 0
    for truth in boxes:
        t = np.asarray(truth) * scale
        for p in predicted:
            inter = max(0, min(p[2], t[2]) - max(p[0], t[0])) * max(
                0, min(p[3], t[3]) - max(p[1], t[1])
            )
            union = (p[2] - p[0]) * (p[3] - p[1]) + (t[2] - t[0]) * (t[3] - t[1]) - inter
            if inter / union >= 0.5:
                hits += 1
                break
    assert hits >= 0.8 * len(boxes), f"{variant}: found {hits} of {len(boxes)}"


def test_cli_add_and_list(sheet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    truth = Document.model_validate_json(sheet.with_suffix(".json").read_text())
    motor = next(c for c in truth.pages[0].components if c.type == "motor")
    box = ",".join(f"{v:.2f}" for v in motor.bbox)
    library = tmp_path / "mine"
    code = main(
        [
            "symbols",
            "add",
            "motor",
            "--from",
            str(sheet),
            "--page",
            "1",
            "--bbox",
            box,
            "--library",
            str(library),
            "--name",
            "my-motor",
            "--upright",
            "--letters",
            "M",
        ]
    )
    assert code == 0
    info = json.loads((library / "motor" / "my-motor.json").read_text())
    assert info["rotatable"] is False and info["type"] == "motor" and info["letters"] == "M"
    assert sheet.name in info["source"]
    capsys.readouterr()
    assert main(["symbols", "list", "--details", "--library", str(library)]) == 0
    listed = capsys.readouterr().out
    assert "my-motor" in listed and "circuit_breaker" in listed  # user's and built-in ones


def test_cli_add_refuses_a_page_that_does_not_exist(sheet: Path, tmp_path: Path) -> None:
    code = main(
        [
            "symbols",
            "add",
            "fuse",
            "--from",
            str(sheet),
            "--page",
            "3",
            "--bbox",
            "1,1,20,20",
            "--library",
            str(tmp_path),
        ]
    )
    assert code == 2
    assert not any(tmp_path.iterdir())

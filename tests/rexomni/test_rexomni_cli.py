"""`sld digitise --detector rex-omni` end to end on tiny checkpoints built by the tests.

The random checkpoint's boxes mean nothing: what is tested is that loading (through the same
code as a hub id), prompting, batching, parsing, mapping to page points, merging and storing
all run. The wired checkpoint answers two fuse boxes on every tile, so the result must hold
fuses, placed on the page, and the database must hold the same rows.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import jsonschema
import pytest

from sld.cli.main import main
from sld.document import Document
from sld.synth import generate_set

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "schemas" / "document.schema.json").read_text(encoding="utf-8")
)


@pytest.fixture(scope="module")
def sheet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_set(tmp_path_factory.mktemp("rexomni-sheet"), count=1, seed=61, scans=False)[0]


def digitise_with(
    checkpoint: Path, sheet: Path, work: Path, monkeypatch: pytest.MonkeyPatch
) -> Document:
    monkeypatch.setenv("SLD_REXOMNI_MODEL", str(checkpoint))
    monkeypatch.setenv("SLD_REXOMNI_MAX_NEW_TOKENS", "48")
    monkeypatch.setenv("SLD_REXOMNI_DEVICE", "cpu")
    database = work / "rex.db"
    code = main(
        [
            "digitise",
            str(sheet),
            "--detector",
            "rex-omni",
            "--ocr",
            "pdf-text",
            "--out",
            str(work / "out"),
            "--db",
            f"sqlite:///{database}",
        ]
    )
    assert code == 0
    result = json.loads((work / "out" / f"{sheet.stem}.json").read_text(encoding="utf-8"))
    jsonschema.validate(result, SCHEMA)
    document = Document.model_validate(result)
    with sqlite3.connect(database) as connection:
        stored = connection.execute("SELECT count(*) FROM components").fetchone()[0]
    assert stored == sum(len(page.components) for page in document.pages)
    return document


@pytest.mark.slow
def test_random_checkpoint_runs_every_stage(
    tiny_rexomni: Path, sheet: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = digitise_with(tiny_rexomni, sheet, tmp_path, monkeypatch)
    page = document.pages[0]
    for component in page.components:
        x0, y0, x1, y1 = component.bbox
        assert 0 <= x0 < x1 <= page.width and 0 <= y0 < y1 <= page.height
    assert page.texts, "the text layer is read whatever the detector"


@pytest.mark.slow
def test_wired_checkpoint_answers_land_as_fuses(
    wired_detection_rexomni: Path, sheet: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = digitise_with(wired_detection_rexomni, sheet, tmp_path, monkeypatch)
    page = document.pages[0]
    assert page.components and {c.type for c in page.components} == {"fuse"}
    # The wired answer holds a box 200 bins wide and one 100 bins wide (of 999, on 1024-pixel
    # tiles at 200 dpi): about 73.8 and 36.9 points on the page, whatever the tile.
    sides = sorted(round(c.bbox[2] - c.bbox[0], 1) for c in page.components)
    assert all(abs(side - 73.8) < 1.5 or abs(side - 36.9) < 1.5 for side in sides), sides

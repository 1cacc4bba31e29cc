"""Set-level labelling: `sld symbols suggest` groups what the library cannot name, and
`sld symbols add TYPE --group ID` names a whole group with one exemplar.

The drawings are in the foreign house style (`sld synth --house-style foreign`), which the
built-in library does not hold, so the detector names its devices `symbol` until a group is
named (end to end, a tag such as DS-1 beside one may name it before: `name_by_designation`).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from sld import stages
from sld.cli.main import main
from sld.document import Document
from sld.geometry import as_boxes, iou_matrix
from sld.pages.raster import open_source
from sld.pipeline import digitise_file
from sld.settings import Settings
from sld.synth import generate_set
from sld.synth.foreign import FOREIGN_HOUSE


@pytest.fixture(scope="module")
def sheets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("foreign")
    generate_set(folder, count=2, seed=41, scans=False, house=FOREIGN_HOUSE)
    return folder


def truth_type(sheets: Path, member: dict[str, object]) -> str:
    """The ground-truth type of the component a group member's box covers."""
    stem = Path(str(member["source"])).stem
    page = Document.read(sheets / f"{stem}.json").pages[int(str(member["page"])) - 1]
    ious = iou_matrix(as_boxes([member["box"]]), as_boxes([c.bbox for c in page.components]))
    best = int(ious[0].argmax())
    return page.components[best].type if ious[0, best] >= 0.5 else "none"


def named_at(result: Path, boxes: list[list[float]], component_type: str) -> int:
    """How many of `boxes` (on page 1) a component of `component_type` stands on, IoU 0.5."""
    page = Document.read(result).pages[0]
    mine = [c.bbox for c in page.components if c.type == component_type]
    if not mine:
        return 0
    return int((iou_matrix(as_boxes(boxes), as_boxes(mine)).max(axis=1) >= 0.5).sum())


def detected_at(sheet: Path, settings: Settings, boxes: list[list[float]], kind: str) -> int:
    """How many of `boxes` (page 1) the detection stage alone names `kind`, IoU 0.5: what the
    shapes say, before any label may name an unclassified device."""
    page = stages.rasterise(open_source(sheet), 0, settings)
    found = stages.merge(stages.detect(page, stages.read_text(page, settings), settings), settings)
    mine = found.boxes[found.labels == kind]
    if not len(mine):
        return 0
    return int((iou_matrix(as_boxes(boxes), mine).max(axis=1) >= 0.5).sum())


def test_naming_the_largest_group_labels_it_on_every_sheet(
    sheets: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    groups_dir, library = tmp_path / "groups", tmp_path / "library"
    assert main(["symbols", "suggest", str(sheets), "--out", str(groups_dir)]) == 0
    printed = capsys.readouterr().out
    assert "unexplained devices in" in printed
    groups = json.loads((groups_dir / "groups.json").read_text())["groups"]
    largest = groups[0]
    assert largest["count"] == max(g["count"] for g in groups) and largest["count"] >= 3
    assert (groups_dir / largest["crop"]).stat().st_size > 0
    # A group is one kind of device, found on both sheets (a member whose box misses the
    # ground truth's at IoU 0.5 counts against it).
    kinds = Counter(truth_type(sheets, member) for member in largest["members"])
    kind, members = kinds.most_common(1)[0]
    assert kind != "none" and members >= 0.7 * largest["count"]
    assert {Path(m["source"]).stem for m in largest["members"]} == {"sld-41-000", "sld-41-001"}

    groups_file = groups_dir / "groups.json"
    added = ["symbols", "add", kind, "--group", str(largest["id"]), "--groups", str(groups_file)]
    assert main([*added, "--library", str(library)]) == 0
    assert list((library / kind).glob("*.json"))

    sheet = sheets / "sld-41-001.pdf"
    before = Settings(database_url=f"sqlite:///{tmp_path / 'a.db'}", output_dir=tmp_path / "a")
    after = before.model_copy(
        update={
            "database_url": f"sqlite:///{tmp_path / 'b.db'}",
            "output_dir": tmp_path / "b",
            "symbol_library": library,
        }
    )
    on_sheet = [m["box"] for m in largest["members"] if Path(m["source"]).stem == "sld-41-001"]
    assert detected_at(sheet, before, on_sheet, kind) == 0
    assert detected_at(sheet, after, on_sheet, kind) == len(on_sheet)
    assert named_at(digitise_file(sheet, after).json_path, on_sheet, kind) == len(on_sheet)

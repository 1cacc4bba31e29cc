"""Applying a corrections file to a result: every action, the order rules, and the refusals."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sld.document import Document
from sld.review.corrections import CorrectionError, CorrectionsFile, apply_corrections
from tests.review.sample import sample_document

AT = "2026-12-01T10:00:00Z"


def corrections_for(document: Document, *corrections: dict[str, Any]) -> CorrectionsFile:
    """A corrections file as the review page writes it, made on `document`."""
    return CorrectionsFile.model_validate(
        {
            "format": "sld-corrections",
            "version": 1,
            "document": {"path": document.source.path, "sha256": document.source.sha256},
            "result": document.fingerprint(),
            "reviewer": "Ada",
            "corrections": [{"page": 0, "at": AT, **c} for c in corrections],
        }
    )


def test_each_action_changes_the_result_and_is_recorded_with_before_and_after() -> None:
    document = sample_document()
    applied = apply_corrections(
        document,
        corrections_for(
            document,
            {"action": "retype", "component_id": "p0-c2", "type": "generator"},
            {"action": "move", "component_id": "p0-c1", "bbox": [108.0, 148.0, 132.0, 177.0]},
            {"action": "rename", "component_id": "p0-c1", "name": "Q1"},
            {"action": "rate", "component_id": "p0-c1", "key": "current_a", "value": 16},
            {"action": "rate", "component_id": "p0-c0", "key": "voltage_v", "value": [400, 230]},
            {
                "action": "add",
                "component_id": "p0-r0",
                "type": "fuse",
                "bbox": [300.0, 150.0, 310.0, 170.0],
            },
            {"action": "accept_page"},
        ),
        "Ada",
    )
    page = applied.document.pages[0]
    by_id = {c.id: c for c in page.components}
    assert by_id["p0-c2"].type == "generator"
    assert by_id["p0-c1"].bbox == (108.0, 148.0, 132.0, 177.0)
    assert by_id["p0-c1"].name == "Q1"
    assert by_id["p0-c1"].ratings.current_a == 16.0
    assert by_id["p0-c0"].ratings.voltage_v == [400.0, 230.0]
    assert by_id["p0-c0"].ratings.power_kva == 500.0  # untouched keys stay
    assert by_id["p0-r0"].type == "fuse" and by_id["p0-r0"].score == 1.0
    assert applied.reshaped_pages == {0}
    assert 0 in applied.accepted_pages
    assert applied.taught == [(0, "p0-c2"), (0, "p0-r0")]
    actions = [r.action for r in applied.records]
    assert actions == ["retype", "move", "rename", "rate", "rate", "add", "accept_page"]
    retype = applied.records[0]
    assert retype.before is not None and retype.before["type"] == "motor"
    assert retype.after is not None and retype.after["type"] == "generator"
    assert retype.made_by == "Ada" and retype.made_at == datetime(2026, 12, 1, 10, tzinfo=UTC)
    # The input result is left as it was.
    assert document.pages[0].components[2].type == "motor"


def test_delete_unlinks_its_labels_and_drops_its_connections() -> None:
    document = sample_document()
    applied = apply_corrections(
        document, corrections_for(document, {"action": "delete", "component_id": "p0-c1"}), "Ada"
    )
    page = applied.document.pages[0]
    assert [c.id for c in page.components] == ["p0-c0", "p0-c2"]
    assert next(t for t in page.texts if t.id == "p0-t2").component_id is None
    assert page.connections == []
    assert applied.records[0].before is not None and applied.records[0].after is None


def test_a_relinked_label_names_and_rates_its_component_unless_set_by_hand() -> None:
    document = sample_document()
    applied = apply_corrections(
        document,
        corrections_for(
            document,
            {"action": "relink", "text_id": "p0-t3", "component_id": "p0-c2"},
            {"action": "relink", "text_id": "p0-t2", "component_id": None},
            {"action": "rename", "component_id": "p0-c0", "name": "TX-A"},
            {"action": "relink", "text_id": "p0-t0", "component_id": None},
        ),
        "Ada",
    )
    by_id = {c.id: c for c in applied.document.pages[0].components}
    # "M1 75HP" now labels the motor: its name and rating are read from it.
    assert by_id["p0-c2"].name == "M1" and by_id["p0-c2"].ratings.power_hp == 75.0
    # The breaker lost its only label, so its name goes.
    assert by_id["p0-c1"].name is None
    # The transformer's name was set by hand: relinking its label away keeps it.
    assert by_id["p0-c0"].name == "TX-A" and by_id["p0-c0"].ratings.power_kva == 500.0
    assert applied.reshaped_pages == set()  # labels alone do not move a wire


@pytest.mark.parametrize(
    ("correction", "message"),
    [
        ({"action": "retype", "component_id": "p0-c9", "type": "fuse"}, "no component p0-c9"),
        ({"action": "relink", "text_id": "p0-t99", "component_id": None}, "no text p0-t99"),
        ({"action": "relink", "text_id": "p0-t0", "component_id": "p0-c7"}, "no component p0-c7"),
        (
            {"action": "add", "component_id": "p0-c0", "type": "fuse", "bbox": [1, 1, 2, 2]},
            "already taken",
        ),
        ({"action": "delete", "component_id": "p0-c1", "page": 3}, "no page 4"),
    ],
)
def test_a_correction_that_does_not_fit_is_named_by_its_number(
    correction: dict[str, Any], message: str
) -> None:
    document = sample_document()
    corrections = corrections_for(document, {"action": "accept_page"}, correction)
    with pytest.raises(CorrectionError, match=rf"^correction 2 \(.*{message}"):
        apply_corrections(document, corrections, "Ada")


def test_corrections_made_on_another_result_are_refused() -> None:
    document = sample_document()
    corrections = corrections_for(document, {"action": "accept_page"})
    changed = sample_document(label="M2 50HP")
    with pytest.raises(CorrectionError, match="another result"):
        apply_corrections(changed, corrections, "Ada")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not a corrections file"),
        (json.dumps({"format": "something-else"}), "not a corrections file"),
        (
            json.dumps(
                {
                    "document": {"path": "a.pdf", "sha256": "0" * 64},
                    "result": "0" * 64,
                    "corrections": [{"action": "rotate", "page": 0, "at": AT}],
                }
            ),
            "corrections.0",
        ),
        (
            json.dumps(
                {
                    "document": {"path": "a.pdf", "sha256": "0" * 64},
                    "result": "0" * 64,
                    "corrections": [
                        {
                            "action": "move",
                            "page": 0,
                            "at": AT,
                            "component_id": "p0-c0",
                            "bbox": [5, 5, 1, 1],
                        }
                    ],
                }
            ),
            "x0 < x1",
        ),
        (
            json.dumps(
                {
                    "document": {"path": "a.pdf", "sha256": "0" * 64},
                    "result": "0" * 64,
                    "corrections": [
                        {
                            "action": "rate",
                            "page": 0,
                            "at": AT,
                            "component_id": "p0-c0",
                            "key": "colour",
                            "value": 1,
                        }
                    ],
                }
            ),
            "'colour' is not a rating",
        ),
    ],
)
def test_a_file_that_is_not_a_corrections_file_gets_one_line(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "board.corrections.json"
    path.write_text(content)
    with pytest.raises(CorrectionError, match=message) as raised:
        CorrectionsFile.read(path)
    assert str(path) in str(raised.value) and "\n" not in str(raised.value)


def test_a_missing_file_gets_one_line(tmp_path: Path) -> None:
    with pytest.raises(CorrectionError, match="cannot read it"):
        CorrectionsFile.read(tmp_path / "nothing.corrections.json")

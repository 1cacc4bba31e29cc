"""Storing a person's corrections, on a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from sld.document import Document
from sld.store import (
    CorrectionRecord,
    Review,
    StaleReviewError,
    load_by_sha256,
    load_document,
    load_graphs,
    review_state,
    save_document,
    save_review,
    stored_documents,
)
from sld.store.tables import CorrectionRow, ReviewRow
from tests.store.test_store import SHA_B, plant_document, plant_graphs, row_counts

WHEN = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)


def corrected(document: Document) -> Document:
    """The plant with its fuse retyped and the generator renamed."""
    changed = document.model_copy(deep=True)
    fuse = changed.pages[0].components[3]
    changed.pages[0].components[3] = fuse.model_copy(update={"type": "disconnect_switch"})
    changed.pages[1].components[0].name = "G1"
    return changed


def review_of(document: Document, based_on: str) -> Review:
    before = document.pages[0].components[3].model_dump(mode="json")
    return Review(
        reviewer="Ada",
        based_on=based_on,
        corrections=[
            CorrectionRecord(
                0, "retype", "p0-c3", before, {**before, "type": "disconnect_switch"}, "Ada", WHEN
            ),
            CorrectionRecord(1, "rename", "p1-c0", {"name": "GEN-1"}, {"name": "G1"}, "Bo", WHEN),
            CorrectionRecord(1, "accept_page", None, None, {"accepted": True}, "Ada", WHEN),
        ],
        accepted_pages={1: WHEN},
        corrections_file="plant-a.corrections.json",
    )


def test_a_review_replaces_the_result_and_keeps_what_was_changed(engine: Engine) -> None:
    original = plant_document()
    document_id = save_document(engine, original, plant_graphs(), detector="template", ocr="auto")
    fixed = corrected(original)

    review_id = save_review(
        engine, fixed, plant_graphs(), review_of(original, original.fingerprint())
    )

    assert load_document(engine, document_id) == fixed
    assert load_by_sha256(engine, original.source.sha256) == fixed
    assert len(load_graphs(engine, document_id)) == 2
    state = review_state(engine, document_id)
    assert state.document_id == document_id
    assert state.reviewed_by == "Ada" and state.reviewed_at is not None
    assert state.accepted_pages == {1: "Ada"}
    assert stored_documents(engine, reviewed_only=True) == [document_id]
    with Session(engine) as session:
        review = session.get(ReviewRow, review_id)
        assert review is not None
        assert Document.model_validate(review.result_before) == original
        assert Document.model_validate(review.result_after) == fixed
        assert review.document_sha256 == original.source.sha256
        rows = session.scalars(
            select(CorrectionRow)
            .where(CorrectionRow.review_id == review_id)
            .order_by(CorrectionRow.position)
        ).all()
        assert [(r.action, r.target_id, r.made_by) for r in rows] == [
            ("retype", "p0-c3", "Ada"),
            ("rename", "p1-c0", "Bo"),
            ("accept_page", None, "Ada"),
        ]
        assert rows[0].before is not None and rows[0].before["type"] == "fuse"
        assert rows[1].after == {"name": "G1"}


def test_corrections_made_on_another_result_change_nothing(engine: Engine) -> None:
    original = plant_document()
    save_document(engine, original, plant_graphs(), detector="template", ocr="auto")
    before = row_counts(engine)

    with pytest.raises(StaleReviewError, match="digitised again or corrected since"):
        save_review(engine, corrected(original), [], review_of(original, "0" * 64))

    assert load_document(engine, original.source.path) == original
    assert row_counts(engine) == before


def test_a_second_review_builds_on_the_first_and_keeps_accepted_pages(engine: Engine) -> None:
    original = plant_document()
    save_document(engine, original, plant_graphs(), detector="template", ocr="auto")
    fixed = corrected(original)
    save_review(engine, fixed, plant_graphs(), review_of(original, original.fingerprint()))

    # The first review's corrections cannot be applied twice...
    with pytest.raises(StaleReviewError):
        save_review(engine, fixed, plant_graphs(), review_of(original, original.fingerprint()))
    # ...but a review of the corrected result can.
    again = fixed.model_copy(deep=True)
    again.pages[0].components[0].name = "TX-1"
    second = Review("Bo", fixed.fingerprint(), [], accepted_pages={0: WHEN})
    save_review(engine, again, plant_graphs(), second)

    state = review_state(engine, original.source.path)
    assert state.reviewed_by == "Bo"
    assert state.accepted_pages == {0: "Bo", 1: "Ada"}


def test_digitising_again_drops_the_mark_but_keeps_the_history(engine: Engine) -> None:
    original = plant_document()
    save_document(engine, original, plant_graphs(), detector="template", ocr="auto")
    save_review(engine, corrected(original), [], review_of(original, original.fingerprint()))
    other = plant_document(path="drawings/plant-b.pdf", sha256=SHA_B)
    other_id = save_document(engine, other, [], detector="template", ocr="auto")

    save_document(engine, original, plant_graphs(), detector="template", ocr="auto")

    state = review_state(engine, original.source.path)
    assert state.reviewed_at is None and state.accepted_pages == {}
    assert stored_documents(engine, reviewed_only=True) == []
    assert other_id in stored_documents(engine)
    counts = row_counts(engine)
    assert counts["reviews"] == 1 and counts["corrections"] == 3

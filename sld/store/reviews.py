"""Saving a review: the corrected result, what a person changed, who and when, in one transaction.

`save_review` replaces the document's rows with the corrected result (as `save_document` does),
marks the document reviewed and the accepted pages accepted, and writes one `reviews` row with one
`corrections` row per change. It refuses, changing nothing, when the stored result is not the one
the corrections were made on (digitised again, or corrected by someone else in the meantime).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import networkx as nx
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.orm import Session

from sld.document import Document
from sld.store.database import shown_url
from sld.store.documents import (
    DocumentKey,
    DocumentNotFoundError,
    find_document_row,
    read_document,
    replace_document,
)
from sld.store.tables import CorrectionRow, DocumentRow, PageRow, ReviewRow


class StaleReviewError(RuntimeError):
    """The stored result is no longer the one that the corrections were made on."""


@dataclass(frozen=True)
class CorrectionRecord:
    """One change as the database keeps it: the item before and after, who and when."""

    page_index: int
    action: str
    target_id: str | None
    before: dict[str, object] | None
    after: dict[str, object] | None
    made_by: str
    made_at: datetime


@dataclass(frozen=True)
class Review:
    """A person's corrections of one result, ready to be stored."""

    reviewer: str
    #: `Document.fingerprint()` of the result the corrections were made on.
    based_on: str
    corrections: Sequence[CorrectionRecord]
    #: Page indexes the person accepted, with when they did.
    accepted_pages: dict[int, datetime] = field(default_factory=dict)
    corrections_file: str | None = None


@dataclass(frozen=True)
class ReviewState:
    """Whether the stored result is a reviewed one, and which of its pages were accepted."""

    document_id: int | None = None
    reviewed_at: datetime | None = None
    reviewed_by: str | None = None
    accepted_pages: dict[int, str] = field(default_factory=dict)  # page index -> by whom


def load_by_sha256(engine: Engine, sha256: str) -> Document:
    """The stored result of the file with this content hash."""
    with Session(engine) as session:
        return read_document(session, _row_by_sha256(session, engine, sha256))


def save_review(
    engine: Engine, corrected: Document, graphs: Sequence[nx.Graph], review: Review
) -> int:
    """Store `corrected` (one graph per page) in place of the result `review` was made on; the
    review's id. StaleReviewError, with nothing written, when that result is no longer stored."""
    with Session(engine) as session, session.begin():
        row = _row_by_sha256(session, engine, corrected.source.sha256, for_update=True)
        before = read_document(session, row)
        if before.fingerprint() != review.based_on:
            raise StaleReviewError(
                f"the result of {row.path} in the database at {shown_url(engine)} is not the one "
                "these corrections were made on: it was digitised again or corrected since. Open "
                f"its report again (sld report {row.path}) and correct that"
            )
        accepted = {
            page.page_index: (page.accepted_at, page.accepted_by)
            for page in session.scalars(select(PageRow).where(PageRow.document_id == row.id))
            if page.accepted_at is not None
        }
        detector, ocr = row.detector, row.ocr
        document_id = replace_document(session, corrected, graphs, detector=detector, ocr=ocr)
        now = datetime.now(UTC)
        session.execute(
            update(DocumentRow)
            .where(DocumentRow.id == document_id)
            .values(reviewed_at=now, reviewed_by=review.reviewer)
        )
        accepted.update(
            {index: (at, review.reviewer) for index, at in review.accepted_pages.items()}
        )
        for index, (at, by) in accepted.items():
            session.execute(
                update(PageRow)
                .where(PageRow.document_id == document_id, PageRow.page_index == index)
                .values(accepted_at=at, accepted_by=by)
            )
        review_row = ReviewRow(
            document_path=corrected.source.path,
            document_sha256=corrected.source.sha256,
            reviewer=review.reviewer,
            applied_at=now,
            corrections_file=review.corrections_file,
            result_before=before.model_dump(mode="json"),
            result_after=corrected.model_dump(mode="json"),
        )
        session.add(review_row)
        session.flush()
        if review.corrections:
            session.execute(
                insert(CorrectionRow),
                [
                    {
                        "review_id": review_row.id,
                        "position": position,
                        "page_index": record.page_index,
                        "action": record.action,
                        "target_id": record.target_id,
                        "before": record.before,
                        "after": record.after,
                        "made_by": record.made_by,
                        "made_at": record.made_at,
                    }
                    for position, record in enumerate(review.corrections)
                ],
            )
        return review_row.id


def record_learned(engine: Engine, review_id: int, exemplars: Sequence[str]) -> None:
    """Note on the review the exemplar files that `--learn` wrote from it."""
    with Session(engine) as session, session.begin():
        session.execute(
            update(ReviewRow).where(ReviewRow.id == review_id).values(learned=list(exemplars))
        )


def review_state(engine: Engine, key: DocumentKey) -> ReviewState:
    """Reviewed or not, and the accepted pages, of the stored document `key` (id or path)."""
    with Session(engine) as session:
        row = find_document_row(session, engine, key)
        pages = session.scalars(
            select(PageRow).where(PageRow.document_id == row.id, PageRow.accepted_at.is_not(None))
        )
        return ReviewState(
            document_id=row.id,
            reviewed_at=row.reviewed_at,
            reviewed_by=row.reviewed_by,
            accepted_pages={page.page_index: page.accepted_by or "" for page in pages},
        )


def stored_documents(engine: Engine, *, reviewed_only: bool = False) -> list[int]:
    """The ids of the stored documents in the order they were first saved; with `reviewed_only`,
    those whose stored result a person reviewed (what training data is made of)."""
    query = select(DocumentRow.id).order_by(DocumentRow.id)
    if reviewed_only:
        query = query.where(DocumentRow.reviewed_at.is_not(None))
    with Session(engine) as session:
        return list(session.scalars(query))


def _row_by_sha256(
    session: Session, engine: Engine, sha256: str, *, for_update: bool = False
) -> DocumentRow:
    query = select(DocumentRow).where(DocumentRow.sha256 == sha256)
    if for_update:
        query = query.with_for_update()  # two people applying at once: the second waits
    row = session.scalars(query).one_or_none()
    if row is None:
        raise DocumentNotFoundError(
            f"no document with sha256 {sha256[:12]}... in the database at {shown_url(engine)}: "
            "digitise the drawing into this database first, or give the right --db"
        )
    return row

"""Corrections: what a person changed on a review page, as a file, and applying it to a result.

How a correction gets home: the review page (`report.py`) is one offline HTML file, so it keeps
the person's changes in the browser and downloads them as `<stem>.corrections.json`; `sld
corrections apply FILE` then stores them. A file rather than a local server because the report
then works wherever it is opened (mailed, on a share, on a laptop with no sld and no database
access), nothing listens on a port, and the file is plain JSON that can be read, kept with the
drawing and applied later by whoever has the database.

The file, version 1:

    {"format": "sld-corrections", "version": 1,
     "document": {"path": "drawings/plant.pdf", "sha256": "9f2c..."},
     "result": "<Document.fingerprint() of the result the page showed>",
     "reviewer": "A. Engineer",
     "corrections": [
       {"action": "retype", "page": 0, "at": "2026-12-01T10:00:00Z", "component_id": "p0-c3",
        "type": "fuse"},
       {"action": "add", "page": 0, "at": "...", "component_id": "p0-r0", "type": "motor",
        "bbox": [410.0, 300.0, 430.0, 320.0]},
       {"action": "delete" | "move" (bbox) | "rename" (name) | "rate" (key, value), ...},
       {"action": "relink", "page": 0, "at": "...", "text_id": "p0-t7", "component_id": null},
       {"action": "accept_page", "page": 0, "at": "..."}]}

Applying is a pure function of a result and a file (`apply_corrections`): corrections run in
order; a relabelled component's name and ratings are read again from its labels, except what
the person set by hand, which always wins. Re-deriving the connections of the pages whose
components changed needs the drawing and lives in `reconnect.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sld.document import BBox, Component, Document, Page, Ratings, _check_bbox
from sld.store import CorrectionRecord
from sld.text.ratings import read_label_lines

FORMAT: Literal["sld-corrections"] = "sld-corrections"
RATING_KEYS: tuple[str, ...] = tuple(Ratings.model_fields)
_TYPE = r"^[a-z][a-z0-9_]*$"


class CorrectionError(ValueError):
    """A corrections file that cannot be applied to the result it names."""


class _Correction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    page: int = Field(ge=0, description="Page index, from 0")
    at: datetime = Field(description="When the person made the change")
    by: str | None = Field(default=None, description="Who, when not the file's reviewer")


class Retype(_Correction):
    action: Literal["retype"]
    component_id: str
    type: str = Field(pattern=_TYPE)


class Delete(_Correction):
    action: Literal["delete"]
    component_id: str


class Add(_Correction):
    action: Literal["add"]
    component_id: str
    type: str = Field(pattern=_TYPE)
    bbox: BBox
    _box = field_validator("bbox")(_check_bbox)


class Move(_Correction):
    """Move or resize: the box as the person left it."""

    action: Literal["move"]
    component_id: str
    bbox: BBox
    _box = field_validator("bbox")(_check_bbox)


class Relink(_Correction):
    """The text now labels `component_id` (None: it labels no component)."""

    action: Literal["relink"]
    text_id: str
    component_id: str | None


class Rename(_Correction):
    action: Literal["rename"]
    component_id: str
    name: str | None


class Rate(_Correction):
    """One rating set by hand (None removes it); the value is checked as `Ratings` checks it."""

    action: Literal["rate"]
    component_id: str
    key: str = Field(description="A key of the result's ratings: current_a, voltage_v, ...")
    value: float | list[float] | None

    @field_validator("key")
    @classmethod
    def _known_key(cls, key: str) -> str:
        if key not in RATING_KEYS:
            raise ValueError(f"{key!r} is not a rating; one of {', '.join(RATING_KEYS)}")
        return key


class AcceptPage(_Correction):
    action: Literal["accept_page"]


Correction = Annotated[
    Retype | Delete | Add | Move | Relink | Rename | Rate | AcceptPage,
    Field(discriminator="action"),
]


class DocumentReference(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class CorrectionsFile(BaseModel):
    """What the review page downloads."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["sld-corrections"] = FORMAT
    version: Literal[1] = 1
    document: DocumentReference
    result: str = Field(
        pattern=r"^[0-9a-f]{64}$", description="Fingerprint of the result corrected"
    )
    reviewer: str | None = None
    corrections: list[Correction] = Field(default_factory=list)

    @classmethod
    def read(cls, path: Path) -> CorrectionsFile:
        """The file at `path`; CorrectionError with one line naming the file when it is not one."""
        try:
            return cls.model_validate_json(path.read_bytes())
        except OSError as error:
            raise CorrectionError(f"{path}: cannot read it ({error.strerror})") from error
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise CorrectionError(
                f"{path}: not a corrections file of this sld ({where}: {first['msg']}); it is "
                "written by the review page's 'Download corrections' button"
            ) from error

    def write(self, path: Path) -> None:
        path.write_text(self.model_dump_json(indent=1) + "\n", encoding="utf-8")


@dataclass
class Applied:
    """A corrected result and what it took."""

    document: Document
    records: list[CorrectionRecord]
    #: Pages whose components were added, deleted, moved or retyped: their connections must be
    #: derived again from the drawing (`reconnect.py`).
    reshaped_pages: set[int] = field(default_factory=set)
    #: Page index -> component id of each box the person added or retyped, as it ended up.
    taught: list[tuple[int, str]] = field(default_factory=list)
    accepted_pages: dict[int, datetime] = field(default_factory=dict)


class _Editor:
    """Applies corrections one by one to a copy of a result, keeping what the database records."""

    def __init__(self, document: Document, reviewer: str) -> None:
        self.document = document.model_copy(deep=True)
        self.reviewer = reviewer
        self.pages = {page.index: page for page in self.document.pages}
        self.applied = Applied(self.document, [])
        self.relabelled: set[str] = set()
        self.named: set[str] = set()
        self.rated: dict[str, set[str]] = {}
        self.added: set[str] = set()
        self.retyped: set[str] = set()

    # --- lookups ------------------------------------------------------------------------------

    def page(self, correction: Correction) -> Page:
        if correction.page not in self.pages:
            raise ValueError(f"the result has no page {correction.page + 1}")
        return self.pages[correction.page]

    def component(self, page: Page, component_id: str) -> tuple[int, Component]:
        for position, component in enumerate(page.components):
            if component.id == component_id:
                return position, component
        raise ValueError(f"page {page.index + 1} has no component {component_id}")

    def record(
        self,
        correction: Correction,
        target: str | None,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        self.applied.records.append(
            CorrectionRecord(
                page_index=correction.page,
                action=correction.action,
                target_id=target,
                before=before,
                after=after,
                made_by=correction.by or self.reviewer,
                made_at=correction.at,
            )
        )

    # --- one correction -----------------------------------------------------------------------

    def apply(self, correction: Correction) -> None:
        page = self.page(correction)
        if isinstance(correction, AcceptPage):
            self.applied.accepted_pages[page.index] = correction.at
            self.record(correction, None, None, {"accepted": True})
        elif isinstance(correction, Relink):
            self.relink(page, correction)
        elif isinstance(correction, Add):
            self.add(page, correction)
        elif isinstance(correction, Delete):
            self.delete(page, correction)
        elif isinstance(correction, Retype | Move | Rename | Rate):
            self.change(page, correction)

    def add(self, page: Page, correction: Add) -> None:
        if any(c.id == correction.component_id for p in self.pages.values() for c in p.components):
            raise ValueError(f"component id {correction.component_id} is already taken")
        component = Component(
            id=correction.component_id, type=correction.type, bbox=correction.bbox, score=1.0
        )
        page.components.append(component)
        self.added.add(component.id)
        self.applied.reshaped_pages.add(page.index)
        self.record(correction, component.id, None, component.model_dump(mode="json"))

    def delete(self, page: Page, correction: Delete) -> None:
        position, component = self.component(page, correction.component_id)
        del page.components[position]
        for text in page.texts:
            if text.component_id == component.id:
                text.component_id = None
        page.connections = [pair for pair in page.connections if component.id not in pair]
        self.added.discard(component.id)
        self.retyped.discard(component.id)
        self.applied.reshaped_pages.add(page.index)
        self.record(correction, component.id, component.model_dump(mode="json"), None)

    def change(self, page: Page, correction: Retype | Move | Rename | Rate) -> None:
        position, component = self.component(page, correction.component_id)
        update: dict[str, Any]
        if isinstance(correction, Retype):
            update = {"type": correction.type}
            self.retyped.add(component.id)
            self.applied.reshaped_pages.add(page.index)
        elif isinstance(correction, Move):
            update = {"bbox": correction.bbox}
            self.applied.reshaped_pages.add(page.index)
        elif isinstance(correction, Rename):
            name = (correction.name or "").strip()
            update = {"name": name or None}
            self.named.add(component.id)
        else:
            values = component.ratings.model_dump()
            values.pop(correction.key, None)
            if correction.value is not None:
                values[correction.key] = correction.value
            update = {"ratings": Ratings.model_validate(values)}
            self.rated.setdefault(component.id, set()).add(correction.key)
        changed = component.model_copy(update=update)
        page.components[position] = changed
        self.record(
            correction,
            component.id,
            component.model_dump(mode="json"),
            changed.model_dump(mode="json"),
        )

    def relink(self, page: Page, correction: Relink) -> None:
        text = next((t for t in page.texts if t.id == correction.text_id), None)
        if text is None:
            raise ValueError(f"page {page.index + 1} has no text {correction.text_id}")
        if correction.component_id is not None:
            self.component(page, correction.component_id)
        before = text.component_id
        text.component_id = correction.component_id
        self.relabelled.update(c for c in (before, correction.component_id) if c is not None)
        self.record(
            correction,
            text.id,
            {"component_id": before},
            {"component_id": correction.component_id},
        )

    # --- after the last correction ------------------------------------------------------------

    def read_labels_again(self) -> None:
        """Names and ratings of components whose labels changed, from those labels; a name or
        rating the person set by hand is kept."""
        for page in self.pages.values():
            for position, component in enumerate(page.components):
                if component.id not in self.relabelled:
                    continue
                lines = [t.text for t in page.texts if t.component_id == component.id]
                name, read = read_label_lines(lines, component.type)
                ratings = read.model_dump()
                by_hand = component.ratings.model_dump()
                for key in self.rated.get(component.id, set()):
                    ratings.pop(key, None)
                    if key in by_hand:
                        ratings[key] = by_hand[key]
                page.components[position] = component.model_copy(
                    update={
                        "name": component.name if component.id in self.named else name,
                        "ratings": Ratings.model_validate(ratings),
                    }
                )

    def finish(self) -> Applied:
        self.read_labels_again()
        taught = self.added | self.retyped
        self.applied.taught = [
            (page.index, c.id)
            for page in self.document.pages
            for c in page.components
            if c.id in taught
        ]
        return self.applied


def apply_corrections(document: Document, corrections: CorrectionsFile, reviewer: str) -> Applied:
    """`document` with `corrections` applied in order (the input is not changed).

    CorrectionError naming the correction (its number in the file, from 1) when one does not fit
    the result, or when the file was made on another result of the drawing.
    """
    if corrections.document.sha256 != document.source.sha256:
        raise CorrectionError(
            f"the corrections are for {corrections.document.path} (sha256 "
            f"{corrections.document.sha256[:12]}...), not for {document.source.path}"
        )
    if corrections.result != document.fingerprint():
        raise CorrectionError(
            f"the corrections were made on another result of {document.source.path} than the "
            "one stored (it was digitised again or corrected since): open its report again and "
            "correct that one"
        )
    editor = _Editor(document, reviewer)
    for number, correction in enumerate(corrections.corrections, start=1):
        try:
            editor.apply(correction)
        except ValueError as error:
            target = getattr(correction, "component_id", None) or getattr(correction, "text_id", "")
            raise CorrectionError(
                f"correction {number} ({correction.action} {target or ''}".rstrip() + f"): {error}"
            ) from error
    return editor.finish()

"""Re-digitising stale results: documents stored by another pipeline version or other settings.

The nightly deployment runs `refresh_stale`. A stored document is stale when its
`pipeline_version` is not `sld.store.PIPELINE_VERSION`, or its settings digest differs from the
current settings' (a changed threshold, another detector, an exemplar added to the symbol
library). Each is digitised again from its recorded path into the same JSON, and what changed is
reported per document: components by type, designations found or lost, texts, connections.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sld.document import Document
from sld.pipeline import StageRunner, digitise_file, run_directly
from sld.settings import Settings
from sld.store import (
    PIPELINE_VERSION,
    StoredDocument,
    document_records,
    load_document,
    open_database,
    result_settings,
)
from sld.store.provenance import settings_digest


@dataclass(frozen=True)
class Change:
    """What re-digitising one document changed."""

    path: str
    why: str
    components_before: Counter[str] = field(default_factory=Counter)
    components_after: Counter[str] = field(default_factory=Counter)
    names_found: list[str] = field(default_factory=list)
    names_lost: list[str] = field(default_factory=list)
    texts: tuple[int, int] = (0, 0)
    connections: tuple[int, int] = (0, 0)
    error: str | None = None

    def summary(self) -> str:
        if self.error:
            return f"{self.path}: not re-digitised: {self.error}"
        types = sorted(self.components_before.keys() | self.components_after.keys())
        moved = [
            f"{kind} {self.components_before[kind]}->{self.components_after[kind]}"
            for kind in types
            if self.components_before[kind] != self.components_after[kind]
        ]
        parts = [
            ", ".join(moved) or "same components",
            f"texts {self.texts[0]}->{self.texts[1]}",
            f"connections {self.connections[0]}->{self.connections[1]}",
        ]
        if self.names_found:
            parts.append("names found: " + " ".join(self.names_found))
        if self.names_lost:
            parts.append("names lost: " + " ".join(self.names_lost))
        return f"{self.path} ({self.why}): " + "; ".join(parts)


def why_stale(stored: StoredDocument, settings: Settings) -> str | None:
    """Why `stored` should be digitised again with `settings`, or None when it is current."""
    if stored.pipeline_version != PIPELINE_VERSION:
        return f"pipeline {stored.pipeline_version or 'unrecorded'} -> {PIPELINE_VERSION}"
    current = result_settings(settings)
    if stored.settings_digest != settings_digest(current):
        before = stored.settings or {}
        changed = sorted(
            k for k in before.keys() | current.keys() if before.get(k) != current.get(k)
        )
        return "settings changed: " + ", ".join(changed)
    return None


def compare(
    before: Document, after: Document
) -> tuple[Counter[str], Counter[str], list[str], list[str]]:
    """Components by type before and after, and the designations found and lost."""

    def types(document: Document) -> Counter[str]:
        return Counter(c.type for page in document.pages for c in page.components)

    def names(document: Document) -> set[str]:
        return {c.name for page in document.pages for c in page.components if c.name}

    return (
        types(before),
        types(after),
        sorted(names(after) - names(before)),
        sorted(names(before) - names(after)),
    )


def _name_keeping_json(stored: StoredDocument, settings: Settings) -> Path:
    """The relative name that makes `result_path` give the document's recorded JSON again."""
    source = Path(stored.path)
    if stored.json_path:
        try:
            relative = Path(stored.json_path).relative_to(settings.output_dir.resolve())
        except ValueError:
            return Path(source.name)
        return relative.with_suffix(source.suffix)
    return Path(source.name)


def refresh_stale(settings: Settings, run_stage: StageRunner = run_directly) -> list[Change]:
    """Digitise every stale stored document again; one `Change` per document, in id order."""
    engine = open_database(settings.database_url)
    try:
        stale = [(d, why) for d in document_records(engine) if (why := why_stale(d, settings))]
        befores = {d.id: load_document(engine, d.id) for d, _ in stale}
    finally:
        engine.dispose()
    changes = []
    for stored, why in stale:
        source = Path(stored.path)
        if not source.is_file():
            changes.append(Change(stored.path, why, error="the drawing is no longer at this path"))
            continue
        try:
            name = _name_keeping_json(stored, settings)
            after = digitise_file(source, settings, run_stage, name=name).document
        except Exception as error:  # one drawing that fails never stops the others
            changes.append(Change(stored.path, why, error=f"{type(error).__name__}: {error}"))
            continue
        before = befores[stored.id]
        types_before, types_after, found, lost = compare(before, after)
        changes.append(
            Change(
                path=stored.path,
                why=why,
                components_before=types_before,
                components_after=types_after,
                names_found=found,
                names_lost=lost,
                texts=(_count_texts(before), _count_texts(after)),
                connections=(_count_connections(before), _count_connections(after)),
            )
        )
    return changes


def _count_texts(document: Document) -> int:
    return sum(len(page.texts) for page in document.pages)


def _count_connections(document: Document) -> int:
    return sum(len(page.connections) for page in document.pages)

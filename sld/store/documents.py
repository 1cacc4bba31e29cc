"""Saving a document result (and its graphs) as rows, and reading it back exactly.

A document is one drawing: keyed by its content (sha256) and by the resolved path it was last
digitised from. A save is one transaction: the page rows of any earlier result for the same
drawing or the same path are replaced, so digitising a file again replaces its rows and a failure
halfway leaves the earlier result as it was. The document keeps its id across re-saves. One
drawing at two paths is one document, under the path it was saved from last.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import networkx as nx
from sqlalchemy import Engine, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from sld.document import Component, Document, Page, Ratings, Text
from sld.store.database import lock_keys, shown_url, write_transaction
from sld.store.graphs import edge_rows, graph_from_rows, node_rows
from sld.store.provenance import Provenance
from sld.store.tables import (
    Base,
    ComponentRow,
    ConnectionRow,
    DocumentRow,
    GraphEdgeRow,
    GraphNodeRow,
    OnPage,
    PageRow,
    TextRow,
)

#: A stored document is found by its id, or by a path: the one it was saved under, any path that
#: resolves to it, or any file with the same content.
DocumentKey = int | str

_Row = TypeVar("_Row", bound=OnPage)


class DocumentNotFoundError(LookupError):
    """No stored document has the id or path asked for."""


def save_document(
    engine: Engine,
    document: Document,
    graphs: Sequence[nx.Graph] = (),
    *,
    detector: str | None,
    ocr: str | None,
    provenance: Provenance | None = None,
) -> int:
    """Store `document` (and one connectivity graph per page, in page order); return its id.

    `detector` and `ocr` name the backends that produced the result; `provenance` says how it
    was made and where its JSON goes. A stored result of the same drawing (same sha256) or of the
    same path is replaced in one transaction, under a lock on both keys, so saves of one drawing
    from several processes at once follow one another; the document keeps its id (and whatever
    refers to it) and only its page rows are written anew.
    """
    rows = _page_rows(document, graphs)  # everything is checked before the first write
    with write_transaction(engine) as connection, Session(bind=connection) as session:
        return _replace(session, document, rows, detector=detector, ocr=ocr, provenance=provenance)


def replace_document(
    session: Session,
    document: Document,
    graphs: Sequence[nx.Graph],
    *,
    detector: str | None,
    ocr: str | None,
) -> int:
    """`save_document` inside the caller's transaction (a review saves more in the same one).

    The document's provenance (pipeline version, settings, JSON) is kept as it was."""
    rows = _page_rows(document, graphs)
    return _replace(session, document, rows, detector=detector, ocr=ocr, provenance=None)


def _replace(
    session: Session,
    document: Document,
    rows: dict[type[Base], list[dict[str, Any]]],
    *,
    detector: str | None,
    ocr: str | None,
    provenance: Provenance | None,
) -> int:
    """Replace the stored result of the same drawing or path by `rows`, under a lock on both
    keys; the document's id. A review's marks (`reviewed_at`) go: they were about the old rows."""
    source = document.source
    values: dict[str, Any] = {
        "path": source.path,
        "sha256": source.sha256,
        "page_count": source.page_count,
        "schema_version": document.schema_version,
        "detector": detector,
        "ocr": ocr,
        "reviewed_at": None,
        "reviewed_by": None,
        "digitised_at": datetime.now(UTC),
    }
    if provenance is not None:
        values |= {
            "pipeline_version": provenance.pipeline_version,
            "settings": provenance.settings,
            "settings_digest": provenance.settings_digest,
            "json_path": provenance.json_path,
            "json_sha256": provenance.json_sha256,
        }
    lock_keys(session.connection(), [f"sld-path:{source.path}", f"sld-sha256:{source.sha256}"])
    earlier = session.scalars(
        select(DocumentRow.id)
        .where(or_(DocumentRow.path == source.path, DocumentRow.sha256 == source.sha256))
        .order_by(DocumentRow.id)
    ).all()
    if earlier:
        document_id = earlier[0]
        # One drawing at a new path, and another drawing once at this path: one row stays.
        session.execute(delete(DocumentRow).where(DocumentRow.id.in_(earlier[1:])))
        session.execute(delete(PageRow).where(PageRow.document_id == document_id))
        session.execute(update(DocumentRow).where(DocumentRow.id == document_id).values(**values))
    else:
        document_id = session.execute(
            insert(DocumentRow).values(**values).returning(DocumentRow.id)
        ).scalar_one()
    for table, table_rows in rows.items():
        if table_rows:
            # render_nulls: one INSERT for all rows, not one per pattern of unknown ratings.
            session.execute(
                insert(table).execution_options(render_nulls=True),
                [{**r, "document_id": document_id} for r in table_rows],
            )
    session.flush()
    return document_id


@dataclass(frozen=True)
class StoredDocument:
    """What the database says about one stored drawing, without its pages."""

    id: int
    path: str
    sha256: str
    pipeline_version: str | None
    settings: dict[str, Any] | None
    settings_digest: str | None
    json_path: str | None
    json_sha256: str | None


def document_records(engine: Engine, sha256s: Sequence[str] | None = None) -> list[StoredDocument]:
    """The key and provenance of every stored document (of those with these hashes), by id."""
    columns = [getattr(DocumentRow, name) for name in StoredDocument.__dataclass_fields__]
    query = select(*columns).order_by(DocumentRow.id)
    if sha256s is not None:
        query = query.where(DocumentRow.sha256.in_(list(sha256s)))
    with engine.connect() as connection:
        return [StoredDocument(*row) for row in connection.execute(query).all()]


def load_document(engine: Engine, key: DocumentKey) -> Document:
    """The stored document with id `key` (int) or source path `key` (str), exactly as saved."""
    with Session(engine) as session:
        return read_document(session, find_document_row(session, engine, key))


def read_document(session: Session, row: DocumentRow) -> Document:
    """The result stored under `row`, read in the caller's session."""
    components = _by_page(session, ComponentRow, row.id)
    texts = _by_page(session, TextRow, row.id)
    connections = _by_page(session, ConnectionRow, row.id)
    pages = [
        Page(
            index=page.page_index,
            width=page.width,
            height=page.height,
            components=[_component(c) for c in components[page.page_index]],
            texts=[_text(t) for t in texts[page.page_index]],
            connections=[
                (k.component_a_id, k.component_b_id) for k in connections[page.page_index]
            ],
        )
        for page in _pages(session, row.id)
    ]
    return Document.model_validate(
        {
            "schema_version": row.schema_version,
            "source": {"path": row.path, "sha256": row.sha256, "page_count": row.page_count},
            "pages": pages,
        }
    )


@dataclass(frozen=True)
class StoredSource:
    """A stored document's id and what identifies its file: the resolved path it was last
    digitised from and its content hash."""

    id: int
    path: str
    sha256: str


def stored_sources(engine: Engine) -> list[StoredSource]:
    """Every stored document's id, path and sha256, by id: for finding a document again from
    another path to the same file."""
    with Session(engine) as session:
        rows = session.execute(
            select(DocumentRow.id, DocumentRow.path, DocumentRow.sha256).order_by(DocumentRow.id)
        ).all()
    return [StoredSource(id=row.id, path=row.path, sha256=row.sha256) for row in rows]


def load_graphs(engine: Engine, key: DocumentKey) -> list[nx.Graph]:
    """The connectivity graphs of the stored document `key`, one per page in page order (empty
    where none was saved); each has `graph.graph["page_index"]`."""
    with Session(engine) as session:
        row = find_document_row(session, engine, key)
        nodes = _by_page(session, GraphNodeRow, row.id)
        edges = _by_page(session, GraphEdgeRow, row.id)
        return [
            graph_from_rows(page.page_index, nodes[page.page_index], edges[page.page_index])
            for page in _pages(session, row.id)
        ]


def _page_rows(
    document: Document, graphs: Sequence[nx.Graph]
) -> dict[type[Base], list[dict[str, Any]]]:
    """The rows of every page-level table, parents first so each foreign key finds its row;
    ValueError with a clear message for what the database's constraints would reject."""
    _check_references(document)
    where = document.source.path
    if graphs and len(graphs) != len(document.pages):
        raise ValueError(
            f"{where}: {len(graphs)} graphs for {len(document.pages)} pages; "
            "give one graph per page, in page order, or none"
        )
    component_ids = {c.id for page in document.pages for c in page.components}
    rows: dict[type[Base], list[dict[str, Any]]] = {
        table: []
        for table in (PageRow, ComponentRow, TextRow, ConnectionRow, GraphNodeRow, GraphEdgeRow)
    }
    for page in document.pages:
        rows[PageRow].append({"page_index": page.index, "width": page.width, "height": page.height})
        rows[ComponentRow] += [component_row(page.index, c) for c in page.components]
        rows[TextRow] += [text_row(page.index, t) for t in page.texts]
        rows[ConnectionRow] += [
            {"page_index": page.index, "component_a_id": a, "component_b_id": b}
            for a, b in page.connections
        ]
    for page, graph in zip(document.pages, graphs, strict=False):
        if graph.graph.get("page_index", page.index) != page.index:
            raise ValueError(
                f"{where}: the graph of page {graph.graph['page_index']} is given in the place "
                f"of page {page.index}"
            )
        rows[GraphNodeRow] += node_rows(graph, page.index, component_ids)
        rows[GraphEdgeRow] += edge_rows(graph, page.index)
    return rows


def _check_references(document: Document) -> None:
    """Ids are unique in the document, and every link names a component that is in it."""
    where = document.source.path
    page_indexes = [page.index for page in document.pages]
    components = [c.id for page in document.pages for c in page.components]
    texts = [t.id for page in document.pages for t in page.texts]
    for what, ids in (
        ("page index", page_indexes),
        ("component id", components),
        ("text id", texts),
    ):
        repeated = sorted(str(i) for i, count in Counter[int | str](ids).items() if count > 1)
        if repeated:
            raise ValueError(f"{where}: repeated {what}: {', '.join(repeated)}")
    known = set(components)
    for page in document.pages:
        for text in page.texts:
            if text.component_id is not None and text.component_id not in known:
                raise ValueError(
                    f"{where}, page {page.index}: text {text.id} links to component "
                    f"{text.component_id}, which is not in the document"
                )
        for pair in page.connections:
            for component_id in pair:
                if component_id not in known:
                    raise ValueError(
                        f"{where}, page {page.index}: connection {list(pair)} names component "
                        f"{component_id}, which is not in the document"
                    )


def component_row(page_index: int, component: Component) -> dict[str, Any]:
    """The `components` row of a component (less `document_id`): the ratings as numeric
    columns and, in full, as JSON. Exports use it too, so a table has one set of columns."""
    ratings = component.ratings
    voltages = ratings.voltage_v or []
    x0, y0, x1, y1 = component.bbox
    return {
        "page_index": page_index,
        "component_id": component.id,
        "type": component.type,
        "x0": x0,
        "y0": y0,
        "x1": x1,
        "y1": y1,
        "score": component.score,
        "name": component.name,
        "voltage_primary_v": voltages[0] if voltages else None,
        "voltage_secondary_v": voltages[1] if len(voltages) > 1 else None,
        "current_a": ratings.current_a,
        "power_kva": ratings.power_kva,
        "power_kw": ratings.power_kw,
        "power_hp": ratings.power_hp,
        "impedance_pct": ratings.impedance_pct,
        "frequency_hz": ratings.frequency_hz,
        "poles": ratings.poles,
        "phases": ratings.phases,
        "ratings": ratings.model_dump(),
    }


def text_row(page_index: int, text: Text) -> dict[str, Any]:
    """The `texts` row of a text line (less `document_id`)."""
    x0, y0, x1, y1 = text.bbox
    return {
        "page_index": page_index,
        "text_id": text.id,
        "text": text.text,
        "x0": x0,
        "y0": y0,
        "x1": x1,
        "y1": y1,
        "score": text.score,
        "component_id": text.component_id,
    }


def _component(row: ComponentRow) -> Component:
    return Component(
        id=row.component_id,
        type=row.type,
        bbox=(row.x0, row.y0, row.x1, row.y1),
        score=row.score,
        name=row.name,
        ratings=Ratings.model_validate(row.ratings),
    )


def _text(row: TextRow) -> Text:
    return Text(
        id=row.text_id,
        text=row.text,
        bbox=(row.x0, row.y0, row.x1, row.y1),
        score=row.score,
        component_id=row.component_id,
    )


def find_document_row(session: Session, engine: Engine, key: DocumentKey) -> DocumentRow:
    """The `documents` row of id `key` (int) or source path `key` (str); DocumentNotFoundError
    naming the database when there is none."""
    if isinstance(key, int):
        row = session.get(DocumentRow, key)
        what = f"id {key}"
    else:
        row = _find_by_path(session, key)
        what = f"path {key!r}"
    if row is None:
        raise DocumentNotFoundError(
            f"no document with {what} in the database at {shown_url(engine)}"
        )
    return row


def _find_by_path(session: Session, key: str) -> DocumentRow | None:
    """The document saved under `key`, or under the path `key` resolves to, or of the drawing
    at `key` (same content, wherever it was saved from)."""
    path = Path(key)
    for candidate in dict.fromkeys([key, str(path.resolve())]):
        row = session.scalars(select(DocumentRow).where(DocumentRow.path == candidate)).first()
        if row is not None:
            return row
    if path.is_file():
        sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
        return session.scalars(select(DocumentRow).where(DocumentRow.sha256 == sha256)).first()
    return None


def _pages(session: Session, document_id: int) -> Sequence[PageRow]:
    return session.scalars(
        select(PageRow).where(PageRow.document_id == document_id).order_by(PageRow.id)
    ).all()


def _by_page(session: Session, table: type[_Row], document_id: int) -> dict[int, list[_Row]]:
    """The document's rows of `table`, grouped by page index, each group in the order saved."""
    rows = session.scalars(
        select(table).where(table.document_id == document_id).order_by(table.id)
    ).all()
    grouped: dict[int, list[_Row]] = defaultdict(list)
    for row in rows:
        grouped[row.page_index].append(row)
    return grouped

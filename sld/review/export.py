"""Exports for data teams: stored results as tables (pandas) and as graphs (networkx).

`sld export` writes one document or the whole database. The tables are the same for every
format that holds tables: `documents`, `components` (with the ratings as the numeric columns of
the database), `texts` and `connections` (with both ends' type and name). CSV gives one file per
table in a folder, XLSX one sheet per table (openpyxl); GraphML the connectivity graphs through
`sld.connectivity.graph.write_graphml`; JSON the results in the result format itself (one
document: exactly its result file; the whole database: a list of them). `--reviewed` keeps the
documents whose stored result a person reviewed: the labelled data that training takes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd
from sqlalchemy import Engine

from sld.connectivity.graph import write_graphml
from sld.document import Document
from sld.store import DocumentKey, load_document, load_graphs, review_state, stored_documents
from sld.store.documents import component_row, text_row

TABLES: tuple[str, ...] = ("documents", "components", "texts", "connections")


@dataclass(frozen=True)
class Stored:
    """One stored document: its id, result and whether a person reviewed it."""

    document_id: int
    document: Document
    reviewed_at: str | None
    reviewed_by: str | None


def load_stored(
    engine: Engine, key: DocumentKey | None = None, *, reviewed_only: bool = False
) -> list[Stored]:
    """The document `key` (id or path), or every stored one; DocumentNotFoundError for a key
    the database does not hold."""
    if key is None:
        keys: Sequence[DocumentKey] = stored_documents(engine, reviewed_only=reviewed_only)
    else:
        keys = [key]
    found = []
    for each in keys:
        state = review_state(engine, each)
        if reviewed_only and state.reviewed_at is None:
            continue
        document = load_document(engine, each)
        reviewed_at = state.reviewed_at.isoformat() if state.reviewed_at else None
        found.append(Stored(state.document_id or 0, document, reviewed_at, state.reviewed_by))
    return found


def result_tables(stored: Sequence[Stored]) -> dict[str, pd.DataFrame]:
    """The four tables of `stored`, one row per document, component, text and connection."""
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    for item in stored:
        document = item.document
        where = {"document_id": item.document_id, "path": document.source.path}
        rows["documents"].append(
            {
                **where,
                "sha256": document.source.sha256,
                "page_count": document.source.page_count,
                "reviewed_at": item.reviewed_at,
                "reviewed_by": item.reviewed_by,
            }
        )
        for page in document.pages:
            on_page = {**where, "page_index": page.index}
            components = {c.id: c for c in page.components}
            for c in page.components:
                # The database's own columns: the ratings as numbers, and in full as JSON.
                row = {**on_page, **component_row(page.index, c)}
                row["ratings"] = json.dumps(row["ratings"])
                row["labels"] = " | ".join(t.text for t in page.texts if t.component_id == c.id)
                rows["components"].append(row)
            rows["texts"] += [{**on_page, **text_row(page.index, t)} for t in page.texts]
            for a, b in page.connections:
                rows["connections"].append(
                    {
                        **on_page,
                        "component_a_id": a,
                        "component_a_type": components[a].type if a in components else None,
                        "component_a_name": components[a].name if a in components else None,
                        "component_b_id": b,
                        "component_b_type": components[b].type if b in components else None,
                        "component_b_name": components[b].name if b in components else None,
                    }
                )
    columns = {name: list(rows[name][0]) if rows[name] else _EMPTY_COLUMNS[name] for name in TABLES}
    return {name: pd.DataFrame(rows[name], columns=columns[name]) for name in TABLES}


_EMPTY_COLUMNS: dict[str, list[str]] = {
    "documents": ["document_id", "path", "sha256", "page_count", "reviewed_at", "reviewed_by"],
    "components": ["document_id", "path", "page_index", "component_id", "type", "name", "score"],
    "texts": ["document_id", "path", "page_index", "text_id", "text", "component_id"],
    "connections": ["document_id", "path", "page_index", "component_a_id", "component_b_id"],
}


def write_csv(engine: Engine, stored: Sequence[Stored], out: Path, whole: bool) -> list[Path]:
    """One CSV per table in the folder `out`."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in result_tables(stored).items():
        path = out / f"{name}.csv"
        frame.to_csv(path, index=False)
        written.append(path)
    return written


def write_xlsx(engine: Engine, stored: Sequence[Stored], out: Path, whole: bool) -> list[Path]:
    """One workbook, one sheet per table."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(out, engine="openpyxl") as workbook:
        for name, frame in result_tables(stored).items():
            frame.to_excel(workbook, sheet_name=name, index=False)
    return [out]


def write_json(engine: Engine, stored: Sequence[Stored], out: Path, whole: bool) -> list[Path]:
    """One document: its result, exactly as the result format has it; the whole database (or
    every reviewed document): a list of results."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if not whole:
        out.write_text(stored[0].document.to_json(), encoding="utf-8")
    else:
        documents = [item.document.model_dump(mode="json") for item in stored]
        out.write_text(json.dumps(documents, indent=2) + "\n", encoding="utf-8")
    return [out]


def write_graphs(engine: Engine, stored: Sequence[Stored], out: Path, whole: bool) -> list[Path]:
    """All pages' graphs in one GraphML file. For the whole database, node ids are prefixed
    with the document id ("3/p0-c1") and every node carries its document's `path`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    graphs: list[nx.Graph] = []
    for item in stored:
        for graph in load_graphs(engine, item.document_id):
            if whole:
                graph = nx.relabel_nodes(graph, {n: f"{item.document_id}/{n}" for n in graph})
                nx.set_node_attributes(graph, item.document.source.path, "path")
            graphs.append(graph)
    write_graphml(graphs, out)
    return [out]


#: Each writer takes the database, the documents, where to write, and whether this is the whole
#: database (or every reviewed document) rather than one document.
WRITERS: dict[str, Callable[[Engine, Sequence[Stored], Path, bool], list[Path]]] = {
    "csv": write_csv,
    "xlsx": write_xlsx,
    "graphml": write_graphs,
    "json": write_json,
}


def default_out(stored: Sequence[Stored], export_format: str, whole: bool) -> Path:
    """`plant.xlsx`, `plant-csv/`, ... for one document; `sld-export.xlsx`, ... for all."""
    stem = "sld-export" if whole else Path(stored[0].document.source.path).stem
    return Path(f"{stem}-csv") if export_format == "csv" else Path(f"{stem}.{export_format}")

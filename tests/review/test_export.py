"""`sld export`: one document or the whole database, as CSV, XLSX, GraphML and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from openpyxl import load_workbook

from sld.cli.main import main
from sld.cli.review import EXPORT_FORMATS
from sld.connectivity.graph import read_graph
from sld.document import Document
from sld.review.export import WRITERS
from sld.store import CorrectionRecord, Review, open_database, save_document, save_review
from tests.store.test_store import SHA_B, plant_document, plant_graphs


@pytest.fixture
def database(tmp_path: Path) -> str:
    """Two plants, the second one reviewed."""
    url = f"sqlite:///{tmp_path / 'sld.db'}"
    engine = open_database(url)
    save_document(engine, plant_document(), plant_graphs(), detector="template", ocr="auto")
    second = plant_document(path="drawings/plant-b.pdf", sha256=SHA_B)
    save_document(engine, second, plant_graphs(), detector="template", ocr="auto")
    fixed = second.model_copy(deep=True)
    fixed.pages[0].components[3].name = "F9"
    record = CorrectionRecord(
        0,
        "rename",
        "p0-c3",
        {"name": None},
        {"name": "F9"},
        "Ada",
        pd.Timestamp("2026-12-01T10:00Z").to_pydatetime(),
    )
    save_review(engine, fixed, plant_graphs(), Review("Ada", second.fingerprint(), [record]))
    engine.dispose()
    return url


def test_csv_of_the_whole_database_has_one_file_per_table(database: str, tmp_path: Path) -> None:
    out = tmp_path / "csv"
    assert main(["export", "--format", "csv", "--out", str(out), "--db", database]) == 0
    documents = pd.read_csv(out / "documents.csv")
    components = pd.read_csv(out / "components.csv")
    texts = pd.read_csv(out / "texts.csv")
    connections = pd.read_csv(out / "connections.csv")
    assert list(documents["path"]) == ["drawings/plant-a.pdf", "drawings/plant-b.pdf"]
    assert documents["reviewed_by"].fillna("").tolist() == ["", "Ada"]
    assert len(components) == 16 and len(texts) == 10 and len(connections) == 8
    t1 = components[(components["name"] == "T1") & (components["path"] == "drawings/plant-a.pdf")]
    row = t1.iloc[0]
    assert (row["voltage_primary_v"], row["voltage_secondary_v"], row["power_kva"]) == (
        13800.0,
        480.0,
        1500.0,
    )
    assert row["labels"].startswith("T1 | 1500KVA")
    first = connections.iloc[0]
    assert (first["component_a_type"], first["component_b_type"]) == (
        "transformer",
        "circuit_breaker",
    )


def test_xlsx_of_one_document_has_one_sheet_per_table(database: str, tmp_path: Path) -> None:
    out = tmp_path / "plant.xlsx"
    arguments = ["export", "drawings/plant-b.pdf", "--format", "xlsx", "--out", str(out)]
    assert main([*arguments, "--db", database]) == 0
    workbook = load_workbook(out, read_only=True)
    assert workbook.sheetnames == ["documents", "components", "texts", "connections"]
    components = pd.read_excel(out, sheet_name="components")
    assert set(components["path"]) == {"drawings/plant-b.pdf"}
    assert "F9" in set(components["name"])  # the reviewed result, not the machine's


def test_graphml_of_the_whole_database_keeps_documents_apart(database: str, tmp_path: Path) -> None:
    out = tmp_path / "all.graphml"
    assert main(["export", "--format", "graphml", "--out", str(out), "--db", database]) == 0
    graph = read_graph(out)
    assert graph.number_of_nodes() == 2 * sum(g.number_of_nodes() for g in plant_graphs())
    assert graph.nodes["2/bus-1"]["path"] == "drawings/plant-b.pdf"
    assert nx.number_connected_components(graph) == 4  # two pages in each of two documents


def test_json_is_the_result_format_and_reviewed_keeps_the_labelled_ones(
    database: str, tmp_path: Path
) -> None:
    one = tmp_path / "one.json"
    assert main(["export", "1", "--format", "json", "--out", str(one), "--db", database]) == 0
    assert Document.read(one) == plant_document()
    reviewed = tmp_path / "reviewed.json"
    arguments = ["export", "--format", "json", "--reviewed", "--out", str(reviewed)]
    assert main([*arguments, "--db", database]) == 0
    documents = [Document.model_validate(d) for d in json.loads(reviewed.read_text())]
    assert [d.source.path for d in documents] == ["drawings/plant-b.pdf"]


def test_the_command_offers_every_format_there_is_a_writer_for() -> None:
    assert list(WRITERS) == EXPORT_FORMATS

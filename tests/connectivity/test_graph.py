"""The page graph: buses, terminals, the projection onto components, exports, and questions
asked of it ("what feeds M3") with networkx and with SQL on the stored graph."""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
import pytest
from sqlalchemy import text

from benchmarks.harness.oracle import compare_pairs, digitise_with_oracle, run_oracle
from sld.cli.errors import USER_ERROR
from sld.cli.main import main as sld_main
from sld.connectivity.conductors import extract_conductors
from sld.connectivity.graph import (
    build_page_graph,
    component_connections,
    feeding_path,
    find_node,
    read_graph,
    source_nodes,
    write_graphml,
    write_node_link_json,
)
from sld.document import Document
from sld.pages.page import PageImage
from sld.pages.raster import load_page, open_source
from sld.settings import Settings
from sld.store import load_graphs, open_database, save_document
from sld.synth import generate_set
from tests.handmade import BOTH, Drawing

DOCS = Path(__file__).resolve().parents[2] / "docs" / "connectivity.md"


def five_feeder_board() -> Drawing:
    """A busbar with five breakers hanging from it, fed from an incoming arrow at the top, and
    one feeder going off the sheet through an arrow."""
    drawing = Drawing(width=420, height=320)
    drawing.wire((40, 100), (380, 100), width=4.0)
    drawing.text("MAIN BUS 480V", 45, 93)
    for x in (70, 130, 190, 250, 310):
        drawing.breaker(x, 140)
        drawing.wire((x, 100), (x, 135))
    drawing.wire((340, 40), (340, 100))
    drawing.arrow(340, 40)
    drawing.text("FROM UTILITY", 318, 20)
    drawing.text("13.8KV 3PH", 322, 29)
    drawing.wire((70, 145), (70, 220))
    drawing.arrow(70, 226)
    drawing.text("TO DWG E-102", 48, 238)
    return drawing


def graph_of(drawing: Drawing, page: PageImage) -> nx.Graph:
    symbols, texts = drawing.symbol_detections(), drawing.text_detections()
    conductors = extract_conductors(page, symbols, texts)
    return build_page_graph(
        page, symbols, drawing.component_ids(), conductors, texts, [None] * len(texts)
    )


@BOTH
def test_bus_with_five_feeders_connects_all_pairs(kind: str, tmp_path: Path) -> None:
    drawing = five_feeder_board()
    graph = graph_of(drawing, drawing.page(kind, tmp_path))
    expected = {frozenset((f"p0-c{a}", f"p0-c{b}")) for a in range(5) for b in range(a + 1, 5)}
    assert {frozenset(p) for p in component_connections(graph)} == expected
    buses = [n for n, kind in graph.nodes(data="kind") if kind == "bus"]
    assert len(buses) == 1
    assert graph.nodes[buses[0]]["label"] == "MAIN BUS 480V"
    assert set(graph[buses[0]]) >= {f"p0-c{k}" for k in range(5)}


@BOTH
def test_off_page_arrows_are_terminals_with_their_labels(kind: str, tmp_path: Path) -> None:
    drawing = five_feeder_board()
    graph = graph_of(drawing, drawing.page(kind, tmp_path))
    terminals = {
        data["label"]: node for node, data in graph.nodes(data=True) if data["kind"] == "terminal"
    }
    assert set(terminals) == {"FROM UTILITY 13.8KV 3PH", "TO DWG E-102"}
    assert list(graph[terminals["TO DWG E-102"]]) == ["p0-c0"]
    # The incoming terminal feeds the bus directly; it is the source of every breaker.
    assert source_nodes(graph) == {terminals["FROM UTILITY 13.8KV 3PH"]}
    path = feeding_path(graph, "p0-c3")
    assert path is not None
    assert path[0] == "p0-c3" and path[-1] == terminals["FROM UTILITY 13.8KV 3PH"]
    assert graph.nodes[path[1]]["kind"] == "bus"


def test_frame_lines_that_reach_no_component_are_left_out(tmp_path: Path) -> None:
    drawing = five_feeder_board()
    drawing.wire((5, 5), (415, 5), (415, 315), (5, 315), (5, 5), width=1.5)
    graph = graph_of(drawing, drawing.vector_page(tmp_path))
    assert all(5.5 < data["x"] < 414.5 for _, data in graph.nodes(data=True))


def test_a_dashed_enclosure_joins_nothing(tmp_path: Path) -> None:
    """Three feeders cross the dashed side of an enclosure and three more leads stop on it: a
    solid line there would tee them all together; a dashed one is no conductor at all."""
    drawing = Drawing(width=300, height=240)
    for x in (80, 150, 220):
        drawing.breaker(x, 60)
        drawing.wire((x, 65), (x, 200))
        drawing.breaker(x, 205)
    for x in (115, 185, 255):
        drawing.breaker(x, 60)
        drawing.wire((x, 65), (x, 130))
    drawing.dashed((40, 130), (270, 130))
    page = drawing.vector_page(tmp_path)
    assert page.vector is not None and page.vector.dashed.any()
    graph = graph_of(drawing, page)
    expected = {frozenset((f"p0-c{2 * k}", f"p0-c{2 * k + 1}")) for k in range(3)}
    assert {frozenset(p) for p in component_connections(graph)} == expected


# --- synthetic sheets, oracle detection -------------------------------------------------------


@pytest.fixture(scope="module")
def synth_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synth")
    generate_set(folder, 3, 23, scans=False)
    generate_set(folder / "two", 1, 29, scans=False, pages=2)
    return folder


def test_synth_vector_sheets_connections(synth_folder: Path) -> None:
    """Connection F1 over vector sheets with ground-truth boxes (the stage alone)."""
    total = None
    for pdf in sorted(synth_folder.glob("*.pdf")):
        truth = Document.read(pdf.with_suffix(".json"))
        page = load_page(open_source(pdf), 0, Settings())
        run = run_oracle(page, truth.pages[0])
        counts = compare_pairs(truth.pages[0].connections, component_connections(run.graph))
        total = counts if total is None else total + counts
    assert total is not None and total.tp > 60
    assert total.f1 >= 0.97


@pytest.mark.slow
def test_synth_scans_connections(tmp_path: Path) -> None:
    """Connection F1 over scanned sheets (lines traced in the raster), ground-truth boxes."""
    generate_set(tmp_path, 2, 31, scans=True)
    total = None
    for pdf in sorted(tmp_path.glob("*-scan.pdf")):
        truth = Document.read(pdf.with_suffix(".json"))
        page = load_page(open_source(pdf), 0, Settings())
        assert page.vector is None
        run = run_oracle(page, truth.pages[0])
        counts = compare_pairs(truth.pages[0].connections, component_connections(run.graph))
        total = counts if total is None else total + counts
    assert total is not None and total.tp > 30
    assert total.f1 >= 0.9


def test_each_page_its_own_graph_with_off_page_terminals(synth_folder: Path) -> None:
    pdf = next((synth_folder / "two").glob("*.pdf"))
    truth = Document.read(pdf.with_suffix(".json"))
    truth_graph = nx.node_link_graph(
        __import__("json").loads(pdf.with_suffix(".graph.json").read_text()), edges="edges"
    )
    _, graphs = digitise_with_oracle(pdf, truth)
    assert [g.graph["page_index"] for g in graphs] == [0, 1]
    for index, graph in enumerate(graphs):
        assert all(str(node).startswith(f"p{index}-") for node in graph.nodes)
        expected = {
            data["name"]
            for _, data in truth_graph.nodes(data=True)
            if data["page"] == index and data["kind"] in ("offpage", "source")
        }
        found = {d.get("label") for _, d in graph.nodes(data=True) if d["kind"] == "terminal"}
        assert found == expected
    continued = [d["label"] for _, d in graphs[1].nodes(data=True) if d["kind"] == "terminal"]
    assert any(re.match(r"FROM (DWG|SHEET)", label) for label in continued)


# --- exports ----------------------------------------------------------------------------------


def _same_graph(a: nx.Graph, b: nx.Graph) -> None:
    assert set(a.nodes) == set(b.nodes)
    assert {frozenset(e) for e in a.edges} == {frozenset(e) for e in b.edges}
    for node, data in a.nodes(data=True):
        for key, value in data.items():
            if value is None:
                continue
            if isinstance(value, float):
                assert b.nodes[node][key] == pytest.approx(value)
            else:
                assert b.nodes[node][key] == value
    for x, y, data in a.edges(data=True):
        for key, value in data.items():
            assert b.edges[x, y][key] == pytest.approx(value) if isinstance(value, float) else value


@pytest.mark.parametrize("writer", [write_graphml, write_node_link_json])
def test_export_round_trip(synth_folder: Path, tmp_path: Path, writer: object) -> None:
    pdf = next((synth_folder / "two").glob("*.pdf"))
    _, graphs = digitise_with_oracle(pdf, Document.read(pdf.with_suffix(".json")))
    suffix = ".graphml" if writer is write_graphml else ".json"
    path = tmp_path / f"graph{suffix}"
    writer(graphs, path)  # type: ignore[operator]
    back = read_graph(path)
    combined = nx.compose_all([nx.Graph(g) for g in graphs])
    for index, graph in enumerate(graphs):
        for node in graph.nodes:
            combined.nodes[node]["page"] = index
    _same_graph(combined, back)


# --- what feeds M3: networkx and SQL on a digitised sheet --------------------------------------


def _documented_sql() -> str:
    """The recursive query printed in docs/connectivity.md (so the documented query is tested)."""
    found = re.search(r"```sql\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    assert found, "docs/connectivity.md has no sql block"
    return found.group(1)


@pytest.fixture(scope="module")
def stored_sheet(synth_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, int]:
    """A synthetic sheet digitised (oracle detection) into a fresh SQLite database."""
    pdf = sorted(synth_folder.glob("*.pdf"))[0]
    document, graphs = digitise_with_oracle(pdf, Document.read(pdf.with_suffix(".json")))
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'sld.db'}"
    engine = open_database(url)
    try:
        document_id = save_document(engine, document, graphs, detector="oracle", ocr="pdf-text")
    finally:
        engine.dispose()
    return url, document_id


def _truth_feeding_paths(pdf: Path, start: str) -> list[list[str]]:
    """The components on each of the ground truth's shortest paths from `start` to a source
    (an incoming supply or a generator)."""
    import json

    truth = nx.node_link_graph(
        json.loads(pdf.with_suffix(".graph.json").read_text()), edges="edges"
    )
    sources = {
        n
        for n, d in truth.nodes(data=True)
        if d["kind"] == "source" or d.get("type") == "generator"
    } - {start}
    lengths = nx.single_source_shortest_path_length(truth, start)
    nearest = min(lengths[s] for s in sources if s in lengths)
    paths = []
    for source in sources:
        if lengths.get(source) == nearest:
            for path in nx.all_shortest_paths(truth, start, source):
                paths.append([n for n in path if truth.nodes[n]["kind"] == "component"])
    return paths


def test_what_feeds_with_networkx_and_sql(
    stored_sheet: tuple[str, int], synth_folder: Path
) -> None:
    url, document_id = stored_sheet
    pdf = sorted(synth_folder.glob("*.pdf"))[0]
    engine = open_database(url)
    try:
        (graph,) = load_graphs(engine, document_id)
        with engine.connect() as connection:
            motors = connection.execute(
                text(
                    "SELECT name, component_id FROM components WHERE document_id = :d "
                    "AND type = 'motor' AND name IS NOT NULL ORDER BY component_id"
                ),
                {"d": document_id},
            ).all()
            assert motors, "the sheet should have a named motor"
            rows = {
                name: connection.execute(
                    text(_documented_sql()),
                    {"document_id": document_id, "page_index": 0, "name": name},
                ).all()
                for name, _ in motors
            }
    finally:
        engine.dispose()

    sources = source_nodes(graph)
    for name, motor_id in motors:
        start = find_node(graph, name)
        assert start == motor_id
        path = feeding_path(graph, start)
        assert path is not None and path[0] == motor_id and path[-1] in sources
        # The components met on the way are those of a shortest path in the ground truth.
        on_path = [n for n in path if graph.nodes[n]["kind"] == "component"]
        assert on_path in _truth_feeding_paths(pdf, motor_id)
        # The documented SQL finds a walk as short, from the same motor to a source.
        (row,) = rows[name]
        sql_path = row.path.strip(",").split(",")
        assert sql_path[0] == motor_id and sql_path[-1] in sources
        assert row.steps == len(path) - 1


def test_cli_exports_a_stored_graph(stored_sheet: tuple[str, int], tmp_path: Path) -> None:
    url, document_id = stored_sheet
    out = tmp_path / "sheet.graphml"
    code = sld_main(
        ["graph", "export", str(document_id), "--format", "graphml", "--db", url, "--out", str(out)]
    )
    assert code == 0
    exported = read_graph(out)
    engine = open_database(url)
    try:
        (graph,) = load_graphs(engine, document_id)
    finally:
        engine.dispose()
    assert set(exported.nodes) == set(graph.nodes)
    assert exported.number_of_edges() == graph.number_of_edges()
    assert sld_main(["graph", "export", "999", "--db", url, "--out", str(out)]) == USER_ERROR


@pytest.mark.postgres
def test_documented_sql_runs_on_postgresql(
    stored_sheet: tuple[str, int], synth_folder: Path, request: pytest.FixtureRequest
) -> None:
    """The same recursive query gives the same walk on PostgreSQL as on SQLite."""
    from tests.store.conftest import drop_everything

    postgres_url: str = request.getfixturevalue("postgres_url")
    sqlite_url, sqlite_id = stored_sheet
    pdf = sorted(synth_folder.glob("*.pdf"))[0]
    document, graphs = digitise_with_oracle(pdf, Document.read(pdf.with_suffix(".json")))
    drop_everything(postgres_url)
    engine = open_database(postgres_url)
    try:
        document_id = save_document(engine, document, graphs, detector="oracle", ocr="pdf-text")
        name = next(c.name for c in document.pages[0].components if c.type == "motor" and c.name)
        with engine.connect() as connection:
            on_postgres = connection.execute(
                text(_documented_sql()),
                {"document_id": document_id, "page_index": 0, "name": name},
            ).all()
    finally:
        engine.dispose()
        drop_everything(postgres_url)
    engine = open_database(sqlite_url)
    try:
        with engine.connect() as connection:
            on_sqlite = connection.execute(
                text(_documented_sql()),
                {"document_id": sqlite_id, "page_index": 0, "name": name},
            ).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in on_postgres] == [tuple(row) for row in on_sqlite]
    assert len(on_postgres) == 1

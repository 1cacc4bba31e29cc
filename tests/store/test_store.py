"""The result database on a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, event, func, select, text

from sld.document import Component, Document, Page, Ratings, Source, Text
from sld.store import (
    DatabaseUnavailableError,
    DocumentNotFoundError,
    ddl,
    load_document,
    load_graphs,
    open_database,
    save_document,
)
from sld.store.tables import Base

SHA_A = "9f2c" + "0" * 60
SHA_B = "1b7e" + "0" * 60


def _component(
    component_id: str, kind: str, x: float, name: str | None, **ratings: Any
) -> Component:
    return Component(
        id=component_id,
        type=kind,
        bbox=(x, 96.5, x + 34.25, 151.0),
        score=0.973,
        name=name,
        ratings=Ratings(**ratings),
    )


def plant_document(path: str = "drawings/plant-a.pdf", sha256: str = SHA_A) -> Document:
    """Two pages: a 13.8 kV/480 V substation feeding an MCC, and a standby generator."""
    main = Page(
        index=0,
        width=1190.55,
        height=841.89,
        components=[
            _component(
                "p0-c0",
                "transformer",
                412.0,
                "T1",
                power_kva=1500.0,
                voltage_v=[13800.0, 480.0],
                impedance_pct=5.75,
                frequency_hz=60.0,
                phases=3,
            ),
            _component(
                "p0-c1",
                "circuit_breaker",
                420.0,
                "CB-1",
                current_a=1600.0,
                poles=3,
                voltage_v=[480.0],
            ),
            _component("p0-c2", "motor", 300.0, "M1", power_hp=75.0, voltage_v=[480.0]),
            _component("p0-c3", "fuse", 500.0, None),
            _component(
                "p0-c4",
                "transformer",
                600.0,
                "TX-2",
                power_kva=500.0,
                voltage_v=[13800.0, 4160.0, 480.0],
            ),
            _component("p0-c5", "circuit_breaker", 700.0, "52-1", current_a=80.0),
        ],
        texts=[
            Text(
                id="p0-t0",
                text="T1",
                bbox=(452.0, 100.0, 460.0, 109.0),
                score=0.99,
                component_id="p0-c0",
            ),
            Text(
                id="p0-t1",
                text="1500KVA",
                bbox=(452.0, 110.0, 489.5, 119.0),
                score=0.99,
                component_id="p0-c0",
            ),
            Text(
                id="p0-t2",
                text="13.8kV-480V 3Ø 60HZ",
                bbox=(452.0, 120.0, 530.0, 129.0),
                score=0.91,
                component_id="p0-c0",
            ),
            Text(
                id="p0-t3",
                text="ONE-LINE DIAGRAM — “PLANT A”",
                bbox=(900.0, 800.0, 1150.0, 812.0),
                score=1.0,
            ),
        ],
        connections=[("p0-c0", "p0-c1"), ("p0-c1", "p0-c2"), ("p0-c1", "p0-c3")],
    )
    standby = Page(
        index=1,
        width=841.89,
        height=595.28,
        components=[
            _component("p1-c0", "generator", 100.0, "GEN-1", power_kw=2000.0, voltage_v=[480.0]),
            _component("p1-c1", "disconnect_switch", 200.0, "DS-1"),
        ],
        texts=[
            Text(
                id="p1-t0",
                text="GEN-1 2000kW",
                bbox=(90.0, 60.0, 160.0, 70.0),
                score=0.8,
                component_id="p1-c0",
            )
        ],
        connections=[("p1-c0", "p1-c1")],
    )
    return Document(source=Source(path=path, sha256=sha256, page_count=3), pages=[main, standby])


def plant_graphs() -> list[nx.Graph]:
    """One graph per page, with every node kind, optional attributes and extra ones."""
    main = nx.Graph(page_index=0)
    main.add_node("n0", kind="component", x=429.1, y=123.75, component_id="p0-c0")
    main.add_node("n1", kind="component", x=437.0, y=200.0, component_id="p0-c1")
    main.add_node("bus-1", kind="bus", x=437.0, y=240.0, label="MAIN BUS 480V")
    main.add_node("j0", kind="junction", x=317.0, y=240.0)
    main.add_node("n2", kind="component", x=317.0, y=300.0, component_id="p0-c2")
    main.add_node("off-1", kind="terminal", x=1100.0, y=240.0, label="TO MCC-2", rotation=90)
    main.add_edge("n0", "n1", kind="wire")
    main.add_edge("n1", "bus-1", kind="wire", points=[[437.0, 210.0], [437.0, 240.0]])
    main.add_edge("bus-1", "j0", kind="bus")
    main.add_edge("j0", "n2")
    main.add_edge("bus-1", "off-1", kind="bus")
    standby = nx.Graph(page_index=1)
    standby.add_node("g", kind="component", x=117.0, y=123.0, component_id="p1-c0")
    standby.add_node("d", kind="component", x=217.0, y=123.0, component_id="p1-c1")
    standby.add_edge("d", "g", kind="wire")
    return [main, standby]


def assert_same_graphs(loaded: list[nx.Graph], expected: list[nx.Graph]) -> None:
    assert len(loaded) == len(expected)
    for got, want in zip(loaded, expected, strict=True):
        assert nx.utils.graphs_equal(got, want)
        assert list(got.nodes) == list(want.nodes)


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            name: connection.scalar(select(func.count()).select_from(table)) or 0
            for name, table in Base.metadata.tables.items()
        }


def test_round_trip_is_exact(engine: Engine) -> None:
    document, graphs = plant_document(), plant_graphs()

    document_id = save_document(engine, document, graphs, detector="template", ocr="pdf-text")

    assert load_document(engine, document_id) == document
    assert load_document(engine, "drawings/plant-a.pdf") == document
    assert_same_graphs(load_graphs(engine, document_id), graphs)
    assert row_counts(engine) == {
        "documents": 1,
        "pages": 2,
        "components": 8,
        "texts": 5,
        "connections": 4,
        "graph_nodes": 8,
        "graph_edges": 6,
        "reviews": 0,
        "corrections": 0,
    }
    with engine.connect() as connection:
        used = connection.execute(text("SELECT detector, ocr FROM documents")).one()
    assert tuple(used) == ("template", "pdf-text")


def test_document_without_graphs_loads_one_empty_graph_per_page(engine: Engine) -> None:
    document_id = save_document(engine, plant_document(), detector=None, ocr=None)

    graphs = load_graphs(engine, document_id)

    assert [(g.graph["page_index"], g.number_of_nodes()) for g in graphs] == [(0, 0), (1, 0)]


def test_saving_the_same_file_again_replaces_its_rows(engine: Engine) -> None:
    first_id = save_document(engine, plant_document(), plant_graphs(), detector="a", ocr="b")
    counts = row_counts(engine)

    again_id = save_document(engine, plant_document(), plant_graphs(), detector="a", ocr="b")
    assert (again_id, row_counts(engine)) == (first_id, counts)

    # Same content under another path (a copy): still the same file, by its sha256.
    moved = plant_document(path="archive/plant-a-copy.pdf")
    assert save_document(engine, moved, plant_graphs(), detector="a", ocr="b") == first_id
    assert row_counts(engine) == counts
    assert load_document(engine, first_id) == moved

    # Same path, new content (the drawing was revised): the old rows go, the new ones stay.
    revised = plant_document(path="archive/plant-a-copy.pdf", sha256=SHA_B)
    revised.pages[1].components.pop()
    revised.pages[1].connections.clear()
    assert save_document(engine, revised, detector="a", ocr="b") == first_id
    assert load_document(engine, first_id) == revised
    assert row_counts(engine) == counts | {
        "components": 7,
        "connections": 3,
        "graph_nodes": 0,
        "graph_edges": 0,
    }

    # Another file adds to the database.
    other = plant_document(path="drawings/plant-b.pdf", sha256="c" * 64)
    other_id = save_document(engine, other, detector="a", ocr="b")
    assert other_id != first_id
    assert row_counts(engine)["documents"] == 2


@pytest.mark.parametrize("failing_table", ["texts", "graph_edges"])
def test_failure_midway_leaves_the_earlier_result(engine: Engine, failing_table: str) -> None:
    earlier = plant_document()
    save_document(engine, earlier, plant_graphs(), detector="template", ocr="pdf-text")
    counts = row_counts(engine)
    revised = plant_document(sha256=SHA_B)
    revised.pages[0].components[0].ratings.power_kva = 2500.0

    def fail_at_table(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # Stands in for a crash or a lost connection after the old rows were deleted.
        if statement.startswith(f"INSERT INTO {failing_table} "):
            raise RuntimeError(f"simulated failure while writing {failing_table}")

    event.listen(engine, "before_cursor_execute", fail_at_table)
    try:
        with pytest.raises(RuntimeError, match="simulated failure"):
            save_document(engine, revised, plant_graphs(), detector="template", ocr=None)
    finally:
        event.remove(engine, "before_cursor_execute", fail_at_table)

    assert row_counts(engine) == counts
    assert load_document(engine, earlier.source.path) == earlier
    assert_same_graphs(load_graphs(engine, earlier.source.path), plant_graphs())


def test_sql_answers_the_data_teams_questions(engine: Engine) -> None:
    save_document(engine, plant_document(), plant_graphs(), detector="template", ocr=None)

    with engine.connect() as connection:
        rows = connection.execute(text("SELECT type, count(*) FROM components GROUP BY type"))
        by_type = {kind: count for kind, count in rows}
        large = connection.scalars(
            text("SELECT name FROM components WHERE power_kva > 1000 ORDER BY name")
        ).all()
        medium_voltage = connection.scalars(
            text("SELECT name FROM components WHERE voltage_primary_v >= 13800 ORDER BY name")
        ).all()
        three_pole = connection.scalars(text("SELECT name FROM components WHERE poles = 3")).all()

    assert by_type == {
        "transformer": 2,
        "circuit_breaker": 2,
        "motor": 1,
        "fuse": 1,
        "generator": 1,
        "disconnect_switch": 1,
    }
    assert large == ["T1"]
    assert medium_voltage == ["T1", "TX-2"]
    assert three_pole == ["CB-1"]


def test_pandas_reads_tables_and_views(engine: Engine) -> None:
    save_document(engine, plant_document(), plant_graphs(), detector="template", ocr=None)

    ratings = pd.read_sql(
        "SELECT * FROM component_ratings WHERE power_kva IS NOT NULL ORDER BY power_kva", engine
    )
    summary = pd.read_sql("SELECT * FROM document_summary", engine)
    links = pd.read_sql(
        "SELECT component_a_name, coalesce(component_b_name, '-') AS component_b_name"
        " FROM component_connections",
        engine,
    )

    assert ratings["name"].tolist() == ["TX-2", "T1"]
    assert ratings["power_kva"].dtype == "float64"
    assert ratings["power_kva"].tolist() == [500.0, 1500.0]
    assert ratings["voltage_secondary_v"].tolist() == [4160.0, 480.0]
    assert ratings["path"].unique().tolist() == ["drawings/plant-a.pdf"]
    assert summary[["component_count", "text_count", "connection_count"]].values.tolist() == [
        [8, 5, 4]
    ]
    assert sorted(map(tuple, links.values.tolist())) == [
        ("CB-1", "-"),
        ("CB-1", "M1"),
        ("GEN-1", "DS-1"),
        ("T1", "CB-1"),
    ]


ratings_strategy = st.builds(
    Ratings,
    voltage_v=st.none() | st.lists(st.floats(1, 1e6, allow_nan=False), min_size=1, max_size=4),
    current_a=st.none() | st.floats(0, 1e5),
    power_kva=st.none() | st.floats(0, 1e7),
    power_kw=st.none() | st.floats(0, 1e7),
    power_hp=st.none() | st.floats(0, 1e5),
    impedance_pct=st.none() | st.floats(0, 100),
    frequency_hz=st.none() | st.sampled_from([50.0, 60.0, 400.0]),
    poles=st.none() | st.integers(1, 4),
    phases=st.none() | st.sampled_from([1, 3]),
)


# The engine is shared across examples on purpose: each example re-saves the same file.
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ratings=ratings_strategy, score=st.floats(0, 1), x0=st.floats(-1e4, 1e4))
def test_any_ratings_round_trip(engine: Engine, ratings: Ratings, score: float, x0: float) -> None:
    component = Component(
        id="p0-c0", type="transformer", bbox=(x0, 0.1, x0 + 0.3, 0.7), score=score, ratings=ratings
    )
    document = Document(
        source=Source(path="any.pdf", sha256="e" * 64, page_count=1),
        pages=[Page(index=0, width=100.1, height=200.2, components=[component])],
    )

    document_id = save_document(engine, document, detector=None, ocr=None)

    assert load_document(engine, document_id) == document
    with engine.connect() as connection:
        columns = connection.execute(
            text("SELECT power_kva, voltage_primary_v, voltage_secondary_v, poles FROM components")
        ).one()
    voltages = ratings.voltage_v or []
    assert tuple(columns) == (
        ratings.power_kva,
        voltages[0] if voltages else None,
        voltages[1] if len(voltages) > 1 else None,
        ratings.poles,
    )


def test_broken_references_are_refused_before_writing(engine: Engine) -> None:
    dangling_text = plant_document()
    dangling_text.pages[0].texts[0].component_id = "p0-c99"
    dangling_connection = plant_document()
    dangling_connection.pages[1].connections.append(("p1-c0", "p7-c0"))
    repeated = plant_document()
    repeated.pages[1].components[0].id = "p0-c0"

    with pytest.raises(ValueError, match="text p0-t0 links to component p0-c99"):
        save_document(engine, dangling_text, detector=None, ocr=None)
    with pytest.raises(ValueError, match="names component p7-c0"):
        save_document(engine, dangling_connection, detector=None, ocr=None)
    with pytest.raises(ValueError, match="repeated component id: p0-c0"):
        save_document(engine, repeated, detector=None, ocr=None)
    assert row_counts(engine)["documents"] == 0


@pytest.mark.parametrize(
    ("break_graph", "message"),
    [
        (lambda g: g.add_node("x", kind="breaker", x=1.0, y=2.0), "kind 'breaker' is not one of"),
        (lambda g: g.add_node("x", kind="bus", x=None, y=2.0), "x must be a number"),
        (lambda g: g.add_node(7, kind="bus", x=1.0, y=2.0), "node ids must be strings"),
        (lambda g: g.add_node("x", kind="bus", x=1.0, y=2.0, label=480), "label must be text"),
        (lambda g: g.add_edge("n0", "j0", kind=1), "kind must be text"),
        (lambda g: g.add_node("x", kind="component", x=1.0, y=2.0), "needs its component_id"),
        (
            lambda g: g.add_node("x", kind="component", x=1.0, y=2.0, component_id="p9-c9"),
            "component_id 'p9-c9' is not in the document",
        ),
        (lambda g: g.add_edge("n0", "n1", kind="wire", cable=object()), "cannot be stored as JSON"),
        (lambda g: g.graph.update(page_index=1), "graph of page 1 is given in the place of page 0"),
    ],
)
def test_graphs_off_the_convention_are_refused_before_writing(
    engine: Engine, break_graph: Any, message: str
) -> None:
    graphs = plant_graphs()
    break_graph(graphs[0])

    with pytest.raises(ValueError, match=message):
        save_document(engine, plant_document(), graphs, detector=None, ocr=None)
    assert row_counts(engine)["documents"] == 0


def test_unknown_document_is_a_clear_error(engine: Engine) -> None:
    with pytest.raises(DocumentNotFoundError, match=r"no document with path 'missing\.pdf'"):
        load_document(engine, "missing.pdf")
    with pytest.raises(DocumentNotFoundError, match="no document with id 42"):
        load_graphs(engine, 42)


def test_the_generated_ddl_makes_a_database_that_sld_accepts(database_url: str) -> None:
    plain = create_engine(database_url)
    with plain.connect() as connection:
        # The file is a script with its own BEGIN and COMMIT, run as it is, by the driver.
        raw = connection.connection.driver_connection
        if plain.dialect.name == "sqlite":
            raw.executescript(ddl("sqlite"))
        else:
            raw.execute(ddl("postgresql"))
            raw.commit()
    plain.dispose()

    engine = open_database(database_url)
    document_id = save_document(engine, plant_document(), plant_graphs(), detector=None, ocr=None)
    assert load_document(engine, document_id) == plant_document()
    engine.dispose()


def test_sqlite_enforces_foreign_keys_and_uses_wal(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'new' / 'folder' / 'sld.db'}")
    with engine.connect() as connection:
        pragmas = [
            connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("foreign_keys", "journal_mode")
        ]
    engine.dispose()

    assert pragmas == [1, "wal"]
    assert (tmp_path / "new" / "folder" / "sld.db").is_file()


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.mark.parametrize("scheme", ["postgresql+psycopg", "postgresql"])
def test_unreachable_server_names_the_url_without_its_password(scheme: str) -> None:
    url = f"{scheme}://sld:s3cret-pw@127.0.0.1:{_unused_port()}/results"

    with pytest.raises(DatabaseUnavailableError) as raised:
        open_database(url)

    message = str(raised.value)
    assert "s3cret-pw" not in message
    assert "postgresql+psycopg://sld:***@127.0.0.1:" in message
    assert "/results" in message


def test_sqlite_file_that_cannot_be_made_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "drawing.pdf").write_bytes(b"%PDF-1.7")
    url = f"sqlite:///{tmp_path / 'drawing.pdf' / 'sld.db'}"

    with pytest.raises(DatabaseUnavailableError, match="cannot open the database at sqlite:///"):
        open_database(url)

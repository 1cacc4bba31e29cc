"""Real substation diagrams drawn by powsybl: rendered to PDF with headless Chromium, their own
graph converted to ground truth, and the connectivity stages scored against it (the symbol
boxes come from the drawing: oracle detection).

Chromium is required where `SLD_REQUIRE_BROWSER=1` (CI); elsewhere the tests skip without it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks.harness import powsybl
from benchmarks.harness.oracle import compare_pairs, run_oracle
from sld.connectivity.graph import component_connections
from sld.pages.raster import load_page, open_source
from sld.settings import Settings

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium() -> str:
    found = powsybl.find_chromium()
    if found is None:
        message = "Chromium is not installed (Debian: apt-get install chromium)"
        if os.environ.get("SLD_REQUIRE_BROWSER") == "1":
            pytest.fail(f"SLD_REQUIRE_BROWSER=1 but {message}")
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def data() -> Path:
    folder = powsybl.data_dir()
    assert folder is not None, "tests/realdata/powsybl_sld_generated is missing"
    return folder


def test_svg_ids_follow_powsybl_escaping() -> None:
    assert powsybl.svg_id("INTERNAL_vl1_dgen1-bgen1") == "idINTERNAL_95_vl1_95_dgen1_45_bgen1"
    assert powsybl.svg_id("trf1") == "idtrf1"


def test_metadata_graph_projects_onto_components(data: Path) -> None:
    graph = powsybl.read_graph(data / "TestSldClassVlMetadata.json")
    ids = {node: f"c{index}" for index, node in enumerate(graph.components())}
    pairs = {frozenset(p) for p in powsybl.truth_connections(graph, ids)}
    # The busbar joins its two disconnectors; each feeder is a chain down to its load or
    # transformer through fictitious nodes.
    assert frozenset((ids["idd1"], ids["idd2"])) in pairs
    assert frozenset((ids["idb1"], ids["idl"])) in pairs
    assert frozenset((ids["idd1"], ids["idl"])) not in pairs
    assert len(pairs) == 5


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(powsybl.CASES))
def test_rendered_diagram_connections(name: str, chromium: str, data: Path, tmp_path: Path) -> None:
    case = powsybl.prepare_case(name, tmp_path, chromium, data)
    assert case.pdf.exists()
    page = load_page(open_source(case.pdf), 0, Settings())
    assert page.vector is not None and len(page.vector.segments) > 20
    assert len(case.truth.components) >= 6
    # Every component box lies on the page and holds drawn strokes.
    for component in case.truth.components:
        x0, y0, x1, y1 = component.bbox
        assert 0 <= x0 < x1 <= page.width_pt and 0 <= y0 < y1 <= page.height_pt
    run = run_oracle(page, case.truth)
    counts = compare_pairs(case.truth.connections, component_connections(run.graph))
    assert counts.f1 >= 0.97, counts
    buses = [d.get("label") for _, d in run.graph.nodes(data=True) if d["kind"] == "bus"]
    assert any(label and label.startswith("bbs") for label in buses)


@pytest.mark.slow
def test_exemplars_cut_from_the_diagram_find_its_symbols(
    chromium: str, data: Path, tmp_path: Path
) -> None:
    """End to end on a real drawing style: symbols added through the library find every
    component; a correction round (the false components, powsybl's power-flow arrows among
    them, marked `not_a_symbol`) removes false components and so improves the connections."""
    case = powsybl.prepare_case("TestSldClassSubstation", tmp_path, chromium, data)
    first, corrected = powsybl.score_with_exemplars(case, tmp_path, rounds=2)
    assert first["detection"]["recall"] == 1.0
    assert any(key.startswith("not_a_symbol#") for key in corrected["exemplars_added"])
    assert corrected["detection"]["recall"] == 1.0
    assert corrected["detection"]["precision"] > first["detection"]["precision"]
    assert corrected["connections"]["f1"] > first["connections"]["f1"]

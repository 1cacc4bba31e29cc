"""Conductors and where they meet: tees, dots, crossings, conductors through symbols.

Every drawing is checked twice: as a vector PDF (strokes read from the file) and as a PNG of the
same PDF (lines traced in the raster), with the drawn symbol boxes as the detections.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from sld.connectivity.conductors import (
    Conductors,
    cut_at_symbols,
    extract_conductors,
    merge_collinear,
)
from sld.connectivity.graph import build_page_graph, component_connections
from sld.pages.page import PageImage
from tests.handmade import BOTH, Drawing


def page_graph(
    drawing: Drawing, page: PageImage, crossings_connect: bool = False
) -> tuple[nx.Graph, Conductors]:
    symbols = drawing.symbol_detections()
    texts = drawing.text_detections()
    conductors = extract_conductors(page, symbols, texts)
    graph = build_page_graph(
        page,
        symbols,
        drawing.component_ids(),
        conductors,
        texts,
        [None] * len(texts),
        crossings_connect=crossings_connect,
    )
    return graph, conductors


def pairs(graph: nx.Graph) -> set[frozenset[str]]:
    return {frozenset(pair) for pair in component_connections(graph)}


def pair_set(*names: tuple[int, int]) -> set[frozenset[str]]:
    return {frozenset((f"p0-c{a}", f"p0-c{b}")) for a, b in names}


def tee_and_crossing(tee_dot: bool = False, crossing_dot: bool = False) -> Drawing:
    """A feeder A-B with a branch to C teeing off it; a second feeder D-E crosses the branch."""
    drawing = Drawing()
    a = drawing.breaker(100, 50)
    b = drawing.breaker(100, 210)
    c = drawing.breaker(240, 120)
    d = drawing.breaker(170, 50)
    e = drawing.breaker(170, 210)
    assert (a, b, c, d, e) == (0, 1, 2, 3, 4)
    drawing.wire((100, 55), (100, 205))
    drawing.wire((100, 120), (235, 120))
    drawing.wire((170, 55), (170, 205))
    if tee_dot:
        drawing.dot(100, 120)
    if crossing_dot:
        drawing.dot(170, 120)
    return drawing


FEEDER_PAIRS = pair_set((0, 1), (0, 2), (1, 2), (3, 4))
ALL_FIVE = pair_set(*[(a, b) for a in range(5) for b in range(a + 1, 5)])


@BOTH
def test_tee_without_dot_joins_and_crossing_without_dot_does_not(kind: str, tmp_path: Path) -> None:
    drawing = tee_and_crossing()
    graph, _ = page_graph(drawing, drawing.page(kind, tmp_path))
    assert pairs(graph) == FEEDER_PAIRS
    junctions = [n for n, kind in graph.nodes(data="kind") if kind == "junction"]
    assert len(junctions) == 1
    assert graph.nodes[junctions[0]]["x"] == pytest.approx(100, abs=2)
    assert graph.nodes[junctions[0]]["y"] == pytest.approx(120, abs=2)


@BOTH
def test_tee_with_dot_joins_the_same(kind: str, tmp_path: Path) -> None:
    drawing = tee_and_crossing(tee_dot=True)
    graph, conductors = page_graph(drawing, drawing.page(kind, tmp_path))
    assert pairs(graph) == FEEDER_PAIRS
    assert len(conductors.dots) == 1


@BOTH
def test_dot_on_a_crossing_joins_it(kind: str, tmp_path: Path) -> None:
    drawing = tee_and_crossing(crossing_dot=True)
    graph, _ = page_graph(drawing, drawing.page(kind, tmp_path))
    assert pairs(graph) == ALL_FIVE


@BOTH
def test_crossings_join_when_the_convention_says_so(kind: str, tmp_path: Path) -> None:
    drawing = tee_and_crossing()
    graph, _ = page_graph(drawing, drawing.page(kind, tmp_path), crossings_connect=True)
    assert pairs(graph) == ALL_FIVE


@BOTH
def test_conductor_through_a_component_joins_through_it(kind: str, tmp_path: Path) -> None:
    """One straight stroke from F to G with a current transformer drawn over its middle: F and
    G each connect to the CT, not to each other."""
    drawing = Drawing()
    drawing.breaker(200, 40)
    drawing.current_transformer(200, 140)
    drawing.breaker(200, 240)
    drawing.wire((200, 45), (200, 235))
    graph, _ = page_graph(drawing, drawing.page(kind, tmp_path))
    assert pairs(graph) == pair_set((0, 1), (1, 2))


@BOTH
def test_symbols_mounted_on_a_busbar_do_not_cut_it(kind: str, tmp_path: Path) -> None:
    """Disconnectors drawn on the busbar itself (as powsybl draws them), each with its feeder
    leaving across the bar: the bar joins all of them, each feeder joins through its own."""
    drawing = Drawing()
    drawing.wire((40, 100), (300, 100), width=3.0)
    for x in (80, 160, 240):
        drawing.disconnector_on(x, 100)
    for x in (80, 160, 240):
        drawing.breaker(x, 160)
        drawing.wire((x, 100), (x, 155))
    graph, _ = page_graph(drawing, drawing.page(kind, tmp_path))
    assert pairs(graph) == pair_set((0, 1), (0, 2), (1, 2), (0, 3), (1, 4), (2, 5))


def test_wire_into_symbol_is_cut_at_its_box() -> None:
    """A stroke ending inside a box stops at the box; strokes wholly inside it are dropped."""
    box = np.asarray([[90.0, 90.0, 110.0, 110.0]])
    segments = np.asarray([[100.0, 20.0, 100.0, 100.0], [95.0, 95.0, 105.0, 95.0]])
    kept, widths = cut_at_symbols(segments, np.asarray([1.0, 1.0]), box)
    assert len(kept) == 1
    assert widths.tolist() == [1.0]
    assert max(kept[0, 1], kept[0, 3]) == pytest.approx(89.0)


def test_busbar_grazing_a_loose_box_is_not_cut() -> None:
    """A loose detection box that overlaps the busbar above a breaker must not split the bus."""
    box = np.asarray([[95.0, 97.0, 105.0, 125.0]])
    bus = np.asarray([[20.0, 100.0, 300.0, 100.0]])
    kept, _ = cut_at_symbols(bus, np.asarray([4.0]), box)
    assert kept.tolist() == bus.tolist()


def test_collinear_pieces_join_but_not_across_a_tee() -> None:
    """Two strokes of one wire become one; two wires meeting end to end on a busbar stay two
    (each tees into the bus)."""
    segments = np.asarray(
        [
            [10.0, 50.0, 60.0, 50.0],
            [60.5, 50.0, 120.0, 50.0],  # continues the first across a small gap
            [200.0, 10.0, 200.0, 50.0],  # from above, ends on the bus
            [200.0, 50.0, 200.0, 90.0],  # from the bus, goes down
            [150.0, 50.0, 250.0, 50.0],  # the bus
        ]
    )
    merged, widths = merge_collinear(segments, np.asarray([1.0, 1.0, 1.0, 1.0, 4.0]), 1.0)
    rounded = sorted(tuple(np.round(s, 1)) for s in merged)
    assert (10.0, 50.0, 120.0, 50.0) in rounded
    assert (200.0, 10.0, 200.0, 50.0) in rounded and (200.0, 50.0, 200.0, 90.0) in rounded
    assert len(merged) == 4
    assert sorted(widths.tolist()) == [1.0, 1.0, 1.0, 4.0]


def test_raster_traces_the_drawn_lines(tmp_path: Path) -> None:
    """The raster path finds the same straight runs the PDF draws, within a point."""
    drawing = tee_and_crossing()
    conductors = extract_conductors(
        drawing.raster_page(tmp_path), drawing.symbol_detections(), drawing.text_detections()
    )
    assert conductors.from_raster
    found = conductors.segments
    for expected in ([100, 55, 100, 205], [100, 120, 235, 120], [170, 55, 170, 205]):
        x0, y0, x1, y1 = expected
        horizontal = y0 == y1
        covered = 0.0
        for segment in found:
            sx0, sy0, sx1, sy1 = segment
            if horizontal and abs(sy0 - y0) < 1 and abs(sy1 - y0) < 1:
                covered += max(0.0, min(max(sx0, sx1), x1) - max(min(sx0, sx1), x0))
            if not horizontal and abs(sx0 - x0) < 1 and abs(sx1 - x0) < 1:
                covered += max(0.0, min(max(sy0, sy1), y1) - max(min(sy0, sy1), y0))
        assert covered >= 0.9 * (abs(x1 - x0) + abs(y1 - y0))

"""Ground truth from a `Sheet`: the result `Document` and the full connectivity graph.

Connections are the projection of the graph onto components: the conductor nodes (buses,
junctions, off-page connectors, incoming sources) are merged into nets, and every pair of
components touching one net is connected, as is every pair joined by a wire directly.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from typing import Any

import networkx as nx

from sld.document import Component, Document, Page, Ratings, Source, Text
from sld.synth.model import Sheet
from sld.synth.symbols import Box, Point

BoxMap = Callable[[Box], Box]
PointMap = Callable[[Point], Point]


def _identity_box(box: Box) -> Box:
    return box


def _identity_point(point: Point) -> Point:
    return point


def _natural(node_id: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", node_id))


def _round_box(box: Box) -> Box:
    x0, y0, x1, y1 = (round(v, 2) for v in box)
    return (x0, y0, x1, y1)


def sheet_graph(sheet: Sheet) -> nx.Graph:
    graph = nx.Graph()
    for node in sheet.nodes.values():
        graph.add_node(node.id, kind=node.kind)
    graph.add_edges_from(sheet.edges)
    return graph


def connections(sheet: Sheet) -> list[tuple[str, str]]:
    """Unordered component pairs joined by conductors that pass through no other component."""
    graph = sheet_graph(sheet)
    components = {n for n, kind in graph.nodes(data="kind") if kind == "component"}
    pairs: set[tuple[str, str]] = set()
    for a, b in graph.edges():
        if a in components and b in components:
            pairs.add(_pair(a, b))
    conductors = graph.subgraph(n for n in graph.nodes if n not in components)
    for net in nx.connected_components(conductors):
        touching = sorted(
            {m for n in net for m in graph.neighbors(n) if m in components}, key=_natural
        )
        for a, b in itertools.combinations(touching, 2):
            pairs.add(_pair(a, b))
    return sorted(pairs, key=lambda p: (_natural(p[0]), _natural(p[1])))


def _pair(a: str, b: str) -> tuple[str, str]:
    first, second = sorted((a, b), key=_natural)
    return (first, second)


def sheet_page(sheet: Sheet, box_map: BoxMap = _identity_box) -> Page:
    components = [
        Component(
            id=s.id,
            type=s.type,
            bbox=_round_box(box_map(s.geometry.body)),
            score=1.0,
            name=s.name,
            ratings=Ratings.model_validate(s.ratings),
        )
        for s in sheet.symbols
    ]
    texts = [
        Text(
            id=t.id,
            text=t.text,
            bbox=_round_box(box_map(t.bbox)),
            score=1.0,
            component_id=t.component_id,
        )
        for t in sheet.texts
    ]
    return Page(
        index=sheet.index,
        width=round(sheet.width, 2),
        height=round(sheet.height, 2),
        components=components,
        texts=texts,
        connections=connections(sheet),
    )


def document(
    sheets: list[Sheet], path: str, sha256: str, box_maps: Sequence[BoxMap] | None = None
) -> Document:
    maps = box_maps or [_identity_box] * len(sheets)
    pages = [sheet_page(sheet, m) for sheet, m in zip(sheets, maps, strict=True)]
    return Document(source=Source(path=path, sha256=sha256, page_count=len(sheets)), pages=pages)


def graph_json(
    sheets: list[Sheet],
    box_maps: Sequence[BoxMap] | None = None,
    point_maps: Sequence[PointMap] | None = None,
) -> dict[str, Any]:
    """The whole document's graph in networkx node-link form (nodes, edges).

    Nodes: components (type, name, bbox, ratings), buses (name), junctions, off-page
    connectors (target drawing) and incoming sources, each with its page and position. Edges:
    conductors, plus `offpage` edges that join a connector to its partner on another page.
    """
    boxes = box_maps or [_identity_box] * len(sheets)
    points = point_maps or [_identity_point] * len(sheets)
    graph = nx.Graph()
    for sheet, box_map, point_map in zip(sheets, boxes, points, strict=True):
        symbols = {s.id: s for s in sheet.symbols}
        for node in sheet.nodes.values():
            x, y = point_map((node.x, node.y))
            attrs: dict[str, Any] = {
                "kind": node.kind,
                "page": sheet.index,
                "x": round(x, 2),
                "y": round(y, 2),
            }
            if node.name is not None:
                attrs["name"] = node.name
            if node.target is not None:
                attrs["target"] = node.target
            if node.id in symbols:
                symbol = symbols[node.id]
                attrs["type"] = symbol.type
                attrs["variant"] = symbol.placement.variant.key
                attrs["bbox"] = list(_round_box(box_map(symbol.geometry.body)))
                attrs["ratings"] = Ratings.model_validate(symbol.ratings).model_dump()
            graph.add_node(node.id, **attrs)
        for a, b in sheet.edges:
            graph.add_edge(a, b, kind="conductor")
    _link_offpage(graph, sheets)
    data: dict[str, Any] = nx.node_link_data(graph, edges="edges")
    return data


def _link_offpage(graph: nx.Graph, sheets: list[Sheet]) -> None:
    """Join each 'TO <drawing>' connector with the 'FROM' connector on that drawing's page."""
    drawings = {sheet.index: sheet.drawing_number for sheet in sheets}
    for sheet in sheets:
        for node in sheet.nodes.values():
            if node.kind != "offpage" or node.target is None:
                continue
            for other in sheets:
                if other.index == sheet.index or drawings[other.index] != node.target:
                    continue
                for partner in other.nodes.values():
                    if partner.kind == "offpage" and partner.target == sheet.drawing_number:
                        graph.add_edge(node.id, partner.id, kind="offpage")

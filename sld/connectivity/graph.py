"""The page's connectivity graph (networkx), its projection onto component pairs, and exports.

One undirected `networkx.Graph` per page. Node ids are strings, unique across a document:
components keep their result id ("p0-c3"); buses are "p0-b0", junctions "p0-j0" and off-page
or incoming terminals "p0-o0". Every node has `kind` (component, bus, junction, terminal) and
`x`, `y` in points; components add `component_id`, `type` and `label` (their designation, when
a linked label gives one); buses add `label` (the bus name) and their extent `x0, y0, x1, y1`;
terminals add `label` (the arrow's text, "TO DWG E-102"). Edges are conductors: `kind` "wire",
or "bus" where a component sits on a busbar with no wire between, and `length` in points.
`graph.graph["page_index"]` is the page. This is the convention `sld.store` saves and loads.

How the graph is made from the wire network (`junctions.py`; busbars are recognised in
`busbars.py`, texts placed in `wire_labels.py`, the work done in `graph_builder.py`):
- Busbars: segments drawn clearly thicker than the page's usual conductor, straight runs with
  three or more lines teeing into or crossing them, or lines with a free text (a bus name)
  written along them; a line drawn across a busbar joins it, and all points along one busbar
  become one bus node.
- Terminals: a wire end that carries a mark (an arrow head) or has a free text in line beyond
  it ("FROM UTILITY", "TO DWG E-102"); the text block is its label.
- Dangling stubs (ends that reach nothing) are pruned, corners and plain bends are merged into
  the wires, and a point where three or more wires meet is a junction. Lines that reach no
  component at all (the frame, the title block) are left out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

import networkx as nx

from sld.connectivity.busbars import network_and_busbars
from sld.connectivity.conductors import Conductors
from sld.connectivity.graph_builder import GraphBuilder
from sld.connectivity.wire_labels import free_texts
from sld.detections import Detections
from sld.pages.page import PageImage

#: Labels of terminals that bring power in (sources), for `source_nodes`.
INCOMING_LABEL = re.compile(r"^\s*FROM\b|UTILITY|INCOM|SUPPLY|SERVICE|GRID", re.IGNORECASE)


def build_page_graph(
    page: PageImage,
    symbols: Detections,
    component_ids: list[str],
    conductors: Conductors,
    texts: Detections,
    links: list[int | None],
    crossings_connect: bool = False,
) -> nx.Graph:
    """Components, buses, junctions and terminals of one page, joined by their conductors.

    `texts` with `links` (the symbol each text labels, or None) name buses and terminals.
    """
    free = free_texts(texts, links)
    network, busbars = network_and_busbars(
        conductors, symbols.boxes, texts.boxes[free], crossings_connect
    )
    builder = GraphBuilder(page.index, network, conductors, symbols.boxes)
    builder.trim_whiskers()
    builder.merge_buses(busbars)
    builder.find_terminals(texts, free)
    builder.prune_and_simplify()
    return builder.result(symbols, component_ids, texts, links, free)


def component_connections(graph: nx.Graph) -> list[tuple[str, str]]:
    """The result's `connections`: pairs of components joined by a path through no other component.

    Wires, buses, junctions and terminals form nets (connected groups of non-component nodes);
    every pair of components touching the same net is connected, and so are components joined
    directly.
    """
    is_component = {node: data.get("kind") == "component" for node, data in graph.nodes(data=True)}
    pairs: set[tuple[str, str]] = set()
    for a, b in graph.edges():
        if is_component[a] and is_component[b]:
            pairs.add((min(a, b), max(a, b)))
    conductors = graph.subgraph(node for node, component in is_component.items() if not component)
    for net in nx.connected_components(conductors):
        members = sorted({n for node in net for n in graph.neighbors(node) if is_component[n]})
        pairs.update(combinations(members, 2))
    return sorted(pairs)


# --- questions --------------------------------------------------------------------------------


def find_node(graph: nx.Graph, label: str) -> str | None:
    """The node whose `label` (designation, bus name, terminal text) is `label`, ignoring case."""
    wanted = label.strip().casefold()
    for node, value in graph.nodes(data="label"):
        if isinstance(value, str) and value.strip().casefold() == wanted:
            return str(node)
    return None


def source_nodes(graph: nx.Graph) -> set[str]:
    """Where power comes in: generators, and terminals whose label reads as an incoming supply
    ("FROM ...", "... UTILITY ...", "INCOMING", "SUPPLY", "SERVICE", "GRID")."""
    found = set()
    for node, data in graph.nodes(data=True):
        generator = data.get("kind") == "component" and data.get("type") == "generator"
        incoming = data.get("kind") == "terminal" and bool(
            INCOMING_LABEL.search(data.get("label") or "")
        )
        if generator or incoming:
            found.add(str(node))
    return found


def feeding_path(
    graph: nx.Graph, start: str, sources: Iterable[str] | None = None
) -> list[str] | None:
    """What feeds `start`: the shortest path (fewest nodes) from it to a source, or None.

    `sources` defaults to `source_nodes(graph)`. The path lists node ids from `start` to the
    source, through breakers, transformers, buses and junctions on the way.
    """
    targets = set(source_nodes(graph) if sources is None else sources) - {start}
    if not targets or start not in graph:
        return None
    lengths, paths = nx.single_source_dijkstra(graph, start, weight=None)
    reachable = [t for t in targets if t in lengths]
    if not reachable:
        return None
    best = min(reachable, key=lambda t: (lengths[t], t))
    return [str(node) for node in paths[best]]


# --- export -----------------------------------------------------------------------------------


def document_graph(graphs: Sequence[nx.Graph]) -> nx.Graph:
    """The pages' graphs as one graph (node ids are page-prefixed, so they never clash); every
    node gets its `page` index."""
    combined = nx.Graph()
    for position, graph in enumerate(graphs):
        page = graph.graph.get("page_index", position)
        for node, data in graph.nodes(data=True):
            combined.add_node(node, page=page, **data)
        combined.add_edges_from(graph.edges(data=True))
    return combined


def _scalar_attributes(data: dict[str, Any]) -> dict[str, Any]:
    """GraphML holds only scalars: None is left out, other values written as JSON text."""
    return {
        key: value if isinstance(value, str | int | float | bool) else json.dumps(value)
        for key, value in data.items()
        if value is not None
    }


def write_graphml(graphs: Sequence[nx.Graph], path: Path) -> None:
    """All pages' graphs in one GraphML file (yEd, Gephi, networkx read it)."""
    combined = document_graph(graphs)
    clean = nx.Graph()
    clean.add_nodes_from((n, _scalar_attributes(d)) for n, d in combined.nodes(data=True))
    clean.add_edges_from((a, b, _scalar_attributes(d)) for a, b, d in combined.edges(data=True))
    nx.write_graphml(clean, path)


def node_link(graphs: Sequence[nx.Graph]) -> dict[str, Any]:
    """All pages' graphs in networkx node-link form (`nodes`, `edges`), JSON-ready."""
    data: dict[str, Any] = nx.node_link_data(document_graph(graphs), edges="edges")
    return data


def write_node_link_json(graphs: Sequence[nx.Graph], path: Path) -> None:
    path.write_text(json.dumps(node_link(graphs), indent=1) + "\n", encoding="utf-8")


def read_graph(path: Path) -> nx.Graph:
    """A graph written by `write_graphml` or `write_node_link_json`, by the file's suffix."""
    if path.suffix.lower() == ".graphml":
        graph: nx.Graph = nx.read_graphml(path)
        return graph
    loaded: nx.Graph = nx.node_link_graph(
        json.loads(path.read_text(encoding="utf-8")), edges="edges"
    )
    return loaded


Exporter = Callable[[Sequence[nx.Graph], Path], None]

EXPORTERS: dict[str, Exporter] = {"graphml": write_graphml, "json": write_node_link_json}

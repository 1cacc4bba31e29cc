"""The page's connectivity graph (networkx) and its projection onto component pairs.

Node ids are strings. Node attribute `kind` is one of "component" (id = the result's component
id), "bus" (a busbar or any net of wires; `label` holds its name when one was read) or
"junction"; `x`, `y` place the node in points. Edges join components to the nets they touch.
"""

from __future__ import annotations

from itertools import combinations

import networkx as nx
import numpy as np
import shapely

from sld.detections import Detections
from sld.page import PageImage
from sld.wiring import Conductors

#: Distance (points) within which a wire end touches another wire or a symbol.
TOUCH = 1.5


def _nets(conductors: Conductors) -> list[list[int]]:
    """Groups of segments joined end-to-line (a tee or a corner); plain crossings do not join."""
    count = len(conductors)
    joined = nx.Graph()
    joined.add_nodes_from(range(count))
    if count:
        lines = shapely.linestrings(conductors.segments.reshape(-1, 2, 2))
        tree = shapely.STRtree(lines)
        ends = shapely.points(conductors.segments.reshape(-1, 2))
        end_index, line_index = tree.query(ends, predicate="dwithin", distance=TOUCH)
        joined.add_edges_from(
            (int(end // 2), int(line))
            for end, line in zip(end_index, line_index, strict=True)
            if end // 2 != line
        )
    return [sorted(group) for group in nx.connected_components(joined)]


def build_page_graph(
    page: PageImage,
    symbols: Detections,
    component_ids: list[str],
    texts: Detections,
    links: list[int | None],
    conductors: Conductors,
) -> nx.Graph:
    """Components joined through the conductor nets their boxes touch."""
    graph = nx.Graph(page_index=page.index)
    for index, (box, _, label) in enumerate(symbols):
        graph.add_node(
            component_ids[index],
            kind="component",
            component_id=component_ids[index],
            type=label,
            x=float((box[0] + box[2]) / 2),
            y=float((box[1] + box[3]) / 2),
        )
    if not len(conductors) or not len(symbols):
        return graph

    boxes = shapely.box(*symbols.boxes.T)
    box_tree = shapely.STRtree(boxes)
    ends = shapely.points(conductors.segments.reshape(-1, 2))
    end_index, box_index = box_tree.query(ends, predicate="dwithin", distance=TOUCH)
    touches: dict[int, set[int]] = {}
    for end, box in zip(end_index, box_index, strict=True):
        touches.setdefault(int(end // 2), set()).add(int(box))

    for number, net in enumerate(_nets(conductors)):
        members = set().union(*(touches.get(segment, set()) for segment in net))
        if not members:
            continue
        points = conductors.segments[net].reshape(-1, 2)
        node = f"p{page.index}-n{number}"
        graph.add_node(
            node,
            kind="bus",
            label=None,
            x=float(np.mean(points[:, 0])),
            y=float(np.mean(points[:, 1])),
        )
        for member in members:
            graph.add_edge(node, component_ids[member], kind="wire")
    return graph


def component_connections(graph: nx.Graph) -> list[tuple[str, str]]:
    """The result's `connections`: pairs of components joined by a path through no other component.

    Wires, buses and junctions form nets (connected groups of non-component nodes); every pair of
    components touching the same net is connected, and so are components joined directly.
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

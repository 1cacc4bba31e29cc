"""The page's connectivity graph (networkx), its projection onto component pairs, and exports.

One undirected `networkx.Graph` per page. Node ids are strings, unique across a document:
components keep their result id ("p0-c3"); buses are "p0-b0", junctions "p0-j0" and off-page
or incoming terminals "p0-o0". Every node has `kind` (component, bus, junction, terminal) and
`x`, `y` in points; components add `component_id`, `type` and `label` (their designation, when
a linked label gives one); buses add `label` (the bus name) and their extent `x0, y0, x1, y1`;
terminals add `label` (the arrow's text, "TO DWG E-102"). Edges are conductors: `kind` "wire",
or "bus" where a component sits on a busbar with no wire between, and `length` in points.
`graph.graph["page_index"]` is the page. This is the convention `sld.store` saves and loads.

How the graph is made from the wire network (`sld.wire_network`):
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
import numpy as np
import shapely

from sld.detections import Detections
from sld.geometry import BoolArray, FloatArray
from sld.page import PageImage
from sld.ratings import parse_designation
from sld.wire_network import WireNetwork, build_network
from sld.wiring import Conductors

#: A segment this many times wider than the page's usual conductor is a busbar.
BUS_WIDTH_RATIO = 1.75
#: A traced line this many times wider than the usual wire is a busbar however few things
#: hang on it (a little wider, in a scan, may be the lighting).
SURE_BUS_RATIO = 2.0
#: ... or this much wider (points) than the usual conductor.
BUS_EXTRA_WIDTH = 1.2
#: A straight segment with at least this many tees (or attachments) along it is a busbar.
BUS_MIN_TEES = 3
#: A dangling piece up to this long (points) beside other wires is a whisker, not a wire.
WHISKER = 5.0
#: How far beyond a wire end (points) its terminal text may start, and how far to either side
#: of the wire's line the text may sit.
TERMINAL_TEXT_REACH = 24.0
TERMINAL_TEXT_SIDE = 4.0
#: A text names a line only when it is this many times longer than high (a clear direction).
NAME_ELONGATION = 2.5
#: Lines of one text block are at most this many line heights apart.
LINE_GAP = 1.5
#: What a cable designation looks like ("3#500KCMIL", "4x240mm² Cu", "NYY-J 4x95"): a text
#: that reads like one names a cable, never a bus or an off-page connection.
CABLE_TEXT = re.compile(
    r"\d\s*[#x×]\s*\d|#\d|KCMIL|MCM|mm²|mm2|AWG|XLPE|\bCU\b|\bAL\b|NYY|N2X|YJV|\d/C\b",
    re.IGNORECASE,
)
#: A bus name sits within this many of its own line heights of the busbar.
BUS_NAME_REACH = 2.5
#: Labels of terminals that bring power in (sources), for `source_nodes`.
INCOMING_LABEL = re.compile(r"^\s*FROM\b|UTILITY|INCOM|SUPPLY|SERVICE|GRID", re.IGNORECASE)


def build_page_graph(
    page: PageImage,
    symbols: Detections,
    component_ids: list[str],
    texts: Detections,
    links: list[int | None],
    conductors: Conductors,
    crossings_connect: bool = False,
) -> nx.Graph:
    """Components, buses, junctions and terminals of one page, joined by their conductors."""
    free_texts = [
        index
        for index, target in enumerate(links)
        if target is None and not CABLE_TEXT.search(str(texts.labels[index]))
    ]
    busbars = thick_segments(conductors, symbols.boxes) | named_segments(
        conductors, texts.boxes[free_texts]
    )
    network = _network(conductors, symbols.boxes, crossings_connect, busbars)
    # A run with many tees is a busbar too, however thin; a line crossing it joins it, so the
    # network is made again when that adds busbars.
    tees = _many_tees(network, conductors)
    if (tees & ~busbars).any():
        busbars = busbars | tees
        network = _network(conductors, symbols.boxes, crossings_connect, busbars)
        busbars = busbars | _many_tees(network, conductors)
    builder = _GraphBuilder(page.index, network, conductors, symbols.boxes)
    builder.trim_whiskers()
    builder.merge_buses(busbars)
    builder.find_terminals(texts, free_texts)
    builder.prune_and_simplify()
    return builder.result(symbols, component_ids, texts, links, free_texts)


class _GraphBuilder:
    """The network as a working graph: points are ints >= 0, symbol k is the int -1 - k."""

    def __init__(
        self, page_index: int, network: WireNetwork, conductors: Conductors, boxes: FloatArray
    ) -> None:
        self.page_index = page_index
        self.network = network
        self.conductors = conductors
        self.boxes = boxes
        self.usual_width = usual_width(conductors, boxes)
        self.work = nx.Graph()
        self.work.add_nodes_from(range(-len(boxes), 0))
        points = network.points
        for (a, b), segment in zip(
            network.pieces.tolist(), network.piece_segment.tolist(), strict=True
        ):
            length = float(np.hypot(*(points[a] - points[b])))
            self.work.add_edge(a, b, length=length, segment=segment)
        for point, symbol in network.attachments.tolist():
            self.work.add_edge(point, -1 - symbol, length=0.0, segment=-1)
        #: Working node -> (kind, attributes) for the nodes that are not plain points.
        self.special: dict[int, tuple[str, dict[str, Any]]] = {}
        self.next_bus = 0

    def trim_whiskers(self) -> None:
        """Remove short dangling pieces that stick out from a point where another piece goes on:
        the base of an arrow head traced as a line, the stub of a symbol's stroke."""
        plain = range(len(self.network.points))
        for point in [n for n in self.work.nodes if n >= 0 and self.work.degree(n) >= 2]:
            whiskers = [
                n
                for n, data in self.work[point].items()
                if n in plain
                and n not in self.special
                and self.work.degree(n) == 1
                and data["length"] <= WHISKER
            ]
            if whiskers and self.work.degree(point) - len(whiskers) >= 1:
                self.work.remove_nodes_from(whiskers)

    # -- terminals -----------------------------------------------------------------------

    def find_terminals(self, texts: Detections, free_texts: list[int]) -> None:
        """Wire ends with an arrow head or a free text in line beyond them become terminals.
        (Busbars are merged by now: the text beyond a busbar's end is its name, not this.)"""
        points = self.network.points
        plain = range(len(points))
        used: set[int] = set()
        # Only wires that lead to a component: loose strokes (lettering a text box did not
        # cover, the frame) have no terminals and must not take the texts.
        reaching = set().union(
            *(part for part in nx.connected_components(self.work) if min(part) < 0)
        )
        ends = [
            node
            for node in self.work.nodes
            if node in plain and node in reaching and self.work.degree(node) == 1
        ]
        segments = self.conductors.segments
        for end in ends:
            ((_, data),) = self.work[end].items()
            if data["segment"] < 0:
                continue
            # Outwards along the wire: from the far end of its last segment to this end.
            start, finish = segments[data["segment"]].reshape(2, 2)
            far = (
                start
                if np.hypot(*(start - points[end])) > np.hypot(*(finish - points[end]))
                else finish
            )
            direction = points[end] - far
            norm = float(np.hypot(*direction))
            if norm < 1e-9:
                continue
            direction /= norm
            block = _text_in_line(points[end], direction, texts, free_texts, used)
            marked = bool(self.network.marked[end])
            if block is None and not marked:
                continue
            label = None
            if block is not None:
                used.update(block)
                label = " ".join(str(texts.labels[i]) for i in block)
            self.special[end] = ("terminal", {"label": label})
        self.terminal_texts = used

    # -- buses ---------------------------------------------------------------------------

    def merge_buses(self, busbars: BoolArray) -> None:
        """Replace the points along each busbar segment (`busbars`: (N,) over the conductor
        segments) with one bus node."""
        bus_segments = set(np.flatnonzero(busbars).tolist())
        if not bus_segments:
            return
        on_bus = nx.Graph()
        for (a, b), segment in zip(
            self.network.pieces.tolist(), self.network.piece_segment.tolist(), strict=True
        ):
            if segment in bus_segments and a in self.work and b in self.work:
                on_bus.add_edge(a, b, segment=segment)
        segments = self.conductors.segments
        for group in list(nx.connected_components(on_bus)):
            used = sorted(
                {segment for _, _, segment in on_bus.subgraph(group).edges(data="segment")}
            )
            members = group - set(self.special)
            if len(members) < 2:
                continue
            if (
                self.conductors.from_raster
                and self._neighbours(members) < BUS_MIN_TEES
                and self.conductors.widths[used].max() < SURE_BUS_RATIO * self.usual_width
            ):
                # Widths measured in a scan vary with the lighting: a line only a little
                # thicker than the rest that joins only two things is a wire.
                continue
            ends = segments[used].reshape(-1, 2)
            node = self._merge(members)
            x0, y0 = ends.min(axis=0)
            x1, y1 = ends.max(axis=0)
            self.special[node] = (
                "bus",
                {"x0": float(x0), "y0": float(y0), "x1": float(x1), "y1": float(y1)},
            )

    def _neighbours(self, members: set[int]) -> int:
        return len({n for m in members for n in self.work[m]} - members)

    def _merge(self, members: set[int]) -> int:
        """Merge `members` into one new working node (kept edges: the shortest to each
        neighbour outside); returns the new node."""
        node = int(max(self.work.nodes)) + 1
        self.work.add_node(node)
        for member in members:
            for neighbour, data in self.work[member].items():
                if neighbour in members:
                    continue
                self._connect(node, neighbour, data["length"], data["segment"])
        self.work.remove_nodes_from(members)
        return node

    def _connect(self, a: int, b: int, length: float, segment: int) -> None:
        if a == b:
            return
        if not self.work.has_edge(a, b) or self.work.edges[a, b]["length"] > length:
            self.work.add_edge(a, b, length=length, segment=segment)

    # -- pruning and simplifying ---------------------------------------------------------

    def prune_and_simplify(self) -> None:
        """Drop dangling stubs and fold plain bends into the wires they are part of, until
        every plain point left joins three or more wires (a junction)."""
        waiting = [node for node in self.work.nodes if node >= 0 and node not in self.special]
        while waiting:
            node = waiting.pop()
            if node not in self.work:
                continue
            degree = self.work.degree(node)
            if degree > 2:
                continue
            neighbours = list(self.work[node].items())
            self.work.remove_node(node)
            if degree == 2:
                (a, data_a), (b, data_b) = neighbours
                self._connect(a, b, data_a["length"] + data_b["length"], -1)
            waiting.extend(n for n, _ in neighbours if n >= 0 and n not in self.special)

    # -- the result ----------------------------------------------------------------------

    def result(
        self,
        symbols: Detections,
        component_ids: list[str],
        texts: Detections,
        links: list[int | None],
        free_texts: list[int],
    ) -> nx.Graph:
        prefix = f"p{self.page_index}"
        names = _designations(len(symbols), texts, links)
        graph = nx.Graph(page_index=self.page_index)
        node_ids: dict[int, str] = {}
        for index, (box, _, kind) in enumerate(symbols):
            node_id = component_ids[index]
            node_ids[-1 - index] = node_id
            attributes: dict[str, Any] = {
                "kind": "component",
                "component_id": node_id,
                "type": kind,
                "x": float((box[0] + box[2]) / 2),
                "y": float((box[1] + box[3]) / 2),
            }
            if names[index] is not None:
                attributes["label"] = names[index]
            graph.add_node(node_id, **attributes)

        counters = {"bus": 0, "junction": 0, "terminal": 0}
        letters = {"bus": "b", "junction": "j", "terminal": "o"}
        points = self.network.points
        for node in sorted(n for n in self.work.nodes if n >= 0):
            kind, attributes = self.special.get(node, ("junction", {}))
            if kind == "bus":
                x = (attributes["x0"] + attributes["x1"]) / 2
                y = (attributes["y0"] + attributes["y1"]) / 2
            else:
                x, y = (float(v) for v in points[node])
            node_id = f"{prefix}-{letters[kind]}{counters[kind]}"
            counters[kind] += 1
            node_ids[node] = node_id
            clean = {key: value for key, value in attributes.items() if value is not None}
            graph.add_node(node_id, kind=kind, x=float(x), y=float(y), **clean)

        for a, b, length in self.work.edges(data="length"):
            if a not in node_ids or b not in node_ids:
                continue
            on_bus = length == 0.0 and (
                self.special.get(a, ("",))[0] == "bus" or self.special.get(b, ("",))[0] == "bus"
            )
            graph.add_edge(
                node_ids[a], node_ids[b], kind="bus" if on_bus else "wire", length=round(length, 2)
            )
        _drop_unattached(graph)
        taken = set(self.terminal_texts)
        _name_buses(graph, texts, [i for i in free_texts if i not in taken])
        return graph


def _drop_unattached(graph: nx.Graph) -> None:
    """Remove the groups of conductor nodes that reach no component: the drawing frame, the
    title block's rules, a table's lines."""
    for part in list(nx.connected_components(graph)):
        if not any(graph.nodes[node]["kind"] == "component" for node in part):
            graph.remove_nodes_from(part)


def _network(
    conductors: Conductors, boxes: FloatArray, crossings_connect: bool, busbars: BoolArray
) -> WireNetwork:
    return build_network(
        conductors.segments,
        conductors.widths,
        conductors.dots,
        boxes,
        conductors.snap,
        crossings_connect,
        busbars=busbars if conductors.from_raster else None,
    )


def _many_tees(network: WireNetwork, conductors: Conductors) -> BoolArray:
    """Segments with `BUS_MIN_TEES` or more lines meeting or crossing them between their ends,
    all but one of them meeting (a long wire that many others merely cross is no busbar). A
    mark on a wire (an arrow drawn on it) is not a line meeting it."""
    segments = conductors.segments
    count = len(segments)
    owners: list[set[int]] = [set() for _ in range(len(network.points))]
    for (a, b), segment in zip(
        network.pieces.tolist(), network.piece_segment.tolist(), strict=True
    ):
        owners[a].add(segment)
        owners[b].add(segment)
    for point, _ in network.attachments.tolist():
        owners[point].add(-1)
    tees = np.zeros(count, dtype=np.intp)
    starts, ends = segments[:, :2], segments[:, 2:]
    lengths = np.hypot(*(ends - starts).T)
    for point, found in enumerate(owners):
        if len(found) < 2:
            continue
        for segment in found - {-1}:
            along = float(np.hypot(*(network.points[point] - starts[segment])))
            if conductors.snap < along < lengths[segment] - conductors.snap:
                tees[segment] += 1
    crossed = network.crossed if len(network.crossed) else np.zeros(count, dtype=np.intp)
    return np.asarray((tees >= BUS_MIN_TEES - 1) & (tees + crossed >= BUS_MIN_TEES))


def named_segments(conductors: Conductors, name_boxes: FloatArray) -> BoolArray:
    """Segments with a free text written along them, like a bus name: parallel to the text,
    within `BUS_NAME_REACH` of its line heights, beside at least half of it, and longer than
    the text. A wire's own labels are linked to its components and do not count."""
    segments = conductors.segments
    found = np.zeros(len(segments), dtype=bool)
    if not len(segments) or not len(name_boxes):
        return found
    starts, ends = segments[:, :2], segments[:, 2:]
    lengths = np.hypot(*(ends - starts).T)
    directions = (ends - starts) / np.maximum(lengths, 1e-9)[:, None]
    width = name_boxes[:, 2] - name_boxes[:, 0]
    height = name_boxes[:, 3] - name_boxes[:, 1]
    across = width >= height  # the text reads left to right (else bottom to top)
    long_side = np.maximum(width, height)
    short_side = np.minimum(width, height)
    axis = np.where(across[:, None], [1.0, 0.0], [0.0, 1.0])
    parallel = np.abs(axis @ directions.T) >= np.cos(np.radians(10))
    corners = name_boxes[:, [0, 1, 2, 1, 0, 3, 2, 3]].reshape(-1, 4, 2)
    relative = corners[:, None, :, :] - starts[None, :, None, :]
    along = np.einsum("tscj,sj->tsc", relative, directions)
    normal = np.stack([-directions[:, 1], directions[:, 0]], axis=1)
    side = np.einsum("tscj,sj->tsc", relative, normal)
    overlap = np.minimum(along.max(axis=2), lengths[None, :]) - np.maximum(along.min(axis=2), 0)
    gap = np.where(
        np.sign(side.min(axis=2)) == np.sign(side.max(axis=2)),
        np.minimum(np.abs(side.min(axis=2)), np.abs(side.max(axis=2))),
        0.0,
    )
    # Only a text that clearly reads along a direction (a name, not a number or a dash).
    oriented = long_side >= NAME_ELONGATION * short_side
    beside = (
        oriented[:, None]
        & parallel
        & (overlap >= 0.5 * long_side[:, None])
        & (gap <= BUS_NAME_REACH * short_side[:, None] + conductors.widths[None, :] / 2 + 2.0)
        & (lengths[None, :] >= 1.2 * long_side[:, None])
    )
    found[beside.any(axis=0)] = True
    return found


def usual_width(conductors: Conductors, boxes: FloatArray) -> float:
    """The page's usual wire width: the median width of the segments that end on a symbol box
    (the length-weighted median of all segments when none does)."""
    widths, segments = conductors.widths, conductors.segments
    if not len(widths):
        return 0.0
    wires = np.zeros(len(widths), dtype=bool)
    if len(boxes):
        grown = shapely.box(*(boxes + np.asarray([-1, -1, 1, 1]) * conductors.snap).T)
        _, end_index = shapely.STRtree(shapely.points(segments.reshape(-1, 2))).query(
            grown, predicate="intersects"
        )
        wires[end_index // 2] = True
    if wires.any():
        return float(np.median(widths[wires]))
    lengths = np.hypot(segments[:, 2] - segments[:, 0], segments[:, 3] - segments[:, 1])
    return _weighted_median(widths, lengths)


def thick_segments(conductors: Conductors, boxes: FloatArray) -> BoolArray:
    """Segments drawn clearly thicker than the page's usual wire (and long for their width):
    busbars."""
    widths, segments = conductors.widths, conductors.segments
    if not len(widths):
        return np.zeros(0, dtype=bool)
    lengths = np.hypot(segments[:, 2] - segments[:, 0], segments[:, 3] - segments[:, 1])
    usual = usual_width(conductors, boxes)
    # Widths measured in a scan carry the blur on both sides; a clear difference in points
    # tells a busbar from a wire there when the ratio, shrunk by the blur, does not.
    thicker = (widths >= BUS_WIDTH_RATIO * usual) | (widths - usual >= BUS_EXTRA_WIDTH)
    return np.asarray(thicker & (lengths >= 4 * widths))


def _weighted_median(values: FloatArray, weights: FloatArray) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def _designations(count: int, texts: Detections, links: list[int | None]) -> list[str | None]:
    """Each symbol's designation from its linked label lines (top to bottom, first found)."""
    found: list[str | None] = [None] * count
    order = sorted(range(len(texts)), key=lambda i: (texts.boxes[i][1], texts.boxes[i][0]))
    for index in order:
        target = links[index]
        if target is not None and found[target] is None:
            found[target] = parse_designation(str(texts.labels[index]))
    return found


def _text_in_line(
    end: FloatArray,
    direction: FloatArray,
    texts: Detections,
    candidates: list[int],
    used: set[int],
) -> list[int] | None:
    """The free text block that starts just beyond a wire end, in line with the wire."""
    best: tuple[float, int] | None = None
    for index in candidates:
        if index in used:
            continue
        x0, y0, x1, y1 = texts.boxes[index]
        corners = np.asarray([[x0, y0], [x1, y0], [x0, y1], [x1, y1]]) - end
        along = corners @ direction
        side = corners @ np.asarray([-direction[1], direction[0]])
        if along.max() < 0 or along.min() > TERMINAL_TEXT_REACH:
            continue
        if side.min() > TERMINAL_TEXT_SIDE or side.max() < -TERMINAL_TEXT_SIDE:
            continue
        distance = max(0.0, float(along.min()))
        if best is None or distance < best[0]:
            best = (distance, index)
    if best is None:
        return None
    return _text_block(best[1], texts, [i for i in candidates if i not in used])


def _text_block(first: int, texts: Detections, candidates: list[int]) -> list[int]:
    """The line `first` with the free lines stacked above and below it, top to bottom."""
    boxes = texts.boxes
    block = {first}
    grown = True
    while grown:
        grown = False
        for index in candidates:
            if index in block:
                continue
            box = boxes[index]
            for member in block:
                other = boxes[member]
                height = max(box[3] - box[1], other[3] - other[1])
                gap = max(box[1] - other[3], other[1] - box[3])
                overlap = min(box[2], other[2]) - max(box[0], other[0])
                if gap <= LINE_GAP * height and overlap > 0:
                    block.add(index)
                    grown = True
                    break
    return sorted(block, key=lambda i: (boxes[i][1], boxes[i][0]))


def _name_buses(graph: nx.Graph, texts: Detections, candidates: list[int]) -> None:
    """Each bus takes the nearest free text along it as its name."""
    buses = [node for node, kind in graph.nodes(data="kind") if kind == "bus"]
    if not buses or not candidates:
        return
    lines = shapely.linestrings(
        [
            [
                (graph.nodes[b]["x0"], graph.nodes[b]["y0"]),
                (graph.nodes[b]["x1"], graph.nodes[b]["y1"]),
            ]
            for b in buses
        ]
    )
    boxes = texts.boxes[candidates]
    distances = shapely.distance(shapely.box(*boxes.T)[:, None], lines[None, :])
    heights = np.minimum(boxes[:, 3] - boxes[:, 1], boxes[:, 2] - boxes[:, 0])
    reach = BUS_NAME_REACH * heights + 2.0
    nearest_bus = np.argmin(distances, axis=1)
    for column, bus in enumerate(buses):
        mine = np.flatnonzero((nearest_bus == column) & (distances[:, column] <= reach))
        if len(mine):
            chosen = candidates[int(mine[np.argmin(distances[mine, column])])]
            graph.nodes[bus]["label"] = str(texts.labels[chosen])


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

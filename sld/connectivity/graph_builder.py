"""The working graph that turns a wire network into the page graph (`sld.connectivity.graph`).

Points of the network are ints >= 0 and symbol k is the int -1 - k while the work goes on:
whiskers are trimmed, busbar points merged into bus nodes, terminals found at wire ends,
dangling stubs pruned and plain bends folded into their wires; `result` then names the nodes
the way the page graph does.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np

from sld.connectivity.busbars import BUS_MIN_TEES, SURE_BUS_RATIO, usual_width
from sld.connectivity.conductors import Conductors
from sld.connectivity.junctions import WireNetwork
from sld.connectivity.wire_labels import designations, name_buses, text_in_line
from sld.detections import Detections
from sld.geometry import BoolArray, FloatArray

#: A dangling piece up to this long (points) beside other wires is a whisker, not a wire.
WHISKER = 5.0


class GraphBuilder:
    """The wire network as a working graph (see the module's docstring)."""

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
        #: The texts taken as terminal labels (not to be bus names too).
        self.terminal_texts: set[int] = set()

    def _reaching_components(self) -> list[int]:
        """The points and merged nodes connected to at least one component."""
        return [
            node
            for part in nx.connected_components(self.work)
            if min(part) < 0
            for node in part
            if node >= 0
        ]

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
        reaching = set(self._reaching_components())
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
            block = text_in_line(points[end], direction, texts, free_texts, used)
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
        names = designations(len(symbols), texts, links)
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

        # Conductor nodes that reach a component, numbered in reading order (top to bottom,
        # then left to right); lines that reach none (the frame, the title block) are left out.
        placed = []
        for node in self._reaching_components():
            kind, attributes = self.special.get(node, ("junction", {}))
            if kind == "bus":
                x = (attributes["x0"] + attributes["x1"]) / 2
                y = (attributes["y0"] + attributes["y1"]) / 2
            else:
                x, y = (float(v) for v in self.network.points[node])
            placed.append((round(y, 1), x, node, kind, attributes, y))
        counters = {"bus": 0, "junction": 0, "terminal": 0}
        letters = {"bus": "b", "junction": "j", "terminal": "o"}
        for _, x, node, kind, attributes, y in sorted(placed, key=lambda row: row[:3]):
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
        taken = set(self.terminal_texts)
        name_buses(graph, texts, [i for i in free_texts if i not in taken])
        return graph

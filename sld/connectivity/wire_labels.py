"""The texts that belong to the wiring rather than to a component: terminal labels ("TO DWG
E-102", "FROM UTILITY 13.8KV") and bus names, and each component's designation for its node.

Only free texts count (linked to no component by the linking stage), and never a cable
designation ("3#500KCMIL", "4x240mm² Cu"), which sits beside a wire but names the cable.
"""

from __future__ import annotations

import re

import networkx as nx
import numpy as np
import shapely

from sld.connectivity.busbars import BUS_NAME_REACH
from sld.detections import Detections
from sld.geometry import FloatArray
from sld.text.ratings import parse_designation

#: How far beyond a wire end (points) its terminal text may start, and how far to either side
#: of the wire's line the text may sit.
TERMINAL_TEXT_REACH = 24.0
TERMINAL_TEXT_SIDE = 4.0
#: Lines of one text block are at most this many line heights apart.
LINE_GAP = 1.5
#: What a cable designation looks like ("3#500KCMIL", "4x240mm² Cu", "NYY-J 4x95"): a text
#: that reads like one names a cable, never a bus or an off-page connection.
CABLE_TEXT = re.compile(
    r"\d\s*[#x×]\s*\d|#\d|KCMIL|MCM|mm²|mm2|AWG|XLPE|\bCU\b|\bAL\b|NYY|N2X|YJV|\d/C\b",
    re.IGNORECASE,
)


def free_texts(texts: Detections, links: list[int | None]) -> list[int]:
    """Indices of the texts linked to no component that are not cable designations."""
    return [
        index
        for index, target in enumerate(links)
        if target is None and not CABLE_TEXT.search(str(texts.labels[index]))
    ]


def designations(count: int, texts: Detections, links: list[int | None]) -> list[str | None]:
    """Each symbol's designation from its linked label lines (top to bottom, first found)."""
    found: list[str | None] = [None] * count
    order = sorted(range(len(texts)), key=lambda i: (texts.boxes[i][1], texts.boxes[i][0]))
    for index in order:
        target = links[index]
        if target is not None and found[target] is None:
            found[target] = parse_designation(str(texts.labels[index]))
    return found


def text_in_line(
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
    return text_block(best[1], texts, [i for i in candidates if i not in used])


def text_block(first: int, texts: Detections, candidates: list[int]) -> list[int]:
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


def name_buses(graph: nx.Graph, texts: Detections, candidates: list[int]) -> None:
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

"""Which conductors are busbars.

A busbar is the line many feeders hang on. Drawings mark it in one of three ways, and any one
is enough: it is drawn clearly thicker than the wires; three or more lines tee into (or cross)
it along its length; or its name is written along it. In a raster the first two also decide
which crossings join (see `sld.connectivity.junctions`), so the wire network is made here, once, or
twice when the second pass finds busbars the first did not know.
"""

from __future__ import annotations

import numpy as np
import shapely

from sld.connectivity.conductors import Conductors
from sld.connectivity.junctions import WireNetwork, build_network
from sld.geometry import BoolArray, FloatArray

#: A segment this many times wider than the page's usual wire, or this much wider (points),
#: is a busbar. (Widths measured in a scan carry the blur on both sides, so a clear difference
#: in points says "busbar" there when the ratio, shrunk by the blur, does not.)
BUS_WIDTH_RATIO = 1.75
BUS_EXTRA_WIDTH = 1.2
#: A traced line this many times wider than the usual wire is a busbar however few things
#: hang on it (a little wider, in a scan, may be the lighting).
SURE_BUS_RATIO = 2.0
#: A straight segment with this many lines teeing into or crossing it is a busbar.
BUS_MIN_TEES = 3
#: A text names a line only when it is this many times longer than high (a clear direction).
NAME_ELONGATION = 2.5
#: A bus name sits within this many of its own line heights of the busbar.
BUS_NAME_REACH = 2.5


def network_and_busbars(
    conductors: Conductors, boxes: FloatArray, name_boxes: FloatArray, crossings_connect: bool
) -> tuple[WireNetwork, BoolArray]:
    """The wire network of the page and which conductor segments are busbars.

    `name_boxes` are the free texts (labels of no component) that may name a busbar.
    """
    busbars = thick_segments(conductors, boxes) | named_segments(conductors, name_boxes)
    network = wire_network_of(conductors, boxes, crossings_connect, busbars)
    # A run with many tees is a busbar too, however thin; in a raster a line crossing it
    # joins it, so the network is made again when that adds busbars.
    tees = many_tees(network, conductors)
    if (tees & ~busbars).any():
        busbars = busbars | tees
        network = wire_network_of(conductors, boxes, crossings_connect, busbars)
        busbars = busbars | many_tees(network, conductors)
    return network, busbars


def wire_network_of(
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


def many_tees(network: WireNetwork, conductors: Conductors) -> BoolArray:
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
    thicker = (widths >= BUS_WIDTH_RATIO * usual) | (widths - usual >= BUS_EXTRA_WIDTH)
    return np.asarray(thicker & (lengths >= 4 * widths))


def _weighted_median(values: FloatArray, weights: FloatArray) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, cumulative[-1] / 2)])

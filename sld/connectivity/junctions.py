"""Where conductors meet: segments cut into pieces at tees, dots and symbol terminals.

The result is a plain network of points and straight pieces between them, the raw material
for the page graph (`sld.connectivity.graph`), which then names buses, junctions and terminals.

The drawing conventions, each one rule:
- Corner or end to end: two segment ends within `snap` of each other are one point.
- Tee: a segment end on another segment's length joins it there (no dot needed).
- Crossing: two segments crossing in their interiors join only where a dot sits on the
  crossing, or everywhere when the drawing's convention says crossings connect. In a raster,
  where two feeders teeing into a busbar from either side look like one line crossing it, a
  crossing also joins where one line is a busbar or drawn clearly thicker than the other.
- Dot: every segment passing within the dot's radius joins at the dot.
- Component: a segment end on a symbol box attaches there; a segment that grazes the box
  (it runs along or over its rim without ending there) attaches at the point nearest the centre.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from numpy.typing import NDArray

from sld.connectivity.conductors import cross_2d
from sld.geometry import FloatArray

IntArray = NDArray[np.intp]

#: A segment this many times wider than the one crossing it, and at least this much wider
#: (points: a pixel of difference between two thin scanned lines is no busbar), is a busbar to
#: that wire.
CROSSING_WIDTH_RATIO = 1.35
CROSSING_EXTRA_WIDTH = 0.8
BoolArray = NDArray[np.bool_]


def _no_ints(columns: int) -> IntArray:
    return np.zeros((0, columns), dtype=np.intp)


@dataclass(frozen=True)
class WireNetwork:
    """Points (P, 2) and the straight pieces (E, 2) of point indices between them."""

    points: FloatArray
    pieces: IntArray
    #: For each piece, the conductor segment it is part of.
    piece_segment: IntArray
    #: (point, symbol index) pairs: the point where a conductor reaches a symbol.
    attachments: IntArray = field(default_factory=lambda: _no_ints(2))
    #: Points with a mark on them (a junction dot, an arrow head at a wire end).
    marked: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    #: For each conductor segment, how many others cross it without joining it.
    crossed: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))


class _Points:
    """Raw points on segments, merged by union-find into the network's points."""

    def __init__(self, segments: FloatArray) -> None:
        count = len(segments)
        self.xy: list[tuple[float, float]] = []
        self.segment: list[int] = []
        self.along: list[float] = []
        self.parent: list[int] = []
        starts, ends = segments[:, :2], segments[:, 2:]
        self.lengths = np.hypot(*(ends - starts).T)
        self.directions = (ends - starts) / np.maximum(self.lengths, 1e-9)[:, None]
        self.starts = starts
        for index in range(count):
            self.add(index, 0.0)
            self.add(index, float(self.lengths[index]))

    def add(self, segment: int, along: float) -> int:
        """A point on `segment` at distance `along` from its start; returns its raw id."""
        x, y = self.starts[segment] + along * self.directions[segment]
        self.xy.append((float(x), float(y)))
        self.segment.append(segment)
        self.along.append(along)
        self.parent.append(len(self.parent))
        return len(self.parent) - 1

    def on(self, segment: int, along: float, near_end: float) -> int:
        """The segment's end point when `along` is within `near_end` of it, else a new point."""
        if along <= near_end:
            return 2 * segment
        if along >= self.lengths[segment] - near_end:
            return 2 * segment + 1
        return self.add(segment, along)

    def find(self, point: int) -> int:
        root = point
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[point] != root:
            self.parent[point], point = root, self.parent[point]
        return root

    def union(self, a: int, b: int) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[max(root_a, root_b)] = min(root_a, root_b)


def build_network(
    segments: FloatArray,
    widths: FloatArray,
    dots: FloatArray,
    boxes: FloatArray,
    snap: float,
    crossings_connect: bool = False,
    busbars: BoolArray | None = None,
) -> WireNetwork:
    """The network of the conductor `segments` (N, 4) with the marks `dots` (M, 4) and the
    symbol `boxes` (K, 4), all in points; `snap` is how far apart ends may lie and still meet.

    `busbars` (N,), for lines traced in a raster, marks the segments that join whatever crosses
    them; with it, a line crossing a clearly thinner one joins it too. A raster cannot tell a
    wire crossing a busbar from two feeders teeing into it from either side; vector strokes
    can (two strokes ending on the bar, or one passing over it), so leave it None for them.
    """
    count = len(segments)
    if not count:
        return WireNetwork(
            points=np.zeros((0, 2)), pieces=_no_ints(2), piece_segment=np.zeros(0, dtype=np.intp)
        )
    raw = _Points(segments)
    lines = shapely.linestrings(segments.reshape(-1, 2, 2))
    tree = shapely.STRtree(lines)
    _join_ends(raw, segments, widths, tree, snap, _end_boxes(segments, boxes, snap))
    if crossings_connect:
        joining = np.ones(count, dtype=bool)
    else:
        joining = np.zeros(count, dtype=bool) if busbars is None else busbars
    crossed = _join_crossings(raw, tree, widths, snap, joining, by_width=busbars is not None)
    marked_raw = _join_dots(raw, widths, dots, tree, snap)
    attachments_raw = _attach_symbols(raw, segments, tree, boxes, snap)
    return _assemble(raw, count, marked_raw, attachments_raw, crossed)


def _end_boxes(segments: FloatArray, boxes: FloatArray, snap: float) -> IntArray:
    """For each segment end (2N,), the symbol box it lies on (grown by `snap`), or -1."""
    ends = segments.reshape(-1, 2)
    found = np.full(len(ends), -1, dtype=np.intp)
    if len(boxes):
        grown = shapely.box(*(boxes + np.asarray([-1.0, -1.0, 1.0, 1.0]) * snap).T)
        box_index, end_index = shapely.STRtree(shapely.points(ends)).query(
            grown, predicate="intersects"
        )
        found[end_index] = box_index
    return found


def _join_ends(
    raw: _Points,
    segments: FloatArray,
    widths: FloatArray,
    tree: shapely.STRtree,
    snap: float,
    end_boxes: IntArray,
) -> None:
    """Corners and tees: each segment end joins the segments it lies on. Two ends on the same
    symbol do not join each other: the symbol is between them (both attach to it instead)."""
    ends = segments.reshape(-1, 2)
    reach = snap + float(widths.max())
    end_index, other = tree.query(shapely.points(ends), predicate="dwithin", distance=reach)
    own = end_index // 2
    keep = own != other
    end_index, other, own = end_index[keep], other[keep], own[keep]
    relative = ends[end_index] - raw.starts[other]
    along = np.einsum("ij,ij->i", relative, raw.directions[other])
    clamped = np.clip(along, 0.0, raw.lengths[other])
    nearest = raw.starts[other] + clamped[:, None] * raw.directions[other]
    distance = np.hypot(*(ends[end_index] - nearest).T)
    touching = distance <= snap + (widths[own] + widths[other]) / 2
    for end, segment, position, own_segment in zip(
        end_index[touching].tolist(),
        other[touching].tolist(),
        clamped[touching].tolist(),
        own[touching].tolist(),
        strict=True,
    ):
        near_end = snap + widths[own_segment] / 2
        point = raw.on(segment, position, near_end)
        if point < 2 * len(segments) and end_boxes[end] >= 0 and end_boxes[point] == end_boxes[end]:
            continue
        raw.union(end, point)


def _join_crossings(
    raw: _Points,
    tree: shapely.STRtree,
    widths: FloatArray,
    snap: float,
    joining: BoolArray,
    by_width: bool,
) -> IntArray:
    """Join segment pairs that cross in both interiors where one of them is `joining` (or,
    `by_width`, clearly thicker than the other); return how many crossings each segment has
    that stay apart."""
    count = len(widths)
    lines = tree.geometries
    first, second = tree.query(lines, predicate="intersects")
    keep = first < second
    first, second = first[keep], second[keep]
    d1, d2 = raw.directions[first], raw.directions[second]
    denominator = cross_2d(d1, d2)
    proper = np.abs(denominator) > 1e-6
    first, second = first[proper], second[proper]
    d1, d2, denominator = d1[proper], d2[proper], denominator[proper]
    offset = raw.starts[second] - raw.starts[first]
    along_first = cross_2d(offset, d2) / denominator
    along_second = cross_2d(offset, d1) / denominator
    interior = (
        (along_first > snap)
        & (along_first < raw.lengths[first] - snap)
        & (along_second > snap)
        & (along_second < raw.lengths[second] - snap)
    )
    thinner = np.minimum(widths[first], widths[second])
    widest = np.maximum(widths[first], widths[second])
    thicker = (widest >= CROSSING_WIDTH_RATIO * thinner) & (
        widest - thinner >= CROSSING_EXTRA_WIDTH
    )
    joins = interior & (joining[first] | joining[second] | (thicker & by_width))
    for a, b, along_a, along_b in zip(
        first[joins].tolist(),
        second[joins].tolist(),
        along_first[joins].tolist(),
        along_second[joins].tolist(),
        strict=True,
    ):
        raw.union(raw.add(a, along_a), raw.add(b, along_b))
    apart = interior & ~joins
    return np.asarray(
        np.bincount(first[apart], minlength=count) + np.bincount(second[apart], minlength=count),
        dtype=np.intp,
    )


def _join_dots(
    raw: _Points,
    widths: FloatArray,
    dots: FloatArray,
    tree: shapely.STRtree,
    snap: float,
) -> set[int]:
    """Join the segments meeting at each dot (a dot on a crossing joins it); return the raw
    points that carry a mark."""
    marked: set[int] = set()
    if not len(dots):
        return marked
    centres = np.stack([(dots[:, 0] + dots[:, 2]) / 2, (dots[:, 1] + dots[:, 3]) / 2], axis=1)
    radii = np.maximum(dots[:, 2] - dots[:, 0], dots[:, 3] - dots[:, 1]) / 2
    dot_index, segment_index = tree.query(
        shapely.points(centres), predicate="dwithin", distance=float(radii.max()) + snap
    )
    relative = centres[dot_index] - raw.starts[segment_index]
    along = np.clip(
        np.einsum("ij,ij->i", relative, raw.directions[segment_index]),
        0.0,
        raw.lengths[segment_index],
    )
    nearest = raw.starts[segment_index] + along[:, None] * raw.directions[segment_index]
    distance = np.hypot(*(centres[dot_index] - nearest).T)
    touching = distance <= radii[dot_index] + snap + widths[segment_index] / 2
    first_of_dot: dict[int, int] = {}
    for dot, segment, position in zip(
        dot_index[touching].tolist(),
        segment_index[touching].tolist(),
        along[touching].tolist(),
        strict=True,
    ):
        point = raw.on(segment, position, float(radii[dot]) + snap)
        marked.add(point)
        if dot in first_of_dot:
            raw.union(first_of_dot[dot], point)
        else:
            first_of_dot[dot] = point
    return marked


def _attach_symbols(
    raw: _Points,
    segments: FloatArray,
    tree: shapely.STRtree,
    boxes: FloatArray,
    snap: float,
) -> list[tuple[int, int]]:
    """(raw point, box) pairs where conductors reach symbols."""
    if not len(boxes):
        return []
    grown = boxes + np.asarray([-1.0, -1.0, 1.0, 1.0]) * snap
    box_index, segment_index = tree.query(shapely.box(*grown.T), predicate="intersects")
    found: list[tuple[int, int]] = []
    ends = segments.reshape(-1, 2, 2)
    for box, segment in zip(box_index.tolist(), segment_index.tolist(), strict=True):
        x0, y0, x1, y1 = grown[box]
        reached = False
        for side in (0, 1):
            x, y = ends[segment, side]
            if x0 <= x <= x1 and y0 <= y <= y1:
                found.append((2 * segment + side, box))
                reached = True
        if reached:
            continue
        centre = np.asarray([(x0 + x1) / 2, (y0 + y1) / 2])
        along = float(
            np.clip(
                (centre - raw.starts[segment]) @ raw.directions[segment],
                0.0,
                raw.lengths[segment],
            )
        )
        found.append((raw.on(segment, along, snap), box))
    return found


def _assemble(
    raw: _Points,
    count: int,
    marked_raw: set[int],
    attachments_raw: list[tuple[int, int]],
    crossed: IntArray,
) -> WireNetwork:
    roots = np.asarray([raw.find(point) for point in range(len(raw.parent))], dtype=np.intp)
    unique_roots, point_of = np.unique(roots, return_inverse=True)
    xy = np.asarray(raw.xy, dtype=np.float64)
    counts = np.bincount(point_of).astype(np.float64)
    points = np.stack(
        [np.bincount(point_of, xy[:, 0]) / counts, np.bincount(point_of, xy[:, 1]) / counts],
        axis=1,
    )
    segment_of = np.asarray(raw.segment, dtype=np.intp)
    along = np.asarray(raw.along, dtype=np.float64)
    order = np.lexsort((along, segment_of))
    pieces: list[tuple[int, int]] = []
    piece_segment: list[int] = []
    for previous, current in zip(order[:-1].tolist(), order[1:].tolist(), strict=True):
        if segment_of[previous] != segment_of[current]:
            continue
        a, b = int(point_of[previous]), int(point_of[current])
        if a != b:
            pieces.append((a, b))
            piece_segment.append(int(segment_of[current]))
    marked = np.zeros(len(unique_roots), dtype=bool)
    marked[point_of[sorted(marked_raw)]] = True
    attachments = sorted({(int(point_of[point]), box) for point, box in attachments_raw})
    return WireNetwork(
        points=points,
        pieces=np.asarray(pieces, dtype=np.intp).reshape(-1, 2),
        piece_segment=np.asarray(piece_segment, dtype=np.intp),
        attachments=np.asarray(attachments, dtype=np.intp).reshape(-1, 2),
        marked=marked,
        crossed=crossed,
    )

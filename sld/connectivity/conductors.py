"""Conductors: the wires and busbars of a page, as straight segments in points.

Vector pages give them exactly: the PDF's own strokes (and long thin filled bars, which some
drawings use for busbars). Raster pages (scans, images) give them through `raster_lines.py`,
which finds straight lines in the image. Either way the strokes that draw a symbol are dropped,
and a conductor that runs through a symbol is cut at the symbol's box, so that the symbol, not
the line, joins the two sides. Junction dots and arrow heads come along as small filled marks.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field

import numpy as np
import shapely
from numpy.typing import NDArray

from sld.detections import Detections
from sld.geometry import FloatArray
from sld.pages.page import PageImage

log = logging.getLogger(__name__)

#: How far (points) apart two conductor ends may lie on a vector page and still touch.
VECTOR_SNAP = 1.0
#: Collinear pieces of a line traced in a raster join across gaps up to this long (points).
RASTER_JOIN_GAP = 6.0
#: ... and across gaps up to this long (points) where a blanked text box cut them.
TEXT_BRIDGE_GAP = 40.0
#: A filled shape no larger than this (points) on either side is a mark: a junction dot, an arrow.
MARK_MAX_SIZE = 12.0
#: A filled shape this elongated and no thicker than `BAR_MAX_WIDTH` is a drawn bar (a busbar).
BAR_MIN_ELONGATION = 6.0
BAR_MAX_WIDTH = 8.0
#: The middle share of a symbol box (per axis) that a conductor must cross to be cut there. A
#: line that only grazes the rim of a loose box (a busbar above a breaker) is not the symbol's.
SYMBOL_CORE = 0.5
#: A box this much longer one way than the other has a long axis (see `_along_long_axis`).
ELONGATED = 1.3
#: A conductor that ends in a symbol box across a line passing through it, and is at least
#: this long (points) and twice the box, is the symbol's feeder: the symbol sits on the line.
MOUNTED_FEEDER = 10.0
#: Collinear pieces join when their directions differ by less than this (degrees).
COLLINEAR_DEGREES = 2.0


def cross_2d(a: FloatArray, b: FloatArray) -> FloatArray:
    """The z component of the cross product of 2-D vectors (rows of `a` and `b`)."""
    return np.asarray(a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0], dtype=np.float64)


def _no_boxes() -> FloatArray:
    return np.zeros((0, 4), dtype=np.float64)


def _no_values() -> FloatArray:
    return np.zeros(0, dtype=np.float64)


@dataclass(frozen=True)
class Conductors:
    """Conductor segments (N, 4) as x0, y0, x1, y1 in points, with their stroke widths (N,)."""

    segments: FloatArray = field(default_factory=_no_boxes)
    widths: FloatArray = field(default_factory=_no_values)
    #: Small filled marks (M, 4) as boxes in points: junction dots and arrow heads.
    dots: FloatArray = field(default_factory=_no_boxes)
    #: How far apart (points) two ends may lie and still touch: the drawing's precision.
    snap: float = VECTOR_SNAP
    #: True when the lines were found in the raster (a scan), not read from vector strokes.
    from_raster: bool = False
    #: Strokes that are no conductor but that a label is not linked across (N, 4): the dashed
    #: lines of a vector page (enclosures, mechanical links).
    walls: FloatArray = field(default_factory=_no_boxes)

    def __len__(self) -> int:
        return len(self.segments)


def extract_conductors(page: PageImage, symbols: Detections, texts: Detections) -> Conductors:
    """The page's conductors: vector strokes where the page has them, else lines in the raster."""
    if page.vector is not None and len(page.vector.segments):
        return _from_vector(page, symbols)
    from sld.connectivity.raster_lines import trace_raster_lines

    lines = trace_raster_lines(page, symbols.boxes, texts.boxes)
    # Scanned lines break where the ink is faint or a text box was blanked: the pieces are
    # joined across wider gaps first, then cut at the symbols (so no gap joins across one).
    segments, widths = merge_collinear(
        lines.segments, lines.widths, RASTER_JOIN_GAP, texts.boxes, TEXT_BRIDGE_GAP
    )
    segments, widths = cut_at_symbols(segments, widths, symbols.boxes)
    segments, widths = merge_collinear(segments, widths, lines.snap)
    log.info("%s: %d conductor segments traced in the raster", page.where, len(segments))
    return Conductors(
        segments=segments,
        widths=widths,
        dots=_outside_symbols(lines.marks, symbols.boxes),
        snap=lines.snap,
        from_raster=True,
    )


def _from_vector(page: PageImage, symbols: Detections) -> Conductors:
    assert page.vector is not None
    segments, widths = page.vector.segments, page.vector.widths
    keep = np.hypot(segments[:, 2] - segments[:, 0], segments[:, 3] - segments[:, 1]) > 1e-6
    # A dashed line joining every conductor it crosses would read as a busbar.
    dashed = page.vector.dashed if len(page.vector.dashed) else np.zeros(len(segments), bool)
    walls = segments[keep & dashed]
    keep &= ~dashed
    marks, bars, bar_widths = split_fills(page.vector.fills)
    segments = np.concatenate([segments[keep], bars])
    widths = np.concatenate([widths[keep], bar_widths])
    segments, widths = cut_at_symbols(segments, widths, symbols.boxes)
    segments, widths = merge_collinear(segments, widths, VECTOR_SNAP)
    return Conductors(
        segments=segments,
        widths=widths,
        dots=_outside_symbols(marks, symbols.boxes),
        snap=VECTOR_SNAP,
        walls=walls,
    )


def split_fills(fills: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Filled shapes as (marks, bar segments, bar widths): small ones are marks (dots, arrow
    heads); long thin ones are bars drawn filled instead of stroked; the rest is not wiring."""
    width = fills[:, 2] - fills[:, 0]
    height = fills[:, 3] - fills[:, 1]
    small = np.maximum(width, height) <= MARK_MAX_SIZE
    thin = np.minimum(width, height)
    bar = (
        ~small
        & (thin <= BAR_MAX_WIDTH)
        & (np.maximum(width, height) >= BAR_MIN_ELONGATION * np.maximum(thin, 1e-6))
    )
    middle_x = (fills[:, 0] + fills[:, 2]) / 2
    middle_y = (fills[:, 1] + fills[:, 3]) / 2
    across = width >= height
    bars = np.where(
        across[:, None],
        np.stack([fills[:, 0], middle_y, fills[:, 2], middle_y], axis=1),
        np.stack([middle_x, fills[:, 1], middle_x, fills[:, 3]], axis=1),
    )
    return fills[small], bars[bar].reshape(-1, 4), thin[bar]


def _outside_symbols(marks: FloatArray, boxes: FloatArray) -> FloatArray:
    """Marks whose centre is in no symbol box (a symbol's own filled parts are not junctions)."""
    if not len(marks) or not len(boxes):
        return marks.reshape(-1, 4)
    cx = (marks[:, 0] + marks[:, 2]) / 2
    cy = (marks[:, 1] + marks[:, 3]) / 2
    inside = (
        (cx[:, None] > boxes[None, :, 0])
        & (cx[:, None] < boxes[None, :, 2])
        & (cy[:, None] > boxes[None, :, 1])
        & (cy[:, None] < boxes[None, :, 3])
    ).any(axis=1)
    return marks[~inside]


def cut_at_symbols(
    segments: FloatArray, widths: FloatArray, boxes: FloatArray, margin: float = VECTOR_SNAP
) -> tuple[FloatArray, FloatArray]:
    """Drop the strokes inside symbol boxes and cut the lines that run through a symbol.

    A segment wholly inside a box (grown by `margin`) draws the symbol and goes. A segment that
    ends in the box, crosses the box's core (its middle half across each axis) or runs through
    an elongated box from end to end along its long side is a conductor to or through the
    symbol: the part inside the box goes, so the two sides meet only through the component. A
    segment that only grazes the rim of a box, or that a symbol is mounted on (a disconnector
    drawn on its busbar, its feeder leaving across the bar), is kept whole; the graph stage
    attaches the symbol to it.
    """
    if not len(segments) or not len(boxes):
        return segments.reshape(-1, 4), widths.reshape(-1)
    grown = boxes + np.asarray([-1.0, -1.0, 1.0, 1.0]) * margin
    size = boxes[:, 2:] - boxes[:, :2]
    inset = np.concatenate([size, -size], axis=1) * (1 - SYMBOL_CORE) / 2
    core = boxes + inset
    lines = shapely.linestrings(segments.reshape(-1, 2, 2))
    box_index, segment_index = shapely.STRtree(lines).query(
        shapely.box(*grown.T), predicate="intersects"
    )
    if not len(box_index):
        return segments, widths

    ends = segments.reshape(-1, 2, 2)[segment_index]
    chosen = grown[box_index]
    end_inside = (
        (ends[:, :, 0] >= chosen[:, None, 0])
        & (ends[:, :, 0] <= chosen[:, None, 2])
        & (ends[:, :, 1] >= chosen[:, None, 1])
        & (ends[:, :, 1] <= chosen[:, None, 3])
    )
    inside = end_inside.all(axis=1)
    through = (
        end_inside.any(axis=1)
        | shapely.intersects(lines[segment_index], shapely.box(*core[box_index].T))
        | _along_long_axis(segments[segment_index], boxes[box_index])
    )
    through &= ~_mounted_on(segments, boxes, segment_index, box_index, end_inside)
    dropped = np.zeros(len(segments), dtype=bool)
    dropped[segment_index[inside]] = True
    cutters: dict[int, list[int]] = {}
    for segment, box in zip(
        segment_index[through & ~inside].tolist(),
        box_index[through & ~inside].tolist(),
        strict=True,
    ):
        if not dropped[segment]:
            cutters.setdefault(segment, []).append(box)

    untouched = ~dropped
    untouched[list(cutters)] = False
    kept = [segments[untouched]]
    kept_widths = [widths[untouched]]
    for segment, chosen_boxes in cutters.items():
        area = shapely.union_all(shapely.box(*grown[chosen_boxes].T))
        rest = shapely.difference(lines[segment], area)
        pieces = _pieces(rest)
        kept.append(pieces)
        kept_widths.append(np.full(len(pieces), widths[segment]))
    return np.concatenate(kept), np.concatenate(kept_widths)


def _end_to_end_joint(
    segments: FloatArray,
    first: NDArray[np.intp],
    second: NDArray[np.intp],
    longer: NDArray[np.intp],
    shorter: NDArray[np.intp],
    directions: FloatArray,
    lengths: FloatArray,
    gap: float,
) -> FloatArray:
    """For each collinear pair, the point where the two meet end to end (NaN where they overlap
    by more than `gap`: a duplicate stroke, not a joint)."""
    starts = segments[:, :2]
    relative = np.stack(
        [starts[shorter] - starts[longer], segments[shorter, 2:] - starts[longer]], axis=1
    )
    along = np.einsum("pkj,pj->pk", relative, directions[longer])
    low, high = along.min(axis=1), along.max(axis=1)
    overlap = np.minimum(high, lengths[longer]) - np.maximum(low, 0.0)
    at_far_end = low >= lengths[longer] - gap
    position = np.where(at_far_end, (lengths[longer] + low) / 2, (high + 0.0) / 2)
    joint = np.asarray(starts[longer] + position[:, None] * directions[longer], dtype=np.float64)
    joint[overlap > gap] = np.nan
    return joint


def _joint_touches_other(
    joints: FloatArray,
    segments: FloatArray,
    directions: FloatArray,
    first: NDArray[np.intp],
    second: NDArray[np.intp],
    lines: NDArray[np.object_],
    gap: float,
) -> NDArray[np.bool_]:
    """Which joints lie on a segment that is not parallel to the pair."""
    touched = np.zeros(len(joints), dtype=bool)
    real = ~np.isnan(joints[:, 0])
    if not real.any():
        return touched
    tree = shapely.STRtree(lines)
    joint_index, other = tree.query(shapely.points(joints[real]), predicate="dwithin", distance=gap)
    pair_rows = np.flatnonzero(real)[joint_index]
    crossing = np.abs(cross_2d(directions[first[pair_rows]], directions[other])) >= np.sin(
        np.radians(COLLINEAR_DEGREES)
    )
    touched[pair_rows[crossing]] = True
    return touched


def _mounted_on(
    segments: FloatArray,
    boxes: FloatArray,
    segment_index: NDArray[np.intp],
    box_index: NDArray[np.intp],
    end_inside: NDArray[np.bool_],
) -> NDArray[np.bool_]:
    """For each (segment, box) pair, whether the box is mounted on the segment: the segment
    passes through the box while another conductor ends in it across the segment's direction
    (a disconnector drawn on its busbar, with its feeder leaving at right angles). The segment
    then joins the symbol where it passes and is not cut."""
    mounted = np.zeros(len(segment_index), dtype=bool)
    starts, ends = segments[:, :2], segments[:, 2:]
    lengths = np.hypot(*(ends - starts).T)
    directions = (ends - starts) / np.maximum(lengths, 1e-9)[:, None]
    # A feeder leaving the symbol, not a stub of the symbol's own drawing: longer than the box.
    size = boxes[box_index, 2:] - boxes[box_index, :2]
    long_enough = lengths[segment_index] >= np.maximum(2 * size.max(axis=1), MOUNTED_FEEDER)
    ending = end_inside.any(axis=1) & ~end_inside.all(axis=1) & long_enough
    passing = ~end_inside.any(axis=1)
    if not (ending.any() and passing.any()):
        return mounted
    enders: dict[int, list[int]] = {}
    for segment, box in zip(
        segment_index[ending].tolist(), box_index[ending].tolist(), strict=True
    ):
        enders.setdefault(box, []).append(segment)
    for row in np.flatnonzero(passing):
        others = enders.get(int(box_index[row]), [])
        if others:
            sines = np.abs(cross_2d(directions[others], directions[segment_index[row]]))
            mounted[row] = bool((sines >= np.sin(np.radians(30))).any())
    return mounted


def _along_long_axis(segments: FloatArray, boxes: FloatArray) -> NDArray[np.bool_]:
    """Which segments run right through an elongated box along its long side, from one end to
    the other: a conductor through a symbol drawn off to one side of it (a current transformer
    beside the wire), not a busbar grazing the end of a breaker's box."""
    dx = np.abs(segments[:, 2] - segments[:, 0])
    dy = np.abs(segments[:, 3] - segments[:, 1])
    width = boxes[:, 2] - boxes[:, 0]
    height = boxes[:, 3] - boxes[:, 1]
    low_y, high_y = (
        np.minimum(segments[:, 1], segments[:, 3]),
        np.maximum(segments[:, 1], segments[:, 3]),
    )
    low_x, high_x = (
        np.minimum(segments[:, 0], segments[:, 2]),
        np.maximum(segments[:, 0], segments[:, 2]),
    )
    tall = (
        (height >= ELONGATED * width)
        & (dy >= 2 * dx)
        & (low_y < boxes[:, 1])
        & (high_y > boxes[:, 3])
    )
    wide = (
        (width >= ELONGATED * height)
        & (dx >= 2 * dy)
        & (low_x < boxes[:, 0])
        & (high_x > boxes[:, 2])
    )
    return np.asarray(tall | wide)


def _pieces(geometry: shapely.Geometry) -> FloatArray:
    """The straight pieces (K, 4) of a (multi)line geometry, zero-length ones left out."""
    found = []
    for part in shapely.get_parts(geometry):
        coords = shapely.get_coordinates(part)
        for start, end in itertools.pairwise(coords):
            if np.hypot(*(end - start)) > 1e-6:
                found.append(np.concatenate([start, end]))
    return np.asarray(found, dtype=np.float64).reshape(-1, 4)


def merge_collinear(
    segments: FloatArray,
    widths: FloatArray,
    gap: float,
    bridges: FloatArray | None = None,
    bridge_gap: float = 0.0,
) -> tuple[FloatArray, FloatArray]:
    """Join collinear segments that overlap or lie within `gap` of each other end to end, or
    within `bridge_gap` where the gap between them lies inside the `bridges` boxes (text boxes
    blanked out of a raster, which cut the lines under them).

    PDFs often draw one wire as several strokes (or the same stroke twice), and lines traced in
    a raster come in pieces; the graph wants one segment per straight run. A joined run keeps
    the width most of its length is drawn with. Pieces a symbol box separates stay apart: the
    box's gap is wider.
    """
    count = len(segments)
    if count < 2:
        return segments.reshape(-1, 4), widths.reshape(-1)
    starts, ends = segments[:, :2], segments[:, 2:]
    lengths = np.hypot(*(ends - starts).T)
    directions = (ends - starts) / np.maximum(lengths, 1e-9)[:, None]
    lines = shapely.linestrings(segments.reshape(-1, 2, 2))
    bridging = bridges is not None and len(bridges) > 0 and bridge_gap > gap
    reach = bridge_gap if bridging else gap
    first, second = shapely.STRtree(lines).query(lines, predicate="dwithin", distance=reach)
    pair = first < second
    first, second = first[pair], second[pair]
    if bridging:
        assert bridges is not None
        apart = shapely.distance(lines[first], lines[second]) > gap
        if apart.any():
            area = shapely.union_all(shapely.box(*(bridges + np.asarray([-1, -1, 1, 1])).T))
            spans = shapely.shortest_line(lines[first[apart]], lines[second[apart]])
            bridged = np.ones(len(first), dtype=bool)
            bridged[apart] = shapely.covered_by(spans, area)
            first, second = first[bridged], second[bridged]
    sine = np.abs(cross_2d(directions[first], directions[second]))
    parallel = sine < np.sin(np.radians(COLLINEAR_DEGREES))
    first, second = first[parallel], second[parallel]
    # Both ends of the shorter one must lie on the longer one's line.
    longer = np.where(lengths[first] >= lengths[second], first, second)
    shorter = np.where(longer == first, second, first)
    tolerance = np.maximum(gap, (widths[first] + widths[second]) / 4)
    offsets = np.abs(
        np.stack(
            [
                cross_2d(directions[longer], starts[shorter] - starts[longer]),
                cross_2d(directions[longer], ends[shorter] - starts[longer]),
            ],
            axis=1,
        )
    ).max(axis=1)
    joined = offsets <= tolerance
    # End to end (not overlapping), two runs meet at a joint; where that joint lies on a third
    # line, both ends join that line there (two tees), so the runs must stay apart.
    joint = _end_to_end_joint(segments, first, second, longer, shorter, directions, lengths, gap)
    if len(joint):
        touched = _joint_touches_other(joint, segments, directions, first, second, lines, gap)
        joined &= ~touched
    if not joined.any():
        return segments, widths

    import networkx as nx

    groups = nx.Graph()
    groups.add_nodes_from(range(count))
    groups.add_edges_from(zip(first[joined].tolist(), second[joined].tolist(), strict=True))
    merged, merged_widths = [], []
    for members in nx.connected_components(groups):
        chosen = np.fromiter(members, dtype=np.intp)
        if len(chosen) == 1:
            merged.append(segments[chosen[0]])
            merged_widths.append(widths[chosen[0]])
            continue
        main = chosen[np.argmax(lengths[chosen])]
        origin, direction = starts[main], directions[main]
        normal = np.asarray([-direction[1], direction[0]])
        points = np.concatenate([starts[chosen], ends[chosen]]) - origin
        along = points @ direction
        across = float(np.average(points @ normal, weights=np.tile(lengths[chosen], 2) + 1e-9))
        base = origin + across * normal
        merged.append(
            np.concatenate([base + along.min() * direction, base + along.max() * direction])
        )
        # The width most of the run is drawn with: a short thick piece (a symbol's stroke
        # traced with the wire) must not make a wire a busbar.
        order = np.argsort(widths[chosen])
        covered = np.cumsum(lengths[chosen][order])
        merged_widths.append(widths[chosen][order][np.searchsorted(covered, covered[-1] / 2)])
    return np.asarray(merged, dtype=np.float64), np.asarray(merged_widths, dtype=np.float64)

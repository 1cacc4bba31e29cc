"""Where symbols can be: ink beside the conductors of a single-line diagram.

Symbols sit on conductors: a breaker interrupts a wire, a motor ends one. So the search does not
slide every exemplar over the whole page; it follows the straight vertical and horizontal lines
(`Axis`), and along each it looks for ink that is not the line itself. Runs of such ink along the
line (`Candidate`) give a symbol's position, its direction (the line's) and its size, which
fixes the scale at which each exemplar is tried. Consecutive runs close together are also
offered joined (a draw-out breaker is three runs: two chevrons and the box).

Long lines (conductors, buses, the frame) are removed before looking for that ink, so that what
is left falls apart into symbols; shorter lines (stubs between two symbols, short branches)
still count as axes. Everything here runs on the page reduced to about 100 dpi.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from sld.geometry import FloatArray
from sld.pages.ink import Binary, pool

#: Lines at least this long (points) are conductors, buses or frame: removed before grouping.
LONG_LINE_PT = 43.0
#: Straight lines at least this long (points) are axes that symbols may sit on.
AXIS_LINE_PT = 17.0
#: A symbol may sit this far (points) beyond the end of the line it is on (a motor ends a wire,
#: a breaker sits between two stubs).
AXIS_REACH_PT = 108.0
#: Runs closer than this (points) along an axis are one run (the two core lines of a
#: transformer); runs joined into one candidate may be apart by this share of the whole.
MERGE_GAP_PT = 2.2
JOIN_GAP_SHARE = 0.6
#: At most this many consecutive runs are joined into one candidate.
MAX_JOINED = 4
#: Ink grows by about this much (working pixels) each way when pooled to the working size.
POOLING_GROWTH = 0.5
#: How far across a line (working pixels) its swellings are measured.
SWELL_REACH = 8
#: A line must have ink along this share of its length.
SOLID_SHARE = 0.85
#: Working resolution in pixels per point (about 100 dpi).
WORK_PX_PER_PT = 100.0 / 72.0


@dataclass(frozen=True)
class Axis:
    """A straight conductor line: cross = offset + slope * along, from `start` to `end`."""

    vertical: bool
    offset: float
    slope: float
    start: float
    end: float
    thickness: float

    def cross_at(self, along: float) -> float:
        return self.offset + self.slope * along

    def cross_of(self, along: FloatArray) -> FloatArray:
        """`cross_at` for many positions."""
        return np.asarray(self.offset + self.slope * along, dtype=np.float64)

    @property
    def length(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Candidate:
    """Ink beside a conductor that may be one symbol; page pixels.

    `axis` is the line's cross coordinate (x for a vertical line) at the candidate; `start` and
    `end` bound the ink along the line; `low` and `high` its extent across, relative to the line
    (`low` <= 0 <= `high`).
    """

    vertical: bool
    axis: float
    start: float
    end: float
    low: float
    high: float

    @property
    def box(self) -> tuple[float, float, float, float]:
        if self.vertical:
            return (self.axis + self.low, self.start, self.axis + self.high, self.end)
        return (self.start, self.axis + self.low, self.end, self.axis + self.high)


def straight_lines(work: Binary, length: int, vertical: bool) -> tuple[list[Axis], Binary]:
    """Vertical (or horizontal) straight lines at least `length` pixels long: axes and ink.

    Runs are looked for on a copy thickened by one pixel across, so that a scan turned by a
    degree still holds its long lines; a run then counts as a line only if the drawing itself
    has ink along `SOLID_SHARE` of it (the thickened copy would also make a line out of the
    humps of a transformer's coil).
    """
    across = np.ones((1, 3) if vertical else (3, 1), np.uint8)
    along = np.ones((length, 1) if vertical else (1, length), np.uint8)
    opened = cv2.morphologyEx(cv2.dilate(work, across), cv2.MORPH_OPEN, along)
    on_line = np.bitwise_and(opened, work).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(on_line, connectivity=8)
    axes = []
    mask = np.zeros_like(work)
    for index in range(1, count):
        x, y, width, height, area = (int(v) for v in stats[index])
        span = height if vertical else width
        if span < length:
            continue
        part = labels[y : y + height, x : x + width] == index
        turned = part if vertical else part.T
        # Rows of `turned` run along the line: the middle of each row's ink is on the line.
        counts = turned.sum(axis=1)
        rows = np.flatnonzero(counts)
        if len(rows) < SOLID_SHARE * span:
            continue
        first, cross_first = (y, x) if vertical else (x, y)
        middles = (turned[rows] * np.arange(turned.shape[1])[None, :]).sum(axis=1)
        middles = middles / counts[rows] + cross_first
        positions = rows.astype(np.float64) + first
        if len(rows) > 100:
            slope, offset = np.polyfit(positions, middles, 1)
        else:
            slope, offset = 0.0, float(middles.mean())
        axes.append(
            Axis(
                vertical,
                float(offset),
                float(slope),
                float(first),
                float(first + span),
                area / span,
            )
        )
        mask[y : y + height, x : x + width][part] = 1
    return merge_collinear(axes), mask


def merge_collinear(axes: list[Axis]) -> list[Axis]:
    """Pieces of one line (cut by the symbols on it) as one axis, weighted by length."""
    merged: list[Axis] = []
    for axis in sorted(axes, key=lambda a: a.cross_at((a.start + a.end) / 2)):
        if merged:
            last = merged[-1]
            middle = (axis.start + axis.end) / 2
            if abs(last.cross_at(middle) - axis.cross_at(middle)) < 2.0:
                share = axis.length / (axis.length + last.length)
                merged[-1] = Axis(
                    axis.vertical,
                    last.offset * (1 - share) + axis.offset * share,
                    last.slope * (1 - share) + axis.slope * share,
                    min(last.start, axis.start),
                    max(last.end, axis.end),
                    max(last.thickness, axis.thickness),
                )
                continue
        merged.append(axis)
    return merged


@dataclass(frozen=True)
class Layout:
    """What the search takes from a page's lines: the candidates, and where the long vertical
    and horizontal lines (conductors, buses, the frame) run, grown by a few pixels; all in
    page pixels."""

    candidates: list[Candidate]
    long_vertical: Binary
    long_horizontal: Binary


def find_candidates(ink: Binary, px_per_pt: float) -> Layout:
    """Candidates for symbols on a page's ink mask (pixels at `px_per_pt`), in its pixels."""
    factor = min(1.0, WORK_PX_PER_PT / px_per_pt)
    work = pool(ink, factor) if factor < 1.0 else ink
    work_pt = px_per_pt * factor
    long_length = max(3, round(LONG_LINE_PT * work_pt))
    axis_length = max(3, round(AXIS_LINE_PT * work_pt))
    _, long_v = straight_lines(work, long_length, vertical=True)
    _, long_h = straight_lines(work, long_length, vertical=False)
    axes_v, _ = straight_lines(work, axis_length, vertical=True)
    axes_h, _ = straight_lines(work, axis_length, vertical=False)
    axes = axes_v + axes_h
    square = np.ones((3, 3), np.uint8)
    lines = cv2.dilate(np.bitwise_or(long_v, long_h), square)
    # For the swellings of a line: the drawing less the long lines crossing it (buses, tees).
    without_h = np.bitwise_and(work, 1 - cv2.dilate(long_h, square)).astype(np.uint8)
    without_v = np.bitwise_and(work, 1 - cv2.dilate(long_v, square)).astype(np.uint8)
    loose = np.bitwise_and(work, 1 - lines).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(loose, connectivity=8)
    height, width = ink.shape

    def full_size(mask: Binary) -> Binary:
        grown = cv2.dilate(mask, square)
        return np.asarray(
            cv2.resize(grown, (width, height), interpolation=cv2.INTER_NEAREST), dtype=np.uint8
        )

    long_vertical, long_horizontal = full_size(long_v), full_size(long_h)
    if count <= 1:
        return Layout([], long_vertical, long_horizontal)
    reach = AXIS_REACH_PT * work_pt
    merge_gap = MERGE_GAP_PT * work_pt
    found: dict[tuple[object, ...], Candidate] = {}
    for axis in axes:
        crossed = without_h if axis.vertical else without_v
        for candidate in _along(axis, crossed, labels, stats, reach, merge_gap):
            scaled = Candidate(
                candidate.vertical,
                candidate.axis / factor,
                candidate.start / factor,
                candidate.end / factor,
                candidate.low / factor,
                candidate.high / factor,
            )
            key = (
                scaled.vertical,
                *(round(v / 3.0) for v in (scaled.axis, scaled.start, scaled.end)),
                *(round(v / 3.0) for v in (scaled.low, scaled.high)),
            )
            found.setdefault(key, scaled)
    return Layout(list(found.values()), long_vertical, long_horizontal)


def _swellings(
    axis: Axis, work: Binary, along: np.ndarray, line: np.ndarray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Positions along the axis where the ink around the line is wider than the line, with
    the ink's extent across (from the line) on either side."""
    reach = SWELL_REACH
    if axis.vertical:
        padded = np.pad(work, ((0, 0), (reach, reach)))
        window = padded[along[:, None], line[:, None] + np.arange(2 * reach + 1)[None, :]]
    else:
        padded = np.pad(work, ((reach, reach), (0, 0)))
        window = padded[line[:, None] + np.arange(2 * reach + 1)[None, :], along[:, None]]
    # Ink continuing from the line outwards, each way (the line's own pixel included).
    high = np.cumprod(window[:, reach:], axis=1).sum(axis=1)
    low = np.cumprod(window[:, reach::-1], axis=1).sum(axis=1)
    width = low + high - 1
    swollen = (low > 0) & (width > axis.thickness + 2.5)
    return (
        along[swollen].astype(np.float64),
        -(low[swollen].astype(np.float64)),
        high[swollen].astype(np.float64),
    )


def _along(
    axis: Axis,
    work: Binary,
    labels: np.ndarray,
    stats: np.ndarray,
    reach: float,
    merge_gap: float,
) -> list[Candidate]:
    """Runs of ink beside one axis, and joins of consecutive runs, in working pixels."""
    rows, cols = labels.shape
    span = rows if axis.vertical else cols
    across_span = cols if axis.vertical else rows
    along = np.arange(max(0, int(axis.start - reach)), min(span, int(axis.end + reach)))
    if along.size == 0:
        return []
    line = np.round(axis.cross_of(along.astype(np.float64))).astype(np.int64)
    touching: set[int] = set()
    # Ink beside the line was cut off it with the line's thickness plus a pixel: look that far.
    reach_across = round(axis.thickness / 2) + 4
    for step in range(-reach_across, reach_across + 1):
        across = line + step
        inside = (across >= 0) & (across < across_span)
        if axis.vertical:
            touching.update(np.unique(labels[along[inside], across[inside]]).tolist())
        else:
            touching.update(np.unique(labels[across[inside], along[inside]]).tolist())
    touching.discard(0)
    points = [np.zeros((0, 2), dtype=np.int64)]
    for label in touching:
        x, y, width, height, _ = (int(v) for v in stats[label])
        ys, xs = np.nonzero(labels[y : y + height, x : x + width] == label)
        points.append(np.stack([xs + x, ys + y], axis=1))
    xy = np.concatenate(points).astype(np.float64)
    position = xy[:, 1] if axis.vertical else xy[:, 0]
    offset = (xy[:, 0] if axis.vertical else xy[:, 1]) - axis.cross_of(position)
    half_band = max(1.5, axis.thickness / 2 + 1.5)
    beside = np.abs(offset) > half_band
    position, offset = position[beside], offset[beside]
    # Where the line itself swells (a small cross or contact drawn on it, thick strokes) the
    # ink beside it is lost with the line: count the swelling as ink beside the line.
    swell_at, swell_low, swell_high = _swellings(axis, work, along, line)
    position = np.concatenate([position, swell_at, swell_at])
    offset = np.concatenate([offset, swell_low, swell_high])
    if position.size == 0:
        return []
    order = np.argsort(position, kind="stable")
    position, offset = position[order], offset[order]
    cuts = np.flatnonzero(np.diff(position) > 1) + 1
    runs: list[list[float]] = []
    for run_pos, run_off in zip(np.split(position, cuts), np.split(offset, cuts), strict=True):
        run = [run_pos[0], run_pos[-1] + 1, run_off.min(), run_off.max(), float(len(run_pos))]
        if runs and run[0] - runs[-1][1] <= merge_gap:
            previous = runs[-1]
            runs[-1] = [
                previous[0],
                run[1],
                min(previous[2], run[2]),
                max(previous[3], run[3]),
                previous[4] + run[4],
            ]
        else:
            runs.append(run)
    candidates = []
    for first in range(len(runs)):
        for last in range(first, min(first + MAX_JOINED, len(runs))):
            start, end = runs[first][0], runs[last][1]
            if last > first and runs[last][0] - runs[last - 1][1] > JOIN_GAP_SHARE * (end - start):
                break
            group = runs[first : last + 1]
            if sum(r[4] for r in group) < 4:
                continue
            low = min(min(r[2] for r in group), -half_band)
            high = max(max(r[3] for r in group), half_band)
            centre = axis.cross_at((start + end) / 2)
            # Pooling to the working resolution grows ink by up to a pixel each way.
            candidates.append(
                Candidate(
                    axis.vertical,
                    centre,
                    start + POOLING_GROWTH,
                    end - POOLING_GROWTH,
                    min(low + POOLING_GROWTH, -half_band),
                    max(high - POOLING_GROWTH, half_band),
                )
            )
    return candidates

"""Devices on a page, whatever they look like: the symbols' places and tight boxes.

What the line drawing leaves once conductors, dashed lines and text are gone
(`linework.Linework.residual`) falls apart into blobs. A blob that sits on a conductor is a
device candidate, unless it is one of the drawing conventions that also sit on conductors:

- conductor-count ticks: short diagonal strokes across a conductor that runs on through them
  (thick ones, and the neutral's with a dot at its end, too);
- junction dots: small solid blobs where conductors meet;
- filled annotations: large solid shapes (cable-length balloons);
- terminal strips: three or more small equal marks in a row;
- marks outside the sheet frame (zone ticks), marks in the cells of tables (the title block,
  schedules: `sld.symbols.tables`) and lone letters.

A device whose terminals stop a little short of their conductors is still on them, and
devices drawn end to end with no wire between them (a meter right on top of a breaker) are
one device each. Candidates joined by a short chain of dashes (the mechanical link of a two-,
three- or four-pole device) are one device, and so is a device whose conductors arrive at two
or more places on both ends with a drawing alike on each (poles side by side, their link drawn
too finely to tell apart, as dots in a scan): its poles are the per-conductor slices. What
lies inside a device's box is part of it (a thermal release drawn inside a breaker's relay
block).

The box of a candidate is its tight box: the strokes of the body, without the straight lead
stubs that run from its terminals along the conductor (on the sheet they cannot be told from
the wire). Which exemplar, if any, explains a candidate
is the classifier's question (`sld.symbols.classify`); a candidate that none explains is a
device of type `symbol`, so that the connectivity graph never runs a wire through it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import pairwise

import cv2
import numpy as np
from networkx.utils import UnionFind

from sld.pages.ink import Binary
from sld.symbols.linework import Linework
from sld.symbols.tables import table_cells

#: Strokes of one symbol are at most this far apart (units) ...
JOIN_UNITS = 0.3
#: ... or this far, when a conductor joins them (a symbol drawn over its wire).
BRIDGE_UNITS = 0.5
#: Candidates smaller than this (longer side, units) are specks; larger than this, not one
#: symbol (a legend, a table).
SMALLEST_UNITS = 1.0
#: ... and without its leads, a device is at least this long (units): one lettering height.
#: Below it, on the catalogue's calibration sheets (seed 1000), the foreign office's
#: development sheets (seed 9300) and every QElectroTech page, vector and scanned, there were
#: 0 devices and 51 specks (scan noise, letter fragments), which, stretched to the
#: comparison's square, resemble anything.
#: Up to 1.2 there were 87 more specks and still no device there, but the powsybl diagrams'
#: smallest devices are 1.0 to 1.1 lettering heights long.
TRIMMED_UNITS = 1.0
LARGEST_UNITS = 20.0
#: Ticks are at most this long (units), and each stroke of one this much longer than wide.
TICK_UNITS = 2.0
TICK_ELONGATION = 2.5
#: A tick leans on the conductor it crosses by this many degrees (the QElectroTech users'
#: ticks lean 70-75 degrees; square to it, a stroke is a bar; flatter, it is more likely two
#: pieces of a transformer's windings that meet the conductor) ...
TICK_LEAN_DEGREES = (35.0, 80.0)
#: ... its pixels lie this close to its centre line (rms, units), its dot included, and it is
#: at least this long (units; the QElectroTech users' ticks are 1.5 to 2 long, the rings on
#: their terminals 0.6 wide).
TICK_SPREAD_UNITS = 0.13
TICK_SHORTEST_UNITS = 0.9
#: ... and no other stroke comes this close to where it crosses its conductor (units).
TICK_ALONE_UNITS = 0.45
#: Solid shapes (share of the box inked) are dots when small, balloons when large (units).
SOLID_SHARE = 0.55
DOT_UNITS = 1.0
#: A mark at a conductor's end no longer than this (units) is an off-page arrow or a
#: terminal's ring, not a device (the smallest devices that end a conductor, motors and
#: loads, are twice that).
END_MARK_UNITS = 1.6
#: A ring on a conductor no larger than this (units) is a terminal ...
RING_UNITS = 1.2
#: ... and at a conductor's end no larger than this (a relay lead's ring, 1.7 units on the
#: foreign office's development sheets; a motor or load there is 3 or more).
END_RING_UNITS = 2.0
#: Terminal-strip marks are at most this large (units), at least this many in a row.
STRIP_MARK_UNITS = 1.3
STRIP_COUNT = 3
#: Strokes off the conductors (a transformer's core between its coils) belong to the device
#: within this distance (units), if at least this long (units).
LOOSE_REACH_UNITS = 0.8
LOOSE_UNITS = 0.3
#: Parts of one device on one conductor (the draw-out contacts of a breaker beside its box):
#: at most this far apart along it (units), the smaller at most this share of the larger.
PART_GAP_UNITS = 1.0
PART_SHARE = 0.6
#: Two parts facing each other across a gap in their conductor (windings, plates) at most
#: this far apart (units).
FACING_GAP_UNITS = 3.0
#: How far (units) a dash chain's end may stop short of the pole it ties.
LINK_REACH_UNITS = 0.8
#: Poles drawn side by side on parallel conductors (no link drawn) are at least this far apart
#: (units).
POLE_PITCH_UNITS = 1.0
#: A blob with at least this share of its box within a larger device's box is part of it.
ENCLOSED_SHARE = 0.3

#: A device-sized blob that no conductor reaches within a quarter unit is looked at again
#: with this reach (units): QElectroTech's elements leave a third of a unit between a terminal
#: and its wire.
FAR_ARRIVAL_UNITS = 0.4

SIDES = ("top", "right", "bottom", "left")


@dataclass(frozen=True)
class DeviceCandidate:
    """A place where the drawing shows a device, in working pixels of its `Linework`."""

    #: Tight box (x0, y0, x1, y1), pixel edges.
    box: tuple[int, int, int, int]
    #: Sides of the box where conductors attach.
    sides: frozenset[str]
    #: How many single-pole drawings a mechanical link ties together here.
    poles: int
    #: How sure the page is that this is a device at all, in [0, 1].
    score: float
    #: The blob's strokes within `box` (residual ink), uint8 0/1.
    strokes: Binary = field(repr=False)
    #: The tight boxes of its poles, when a mechanical link tied several (else empty).
    parts: tuple[tuple[int, int, int, int], ...] = ()

    @property
    def vertical(self) -> bool:
        """Whether the conductor runs through it top to bottom (else left to right)."""
        along_v = len(self.sides & {"top", "bottom"})
        along_h = len(self.sides & {"left", "right"})
        if along_v != along_h:
            return along_v > along_h
        x0, y0, x1, y1 = self.box
        return (y1 - y0) >= (x1 - x0)


@dataclass
class _Blob:
    box: tuple[int, int, int, int]
    mask: Binary  # residual ink of the blob over `box`
    sides: set[str]
    through: bool
    poles: int = 1
    #: Where the conductor runs through it: x of a vertical one, y of a horizontal one.
    axis: float | None = None
    #: The boxes of the poles a mechanical link tied together (none for one pole).
    parts: tuple[tuple[int, int, int, int], ...] = ()


def find_devices(work: Linework) -> list[DeviceCandidate]:
    """The device candidates of a page, in reading order."""
    unit = work.unit
    # Removing the conductors cuts a symbol whose strokes cross or touch one (the contact of a
    # breaker, a fuse drawn around the wire) into pieces; the line pixels near its strokes put
    # them back together, and a gap of conductor between two symbols keeps those apart.
    residual = without_ticks(work)
    near = cv2.dilate(residual, _disk(BRIDGE_UNITS * unit))
    regions = np.bitwise_or(residual, np.bitwise_and(work.lines, near))
    join = max(2, round(JOIN_UNITS * unit))
    joined = cv2.morphologyEx(regions, cv2.MORPH_CLOSE, np.ones((join, join), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    blobs: list[_Blob] = []
    loose: list[_Blob] = []
    fx0, fy0, fx1, fy1 = work.inside_frame
    cells = table_cells(work.ink, work.drawn, unit)
    for index in range(1, count):
        x, y, w, h, _ = (int(v) for v in stats[index])
        longest = max(w, h)
        if longest < LOOSE_UNITS * unit or longest > LARGEST_UNITS * unit:
            continue
        # Outside the sheet frame (zone marks, the frame's own corners): no device. The centre
        # decides, as a corner box shares its side with the frame.
        if not (fx0 <= x + w / 2 < fx1 and fy0 <= y + h / 2 < fy1):
            continue
        # In a table (the title block, a schedule): marks in its cells, no device.
        if any(cx0 <= x + w / 2 < cx1 and cy0 <= y + h / 2 < cy1 for cx0, cy0, cx1, cy1 in cells):
            continue
        # The blob's strokes: its residual ink and the conductor pixels that bridge it.
        mask = np.bitwise_and(
            (labels[y : y + h, x : x + w] == index).astype(np.uint8),
            regions[y : y + h, x : x + w],
        )
        blob = _tighten(_Blob((x, y, x + w, y + h), mask, set(), False))
        if blob is None:
            continue
        reach = None  # `_arriving`'s default
        blob.sides, blob.through = _attachments(work, blob.box)
        if not blob.sides and longest >= SMALLEST_UNITS * unit and not _solid(blob):
            # A device whose terminals stop short of their wires (QElectroTech leaves a
            # third of a unit), judged with a longer reach than a stroke is.
            reach = max(2, round(FAR_ARRIVAL_UNITS * unit))
            blob.sides, blob.through = _attachments(work, blob.box, reach)
        blob.axis = _conductor_axis(work, blob, reach)
        if blob.sides:
            if longest >= SMALLEST_UNITS * unit and not _is_convention(blob, work):
                blobs.append(blob)
        elif longest >= LOOSE_UNITS * unit:
            loose.append(blob)
    blobs = _drop_strips(blobs, unit)
    blobs = _gather(blobs, loose, unit)
    blobs = _tie_poles(blobs, work)
    blobs = [_side_by_side(blob, work) for blob in _absorb_enclosed(blobs, work)]
    candidates = []
    for blob in blobs:
        trimmed = _trim_leads(blob, work)
        if (
            trimmed is None
            or max(trimmed.box[2] - trimmed.box[0], trimmed.box[3] - trimmed.box[1])
            < TRIMMED_UNITS * unit
        ):
            continue  # nothing but leads: a junction, the end of a conductor
        if trimmed.poles == 1 and (_is_end_mark(trimmed, unit) or _is_hop(trimmed, work)):
            continue
        candidates.append(
            DeviceCandidate(
                box=trimmed.box,
                sides=frozenset(trimmed.sides),
                poles=trimmed.poles,
                parts=trimmed.parts,
                score=_device_score(trimmed, unit),
                strokes=trimmed.mask,
            )
        )
    return sorted(candidates, key=lambda c: (c.box[1], c.box[0]))


def without_ticks(work: Linework) -> Binary:
    """The residual less the conductor-count ticks: short straight diagonal strokes that cross
    a conductor, which the removal of the conductor cut into two halves, one on each side, in
    line with each other.

    A half is judged with its partner: at a coarse working scale a thick tick's half is a stub
    of a few pixels, which says nothing about its direction, and a neutral conductor's tick
    carries a dot at its end, which widens its half (IEC 60617-11). The two halves together
    must be one straight stroke, leaning on the conductor, whose middle lies on it. Two such
    strokes through one point are the cross of a breaker or a disconnector, not ticks."""
    unit = work.unit
    residual = work.residual
    count, labels, stats, centroids = cv2.connectedComponentsWithStats(residual, connectivity=8)
    if count <= 2:
        return residual
    longest = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    small = np.flatnonzero((longest <= TICK_UNITS * unit / 1.5) & (longest >= 0.2 * unit))
    near_lines = cv2.dilate(work.lines, np.ones((5, 5), np.uint8))
    touching = np.bincount(labels[near_lines > 0], minlength=count) > 0
    pieces = []
    for index in small:
        if index == 0 or not touching[index]:
            continue
        x, y, w, h, _ = (int(v) for v in stats[index])
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == index)
        points = np.stack([xs + x, ys + y], axis=1)
        pieces.append((int(index), centroids[index], points, float(longest[index])))
    crossings = []
    for a in range(len(pieces)):
        ia, ca, pa, la = pieces[a]
        for b in range(a + 1, len(pieces)):
            ib, cb, pb, lb = pieces[b]
            distance = float(np.hypot(*(cb - ca)))
            if distance == 0 or distance > 1.2 * (la + lb) + 0.3 * unit:
                continue
            direction = _tick_through(work, labels, (ia, ca, pa), (ib, cb, pb))
            if direction is not None:
                crossings.append(((ia, ib), (ca + cb) / 2, direction))
    ticks: set[int] = set()
    for pair, middle, direction in crossings:
        crossed = any(
            other is not pair
            and float(np.hypot(*(other_middle - middle))) <= 0.3 * unit
            and abs(float(other_direction @ direction)) < 0.9
            for other, other_middle, other_direction in crossings
        )
        if not crossed:
            ticks.update(pair)
    if not ticks:
        return residual
    return np.bitwise_and(residual, ~np.isin(labels, list(ticks))).astype(np.uint8)


def _tick_through(
    work: Linework,
    labels: np.ndarray,
    half_a: tuple[int, np.ndarray, np.ndarray],
    half_b: tuple[int, np.ndarray, np.ndarray],
) -> np.ndarray | None:
    """The tick's direction when two residual pieces (label, centroid, pixels) are its halves
    across a conductor, else None."""
    unit = work.unit
    (ia, ca, pa), (ib, cb, pb) = half_a, half_b
    gap = cb - ca
    direction = _tick_direction(np.concatenate([pa, pb]), unit)
    if direction is None or abs(float(gap @ direction)) / float(np.hypot(*gap)) < 0.96:
        return None
    if not (_leans_along(pa, direction) and _leans_along(pb, direction)):
        return None  # pieces of two arcs (a transformer's windings), not one stroke
    mx, my = (int(v) for v in np.round((ca + cb) / 2))
    around = (slice(max(0, my - 2), my + 3), slice(max(0, mx - 2), mx + 3))
    across_horizontal = bool(work.horizontal[around].any())
    if not (across_horizontal or work.vertical[around].any()):
        return None
    # Its angle to the conductor it crosses: a tick leans, a bar stands square.
    along = abs(float(direction[0] if across_horizontal else direction[1]))
    lean = float(np.degrees(np.arccos(min(1.0, along))))
    if not TICK_LEAN_DEGREES[0] <= lean <= TICK_LEAN_DEGREES[1]:
        return None
    # Its halves end at the conductor: what parts them is the conductor's width (and the
    # pixel the conductor's removal took on each side).
    width = _line_width(work, mx, my, across_horizontal) + 2
    ends_a, ends_b = pa @ direction, pb @ direction
    apart = max(0.0, float(max(ends_b.min() - ends_a.max(), ends_a.min() - ends_b.max())))
    if apart > width / np.sin(np.radians(lean)) + 0.25 * unit:
        return None
    # A tick crosses alone: other strokes at its crossing make a cross or a symbol.
    r = max(2, round(TICK_ALONE_UNITS * unit))
    near = labels[max(0, my - r) : my + r + 1, max(0, mx - r) : mx + r + 1]
    return direction if np.isin(near, [0, ia, ib], invert=True).sum() < 3 else None


def _tick_direction(points: np.ndarray, unit: float) -> np.ndarray | None:
    """The direction of a tick drawn by `points` (x, y): a straight stroke whose pixels hug
    its centre line (the halves of an arc do not), longer than a terminal's ring is wide."""
    direction = _straight(points[:, 0], points[:, 1])
    if direction is None:
        return None
    centred = points - points.mean(axis=0)
    across = centred @ np.array([-direction[1], direction[0]])
    length = float(np.ptp(centred @ direction)) + 1.0
    if float(np.sqrt(np.mean(across**2))) > TICK_SPREAD_UNITS * unit:
        return None
    return direction if length >= TICK_SHORTEST_UNITS * unit else None


def _line_width(work: Linework, x: int, y: int, horizontal: bool) -> int:
    """How many pixels thick the conductor is at (x, y): its run of line pixels across it."""
    lines = work.horizontal if horizontal else work.vertical
    height, width = lines.shape
    if horizontal:
        column = lines[max(0, y - 8) : min(height, y + 9), min(max(0, x), width - 1)]
        return int(column.sum())
    row = lines[min(max(0, y), height - 1), max(0, x - 8) : min(width, x + 9)]
    return int(row.sum())


def _leans_along(points: np.ndarray, direction: np.ndarray) -> bool:
    """Whether a tick's half runs along the tick: a half long enough to have a direction of
    its own must keep to the tick's; a stub or a dot has none, and passes."""
    if len(points) < 5:
        return True
    centred = points - points.mean(axis=0)
    values, vectors = np.linalg.eigh(centred.T @ centred / len(points))
    if values[1] < 2.0 * max(values[0], 0.25):
        return True
    return abs(float(vectors[:, 1] @ direction)) >= 0.9


def _straight(xs: np.ndarray, ys: np.ndarray) -> np.ndarray | None:
    """The unit direction of pixels that form a straight stroke, else None."""
    if len(xs) < 3:
        return None
    points = np.stack([xs, ys], axis=1).astype(np.float64)
    points -= points.mean(axis=0)
    values, vectors = np.linalg.eigh(points.T @ points / len(points))
    if values[1] < TICK_ELONGATION**2 * max(values[0], 0.25):
        return None
    return np.asarray(vectors[:, 1], dtype=np.float64)


def _straight_diagonal(xs: np.ndarray, ys: np.ndarray) -> np.ndarray | None:
    """The unit direction of pixels that form a straight diagonal stroke, else None."""
    direction = _straight(xs, ys)
    if direction is None:
        return None
    angle = float(np.degrees(np.arctan2(direction[1], direction[0]))) % 180.0
    if not (20.0 <= angle <= 70.0 or 110.0 <= angle <= 160.0):
        return None
    return direction


def _disk(radius: float) -> Binary:
    size = 2 * max(1, round(radius)) + 1
    return np.asarray(cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)), dtype=np.uint8)


def _tighten(blob: _Blob) -> _Blob | None:
    """The blob cut to the box of its ink."""
    ys, xs = np.nonzero(blob.mask)
    if not len(ys):
        return None
    x0, y0 = blob.box[0], blob.box[1]
    top, bottom, left, right = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
    box = (x0 + left, y0 + top, x0 + right, y0 + bottom)
    return replace(
        blob,
        box=box,
        mask=np.ascontiguousarray(blob.mask[top:bottom, left:right]),
        parts=_clipped(blob.parts, box),
    )


def _clipped(
    parts: tuple[tuple[int, int, int, int], ...], box: tuple[int, int, int, int]
) -> tuple[tuple[int, int, int, int], ...]:
    """The part boxes cut to `box`, empty ones left out."""
    kept = []
    for x0, y0, x1, y1 in parts:
        cut = (max(x0, box[0]), max(y0, box[1]), min(x1, box[2]), min(y1, box[3]))
        if cut[2] > cut[0] and cut[3] > cut[1]:
            kept.append(cut)
    return tuple(kept) if len(kept) > 1 else ()


def _arriving(
    work: Linework, box: tuple[int, int, int, int], side: str, reach: int | None = None
) -> np.ndarray:
    """Where a conductor arrives at `side` of `box`, within `reach` pixels of it (default a
    quarter unit): a flag per column of the box for the top and bottom, per row for the left
    and right."""
    x0, y0, x1, y1 = box
    if reach is None:
        reach = max(2, round(0.25 * work.unit))
    if side == "top":
        return np.asarray(work.vertical[max(0, y0 - reach) : y0, x0:x1].any(axis=0))
    if side == "bottom":
        return np.asarray(work.vertical[y1 : y1 + reach, x0:x1].any(axis=0))
    if side == "left":
        return np.asarray(work.horizontal[y0:y1, max(0, x0 - reach) : x0].any(axis=1))
    return np.asarray(work.horizontal[y0:y1, x1 : x1 + reach].any(axis=1))


def _conductor_axis(work: Linework, blob: _Blob, reach: int | None = None) -> float | None:
    """The position across it of the conductors that arrive at the blob (their mean), those
    within `reach` pixels (as `_arriving`)."""
    x0, y0, _, _ = blob.box
    if _upright(blob):
        columns = _arriving(work, blob.box, "top", reach) | _arriving(
            work, blob.box, "bottom", reach
        )
        found = np.flatnonzero(columns)
        return float(x0 + found.mean()) if len(found) else None
    rows = _arriving(work, blob.box, "left", reach) | _arriving(work, blob.box, "right", reach)
    found = np.flatnonzero(rows)
    return float(y0 + found.mean()) if len(found) else None


def _attachments(
    work: Linework, box: tuple[int, int, int, int], reach: int | None = None
) -> tuple[set[str], bool]:
    """The sides of `box` where a long line arrives (within `reach` pixels, as `_arriving`),
    and whether one runs right through."""
    x0, y0, x1, y1 = box
    sides = {side for side in SIDES if _arriving(work, box, side, reach).any()}
    inside_v = work.vertical[y0:y1, x0:x1].sum(axis=0)
    inside_h = work.horizontal[y0:y1, x0:x1].sum(axis=1)
    through = bool(
        (len(inside_v) and inside_v.max() >= 0.8 * (y1 - y0))
        or (len(inside_h) and inside_h.max() >= 0.8 * (x1 - x0))
    )
    return sides, through


def _is_convention(blob: _Blob, work: Linework) -> bool:
    """Ticks, dots, balloons: marks on conductors that are not devices."""
    unit = work.unit
    x0, y0, x1, y1 = blob.box
    w, h = x1 - x0, y1 - y0
    solid = float(blob.mask.sum()) / max(1, w * h)
    if solid >= SOLID_SHARE and max(w, h) <= DOT_UNITS * unit:
        return True  # a junction dot
    inline = {"top", "bottom"} <= blob.sides or {"left", "right"} <= blob.sides
    if solid >= SOLID_SHARE and min(w, h) >= 1.5 * unit and not inline:
        return True  # a filled annotation beside a conductor (a cable-length balloon)
    # Ticks across a conductor.
    return blob.through and max(w, h) <= TICK_UNITS * unit and _diagonal_strokes(blob.mask, unit)


def _is_end_mark(blob: _Blob, unit: float) -> bool:
    """An off-page arrow or a terminal's ring at a conductor's end, or a terminal's ring on a
    conductor: small marks that end or sit on a wire and are not devices (judged on the
    blob without its leads)."""
    x0, y0, x1, y1 = blob.box
    longest = max(x1 - x0, y1 - y0)
    # An arrow or a ring is one stroke around at most one hole; a small motor or generator
    # holds a letter or a wave, apart from its circle or across it.
    single = (
        cv2.connectedComponents(blob.mask, connectivity=8)[0] <= 2 and _holes_in(blob.mask) <= 1
    )
    if len(blob.sides) == 1 and not blob.through:
        if longest <= END_MARK_UNITS * unit and single:
            return True
        # A ring, judged with slits of a pixel closed: taking the lead off a ring leaves its
        # outline open where the lead met it. (Closed, a disconnector's open blade would be
        # one stroke too, but it closes no hole.)
        closed: Binary = cv2.morphologyEx(
            blob.mask, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8)
        ).astype(np.uint8)
        if (
            longest <= END_RING_UNITS * unit
            and cv2.connectedComponents(closed, connectivity=8)[0] <= 2
            and _is_ring(closed)
        ):
            return True
    inline = {"top", "bottom"} <= blob.sides or {"left", "right"} <= blob.sides
    return inline and longest <= RING_UNITS * unit and _is_ring(blob.mask)


def _is_hop(blob: _Blob, work: Linework) -> bool:
    """A conductor's hop over another that crosses it without joining: a small half circle
    to one side of one conductor, the crossing conductor running on out of both sides of it.
    (A cross drawn where a feeder meets a bus lies on both sides: a disconnector.)"""
    x0, y0, x1, y1 = blob.box
    if max(x1 - x0, y1 - y0) > RING_UNITS * work.unit or _holes_in(blob.mask):
        return False
    # The arc's own conductor, beyond the leads trimmed off it.
    reach = max(3, round(0.8 * work.unit))
    if blob.sides & {"top", "bottom"} and _runs_through(work.horizontal, x0, y0, x1, y1):
        arriving = _arriving(work, blob.box, "top", reach)
        arriving |= _arriving(work, blob.box, "bottom", reach)
        return _one_sided(blob.mask, arriving)
    if blob.sides & {"left", "right"} and _runs_through(work.vertical.T, y0, x0, y1, x1):
        arriving = _arriving(work, blob.box, "left", reach)
        arriving |= _arriving(work, blob.box, "right", reach)
        return _one_sided(blob.mask.T, arriving)
    return False


def _one_sided(mask: Binary, arriving: object) -> bool:
    """Whether nearly all of the mask lies to one side of the columns where its conductor
    arrives (`arriving`: a flag per column)."""
    columns = np.flatnonzero(np.asarray(arriving, dtype=bool))
    if not len(columns):
        return False
    counts = mask.sum(axis=0)
    before = float(counts[: max(0, columns.min() - 1)].sum())
    after = float(counts[columns.max() + 2 :].sum())
    return min(before, after) / max(1.0, before + after) < 0.15


def _runs_through(lines: Binary, x0: int, y0: int, x1: int, y1: int) -> bool:
    """Whether a horizontal line leaves the box [x0, x1) x [y0, y1) on both sides in one row."""
    width = lines.shape[1]
    rows = lines[y0:y1]
    left = rows[:, max(0, x0 - 3) : max(0, x0 - 1)].any(axis=1)
    right = rows[:, min(width, x1 + 1) : min(width, x1 + 3)].any(axis=1)
    return bool((left & right).any())


def _holes_in(mask: Binary) -> int:
    """How many areas of paper the strokes close all round."""
    paper = (1 - (mask > 0)).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(paper, connectivity=4)
    height, width = mask.shape
    return sum(
        1
        for i in range(1, count)
        if stats[i, cv2.CC_STAT_LEFT] > 0
        and stats[i, cv2.CC_STAT_TOP] > 0
        and stats[i, cv2.CC_STAT_LEFT] + stats[i, cv2.CC_STAT_WIDTH] < width
        and stats[i, cv2.CC_STAT_TOP] + stats[i, cv2.CC_STAT_HEIGHT] < height
    )


def _is_ring(mask: Binary) -> bool:
    """Whether the strokes close around one hole that fills much of their box."""
    paper = (1 - (mask > 0)).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(paper, connectivity=4)
    height, width = mask.shape
    holes = [
        i
        for i in range(1, count)
        if stats[i, cv2.CC_STAT_LEFT] > 0
        and stats[i, cv2.CC_STAT_TOP] > 0
        and stats[i, cv2.CC_STAT_LEFT] + stats[i, cv2.CC_STAT_WIDTH] < width
        and stats[i, cv2.CC_STAT_TOP] + stats[i, cv2.CC_STAT_HEIGHT] < height
    ]
    return len(holes) == 1 and stats[holes[0], cv2.CC_STAT_AREA] >= 0.15 * height * width


def _diagonal_strokes(mask: Binary, unit: float) -> bool:
    """Whether every sizeable piece of the mask is a straight diagonal stroke."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    diagonal = 0
    for index in range(1, count):
        if stats[index, cv2.CC_STAT_AREA] < 0.05 * unit * unit:
            continue  # a speck, or the dot some ticks carry
        ys, xs = np.nonzero(labels == index)
        if _straight_diagonal(xs, ys) is None:
            return False
        diagonal += 1
    return diagonal > 0


def _drop_strips(blobs: list[_Blob], unit: float) -> list[_Blob]:
    """Without the marks of terminal strips: small equal marks, evenly spaced in a row."""
    small = [
        i
        for i, b in enumerate(blobs)
        if max(b.box[2] - b.box[0], b.box[3] - b.box[1]) <= STRIP_MARK_UNITS * unit
    ]
    dropped: set[int] = set()
    for across in (0, 1):
        along = 1 - across
        rows: dict[int, list[int]] = {}
        for i in small:
            rows.setdefault(round(_middle(blobs[i], across) / max(1.0, 0.3 * unit)), []).append(i)
        for members in rows.values():
            members.sort(key=lambda i: _middle(blobs[i], along))
            if len(members) < STRIP_COUNT:
                continue
            steps = np.diff([_middle(blobs[i], along) for i in members])
            even = float(steps.max()) <= 1.5 * max(float(steps.min()), 1.0)
            if float(steps.max()) <= 2.5 * unit and even:
                dropped.update(members)
    return [b for i, b in enumerate(blobs) if i not in dropped]


def _middle(blob: _Blob, axis: int) -> float:
    """The middle of a blob's box along y (`axis` 0: rows lie across) or x (1)."""
    return (blob.box[1 - axis] + blob.box[3 - axis]) / 2


def _gather(blobs: list[_Blob], loose: list[_Blob], unit: float) -> list[_Blob]:
    """Each device's parts in one blob: strokes off the conductors next to a device, and a
    small part beside a larger one on the same conductor."""
    blobs = blobs + _chained(blobs, loose, unit)
    loose = [blob for blob in loose if not blob.sides]
    parts = blobs + loose
    together = UnionFind(range(len(parts)))

    for j in range(len(blobs), len(parts)):
        for i in range(len(blobs)):
            if _gap(parts[i].box, parts[j].box) <= LOOSE_REACH_UNITS * unit:
                together.union(i, j)
    for i in range(len(blobs)):
        for j in range(i + 1, len(blobs)):
            if _same_device(blobs[i], blobs[j], unit):
                together.union(i, j)
    gathered = []
    for members in _groups(together):
        if not any(m < len(blobs) for m in members):
            continue  # loose strokes near no device
        if len(members) == 1:
            gathered.append(parts[members[0]])
        else:
            merged = _union([parts[m] for m in members], None, [])
            merged.poles = 1
            gathered.append(merged)
    return gathered


def _chained(blobs: list[_Blob], loose: list[_Blob], unit: float) -> list[_Blob]:
    """Devices drawn end to end on one conductor with no wire between them (a meter on top of
    a breaker, as QElectroTech places its elements): a blob that touches no conductor itself
    but starts where a device ends, centred on that device's conductor, is the next device of
    the chain, not a part of the first. It is given the side it meets that device on (in
    place, so that a chain of three is found from its first link); returns those found."""
    found: list[_Blob] = []
    anchors = list(blobs)
    while anchors:
        anchor = anchors.pop()
        for blob in loose:
            longest = max(blob.box[2] - blob.box[0], blob.box[3] - blob.box[1])
            if blob.sides or longest < SMALLEST_UNITS * unit or _solid(blob):
                continue
            side = _next_in_chain(anchor, blob, unit)
            if side is not None:
                blob.sides = {side}
                blob.axis = anchor.axis
                found.append(blob)
                anchors.append(blob)
    return found


def _solid(blob: _Blob) -> bool:
    """Whether the blob is a filled shape (a thick dash, a dot), not a drawn outline."""
    x0, y0, x1, y1 = blob.box
    return float(blob.mask.sum()) / max(1, (x1 - x0) * (y1 - y0)) >= SOLID_SHARE


def _next_in_chain(anchor: _Blob, blob: _Blob, unit: float) -> str | None:
    """The side of `blob` that meets `anchor` end to end on the anchor's conductor, if it
    does."""
    if anchor.axis is None:
        return None
    reach = LOOSE_REACH_UNITS * unit
    ax0, ay0, ax1, ay1 = anchor.box
    bx0, by0, bx1, by1 = blob.box
    if _upright(anchor):
        if abs((bx0 + bx1) / 2 - anchor.axis) > 0.35 * unit:
            return None
        if 0 <= ay0 - by1 <= reach:
            return "bottom"
        return "top" if 0 <= by0 - ay1 <= reach else None
    if abs((by0 + by1) / 2 - anchor.axis) > 0.35 * unit:
        return None
    if 0 <= ax0 - bx1 <= reach:
        return "right"
    return "left" if 0 <= bx0 - ax1 <= reach else None


def _groups(together: UnionFind) -> list[list[int]]:
    """The sets of a union-find over indices, each sorted, in the order of their first index."""
    return sorted((sorted(group) for group in together.to_sets()), key=lambda g: g[0])


def _gap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Distance between two boxes (0 when they overlap)."""
    dx = max(0, max(a[0] - b[2], b[0] - a[2]))
    dy = max(0, max(a[1] - b[3], b[1] - a[3]))
    return float(np.hypot(dx, dy))


def _same_device(a: _Blob, b: _Blob, unit: float) -> bool:
    """Whether two blobs are parts of one device: their boxes overlap (a breaker's cross beside
    its blade), or they sit on one conductor close together with nothing of the conductor
    between them (a transformer's windings, a capacitor's plates) or one much smaller than the
    other (the draw-out contacts beside a breaker's box)."""
    if _overlap(a.box, b.box):
        return True
    if _upright(a) != _upright(b):
        return False
    if _upright(a):
        centre_a, centre_b = _centre(a, 0), _centre(b, 0)
        along_a, along_b = a.box[3] - a.box[1], b.box[3] - b.box[1]
        first, second = (a, b) if a.box[1] <= b.box[1] else (b, a)
        gap = second.box[1] - first.box[3]
        facing = "bottom" not in first.sides and "top" not in second.sides
    else:
        centre_a, centre_b = _centre(a, 1), _centre(b, 1)
        along_a, along_b = a.box[2] - a.box[0], b.box[2] - b.box[0]
        first, second = (a, b) if a.box[0] <= b.box[0] else (b, a)
        gap = second.box[0] - first.box[2]
        facing = "right" not in first.sides and "left" not in second.sides
    if abs(centre_a - centre_b) > 0.35 * unit or gap < 0:
        return False
    if facing and gap <= FACING_GAP_UNITS * unit:
        return True
    return gap <= PART_GAP_UNITS * unit and min(along_a, along_b) <= PART_SHARE * max(
        along_a, along_b
    )


def _centre(blob: _Blob, across: int) -> float:
    """Where the blob's conductor runs (x for `across` 0, y for 1); its box's middle without."""
    if blob.axis is not None:
        return blob.axis
    return (blob.box[across] + blob.box[across + 2]) / 2


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def _tie_poles(blobs: list[_Blob], work: Linework) -> list[_Blob]:
    """Blobs tied by a mechanical link merged into one device.

    A link is a short chain of dashes across the conductors: horizontal between two devices
    on vertical conductors (or vertical between two on horizontal ones), from the side of one
    to the side of the next, within the height of both, which are of about one size.
    """
    if not work.links or len(blobs) < 2:
        return blobs
    reach = LINK_REACH_UNITS * work.unit
    tied = UnionFind(range(len(blobs)))

    boxes = np.asarray([b.box for b in blobs], dtype=np.float64)
    upright = np.asarray([_upright(b) for b in blobs], dtype=bool)
    tied_links: dict[int, list[tuple[int, int, int, int]]] = {}
    for link in work.links:
        lx0, ly0, lx1, ly1 = link
        horizontal_link = (lx1 - lx0) >= (ly1 - ly0)
        # Along the link: where each blob starts and ends; across it: the link must lie
        # within the blob.
        if horizontal_link:
            start, end, low, high = boxes[:, 0], boxes[:, 2], boxes[:, 1], boxes[:, 3]
            l_start, l_end, l_low, l_high = lx0, lx1, ly0, ly1
            oriented = upright
        else:
            start, end, low, high = boxes[:, 1], boxes[:, 3], boxes[:, 0], boxes[:, 2]
            l_start, l_end, l_low, l_high = ly0, ly1, lx0, lx1
            oriented = ~upright
        across = (low <= l_low + reach) & (high >= l_high - reach) & oriented
        before = np.flatnonzero(across & (end >= l_start - reach) & (end <= l_start + reach))
        after = np.flatnonzero(across & (start <= l_end + reach) & (start >= l_end - reach))
        pairs = [(i, j) for i in before for j in after if i != j and _alike(blobs[i], blobs[j])]
        if not pairs:
            continue
        first, second = (int(v) for v in pairs[0])
        tied.union(first, second)
        # Kept with a pole it ties, not with the group's root, which a later tie may change.
        tied_links.setdefault(first, []).append(link)
    merged = []
    for members in _groups(tied):
        if len(members) == 1:
            merged.append(blobs[members[0]])
            continue
        links = [link for m in members for link in tied_links.get(m, [])]
        merged.append(_union([blobs[i] for i in members], work, links))
    return merged


def _absorb_enclosed(blobs: list[_Blob], work: Linework) -> list[_Blob]:
    """Blobs drawn within the box of a larger device merged into it.

    Parts of one device are gathered pairwise, so a part that touches none of the others but
    lies inside the box they make together stays apart: the thermal release drawn on each
    conductor inside the relay block of a motor-protection breaker, the poles and block tied
    to each other only through the block's outline. Largest first, so a device takes in all
    that lies within it; the merged device's sides are those of its new box.
    """
    order = sorted(range(len(blobs)), key=lambda i: -_area(blobs[i].box))
    kept: list[_Blob] = []
    for i in order:
        blob = blobs[i]
        host = next(
            (k for k, big in enumerate(kept) if _inside_share(blob.box, big.box) >= ENCLOSED_SHARE),
            None,
        )
        if host is None:
            kept.append(blob)
        else:
            kept[host] = _take_in(kept[host], blob, work)
    return kept


def _side_by_side(blob: _Blob, work: Linework) -> _Blob:
    """A blob whose conductors arrive at two or more places on both ends, with a drawing alike
    on each: the poles of one device drawn side by side, their mechanical link left out or drawn
    too finely to be told from the poles (dots in a scan). Its parts are the per-conductor
    slices, cut halfway between the conductors, so that one pole's exemplar names it."""
    if blob.parts:
        return blob
    x0, y0, _, _ = blob.box
    if _upright(blob):
        before, after = _arriving(work, blob.box, "top"), _arriving(work, blob.box, "bottom")
        mask = blob.mask
    else:
        before, after = _arriving(work, blob.box, "left"), _arriving(work, blob.box, "right")
        mask = blob.mask.T
    starts = [(lo + hi) / 2 for lo, hi in _axes(before)]
    ends = [(lo + hi) / 2 for lo, hi in _axes(after)]
    if len(starts) < 2 or len(starts) != len(ends):
        return blob
    if any(abs(a - b) > 0.35 * work.unit for a, b in zip(starts, ends, strict=True)):
        return blob
    if min(np.diff(starts)) < POLE_PITCH_UNITS * work.unit:
        return blob
    cuts = [0, *(round((a + b) / 2) for a, b in pairwise(starts))]
    if _spans_a_cut(mask, cuts[1:], work.unit):
        return blob  # one drawing around several conductors (a cable-length balloon)
    cuts.append(mask.shape[1])
    slices = []
    for (lo, hi), axis in zip(pairwise(cuts), starts, strict=True):
        piece = np.zeros_like(mask)
        piece[:, lo:hi] = _pole_strokes(mask[:, lo:hi], axis - lo, work.unit)
        ys, xs = np.nonzero(piece)
        if not len(ys):
            return blob
        box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
        slices.append((box, int(piece.sum())))
    inks = [ink for _, ink in slices]
    boxes = [_Blob(box, mask, set(), False) for box, _ in slices]
    if max(inks) > 1.5 * min(inks) or not all(_alike(boxes[0], other) for other in boxes[1:]):
        return blob
    if _upright(blob):
        parts = tuple((x0 + a, y0 + b, x0 + c, y0 + d) for (a, b, c, d), _ in slices)
    else:
        parts = tuple((x0 + b, y0 + a, x0 + d, y0 + c) for (a, b, c, d), _ in slices)
    return replace(blob, poles=len(parts), parts=parts)


def _spans_a_cut(mask: Binary, cuts: list[int], unit: float) -> bool:
    """Whether one unbroken stroke runs well across a line between two conductors (the poles
    of a device are drawn apart, joined at most by the dashes or dots of a link)."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    reach = 0.5 * unit
    for index in range(1, count):
        x, w = int(stats[index, cv2.CC_STAT_LEFT]), int(stats[index, cv2.CC_STAT_WIDTH])
        if any(x < cut - reach and x + w > cut + reach for cut in cuts):
            return True
    return False


def _pole_strokes(mask: Binary, axis: float, unit: float) -> Binary:
    """The strokes of one pole's slice that make its drawing: the pieces that reach its
    conductor's axis or run along most of its length, not the dots of a link beside it."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    keep = np.zeros(count, dtype=bool)
    near = 0.35 * unit
    for index in range(1, count):
        x, _, w, h, _ = (int(v) for v in stats[index])
        keep[index] = (x - near <= axis <= x + w + near) or h >= 0.5 * mask.shape[0]
    return np.asarray(keep[labels], dtype=np.uint8)


def _area(box: tuple[int, int, int, int]) -> int:
    return max(0, box[2] - box[0]) * max(0, box[3] - box[1])


def _inside_share(small: tuple[int, int, int, int], big: tuple[int, int, int, int]) -> float:
    """The share of `small`'s box that lies within `big`'s."""
    return _area(_cut(small, big)) / max(1, _area(small))


def _take_in(host: _Blob, part: _Blob, work: Linework) -> _Blob:
    """`host` with `part`'s strokes added; a pole of the host that `part` overlaps grows over it."""
    box, mask = _pasted([host, part])
    poles = list(host.parts)
    if poles:
        shares = [_area(_cut(pole, part.box)) for pole in poles]
        best = int(np.argmax(shares))
        pole = poles[best]
        poles[best] = (
            min(pole[0], part.box[0]),
            min(pole[1], part.box[1]),
            max(pole[2], part.box[2]),
            max(pole[3], part.box[3]),
        )
    sides, through = _attachments(work, box)
    merged = replace(host, box=box, mask=mask, sides=sides, through=through, parts=tuple(poles))
    merged.axis = _conductor_axis(work, merged)
    return merged


def _cut(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    return (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))


def _upright(blob: _Blob) -> bool:
    """Whether a blob sits on a vertical conductor (attached at its top or bottom)."""
    vertical = len(blob.sides & {"top", "bottom"})
    horizontal = len(blob.sides & {"left", "right"})
    if vertical != horizontal:
        return vertical > horizontal
    return (blob.box[3] - blob.box[1]) >= (blob.box[2] - blob.box[0])


def _alike(a: _Blob, b: _Blob) -> bool:
    """Two poles of one device are drawn about the same size."""
    ha, hb = a.box[3] - a.box[1], b.box[3] - b.box[1]
    wa, wb = a.box[2] - a.box[0], b.box[2] - b.box[0]
    return max(ha, hb) <= 1.8 * max(1, min(ha, hb)) and max(wa, wb) <= 2.5 * max(1, min(wa, wb))


def _pasted(blobs: list[_Blob]) -> tuple[tuple[int, int, int, int], Binary]:
    """The box that holds all the blobs, and their strokes pasted into it."""
    x0 = min(b.box[0] for b in blobs)
    y0 = min(b.box[1] for b in blobs)
    x1 = max(b.box[2] for b in blobs)
    y1 = max(b.box[3] for b in blobs)
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    for blob in blobs:
        bx0, by0, bx1, by1 = blob.box
        mask[by0 - y0 : by1 - y0, bx0 - x0 : bx1 - x0] |= blob.mask
    return (x0, y0, x1, y1), mask


def _union(
    parts: list[_Blob], work: Linework | None, links: list[tuple[int, int, int, int]]
) -> _Blob:
    (x0, y0, x1, y1), mask = _pasted(parts)
    for lx0, ly0, lx1, ly1 in links:
        ax0, ay0 = max(lx0, x0), max(ly0, y0)
        ax1, ay1 = min(lx1, x1), min(ly1, y1)
        if work is not None and ax1 > ax0 and ay1 > ay0:
            mask[ay0 - y0 : ay1 - y0, ax0 - x0 : ax1 - x0] |= work.ink[ay0:ay1, ax0:ax1]
    sides = set().union(*(p.sides for p in parts))
    return _Blob(
        (x0, y0, x1, y1),
        mask,
        sides,
        any(p.through for p in parts),
        len(parts),
        parts=tuple(p.box for p in parts) if work is not None else (),
    )


def _trim_leads(blob: _Blob, work: Linework) -> _Blob | None:
    """The blob less the straight lead stubs at its attached sides.

    A lead is where the blob is nothing but the conductor arriving at that side: rows (or
    columns) whose every ink pixel lies on the line of a conductor that arrives there.
    """
    x0, y0, _, _ = blob.box
    mask = blob.mask
    top, bottom, left, right = 0, mask.shape[0], 0, mask.shape[1]
    if "top" in blob.sides:
        top = _lead_length(mask, _axes(_arriving(work, blob.box, "top")))
    if "bottom" in blob.sides:
        axes = _axes(_arriving(work, blob.box, "bottom"))
        bottom = mask.shape[0] - _lead_length(mask[::-1], axes)
    if "left" in blob.sides:
        left = _lead_length(mask.T, _axes(_arriving(work, blob.box, "left")))
    if "right" in blob.sides:
        axes = _axes(_arriving(work, blob.box, "right"))
        right = mask.shape[1] - _lead_length(mask.T[::-1], axes)
    if bottom - top < 2 or right - left < 1:
        return None
    box = (x0 + left, y0 + top, x0 + right, y0 + bottom)
    cut = replace(
        blob,
        box=box,
        mask=np.ascontiguousarray(mask[top:bottom, left:right]),
        parts=_clipped(blob.parts, box),
    )
    return _tighten(cut)


def _axes(arriving: object) -> list[tuple[int, int]]:
    """[lo, hi) of each run of positions where a conductor arrives, one pixel wider each way."""
    flags = np.concatenate([[False], np.asarray(arriving, dtype=bool), [False]]).astype(np.int8)
    changes = np.flatnonzero(np.diff(flags))
    return [(int(a) - 1, int(b) + 1) for a, b in zip(changes[::2], changes[1::2], strict=True)]


def _lead_length(mask: Binary, axes: list[tuple[int, int]]) -> int:
    """How many leading rows of `mask` hold ink only on the conductors' lines (`axes`)."""
    if not axes:
        return 0
    on_axis = np.zeros(mask.shape[1], dtype=bool)
    for lo, hi in axes:
        on_axis[max(0, lo) : max(0, hi)] = True
    for row in range(mask.shape[0]):
        inked = mask[row] > 0
        if inked.any() and (inked & ~on_axis).any():
            return row
    return int(mask.shape[0])


def _device_score(blob: _Blob, unit: float) -> float:
    """How sure the page is that a candidate is a device: on a conductor, of a symbol's size."""
    x0, y0, x1, y1 = blob.box
    longest = max(x1 - x0, y1 - y0) / unit
    score = 0.45
    inline = {"top", "bottom"} <= blob.sides or {"left", "right"} <= blob.sides
    score += 0.3 if inline else 0.15
    if 1.2 <= longest <= 10.0:
        score += 0.15
    elif longest < 0.8:
        score -= 0.2
    return float(np.clip(score, 0.05, 0.95))

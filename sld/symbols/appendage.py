"""A symbol's appendage: a straight side stroke to a small mark, which the body is compared without.

Offices hang things off a symbol's body, away from its conductor: a relay lead from a
breaker to its trip device, an actuator, a remote-control mark. The appendage widens the box,
and stretched to the comparison's square the body no longer lines up with the exemplar drawn
without one (an ANSI breaker's arc with a relay lead and ring scores about 0.4 against the
plain arc). So a candidate whose box holds, on one side of its conductor, a straight stroke
across the conductor's direction that ends in a mark of its own is also compared with the
appendage cut off (`body_without_appendage`), and the better of the two comparisons counts.

What counts as one: a run of columns (for a vertical conductor; rows for a horizontal one)
whose ink is a single thin run at one height, at least `NECK_SHARE` of the box long, with ink
beyond it (the mark) that is not part of that straight run, and the body, holding the
conductor, on the other side. A capacitor's plate or a blade does not qualify: a plate is a
stroke to the box's edge with nothing at its end, a blade is not at one height.
"""

from __future__ import annotations

import numpy as np

from sld.pages.ink import Binary, stroke_width

#: The straight stroke is at least this share of the box across the conductor ...
NECK_SHARE = 0.2
#: ... and at least this many pixels long.
NECK_MIN_PX = 4
#: A column of the stroke holds one run of ink at most this many times the candidate's stroke
#: width.
THIN_FACTOR = 1.6
#: The stroke's height may wander by this many pixels along it.
STRAIGHT_PX = 1.5


def body_without_appendage(crop: Binary, vertical: bool) -> Binary | None:
    """The candidate's strokes with a side appendage cut off, or None if it has none."""
    mask = crop if vertical else crop.T
    cut = _body_columns(mask, stroke_width(mask))
    if cut is None:
        return None
    start, stop = cut
    body = np.ascontiguousarray(mask[:, start:stop])
    return body if vertical else np.ascontiguousarray(body.T)


def _body_columns(mask: Binary, stroke_px: float) -> tuple[int, int] | None:
    """The columns [start, stop) of the body when an appendage leaves it to the left or the
    right of the conductor (which runs top to bottom), else None."""
    width = mask.shape[1]
    if width < 3 * NECK_MIN_PX or not mask.any():
        return None
    axis = _conductor_column(mask)
    thin, centre = _thin_columns(mask, stroke_px)
    shortest = max(NECK_MIN_PX, NECK_SHARE * width)
    best: tuple[int, int] | None = None
    best_length = 0
    for start, stop in _straight_runs(thin, centre):
        right = start > axis
        if not right and stop <= axis:
            # Left of the conductor: the body is from the run's end on.
            inner, outer = stop, mask[:, :start]
        elif right:
            inner, outer = start, mask[:, stop:]
        else:
            continue  # the run crosses the conductor: a plate, a bar
        if stop - start < shortest or not outer.any() or stop - start <= best_length:
            continue
        best_length = stop - start
        best = (0, inner) if right else (inner, width)
    return best


def _straight_runs(thin: np.ndarray, centre: np.ndarray) -> list[tuple[int, int]]:
    """Maximal runs [start, stop) of thin columns whose ink stays at one height."""
    runs = []
    start: int | None = None
    for x in range(len(thin) + 1):
        inside = x < len(thin) and bool(thin[x])
        if inside and start is not None and abs(centre[x] - centre[start]) > STRAIGHT_PX:
            runs.append((start, x))
            start = x
        elif inside and start is None:
            start = x
        elif not inside and start is not None:
            runs.append((start, x))
            start = None
    return runs


def _conductor_column(mask: Binary) -> int:
    """Where the conductor meets the body: the middle of the ink in the top and bottom rows."""
    rows = np.flatnonzero(mask.any(axis=1))
    xs = np.concatenate([np.flatnonzero(mask[rows[0]]), np.flatnonzero(mask[rows[-1]])])
    return round(float(np.median(xs)))


def _thin_columns(mask: Binary, stroke_px: float) -> tuple[np.ndarray, np.ndarray]:
    """Per column: whether its ink is one run no thicker than a stroke, and that run's middle."""
    width = mask.shape[1]
    thin = np.zeros(width, dtype=bool)
    centre = np.zeros(width, dtype=np.float64)
    limit = max(2.0, THIN_FACTOR * stroke_px)
    for x in range(width):
        ys = np.flatnonzero(mask[:, x])
        if not len(ys):
            continue
        one_run = ys[-1] - ys[0] + 1 == len(ys)
        thin[x] = one_run and len(ys) <= limit
        centre[x] = (ys[0] + ys[-1]) / 2
    return thin, centre

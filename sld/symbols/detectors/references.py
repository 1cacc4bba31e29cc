"""Exemplars prepared for matching, and the score of one placed on a drawing.

An exemplar becomes up to eight `ReferenceView`s: its quarter turns, mirrored or not (as the
drawing may show it), identical ones dropped. Each view knows:

- where the conductor runs through it (the line through its terminals), so that it is only
  tried along conductors of the same direction, centred on them;
- the extent of its body beside that line (leads and the line itself left out), from which a
  candidate's size gives the scale to try;
- its strokes at a canonical size (`CANONICAL_PX` along its body's longer side), with a ring of
  paper around the box and its leads marked.

The score of a placement (`match_scores`) is an F-measure of stroke agreement, tolerant to one
canonical pixel: recall is the share of the view's strokes (leads included: a meter needs its
wires) that the drawing has; precision is the share of the drawing's strokes inside the view's
box and its paper ring that the view explains. Strokes on the leads' lines are not held against
a view (the conductor carries on there), nor are long straight lines (conductors passing by, a
bus at a terminal: the caller leaves them out of `drawn`). The ring is what keeps a small
symbol from being found inside a larger one: the rest of the larger one falls in the ring.
A score of 0.9 means nine tenths of the strokes agree both ways.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from sld.pages.ink import Binary, ink_mask, pool, stroke_width, thin_strokes
from sld.symbols.library import Exemplar

#: Longer side of a view's body (its box less the leads) at canonical size, in pixels. Scores
#: are computed there.
CANONICAL_PX = 40
#: ... but the box's longer side is kept within this many pixels.
MAX_CANONICAL_PX = 64
#: The paper ring around a view's box, as a share of its longer side.
RING_SHARE = 0.15

Box = tuple[float, float, float, float]
_SQUARE_3 = np.ones((3, 3), np.uint8)


@dataclass(frozen=True)
class ReferenceView:
    """One exemplar in one orientation, ready to be placed and scored. Sizes in exemplar px."""

    exemplar: Exemplar
    #: Clockwise quarter turn (0, 90, 180, 270) applied after mirroring left-right.
    rotation: int
    mirror: bool
    height: int
    width: int
    #: x of the vertical conductor through it, y of the horizontal one (None: no such terminals).
    axis_x: float | None
    axis_y: float | None
    #: Box of the body beside the vertical (or horizontal) conductor line; None without one.
    body_vertical: Box | None
    body_horizontal: Box | None
    #: Canonical pixels per exemplar pixel, and the ring width in canonical pixels.
    factor: float
    ring: int
    #: Canonical arrays over the box grown by the ring (float32 for OpenCV).
    strokes: NDArray[np.float32]
    explained: NDArray[np.float32]
    care: NDArray[np.float32]
    stroke_count: float

    @property
    def type(self) -> str:
        return self.exemplar.type

    @property
    def key(self) -> str:
        turn = f"r{self.rotation}" + ("m" if self.mirror else "")
        return f"{self.exemplar.type}/{self.exemplar.name}/{turn}"


def orient(image: NDArray[np.uint8], rotation: int, mirror: bool) -> NDArray[np.uint8]:
    """Mirror left-right (if asked), then turn clockwise by `rotation` degrees."""
    if mirror:
        image = image[:, ::-1]
    return np.ascontiguousarray(np.rot90(image, -(rotation // 90)))


def orient_point(
    point: tuple[float, float], shape: tuple[int, int], rotation: int, mirror: bool
) -> tuple[float, float]:
    """Where a point of an image of `shape` lands after `orient` (pixel-edge coordinates)."""
    height, width = shape
    x, y = point
    if mirror:
        x = width - x
    for _ in range(rotation // 90):
        x, y = height - y, x
        height, width = width, height
    return (x, y)


def views_of(exemplar: Exemplar) -> list[ReferenceView]:
    """The distinct orientations of an exemplar, each prepared for matching."""
    ink = ink_mask(exemplar.image)
    if not ink.any():
        return []
    turns = [(r, m) for m in (False, True) for r in (0, 90, 180, 270)]
    if not exemplar.info.rotatable:
        turns = [(0, False)]
    views: list[ReferenceView] = []
    seen: list[NDArray[np.uint8]] = []
    for rotation, mirror in turns:
        turned = orient(ink, rotation, mirror)
        if any(s.shape == turned.shape and np.array_equal(s, turned) for s in seen):
            continue
        seen.append(turned)
        terminals = [orient_point(p, ink.shape, rotation, mirror) for p in exemplar.info.terminals]
        views.append(_prepare(exemplar, turned, terminals, rotation, mirror))
    return views


def _edge_of(point: tuple[float, float], height: int, width: int) -> int:
    """Nearest box edge of a point: 0 top, 1 right, 2 bottom, 3 left."""
    x, y = point
    return int(np.argmin([y, width - x, height - y, x]))


def lead_boxes(
    ink: Binary, terminals: list[tuple[float, float]]
) -> list[tuple[int, int, int, int]]:
    """The straight lead stroke from each terminal inward, as (x0, y0, x1, y1) pixel boxes.

    From the terminal's edge, rows (or columns) are followed inward while the ink run that
    holds the terminal stays as narrow as it began: the lead ends where the body widens.
    """
    height, width = ink.shape
    leads = []
    for point in terminals:
        edge = _edge_of(point, height, width)
        # Turn the image so that this edge is the top; walk down its rows.
        turned = np.rot90(ink, edge)
        rows, cols = turned.shape
        x, y = point
        along = [x, y, width - x, height - y][edge]
        centre = int(min(cols - 1, max(0, round(along))))
        first = (
            turned[0]
            if turned[0, max(0, centre - 3) : centre + 4].any()
            else turned[min(1, rows - 1)]
        )
        hits = np.flatnonzero(first[max(0, centre - 3) : centre + 4])
        if hits.size == 0:
            continue
        start = max(0, centre - 3) + int(
            hits[np.argmin(np.abs(hits + max(0, centre - 3) - centre))]
        )
        lo, hi = _run_around(first, start)
        width0 = hi - lo
        depth = 0
        while depth < rows:
            row = turned[depth]
            if not row[lo:hi].any():
                break
            hit = lo + int(np.flatnonzero(row[lo:hi])[0])
            run_lo, run_hi = _run_around(row, hit)
            if run_hi - run_lo > width0 + 2:
                break
            depth += 1
        if depth < 2:
            continue
        leads.append(_unturn_box((lo, 0, hi, depth), edge, height, width))
    return leads


def _run_around(row: NDArray[np.uint8], index: int) -> tuple[int, int]:
    """[lo, hi) of the run of set values that holds `index`."""
    lo = index
    while lo > 0 and row[lo - 1]:
        lo -= 1
    hi = index + 1
    while hi < len(row) and row[hi]:
        hi += 1
    return lo, hi


def _unturn_box(
    box: tuple[int, int, int, int], edge: int, height: int, width: int
) -> tuple[int, int, int, int]:
    """A box found in `np.rot90(image, edge)` back in the image's own pixels."""
    c0, r0, c1, r1 = box  # columns and rows in the turned image
    if edge == 0:
        return (c0, r0, c1, r1)
    if edge == 1:  # turned = rot90 once: turned[r, c] = image[c, width - 1 - r]
        return (width - r1, c0, width - r0, c1)
    if edge == 2:  # turned[r, c] = image[height - 1 - r, width - 1 - c]
        return (width - c1, height - r1, width - c0, height - r0)
    # edge 3: turned[r, c] = image[height - 1 - c, r]
    return (r0, height - c1, r1, height - c0)


def _prepare(
    exemplar: Exemplar,
    ink: Binary,
    terminals: list[tuple[float, float]],
    rotation: int,
    mirror: bool,
) -> ReferenceView:
    height, width = ink.shape
    stroke = stroke_width(ink)
    leads = lead_boxes(ink, terminals)
    pad = max(2, round(stroke))
    lead_mask = np.zeros_like(ink)
    for x0, y0, x1, y1 in leads:
        lead_mask[max(0, y0 - pad) : y1 + pad, max(0, x0 - pad) : x1 + pad] = 1

    edges = [_edge_of(p, height, width) for p in terminals]
    vertical = [p[0] for p, e in zip(terminals, edges, strict=True) if e in (0, 2)]
    horizontal = [p[1] for p, e in zip(terminals, edges, strict=True) if e in (1, 3)]
    if not terminals:  # no conductor known: may sit on either, centred
        vertical, horizontal = [width / 2.0], [height / 2.0]
    axis_x = float(np.mean(vertical)) if vertical else None
    axis_y = float(np.mean(horizontal)) if horizontal else None
    body = ink * (1 - lead_mask)
    # The conductor's band, as wide as the candidate search takes it on a page: half the
    # stroke and one and a half pixels at about 100 dpi.
    band = max(1, round(stroke / 2 + 1.5 * exemplar.info.dpi / 100.0))
    body_vertical = _body_box(body, axis_x, band, vertical=True)
    body_horizontal = _body_box(body, axis_y, band, vertical=False)

    # Canonical arrays over the box grown by the paper ring.
    ring_px = max(4, round(RING_SHARE * max(height, width)))
    canvas_h, canvas_w = height + 2 * ring_px, width + 2 * ring_px
    strokes = np.zeros((canvas_h, canvas_w), np.uint8)
    strokes[ring_px : ring_px + height, ring_px : ring_px + width] = thin_strokes(ink)
    care = np.ones((canvas_h, canvas_w), np.float32)
    care[ring_px : ring_px + height, ring_px : ring_px + width] = 1 - lead_mask
    reach = pad + round(stroke) + 2
    for (x, y), edge in zip(terminals, edges, strict=True):
        # Beyond a terminal the conductor carries on through the ring: not held against it.
        x, y = round(x) + ring_px, round(y) + ring_px
        if edge == 0:
            care[: ring_px + 1, max(0, x - reach) : x + reach + 1] = 0
        elif edge == 2:
            care[ring_px + height - 1 :, max(0, x - reach) : x + reach + 1] = 0
        elif edge == 3:
            care[max(0, y - reach) : y + reach + 1, : ring_px + 1] = 0
        else:
            care[max(0, y - reach) : y + reach + 1, ring_px + width - 1 :] = 0
    # The body sets the canonical size (so leads do not dilute its detail), within bounds on
    # the whole box (so that long leads do not make the canvas huge).
    bodies = [b for b in (body_vertical, body_horizontal) if b is not None]
    body_side = max((max(b[2] - b[0], b[3] - b[1]) for b in bodies), default=max(height, width))
    factor = min(CANONICAL_PX / body_side, MAX_CANONICAL_PX / max(height, width))
    factor = max(factor, CANONICAL_PX / max(height, width))
    strokes_c = pool(strokes, factor)
    size = (strokes_c.shape[1], strokes_c.shape[0])
    care_c = cv2.resize(care, size, interpolation=cv2.INTER_AREA) > 0.999
    explained = cv2.dilate(strokes_c, _SQUARE_3) * care_c
    return ReferenceView(
        exemplar=exemplar,
        rotation=rotation,
        mirror=mirror,
        height=height,
        width=width,
        axis_x=axis_x,
        axis_y=axis_y,
        body_vertical=body_vertical,
        body_horizontal=body_horizontal,
        factor=factor,
        ring=round(ring_px * factor),
        strokes=strokes_c.astype(np.float32),
        explained=explained.astype(np.float32),
        care=care_c.astype(np.float32),
        stroke_count=max(1.0, float(strokes_c.sum())),
    )


def _body_box(body: Binary, axis: float | None, band: int, *, vertical: bool) -> Box | None:
    """Box of the body ink more than `band` pixels away from the conductor line."""
    if axis is None:
        return None
    beside = body.copy()
    centre = round(axis)
    if vertical:
        beside[:, max(0, centre - band) : centre + band + 1] = 0
    else:
        beside[max(0, centre - band) : centre + band + 1, :] = 0
    ys, xs = np.nonzero(beside)
    if ys.size == 0:
        return None
    return (float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1))


def match_scores(
    view: ReferenceView, drawn: NDArray[np.float32], near: NDArray[np.float32]
) -> NDArray[np.float32]:
    """Score of the view's canvas at every position of a canonical crop of the drawing.

    `drawn` holds the drawing's thin strokes, `near` the same dilated by one pixel; the crop
    must be at least the view's canvas in size. Returns F-measures in [0, 1].
    """
    recall = cv2.matchTemplate(near, view.strokes, cv2.TM_CCORR) / view.stroke_count
    inside = cv2.matchTemplate(drawn, view.care, cv2.TM_CCORR)
    agreeing = cv2.matchTemplate(drawn, view.explained, cv2.TM_CCORR)
    precision = agreeing / np.maximum(inside, 1.0)
    total = recall + precision
    scores = np.where(total > 0, 2.0 * recall * precision / np.maximum(total, 1e-9), 0.0)
    return np.clip(scores, 0.0, 1.0).astype(np.float32)

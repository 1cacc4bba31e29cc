"""Sight lines: is anything drawn between a label and a symbol (or between two text lines)?

A label never reaches its component across a wire or across another component: a reader's eye
would stop there. The test draws three short sight lines through the gap between the two boxes,
across the band where they face each other (or one line between the nearest corners when they
face each other diagonally), and asks what cuts them. Most of the three must be cut: a wire that
merely starts at one end of the band, or a symbol's corner, does not separate the two.

What can cut a sight line:
- conductors: the vector segments of the connectivity stage (`Conductors.segments`);
- other symbols' boxes;
- ink on the raster, for pages without vector geometry (scans): a stroke that darkens the
  sight line across a band of a few pixels, which scanner speckle does not (`InkCrossings`).
Other text lines are reported apart (`text_between`): text in between is a cost, not a wall.

`lead_sides` answers a neighbouring question: on which sides of a symbol's box does a wire
leave? A conductor (or a stroke of the raster) that crosses two lines parallel to a side, just
outside it, is a lead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from sld.geometry import FloatArray

#: Sight lines per pair; the pair is separated when at least `MAJORITY` are cut.
RAYS = 3
MAJORITY = 2
#: Fractions of the facing band where the sight lines run.
RAY_POSITIONS = (0.25, 0.5, 0.75)
#: Sight lines stop this far (points) short of both boxes, so the boxes' own strokes and the
#: symbol's leads that end at its box do not count.
END_CLEARANCE = 0.8


def sight_rays(a: FloatArray, b: FloatArray) -> FloatArray | None:
    """`RAYS` segments (RAYS, 4) through the gap between boxes a and b, or None when they touch.

    Facing sideways (their y-ranges overlap): horizontal rays across the shared y-band. Facing
    up or down: vertical rays across the shared x-band. Diagonal: the ray between the nearest
    corners, repeated.
    """
    overlap_x = min(a[2], b[2]) - max(a[0], b[0])
    overlap_y = min(a[3], b[3]) - max(a[1], b[1])
    rays = np.zeros((RAYS, 4), dtype=np.float64)
    positions = np.asarray(RAY_POSITIONS)
    if overlap_y > 0 and overlap_x < 0:
        low = max(a[1], b[1])
        ys = low + positions * overlap_y
        left, right = (a, b) if a[2] <= b[0] else (b, a)
        x0, x1 = left[2] + END_CLEARANCE, right[0] - END_CLEARANCE
        if x1 <= x0:
            return None
        rays[:, 0], rays[:, 2] = x0, x1
        rays[:, 1] = rays[:, 3] = ys
        return rays
    if overlap_x > 0 and overlap_y < 0:
        low = max(a[0], b[0])
        xs = low + positions * overlap_x
        upper, lower = (a, b) if a[3] <= b[1] else (b, a)
        y0, y1 = upper[3] + END_CLEARANCE, lower[1] - END_CLEARANCE
        if y1 <= y0:
            return None
        rays[:, 0] = rays[:, 2] = xs
        rays[:, 1], rays[:, 3] = y0, y1
        return rays
    if overlap_x >= 0 or overlap_y >= 0:
        return None  # the boxes touch or overlap: nothing can be between them
    ax = a[2] if a[2] < b[0] else a[0]
    bx = b[0] if a[2] < b[0] else b[2]
    ay = a[3] if a[3] < b[1] else a[1]
    by = b[1] if a[3] < b[1] else b[3]
    start, end = np.asarray([ax, ay]), np.asarray([bx, by])
    length = float(np.hypot(*(end - start)))
    if length <= 2 * END_CLEARANCE:
        return None
    step = (end - start) / length * END_CLEARANCE
    rays[:] = np.concatenate([start + step, end - step])
    return rays


#: Sides of a box, in the order `lead_sides` reports them.
LEFT, TOP, RIGHT, BOTTOM = range(4)
#: A lead is looked for in a band this far outside a symbol's side (points) ...
LEAD_BAND = (1.2, 2.8)
#: ... over the middle part of the side (corners belong to neighbouring sides).
LEAD_SPAN = (0.1, 0.9)


def side_bands(box: FloatArray) -> FloatArray:
    """For each side of a box (LEFT, TOP, RIGHT, BOTTOM), the two lines parallel to it in the
    lead band, as (4, 2, 4) segments (x0, y0, x1, y1) in points."""
    x0, y0, x1, y1 = (float(v) for v in box)
    near, far = LEAD_BAND
    lo, hi = LEAD_SPAN
    ya, yb = y0 + lo * (y1 - y0), y0 + hi * (y1 - y0)
    xa, xb = x0 + lo * (x1 - x0), x0 + hi * (x1 - x0)
    bands = []
    for offset in (near, far):
        bands.append(
            [
                [x0 - offset, ya, x0 - offset, yb],
                [xa, y0 - offset, xb, y0 - offset],
                [x1 + offset, ya, x1 + offset, yb],
                [xa, y1 + offset, xb, y1 + offset],
            ]
        )
    return np.asarray(bands, dtype=np.float64).transpose(1, 0, 2)


@dataclass(frozen=True)
class InkCrossings:
    """Dark strokes of a raster page that cross a sight line (for pages without vectors).

    `ink` is the page binarised (True = ink), `scale` pixels per point. A stroke that crosses a
    sight line covers it across its whole width, while scanner speckle covers a few pixels: so
    the ray is sampled as a band `band_px` wide, and it is cut where the whole band is dark.
    """

    ink: NDArray[np.bool_]
    scale: float
    band_px: int = 3

    def cut(self, rays: FloatArray) -> NDArray[np.bool_]:
        """Which rays (N, 4 in points) a dark stroke crosses."""
        height, width = self.ink.shape
        result = np.zeros(len(rays), dtype=np.bool_)
        half = self.band_px // 2
        for index, (x0, y0, x1, y1) in enumerate(rays * self.scale):
            steps = int(max(abs(x1 - x0), abs(y1 - y0))) + 1
            xs = np.rint(np.linspace(x0, x1, steps)).astype(np.intp)
            ys = np.rint(np.linspace(y0, y1, steps)).astype(np.intp)
            horizontal = abs(x1 - x0) >= abs(y1 - y0)
            across = np.arange(-half, half + 1)
            if horizontal:
                band_x = np.repeat(xs[:, None], len(across), axis=1)
                band_y = ys[:, None] + across[None, :]
            else:
                band_x = xs[:, None] + across[None, :]
                band_y = np.repeat(ys[:, None], len(across), axis=1)
            band_x = np.clip(band_x, 0, width - 1)
            band_y = np.clip(band_y, 0, height - 1)
            result[index] = bool(self.ink[band_y, band_x].all(axis=1).any())
        return result

    def lead(self, near: FloatArray, far: FloatArray) -> bool:
        """Whether a stroke crosses both lines (points), at about the same place along them."""
        hits = []
        for line in (near, far):
            x0, y0, x1, y1 = line * self.scale
            steps = int(max(abs(x1 - x0), abs(y1 - y0))) + 1
            xs = np.clip(
                np.rint(np.linspace(x0, x1, steps)).astype(np.intp), 0, self.ink.shape[1] - 1
            )
            ys = np.clip(
                np.rint(np.linspace(y0, y1, steps)).astype(np.intp), 0, self.ink.shape[0] - 1
            )
            hits.append(self.ink[ys, xs])
        length = min(len(hits[0]), len(hits[1]))
        near_hits, far_hits = hits[0][:length], hits[1][:length]
        # Allow the stroke a pixel of slant between the two lines.
        widened = near_hits | np.roll(near_hits, 1) | np.roll(near_hits, -1)
        return bool((widened & far_hits).any())


class Sightlines:
    """Answers "is anything drawn between these two boxes?" for one page."""

    def __init__(
        self,
        segments: FloatArray,
        symbol_boxes: FloatArray,
        text_boxes: FloatArray,
        ink: InkCrossings | None = None,
    ) -> None:
        self._segments = shapely.STRtree(shapely.linestrings(segments.reshape(-1, 2, 2)))
        self._symbols = shapely.STRtree(shapely.box(*symbol_boxes.T)) if len(symbol_boxes) else None
        self._texts = shapely.STRtree(shapely.box(*text_boxes.T)) if len(text_boxes) else None
        self._ink = ink

    def _hits(
        self, tree: shapely.STRtree | None, rays: FloatArray
    ) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        if tree is None or not len(rays):
            empty = np.zeros(0, dtype=np.intp)
            return empty, empty
        lines = shapely.linestrings(rays.reshape(-1, 2, 2))
        ray_index, item_index = tree.query(lines, predicate="intersects")
        return ray_index.astype(np.intp), item_index.astype(np.intp)

    def separated(
        self, pairs: Sequence[tuple[FloatArray, FloatArray]], own_symbols: Sequence[int | None]
    ) -> NDArray[np.bool_]:
        """For each pair of boxes, whether a conductor, another symbol or ink lies between.

        `own_symbols[k]` is the symbol of pair k that may not count as its own obstacle.
        """
        rays, owner = self._rays(pairs)
        cut = np.zeros(len(rays), dtype=np.bool_)
        ray_index, _ = self._hits(self._segments, rays)
        cut[ray_index] = True
        ray_index, symbol_index = self._hits(self._symbols, rays)
        own = np.asarray([own_symbols[owner[r]] for r in ray_index], dtype=object)
        others = symbol_index != own if len(own) else np.zeros(0, dtype=np.bool_)
        cut[ray_index[others]] = True
        if self._ink is not None and len(rays):
            cut |= self._ink.cut(rays)
        return self._majority(cut, owner, len(pairs))

    def lead_sides(self, boxes: FloatArray) -> NDArray[np.bool_]:
        """(N, 4): for each symbol box, which sides (LEFT, TOP, RIGHT, BOTTOM) a wire leaves by.

        A side has a lead when a conductor crosses the band just outside it (both its lines),
        or, on a raster page, when a stroke does.
        """
        sides = np.zeros((len(boxes), 4), dtype=np.bool_)
        if not len(boxes):
            return sides
        bands = np.stack([side_bands(box) for box in boxes])  # (N, 4, 2, 4)
        lines = shapely.linestrings(bands.reshape(-1, 2, 2))
        line_index, _ = self._segments.query(lines, predicate="intersects")
        crossed = np.zeros(len(lines), dtype=np.bool_)
        crossed[line_index] = True
        sides |= crossed.reshape(len(boxes), 4, 2).all(axis=2)
        if self._ink is not None:
            for n in range(len(boxes)):
                for side in range(4):
                    if not sides[n, side]:
                        sides[n, side] = self._ink.lead(bands[n, side, 0], bands[n, side, 1])
        return sides

    def text_between(
        self, pairs: Sequence[tuple[FloatArray, FloatArray]], own_texts: Sequence[frozenset[int]]
    ) -> NDArray[np.bool_]:
        """For each pair, whether other text lines (not in `own_texts[k]`) lie between."""
        rays, owner = self._rays(pairs)
        cut = np.zeros(len(rays), dtype=np.bool_)
        ray_index, text_index = self._hits(self._texts, rays)
        for ray, text in zip(ray_index.tolist(), text_index.tolist(), strict=True):
            if text not in own_texts[owner[ray]]:
                cut[ray] = True
        return self._majority(cut, owner, len(pairs))

    @staticmethod
    def _rays(
        pairs: Sequence[tuple[FloatArray, FloatArray]],
    ) -> tuple[FloatArray, NDArray[np.intp]]:
        rays: list[FloatArray] = []
        owner: list[int] = []
        for index, (a, b) in enumerate(pairs):
            found = sight_rays(a, b)
            if found is not None:
                rays.append(found)
                owner += [index] * len(found)
        if not rays:
            return np.zeros((0, 4), dtype=np.float64), np.zeros(0, dtype=np.intp)
        return np.concatenate(rays), np.asarray(owner, dtype=np.intp)

    @staticmethod
    def _majority(cut: NDArray[np.bool_], owner: NDArray[np.intp], count: int) -> NDArray[np.bool_]:
        votes = np.bincount(owner[cut], minlength=count) if count else np.zeros(0, np.intp)
        return np.asarray(votes >= MAJORITY, dtype=np.bool_)

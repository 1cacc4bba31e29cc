"""Which exemplar explains a device candidate: its shape against theirs, whatever the size.

A candidate's tight box and an exemplar's tight box are both stretched to one canonical square
(`CANONICAL_PX`), so proportions, size and line weight drop out and what is compared is the
layout of the strokes: their centre lines must agree both ways within a pixel there (an
F-measure of stroke recall and precision). What stretching hides is brought back as two
factors on that score: how far the boxes' proportions differ beyond `ASPECT_FREE`, and whether
the conductors attach on the same sides. Every exemplar is tried in each of its quarter turns,
mirrored or not, unless it holds letters.

Why this and not a sliding template at many scales (what this project did before): the
candidates come with their place and size from the drawing itself (`devices.py`), so the
search is one comparison per candidate and view, all of them at once as a matrix product; and
a symbol drawn by another office, with other proportions, still lines up with the exemplar
once both boxes are the same square.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from sld.pages.ink import Binary, ink_mask, thin_strokes
from sld.symbols.library import Exemplar, ExemplarInfo

#: Side of the canonical square, pixels.
CANONICAL_PX = 32
#: Proportions (height / width) may differ by this factor at no cost ...
ASPECT_FREE = 1.3
#: ... and each further factor of e costs this much of the score (as a Gaussian in the log).
ASPECT_SCALE = 0.45
#: A view whose conductors attach on other sides than the candidate's keeps this much.
SIDES_DISAGREE = 0.8
#: Two candidates are drawn the same way at this shape score or above.
SAME_SHAPE = 0.8

SIDES = ("top", "right", "bottom", "left")
_SQUARE_3 = np.ones((3, 3), np.uint8)


@dataclass(frozen=True)
class Shape:
    """One exemplar in one orientation, reduced to its canonical strokes."""

    exemplar: Exemplar
    rotation: int
    mirror: bool
    #: log(height / width) of its tight box.
    log_aspect: float
    #: Sides where its conductors attach (empty: unknown).
    sides: frozenset[str]
    strokes: NDArray[np.float32]
    near: NDArray[np.float32]

    @property
    def type(self) -> str:
        return self.exemplar.type


def canonical(mask: Binary) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """A stroke mask stretched to the canonical square: its centre lines, and those grown by
    a pixel (both flattened, float32).

    Centre lines are taken before stretching as well as after: a small open shape blown up to
    the square would otherwise fill in (an outlined arrow would look like a filled one).
    """
    lines = thin_strokes(mask)
    height, width = lines.shape
    size = (CANONICAL_PX, CANONICAL_PX)
    if height * width > CANONICAL_PX**2:
        scaled = cv2.resize(lines.astype(np.float32), size, interpolation=cv2.INTER_AREA) > 0
    else:
        scaled = cv2.resize(lines, size, interpolation=cv2.INTER_NEAREST) > 0
    lines = thin_strokes(scaled.astype(np.uint8))
    near = cv2.dilate(lines, _SQUARE_3)
    return lines.astype(np.float32).ravel(), near.astype(np.float32).ravel()


def orient(image: NDArray[np.uint8], rotation: int, mirror: bool) -> NDArray[np.uint8]:
    """Mirror left-right (if asked), then turn clockwise by `rotation` degrees."""
    if mirror:
        image = image[:, ::-1]
    return np.ascontiguousarray(np.rot90(image, -(rotation // 90)))


def terminal_sides(terminals: list[tuple[float, float]], height: int, width: int) -> set[str]:
    """The box sides (top, right, bottom, left) nearest to each terminal point."""
    sides = set()
    for x, y in terminals:
        distances = [y, width - x, height - y, x]
        sides.add(SIDES[int(np.argmin(distances))])
    return sides


def turn_sides(sides: set[str], rotation: int, mirror: bool) -> frozenset[str]:
    """Where sides end up after mirroring left-right, then turning clockwise."""
    if mirror:
        sides = {{"left": "right", "right": "left"}.get(side, side) for side in sides}
    steps = rotation // 90
    return frozenset(SIDES[(SIDES.index(side) + steps) % 4] for side in sides)


def tight(ink: Binary) -> tuple[Binary, tuple[int, int, int, int]] | None:
    """The mask cut to the box of its ink, and that box (x0, y0, x1, y1)."""
    ys, xs = np.nonzero(ink)
    if not len(ys):
        return None
    x0, y0, x1, y1 = int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
    return np.ascontiguousarray(ink[y0:y1, x0:x1]), (x0, y0, x1, y1)


def shapes_of(exemplar: Exemplar) -> list[Shape]:
    """The distinct orientations of an exemplar, each reduced to canonical strokes."""
    cut = tight(ink_mask(exemplar.image))
    if cut is None:
        return []
    ink, (x0, y0, _, _) = cut
    height, width = ink.shape
    terminals = [(x - x0, y - y0) for x, y in exemplar.info.terminals]
    sides = terminal_sides(terminals, height, width)
    turns = [(r, m) for m in (False, True) for r in (0, 90, 180, 270)]
    if not exemplar.info.rotatable:
        turns = [(0, False)]
    shapes: list[Shape] = []
    seen: list[NDArray[np.uint8]] = []
    for rotation, mirror in turns:
        turned = orient(ink, rotation, mirror)
        if any(s.shape == turned.shape and np.array_equal(s, turned) for s in seen):
            continue
        seen.append(turned)
        strokes, near = canonical(turned)
        shapes.append(
            Shape(
                exemplar=exemplar,
                rotation=rotation,
                mirror=mirror,
                log_aspect=float(np.log(turned.shape[0] / turned.shape[1])),
                sides=turn_sides(sides, rotation, mirror),
                strokes=strokes,
                near=near,
            )
        )
    return shapes


def _bits(sides: frozenset[str]) -> int:
    return sum(1 << SIDES.index(side) for side in sides)


@dataclass(frozen=True)
class Match:
    """The best view for one candidate, and its score in [0, 1]."""

    shape: Shape | None
    score: float


class ShapeIndex:
    """Every view of a library, as matrices, so candidates are scored against all at once."""

    def __init__(self, exemplars: list[Exemplar]) -> None:
        self.shapes: list[Shape] = []
        self.extend(exemplars)

    def extend(self, exemplars: list[Exemplar]) -> None:
        """Add the views of more exemplars."""
        self.shapes += [shape for exemplar in exemplars for shape in shapes_of(exemplar)]
        dimension = CANONICAL_PX * CANONICAL_PX
        empty = np.zeros((0, dimension), np.float32)
        self._strokes = np.stack([s.strokes for s in self.shapes]) if self.shapes else empty
        self._near = np.stack([s.near for s in self.shapes]) if self.shapes else empty
        self._counts = np.maximum(self._strokes.sum(axis=1), 1.0)
        self._aspects = np.asarray([s.log_aspect for s in self.shapes], dtype=np.float64)
        self._sides = np.asarray([_bits(s.sides) for s in self.shapes], dtype=np.int64)

    def __len__(self) -> int:
        return len(self.shapes)

    def scores(self, crops: list[Binary], sides: list[frozenset[str]]) -> NDArray[np.float64]:
        """(candidates, views) scores: stroke F-measure times the proportion and side factors."""
        if not crops or not self.shapes:
            return np.zeros((len(crops), len(self.shapes)))
        canon = [canonical(crop) for crop in crops]
        strokes = np.stack([c[0] for c in canon])
        near = np.stack([c[1] for c in canon])
        counts = np.maximum(strokes.sum(axis=1), 1.0)
        recall = (near @ self._strokes.T) / self._counts[None, :]
        precision = (strokes @ self._near.T) / counts[:, None]
        total = recall + precision
        f_measure = np.where(total > 0, 2 * recall * precision / np.maximum(total, 1e-9), 0.0)
        aspects = np.asarray([np.log(c.shape[0] / c.shape[1]) for c in crops], dtype=np.float64)
        excess = np.maximum(
            0.0, np.abs(aspects[:, None] - self._aspects[None, :]) - np.log(ASPECT_FREE)
        )
        aspect_factor = np.exp(-0.5 * (excess / ASPECT_SCALE) ** 2)
        candidate_bits = np.asarray([_bits(c) for c in sides], dtype=np.int64)
        disagree = (
            (candidate_bits[:, None] != 0)
            & (self._sides[None, :] != 0)
            & ((candidate_bits[:, None] & self._sides[None, :]) == 0)
        )
        side_factor = np.where(disagree, SIDES_DISAGREE, 1.0)
        return np.asarray(f_measure * aspect_factor * side_factor, dtype=np.float64)

    def best(self, crops: list[Binary], sides: list[frozenset[str]]) -> list[Match]:
        """The best view of each candidate."""
        return self.best_of(self.scores(crops, sides))

    def best_of(self, table: NDArray[np.float64]) -> list[Match]:
        """The best view of each row of a `scores` table."""
        if not table.size:
            return [Match(None, 0.0) for _ in range(len(table))]
        columns = np.argmax(table, axis=1)
        return [
            Match(self.shapes[int(column)], float(table[row, column]))
            for row, column in enumerate(columns)
        ]


def exemplar_of(name: str, mask: Binary) -> Exemplar:
    """A candidate's strokes as an exemplar, so candidates are compared as exemplars are."""
    image = np.where(mask > 0, 0, 255).astype(np.uint8)
    info = ExemplarInfo(
        type="symbol", standard="user", variant="group", source="", licence="", dpi=72.0, image=""
    )
    return Exemplar(name=name, info=info, image=image, folder=Path("."))


def group_by_shape(masks: list[Binary], same: float = SAME_SHAPE) -> list[list[int]]:
    """Candidates drawn the same way, as lists of indices into `masks`, largest groups first.

    Greedy, largest candidates first: each joins the group whose founder it matches best at
    `same` or above (in any quarter turn, mirrored or not), else founds a group. A group's
    founder is its largest member, so the clearest drawing of the shape, and is listed first.
    """
    cuts = [tight(mask) for mask in masks]
    strokes = [mask if cut is None else cut[0] for mask, cut in zip(masks, cuts, strict=True)]
    order = sorted(range(len(masks)), key=lambda i: -strokes[i].size)
    groups: list[list[int]] = []
    index = ShapeIndex([])
    for i in order:
        if len(index):
            scores = index.scores([strokes[i]], [frozenset()])[0]
            column = int(np.argmax(scores))
            if scores[column] >= same:
                groups[int(index.shapes[column].exemplar.name)].append(i)
                continue
        index.extend([exemplar_of(str(len(groups)), strokes[i])])
        groups.append([i])
    return sorted(groups, key=lambda g: -len(g))

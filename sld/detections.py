"""`Detections`: boxes with scores and labels, held as parallel numpy arrays.

One value type for everything a backend finds on an image: symbols (label = component type)
and text lines (label = the text read). Arrays rather than lists of small objects keep the
hot paths (tile merging, filtering) vectorised.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from sld.geometry import FloatArray, as_boxes


def _labels(values: Sequence[str] | NDArray[np.object_]) -> NDArray[np.object_]:
    array = np.empty(len(values), dtype=object)
    array[:] = list(values)
    return array


def _tuples(values: Sequence[tuple[str, ...]] | NDArray[np.object_]) -> NDArray[np.object_]:
    """An object array holding one tuple per item (numpy would make a 2-D array of them)."""
    array = np.empty(len(values), dtype=object)
    for index, value in enumerate(values):
        array[index] = tuple(value)
    return array


@dataclass(frozen=True)
class Detections:
    """`boxes` (N, 4) xyxy, `scores` (N,) in [0, 1], `labels` (N,) strings, and for symbols
    `resembles` (N,): tuples of the types whose drawings an unclassified device (type `symbol`)
    came closest to, best first, those its shape cannot tell apart (empty where a detector says
    nothing of it).

    The unit of `boxes` depends on where the value is: tile pixels straight out of a backend,
    PDF points once `tiling.tile_detections_to_points` has mapped them.
    """

    boxes: FloatArray = field(default_factory=lambda: np.zeros((0, 4), dtype=np.float64))
    scores: FloatArray = field(default_factory=lambda: np.zeros(0, dtype=np.float64))
    labels: NDArray[np.object_] = field(default_factory=lambda: np.empty(0, dtype=object))
    #: Left empty, it is filled with empty tuples.
    resembles: NDArray[np.object_] = field(default_factory=lambda: np.empty(0, dtype=object))

    def __post_init__(self) -> None:
        n = len(self.boxes)
        if n and not len(self.resembles):
            object.__setattr__(self, "resembles", _tuples([()] * n))
        shapes = (self.boxes.shape, self.scores.shape, self.labels.shape, self.resembles.shape)
        if shapes != ((n, 4), (n,), (n,), (n,)):
            raise ValueError(
                f"Detections arrays disagree: boxes {self.boxes.shape}, scores "
                f"{self.scores.shape}, labels {self.labels.shape}, resembles "
                f"{self.resembles.shape}"
            )

    @classmethod
    def from_lists(
        cls,
        boxes: Sequence[Sequence[float]],
        scores: Sequence[float],
        labels: Sequence[str],
        resembles: Sequence[tuple[str, ...]] | None = None,
    ) -> Detections:
        return cls(
            boxes=as_boxes(boxes),
            scores=np.asarray(scores, dtype=np.float64).reshape(-1),
            labels=_labels(labels),
            resembles=_tuples(resembles or []),
        )

    @classmethod
    def concatenate(cls, parts: Sequence[Detections]) -> Detections:
        parts = [part for part in parts if len(part)]
        if not parts:
            return cls()
        return cls(
            boxes=np.concatenate([part.boxes for part in parts]),
            scores=np.concatenate([part.scores for part in parts]),
            labels=_labels(np.concatenate([part.labels for part in parts])),
            resembles=_tuples(np.concatenate([part.resembles for part in parts])),
        )

    def __len__(self) -> int:
        return len(self.boxes)

    def __getitem__(self, selection: NDArray[np.bool_] | NDArray[np.intp] | slice) -> Detections:
        """A subset by boolean mask or index array, in the order given."""
        return Detections(
            boxes=self.boxes[selection].reshape(-1, 4),
            scores=self.scores[selection].reshape(-1),
            labels=_labels(self.labels[selection].reshape(-1)),
            resembles=_tuples(self.resembles[selection].reshape(-1)),
        )

    def __iter__(self) -> Iterator[tuple[FloatArray, float, str]]:
        for box, score, label in zip(self.boxes, self.scores, self.labels, strict=True):
            yield box, float(score), str(label)

    def scaled(self, factor: float, offset_x: float = 0.0, offset_y: float = 0.0) -> Detections:
        """Boxes moved by the offset, then multiplied by `factor` (e.g. pixels to points)."""
        shift = np.asarray([offset_x, offset_y, offset_x, offset_y], dtype=np.float64)
        return replace(self, boxes=(self.boxes + shift) * factor, scores=self.scores.copy())

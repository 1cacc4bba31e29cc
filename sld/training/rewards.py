"""Geometry rewards for GRPO, and box F1 for checking a tuned model, on parsed answers.

An answer is read exactly as inference reads it (`sld.rexomni.parser.parse_answer`: the
/999 bins times the size of the image given to the model), then compared per label with the
sample's targets. Upstream's reward functions (`finetuning/verl/configs/reward_func.py`)
decode with /1000 instead, which shifts every box by a tenth of a percent; these do not.

- `box_iou_reward`: per label, soft precision (each predicted box's best IoU with a true box
  of its label) and soft recall (each true box's best IoU with a predicted one), combined into
  F1; 1 when the label has no true and no predicted box (a negative answered `None`), 0 when
  only one side has boxes. The reward is the mean over the labels asked and the labels
  answered. This is upstream's `box_iou` per category.
- `point_in_box_reward`: per label, predicted points (a box counts by its centre) matched one
  to one to true boxes that contain them, F1 of the matches (upstream's `point_in_box`).
- `box_counts`: true positives at IoU >= 0.5 with one-to-one matching, for plain F1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sld.evaluate import match_pairs
from sld.geometry import FloatArray, as_boxes, iou_matrix
from sld.rexomni.parser import Shape, parse_answer
from sld.training.samples import PixelBox, Target


def _by_label(targets: Sequence[Target]) -> dict[str, list[PixelBox]]:
    found: dict[str, list[PixelBox]] = {}
    for target in targets:
        found.setdefault(target.label, []).extend(target.boxes)
    return found


def _shapes_by_label(shapes: Sequence[Shape]) -> dict[str, list[Shape]]:
    found: dict[str, list[Shape]] = {}
    for shape in shapes:
        found.setdefault(shape.label, []).append(shape)
    return found


def _f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall <= 0 else 2 * precision * recall / (precision + recall)


def soft_box_f1(truth: Sequence[PixelBox], predicted: Sequence[PixelBox]) -> float:
    """Upstream's soft F1 of one label's boxes."""
    if not truth and not predicted:
        return 1.0
    if not truth or not predicted:
        return 0.0
    iou = iou_matrix(as_boxes(truth), as_boxes(predicted))
    return _f1(float(iou.max(axis=0).mean()), float(iou.max(axis=1).mean()))


def _centres(shapes: Sequence[Shape]) -> FloatArray:
    points = []
    for shape in shapes:
        box = shape.box
        points.append(
            shape.vertices[0] if box is None else ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        )
    return np.asarray(points, dtype=np.float64).reshape(-1, 2)


def point_in_box_f1(truth: Sequence[PixelBox], predicted: Sequence[Shape]) -> float:
    """F1 of predicted points matched one to one into true boxes that contain them."""
    if not truth and not predicted:
        return 1.0
    if not truth or not predicted:
        return 0.0
    boxes = as_boxes(truth)
    points = _centres(predicted)
    inside = (
        (points[:, None, 0] >= boxes[None, :, 0])
        & (points[:, None, 0] <= boxes[None, :, 2])
        & (points[:, None, 1] >= boxes[None, :, 1])
        & (points[:, None, 1] <= boxes[None, :, 3])
    )
    matched = len(match_pairs(inside, inside.astype(np.float64)))
    return _f1(matched / len(predicted), matched / len(truth))


def _labels(targets: Sequence[Target], shapes: Sequence[Shape]) -> list[str]:
    asked = [target.label for target in targets]
    return list(dict.fromkeys([*asked, *(shape.label for shape in shapes)]))


def box_iou_reward(answer: str, targets: Sequence[Target], width: float, height: float) -> float:
    """Mean over labels of upstream's soft box F1; answers parsed as inference parses them."""
    shapes = [s for s in parse_answer(answer, width, height) if s.box is not None]
    truth, found = _by_label(targets), _shapes_by_label(shapes)
    scores = [
        soft_box_f1(
            truth.get(label, []), [s.box for s in found.get(label, []) if s.box is not None]
        )
        for label in _labels(targets, shapes)
    ]
    return float(np.mean(scores)) if scores else 1.0


def point_in_box_reward(
    answer: str, targets: Sequence[Target], width: float, height: float
) -> float:
    """Mean over labels of the point-in-box F1 (boxes count by their centres)."""
    shapes = parse_answer(answer, width, height)
    truth, found = _by_label(targets), _shapes_by_label(shapes)
    scores = [
        point_in_box_f1(truth.get(label, []), found.get(label, []))
        for label in _labels(targets, shapes)
    ]
    return float(np.mean(scores)) if scores else 1.0


@dataclass(frozen=True)
class BoxCounts:
    matched: int = 0
    truth: int = 0
    predicted: int = 0

    def __add__(self, other: BoxCounts) -> BoxCounts:
        return BoxCounts(
            self.matched + other.matched,
            self.truth + other.truth,
            self.predicted + other.predicted,
        )

    @property
    def f1(self) -> float:
        if not self.truth and not self.predicted:
            return 1.0
        return 2 * self.matched / (self.truth + self.predicted)


def box_counts(
    answer: str, targets: Sequence[Target], width: float, height: float, iou: float = 0.5
) -> BoxCounts:
    """One-to-one matches at IoU >= `iou` between the answer's boxes and the targets, per label."""
    shapes = [s for s in parse_answer(answer, width, height) if s.box is not None]
    truth, found = _by_label(targets), _shapes_by_label(shapes)
    total = BoxCounts()
    for label in _labels(targets, shapes):
        true_boxes = as_boxes(truth.get(label, []))
        predicted = as_boxes([s.box for s in found.get(label, [])])
        overlap = iou_matrix(true_boxes, predicted)
        matched = len(match_pairs(overlap >= iou, overlap)) if overlap.size else 0
        total = total + BoxCounts(matched, len(true_boxes), len(predicted))
    return total

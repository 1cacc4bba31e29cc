"""Writes Rex-Omni's answers: the inverse of `parser.py`, for training targets.

The grammar is upstream's (`finetuning/dataset/task_fns/grounding_task.py`, `compose_answer`):
one group per label, `<|object_ref_start|>LABEL<|object_ref_end|><|box_start|>BOXES<|box_end|>`,
boxes of one label joined by "," and sorted by their left edge, groups joined by ", ", and
`None` between the box markers for a label that is absent. The turn ends with `<|im_end|>`,
which generation stops at and training teaches.
"""

from __future__ import annotations

from collections.abc import Sequence

from sld.rexomni.coords import BinBox, bins_to_tokens
from sld.rexomni.decoding import END_OF_TURN
from sld.rexomni.parser import BOX_END, BOX_START, OBJECT_REF_END, OBJECT_REF_START

#: What the model writes between the box markers for an absent object.
ABSENT = "None"

#: One group of the answer: a label and its boxes as bins (none: the object is absent).
AnswerGroup = tuple[str, Sequence[BinBox]]


def group_text(label: str, boxes: Sequence[BinBox]) -> str:
    """One label's group; boxes sorted by x0 as upstream's targets are."""
    if not label or "<" in label or ">" in label:
        raise ValueError(f"an answer label must be non-empty and free of '<' and '>': {label!r}")
    shapes = ",".join(bins_to_tokens(box) for box in sorted(boxes)) if boxes else ABSENT
    return f"{OBJECT_REF_START}{label}{OBJECT_REF_END}{BOX_START}{shapes}{BOX_END}"


def answer_text(groups: Sequence[AnswerGroup]) -> str:
    """The whole answer, groups in the given order, closed by the end of the turn."""
    return ", ".join(group_text(label, boxes) for label, boxes in groups) + END_OF_TURN

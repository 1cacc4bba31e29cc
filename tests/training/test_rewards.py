"""GRPO rewards on hand-made answers, decoded as inference decodes them."""

from __future__ import annotations

import pytest

from sld.rexomni.answers import answer_text
from sld.training.rewards import box_counts, box_iou_reward, point_in_box_reward
from sld.training.samples import Target

SIZE = 999.0  # one bin = one pixel


def _answer(*groups: tuple[str, list[tuple[int, int, int, int]]]) -> str:
    return answer_text(list(groups))


TRUTH = (Target("fuse", ((100, 100, 200, 200), (400, 400, 500, 500))), Target("motor", ()))


def test_a_perfect_answer_scores_one() -> None:
    answer = _answer(("fuse", [(100, 100, 200, 200), (400, 400, 500, 500)]), ("motor", []))
    assert box_iou_reward(answer, TRUTH, SIZE, SIZE) == pytest.approx(1.0)
    assert point_in_box_reward(answer, TRUTH, SIZE, SIZE) == pytest.approx(1.0)
    assert box_counts(answer, TRUTH, SIZE, SIZE).f1 == 1.0


def test_an_empty_answer_on_a_negative_is_rewarded_and_a_box_there_is_not() -> None:
    negative = (Target("motor", ()),)
    assert box_iou_reward(_answer(("motor", [])), negative, SIZE, SIZE) == 1.0
    assert box_iou_reward("", negative, SIZE, SIZE) == 1.0
    assert box_iou_reward(_answer(("motor", [(1, 1, 50, 50)])), negative, SIZE, SIZE) == 0.0
    assert point_in_box_reward(_answer(("motor", [(1, 1, 50, 50)])), negative, SIZE, SIZE) == 0.0


def test_soft_iou_f1_per_category() -> None:
    # One fuse found exactly, the other missed, the motor negative answered None.
    answer = _answer(("fuse", [(100, 100, 200, 200)]), ("motor", []))
    # fuse: precision 1, recall (1 + 0) / 2 -> F1 2/3; motor 1; mean 5/6.
    assert box_iou_reward(answer, TRUTH, SIZE, SIZE) == pytest.approx((2 / 3 + 1) / 2)
    # A box shifted by half its width: IoU 1/3 for that fuse.
    shifted = _answer(("fuse", [(150, 100, 250, 200), (400, 400, 500, 500)]), ("motor", []))
    soft = (1 / 3 + 1) / 2
    assert box_iou_reward(shifted, TRUTH, SIZE, SIZE) == pytest.approx((soft + 1) / 2, rel=1e-3)
    # A label nobody asked for is a category with no truth: 0 for it.
    extra = _answer(
        ("fuse", [(100, 100, 200, 200), (400, 400, 500, 500)]),
        ("motor", []),
        ("cat", [(1, 1, 9, 9)]),
    )
    assert box_iou_reward(extra, TRUTH, SIZE, SIZE) == pytest.approx(2 / 3)


def test_point_in_box_counts_centres_one_to_one() -> None:
    # Both predictions fall in the first fuse: one match, precision 1/2, recall 1/2.
    answer = _answer(("fuse", [(110, 110, 190, 190), (120, 120, 180, 180)]), ("motor", []))
    assert point_in_box_reward(answer, TRUTH, SIZE, SIZE) == pytest.approx((0.5 + 1) / 2)
    points = (
        "<|object_ref_start|>fuse<|object_ref_end|><|box_start|><150><150>,<450><450><|box_end|>"
    )
    assert point_in_box_reward(points, TRUTH[:1], SIZE, SIZE) == pytest.approx(1.0)


def test_rewards_decode_with_the_inference_divisor() -> None:
    # On a 1998-pixel image bin 999 is pixel 1998 (divisor 999), not 1996 (divisor 1000).
    truth = (Target("fuse", ((999.0, 999.0, 1998.0, 1998.0),)),)
    answer = _answer(("fuse", [(499, 499, 999, 999)]))
    assert box_iou_reward(answer, truth, 1998, 1998) > 0.99
    counts = box_counts(answer, truth, 1998, 1998)
    assert (counts.matched, counts.truth, counts.predicted) == (1, 1, 1)

"""The soft coordinate cross-entropy: plain CE in the limit, kinder to near misses."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from sld.training.loss import SoftCoordinateLoss, coordinate_token_loss

FIRST = 100  # id of <0> in these made-up vocabularies
VOCAB = FIRST + 1000 + 20


def _peaked(at: int, height: float = 8.0) -> torch.Tensor:
    logits = torch.zeros(VOCAB)
    logits[at] = height
    return logits


def test_equals_plain_cross_entropy_as_sigma_goes_to_zero() -> None:
    torch.manual_seed(0)
    logits = torch.randn(6, VOCAB)
    targets = torch.tensor([FIRST + 5, FIRST + 500, FIRST + 999, FIRST, 3, VOCAB - 1])
    plain = F.cross_entropy(logits, targets, reduction="none")
    assert torch.allclose(coordinate_token_loss(logits, targets, FIRST, 0.0, 10), plain)
    assert torch.allclose(coordinate_token_loss(logits, targets, FIRST, 1e-3, 10), plain)
    assert torch.allclose(coordinate_token_loss(logits, targets, FIRST, 2.0, 0), plain)
    # Ordinary tokens keep plain CE whatever the sigma.
    soft = coordinate_token_loss(logits, targets, FIRST, 2.0, 10)
    assert torch.allclose(soft[4:], plain[4:])
    assert not torch.allclose(soft[:4], plain[:4])


def test_a_near_miss_costs_less_than_a_far_one() -> None:
    target = torch.tensor([FIRST + 400])
    near = _peaked(FIRST + 401)[None]
    far = _peaked(FIRST + 450)[None]
    soft_near = coordinate_token_loss(near, target, FIRST, 2.0, 10)
    soft_far = coordinate_token_loss(far, target, FIRST, 2.0, 10)
    assert soft_near < soft_far
    # Plain CE cannot tell the two apart.
    assert F.cross_entropy(near, target) == pytest.approx(float(F.cross_entropy(far, target)))
    # And the exact bin is still the best answer.
    exact = coordinate_token_loss(_peaked(FIRST + 400)[None], target, FIRST, 2.0, 10)
    assert exact < soft_near


def test_targets_near_the_border_stay_inside_the_bins() -> None:
    logits = torch.zeros(1, VOCAB)
    logits[0, FIRST - 1] = 50.0  # an ordinary token just below <0>: no target weight there
    loss = coordinate_token_loss(logits, torch.tensor([FIRST]), FIRST, 2.0, 10)
    assert loss.item() == pytest.approx(50.0 + math.log(1 + (VOCAB - 1) * math.exp(-50)), rel=1e-3)


def test_trainer_loss_scores_only_the_answer_and_shifts_by_one() -> None:
    torch.manual_seed(1)
    logits = torch.randn(2, 5, VOCAB)
    labels = torch.tensor([[-100, -100, 7, FIRST + 3, 9], [-100, -100, -100, 8, 2]])

    class Outputs:
        pass

    outputs = Outputs()
    outputs.logits = logits  # type: ignore[attr-defined]
    loss = SoftCoordinateLoss(FIRST, 0.0, 10)(outputs, labels)
    expected = F.cross_entropy(logits[:, :-1].reshape(-1, VOCAB), labels[:, 1:].reshape(-1))
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)
    summed = SoftCoordinateLoss(FIRST, 0.0, 10)(outputs, labels, num_items_in_batch=10)
    assert summed.item() == pytest.approx(expected.item() * 5 / 10, rel=1e-5)

"""Soft cross-entropy over coordinate bins: a near miss costs less than a far one.

Plain cross-entropy treats `<500>` for a target `<501>` as wrong as `<20>`. Upstream declares
a soft variant (`use_soft_ce_for_coords`, `coord_sigma`, `max_tolerance_pixel` in
`finetuning/engine/argument.py`) but never reads those settings; this is that loss. For a
coordinate target `<k>` the target distribution is a Gaussian over the bins `k - tolerance ..
k + tolerance` (standard deviation `sigma`, in bins, renormalised inside 0..999); every other
target token keeps its one-hot target. With `sigma = 0` (or tolerance 0) it is plain
cross-entropy, and it tends to it as sigma goes to 0.

Only the answer positions are scored (labels other than -100), so the full-vocabulary
probabilities are computed for a few hundred positions, not the whole image-heavy sequence.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from sld.rexomni.coords import MAX_BIN

IGNORE_INDEX = -100
COORDINATE_BINS = MAX_BIN + 1


def coordinate_token_loss(
    logits: torch.Tensor,
    targets: torch.Tensor,
    first_coordinate_id: int,
    sigma: float,
    tolerance: int,
) -> torch.Tensor:
    """Per-token loss, (N,), for logits (N, V) and target ids (N,)."""
    log_probs = F.log_softmax(logits.float(), dim=-1)
    loss = -log_probs.gather(1, targets[:, None])[:, 0]
    bins = targets - first_coordinate_id
    is_coordinate = (bins >= 0) & (bins < COORDINATE_BINS)
    if sigma <= 0 or tolerance <= 0 or not bool(is_coordinate.any()):
        return loss
    offsets = torch.arange(-tolerance, tolerance + 1, device=logits.device)
    neighbours = bins[is_coordinate, None] + offsets[None, :]
    inside = (neighbours >= 0) & (neighbours < COORDINATE_BINS)
    weights = torch.exp(-(offsets.float() ** 2) / (2 * sigma**2))[None, :] * inside
    weights = weights / weights.sum(dim=1, keepdim=True)
    ids = first_coordinate_id + neighbours.clamp(0, COORDINATE_BINS - 1)
    neighbour_log_probs = log_probs[is_coordinate].gather(1, ids)
    soft = -(weights * neighbour_log_probs).sum(dim=1)
    return loss.masked_scatter(is_coordinate, soft)


class SoftCoordinateLoss:
    """The Trainer's `compute_loss_func`: next-token loss over the answer positions."""

    def __init__(self, first_coordinate_id: int, sigma: float, tolerance: int) -> None:
        if sigma < 0 or tolerance < 0:
            raise ValueError("coordinate sigma and tolerance must be at least 0")
        self.first_coordinate_id = first_coordinate_id
        self.sigma = sigma
        self.tolerance = tolerance

    def __call__(
        self, outputs: Any, labels: torch.Tensor, num_items_in_batch: Any = None
    ) -> torch.Tensor:
        logits = outputs.logits[:, :-1, :]
        targets = labels[:, 1:].to(logits.device)
        scored = targets != IGNORE_INDEX
        per_token = coordinate_token_loss(
            logits[scored], targets[scored], self.first_coordinate_id, self.sigma, self.tolerance
        )
        count = num_items_in_batch if num_items_in_batch is not None else scored.sum()
        return per_token.sum() / torch.as_tensor(count, device=per_token.device).clamp(min=1)

"""A GRPO step end to end on the tiny model: prompts, sampled answers, rewards, checkpoint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sld.rexomni.inprocess import load_rexomni
from sld.training.grpo import GrpoOptions, prompt_dataset, reward_functions, train_grpo
from sld.training.tsv import TsvSamples


def test_prompts_are_the_inference_conversation(tmp_path: Path, exported: Path) -> None:
    dataset = prompt_dataset(exported, ("ocr",), tmp_path)
    row = dataset[0]
    sample = TsvSamples(exported, ("ocr",))[0]
    assert row["prompt"] == [
        {"role": "system", "content": "You are a helpful assistant"},
        {"role": "user", "content": sample.prompt},
    ]
    assert row["image"].size == sample.image.size
    assert (row["width"], row["height"]) == sample.image.size


def test_reward_functions_decode_with_special_tokens(tiny_base: Path, exported: Path) -> None:
    tokenizer = load_rexomni(str(tiny_base), device="cpu").tokenizer
    sample = next(
        s for s in TsvSamples(exported, ("detection",)) if any(t.boxes for t in s.targets)
    )
    ids = tokenizer.encode(sample.answer, add_special_tokens=False)
    wrong = tokenizer.encode("None", add_special_tokens=False)
    targets = [
        json.dumps([{"label": t.label, "boxes": [list(b) for b in t.boxes]}])
        for t in sample.targets[:1]
    ]
    box_iou, point = reward_functions(tokenizer)
    kwargs = {"targets": targets * 2, "width": [sample.width] * 2, "height": [sample.height] * 2}
    first = sample.targets[0]
    perfect = tokenizer.encode(sample.answer.split(", ")[0], add_special_tokens=False)
    scores = box_iou(completion_ids=[perfect, wrong], **kwargs)
    # Bins truncate: a perfect answer is within a bin of the truth.
    assert scores[0] > 0.9 and scores[1] == (1.0 if not first.boxes else 0.0)
    assert len(point(completion_ids=[ids, wrong], **kwargs)) == 2


@pytest.mark.slow
def test_a_grpo_step_runs_end_to_end(tmp_path: Path, tiny_base: Path, exported: Path) -> None:
    options = GrpoOptions(
        steps=1,
        generations=2,
        max_answer_tokens=12,
        gradient_checkpointing=False,
        device="cpu",
        max_pixels=64 * 28 * 28,
        tasks=("detection",),
    )
    result = train_grpo(exported, str(tiny_base), tmp_path / "grpo", options)
    assert result.steps == 1
    assert len(result.rewards) == 1 and 0.0 <= result.rewards[0] <= 1.0
    load_rexomni(str(result.checkpoint), device="cpu", max_pixels=64 * 28 * 28)

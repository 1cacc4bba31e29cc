"""SFT on the tiny model: the loss falls, the parts learn at their rates, the checkpoint loads
back through the `rex-omni` backend (tokenizer check included) and generates."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from sld.rexomni.inprocess import load_rexomni
from sld.rexomni.queries import Query
from sld.training.model import PartSettings, optimizer_groups, part_of
from sld.training.sft import SftOptions, train_sft
from sld.training.tsv import TsvSamples, TsvWriter

#: The smallest pixel budget (16 image tokens) keeps steps short on CPU.
PIXELS = 16 * 28 * 28


@pytest.fixture(scope="module")
def two_tiles(tmp_path_factory: pytest.TempPathFactory, exported: Path) -> Path:
    """Detection samples with symbols on them (two: the test memorises them)."""
    samples = [s for s in TsvSamples(exported, ("detection",)) if any(t.boxes for t in s.targets)]
    folder = tmp_path_factory.mktemp("four")
    with TsvWriter(folder) as writer:
        for sample in samples[:2]:
            writer.write(sample)
    return folder


def _weights(folder: Path) -> dict[str, torch.Tensor]:
    return load_file(str(folder / "model.safetensors"))


def test_parts_and_their_learning_rates(tiny_base: Path) -> None:
    model = load_rexomni(str(tiny_base), device="cpu").model
    parts = {part_of(name) for name, _ in model.named_parameters()}
    assert parts == {"vision", "projector", "language"}
    assert part_of("model.visual.merger.mlp.0.weight") == "projector"
    assert part_of("base_model.model.model.visual.blocks.0.attn.qkv.weight") == "vision"
    assert part_of("lm_head.weight") == "language"
    groups = {g["name"]: g["lr"] for g in optimizer_groups(model, PartSettings(), 0.01)}
    assert groups["vision"] == pytest.approx(groups["language"] / 10)
    assert groups["projector"] == groups["language"]


@pytest.mark.slow
def test_sft_learns_and_writes_a_checkpoint_the_backend_loads(
    tmp_path: Path, tiny_base: Path, two_tiles: Path
) -> None:
    options = SftOptions(
        parts=PartSettings(language_lr=1e-2, projector_lr=1e-2, freeze_vision=True),
        steps=20,
        batch_size=2,
        gradient_accumulation=1,
        coord_sigma=0.0,
        gradient_checkpointing=False,
        device="cpu",
        max_pixels=PIXELS,
        log_every=1,
    )
    result = train_sft(two_tiles, str(tiny_base), tmp_path / "tuned", options)
    assert result.steps == 20
    assert min(result.losses[-3:]) < 0.7 * result.losses[0]
    before, after = _weights(tiny_base), _weights(result.checkpoint)
    vision = [k for k in before if ".visual." in k and ".merger." not in k]
    assert all(torch.equal(before[k], after[k]) for k in vision)  # frozen
    assert not torch.equal(before["lm_head.weight"], after["lm_head.weight"])
    # The tokenizer and config files are the base's, byte for byte.
    for name in ("vocab.json", "tokenizer_config.json", "config.json"):
        assert (result.checkpoint / name).read_bytes() == (tiny_base / name).read_bytes()
    model = load_rexomni(str(result.checkpoint), device="cpu", max_pixels=PIXELS, max_new_tokens=8)
    sample = TsvSamples(two_tiles)[0]
    (answer,) = model.generate([Query(sample.image, sample.prompt)])
    assert answer.text and "".join(token.text for token in answer.tokens) == answer.text


@pytest.mark.slow
def test_lora_is_merged_into_a_plain_checkpoint(
    tmp_path: Path, tiny_base: Path, two_tiles: Path
) -> None:
    options = SftOptions(
        parts=PartSettings(language_lr=1e-2, freeze_vision=True, freeze_projector=True),
        steps=4,
        batch_size=2,
        gradient_accumulation=1,
        lora_rank=4,
        lora_alpha=8,
        gradient_checkpointing=True,
        device="cpu",
        max_pixels=PIXELS,
    )
    result = train_sft(two_tiles, str(tiny_base), tmp_path / "lora", options)
    assert result.trainable["vision"] == result.trainable["projector"] == 0
    assert 0 < result.trainable["language"] < 20_000
    before, after = _weights(tiny_base), _weights(result.checkpoint)
    assert set(after) == set(before)  # no adapter weights left: merged
    changed = [k for k in before if not torch.equal(before[k], after[k])]
    # Only the adapted projections of the language model changed (saved as model.layers.N).
    assert changed and all(
        ".layers." in k and k.endswith("proj.weight") and "visual" not in k for k in changed
    )
    load_rexomni(str(result.checkpoint), device="cpu", max_pixels=PIXELS)

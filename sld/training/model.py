"""The model side of training: which parameters learn how fast, LoRA, and the saved checkpoint.

Qwen2.5-VL has three parts, upstream's `--tune_mm_vision/--tune_mm_mlp/--tune_mm_llm`:
the vision encoder (`visual`, less its merger), the projector (`visual.merger`, vision
features into the language model's width) and the language model with its output head. Each
gets its own learning rate and can be frozen; upstream trains all three, the vision encoder at
a tenth of the others' rate.

The checkpoint is written so that the `rex-omni` backend loads it unchanged: LoRA adapters are
merged into the weights, and the tokenizer, processor and config files are copied from the base
checkpoint byte for byte (transformers 5 would re-save the tokenizer as a converted fast
tokenizer and the config in its own layout, which vLLM's transformers 4.x cannot read); the
written folder is then loaded back through the backend's tokenizer check.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from sld.rexomni.inprocess import load_tokenizer

log = logging.getLogger(__name__)

#: Files of a Rex-Omni checkpoint besides the weights, copied from the base as they are.
CHECKPOINT_FILES = (
    "config.json",
    "generation_config.json",
    "preprocessor_config.json",
    "chat_template.json",
    "vocab.json",
    "merges.txt",
    "tokenizer_config.json",
    "added_tokens.json",
    "special_tokens_map.json",
    "tokenizer.json",
)
#: The language model's linear layers that LoRA adapts (not the vision encoder's).
LORA_TARGETS = r".*language_model.*\.(q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj)"

PARTS = ("vision", "projector", "language")
#: What a run learned and how, beside its checkpoint.
LOG_FILE = "training_log.json"


def part_of(name: str) -> str:
    """Which part a parameter belongs to, by its name (with or without a PEFT prefix)."""
    dotted = f".{name}"
    if ".visual.merger." in dotted:
        return "projector"
    if ".visual." in dotted:
        return "vision"
    return "language"


@dataclass(frozen=True)
class PartSettings:
    """Learning rates and freezing of the three parts."""

    language_lr: float = 2e-5
    projector_lr: float = 2e-5
    vision_lr: float = 2e-6
    freeze_vision: bool = False
    freeze_projector: bool = False
    freeze_language: bool = False

    def lr(self, part: str) -> float:
        return {
            "vision": self.vision_lr,
            "projector": self.projector_lr,
            "language": self.language_lr,
        }[part]

    def frozen(self, part: str) -> bool:
        return {
            "vision": self.freeze_vision,
            "projector": self.freeze_projector,
            "language": self.freeze_language,
        }[part]


def add_lora(model: Any, rank: int, alpha: int, dropout: float) -> Any:
    """LoRA adapters on the language model's linear layers (peft); the rest stays trainable
    as the part settings say."""
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(
        r=rank, lora_alpha=alpha, lora_dropout=dropout, target_modules=LORA_TARGETS, bias="none"
    )
    return get_peft_model(model, config)


def set_trainable(model: Any, parts: PartSettings, lora: bool) -> dict[str, int]:
    """Freeze what `parts` says; with LoRA the language model learns through its adapters
    only. Returns the trainable parameter count per part."""
    counts = dict.fromkeys(PARTS, 0)
    for name, parameter in model.named_parameters():
        part = part_of(name)
        if lora and part == "language":
            trainable = "lora_" in name and not parts.frozen(part)
        else:
            trainable = not parts.frozen(part)
        parameter.requires_grad_(trainable)
        if trainable:
            counts[part] += parameter.numel()
    if not any(counts.values()):
        raise ValueError("every part is frozen: nothing would learn")
    return counts


def optimizer_groups(model: Any, parts: PartSettings, weight_decay: float) -> list[dict[str, Any]]:
    """AdamW parameter groups: one per part and decay/no-decay (biases and norms not decayed)."""
    groups: dict[tuple[str, bool], list[torch.nn.Parameter]] = {}
    for name, parameter in model.named_parameters():
        if parameter.requires_grad:
            decayed = parameter.ndim >= 2
            groups.setdefault((part_of(name), decayed), []).append(parameter)
    return [
        {
            "params": params,
            "lr": parts.lr(part),
            "weight_decay": weight_decay if decayed else 0.0,
            "name": f"{part}{'' if decayed else '-no-decay'}",
        }
        for (part, decayed), params in sorted(groups.items())
    ]


def _base_file(base: str, name: str) -> Path | None:
    """A file of the base checkpoint, from its folder or the hub cache; None if it has none."""
    folder = Path(base)
    if folder.is_dir():
        path = folder / name
        return path if path.is_file() else None
    from transformers.utils.hub import cached_file

    found = cached_file(
        base, name, _raise_exceptions_for_missing_entries=False, local_files_only=True
    )
    return Path(found) if found else None


def save_checkpoint(model: Any, base: str, out: Path) -> Path:
    """Write a checkpoint of `model` to `out` that the `rex-omni` backend loads unchanged."""
    if hasattr(model, "merge_and_unload"):
        model = model.merge_and_unload()
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out))
    for name in CHECKPOINT_FILES:
        source = _base_file(base, name)
        if source is not None:
            shutil.copyfile(source, out / name)
        elif name in ("config.json", "vocab.json", "tokenizer_config.json"):
            raise FileNotFoundError(f"the base checkpoint {base} has no {name}")
    load_tokenizer(str(out))  # the backend's check: coordinate tokens where the model wants them
    log.info("wrote checkpoint %s", out)
    return out


def finish_run(trainer: Any, base: str, out: Path, record: dict[str, Any]) -> Path:
    """After `trainer.train()`: the checkpoint into `out`, and `record` (with the steps) as
    `out/training_log.json`."""
    trainer.model.eval()
    checkpoint = save_checkpoint(trainer.model, base, out)
    record = {"base_model": base, "steps": trainer.state.global_step, **record}
    text = json.dumps(record, indent=2, default=str) + "\n"
    (out / LOG_FILE).write_text(text, encoding="utf-8")
    return checkpoint

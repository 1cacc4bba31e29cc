"""`sld train sft`: supervised fine-tuning of Rex-Omni on exported samples.

transformers' Trainer with three additions: the soft coordinate loss (`loss.py`) as its
`compute_loss_func`, an AdamW with one learning rate per model part (`model.py`), and the
`AnswerCollator`. Upstream's recipe supplies the defaults (`finetuning/scripts/sft.sh`:
lr 2e-5, vision 2e-6, cosine schedule, warm-up 3 %, weight decay 0.01, gradient clipping 1,
bf16, gradient checkpointing). Liger kernels are used on CUDA when `liger-kernel` is installed.
The run ends by writing a checkpoint the `rex-omni` backend loads (`save_checkpoint`), and
`training_log.json` with the loss of every step.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import torch
from torch.utils.data import Dataset

from sld.rexomni.inprocess import load_rexomni, resolve_device
from sld.rexomni.vocabulary import check_coordinate_tokens
from sld.training.collate import AnswerCollator
from sld.training.loss import SoftCoordinateLoss
from sld.training.model import (
    PartSettings,
    add_lora,
    finish_run,
    optimizer_groups,
    set_trainable,
)
from sld.training.samples import TASKS, Sample, Task
from sld.training.tsv import TsvSamples

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SftOptions:
    """Everything one SFT run needs besides the data and the base model."""

    parts: PartSettings = field(default_factory=PartSettings)
    #: Optimiser steps; 0: one pass over the data (`epochs` of them).
    steps: int = 0
    epochs: float = 1.0
    batch_size: int = 4
    gradient_accumulation: int = 4
    warmup: float = 0.03
    weight_decay: float = 0.01
    max_grad_norm: float = 1.0
    #: Soft cross-entropy over coordinate bins: Gaussian sigma and reach, in bins (0: plain CE).
    coord_sigma: float = 2.0
    coord_tolerance: int = 10
    #: LoRA rank on the language model; 0: full fine-tuning.
    lora_rank: int = 0
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    gradient_checkpointing: bool = True
    #: auto: when `liger-kernel` is installed and the model runs on CUDA.
    liger: str = "auto"
    device: str = "auto"
    max_pixels: int = 2560 * 28 * 28
    tasks: tuple[Task, ...] = TASKS
    #: Keep a resumable Trainer checkpoint every N steps (0: only the final model).
    save_every: int = 0
    seed: int = 0
    log_every: int = 1


@dataclass(frozen=True)
class SftResult:
    checkpoint: Path
    #: Training loss per logged step, in order.
    losses: list[float]
    steps: int
    seconds: float
    trainable: dict[str, int]


class SampleDataset(Dataset[Sample]):
    """The exported samples as a torch dataset (read on demand, nothing held in memory)."""

    def __init__(self, folder: Path, tasks: tuple[Task, ...]) -> None:
        self.samples = TsvSamples(folder, tasks)
        if not len(self.samples):
            raise ValueError(f"{folder}: no samples of the tasks {', '.join(tasks)}")

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> Sample:
        return self.samples[index]


def use_liger(choice: str, device: str) -> bool:
    if choice not in ("auto", "on", "off"):
        raise ValueError(f"liger must be auto, on or off, got {choice!r}")
    installed = find_spec("liger_kernel") is not None
    if choice == "on" and not installed:
        raise ValueError("--liger on needs the liger-kernel package (pip install liger-kernel)")
    return choice == "on" or (choice == "auto" and installed and device.startswith("cuda"))


def _losses_callback(losses: list[float], on_step: Callable[[int, float], None] | None) -> Any:
    from transformers import TrainerCallback

    class RecordLoss(TrainerCallback):
        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **_: Any) -> None:
            if logs and "loss" in logs:
                losses.append(float(logs["loss"]))
                if on_step is not None:
                    on_step(int(state.global_step), float(logs["loss"]))

    return RecordLoss()


def train_sft(
    data: Path,
    base_model: str,
    out: Path,
    options: SftOptions,
    on_step: Callable[[int, float], None] | None = None,
) -> SftResult:
    """Fine-tune `base_model` on the samples in `data`; the checkpoint goes to `out`."""
    from transformers import Trainer, TrainingArguments, set_seed

    set_seed(options.seed)
    device = resolve_device(options.device)
    on_gpu = device.startswith("cuda")
    dataset = SampleDataset(data, options.tasks)
    loaded = load_rexomni(
        base_model, device=device, max_pixels=options.max_pixels, dtype=torch.float32
    )
    model: Any = loaded.model
    model.train()
    first_coordinate = check_coordinate_tokens(loaded.tokenizer)
    if options.lora_rank:
        model = add_lora(model, options.lora_rank, options.lora_alpha, options.lora_dropout)
    trainable = set_trainable(model, options.parts, lora=bool(options.lora_rank))
    log.info("trainable parameters: %s", trainable)
    optimizer = torch.optim.AdamW(optimizer_groups(model, options.parts, options.weight_decay))
    arguments = TrainingArguments(
        output_dir=str(out / "trainer"),
        max_steps=options.steps if options.steps else -1,
        num_train_epochs=options.epochs,
        per_device_train_batch_size=options.batch_size,
        gradient_accumulation_steps=options.gradient_accumulation,
        learning_rate=options.parts.language_lr,
        lr_scheduler_type="cosine",
        warmup_steps=options.warmup,
        max_grad_norm=options.max_grad_norm,
        bf16=on_gpu and torch.cuda.is_bf16_supported(),
        activation_checkpointing=options.gradient_checkpointing,
        use_liger_kernel=use_liger(options.liger, device),
        use_cpu=not on_gpu,
        logging_steps=options.log_every,
        save_strategy="steps" if options.save_every else "no",
        save_steps=options.save_every or 500,
        remove_unused_columns=False,
        dataloader_pin_memory=on_gpu,
        report_to="none",
        seed=options.seed,
    )
    losses: list[float] = []
    trainer = Trainer(
        model=model,
        args=arguments,
        train_dataset=dataset,
        data_collator=AnswerCollator(loaded.processor),
        compute_loss_func=SoftCoordinateLoss(
            first_coordinate, options.coord_sigma, options.coord_tolerance
        ),
        optimizers=(optimizer, None),
        callbacks=[_losses_callback(losses, on_step)],
    )
    started = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - started
    record = {"data": str(data), "losses": losses, "seconds": seconds, "trainable": trainable}
    checkpoint = finish_run(trainer, base_model, out, record | {"options": asdict(options)})
    return SftResult(checkpoint, losses, trainer.state.global_step, seconds, trainable)

"""`sld train grpo`: reinforcement on geometry rewards with TRL's GRPOTrainer.

Each exported sample becomes a prompt (the inference conversation: system message, the image
before the text; the processor's chat template renders it exactly as `chat_text` does) whose
sampled answers are scored by `rewards.py`. The rewards decode the generated ids themselves
with the special tokens kept: TRL's own text drops them, and with them every box.

Defaults follow upstream's recipe (`finetuning/verl/configs/config.yaml`, `scripts/grpo.sh`):
8 answers per prompt sampled at temperature 1.0 and top-p 0.99, KL coefficient 0.01, learning
rate 1e-6, weight decay 0.01, gradient clipping 1. The end is a checkpoint the `rex-omni`
backend loads, like SFT's.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from sld.rexomni.inprocess import load_rexomni, resolve_device
from sld.rexomni.prompts import SYSTEM_PROMPT
from sld.training.model import finish_run
from sld.training.rewards import box_iou_reward, point_in_box_reward
from sld.training.samples import Target, Task
from sld.training.tsv import TsvSamples

log = logging.getLogger(__name__)

#: GRPO's tasks: the ones with boxes to score (OCR is scored by its boxes only).
GRPO_TASKS: tuple[Task, ...] = ("detection", "visual_prompting", "ocr")


@dataclass(frozen=True)
class GrpoOptions:
    steps: int = 0
    epochs: float = 1.0
    learning_rate: float = 1e-6
    weight_decay: float = 0.01
    max_grad_norm: float = 1.0
    #: Answers sampled per prompt (the group GRPO compares).
    generations: int = 8
    #: Prompts per device and step (times `generations` answers).
    prompts_per_step: int = 1
    temperature: float = 1.0
    top_p: float = 0.99
    kl_coefficient: float = 0.01
    max_answer_tokens: int = 1024
    #: Weights of the box-IoU and point-in-box rewards.
    box_iou_weight: float = 1.0
    point_weight: float = 0.5
    gradient_checkpointing: bool = True
    device: str = "auto"
    max_pixels: int = 2560 * 28 * 28
    tasks: tuple[Task, ...] = GRPO_TASKS
    seed: int = 0


@dataclass(frozen=True)
class GrpoResult:
    checkpoint: Path
    #: Mean reward of each logged step, in order.
    rewards: list[float]
    steps: int
    seconds: float


def _targets(text: str) -> list[Target]:
    return [
        Target(str(t["label"]), tuple(tuple(box) for box in t["boxes"])) for t in json.loads(text)
    ]


def _rows(data: Path, tasks: tuple[Task, ...]) -> Iterator[dict[str, Any]]:
    for sample in TsvSamples(data, tasks):
        yield {
            "prompt": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": sample.prompt},
            ],
            "image": sample.image,
            "targets": json.dumps(
                [{"label": t.label, "boxes": [list(b) for b in t.boxes]} for t in sample.targets]
            ),
            "width": sample.width,
            "height": sample.height,
        }


def prompt_dataset(data: Path, tasks: tuple[Task, ...], cache: Path) -> Any:
    """The samples as a `datasets.Dataset` in TRL's conversational, one-image layout."""
    from datasets import Dataset

    dataset = Dataset.from_generator(
        _rows, gen_kwargs={"data": data, "tasks": tasks}, cache_dir=str(cache)
    )
    if not len(dataset):
        raise ValueError(f"{data}: no samples of the tasks {', '.join(tasks)}")
    return dataset


RewardFn = Callable[..., list[float | None]]


def reward_functions(tokenizer: Any) -> list[RewardFn]:
    """TRL reward functions: each decodes the completion ids with special tokens kept and
    scores them against the row's targets, in the pixels of the row's image."""

    def decoded(completion_ids: list[list[int]]) -> list[str]:
        texts: list[str] = tokenizer.batch_decode(
            completion_ids, skip_special_tokens=False, clean_up_tokenization_spaces=False
        )
        return texts

    def scored_by(reward: Callable[[str, list[Target], float, float], float]) -> RewardFn:
        def score(
            completion_ids: list[list[int]],
            targets: list[str],
            width: list[int],
            height: list[int],
            **_: Any,
        ) -> list[float | None]:
            answers = decoded(completion_ids)
            rows = zip(answers, targets, width, height, strict=True)
            return [reward(answer, _targets(truth), w, h) for answer, truth, w, h in rows]

        # TRL names the reward by its function's name in the logs.
        score.__name__ = reward.__name__.removesuffix("_reward")
        return score

    box_iou = scored_by(box_iou_reward)
    point_in_box = scored_by(point_in_box_reward)
    return [box_iou, point_in_box]


def _rewards_callback(rewards: list[float]) -> Any:
    from transformers import TrainerCallback

    class RecordReward(TrainerCallback):
        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **_: Any) -> None:
            if logs and "reward" in logs:
                rewards.append(float(logs["reward"]))

    return RecordReward()


def train_grpo(data: Path, base_model: str, out: Path, options: GrpoOptions) -> GrpoResult:
    """Refine `base_model` with GRPO on the samples in `data`; the checkpoint goes to `out`."""
    from transformers import set_seed
    from trl import GRPOConfig, GRPOTrainer  # type: ignore[attr-defined]

    set_seed(options.seed)
    device = resolve_device(options.device)
    on_gpu = device.startswith("cuda")
    loaded = load_rexomni(
        base_model, device=device, max_pixels=options.max_pixels, dtype=torch.float32
    )
    model: Any = loaded.model
    model.train()
    dataset = prompt_dataset(data, options.tasks, out / "prompts")
    config = GRPOConfig(
        output_dir=str(out / "trainer"),
        max_steps=options.steps if options.steps else -1,
        num_train_epochs=options.epochs,
        learning_rate=options.learning_rate,
        weight_decay=options.weight_decay,
        max_grad_norm=options.max_grad_norm,
        per_device_train_batch_size=options.prompts_per_step * options.generations,
        num_generations=options.generations,
        temperature=options.temperature,
        top_p=options.top_p,
        beta=options.kl_coefficient,
        loss_type="grpo",
        max_completion_length=options.max_answer_tokens,
        reward_weights=[options.box_iou_weight, options.point_weight],
        activation_checkpointing=options.gradient_checkpointing,
        bf16=on_gpu and torch.cuda.is_bf16_supported(),
        use_cpu=not on_gpu,
        logging_steps=1,
        save_strategy="no",
        report_to="none",
        seed=options.seed,
    )
    rewards: list[float] = []
    reward_funcs: list[Any] = list(reward_functions(loaded.tokenizer))
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=reward_funcs,
        args=config,
        train_dataset=dataset,
        processing_class=loaded.processor,
        callbacks=[_rewards_callback(rewards)],
    )
    started = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - started
    record = {"data": str(data), "rewards": rewards, "seconds": seconds}
    checkpoint = finish_run(trainer, base_model, out, record | {"options": asdict(options)})
    return GrpoResult(checkpoint, rewards, trainer.state.global_step, seconds)

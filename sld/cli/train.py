"""`sld train ...`: export training data, fine-tune Rex-Omni (SFT, GRPO), compare checkpoints.

`add_parser` is called by `sld/cli/main.py` to register the sub-command; `run` is its handler.
The training libraries (torch, transformers, trl, peft) are imported by the handlers that
need them, so `sld --help` and `sld train export` stay light. A mistake a user can make (no
labelled pages, a missing folder, a checkpoint that is not Rex-Omni, the `train` extra not
installed) ends with one line and exit code 2; `-v` shows the traceback.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sld.training import TASKS

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

log = logging.getLogger(__name__)


def _consoles() -> tuple[Console, Console]:
    """Standard output and standard error (rich is imported when a command runs)."""
    from rich.console import Console

    return Console(), Console(stderr=True, soft_wrap=True)


def _tasks(text: str) -> tuple[str, ...]:
    chosen = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [task for task in chosen if task not in TASKS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"tasks are a comma-separated subset of {','.join(TASKS)}")
    return chosen


def _model_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", type=Path, help="folder written by `sld train export`")
    parser.add_argument(
        "--base",
        required=True,
        help="checkpoint to start from: a local folder or a hub id (IDEA-Research/Rex-Omni)",
    )
    parser.add_argument("--out", type=Path, required=True, help="folder for the new checkpoint")
    parser.add_argument("--steps", type=int, default=0, help="optimiser steps (0: --epochs)")
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:1, ...")
    parser.add_argument(
        "--max-pixels",
        type=int,
        help="pixel budget per image (default: SLD_REXOMNI_MAX_PIXELS, as at inference)",
    )
    parser.add_argument("--tasks", type=_tasks, default=TASKS, help="comma-separated tasks")
    parser.add_argument(
        "--no-gradient-checkpointing",
        dest="gradient_checkpointing",
        action="store_false",
        help="keep activations (faster, more memory)",
    )
    parser.add_argument("--seed", type=int, default=0)


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `sld train` and its sub-commands."""
    train = commands.add_parser(
        "train", help="fine-tune Rex-Omni on your symbols (export, sft, grpo, eval)"
    )
    actions = train.add_subparsers(dest="train_command", metavar="ACTION", required=True)

    export = actions.add_parser(
        "export",
        help="turn labelled pages into Rex-Omni training files",
        description="Cut labelled pages into tiles as inference does and write Rex-Omni's "
        "training TSV files (images, annotations, line index) into OUT. Pages come from "
        "`sld synth` folders (--synth) and from documents in the database (--document, or "
        "--reviewed for every document a person reviewed).",
    )
    export.add_argument("out", type=Path, help="folder to write")
    export.add_argument(
        "--synth", type=Path, action="append", default=[], help="a `sld synth` folder"
    )
    export.add_argument(
        "--document",
        action="append",
        default=[],
        help="a stored document (id or source path) whose stored result is right",
    )
    export.add_argument(
        "--reviewed", action="store_true", help="every stored document a person reviewed"
    )
    export.add_argument("--db", dest="database_url", help="database URL (default sqlite:///sld.db)")
    export.add_argument("--tasks", type=_tasks, default=TASKS, help="comma-separated tasks")
    export.add_argument(
        "--max-negatives", type=int, default=3, help="absent types asked per detection sample"
    )
    export.add_argument("--seed", type=int, default=0)
    export.add_argument("--dpi", type=int, help="rasterisation DPI (default: SLD_DPI)")

    sft = actions.add_parser(
        "sft",
        help="supervised fine-tuning on exported samples",
        description="Fine-tune a Rex-Omni checkpoint on the samples of `sld train export` and "
        "write a checkpoint that `SLD_REXOMNI_MODEL=OUT sld digitise --detector rex-omni` runs.",
    )
    _model_options(sft)
    sft.add_argument("--batch-size", type=int, default=4)
    sft.add_argument("--gradient-accumulation", type=int, default=4)
    sft.add_argument("--lr", type=float, default=2e-5, help="language model learning rate")
    sft.add_argument("--projector-lr", type=float, default=2e-5)
    sft.add_argument("--vision-lr", type=float, default=2e-6)
    for part in ("vision", "projector", "language"):
        sft.add_argument(f"--freeze-{part}", action="store_true", help=f"do not train the {part}")
    sft.add_argument("--lora-rank", type=int, default=0, help="LoRA rank (0: full fine-tuning)")
    sft.add_argument("--lora-alpha", type=int, default=32)
    sft.add_argument(
        "--coord-sigma",
        type=float,
        default=2.0,
        help="soft cross-entropy over coordinate bins: Gaussian sigma in bins (0: plain CE)",
    )
    sft.add_argument("--coord-tolerance", type=int, default=10, help="reach in bins")
    sft.add_argument("--liger", choices=["auto", "on", "off"], default="auto")
    sft.add_argument("--save-every", type=int, default=0, help="resumable checkpoint every N")

    grpo = actions.add_parser(
        "grpo",
        help="GRPO on geometry rewards (TRL)",
        description="Refine a (fine-tuned) checkpoint with TRL's GRPOTrainer: answers sampled "
        "per prompt, rewarded by box IoU F1 and point-in-box against the exported targets.",
    )
    _model_options(grpo)
    grpo.add_argument("--lr", type=float, default=1e-6)
    grpo.add_argument("--generations", type=int, default=8, help="answers sampled per prompt")
    grpo.add_argument("--prompts-per-step", type=int, default=1)
    grpo.add_argument("--temperature", type=float, default=1.0)
    grpo.add_argument("--top-p", type=float, default=0.99)
    grpo.add_argument("--kl", type=float, default=0.01, help="KL coefficient")
    grpo.add_argument("--max-answer-tokens", type=int, default=1024)

    evaluate = actions.add_parser(
        "eval",
        help="digitise a held-out set with each checkpoint and score it",
        description="Run the normal pipeline with the rex-omni detector on each checkpoint "
        "over the drawings of GT (a `sld synth` folder the training did not see) and print "
        "the `sld eval` scores side by side.",
    )
    evaluate.add_argument("--gt", type=Path, required=True, help="held-out ground-truth folder")
    evaluate.add_argument(
        "--checkpoint", action="append", required=True, help="a checkpoint (repeat: before, after)"
    )
    evaluate.add_argument("--work", type=Path, default=Path("out/train-eval"))
    evaluate.add_argument("--json", type=Path, help="also write the scores as JSON here")


def _progress() -> Progress:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=_consoles()[1],
        transient=True,
    )


def _export(args: argparse.Namespace) -> int:
    from itertools import chain

    from sld.settings import load_settings
    from sld.store import open_database
    from sld.training.export import export_samples
    from sld.training.sources import (
        pages_from_database,
        pages_from_folder,
        reviewed_document_ids,
    )
    from sld.training.tasks import TaskMix

    settings = load_settings(database_url=args.database_url, dpi=args.dpi)
    if not (args.synth or args.document or args.reviewed):
        raise ValueError("name what to learn from: --synth FOLDER, --document ID, or --reviewed")
    mix = TaskMix(
        phrases=settings.rexomni_phrases, tasks=args.tasks, max_negatives=args.max_negatives
    )
    sources = [str(folder) for folder in args.synth]
    page_sets = [pages_from_folder(folder, settings) for folder in args.synth]
    if args.document or args.reviewed:
        engine = open_database(settings.database_url)
        keys: list[Any] = [int(d) if d.isdigit() else d for d in args.document]
        if args.reviewed:
            keys += reviewed_document_ids(engine)
        sources += [f"{settings.database_url}#{key}" for key in keys]
        page_sets.append(pages_from_database(engine, keys, settings))
    with _progress() as progress:
        task = progress.add_task("exporting", total=None)

        def on_page(pages: int, samples: int) -> None:
            progress.update(task, description=f"{pages} page(s), {samples} samples")

        counts = export_samples(
            chain(*page_sets),
            args.out,
            settings,
            mix,
            seed=args.seed,
            sources=sources,
            on_page=on_page,
        )
    from rich.table import Table

    table = Table(title=f"Training samples in {args.out}", title_justify="left")
    table.add_column("task")
    table.add_column("samples", justify="right")
    for name, count in counts.items():
        table.add_row(name, str(count))
    _consoles()[0].print(table)
    return 0


def _max_pixels(args: argparse.Namespace) -> int:
    from sld.settings import load_settings

    return int(args.max_pixels or load_settings().rexomni_max_pixels)


def _print_run(
    measure: str, steps: int, seconds: float, values: list[float], checkpoint: Path
) -> None:
    """One line on a finished run: its length, how the measure moved, where the model is."""
    first, last = (values[0], values[-1]) if values else (0.0, 0.0)
    _consoles()[0].print(
        f"{steps} steps in {seconds:.0f} s, {measure} {first:.3f} -> {last:.3f}; checkpoint "
        f"{checkpoint} (use: SLD_REXOMNI_MODEL={checkpoint} sld digitise --detector rex-omni)",
        soft_wrap=True,
        highlight=False,
    )


def _sft(args: argparse.Namespace) -> int:
    from sld.training.model import PartSettings
    from sld.training.sft import SftOptions, train_sft

    options = SftOptions(
        parts=PartSettings(
            language_lr=args.lr,
            projector_lr=args.projector_lr,
            vision_lr=args.vision_lr,
            freeze_vision=args.freeze_vision,
            freeze_projector=args.freeze_projector,
            freeze_language=args.freeze_language,
        ),
        steps=args.steps,
        epochs=args.epochs,
        batch_size=args.batch_size,
        gradient_accumulation=args.gradient_accumulation,
        coord_sigma=args.coord_sigma,
        coord_tolerance=args.coord_tolerance,
        lora_rank=args.lora_rank,
        lora_alpha=args.lora_alpha,
        gradient_checkpointing=args.gradient_checkpointing,
        liger=args.liger,
        device=args.device,
        max_pixels=_max_pixels(args),
        tasks=args.tasks,
        save_every=args.save_every,
        seed=args.seed,
    )
    result = train_sft(args.data, args.base, args.out, options)
    _print_run("loss", result.steps, result.seconds, result.losses, result.checkpoint)
    return 0


def _grpo(args: argparse.Namespace) -> int:
    from sld.training.grpo import GrpoOptions, train_grpo

    options = GrpoOptions(
        steps=args.steps,
        epochs=args.epochs,
        learning_rate=args.lr,
        generations=args.generations,
        prompts_per_step=args.prompts_per_step,
        temperature=args.temperature,
        top_p=args.top_p,
        kl_coefficient=args.kl,
        max_answer_tokens=args.max_answer_tokens,
        gradient_checkpointing=args.gradient_checkpointing,
        device=args.device,
        max_pixels=_max_pixels(args),
        tasks=args.tasks,
        seed=args.seed,
    )
    result = train_grpo(args.data, args.base, args.out, options)
    _print_run("reward", result.steps, result.seconds, result.rewards, result.checkpoint)
    return 0


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _eval(args: argparse.Namespace) -> int:
    import json

    from sld.settings import load_settings
    from sld.training.evaluation import evaluate_checkpoints

    with _progress() as progress:
        task = progress.add_task("digitising", total=None)
        scored = evaluate_checkpoints(
            args.gt,
            args.checkpoint,
            args.work,
            load_settings(),
            on_file=lambda checkpoint, drawing: progress.update(
                task, description=f"{Path(checkpoint).name}: {drawing.name}"
            ),
        )
    from rich.table import Table

    table = Table(title=f"Held-out set {args.gt}", title_justify="left")
    for column in ("checkpoint", "detection F1", "precision", "recall", "text F1", "conn. F1"):
        table.add_column(column, overflow="fold")
    for entry in scored:
        total = entry.report.total()
        detection = total.core_detection
        table.add_row(
            entry.checkpoint,
            _rate(detection.f1),
            _rate(detection.precision),
            _rate(detection.recall),
            _rate(total.text.f1),
            _rate(total.connections.f1),
        )
    _consoles()[0].print(table)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {entry.checkpoint: entry.report.to_dict() for entry in scored}
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


def _user_errors() -> tuple[type[BaseException], ...]:
    from sld.pages.raster import InputError
    from sld.rexomni.vocabulary import TokenizerMismatchError
    from sld.store import DatabaseUnavailableError, DocumentNotFoundError

    return (
        ValueError,
        FileNotFoundError,
        InputError,
        TokenizerMismatchError,
        DocumentNotFoundError,
        DatabaseUnavailableError,
    )


def run(args: argparse.Namespace) -> int:
    handler = {"export": _export, "sft": _sft, "grpo": _grpo, "eval": _eval}[args.train_command]
    try:
        return handler(args)
    except ImportError as error:
        if args.verbose:
            raise
        _consoles()[1].print(
            f"[red]error:[/red] {error}. Training needs the train extra: "
            "pip install -e '.[rexomni,train]'"
        )
        return 2
    except _user_errors() as error:
        if args.verbose:
            raise
        _consoles()[1].print(f"[red]error:[/red] {error}")
        return 2

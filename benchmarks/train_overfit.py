"""Can `sld train sft` teach the tiny Rex-Omni replica a set of tiles? (CPU, minutes)

The issue's target: SFT on 20 detection tiles of `sld synth` sheets (cut at the inference tile
size) makes the loss fall by at least 80 %, and the tuned model then answers those tiles, read
through the backend's own parser, with boxes that score IoU F1 >= 0.9. The tiny model cannot
learn symbols from 20 tiles, only remember them: this checks that the data, the labels, the
loss, the optimiser and the saved checkpoint work together, not that the recipe generalises.

    python -m benchmarks.train_overfit                 # 20 tiles, 600 steps
    python -m benchmarks.train_overfit --steps 100 --tiles 8
    python -m benchmarks.train_overfit --freeze         # every part learns

The tiny model's vision encoder and projector are random and frozen by default: they stand in
for a trained encoder, whose features tell tiles apart. Trained here (at the language model's
rate or a tenth of it), they collapse instead: the image features of different tiles, 37 %
apart at the start, end 0.15 % apart under one large shared vector, and the model answers from
the prompt alone, which is right only for tiles whose prompt no other tile has (F1 0.75-0.79).

Writes benchmarks/results/train_overfit.json. Times are of whatever else the machine runs too:
the JSON records the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.harness.tiny_rexomni import build_tiny_rexomni
from sld.rexomni.inprocess import load_rexomni
from sld.rexomni.parser import parse_answer
from sld.rexomni.queries import Query
from sld.settings import Settings
from sld.synth import generate_set
from sld.training.export import export_samples
from sld.training.model import PartSettings
from sld.training.rewards import BoxCounts, box_counts
from sld.training.sft import SftOptions, train_sft
from sld.training.sources import pages_from_folder
from sld.training.tasks import TaskMix
from sld.training.tsv import TsvSamples, TsvWriter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiles", type=int, default=20)
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument(
        "--vision-lr-factor",
        type=float,
        default=1.0,
        help="vision encoder's rate over the others (sld's 0.1 suits a trained encoder, not a "
        "random one that must learn to tell the tiles apart)",
    )
    parser.add_argument(
        "--coord-sigma", type=float, default=0.0, help="0: plain CE (memorising wants exact bins)"
    )
    parser.add_argument(
        "--patches", type=int, default=64, help="pixel budget in 28 x 28 patches (CPU: small)"
    )
    parser.add_argument(
        "--freeze",
        nargs="*",
        choices=["vision", "projector", "language"],
        default=["vision", "projector"],
        help="parts that do not learn (default: vision projector; none: --freeze alone)",
    )
    parser.add_argument("--work", type=Path, help="keep the data and checkpoints here")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/train_overfit.json"))
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="sld-train-overfit-"))
    settings = Settings()
    max_pixels = args.patches * 28 * 28

    base = build_tiny_rexomni(work / "tiny-base")
    generate_set(work / "synth", count=2, seed=11, scans=False)
    mix = TaskMix(phrases=settings.rexomni_phrases, tasks=("detection",))
    export_samples(pages_from_folder(work / "synth", settings), work / "all", settings, mix, seed=0)
    chosen = [s for s in TsvSamples(work / "all") if any(t.boxes for t in s.targets)][: args.tiles]
    with TsvWriter(work / "tiles") as writer:
        for sample in chosen:
            writer.write(sample)
    boxes = sum(len(t.boxes) for s in chosen for t in s.targets)
    print(f"{len(chosen)} tiles of {settings.tile_size} px, {boxes} boxes; training the tiny model")

    options = SftOptions(
        parts=PartSettings(
            language_lr=args.lr,
            projector_lr=args.lr,
            vision_lr=args.lr * args.vision_lr_factor,
            freeze_vision="vision" in args.freeze,
            freeze_projector="projector" in args.freeze,
            freeze_language="language" in args.freeze,
        ),
        steps=args.steps,
        batch_size=args.batch_size,
        gradient_accumulation=1,
        coord_sigma=args.coord_sigma,
        gradient_checkpointing=False,
        device="cpu",
        max_pixels=max_pixels,
        log_every=max(1, min(10, args.steps // 10)),
    )
    result = train_sft(work / "tiles", str(base), work / "tuned", options)
    first, last = result.losses[0], result.losses[-1]
    drop = 1 - last / first

    model = load_rexomni(
        str(result.checkpoint), device="cpu", max_pixels=max_pixels, max_new_tokens=256
    )
    started = time.perf_counter()
    answers = model.generate([Query(s.image, s.prompt) for s in chosen])
    answer_s = time.perf_counter() - started
    total = BoxCounts()
    scores = []
    for sample, answer in zip(chosen, answers, strict=True):
        total = total + box_counts(answer.text, sample.targets, sample.width, sample.height)
        shapes = parse_answer(answer.text, sample.width, sample.height, answer.tokens)
        scores += [shape.score for shape in shapes if shape.score is not None]
    figures = {
        "tiles": len(chosen),
        "boxes": boxes,
        "steps": result.steps,
        "loss_first": round(first, 4),
        "loss_last": round(last, 4),
        "loss_drop": round(drop, 4),
        "train_seconds": round(result.seconds, 1),
        "seconds_per_step": round(result.seconds / max(1, result.steps), 3),
        "iou50_f1": round(total.f1, 4),
        "matched": total.matched,
        "predicted": total.predicted,
        "mean_box_score": round(statistics.fmean(scores), 4) if scores else None,
        "answer_seconds": round(answer_s, 2),
        "options": vars(args) | {"work": str(work), "out": str(args.out)},
        "load_average": os.getloadavg(),
        "cpus": os.cpu_count(),
    }
    print(
        f"loss {first:.3f} -> {last:.3f} ({drop:.0%} lower) in {result.steps} steps, "
        f"{result.seconds:.0f} s ({figures['seconds_per_step']} s/step, load "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    print(
        f"answers to the training tiles: IoU>=0.5 F1 {total.f1:.3f} "
        f"({total.matched} of {total.truth} boxes, {total.predicted} predicted), "
        f"mean box score {figures['mean_box_score']}"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

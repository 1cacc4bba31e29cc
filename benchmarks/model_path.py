"""Speed of the Rex-Omni model path: tiles per second and seconds per page.

Runs the `rex-omni` detector (text mode) and text reader over the tiles of one page for a given
checkpoint folder (or hub id) and device, and prints and writes the figures as JSON. The page is
an A3 drawing at 200 dpi, drawn here, or the first page of `--pdf`. With `--tiny FOLDER` it first
builds the tiny random checkpoint of the tests there (useful to time everything but the model
itself, at the real pixel budget).

    python -m benchmarks.model_path --tiny /tmp/tiny-rexomni --device cpu
    python -m benchmarks.model_path --checkpoint IDEA-Research/Rex-Omni --device cuda
    python -m benchmarks.model_path --replica-3b /tmp/rexomni-3b --device cuda \
        --answer-tokens 128 --batch-sizes 1,4,16

Random weights stop at an end token whenever it happens to win, so with a random model the
answer length varies; the JSON records the mean answer length in tokens to compare like with like.
`--answer-tokens N` makes every answer exactly N tokens long (the end token is held back until
then), which is how a random model is timed at the length of a real answer.

`--replica-3b FOLDER` builds a random checkpoint with Qwen2.5-VL-3B's sizes there (on the GPU
when there is one) for where the real weights cannot be fetched: per token and per image it
costs what Rex-Omni costs, and its boxes mean nothing.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from sld.pages.page import PageImage
from sld.pages.tiling import make_tiles
from sld.rexomni.images import MAX_PIXELS
from sld.rexomni.inprocess import RexOmniInProcess, load_rexomni, resolve_device
from sld.rexomni.queries import Answer, Query
from sld.settings import Settings
from sld.symbols.detectors.rexomni import RexOmniDetector
from sld.text.engines.rexomni import RexOmniTextReader

A3_MM = (420.0, 297.0)


def drawn_page(dpi: float = 200.0, seed: int = 0) -> PageImage:
    """An A3 landscape sheet with symbol-like shapes, lines and labels all over it."""
    width = round(A3_MM[0] / 25.4 * dpi)
    height = round(A3_MM[1] / 25.4 * dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    rng = np.random.default_rng(seed)
    for x in range(200, width - 200, 300):
        draw.line([(x, 150), (x, height - 150)], fill=0, width=3)
        for y in range(250, height - 250, 350):
            size = int(rng.integers(40, 90))
            shape = rng.integers(0, 3)
            box = [x - size // 2, y - size // 2, x + size // 2, y + size // 2]
            if shape == 0:
                draw.ellipse(box, outline=0, width=3, fill=255)
            elif shape == 1:
                draw.rectangle(box, outline=0, width=3, fill=255)
            else:
                draw.line([(box[0], box[3]), (box[2], box[1])], fill=0, width=3)
            draw.text(
                (x + size, y - 10),
                f"CB-{x // 300}{y // 350} {int(rng.integers(1, 99)) * 10}A",
                fill=0,
            )
    return PageImage(
        source="drawn A3",
        index=0,
        width_pt=A3_MM[0] / 25.4 * 72,
        height_pt=A3_MM[1] / 25.4 * 72,
        dpi=dpi,
        image=np.asarray(image, dtype=np.uint8),
    )


def pdf_page(path: Path, dpi: float) -> PageImage:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    page = document[0]
    grey = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    width_pt, height_pt = page.get_size()
    return PageImage(
        source=str(path),
        index=0,
        width_pt=width_pt,
        height_pt=height_pt,
        dpi=dpi,
        image=np.asarray(grey, dtype=np.uint8),
    )


class CountingModel:
    """The loaded model's generate, counting queries and answer tokens."""

    def __init__(self, model: RexOmniInProcess) -> None:
        self.model = model
        self.answer_tokens: list[int] = []

    def generate(self, queries: Sequence[Query]) -> list[Answer]:
        answers = self.model.generate(queries)
        # The generated ids themselves: a random model's ids past the tokenizer's vocabulary
        # decode to nothing, so the text would undercount them. (An answer whose tokens could
        # not be split out is counted from its text.)
        tokenizer = self.model.tokenizer
        self.answer_tokens += [
            len(a.tokens) or len(tokenizer.encode(a.text, add_special_tokens=False))
            for a in answers
        ]
        return answers


def timed(task: str, run: Any, tiles: int, counter: CountingModel) -> dict[str, float]:
    counter.answer_tokens.clear()
    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    figures = {
        "seconds_per_page": round(seconds, 3),
        "tiles": tiles,
        "tiles_per_second": round(tiles / seconds, 3),
        "mean_answer_tokens": round(statistics.fmean(counter.answer_tokens or [0]), 1),
    }
    print(
        f"{task:10s} {tiles} tiles in {seconds:.2f} s: {figures['tiles_per_second']:.2f} tiles/s, "
        f"{seconds:.2f} s/page, {figures['mean_answer_tokens']:.0f} answer tokens on average"
    )
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", help="checkpoint folder or hub id")
    parser.add_argument(
        "--tiny", type=Path, help="build the tiny random checkpoint here and use it"
    )
    parser.add_argument(
        "--replica-3b",
        type=Path,
        help="build a random checkpoint with Qwen2.5-VL-3B's sizes here and use it",
    )
    parser.add_argument("--device", default="auto")
    parser.add_argument(
        "--batch-sizes", default="4", help="comma list: images per generate() call, each timed"
    )
    parser.add_argument("--max-new-tokens", type=int, default=256)
    parser.add_argument(
        "--answer-tokens", type=int, help="make every answer exactly this many tokens long"
    )
    parser.add_argument("--max-pixels", type=int, default=MAX_PIXELS)
    parser.add_argument("--tile-size", type=int, default=Settings().tile_size)
    parser.add_argument("--overlap", type=int, default=Settings().tile_overlap)
    parser.add_argument("--dpi", type=float, default=200.0)
    parser.add_argument("--pdf", type=Path, help="time the first page of this PDF instead")
    parser.add_argument("--tasks", default="detect,ocr", help="comma list of: detect, ocr")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/model_path.json"))
    args = parser.parse_args(argv)
    batch_sizes = [int(size) for size in args.batch_sizes.split(",")]
    import torch
    import transformers

    build_s = 0.0
    if args.tiny or args.replica_3b:
        from benchmarks.harness.tiny_rexomni import QWEN25_VL_3B, TINY, build_random_rexomni

        started = time.perf_counter()
        checkpoint = str(
            build_random_rexomni(
                args.tiny or args.replica_3b,
                size=TINY if args.tiny else QWEN25_VL_3B,
                device=resolve_device(args.device),
            )
        )
        build_s = time.perf_counter() - started
        print(f"built the random checkpoint {checkpoint} in {build_s:.1f} s")
    elif args.checkpoint:
        checkpoint = args.checkpoint
    else:
        parser.error("give --checkpoint, --tiny or --replica-3b")

    gc.collect()
    if torch.cuda.is_available():  # the peak memory figures are the loaded model's alone
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    started = time.perf_counter()
    model = load_rexomni(
        checkpoint,
        device=args.device,
        batch_size=batch_sizes[0],
        max_new_tokens=args.answer_tokens or args.max_new_tokens,
        max_pixels=args.max_pixels,
    )
    load_s = time.perf_counter() - started
    if args.answer_tokens:
        model.generation_config.min_new_tokens = args.answer_tokens
    page = pdf_page(args.pdf, args.dpi) if args.pdf else drawn_page(args.dpi)
    tiles = [t for t in make_tiles(page, args.tile_size, args.overlap) if t.has_ink]
    counter = CountingModel(model)
    detector = RexOmniDetector(counter.generate, Settings().rexomni_phrases)
    reader = RexOmniTextReader(
        counter.generate, tile_size=args.tile_size, tile_overlap=args.overlap
    )
    detector.detect(tiles[:1])  # warm-up, not timed
    device = model.device
    result: dict[str, Any] = {
        "checkpoint": checkpoint,
        "weights": "random, tiny"
        if args.tiny
        else "random, Qwen2.5-VL-3B sizes"
        if args.replica_3b
        else "trained",
        "device": str(device),
        "device_name": torch.cuda.get_device_name(device)
        if device.type == "cuda"
        else platform.processor() or platform.machine(),
        "dtype": str(model.model.dtype),
        "attention": model.model.config._attn_implementation,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "page": page.source,
        "page_pixels": list(page.image.shape[::-1]),
        "tile_size": args.tile_size,
        "overlap": args.overlap,
        "max_pixels": args.max_pixels,
        "batch_sizes": batch_sizes,
        "max_new_tokens": args.answer_tokens or args.max_new_tokens,
        "answer_tokens_forced": args.answer_tokens,
        "gpu_memory_gib": round(torch.cuda.max_memory_allocated(device) / 2**30, 2)
        if device.type == "cuda"
        else None,
        "build_s": round(build_s, 2),
        "load_s": round(load_s, 2),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    print(f"{checkpoint} on {result['device_name']} ({result['dtype']}), loaded in {load_s:.1f} s")
    tasks = args.tasks.split(",")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    result["runs"] = []
    for batch_size in batch_sizes:
        model.batch_size = batch_size
        run: dict[str, Any] = {"batch_size": batch_size}
        if "detect" in tasks:
            run["detect"] = timed(
                f"b{batch_size} detect", lambda: detector.detect(tiles), len(tiles), counter
            )
        if "ocr" in tasks:
            run["ocr"] = timed(f"b{batch_size} ocr", lambda: reader.read(page), len(tiles), counter)
        if device.type == "cuda":
            run["gpu_memory_gib"] = round(torch.cuda.max_memory_allocated(device) / 2**30, 2)
        result["runs"].append(run)
        # Written after every batch size, so a run cut short keeps what it measured.
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

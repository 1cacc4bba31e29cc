"""Digitise a fresh synthetic set and report speed and accuracy.

    python -m benchmarks.digitise [--count 10] [--seed 9000] [--detector template] [--no-scans]
        [--house-style catalogue|foreign|held-out]

Seeds: tests use seeds below 1000 and symbol calibration uses 1000-1999, so the default 9000 is
data no part of the project was tuned on. `--house-style foreign` draws every core type the way
another office does (`sld.synth.foreign`: neither the library nor the calibration holds it),
`held-out` as a third office does (`sld.synth.held_out`, never looked at while tuning); their
sheets keep the generator's tag convention (CB-3, T1, FU-2), so end to end they measure what
the labels add to the shapes. Prints median seconds per page (vector and scan
sheets apart, and per stage) and the evaluation table; writes both to
benchmarks/results/digitise.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sld.evaluate import evaluate_folders, format_report
from sld.pipeline import digitise_file
from sld.settings import Settings
from sld.synth import generate_set
from sld.synth.symbols import office_house

Result = TypeVar("Result")
RESULTS = Path(__file__).parent / "results"


class StageTimer:
    """A stage runner that calls each stage directly and records how long it took."""

    def __init__(self) -> None:
        self.seconds: dict[str, list[float]] = defaultdict(list)

    def __call__(self, stage: Callable[..., Result], /, *args: Any) -> Result:
        started = time.perf_counter()
        result = stage(*args)
        self.seconds[stage.__name__].append(time.perf_counter() - started)
        return result


def _spread(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median": statistics.median(ordered),
        "min": ordered[0],
        "max": ordered[-1],
        "p90": ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--seed", type=int, default=9000)
    parser.add_argument("--detector", default="template")
    parser.add_argument("--ocr", default="auto")
    parser.add_argument("--no-scans", action="store_true")
    parser.add_argument(
        "--house-style", choices=("catalogue", "foreign", "held-out"), default="catalogue"
    )
    parser.add_argument("--json", type=Path, default=RESULTS / "digitise.json")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sld-bench-") as folder:
        work = Path(folder)
        sheets = work / "sheets"
        house = None if args.house_style == "catalogue" else office_house(args.house_style)
        generate_set(sheets, args.count, args.seed, scans=not args.no_scans, house=house)
        settings = Settings(
            database_url=f"sqlite:///{work / 'bench.db'}",
            output_dir=work / "results",
            detector=args.detector,
            ocr=args.ocr,
        )
        timer = StageTimer()
        per_page: dict[str, list[float]] = {"vector": [], "scan": []}
        for pdf in sorted(sheets.glob("*.pdf")):
            started = time.perf_counter()
            digitised = digitise_file(pdf, settings, run_stage=timer)
            seconds = (time.perf_counter() - started) / max(1, len(digitised.document.pages))
            per_page["scan" if pdf.stem.endswith("-scan") else "vector"].append(seconds)
            print(f"{pdf.name}: {seconds:.2f} s/page", flush=True)
        report = evaluate_folders(sheets, settings.output_dir)

    print()
    print(format_report(report), end="")
    print()
    print(f"seconds per page (median, min-max) on {platform.processor() or platform.machine()}:")
    for kind, values in per_page.items():
        if values:
            spread = _spread(values)
            print(f"  {kind:7s} {spread['median']:.2f}  ({spread['min']:.2f}-{spread['max']:.2f})")
    print("seconds per stage call (median, max):")
    for stage, values in timer.seconds.items():
        print(f"  {stage:16s} {statistics.median(values):.3f}  {max(values):.3f}")

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "seed": args.seed,
                "count": args.count,
                "house_style": args.house_style,
                "detector": args.detector,
                "ocr": args.ocr,
                "seconds_per_page": {k: _spread(v) for k, v in per_page.items() if v},
                "seconds_per_stage": {k: _spread(v) for k, v in timer.seconds.items()},
                "evaluation": report.to_dict(),
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()

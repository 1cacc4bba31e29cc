"""Cold-start times of the CLI: `sld --help`, and digitising a blank one-page PDF.

    python -m benchmarks.startup [--runs 7]

Each run is a fresh process (nothing imported or cached in memory), with the default local
engine, SQLite and the embedded default backends. Targets: --help under 0.5 s, the blank page
under 2.5 s wall. Prints median and spread and writes benchmarks/results/startup.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reportlab.lib.pagesizes import A3, landscape
from reportlab.pdfgen import canvas

RESULTS = Path(__file__).parent / "results"


def blank_pdf(path: Path) -> Path:
    sheet = canvas.Canvas(str(path), pagesize=landscape(A3))
    sheet.showPage()
    sheet.save()
    return path


def wall_seconds(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", type=Path, default=RESULTS / "startup.json")
    args = parser.parse_args()
    sld = [sys.executable, "-m", "sld"]
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="sld-startup-") as folder:
        work = Path(folder)
        pdf = blank_pdf(work / "blank.pdf")
        commands = {
            "help": [*sld, "--help"],
            "digitise_blank_page": [
                *sld,
                "digitise",
                str(pdf),
                "--out",
                "out",
                "--db",
                f"sqlite:///{work / 'blank.db'}",
            ],
        }
        for name, command in commands.items():
            wall_seconds(command, work)  # warm the disk cache, as a user's second run would
            runs = sorted(wall_seconds(command, work) for _ in range(args.runs))
            figures[name] = {"median": statistics.median(runs), "min": runs[0], "max": runs[-1]}
            print(
                f"{name:22s} median {figures[name]['median']:.2f} s "
                f"({runs[0]:.2f}-{runs[-1]:.2f}) over {args.runs} fresh processes"
            )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()

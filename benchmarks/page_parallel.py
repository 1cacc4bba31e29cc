"""Pages of one document at once (`SLD_PAGE_WORKERS`): time and memory of one long drawing.

    python -m benchmarks.page_parallel [--pages 6] [--workers 1 2] [--seed 9600]

One synthetic drawing of `--pages` sheets (seed 9600, which nothing was tuned on), as a vector
PDF and as its scan, digitised with the default CPU backends (template detector, `auto` text)
once per worker count, each run in a fresh process (`--one`) with its own SQLite file, so one
run's loaded engines and memory cannot help or hide another's. It checks that every worker
count gives the same document, and reports seconds per document, the speed-up over one worker
and the process's peak memory (VmHWM). On a machine whose cores the one-worker run already keeps
busy (OpenCV, ONNX Runtime and torch use several threads each), more page workers cannot be
faster; they pay where the stages wait, on a model server. Writes
benchmarks/results/page_parallel.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.memory import MIB, peak_bytes

RESULTS = Path(__file__).parent / "results"


def run_one(drawing: Path, workers: int, folder: Path) -> dict[str, Any]:
    """Digitise `drawing` here with `workers` page workers; print and return the figures."""
    from sld.pipeline import digitise_file
    from sld.settings import Settings

    settings = Settings(
        database_url=f"sqlite:///{folder / 'sld.db'}", output_dir=folder, page_workers=workers
    )
    started = time.perf_counter()
    digitised = digitise_file(drawing, settings)
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "peak_mib": round(peak_bytes() / MIB),
        "fingerprint": digitised.document.fingerprint(),
        "pages": len(digitised.document.pages),
    }


def measure(drawing: Path, workers: int, folder: Path) -> dict[str, Any]:
    folder.mkdir(parents=True)
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.page_parallel", "--one", str(drawing), str(workers)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
        env=os.environ | {"SLD_BENCH_FOLDER": str(folder)},
    )
    figures: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=6)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seed", type=int, default=9600)
    parser.add_argument("--one", nargs=2, metavar=("FILE", "WORKERS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        folder = Path(os.environ["SLD_BENCH_FOLDER"])
        print(json.dumps(run_one(Path(args.one[0]), int(args.one[1]), folder)))
        return

    from sld.synth import generate_set

    work = Path(tempfile.mkdtemp(prefix="sld-page-parallel-"))
    vector = generate_set(work / "in", count=1, seed=args.seed, pages=args.pages)[0]
    drawings = {"vector": vector, "scan": vector.with_name(f"{vector.stem}-scan.pdf")}
    report: dict[str, Any] = {"pages": args.pages, "seed": args.seed, "cpus": os.cpu_count()}
    for kind, drawing in drawings.items():
        runs = {w: measure(drawing, w, work / f"{kind}-{w}") for w in args.workers}
        same = len({run["fingerprint"] for run in runs.values()}) == 1
        base = runs[args.workers[0]]["seconds"]
        for workers, run in runs.items():
            run["speedup"] = round(base / run["seconds"], 2)
            print(
                f"{kind:6} {args.pages} pages, {workers} page worker(s): {run['seconds']:6.1f} s "
                f"({run['speedup']}x), peak {run['peak_mib']} MiB"
            )
        print(f"{kind:6} same document with every worker count: {same}")
        report[kind] = {"same_document": same, "runs": runs}
    report["load_average"] = os.getloadavg()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "page_parallel.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()

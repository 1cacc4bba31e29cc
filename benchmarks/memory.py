"""Peak memory of digitising one page: A3 and ANSI D sheets, vector and scan, and huge images.

    python -m benchmarks.memory [--seed 9400] [--keep DIR]

Each page runs in a fresh process (`python -m benchmarks.memory --one FILE`), so one page's
memory cannot hide in another's. The child samples its resident memory every 5 ms while each
stage runs, and reports each stage's peak and the whole process's (the kernel's high-water
mark, VmHWM), with the default settings (template detector, `auto` text). The inputs: a
synthetic A3 and a synthetic ANSI D sheet (seeds from 9400 up, which nothing was tuned on),
each as a vector PDF and as its scan; and two images over `SLD_MAX_PAGE_PIXELS`, which are
read reduced: a 20000 x 20000 px PNG and an A0 sheet scanned at 400 dpi as a JPEG
(18720 x 13240 px, 248 Mpx). Prints a table and writes benchmarks/results/memory.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

RESULTS = Path(__file__).parent / "results"
Result = TypeVar("Result")

#: Displayed page sizes in points of the synthetic sheets measured.
SHEETS = {"A3": (1190.55, 841.89), "ANSI D": (2448.0, 1584.0)}
MIB = 1024 * 1024


def resident_bytes() -> int:
    """This process's resident memory now (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_bytes() -> int:
    """The most this process has held resident: the kernel's high-water mark (Linux).

    VmHWM, not `ru_maxrss`: the latter carries over the parent's size at fork and exec.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


class StagePeaks:
    """A stage runner that samples resident memory while each stage runs."""

    def __init__(self) -> None:
        self.peaks: dict[str, int] = {}

    def __call__(self, stage: Callable[..., Result], /, *args: Any) -> Result:
        highest = resident_bytes()
        running = True

        def sample() -> None:
            nonlocal highest
            while running:
                highest = max(highest, resident_bytes())
                time.sleep(0.005)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            return stage(*args)
        finally:
            running = False
            sampler.join()
            name = stage.__name__
            self.peaks[name] = max(self.peaks.get(name, 0), highest, resident_bytes())


def measure_one(path: Path) -> dict[str, Any]:
    """Digitise page 1 of `path` in this process; memory by stage, in MiB."""
    from sld.pages.raster import open_source
    from sld.pipeline import digitise_page
    from sld.settings import Settings
    from sld.symbols.detectors import detector_for
    from sld.text.engines import text_reader_for

    settings = Settings()
    detector_for(settings)
    text_reader_for(settings)
    ready = resident_bytes()
    probe = StagePeaks()
    started = time.perf_counter()
    digitised = digitise_page(open_source(path), 0, settings, run_stage=probe)
    seconds = time.perf_counter() - started
    return {
        "file": path.name,
        "page_pt": [round(digitised.result.width, 1), round(digitised.result.height, 1)],
        "seconds": round(seconds, 2),
        "ready_mib": round(ready / MIB),
        "stage_peak_mib": {name: round(value / MIB) for name, value in probe.peaks.items()},
        "peak_mib": round(peak_bytes() / MIB),
    }


def _first_sheet_of_size(size: tuple[float, float], start: int) -> int:
    """The first seed from `start` whose drawing 0 is on paper of `size`."""
    from sld.synth import make_sheets

    for seed in range(start, start + 500):
        sheet = make_sheets(seed, 0, "mixed", 1, None)[0]
        if (sheet.width, sheet.height) == size:
            return seed
    raise RuntimeError(f"no seed in {start}..{start + 499} draws a {size} pt sheet")


def make_inputs(folder: Path, seed: int) -> dict[str, Path]:
    """The files measured, by what they are."""
    from PIL import Image, ImageDraw

    from sld.synth import generate_set

    inputs: dict[str, Path] = {}
    for name, size in SHEETS.items():
        sheet_seed = _first_sheet_of_size(size, seed)
        (vector,) = generate_set(folder / name.replace(" ", "-"), 1, sheet_seed)
        inputs[f"{name} vector"] = vector
        inputs[f"{name} scan"] = vector.with_name(f"{vector.stem}-scan.pdf")
    for name, size, file_name, dpi in (
        ("20000 x 20000 px PNG", (20000, 20000), "huge.png", 300),
        ("A0 scan, 400 dpi JPEG", (18720, 13240), "a0-400dpi.jpg", 400),
    ):
        image = Image.new("L", size, 255)
        draw = ImageDraw.Draw(image)
        for position in range(0, max(size), 400):  # a grid of wires, so that the page has ink
            draw.line([(position, 0), (position, size[1])], fill=0, width=4)
            draw.line([(0, position), (size[0], position)], fill=0, width=4)
        image.save(folder / file_name, dpi=(dpi, dpi))
        inputs[name] = folder / file_name
    return inputs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=9400, help="first seed tried per paper size")
    parser.add_argument("--keep", type=Path, help="make the inputs here and keep them")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_one(args.one)))
        return

    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        inputs = make_inputs(folder, args.seed)
        rows = {}
        for name, path in inputs.items():
            child = subprocess.run(
                [sys.executable, "-m", "benchmarks.memory", "--one", str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            rows[name] = json.loads(child.stdout.strip().splitlines()[-1])
            row = rows[name]
            stages = ", ".join(f"{k} {v}" for k, v in row["stage_peak_mib"].items())
            print(
                f"{name:24} peak {row['peak_mib']:5d} MiB  (ready {row['ready_mib']} MiB; "
                f"{row['seconds']} s; stage peaks: {stages})",
                flush=True,
            )
    RESULTS.mkdir(exist_ok=True)
    report = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "load_average": os.getloadavg(),
        "pages": rows,
    }
    (RESULTS / "memory.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS / 'memory.json'}")


if __name__ == "__main__":
    main()

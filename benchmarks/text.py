"""Text, labels and ratings on synthetic sheets: reading, linking, naming, rating, OCR time.

    python -m benchmarks.text [--seed 9100] [--count 20] [--detection oracle]

Seeds: tests use seeds below 1000, the symbol calibration 1000-1999, linking was developed on
7000; 9100 and up are for this benchmark. Vector sheets (text layer) and scans (rapidocr) are
reported apart.

`--detection oracle` (default) feeds the ground-truth component boxes to the stages in place of a
symbol detector, so the figures measure text, linking, names and ratings alone; they are labelled
"oracle detection". `--detection pipeline` runs the configured detector (`SLD_DETECTOR`, or
`--detector`): end to end.

OCR time is the text stage alone on the scanned A3 sheets at 200 dpi: median wall seconds, and
median CPU seconds of this process (all threads), which do not depend on what else the machine is
running. Prints the figures and writes them to benchmarks/results/text-<detection>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.harness.oracle import digitise_page_with_truth
from sld import stages
from sld.document import Document, Page, Source
from sld.evaluate import DocumentScores, evaluate_document, group_of
from sld.pages.raster import open_source
from sld.pipeline import connect_page
from sld.settings import Settings
from sld.synth import generate_set

RESULTS = Path(__file__).parent / "results"
#: A3 landscape in points, and how close a page must be to count as one.
A3_POINTS = (1190.55, 841.89)
A3_TOLERANCE = 2.0


def is_a3(page: Page) -> bool:
    sides = sorted((page.width, page.height))
    return all(abs(a - b) <= A3_TOLERANCE for a, b in zip(sides, sorted(A3_POINTS), strict=True))


def digitise(
    pdf: Path, truth: Document, settings: Settings, oracle: bool
) -> tuple[Document, float, float]:
    """The result for one file, with the wall and CPU seconds its text stage took."""
    source = open_source(pdf)
    pages: list[Page] = []
    text_wall = text_cpu = 0.0
    truth_pages = {page.index: page for page in truth.pages}
    for index in range(source.page_count):
        page = stages.rasterise(source, index, settings)
        wall, cpu = time.perf_counter(), time.process_time()
        texts = stages.read_text(page, settings)
        text_wall += time.perf_counter() - wall
        text_cpu += time.process_time() - cpu
        if oracle:
            pages.append(digitise_page_with_truth(page, truth_pages[index], settings, texts).result)
            continue
        symbols = stages.merge(stages.detect(page, texts, settings), settings)
        pages.append(connect_page(page, symbols, texts, settings).result)
    document = Document(
        source=Source(path=str(pdf), sha256=source.sha256, page_count=source.page_count),
        pages=pages,
    )
    return document, text_wall, text_cpu


def _rate(value: float | None) -> str:
    return "    -" if value is None else f"{value:.4f}"


def summary(scores: DocumentScores) -> dict[str, Any]:
    return {
        "text": scores.text.to_dict(),
        "text_char_similarity": scores.text_similarity.mean,
        "links_over_linked": scores.links_over_linked.to_dict(),
        "links_over_all": scores.links_over_all.to_dict(),
        "names": scores.names.to_dict(),
        "ratings": scores.ratings.to_dict(),
        "ratings_per_key": {k: v.to_dict() for k, v in sorted(scores.ratings_per_key.items())},
        "spurious_rating_keys": scores.spurious_rating_keys,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=9100)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--detection", choices=("oracle", "pipeline"), default="oracle")
    parser.add_argument("--detector", help="detector for --detection pipeline (else settings)")
    parser.add_argument("--data", type=Path, help="use (or write) the synthetic set here")
    parser.add_argument(
        "--json", type=Path, help="default: benchmarks/results/text-<detection>.json"
    )
    args = parser.parse_args()

    overrides = {"detector": args.detector} if args.detector else {}
    settings = Settings(**overrides)
    oracle = args.detection == "oracle"
    with tempfile.TemporaryDirectory(prefix="sld-text-") as scratch:
        folder = args.data or Path(scratch)
        if not any(folder.glob(f"sld-{args.seed}-*.pdf")):
            generate_set(folder, args.count, args.seed, scans=True)
        totals: dict[str, DocumentScores] = {"vector": DocumentScores(), "scan": DocumentScores()}
        ocr_wall: list[float] = []
        ocr_cpu: list[float] = []
        rows = []
        pdfs = sorted(folder.glob(f"sld-{args.seed}-*.pdf"))[: 2 * args.count]
        for pdf in pdfs:
            truth = Document.read(pdf.with_suffix(".json"))
            result, wall, cpu = digitise(pdf, truth, settings, oracle)
            scores = evaluate_document(truth, result)
            group = group_of(pdf.stem)
            totals[group] += scores
            a3 = all(is_a3(page) for page in truth.pages)
            if group == "scan" and a3:
                ocr_wall.append(wall / len(truth.pages))
                ocr_cpu.append(cpu / len(truth.pages))
            rows.append(
                {
                    "stem": pdf.stem,
                    "group": group,
                    "a3": a3,
                    "text_seconds": round(wall, 3),
                    "text_cpu_seconds": round(cpu, 3),
                    **summary(scores),
                }
            )
            print(
                f"{pdf.stem:24s} text F1 {_rate(scores.text.f1)}"
                f"  links {_rate(scores.links_over_linked.value)}"
                f"  names {_rate(scores.names.value)}  ratings {_rate(scores.ratings.value)}"
                f"  text stage {wall:6.2f} s ({cpu:5.2f} s CPU){'  A3' if a3 else ''}",
                flush=True,
            )

    label = "oracle detection" if oracle else f"detector {settings.detector}"
    print(f"\nSeed {args.seed}, {len(pdfs)} files; {label}.")
    print(f"{'':28s}{'vector':>10s}{'scan':>10s}")
    metrics: list[tuple[str, Callable[[DocumentScores], float | None]]] = [
        ("text precision", lambda s: s.text.precision),
        ("text recall", lambda s: s.text.recall),
        ("text F1", lambda s: s.text.f1),
        ("link accuracy (linked gt)", lambda s: s.links_over_linked.value),
        ("link accuracy (all texts)", lambda s: s.links_over_all.value),
        ("name accuracy", lambda s: s.names.value),
        ("rating accuracy", lambda s: s.ratings.value),
    ]
    for name, value in metrics:
        print(f"{name:28s}{_rate(value(totals['vector'])):>10s}{_rate(value(totals['scan'])):>10s}")
    if ocr_wall:
        wall_median, cpu_median = statistics.median(ocr_wall), statistics.median(ocr_cpu)
        print(
            f"OCR per A3 scan page at {settings.dpi} dpi: median {wall_median:.2f} s wall,"
            f" {cpu_median:.2f} s CPU ({len(ocr_wall)} pages; load average"
            f" {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
        )
    report = {
        "seed": args.seed,
        "count": args.count,
        "detection": label,
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "groups": {group: summary(scores) for group, scores in totals.items()},
        "ocr_a3_scan_200dpi": {
            "pages": len(ocr_wall),
            "median_wall_s": statistics.median(ocr_wall) if ocr_wall else None,
            "median_cpu_s": statistics.median(ocr_cpu) if ocr_cpu else None,
            "wall_s": [round(v, 3) for v in ocr_wall],
            "cpu_s": [round(v, 3) for v in ocr_cpu],
        },
        "documents": rows,
    }
    path = args.json or RESULTS / f"text-{args.detection}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(f"Wrote {path}")


if __name__ == "__main__":
    main()

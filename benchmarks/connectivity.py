"""Connection accuracy and speed of the connectivity stages (conductors + graph).

Usage: python -m benchmarks.connectivity [--count 30] [--seed 7100] [--out FILE]
                                                      [--no-powsybl] [--keep DIR] [--end-to-end]

Synthetic drawings (`sld.synth`, seeds that no test uses; a share of them two pages long) are
generated, and each page's conductors and graph are built with the ground-truth symbol boxes,
texts and label links (ORACLE DETECTION: the figures measure the connectivity stages alone,
not the detector). Connection precision, recall and F1 are micro-averaged over the vector PDFs
and over their scanned variants; the time of the two stages is reported per page, with the
median over the A3 pages, the size the target is set for. The powsybl substation diagrams
(`benchmarks.harness.powsybl`) are scored the same way when Chromium is installed, read from the PDF
and from a 200 dpi raster of it; then end to end, with exemplars cut from each diagram through
the symbol library (`score_with_exemplars`: one per type, then one round of corrections).
With `--end-to-end` the sets are also digitised by the whole pipeline (the configured detector
and text reader) and scored with `sld.evaluate`.
Prints a table and writes the figures as JSON (default benchmarks/results/connectivity.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness.oracle import compare_pairs, run_oracle
from sld.connectivity.graph import component_connections
from sld.document import Document
from sld.evaluate import Counts
from sld.pages.raster import load_page, open_source
from sld.settings import Settings

A3 = (1190.55, 841.89)


def is_a3(width: float, height: float) -> bool:
    return abs(max(width, height) - A3[0]) < 2 and abs(min(width, height) - A3[1]) < 2


def score_folder(folder: Path, settings: Settings) -> list[dict[str, Any]]:
    """One row per page of every PDF in `folder` that has ground truth beside it."""
    rows = []
    for pdf in sorted(folder.glob("*.pdf")):
        truth = Document.read(pdf.with_suffix(".json"))
        source = open_source(pdf)
        for page_truth in truth.pages:
            page = load_page(source, page_truth.index, settings)
            run = run_oracle(page, page_truth, settings.crossings_connect)
            counts = compare_pairs(page_truth.connections, component_connections(run.graph))
            rows.append(
                {
                    "file": pdf.name,
                    "page": page_truth.index,
                    "scan": pdf.stem.endswith("-scan"),
                    "a3": is_a3(page.width_pt, page.height_pt),
                    "size_pt": [round(page.width_pt, 1), round(page.height_pt, 1)],
                    "tp": counts.tp,
                    "fp": counts.fp,
                    "fn": counts.fn,
                    "conductor_s": round(run.conductor_seconds, 4),
                    "graph_s": round(run.graph_seconds, 4),
                    "nodes": run.graph.number_of_nodes(),
                    "edges": run.graph.number_of_edges(),
                }
            )
    return rows


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    counts = Counts()
    for row in rows:
        counts = counts + Counts(row["tp"], row["fp"], row["fn"])
    seconds = [row["conductor_s"] + row["graph_s"] for row in rows]
    a3 = [row["conductor_s"] + row["graph_s"] for row in rows if row["a3"]]
    return {
        "pages": len(rows),
        **counts.to_dict(digits=4),
        "perfect_pages": sum(1 for row in rows if row["fp"] == 0 and row["fn"] == 0),
        "median_s": round(statistics.median(seconds), 4) if seconds else None,
        "a3_pages": len(a3),
        "a3_median_s": round(statistics.median(a3), 4) if a3 else None,
        "a3_max_s": round(max(a3), 4) if a3 else None,
    }


def end_to_end(folders: list[Path], root: Path) -> dict[str, Any]:
    """Digitise the drawings with the configured detector and text reader (the whole pipeline)
    and score the results with `sld.evaluate`: connections and detection per group."""
    from sld.evaluate import evaluate_folders
    from sld.pipeline import digitise_file

    totals: dict[str, dict[str, Any]] = {}
    seconds: list[float] = []
    for folder in folders:
        results = root / "results" / folder.name
        settings = Settings(output_dir=results, database_url=f"sqlite:///{root / 'sld.db'}")
        for pdf in sorted(folder.glob("*.pdf")):
            started = time.perf_counter()
            digitise_file(pdf, settings)
            seconds.append(time.perf_counter() - started)
        report = evaluate_folders(folder, results)
        for group in ("vector", "scan"):
            scores = report.total(group)
            found = totals.setdefault(group, {"connections": [0, 0, 0], "detection": [0, 0, 0]})
            for key, counts in (
                ("connections", scores.connections),
                ("detection", scores.core_detection),
            ):
                found[key] = [
                    a + b
                    for a, b in zip(found[key], (counts.tp, counts.fp, counts.fn), strict=True)
                ]
    summary: dict[str, Any] = {"median_file_s": round(statistics.median(seconds), 3)}
    for group, found in totals.items():
        summary[group] = {
            key: {"tp": tp, "fp": fp, "fn": fn, "f1": round(2 * tp / max(2 * tp + fp + fn, 1), 4)}
            for key, (tp, fp, fn) in found.items()
        }
    return summary


def powsybl_figures() -> dict[str, Any] | None:
    from benchmarks.harness import powsybl

    if powsybl.find_chromium() is None:
        print("powsybl: Chromium not found, skipped")
        return None
    with tempfile.TemporaryDirectory() as folder:
        results = powsybl.score_all(Path(folder))
    return {name: result.to_dict() for name, result in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=30, help="drawings per set")
    parser.add_argument("--seed", type=int, default=7100)
    parser.add_argument("--keep", type=Path, help="generate into (and keep) this folder")
    parser.add_argument("--no-powsybl", action="store_true")
    parser.add_argument(
        "--end-to-end",
        action="store_true",
        help="also digitise the sets with the configured detector and OCR and score them",
    )
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/connectivity.json"))
    args = parser.parse_args()
    settings = Settings()

    from sld.synth import generate_set

    with tempfile.TemporaryDirectory() as scratch:
        root = args.keep or Path(scratch)
        single, double = root / "one-page", root / "two-pages"
        started = time.perf_counter()
        generate_set(single, args.count, args.seed, scans=True)
        generate_set(double, max(1, args.count // 5), args.seed + 1, scans=True, pages=2)
        print(f"generated in {time.perf_counter() - started:.1f} s into {root}")
        rows = score_folder(single, settings) + score_folder(double, settings)
        pipeline = end_to_end([single, double], root) if args.end_to_end else None

    groups = {
        "vector": [row for row in rows if not row["scan"]],
        "scan": [row for row in rows if row["scan"]],
    }
    summary = {name: summarise(group) for name, group in groups.items()}
    print("ORACLE DETECTION (ground-truth boxes, texts and links): connectivity stages alone")
    print(
        f"{'set':8} {'pages':>5} {'P':>7} {'R':>7} {'F1':>7} {'perfect':>8} "
        f"{'A3 median s':>12} {'A3 max s':>9}"
    )
    for name, figures in summary.items():
        print(
            f"{name:8} {figures['pages']:>5} {figures['precision']:>7.4f} "
            f"{figures['recall']:>7.4f} {figures['f1']:>7.4f} {figures['perfect_pages']:>8} "
            f"{figures['a3_median_s'] or 0:>12.3f} {figures['a3_max_s'] or 0:>9.3f}"
        )
    for row in rows:
        if row["fp"] or row["fn"]:
            print(f"  {row['file']} p{row['page']}: fp={row['fp']} fn={row['fn']}")

    if pipeline:
        print(f"END TO END (detector {settings.detector}, OCR {settings.ocr}):")
        for group in ("vector", "scan"):
            for key in ("detection", "connections"):
                found = pipeline[group][key]
                print(
                    f"  {group:6} {key:11} F1 {found['f1']:.4f}  tp {found['tp']} "
                    f"fp {found['fp']} fn {found['fn']}"
                )
        print(f"  median seconds per file {pipeline['median_file_s']}")

    powsybl = None if args.no_powsybl else powsybl_figures()
    if powsybl:
        print("powsybl substation diagrams (ORACLE boxes measured in the rendered drawing):")
        for name, figures in powsybl.items():
            for read in ("vector", "raster"):
                found = figures[read]
                print(
                    f"  {name:28} {read:6} components {figures['components']:3} "
                    f"pairs {figures['truth_pairs']:4}  P {found['precision']:.3f} "
                    f"R {found['recall']:.3f} F1 {found['f1']:.3f}  {found['seconds']:.3f} s"
                )
        print("powsybl END TO END, exemplars cut from each diagram (`sld symbols add`), per round:")
        for name, figures in powsybl.items():
            for step in figures["with_exemplars"]:
                found, joined = step["detection"], step["connections"]
                print(
                    f"  {name:28} round {step['round']}  detection P {found['precision']:.3f} "
                    f"R {found['recall']:.3f}  connections P {joined['precision']:.3f} "
                    f"R {joined['recall']:.3f} F1 {joined['f1']:.3f}  "
                    f"added {', '.join(step['exemplars_added'])}"
                )

    result = {
        "benchmark": "connectivity",
        "detection": "oracle (ground-truth boxes, texts and links)",
        "seed": args.seed,
        "count": args.count,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average": os.getloadavg(),
        "summary": summary,
        "powsybl": powsybl,
        "end_to_end": pipeline,
        "pages": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

"""Real drawings with exact ground truth: the QElectroTech projects, scored with `sld eval`.

    python -m benchmarks.qelectrotech [--protocol builtin oneshot] [--kinds vector scan]
        [--stems Habitat-Unifilaire ...] [--json FILE] [--keep FOLDER]

The three projects in `tests/realdata/qelectrotech/` were drawn by users of QElectroTech, and
their ground truth comes from the CAD source (see that folder's README). Nobody on this
project drew them. Two protocols:

- `builtin`: the built-in symbol library only, as a new user gets it;
- `oneshot`: for each core type in a drawing, one exemplar cut with `sld symbols add` from the
  ground-truth box of its first instance in that drawing (first page that has the type, first
  in reading order there), into a library of that drawing's own; vector and scan cut apart.

For each it prints the evaluation (detection per core type at IoU 0.5, connections between
core components, device recall: core components found as a component of any type) for vector
and scanned sheets, and seconds per page, and writes everything to one JSON file.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sld.document import CORE_TYPES, Document
from sld.evaluate import evaluate_folders, format_report
from sld.pipeline import digitise_file
from sld.settings import Settings
from sld.symbols.library import add_from_drawing

DATA = Path(__file__).resolve().parents[1] / "tests" / "realdata" / "qelectrotech"
STEMS = ("Habitat-Unifilaire", "photovoltaique", "industrial")
RESULTS = Path(__file__).parent / "results"


def first_instances(truth: Document) -> dict[str, tuple[int, tuple[float, float, float, float]]]:
    """For each core type: (page index, box) of its first instance in reading order."""
    found: dict[str, tuple[int, tuple[float, float, float, float]]] = {}
    for page in truth.pages:
        ordered = sorted(page.components, key=lambda c: (round(c.bbox[1], 1), c.bbox[0]))
        for component in ordered:
            if component.type in CORE_TYPES and component.type not in found:
                found[component.type] = (page.index, component.bbox)
    return found


def cut_exemplars(drawing: Path, truth: Document, settings: Settings) -> list[str]:
    """The one-shot library: one exemplar per core type, cut from the drawing itself."""
    added = []
    for component_type, (page_index, box) in sorted(first_instances(truth).items()):
        add_from_drawing(
            settings,
            component_type,
            drawing,
            page_index + 1,
            box,
            name=f"{drawing.stem}-{component_type}",
            licence="CC-BY-3.0 (QElectroTech elements)",
        )
        added.append(f"{component_type} p{page_index + 1} {[round(v, 1) for v in box]}")
    return added


def run_protocol(protocol: str, stems: list[str], kinds: list[str], work: Path) -> dict[str, Any]:
    truth_dir, result_dir = work / "truth", work / protocol
    truth_dir.mkdir(exist_ok=True)
    seconds: dict[str, list[float]] = {kind: [] for kind in kinds}
    exemplars: dict[str, list[str]] = {}
    for stem in stems:
        for kind in kinds:
            name = f"{stem}-{kind}"
            drawing, truth_path = DATA / f"{name}.pdf", DATA / f"{name}.gt.json"
            # `sld eval` groups files whose stem ends in -scan as scans.
            scored_stem = stem if kind == "vector" else f"{stem}-scan"
            shutil.copy(truth_path, truth_dir / f"{scored_stem}.json")
            truth = Document.model_validate_json(truth_path.read_text(encoding="utf-8"))
            library = work / "libraries" / name
            settings = Settings(
                database_url=f"sqlite:///{work / 'bench.db'}",
                output_dir=result_dir,
                symbol_library=library if protocol == "oneshot" else None,
            )
            if protocol == "oneshot":
                library.mkdir(parents=True, exist_ok=True)
                exemplars[name] = cut_exemplars(drawing, truth, settings)
            started = time.perf_counter()
            digitised = digitise_file(drawing, settings)
            pages = len(digitised.document.pages)
            per_page = (time.perf_counter() - started) / max(1, pages)
            seconds[kind].append(per_page)
            result = digitised.json_path
            result.rename(result.with_name(f"{scored_stem}.json"))
            print(f"{protocol:8s} {name:28s} {pages:2d} page(s) {per_page:6.2f} s/page", flush=True)
    report = evaluate_folders(truth_dir, result_dir)
    print()
    print(f"== protocol {protocol} ==")
    print(format_report(report), end="")
    summary = {
        group: {
            "detection_core": report.total(group).core_detection.to_dict(3),
            "connections_core": report.total(group).connections.to_dict(3),
            "devices_core": report.total(group).devices.to_dict(3),
        }
        for group in ("vector", "scan")
        if report.count(group)
    }
    for group, figures in summary.items():
        print(
            f"{protocol} {group}: detection F1 {figures['detection_core']['f1']}, "
            f"connection F1 {figures['connections_core']['f1']}, "
            f"device recall {figures['devices_core']['recall']}"
        )
    return {
        "summary": summary,
        "seconds_per_page_median": {
            kind: statistics.median(values) for kind, values in seconds.items() if values
        },
        "exemplars": exemplars,
        "evaluation": report.to_dict(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--protocol", nargs="+", default=["builtin", "oneshot"])
    parser.add_argument("--kinds", nargs="+", default=["vector", "scan"])
    parser.add_argument("--stems", nargs="+", default=list(STEMS))
    parser.add_argument("--json", type=Path, default=RESULTS / "qelectrotech.json")
    parser.add_argument("--keep", type=Path, help="keep results and libraries in this folder")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sld-qet-") as folder:
        work = args.keep or Path(folder)
        work.mkdir(parents=True, exist_ok=True)
        results = {
            protocol: run_protocol(protocol, args.stems, args.kinds, work)
            for protocol in args.protocol
        }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()

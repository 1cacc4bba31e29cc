"""Which designations and ratings a real drawing's pages yield, and which component each went to.

    QITECH=/work/shared/realdata/qitech_machine_schematics
    python -m benchmarks.realdata_labels $QITECH/*.pdf [--pages 3 4] \\
        [--detector template] [--json benchmarks/results/realdata-labels.json]

For each page (1-based numbers) the pipeline's stages run as `sld digitise` runs them: text (the
text layer, else rapidocr), the configured symbol detector, conductors, linking, assembly. The
script prints every component with its type, name, ratings and label lines, then the text lines
that hold a designation or a rating but went to no component ("read, not linked"). When the
detector cannot be loaded it says so and lists only what was read: the designations and ratings
on the page, so the text side can be checked before a detector exists.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from sld import stages
from sld.detections import Detections
from sld.pages.raster import open_source
from sld.pipeline import connect_page
from sld.settings import Settings
from sld.symbols.detectors import detector_for
from sld.text.ratings import parse_designation, parse_ratings


def text_entry(text: str, box: Any) -> dict[str, Any]:
    ratings = parse_ratings(text).model_dump()
    return {
        "text": text,
        "bbox": [round(float(v), 1) for v in box],
        "designation": parse_designation(text),
        "ratings": ratings,
    }


def is_label(entry: dict[str, Any]) -> bool:
    return bool(entry["designation"] or entry["ratings"])


def digitise_page(pdf: Path, index: int, settings: Settings, detect: bool) -> dict[str, Any]:
    source = open_source(pdf)
    page = stages.rasterise(source, index, settings)
    started = time.perf_counter()
    texts: Detections = stages.read_text(page, settings)
    report: dict[str, Any] = {
        "page": index + 1,
        "text_seconds": round(time.perf_counter() - started, 2),
        "texts": [text_entry(str(label), box) for box, _, label in texts],
    }
    if not detect:
        return report
    symbols = stages.merge(stages.detect(page, texts, settings), settings)
    result = connect_page(page, symbols, texts, settings).result
    report["components"] = [
        {
            "id": component.id,
            "type": component.type,
            "name": component.name,
            "ratings": component.ratings.model_dump(),
            "labels": [text.text for text in result.texts if text.component_id == component.id],
        }
        for component in result.components
    ]
    report["unlinked_labels"] = [
        text_entry(text.text, text.bbox)
        for text in result.texts
        if text.component_id is None and is_label(text_entry(text.text, text.bbox))
    ]
    return report


def show(pdf: Path, report: dict[str, Any]) -> None:
    print(f"\n== {pdf.name}, page {report['page']} (text read in {report['text_seconds']} s)")
    if "components" in report:
        for component in report["components"]:
            print(
                f"  {component['id']:8s} {component['type']:18s} name={component['name']!s:8s}"
                f" ratings={component['ratings']}  labels={component['labels']}"
            )
        print("  read, not linked:", [entry["text"] for entry in report["unlinked_labels"]])
    else:
        print("  designations read:", [e["text"] for e in report["texts"] if e["designation"]])
        print("  ratings read:", [e["text"] for e in report["texts"] if e["ratings"]])
        print("  all text:", [e["text"] for e in report["texts"]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdfs", type=Path, nargs="+")
    parser.add_argument("--pages", type=int, nargs="*", help="1-based pages (default: all)")
    parser.add_argument("--detector", help="symbol detector (default: SLD_DETECTOR / settings)")
    parser.add_argument("--json", type=Path, help="also write the reports here")
    args = parser.parse_args()
    settings = Settings(**({"detector": args.detector} if args.detector else {}))
    try:
        detector_for(settings)
        detect = True
    except (ImportError, ValueError, OSError) as error:
        print(f"Detector {settings.detector!r} not available ({error}); listing text only.")
        detect = False
    reports = []
    for pdf in args.pdfs:
        count = open_source(pdf).page_count
        pages = [page - 1 for page in args.pages] if args.pages else list(range(count))
        for index in pages:
            report = digitise_page(pdf, index, settings, detect)
            show(pdf, report)
            reports.append({"file": str(pdf), **report})
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(reports, indent=1, ensure_ascii=False) + "\n", "utf-8")
        print(f"Wrote {args.json}")


if __name__ == "__main__":
    main()

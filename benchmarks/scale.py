"""Scale invariance: the same sheet drawn larger or smaller gives the same components.

    python -m benchmarks.scale [--seed 2001] [--count 3] [--factors 0.5 1 2 5 10]
        [--work out/bench-scale] [--json benchmarks/results/scale.json]

Synthetic vector sheets (an evaluation seed) are redrawn at each factor
(`benchmarks/harness/scaled.py`: the page placed as a form, scaled, so paths and text scale
together) and digitised with the default settings. Each result is compared with the result at
factor 1, its boxes scaled back: components of the same type at IoU 0.5 agree (F1), and with
the ground truth (detection F1 of the six core types), with seconds per sheet and the page
width (the pixel cap, `SLD_MAX_PAGE_PIXELS`, renders the largest sheets at a lower DPI and
says so in a warning).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from benchmarks.harness.scaled import scale_pdf
from sld.document import CORE_TYPES, Document
from sld.evaluate import match_pairs
from sld.geometry import as_boxes, iou_matrix
from sld.pipeline import digitise_file
from sld.settings import Settings
from sld.synth import generate_set

RESULTS = Path(__file__).parent / "results"


def match_boxes(
    mine: list[list[float]], theirs: list[tuple[float, float, float, float]], iou: float
) -> list[tuple[int, int]]:
    """One-to-one pairs of boxes at `iou` or more."""
    if not mine or not theirs:
        return []
    overlap = iou_matrix(as_boxes(mine), as_boxes(theirs))
    return match_pairs(overlap >= iou, overlap)


def agreement(found: Document, reference: Document, factor: float) -> tuple[int, int, int]:
    """(agreeing, only in `found`, only in `reference`): same type at IoU 0.5, boxes of
    `found` divided by `factor`."""
    agree = only_found = only_reference = 0
    for page, other in zip(found.pages, reference.pages, strict=True):
        for kind in {c.type for c in page.components} | {c.type for c in other.components}:
            mine = [[v / factor for v in c.bbox] for c in page.components if c.type == kind]
            theirs = [c.bbox for c in other.components if c.type == kind]
            matched = len(match_boxes(mine, theirs, 0.5))
            agree += matched
            only_found += len(mine) - matched
            only_reference += len(theirs) - matched
    return agree, only_found, only_reference


def core_f1(found: Document, truth: Document, factor: float) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) of the six core types."""
    tp = fp = fn = 0
    for page, other in zip(found.pages, truth.pages, strict=True):
        for kind in CORE_TYPES:
            mine = [[v / factor for v in c.bbox] for c in page.components if c.type == kind]
            theirs = [c.bbox for c in other.components if c.type == kind]
            matched = len(match_boxes(mine, theirs, 0.5))
            tp, fp, fn = tp + matched, fp + len(mine) - matched, fn + len(theirs) - matched
    return tp, fp, fn


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / max(1, 2 * tp + fp + fn)


def run(args: argparse.Namespace) -> dict[str, Any]:
    sheets = generate_set(args.work / "sheets", args.count, args.seed, scans=False)
    factors = sorted(set(args.factors) | {1.0})
    results: dict[float, list[Document]] = {}
    rows: dict[str, Any] = {}
    for factor in factors:
        settings = Settings(
            database_url=f"sqlite:///{args.work / 'bench.db'}",
            output_dir=args.work / f"x{factor:g}",
        )
        documents, seconds, widths = [], [], []
        for sheet in sheets:
            drawing = scale_pdf(sheet, factor, args.work / f"{sheet.stem}-x{factor:g}.pdf")
            started = time.perf_counter()
            digitised = digitise_file(drawing, settings)
            seconds.append(time.perf_counter() - started)
            documents.append(digitised.document)
            widths += [page.width for page in digitised.document.pages]
        results[factor] = documents
        rows[f"{factor:g}"] = {"seconds_per_sheet": seconds, "page_width_pt": widths}
    truths = [Document.read(sheet.with_suffix(".json")) for sheet in sheets]
    print(f"{'factor':>6} {'width pt':>8} {'s/sheet':>8} {'agree F1':>9} {'core F1':>8} components")
    for factor in factors:
        same = [agreement(d, r, factor) for d, r in zip(results[factor], results[1.0], strict=True)]
        agree = tuple(sum(values) for values in zip(*same, strict=True))
        cores = [core_f1(d, t, factor) for d, t in zip(results[factor], truths, strict=True)]
        core = tuple(sum(values) for values in zip(*cores, strict=True))
        row = rows[f"{factor:g}"]
        row.update(
            agreement_f1=round(f1(*agree), 3),
            core_f1=round(f1(*core), 3),
            components=sum(len(p.components) for d in results[factor] for p in d.pages),
        )
        print(
            f"{factor:>6g} {max(row['page_width_pt']):>8.0f} "
            f"{sum(row['seconds_per_sheet']) / len(sheets):>8.2f} "
            f"{row['agreement_f1']:>9.3f} {row['core_f1']:>8.3f} {row['components']}"
        )
    return {"seed": args.seed, "count": args.count, "factors": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2001)
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--factors", type=float, nargs="+", default=[0.5, 1, 2, 5, 10])
    parser.add_argument("--work", type=Path, default=Path("out/bench-scale"))
    parser.add_argument("--json", type=Path, default=RESULTS / "scale.json")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    result = run(args)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()

"""One-shot: drop a drawing style from the library, show one symbol per type, find the rest.

Usage: python -m benchmarks.oneshot [--styles ansi iec] [--seed 3000]
           [--sheets 10] [--work out/bench-oneshot] [--out benchmarks/results]

For each style: the built-in library is copied without that style's exemplars; synthetic
sheets of that style are generated (vector, seed 3000 for ANSI and 3001 for IEC: apart from
calibration and evaluation); on the first sheet that shows all six core types, the first
symbol of each type (in the ground truth's order) is cut out with the real command,
`sld symbols add TYPE --from SHEET --page 1 --bbox ...`, into a user library; then the detector
(reduced library + those six exemplars) runs on the next `--sheets` sheets and is scored with
`sld.evaluate` (IoU >= 0.5, six core types). The same sheets are also scored without the six
exemplars, to show what they add. Text comes from the PDF text layer, as in `sld digitise`.

`--house N` generates the sheets in one house style (each symbol type drawn one way throughout,
as in one office's drawing set); without it each symbol picks its own drawing, so a sheet can
hold a type drawn two unrelated ways, which one exemplar cannot cover.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from sld.document import Component, Document

STYLE_SEEDS = {"ansi": 3000, "iec": 3001}


def reduced_library(style: str, folder: Path) -> Path:
    """The built-in library less the exemplars drawn in `style`."""
    from sld.symbols.library import BUILTIN_LIBRARY, ExemplarInfo

    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(BUILTIN_LIBRARY, folder)
    for meta in folder.glob("*/*.json"):
        info = ExemplarInfo.model_validate_json(meta.read_text())
        if info.standard == style:
            (meta.parent / info.image).unlink()
            meta.unlink()
    return folder


def detect_folder(pdfs: list[Path], pred_dir: Path, builtin: Path, user: Path | None) -> None:
    from sld import stages
    from sld.document import Document, Source
    from sld.pages.raster import load_page, open_source
    from sld.settings import Settings

    settings = Settings(symbol_builtin_library=builtin, symbol_library=user)
    pred_dir.mkdir(parents=True, exist_ok=True)
    for pdf in pdfs:
        source = open_source(pdf)
        pages = []
        for index in range(source.page_count):
            page = load_page(source, index, settings)
            texts = stages.read_text(page, settings)
            symbols = stages.merge(stages.detect(page, texts, settings), settings)
            pages.append(stages.detection_page(page, symbols))
        Document(
            source=Source(path=str(pdf), sha256=source.sha256, page_count=source.page_count),
            pages=pages,
        ).write(pred_dir / f"{pdf.stem}.json")


def choose_exemplars(
    protocol: str,
    sheet: Path,
    truth: Document,
    variants: dict[str, str | None],
    builtin: Path,
    work: Path,
) -> dict[str, Component]:
    """One component of each core type on the sheet to cut out.

    `first`: the first of each type in the ground truth's order. `missed` (what a user does):
    run the reduced library on the sheet, and for each type show a symbol it missed, of the
    variant missed most often there (the first of each type if none was missed).
    """
    from collections import Counter

    from sld.document import CORE_TYPES, Document
    from sld.geometry import as_boxes, iou_matrix

    components = truth.pages[0].components
    if protocol == "first":
        return {k: next(c for c in components if c.type == k) for k in CORE_TYPES}
    probe = work / "probe"
    if probe.exists():
        shutil.rmtree(probe)
    detect_folder([sheet], probe, builtin, None)
    found = Document.model_validate_json((probe / f"{sheet.stem}.json").read_text()).pages[0]
    chosen = {}
    if protocol == "variants":
        for component in components:
            key = f"{component.type}:{variants.get(component.id)}"
            if component.type in CORE_TYPES and key not in chosen:
                chosen[key] = component
        return chosen
    for kind in CORE_TYPES:
        mine = [c for c in components if c.type == kind]
        boxes = as_boxes([c.bbox for c in found.components if c.type == kind])
        missed = [
            c for c in mine if not len(boxes) or iou_matrix(as_boxes([c.bbox]), boxes).max() < 0.5
        ]
        if not missed:
            chosen[kind] = mine[0]
            continue
        common, _ = Counter(variants.get(c.id) for c in missed).most_common(1)[0]
        chosen[kind] = next(c for c in missed if variants.get(c.id) == common)
    return chosen


def recall_per_variant(pdfs: list[Path], pred_dir: Path) -> dict[str, dict[str, int]]:
    """For each drawn variant of the core types: how many were found (same type, IoU >= 0.5)."""
    from sld.document import CORE_TYPES, Document
    from sld.geometry import as_boxes, iou_matrix

    tally: dict[str, dict[str, int]] = {}
    for pdf in pdfs:
        graph = json.loads(pdf.with_name(f"{pdf.stem}.graph.json").read_text())
        variants = {n["id"]: n.get("variant") for n in graph["nodes"]}
        truth = Document.model_validate_json(pdf.with_suffix(".json").read_text()).pages[0]
        found = Document.model_validate_json((pred_dir / f"{pdf.stem}.json").read_text()).pages[0]
        for component in truth.components:
            if component.type not in CORE_TYPES:
                continue
            boxes = as_boxes([c.bbox for c in found.components if c.type == component.type])
            hit = bool(len(boxes)) and iou_matrix(as_boxes([component.bbox]), boxes).max() >= 0.5
            entry = tally.setdefault(str(variants.get(component.id)), {"found": 0, "total": 0})
            entry["total"] += 1
            entry["found"] += int(hit)
    return dict(sorted(tally.items()))


def run_style(style: str, args: argparse.Namespace) -> dict[str, object]:
    from sld.document import CORE_TYPES, Document
    from sld.evaluate import evaluate_folders
    from sld.synth import generate_set

    work = args.work / style
    seed = STYLE_SEEDS[style]
    sheets_dir = work / "sheets"
    pdfs = generate_set(
        sheets_dir, args.sheets + 6, seed, style=style, scans=False, house=args.house
    )
    truths = {p: Document.model_validate_json(p.with_suffix(".json").read_text()) for p in pdfs}
    crop_sheet = next(
        p for p in pdfs if set(CORE_TYPES) <= {c.type for c in truths[p].pages[0].components}
    )
    evaluated = [p for p in pdfs if p != crop_sheet][: args.sheets]

    builtin = reduced_library(style, work / "library")
    graph = json.loads(crop_sheet.with_name(f"{crop_sheet.stem}.graph.json").read_text())
    variants = {n["id"]: n.get("variant") for n in graph["nodes"]}
    chosen = choose_exemplars(
        args.protocol, crop_sheet, truths[crop_sheet], variants, builtin, work
    )
    user = work / "user"
    if user.exists():
        shutil.rmtree(user)
    env = {**os.environ, "SLD_SYMBOL_BUILTIN_LIBRARY": str(builtin), "PYTHONPATH": os.getcwd()}
    crops = {}
    for key, component in chosen.items():
        kind = component.type
        box = ",".join(f"{v:.2f}" for v in component.bbox)
        command = [
            sys.executable,
            "-m",
            "sld",
            "symbols",
            "add",
            kind,
            "--from",
            str(crop_sheet),
            "--page",
            "1",
            "--bbox",
            box,
            "--library",
            str(user),
            "--standard",
            style,
            "--name",
            f"oneshot-{key.replace(':', '-').replace('/', '-')}",
        ]
        subprocess.run(command, check=True, env=env, capture_output=True)
        crops[key] = {
            "bbox": component.bbox,
            "name": component.name,
            "variant": variants.get(component.id),
        }

    gt_dir = work / "truth"
    if gt_dir.exists():
        shutil.rmtree(gt_dir)
    gt_dir.mkdir(parents=True)
    for pdf in evaluated:
        shutil.copy(pdf.with_suffix(".json"), gt_dir / f"{pdf.stem}.json")
    result: dict[str, object] = {
        "style": style,
        "seed": seed,
        "house": args.house,
        "protocol": args.protocol,
        "crop_sheet": crop_sheet.name,
        "crops": crops,
        "evaluated": [p.name for p in evaluated],
    }
    for name, user_folder in (("with_one_shot", user), ("reduced_library_only", None)):
        pred_dir = work / f"pred-{name}"
        if pred_dir.exists():
            shutil.rmtree(pred_dir)
        detect_folder(evaluated, pred_dir, builtin, user_folder)
        report = evaluate_folders(gt_dir, pred_dir)
        total = report.total("all")
        result[name] = {
            "overall": total.core_detection.to_dict(),
            "per_type": {t: total.detection_of(t).to_dict() for t in CORE_TYPES},
            "confusion": total.to_dict()["confusion"],
        }
        result[name]["recall_per_variant"] = recall_per_variant(evaluated, pred_dir)  # type: ignore[index]
        overall = total.core_detection
        print(
            f"{style} {name}: core F1 {overall.f1:.3f} "
            f"(P {overall.precision:.3f}, R {overall.recall:.3f})"
        )
        print(
            "    recall per variant: "
            + ", ".join(
                f"{k} {v['found']}/{v['total']}"
                for k, v in result[name]["recall_per_variant"].items()  # type: ignore[index]
            )
        )
        for kind in CORE_TYPES:
            counts = total.detection_of(kind)
            f1 = "-" if counts.f1 is None else f"{counts.f1:.3f}"
            print(f"    {kind:18s} F1 {f1}  tp {counts.tp} fp {counts.fp} fn {counts.fn}")
    print(
        f"{style}: exemplars cut from {crop_sheet.name}: "
        + ", ".join(f"{k} ({v['variant']})" for k, v in crops.items())
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--styles", nargs="+", choices=sorted(STYLE_SEEDS), default=["ansi", "iec"])
    parser.add_argument("--sheets", type=int, default=10)
    parser.add_argument(
        "--protocol",
        choices=["missed", "first", "variants"],
        default="missed",
        help="which symbols to show: one per type that the reduced library missed (the target's "
        "protocol), the first of each type, or one per variant on the sheet (not one-shot)",
    )
    parser.add_argument(
        "--house",
        type=int,
        metavar="N",
        help="draw every sheet in house style N (each symbol type one way, as one drawing office "
        "does); default: each symbol picks its drawing, so one sheet mixes a type's variants",
    )
    parser.add_argument("--work", type=Path, default=Path("out/bench-oneshot"))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = parser.parse_args()
    results = [run_style(style, args) for style in args.styles]
    args.out.mkdir(parents=True, exist_ok=True)
    house = "" if args.house is None else f"-house{args.house}"
    path = args.out / f"oneshot-{args.protocol}{house}.json"
    path.write_text(json.dumps(results, indent=1) + "\n")
    print(f"written {path}")


if __name__ == "__main__":
    main()

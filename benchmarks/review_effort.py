"""Review effort on real drawings: corrections per 100 ground-truth items, before and after the
corrections of one drawing teach the symbol library (`sld corrections apply --learn`).

Usage: python -m benchmarks.review_effort [--data tests/realdata/qelectrotech]
           [--teach Habitat-Unifilaire-vector] [--work out/bench-review] [--out benchmarks/results]

1. Every drawing of the folder (`X.pdf` with `X.gt.json`) is digitised by the real pipeline with
   the built-in symbol library, and the fewest corrections that make each result equal to its
   ground truth are counted (`benchmarks/harness/review_effort.py`: delete, add, retype, move,
   relink, rename), per 100 ground-truth items (components and linked labels).
2. The corrections of the `--teach` drawing are written as the review page writes them and
   stored with `sld corrections apply --learn` into an empty user library, exactly as a person
   would; the connections of its corrected pages are derived again, and scored.
3. The drawings of the other projects (not the taught one's own scan or vector twin) are
   digitised again with that library, and counted again.

A drawing that fails to digitise is listed and left out of the sums.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path
from typing import Any

from benchmarks.harness.review_effort import Effort, corrections_to_truth
from sld.document import Document

DEFAULT_DATA = Path(__file__).resolve().parents[1] / "tests" / "realdata" / "qelectrotech"
#: Until the set is copied into tests/realdata/, it is read from the shared folder beside the
#: repository.
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "qelectrotech"


def project(stem: str) -> str:
    """`industrial-scan` and `industrial-vector` are one project."""
    return stem.removesuffix("-scan").removesuffix("-vector")


def digitise_all(
    drawings: list[Path], work: Path, library: Path | None
) -> tuple[dict[str, Document], dict[str, str], dict[str, float]]:
    """Each drawing's result (by stem), the failures, and the seconds per drawing."""
    from sld.pipeline import digitise_file
    from sld.settings import load_settings

    settings = load_settings(
        output_dir=work / "out",
        database_url=f"sqlite:///{work / 'sld.db'}",
        symbol_library=library,
        report=False,
    )
    results: dict[str, Document] = {}
    failures: dict[str, str] = {}
    seconds: dict[str, float] = {}
    for drawing in drawings:
        started = time.perf_counter()
        try:
            results[drawing.stem] = digitise_file(drawing, settings).document
        except Exception as error:  # one drawing that crashes must not hide the others
            failures[drawing.stem] = f"{type(error).__name__}: {error}"
            print(f"  {drawing.name}: FAILED ({failures[drawing.stem][:120]})")
        seconds[drawing.stem] = time.perf_counter() - started
        if drawing.stem in results:
            print(f"  {drawing.name}: digitised in {seconds[drawing.stem]:.1f} s")
    return results, failures, seconds


def count(results: dict[str, Document], truths: dict[str, Document]) -> dict[str, Effort]:
    return {stem: corrections_to_truth(found, truths[stem])[1] for stem, found in results.items()}


def total(efforts: dict[str, Effort], stems: list[str]) -> Effort:
    summed = Effort()
    for stem in stems:
        if stem in efforts:
            summed = summed + efforts[stem]
    return summed


def show(title: str, efforts: dict[str, Effort], stems: list[str]) -> None:
    print(f"\n{title}")
    print(
        f"{'drawing':<30}{'items':>7}{'fixes':>7}{'/100':>7}  "
        + " ".join(f"{a:>7}" for a in ("delete", "add", "retype", "move", "relink", "rename"))
        + f"{'unread':>8}"
    )
    for stem in [*stems, "total"]:
        effort = total(efforts, stems) if stem == "total" else efforts.get(stem)
        if effort is None:
            print(f"{stem:<30}{'failed':>7}")
            continue
        per_100 = "-" if effort.per_100 is None else f"{effort.per_100:.1f}"
        actions = " ".join(
            f"{effort.corrections[a]:>7}"
            for a in ("delete", "add", "retype", "move", "relink", "rename")
        )
        print(
            f"{stem:<30}{effort.items:>7}{effort.total:>7}{per_100:>7}  {actions}{effort.unread:>8}"
        )


def teach(
    stem: str, drawing: Path, found: Document, truth: Document, work: Path, library: Path
) -> dict[str, Any]:
    """Store the corrections of one drawing with `sld corrections apply --learn`."""
    from sld.cli.main import main as sld
    from sld.evaluate import evaluate_document

    file, effort = corrections_to_truth(found, truth, reviewer="review-effort benchmark")
    path = work / f"{stem}.corrections.json"
    file.write(path)
    arguments = ["corrections", "apply", str(path), "--learn", "--library", str(library)]
    arguments += ["--db", f"sqlite:///{work / 'sld.db'}", "--source", str(drawing)]
    started = time.perf_counter()
    code = sld(arguments)
    seconds = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"sld corrections apply failed on {path} (exit {code})")
    # The command rewrites the result the database records, where `digitise_all` wrote it.
    corrected = Document.read(work / "out" / f"{drawing.stem}.json")
    scores = evaluate_document(truth, corrected)
    exemplars = sorted(str(p.relative_to(library)) for p in library.glob("*/*.json"))
    return {
        "drawing": stem,
        "corrections": effort.total,
        "exemplars_learned": exemplars,
        "apply_seconds": round(seconds, 2),
        "after_corrections": {
            "detection_f1": scores.core_detection.f1,
            "links_accuracy": scores.links_over_all.value,
            "names_accuracy": scores.names.value,
            "connection_f1_derived_again": scores.connections.f1,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="folder of X.pdf + X.gt.json")
    parser.add_argument("--teach", default="Habitat-Unifilaire-vector", help="drawing to teach")
    parser.add_argument("--work", type=Path, default=Path("out/bench-review"))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = parser.parse_args()
    data = args.data or (DEFAULT_DATA if DEFAULT_DATA.is_dir() else SHARED_DATA)
    drawings = sorted(p for p in data.glob("*.pdf") if (data / f"{p.stem}.gt.json").exists())
    if not drawings:
        raise SystemExit(f"{data}: no X.pdf with X.gt.json; give the folder with --data")
    truths = {p.stem: Document.read(data / f"{p.stem}.gt.json") for p in drawings}
    if args.teach not in truths:
        raise SystemExit(f"--teach {args.teach}: not one of {', '.join(truths)}")
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    stems = [p.stem for p in drawings]
    others = [s for s in stems if project(s) != project(args.teach)]

    print(f"1. digitising {len(drawings)} drawings of {data} with the built-in library")
    before_results, before_failed, before_seconds = digitise_all(
        drawings, args.work / "before", None
    )
    before = count(before_results, truths)
    show("Before: corrections per drawing", before, stems)

    library = args.work / "learned-symbols"
    library.mkdir()
    print(f"\n2. applying the corrections of {args.teach} with --learn into {library}")
    taught = teach(
        args.teach,
        data / f"{args.teach}.pdf",
        before_results[args.teach],
        truths[args.teach],
        args.work / "before",
        library,
    )
    print(json.dumps(taught, indent=1))

    print(f"\n3. digitising the {len(others)} drawings of the other projects with what was learned")
    after_results, after_failed, after_seconds = digitise_all(
        [data / f"{s}.pdf" for s in others], args.work / "after", library
    )
    after = count(after_results, truths)
    # Compared on the drawings that digitised both times.
    compared = [s for s in others if s in before and s in after]
    show("Before, other projects", before, compared)
    show("After learning from " + args.teach + ", other projects", after, compared)

    report = {
        "data": str(data),
        "note": "the detector of the line drawing (tight boxes, the `symbol` type)",
        "before": {s: e.to_dict() for s, e in before.items()},
        "before_total": total(before, stems).to_dict(),
        "compared": compared,
        "before_other_projects": total(before, compared).to_dict(),
        "taught": taught,
        "after": {s: e.to_dict() for s, e in after.items()},
        "after_other_projects": total(after, compared).to_dict(),
        "failed": {"before": before_failed, "after": after_failed},
        "seconds": {"before": before_seconds, "after": after_seconds},
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "review_effort.json"
    path.write_text(json.dumps(report, indent=1) + "\n")
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()

"""The review page of an A3 sheet: its size, and how long headless Chromium takes to open it.

Usage: python -m benchmarks.report_load [--seed 9300] [--repeats 7] [--drawing FILE ...]
           [--work out/bench-report] [--out benchmarks/results]

Digitises one synthetic A3 sheet and its scan (`sld synth`, seed 9000 and up: data nothing was
tuned on) and any `--drawing` given, with the review page written beside each result as
`sld digitise` writes it. Each page is opened `--repeats` times in a fresh tab of headless
Chromium from its file:// URL; the time is the page's own, from navigation start until its
script has drawn everything and decoded the image (`window.sldReport.loadedMs`). Prints the
median and the largest, and the size per page; targets: under 1 s and 5 MB for an A3 page.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

#: A3 landscape in points.
A3 = (1190.55, 841.89)


def a3_sheet_and_scan(folder: Path, seed: int) -> list[Path]:
    """The first A3 sheet `sld synth` makes from `seed` on, and its scan."""
    from sld.document import Document
    from sld.synth import generate_set

    for number in range(seed, seed + 50):
        sheet = generate_set(folder, count=1, seed=number)[0]
        page = Document.read(sheet.with_suffix(".json")).pages[0]
        if abs(page.width - A3[0]) < 2 and abs(page.height - A3[1]) < 2:
            return [sheet, sheet.with_name(f"{sheet.stem}-scan.pdf")]
    raise SystemExit(f"no A3 sheet among seeds {seed}-{seed + 49}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=9300)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--drawing", type=Path, action="append", default=[])
    parser.add_argument("--work", type=Path, default=Path("out/bench-report"))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = parser.parse_args()

    from benchmarks.harness import browser
    from sld.pipeline import digitise_file
    from sld.review.report import write_report_beside
    from sld.settings import load_settings

    drawings = [*a3_sheet_and_scan(args.work / "data", args.seed), *args.drawing]
    settings = load_settings(
        output_dir=args.work / "out", database_url=f"sqlite:///{args.work / 'sld.db'}"
    )
    rows = []
    with browser.chromium() as session:
        for drawing in drawings:
            digitised = digitise_file(drawing, settings)
            page = write_report_beside(digitised.document, digitised.json_path, settings, drawing)
            if page is None:
                raise SystemExit(f"{drawing}: no review page was written")
            times = [browser.open_report(session, page) for _ in range(args.repeats)]
            errors = browser.console_errors(session)
            document = digitised.document
            pages = len(document.pages)
            row = {
                "drawing": drawing.name,
                "pages": pages,
                "page_size_pt": [round(document.pages[0].width), round(document.pages[0].height)],
                "components": sum(len(p.components) for p in document.pages),
                "texts": sum(len(p.texts) for p in document.pages),
                "bytes": page.stat().st_size,
                "mb_per_page": round(page.stat().st_size / 1e6 / pages, 2),
                "load_ms_median": round(statistics.median(times)),
                "load_ms_max": round(max(times)),
                "console_errors": errors,
            }
            rows.append(row)
            print(
                f"{drawing.name}: {pages} page(s) {row['page_size_pt']} pt, "
                f"{row['components']} components, {row['texts']} texts; "
                f"{row['mb_per_page']} MB per page; opens in {row['load_ms_median']} ms median "
                f"({row['load_ms_max']} max, {args.repeats} runs); console errors: {len(errors)}"
            )
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "report_load.json"
    path.write_text(json.dumps(rows, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()

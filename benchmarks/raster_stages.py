"""Time the page-loading stages (render, text layer, vectors, label lines) on A3 sheets.

Usage: python -m benchmarks.raster_stages [PDF ...] [--dpi 200] [--out FILE]

Without PDFs it draws two A3 landscape sheets with reportlab: a light one (a few hundred
segments and labels) and a heavy one (about 20,000 segments, 2,000 labels), and times those.
Prints one line per sheet and writes the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

A3_LANDSCAPE = (1190.55, 841.89)


def draw_sheet(path: Path, segments: int, labels: int, seed: int = 1) -> None:
    """An A3 sheet of random strokes, circles and labels, a stand-in for a drawing's load."""
    from reportlab.pdfgen import canvas

    rng = random.Random(seed)
    width, height = A3_LANDSCAPE
    sheet = canvas.Canvas(str(path), pagesize=A3_LANDSCAPE)
    sheet.setLineWidth(0.7)
    for _ in range(segments // 20):
        x, y = rng.uniform(20, width - 60), rng.uniform(20, height - 60)
        for _ in range(16):
            nx = min(max(x + rng.choice([-1, 1]) * rng.uniform(5, 40), 10), width - 10)
            sheet.line(x, y, nx, y)
            x = nx
        sheet.circle(x, y, rng.uniform(3, 12))
    sheet.setFont("Helvetica", 7)
    for index in range(labels):
        x, y = rng.uniform(20, width - 80), rng.uniform(20, height - 20)
        if index % 5 == 0:
            sheet.saveState()
            sheet.translate(x, y)
            sheet.rotate(90)
            sheet.drawString(0, 0, f"CB-{index} 1600A")
            sheet.restoreState()
        else:
            sheet.drawString(x, y, f"T{index} 500KVA 13.8kV-480V")
    sheet.showPage()
    sheet.save()


def best_of(repeats: int, work: Callable[[], object]) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return min(times), result


def time_stages(path: Path, dpi: int, repeats: int) -> dict[str, object]:
    import pypdfium2 as pdfium

    from sld.pages.display import display_matrix, displayed_size
    from sld.pages.raster import capped_dpi, render_pdf_page
    from sld.pages.text_layer import read_words
    from sld.pages.vector_paths import read_vectors
    from sld.settings import Settings
    from sld.text.engines.pdf_text import group_lines

    document = pdfium.PdfDocument(path)
    page = document[0]
    rotation, box = page.get_rotation(), page.get_bbox()
    size = displayed_size(box, rotation)
    to_display = display_matrix(box, rotation)
    used_dpi = capped_dpi(*size, dpi, Settings().max_page_pixels)
    text_s, words = best_of(repeats, lambda: read_words(page, to_display, rotation))
    lines_s, lines = best_of(repeats, lambda: group_lines(words))  # type: ignore[arg-type]
    vector_s, vector = best_of(repeats, lambda: read_vectors(page, to_display, size))
    render_s, image = best_of(repeats, lambda: render_pdf_page(path, 0, used_dpi))
    page.close()
    document.close()
    return {
        "file": path.name,
        "dpi": used_dpi,
        "pixels": list(image.shape[::-1]),  # type: ignore[attr-defined]
        "words": len(words),  # type: ignore[arg-type]
        "segments": 0 if vector is None else len(vector.segments),  # type: ignore[attr-defined]
        "render_s": round(render_s, 4),
        "text_s": round(text_s, 4),
        "vectors_s": round(vector_s, 4),
        "lines": len(lines),  # type: ignore[arg-type]
        "lines_s": round(lines_s, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdfs", nargs="*", type=Path)
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/raster_stages.json"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        pdfs = list(args.pdfs)
        if not pdfs:
            for name, segments, labels in (("light", 400, 60), ("heavy", 20_000, 2_000)):
                pdfs.append(Path(folder) / f"a3-{name}.pdf")
                draw_sheet(pdfs[-1], segments, labels)
        rows = [time_stages(pdf, args.dpi, args.repeats) for pdf in pdfs]
    for row in rows:
        print(
            f"{row['file']}: {row['pixels']} px at {row['dpi']} dpi, "
            f"render {row['render_s']} s, text {row['text_s']} s ({row['words']} words), "
            f"vectors {row['vectors_s']} s ({row['segments']} segments), "
            f"label lines {row['lines_s']} s ({row['lines']})"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "machine": platform.platform(),
        "python": platform.python_version(),
        "repeats": args.repeats,
        # Other work on the machine slows every stage; read the figures with this in mind.
        "load_average_1min": round(os.getloadavg()[0], 2),
        "sheets": rows,
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()

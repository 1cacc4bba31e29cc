"""Run the detection stage on real drawings and draw what it found over each page.

Usage: python -m benchmarks.realdata [FILE ...] [--texts pipeline|none]
           [--out benchmarks/results/realdata] [--pages N]

Without files it takes the drawings of `tests/realdata` (pandapower PNGs, qitech PDFs).
Each page is read as `sld digitise` reads it (OCR where there is no text layer, unless
`--texts none`), the symbols are detected, and an overlay PNG is written: symbols in colour by
type with their scores, text boxes in grey. Prints the counts per page and writes a JSON
summary. There is no box-level ground truth for these drawings: look at the overlays.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

REALDATA = Path(__file__).resolve().parents[1] / "tests" / "realdata"
COLOURS = {  # BGR
    "transformer": (0, 140, 255),
    "circuit_breaker": (0, 0, 230),
    "disconnect_switch": (200, 0, 200),
    "fuse": (0, 170, 0),
    "motor": (230, 0, 0),
    "generator": (160, 120, 0),
}
OTHER = (120, 120, 120)


def default_inputs() -> list[Path]:
    images = sorted((REALDATA / "pandapower" / "images").glob("*"))
    pdfs = sorted((REALDATA / "qitech_machine_schematics").glob("*.pdf"))
    return [*images, *pdfs]


def overlay(grey: np.ndarray, symbols: object, texts: object, scale: float) -> np.ndarray:
    canvas = cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
    canvas = (canvas * 0.6 + 100).astype(np.uint8)
    for box in texts.boxes:  # type: ignore[attr-defined]
        x0, y0, x1, y1 = (round(v * scale) for v in box)
        cv2.rectangle(canvas, (x0, y0), (x1, y1), (190, 190, 190), 1)
    for box, score, label in symbols:  # type: ignore[attr-defined]
        colour = COLOURS.get(label, OTHER)
        x0, y0, x1, y1 = (round(v * scale) for v in box)
        cv2.rectangle(canvas, (x0, y0), (x1, y1), colour, 2)
        cv2.putText(
            canvas,
            f"{label[:10]} {score:.2f}",
            (x0, max(10, y0 - 3)),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.4,
            colour,
            1,
            cv2.LINE_AA,
        )
    return canvas


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--texts", choices=["pipeline", "none"], default="pipeline")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/realdata"))
    parser.add_argument("--pages", type=int, default=20, help="at most this many pages a file")
    args = parser.parse_args()

    from sld import stages
    from sld.detections import Detections
    from sld.pages.raster import load_page, open_source
    from sld.settings import Settings

    settings = Settings()
    args.out.mkdir(parents=True, exist_ok=True)
    summary = []
    for path in args.files or default_inputs():
        source = open_source(path)
        for index in range(min(source.page_count, args.pages)):
            page = load_page(source, index, settings)
            texts = stages.read_text(page, settings) if args.texts == "pipeline" else Detections()
            started = time.perf_counter()
            symbols = stages.merge(stages.detect(page, texts, settings), settings)
            seconds = time.perf_counter() - started
            counts = Counter(str(label) for label in symbols.labels)
            name = f"{path.stem}-p{index + 1}.png"
            cv2.imwrite(str(args.out / name), overlay(page.image, symbols, texts, page.scale))
            print(
                f"{name}: {page.image.shape[1]}x{page.image.shape[0]} px at {page.dpi:g} dpi, "
                f"{len(texts)} texts, {dict(counts)} in {seconds:.2f} s"
            )
            summary.append(
                {
                    "file": str(path),
                    "page": index + 1,
                    "dpi": page.dpi,
                    "texts": len(texts),
                    "symbols": dict(counts),
                    "seconds": seconds,
                    "found": [
                        {
                            "type": str(label),
                            "score": round(float(score), 3),
                            "bbox": [round(float(v), 1) for v in box],
                        }
                        for box, score, label in symbols
                    ],
                }
            )
    (args.out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")


if __name__ == "__main__":
    main()

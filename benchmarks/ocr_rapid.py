"""Speed and accuracy of the `rapidocr` reader on a rendered A3 one-line sheet at 200 dpi.

The sheet (drawn with reportlab) holds 42 labels of 6-9 pt beside symbols and wires, one in five
vertical, plus a title block. A label counts as read when a reading with exactly its text has its
box centre inside the label's box. Writes a JSON result; `--pdf` reads a page of any PDF instead
and prints what was read.

    python -m benchmarks.ocr_rapid --repeats 5 --out benchmarks/results/ocr_rapid.json
    python -m benchmarks.ocr_rapid --pdf drawing.pdf --page 3
    python -m benchmarks.ocr_rapid --sweep --out benchmarks/results/ocr_sweep.json

`--sweep` measures the tuning grid behind the reader's defaults: tile size and overlap, then
detection resolution and box threshold on two label sizes.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from tempfile import TemporaryDirectory

import numpy as np
from pdf2image import convert_from_path
from reportlab.lib.pagesizes import A3, landscape
from reportlab.pdfgen import canvas

from sld.detections import Detections
from sld.pages.page import PageImage
from sld.settings import Settings
from sld.text.engines.rapid import (
    DETECTION_BOX_THRESHOLD,
    DETECTION_DPI,
    DETECTION_PIXEL_THRESHOLD,
    DETECTION_UNCLIP_RATIO,
    RapidTextReader,
)

LABELS = (
    "500KVA", "CB-3", "13.8kV-480Y/277V", "T1", "1600A", "100AF/80AT", "M1", "75HP", "480V",
    "3PH", "60Hz", "Z=5.75%", "TX-1", "2.5MVA", "52-1", "89-1", "Q1", "-Q1", "F4", "FU-2", "DS-1",
    "SW-1", "G1", "GEN-1", "750kW", "4.16KV", "13800/480V", "208Y/120V", "30A", "42kAIC", "MTR-3",
    "2000A BUS", "C2A", "C6A", "-F1", "=A1-Q1", "120/240V", "4P", "7.5HP", "K1", "34.5kV", "5.75%Z",
)  # fmt: skip


@dataclass(frozen=True)
class Label:
    text: str
    #: [x0, y0, x1, y1] in points, top-left origin.
    bbox: tuple[float, float, float, float]
    vertical: bool


def build_label_sheet(
    path: Path,
    labels: tuple[str, ...] = LABELS,
    font_sizes: tuple[float, ...] = (6, 7, 8, 9),
    seed: int = 0,
) -> list[Label]:
    """Draw an SLD-like A3 sheet: a bus, feeders with symbols, a label beside each symbol."""
    rng = random.Random(seed)
    width, height = landscape(A3)
    sheet = canvas.Canvas(str(path), pagesize=(width, height))
    sheet.setLineWidth(0.7)
    sheet.rect(20, 20, width - 40, height - 40)
    sheet.rect(width - 320, 20, 300, 80)
    sheet.setFont("Helvetica", 9)
    sheet.drawString(width - 310, 80, "SINGLE LINE DIAGRAM")
    sheet.drawString(width - 310, 60, "DWG E-101  REV 3")
    sheet.setLineWidth(2.5)
    sheet.line(80, 200, width - 80, 200)
    sheet.setLineWidth(0.7)
    truth: list[Label] = []
    for index, text in enumerate(labels):
        column, row = index % 10, index // 10
        x, y = 90 + column * 105, 230 + row * 110  # reportlab: y upwards
        sheet.line(x, 200, x, y + 120)
        if index % 3 == 0:
            sheet.circle(x, y + 40, 14)
        elif index % 3 == 1:
            sheet.rect(x - 10, y + 30, 20, 20)
        else:
            sheet.circle(x, y + 30, 10)
            sheet.circle(x, y + 44, 10)
        size = rng.choice(font_sizes)
        sheet.setFont("Helvetica", size)
        text_width = sheet.stringWidth(text, "Helvetica", size)
        box: tuple[float, float, float, float]
        if index % 10 == 4:  # vertical, reading upwards, left of the feeder
            sheet.saveState()
            sheet.translate(x - 6, y + 60)
            sheet.rotate(90)
            sheet.drawString(0, 0, text)
            sheet.restoreState()
            box = (x - 6 - size, height - (y + 60 + text_width), x - 6 + 2, height - (y + 60))
            truth.append(Label(text, box, vertical=True))
        elif index % 10 == 9:  # vertical, reading downwards, right of the feeder
            sheet.saveState()
            sheet.translate(x + 6, y + 60 + text_width)
            sheet.rotate(-90)
            sheet.drawString(0, 0, text)
            sheet.restoreState()
            box = (x + 6 - 2, height - (y + 60 + text_width), x + 6 + size, height - (y + 60))
            truth.append(Label(text, box, vertical=True))
        else:
            sheet.drawString(x + 16, y + 36, text)
            box = (x + 16, height - (y + 36 + size), x + 16 + text_width, height - (y + 36) + 2)
            truth.append(Label(text, box, vertical=False))
    sheet.showPage()
    sheet.save()
    return truth


def render_page(pdf: Path, index: int, dpi: int) -> PageImage:
    """A grey page raster as the pipeline sees it (no text layer: OCR must read everything)."""
    image = convert_from_path(
        str(pdf), dpi=dpi, grayscale=True, first_page=index + 1, last_page=index + 1
    )[0]
    pixels = np.asarray(image, dtype=np.uint8)
    return PageImage(
        source=str(pdf),
        index=index,
        width_pt=pixels.shape[1] * 72.0 / dpi,
        height_pt=pixels.shape[0] * 72.0 / dpi,
        dpi=float(dpi),
        image=pixels,
    )


def labels_read_exactly(lines: Detections, truth: list[Label]) -> list[Label]:
    """The labels for which a reading with exactly their text lies on them."""
    centre_x = (lines.boxes[:, 0] + lines.boxes[:, 2]) / 2
    centre_y = (lines.boxes[:, 1] + lines.boxes[:, 3]) / 2
    read: list[Label] = []
    for label in truth:
        x0, y0, x1, y1 = label.bbox
        inside = (centre_x >= x0) & (centre_x <= x1) & (centre_y >= y0) & (centre_y <= y1)
        if any(str(text) == label.text for text in lines.labels[inside]):
            read.append(label)
    return read


def reader_from(args: argparse.Namespace) -> RapidTextReader:
    """The reader with the tile and detector settings given on the command line."""
    return RapidTextReader(
        tile_size=args.tile_size,
        tile_overlap=args.tile_overlap,
        detection_dpi=args.detection_dpi,
        box_threshold=args.box_threshold,
        pixel_threshold=args.pixel_threshold,
        unclip_ratio=args.unclip_ratio,
    )


def run_sheet(args: argparse.Namespace) -> dict[str, object]:
    reader = reader_from(args)
    with TemporaryDirectory() as folder:
        pdf = Path(folder) / "sheet.pdf"
        truth = build_label_sheet(pdf, font_sizes=tuple(args.font_sizes))
        page = render_page(pdf, 0, args.dpi)
    started = time.perf_counter()
    reader.read(page)  # the first run builds the ONNX sessions
    warm_up = time.perf_counter() - started
    seconds: list[float] = []
    cpu_seconds: list[float] = []
    for _ in range(args.repeats):
        started, cpu_started = time.perf_counter(), time.process_time()
        lines = reader.read(page)
        seconds.append(time.perf_counter() - started)
        cpu_seconds.append(time.process_time() - cpu_started)
    read = labels_read_exactly(lines, truth)
    missed = [label for label in truth if label not in read]
    known = {label.text for label in truth} | {"SINGLE LINE DIAGRAM", "DWG E-101 REV 3"}
    return {
        "page": f"A3 landscape, {args.dpi} dpi, {page.image.shape[1]}x{page.image.shape[0]} px, "
        f"labels of {'/'.join(f'{size:g}' for size in args.font_sizes)} pt",
        "settings": {
            "tile_size": args.tile_size,
            "tile_overlap": args.tile_overlap,
            "detection_dpi": args.detection_dpi,
            "box_threshold": args.box_threshold,
            "pixel_threshold": args.pixel_threshold,
            "unclip_ratio": args.unclip_ratio,
        },
        "first_run_s": round(warm_up, 3),
        "seconds": [round(value, 3) for value in seconds],
        "median_s": round(statistics.median(seconds), 3),
        # CPU time of this process: the work itself, whatever else the machine is running.
        "median_cpu_s": round(statistics.median(cpu_seconds), 3),
        "labels": len(truth),
        "read_exactly": len(read),
        "vertical_read_exactly": sum(label.vertical for label in read),
        "vertical_labels": sum(label.vertical for label in truth),
        "missed": [asdict(label) | {"near": _near(lines, label)} for label in missed],
        "extra_lines": sorted(str(text) for text in lines.labels if str(text) not in known),
        "lines": len(lines),
    }


def _near(lines: Detections, label: Label) -> list[str]:
    """What was read around a missed label, to see why."""
    x0, y0, x1, y1 = label.bbox
    boxes = lines.boxes
    hits = (boxes[:, 0] < x1) & (boxes[:, 2] > x0) & (boxes[:, 1] < y1) & (boxes[:, 3] > y0)
    return [str(text) for text in lines.labels[hits]]


def run_pdf(args: argparse.Namespace) -> dict[str, object]:
    reader = reader_from(args)
    page = render_page(Path(args.pdf), args.page, args.dpi)
    reader.read(page)
    started = time.perf_counter()
    lines = reader.read(page)
    elapsed = time.perf_counter() - started
    return {
        "page": page.where,
        "size_px": list(page.image.shape[::-1]),
        "seconds": round(elapsed, 3),
        "lines": [
            {"text": str(text), "score": round(score, 3), "bbox": [round(v, 1) for v in box]}
            for box, score, text in lines
        ],
    }


#: The tuning grid of `--sweep`: each entry varies some settings around the defaults.
SWEEP: tuple[dict[str, list[object]], ...] = (
    {"tile_size": [1024, 2048, 3072, 4096], "tile_overlap": [256, 512]},
    {
        "font_sizes": [[6, 7, 8, 9], [5, 5.5, 6]],
        "detection_dpi": [72, 96, 120, 144, 200],
        "box_threshold": [0.3, 0.5],
    },
)


def run_sweep(args: argparse.Namespace) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for grid in SWEEP:
        for values in itertools.product(*grid.values()):
            changed = dict(zip(grid, values, strict=True))
            result = run_sheet(argparse.Namespace(**(vars(args) | changed)))
            row = changed | {
                key: result[key] for key in ("read_exactly", "labels", "median_s", "median_cpu_s")
            }
            missed = result["missed"]
            assert isinstance(missed, list)
            row["missed"] = [label["text"] for label in missed]
            print(json.dumps(row), flush=True)
            rows.append(row)
    return rows


def main() -> None:
    defaults = Settings()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--tile-size", type=int, default=defaults.ocr_tile_size)
    parser.add_argument("--tile-overlap", type=int, default=defaults.ocr_tile_overlap)
    parser.add_argument("--detection-dpi", type=float, default=DETECTION_DPI)
    parser.add_argument("--box-threshold", type=float, default=DETECTION_BOX_THRESHOLD)
    parser.add_argument("--pixel-threshold", type=float, default=DETECTION_PIXEL_THRESHOLD)
    parser.add_argument("--unclip-ratio", type=float, default=DETECTION_UNCLIP_RATIO)
    parser.add_argument("--font-sizes", type=float, nargs="+", default=[6, 7, 8, 9])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--pdf", help="read this PDF instead of the generated sheet")
    parser.add_argument("--page", type=int, default=0, help="zero-based page of --pdf")
    parser.add_argument("--sweep", action="store_true", help="measure the tuning grid")
    parser.add_argument("--out", type=Path, help="also write the result here (JSON)")
    args = parser.parse_args()
    result: object
    if args.sweep:
        result = run_sweep(args)
    elif args.pdf:
        result = run_pdf(args)
    else:
        result = run_sheet(args)
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

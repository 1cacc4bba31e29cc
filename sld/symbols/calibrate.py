"""Choosing each type's score threshold on calibration drawings, never on evaluation ones.

Synthetic drawings with ground truth are generated from a calibration seed (vector PDFs and
their scans, both drawing standards), read and detected exactly as `sld digitise` does (text
layer or OCR, tiles, merge) but with every threshold at 0. For each type, the detections are
matched to the truth (IoU >= 0.5, best score first) and the threshold with the best F1 on these
drawings is kept: the middle of the run of thresholds that reach it, so that a small shift of
scores on other drawings does not fall off the edge. Types that calibration never saw keep the
default. The thresholds and how they were chosen are written to the library's
`thresholds.json`.

Seed ranges: calibration uses seed 1000 by default; the benchmarks evaluate on seeds 2000+ (see
`benchmarks/detection.py`). Keep them apart.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np

from sld.document import Document
from sld.geometry import as_boxes, iou_matrix
from sld.pages.raster import load_page, open_source
from sld.settings import Settings
from sld.symbols.library import save_thresholds, target_folder

#: Thresholds tried, from 0.50 to 1.00.
GRID = np.round(np.arange(0.50, 1.0001, 0.005), 3)


def detect_file(pdf: Path, settings: Settings) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per page: boxes (points), scores, labels of the symbols, as the pipeline finds them."""
    from sld.symbols.detectors import detect_page
    from sld.symbols.merge import merge_page
    from sld.text.engines import text_reader_for

    source = open_source(pdf)
    pages = []
    for index in range(source.page_count):
        page = load_page(source, index, settings)
        texts = text_reader_for(settings).read(page)
        symbols = merge_page(detect_page(page, texts, settings), settings)
        pages.append((symbols.boxes, symbols.scores, symbols.labels))
    return pages


def match_scores(
    truth_boxes: np.ndarray, boxes: np.ndarray, scores: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Greedy matching best score first at IoU >= 0.5: (score, is_true_positive) per
    detection."""
    order = np.argsort(-scores, kind="stable")
    taken = np.zeros(len(truth_boxes), dtype=bool)
    hit = np.zeros(len(boxes), dtype=bool)
    if len(truth_boxes) and len(boxes):
        overlaps = iou_matrix(as_boxes(boxes), as_boxes(truth_boxes))
        for index in order:
            free = np.where(taken, -1.0, overlaps[index])
            best = int(np.argmax(free))
            if free[best] >= 0.5:
                taken[best] = True
                hit[index] = True
    return scores, hit


def best_threshold(scores: np.ndarray, hits: np.ndarray, truths: int) -> tuple[float, float]:
    """The threshold in the middle of the best-F1 run over `GRID`, and that F1."""
    f1 = []
    for threshold in GRID:
        kept = scores >= threshold
        tp = int((hits & kept).sum())
        fp = int((~hits & kept).sum())
        f1.append(2 * tp / max(1, 2 * tp + fp + (truths - tp)))
    values = np.asarray(f1)
    best = values.max()
    at_best = np.flatnonzero(values >= best - 1e-9)
    # The longest run of consecutive grid points at the best F1; its middle.
    runs = np.split(at_best, np.flatnonzero(np.diff(at_best) > 1) + 1)
    longest = max(runs, key=len)
    return float(GRID[longest[len(longest) // 2]]), float(best)


def calibrate(
    settings: Settings,
    *,
    seed: int = 1000,
    count: int = 16,
    work: Path = Path("out/calibration"),
    log: Callable[[str], object] = print,
) -> Path:
    """Generate the calibration set, detect, choose the thresholds, write them; their path."""
    from sld.synth import generate_set

    folder = work / f"seed-{seed}"
    pdfs = generate_set(folder, count, seed, style="mixed", scans=True)
    documents = [*pdfs, *(p.with_name(f"{p.stem}-scan.pdf") for p in pdfs)]
    open_settings = settings.model_copy(update={"symbol_threshold": 0.0})
    scores: dict[str, list[np.ndarray]] = defaultdict(list)
    hits: dict[str, list[np.ndarray]] = defaultdict(list)
    truths: dict[str, int] = defaultdict(int)
    for number, pdf in enumerate(documents, 1):
        truth = Document.model_validate_json(pdf.with_suffix(".json").read_text(encoding="utf-8"))
        found = detect_file(pdf, open_settings)
        for page, (boxes, page_scores, labels) in zip(truth.pages, found, strict=True):
            for kind in {c.type for c in page.components} | {str(x) for x in labels}:
                truth_boxes = as_boxes([c.bbox for c in page.components if c.type == kind])
                mine = labels == kind
                s, h = match_scores(truth_boxes, boxes[mine], page_scores[mine])
                scores[kind].append(s)
                hits[kind].append(h)
                truths[kind] += len(truth_boxes)
        log(f"calibration {number}/{len(documents)}: {pdf.name}")
    thresholds: dict[str, float] = {}
    quality: dict[str, float] = {}
    for kind in sorted(truths):
        if truths[kind] == 0:
            continue
        all_scores = np.concatenate(scores[kind]) if scores[kind] else np.zeros(0)
        all_hits = np.concatenate(hits[kind]) if hits[kind] else np.zeros(0, dtype=bool)
        thresholds[kind], quality[kind] = best_threshold(all_scores, all_hits, truths[kind])
        log(
            f"{kind:22s} threshold {thresholds[kind]:.3f}  F1 {quality[kind]:.3f}  "
            f"({truths[kind]} in truth)"
        )
    about = {
        "method": "best F1 per type (middle of the best run) on synthetic drawings, IoU >= 0.5",
        "calibration_seed": seed,
        "drawings": f"{count} vector + {count} scanned, style mixed (sld.synth.generate_set)",
        "calibration_f1": {k: round(v, 4) for k, v in quality.items()},
        "date": datetime.date.today().isoformat(),
    }
    return save_thresholds(target_folder(settings), thresholds, about)

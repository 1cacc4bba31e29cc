"""Lone marks (zone letters and numbers) found as isolated glyph blobs, and read by the reader."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from sld.pages.page import PageImage
from sld.pages.raster import render_pdf_page
from sld.synth import make_sheets
from sld.synth.render import render_pdf
from sld.synth.scan import scan_pages
from sld.text.engines.glyphs import lone_glyph_boxes
from sld.text.engines.rapid import RapidTextReader

DPI = 200.0
SCALE = DPI / 72.0


def frame_strip() -> tuple[np.ndarray, dict[str, tuple[int, int]]]:
    """A page corner: a zone strip between two frame lines with marks, a word, speckle."""
    image = np.full((600, 900), 235, dtype=np.uint8)  # toned paper
    cv2.line(image, (0, 40), (899, 40), 30, 3)
    cv2.line(image, (0, 95), (899, 95), 30, 2)
    cv2.line(image, (300, 40), (300, 95), 30, 2)  # a zone boundary tick
    marks = {"A": (120, 82), "12": (420, 82)}
    for text, origin in marks.items():
        cv2.putText(image, text, origin, cv2.FONT_HERSHEY_SIMPLEX, 1.0, 60, 2, cv2.LINE_AA)
    cv2.putText(image, "SWITCHBOARD", (150, 300), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 60, 2)
    rng = np.random.default_rng(1)
    for _ in range(200):  # scanner speckle
        y, x = rng.integers(100, 600), rng.integers(0, 900)
        image[y, x] = 90
    return image, marks


def test_lone_marks_are_found_and_covered_text_is_not() -> None:
    image, marks = frame_strip()
    word = np.asarray([[145.0, 270.0, 360.0, 310.0]])  # the detector found the word already
    boxes = lone_glyph_boxes(image, SCALE, word)
    assert len(boxes) == len(marks)
    for (x, baseline), box in zip(sorted(marks.values()), sorted(boxes.tolist()), strict=True):
        assert box[0] <= x + 5 and box[3] >= baseline - 3 and box[3] <= baseline + 3


def test_the_word_counts_as_marks_only_when_uncovered() -> None:
    image, _ = frame_strip()
    boxes = lone_glyph_boxes(image, SCALE, np.zeros((0, 4)))
    # "SWITCHBOARD" is eleven glyphs side by side: too many for a lone mark.
    assert not any(box[0] > 140 and box[1] > 250 for box in boxes.tolist())


def test_reader_reads_marks_between_frame_lines() -> None:
    image, _ = frame_strip()
    page = PageImage("strip.png", 0, 900 / SCALE, 600 / SCALE, DPI, image)
    texts = RapidTextReader(tile_size=2048, tile_overlap=256).read(page)
    read = {str(label) for label in texts.labels}
    assert {"A", "12"} <= read


def test_zone_marks_of_a_scanned_sheet_are_read(tmp_path: Path) -> None:
    """The top zone strip of a scanned synthetic sheet: small, light, blurred marks."""
    sheets = make_sheets(7000, 16)
    scan, _, _ = scan_pages(render_pdf(sheets, "zones"), np.random.default_rng([7000, 16]))
    path = tmp_path / "scan.pdf"
    path.write_bytes(scan)
    strip = np.ascontiguousarray(render_pdf_page(path, 0, DPI)[: int(30 * SCALE), :])
    page = PageImage("scan.pdf", 0, strip.shape[1] / SCALE, strip.shape[0] / SCALE, DPI, strip)
    marks = [text.text for text in sheets[0].texts if text.role == "zone" and text.bbox[1] < 30]
    assert marks == ["1", "2", "3", "4", "5"]
    texts = RapidTextReader(tile_size=4096, tile_overlap=512).read(page)
    assert sorted(str(label) for label in texts.labels) == marks

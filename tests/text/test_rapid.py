"""The `rapidocr` reader on a rendered page of known labels, and its tile-merging helpers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from pdf2image import convert_from_path
from reportlab.lib.pagesizes import A5, landscape
from reportlab.pdfgen import canvas

from sld.detections import Detections
from sld.geometry import as_boxes
from sld.pages.page import PageImage
from sld.settings import Settings
from sld.text.engines import text_reader_for
from sld.text.engines.rapid import RapidTextReader, line_crop
from sld.text.engines.tile_lines import complete_lines, touches_inner_border

DPI = 200
#: Small tiles, so the page is cut into 2 x 2 tiles and labels lie in overlaps and across borders.
TILE_SIZE, TILE_OVERLAP = 1024, 256


@dataclass(frozen=True)
class Label:
    text: str
    bbox: tuple[float, float, float, float]  # points, top-left origin


def draw_labels_page(path: Path) -> list[Label]:
    """An A5 sheet: labels beside symbols, vertical both ways, one across a tile border."""
    width, height = landscape(A5)
    sheet = canvas.Canvas(str(path), pagesize=(width, height))
    labels: list[Label] = []

    def text(x: float, baseline: float, value: str, size: float) -> None:
        sheet.setFont("Helvetica", size)
        sheet.drawString(x, height - baseline, value)
        text_width = sheet.stringWidth(value, "Helvetica", size)
        labels.append(Label(value, (x, baseline - size, x + text_width, baseline + 2)))

    def vertical(x: float, bottom: float, value: str, size: float, upwards: bool) -> None:
        sheet.setFont("Helvetica", size)
        text_width = sheet.stringWidth(value, "Helvetica", size)
        sheet.saveState()
        if upwards:
            sheet.translate(x, height - bottom)
            sheet.rotate(90)
            box = (x - size, bottom - text_width, x + 2, bottom)
        else:
            sheet.translate(x, height - bottom + text_width)
            sheet.rotate(-90)
            box = (x - 2, bottom - text_width, x + size, bottom)
        sheet.drawString(0, 0, value)
        sheet.restoreState()
        labels.append(Label(value, box))

    sheet.setLineWidth(0.7)
    sheet.line(40, height - 330, 560, height - 330)  # a bus
    for x in (80, 200, 470):
        sheet.line(x, height - 330, x, height - 60)  # feeders
    # A transformer (two circles) with its label block right beside it.
    sheet.circle(80, height - 120, 12)
    sheet.circle(80, height - 136, 12)
    text(94, 118, "T1", 9)
    text(94, 130, "500KVA", 8)
    text(94, 142, "13.8kV-480Y/277V", 7)
    # A breaker (square) and a motor (circle).
    sheet.rect(190, height - 230, 20, 20)
    text(214, 222, "CB-3", 8)
    text(214, 234, "1600A", 8)
    sheet.circle(470, height - 240, 14)
    text(488, 238, "M1 75HP", 8)
    # Vertical labels on the feeders, reading upwards and downwards.
    vertical(194, 180, "480V 3PH", 8, upwards=True)
    vertical(476, 200, "Z=5.75%", 8, upwards=False)
    # A label inside the overlap of the 2 x 2 tiles (found twice, read once) and a title that
    # the right border of the first column of tiles cuts (x = 1024 px = 368.6 pt).
    text(250, 300, "C2A", 8)
    text(280, 390, "SINGLE LINE DIAGRAM - MAIN SWITCHBOARD", 8)
    sheet.showPage()
    sheet.save()
    return labels


@pytest.fixture(scope="module")
def labels_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[PageImage, list[Label]]:
    pdf = tmp_path_factory.mktemp("ocr") / "labels.pdf"
    labels = draw_labels_page(pdf)
    image = np.asarray(convert_from_path(str(pdf), dpi=DPI, grayscale=True)[0], dtype=np.uint8)
    page = PageImage(
        source=str(pdf),
        index=0,
        width_pt=image.shape[1] * 72 / DPI,
        height_pt=image.shape[0] * 72 / DPI,
        dpi=DPI,
        image=image,
    )
    return page, labels


@pytest.fixture(scope="module")
def reading(labels_page: tuple[PageImage, list[Label]]) -> Detections:
    page, _ = labels_page
    return RapidTextReader(tile_size=TILE_SIZE, tile_overlap=TILE_OVERLAP).read(page)


def _centre_inside(box: np.ndarray, label: Label) -> bool:
    x0, y0, x1, y1 = label.bbox
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return bool(x0 <= cx <= x1 and y0 <= cy <= y1)


def test_every_label_is_read_exactly_once_where_it_is(
    labels_page: tuple[PageImage, list[Label]], reading: Detections
) -> None:
    _, labels = labels_page
    for label in labels:
        on_label = [str(text) for box, _, text in reading if _centre_inside(box, label)]
        assert on_label == [label.text], f"{label.text!r} read as {on_label}"
    assert sorted(str(text) for text in reading.labels) == sorted(label.text for label in labels)


def test_reading_is_in_points_with_confidences(
    labels_page: tuple[PageImage, list[Label]], reading: Detections
) -> None:
    page, _ = labels_page
    assert np.all(reading.boxes[:, 2] > reading.boxes[:, 0])
    assert np.all(reading.boxes[:, 3] > reading.boxes[:, 1])
    assert reading.boxes[:, 2].max() <= page.width_pt
    assert reading.boxes[:, 3].max() <= page.height_pt
    assert np.all((reading.scores >= 0.5) & (reading.scores <= 1.0))


def test_blank_page_has_no_text_and_runs_nothing() -> None:
    blank = PageImage(
        source="blank",
        index=0,
        width_pt=360,
        height_pt=360,
        dpi=DPI,
        image=np.full((1000, 1000), 255, np.uint8),
    )
    reader = RapidTextReader(tile_size=TILE_SIZE, tile_overlap=TILE_OVERLAP)
    engine = reader.engine
    calls: list[dict[str, object]] = []

    def counting_engine(*args: object, **kwargs: object) -> object:
        calls.append(kwargs)
        return engine(*args, **kwargs)

    reader.engine = counting_engine
    assert len(reader.read(blank)) == 0
    assert calls == []


def test_registry_builds_the_reader_from_settings() -> None:
    reader = text_reader_for(Settings(ocr="rapidocr", ocr_tile_size=2048, ocr_tile_overlap=300))
    assert reader.name == "rapidocr"
    assert isinstance(reader, RapidTextReader)
    assert (reader.tile_size, reader.tile_overlap) == (2048, 300)


# --- the helpers, without the engine -----------------------------------------------------------


def test_complete_lines_prefers_the_uncut_reading_then_the_larger() -> None:
    boxes = as_boxes(
        [
            [100, 10, 160, 20],  # the title, cut by a tile border
            [100, 10, 220, 20],  # the same title, whole
            [300, 10, 330, 20],  # a label found in two tiles
            [300, 10, 331, 20],
            [100, 40, 130, 50],  # a label found once
        ]
    )
    cut = np.asarray([True, False, False, False, False])
    assert complete_lines(boxes, cut).tolist() == [1, 3, 4]
    assert complete_lines(as_boxes([]), np.zeros(0, bool)).tolist() == []


def test_touches_inner_border_ignores_the_page_edges() -> None:
    boxes = as_boxes(
        [[0, 10, 40, 20], [980, 10, 1024, 20], [400, 0, 440, 12], [400, 500, 440, 520]]
    )
    first_tile = touches_inner_border(boxes, (0, 0, 1024, 1024), page_size_px=(1600, 1024))
    assert first_tile.tolist() == [False, True, False, False]
    second_tile = touches_inner_border(boxes, (576, 0, 1600, 1024), page_size_px=(1600, 1024))
    assert second_tile.tolist() == [True, False, False, False]


def test_line_crop_paints_out_strokes_that_pass_by() -> None:
    image = np.full((60, 120), 255, np.uint8)
    image[:, 10:12] = 0  # a wire passing the label's left edge, top to bottom
    image[25:35, 20:24] = 0  # a glyph
    image[25:35, 30:34] = 0  # another glyph
    crop = line_crop(image, (8, 20, 40, 40))
    assert crop.shape == (20, 32)
    assert crop[:, 2:4].min() == 255  # the wire is gone
    assert crop[5:15, 12:16].max() == 0  # the glyphs stay


def test_line_crop_keeps_text_drawn_across_a_wire() -> None:
    image = np.full((60, 120), 255, np.uint8)
    image[30, :] = 0  # a wire through the middle of the line
    image[25:35, 20:60] = 0  # glyph ink joined to it, most of the line
    crop = line_crop(image, (15, 20, 65, 40))
    assert np.array_equal(crop, image[20:40, 15:65])

"""The pdf-text reader (words to label lines), the auto reader's choice per page, and none."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import cast

import numpy as np
import pytest
from reportlab.pdfgen import canvas

from sld.pages.page import PageImage, Word
from sld.pages.raster import load_page, open_source
from sld.registry import TEXT_READERS, create_backend
from sld.settings import Settings
from sld.text.engines import TextReader
from sld.text.engines.auto import AutoReader
from sld.text.engines.pdf_text import group_lines


def new_reader(name: str) -> TextReader:
    """A reader built now from the registry (so a patched registry is seen), not a shared one."""
    return cast(TextReader, create_backend(TEXT_READERS, "text engine", name, Settings(ocr=name)))


def word(text: str, x0: float, y0: float, x1: float, y1: float, angle: int = 0) -> Word:
    return Word(text=text, bbox=(x0, y0, x1, y1), angle=angle)


def texts(words: list[Word]) -> list[str]:
    return sorted(line.text for line in group_lines(words))


# Grouping words into lines -------------------------------------------------------------------


def test_words_on_one_baseline_with_small_gaps_make_one_line() -> None:
    lines = group_lines(
        [
            word("480V", 137, 100, 160, 112),
            word("500KVA", 100, 100, 134, 112),
            word("3PH", 163, 100.5, 183, 112.5),
        ]
    )
    assert [line.text for line in lines] == ["500KVA 480V 3PH"]
    assert lines[0].bbox == (100, 100, 183, 112.5)
    assert lines[0].angle == 0


def test_a_stack_of_lines_stays_separate_lines() -> None:
    stack = [
        word("T1", 100, 100, 114, 112),
        word("500KVA", 100, 112, 134, 124),
        word("13.8kV-480V", 100, 124, 160, 136),
    ]
    assert texts(stack) == ["13.8kV-480V", "500KVA", "T1"]


def test_a_wide_gap_separates_labels_on_one_baseline() -> None:
    far_apart = [word("CB-1", 100, 100, 125, 112), word("CB-2", 160, 100, 185, 112)]
    assert texts(far_apart) == ["CB-1", "CB-2"]


def test_different_text_sizes_are_different_labels() -> None:
    mixed = [word("MAIN", 100, 100, 160, 124), word("480V", 163, 106, 186, 118)]
    assert texts(mixed) == ["480V", "MAIN"]


def test_vertical_text_reads_in_its_own_direction() -> None:
    # Reading upwards (90): the word lower on the page comes first.
    upwards = [
        word("1600A", 100, 200, 112, 235, angle=90),
        word("CB-1", 100, 238, 112, 265, angle=90),
    ]
    assert texts(upwards) == ["CB-1 1600A"]
    # Reading downwards (270): the word higher on the page comes first.
    downwards = [
        word("75HP", 300, 240, 312, 270, angle=270),
        word("M1", 300, 220, 312, 237, angle=270),
    ]
    assert texts(downwards) == ["M1 75HP"]
    # Upside down (180): right to left.
    upside_down = [word("480V", 100, 100, 130, 112, 180), word("500KVA", 133, 100, 170, 112, 180)]
    assert texts(upside_down) == ["500KVA 480V"]


def test_vertical_columns_side_by_side_stay_separate() -> None:
    columns = [
        word("CB-1", 100, 200, 112, 230, angle=90),
        word("1600A", 112, 200, 124, 235, angle=90),
    ]
    assert texts(columns) == ["1600A", "CB-1"]


def test_directions_never_mix() -> None:
    crossing = [word("T1", 100, 100, 114, 112), word("T2", 116, 88, 128, 112, angle=90)]
    assert texts(crossing) == ["T1", "T2"]


def test_labels_a_little_off_each_others_baseline_on_far_sides() -> None:
    # Centres within the baseline tolerance put both in one band; the gap still parts them.
    band = [word("480V", 100, 100, 125, 112), word("CB-7", 300, 103, 325, 115)]
    assert texts(band) == ["480V", "CB-7"]


def test_no_words_no_lines() -> None:
    assert group_lines([]) == []


# The readers on real PDF pages ---------------------------------------------------------------


@pytest.fixture(scope="module")
def labelled_page(tmp_path_factory: pytest.TempPathFactory) -> PageImage:
    path = tmp_path_factory.mktemp("pdf_text") / "labels.pdf"
    sheet = canvas.Canvas(str(path), pagesize=(600, 400))
    sheet.setFont("Helvetica", 10)
    sheet.drawString(100, 300, "T1")
    sheet.drawString(100, 288, "500KVA")
    sheet.drawString(100, 276, "13.8kV-480V")
    sheet.drawString(250, 500, "M1 75HP")  # user space is 400 x 600 under /Rotate 90
    sheet.saveState()
    sheet.translate(300, 100)
    sheet.rotate(90)
    sheet.drawString(0, 0, "CB-1")
    sheet.drawString(27, 0, "1600A")  # a separate text object, one space further on
    sheet.restoreState()
    sheet.setPageRotation(90)
    sheet.showPage()
    sheet.save()
    return load_page(open_source(path), 0, Settings(dpi=100))


def test_pdf_text_reader_gives_one_entry_per_line(labelled_page: PageImage) -> None:
    reader = new_reader("pdf-text")
    assert reader.name == "pdf-text"
    lines = reader.read(labelled_page)
    assert sorted(lines.labels) == ["13.8kV-480V", "500KVA", "CB-1 1600A", "M1 75HP", "T1"]
    assert np.all(lines.scores == 1.0)
    for box, _, text in lines:
        members = [w for w in labelled_page.words if w.text in text.split()]
        union = [
            min(w.bbox[0] for w in members),
            min(w.bbox[1] for w in members),
            max(w.bbox[2] for w in members),
            max(w.bbox[3] for w in members),
        ]
        assert box == pytest.approx(union)
        x0, y0, x1, y1 = box
        assert 0 <= x0 < x1 <= labelled_page.width_pt and 0 <= y0 < y1 <= labelled_page.height_pt


def test_auto_reads_the_text_layer_and_says_so(
    labelled_page: PageImage, caplog: pytest.LogCaptureFixture
) -> None:
    reader = new_reader("auto")
    assert isinstance(reader, AutoReader)
    with caplog.at_level(logging.INFO, logger="sld.text.engines.auto"):
        lines = reader.read(labelled_page)
    assert len(lines) == 5
    assert "reading its PDF text layer (pdf-text" in caplog.text
    assert reader._ocr is None  # the OCR engine was never loaded


def test_auto_uses_the_registered_ocr_engine_without_a_text_layer(
    labelled_page: PageImage, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Register the real "none" reader under the OCR engine's name: auto must go through the
    # registry to whatever is registered there, and say that it does.
    monkeypatch.setitem(TEXT_READERS, "rapidocr", TEXT_READERS["none"])
    scan = PageImage(
        source="scan.png",
        index=0,
        width_pt=labelled_page.width_pt,
        height_pt=labelled_page.height_pt,
        dpi=labelled_page.dpi,
        image=labelled_page.image,
    )
    reader = new_reader("auto")
    with caplog.at_level(logging.INFO, logger="sld.text.engines.auto"):
        lines = reader.read(scan)
    assert len(lines) == 0
    assert "scan.png, page 1: no text layer, reading the raster with OCR (rapidocr)" in caplog.text
    assert isinstance(reader, AutoReader) and reader._ocr is not None
    assert reader._ocr.name == "none"


def test_none_reads_nothing(labelled_page: PageImage) -> None:
    reader = new_reader("none")
    assert reader.name == "none"
    assert len(reader.read(labelled_page)) == 0


def test_registry_names_point_at_these_readers() -> None:
    assert TEXT_READERS["pdf-text"] == "sld.text.engines.pdf_text:create"
    assert TEXT_READERS["auto"] == "sld.text.engines.auto:create"


def test_lines_read_from_a_written_pdf_match_what_was_written(tmp_path: Path) -> None:
    path = tmp_path / "ratings.pdf"
    sheet = canvas.Canvas(str(path), pagesize=(600, 400))
    sheet.setFont("Helvetica", 8)
    written = ["480V 3PH 60HZ", "100AF/80AT", "Z=5.75%", "GEN-1", "120/240V"]
    for row, text in enumerate(written):
        sheet.drawString(50 + 120 * (row % 2), 350 - 11 * row, text)
    sheet.showPage()
    sheet.save()
    page = load_page(open_source(path), 0, Settings(dpi=72))
    lines = new_reader("pdf-text").read(page)
    assert sorted(lines.labels) == sorted(written)


def test_a_sheet_full_of_labels_reads_back_exactly(tmp_path: Path) -> None:
    # 15 columns x 25 rows of two-line labels; every third column is written upwards, on
    # every other row (an upright label is longer than a row is high).
    path = tmp_path / "schedule.pdf"
    sheet = canvas.Canvas(str(path), pagesize=(1190.55, 841.89))
    sheet.setFont("Helvetica", 7)
    written: list[str] = []
    for column in range(15):
        for row in range(25):
            number = column * 25 + row
            name, rating = f"CB-{number}", f"{100 + number}AF/80AT 480V"
            x, y = 30 + 76 * column, 20 + 32 * row
            if column % 3 == 2:
                if row % 2:
                    continue
                sheet.saveState()
                sheet.translate(x + 30, y)
                sheet.rotate(90)
                sheet.drawString(0, 0, name)
                sheet.drawString(0, -8, rating)
                sheet.restoreState()
            else:
                sheet.drawString(x, y + 8, name)
                sheet.drawString(x, y, rating)
            written += [name, rating]
    sheet.showPage()
    sheet.save()
    page = load_page(open_source(path), 0, Settings(dpi=36))
    lines = new_reader("pdf-text").read(page)
    assert sorted(lines.labels) == sorted(written)

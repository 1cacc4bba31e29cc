"""Input files to PageImages: PDF pages (raster, words, vectors) under each /Rotate; images; errors.

The PDFs are drawn here with reportlab on a 400 x 600 pt page (PDF user space, y up), so the
expected displayed coordinates can be worked out by hand for each rotation. Everything the
text layer and the vector reader report is also checked against the ink of poppler's raster.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from sld.pages.page import PageImage
from sld.pages.raster import (
    InputError,
    capped_dpi,
    load_page,
    load_pages,
    open_source,
    render_pdf_page,
    sniff_format,
)
from sld.settings import Settings

PAGE_WIDTH, PAGE_HEIGHT = 400.0, 600.0
SETTINGS = Settings(dpi=100)
ROTATIONS = (0, 90, 180, 270)


def draw_drawing(sheet: canvas.Canvas) -> None:
    """Labels at 0, 90 and 270 degrees, lines, curves, a filled dot and a form XObject."""
    sheet.setFont("Helvetica", 12)
    sheet.drawString(60, 500, "500KVA 480V")
    sheet.saveState()
    sheet.translate(250, 300)
    sheet.rotate(90)  # reads upwards
    sheet.drawString(0, 0, "CB-1 1600A")
    sheet.restoreState()
    sheet.saveState()
    sheet.translate(330, 300)
    sheet.rotate(-90)  # reads downwards
    sheet.drawString(0, 0, "M1 75HP")
    sheet.restoreState()
    sheet.setLineWidth(2)
    sheet.line(50, 50, 350, 50)  # a busbar
    sheet.setLineWidth(1)
    sheet.line(200, 60, 200, 140)  # a feeder
    sheet.circle(300, 150, 20)  # a motor outline: four curves
    sheet.circle(300, 200, 4, stroke=0, fill=1)  # a junction dot
    sheet.setFillColorRGB(1, 1, 1)
    sheet.rect(20, 560, 60, 30, stroke=0, fill=1)  # a white mask: not ink
    sheet.setFillColorRGB(0, 0, 0)
    sheet.beginForm("breaker")
    sheet.setLineWidth(1)
    sheet.rect(0, 0, 20, 10)
    sheet.line(10, 10, 10, 30)
    sheet.endForm()
    sheet.saveState()
    sheet.translate(100, 350)
    sheet.scale(2, 2)
    sheet.doForm("breaker")
    sheet.restoreState()


def make_drawing(path: Path, rotation: int) -> Path:
    # reportlab takes the displayed size and writes a 400 x 600 media box for every rotation.
    size = (PAGE_HEIGHT, PAGE_WIDTH) if rotation in (90, 270) else (PAGE_WIDTH, PAGE_HEIGHT)
    sheet = canvas.Canvas(str(path), pagesize=size)
    draw_drawing(sheet)
    if rotation:
        sheet.setPageRotation(rotation)
    sheet.showPage()
    sheet.save()
    return path


@pytest.fixture(scope="module")
def drawings(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    folder = tmp_path_factory.mktemp("drawings")
    paths = {
        rotation: make_drawing(folder / f"rot{rotation}.pdf", rotation) for rotation in ROTATIONS
    }
    for rotation, path in paths.items():
        document = pdfium.PdfDocument(path)
        assert document[0].get_mediabox() == (0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT)
        assert document[0].get_rotation() == rotation
        document.close()
    return paths


@pytest.fixture(scope="module")
def pages(drawings: dict[int, Path]) -> dict[int, PageImage]:
    return {
        rotation: load_page(open_source(path), 0, SETTINGS) for rotation, path in drawings.items()
    }


def shown(rotation: int, x: float, y: float) -> tuple[float, float]:
    """Where user-space (x, y) of the 400 x 600 page shows, worked out per rotation by hand:
    /Rotate turns the page clockwise."""
    return {
        0: (x, PAGE_HEIGHT - y),
        90: (y, x),
        180: (PAGE_WIDTH - x, y),
        270: (PAGE_HEIGHT - y, PAGE_WIDTH - x),
    }[rotation]


def ink(page: PageImage) -> np.ndarray:
    return page.image < 128


def ink_share_inside(
    page: PageImage, box: tuple[float, float, float, float], margin: float
) -> float:
    """Share of the ink around `box` (grown by `margin` points) that lies inside `box`."""
    dark = ink(page)
    x0, y0, x1, y1 = (round(value * page.scale) for value in box)
    grow = round(margin * page.scale)
    around = dark[max(y0 - grow, 0) : y1 + grow, max(x0 - grow, 0) : x1 + grow].sum()
    inside = dark[y0:y1, x0:x1].sum()
    return float(inside) / float(around) if around else 0.0


def ink_along(page: PageImage, segment: np.ndarray, reach_px: int = 2) -> float:
    """Share of points along a segment with ink within `reach_px` pixels."""
    dark = ink(page)
    height, width = dark.shape
    hits = 0
    samples = np.linspace(0.0, 1.0, 15)
    for t in samples:
        x = (segment[0] + t * (segment[2] - segment[0])) * page.scale
        y = (segment[1] + t * (segment[3] - segment[1])) * page.scale
        col, row = round(float(x)), round(float(y))
        window = dark[
            max(row - reach_px, 0) : min(row + reach_px + 1, height),
            max(col - reach_px, 0) : min(col + reach_px + 1, width),
        ]
        hits += bool(window.any())
    return hits / len(samples)


# Page geometry -------------------------------------------------------------------------------


@pytest.mark.parametrize("rotation", ROTATIONS)
def test_displayed_size_and_raster_size(pages: dict[int, PageImage], rotation: int) -> None:
    page = pages[rotation]
    expected = (PAGE_HEIGHT, PAGE_WIDTH) if rotation in (90, 270) else (PAGE_WIDTH, PAGE_HEIGHT)
    assert (page.width_pt, page.height_pt) == pytest.approx(expected)
    assert page.dpi == 100
    height_px, width_px = page.image.shape
    assert abs(width_px - page.width_pt * page.dpi / 72) <= 1
    assert abs(height_px - page.height_pt * page.dpi / 72) <= 1
    assert page.image.dtype == np.uint8
    assert page.where == f"{page.source}, page 1"


# Text layer ----------------------------------------------------------------------------------


@pytest.mark.parametrize("rotation", ROTATIONS)
def test_words_read_in_order_with_displayed_direction(
    pages: dict[int, PageImage], rotation: int
) -> None:
    words = {word.text: word for word in pages[rotation].words}
    assert set(words) == {"500KVA", "480V", "CB-1", "1600A", "M1", "75HP"}
    assert words["500KVA"].angle == (0 - rotation) % 360
    assert words["CB-1"].angle == (90 - rotation) % 360
    assert words["M1"].angle == (270 - rotation) % 360
    for text in ("500KVA", "CB-1", "M1"):
        x0, y0, x1, y1 = words[text].bbox
        long_side, short_side = max(x1 - x0, y1 - y0), min(x1 - x0, y1 - y0)
        assert long_side > short_side  # boxed along the reading direction
        vertical = words[text].angle in (90, 270)
        assert (y1 - y0 > x1 - x0) == vertical


@pytest.mark.parametrize("rotation", ROTATIONS)
def test_word_boxes_sit_where_the_text_was_written(
    pages: dict[int, PageImage], rotation: int
) -> None:
    words = {word.text: word for word in pages[rotation].words}
    # "500KVA" starts at user (60, 500) on its baseline: that point is on an edge of its box.
    start_x, start_y = shown(rotation, 60, 500)
    x0, y0, x1, y1 = words["500KVA"].bbox
    assert x0 - 0.5 <= start_x <= x1 + 0.5
    assert y0 - 0.5 <= start_y <= y1 + 0.5
    # The first word comes first along the reading direction, whatever the rotation.
    first, second = words["CB-1"].bbox, words["1600A"].bbox
    direction = words["CB-1"].angle
    along = {0: (0, 1), 90: (3, -1), 180: (2, -1), 270: (1, 1)}[direction]
    axis, sign = along
    assert sign * first[axis] < sign * second[axis]


@pytest.mark.parametrize("rotation", ROTATIONS)
def test_word_boxes_hold_the_ink_of_their_text(pages: dict[int, PageImage], rotation: int) -> None:
    page = pages[rotation]
    for word in page.words:
        x0, y0, x1, y1 = word.bbox
        assert 0 <= x0 < x1 <= page.width_pt and 0 <= y0 < y1 <= page.height_pt
        assert ink_share_inside(page, word.bbox, margin=3) > 0.97, word
        # Not much larger than the text: a loose box is about 1.2 em across the line.
        across = (y1 - y0) if word.angle in (0, 180) else (x1 - x0)
        assert 10 <= across <= 16, word


# Vector geometry -----------------------------------------------------------------------------


def has_segment(
    segments: np.ndarray, start: tuple[float, float], end: tuple[float, float], tol: float = 0.05
) -> np.ndarray:
    forward = np.all(np.abs(segments - [*start, *end]) < tol, axis=1)
    backward = np.all(np.abs(segments - [*end, *start]) < tol, axis=1)
    return np.asarray(forward | backward)


@pytest.mark.parametrize("rotation", ROTATIONS)
def test_vector_lines_in_displayed_points_with_widths(
    pages: dict[int, PageImage], rotation: int
) -> None:
    vector = pages[rotation].vector
    assert vector is not None
    busbar = has_segment(vector.segments, shown(rotation, 50, 50), shown(rotation, 350, 50))
    assert busbar.sum() == 1
    assert vector.widths[busbar] == pytest.approx([2.0])
    feeder = has_segment(vector.segments, shown(rotation, 200, 60), shown(rotation, 200, 140))
    assert vector.widths[feeder] == pytest.approx([1.0])


@pytest.mark.parametrize("rotation", ROTATIONS)
def test_form_xobject_placed_by_its_matrix(pages: dict[int, PageImage], rotation: int) -> None:
    vector = pages[rotation].vector
    assert vector is not None
    # The form's 20 x 10 rectangle at (0, 0), drawn at (100, 350) scaled by 2, and its stem.
    corners = [(100, 350), (140, 350), (140, 370), (100, 370)]
    for (ax, ay), (bx, by) in zip(corners, corners[1:] + corners[:1], strict=True):
        edge = has_segment(vector.segments, shown(rotation, ax, ay), shown(rotation, bx, by))
        assert edge.sum() == 1, (ax, ay, bx, by)
        assert vector.widths[edge] == pytest.approx([2.0])  # 1 pt in the form, scaled by 2
    stem = has_segment(vector.segments, shown(rotation, 120, 370), shown(rotation, 120, 410))
    assert stem.sum() == 1


@pytest.mark.parametrize("rotation", ROTATIONS)
def test_curves_flattened_onto_the_circle(pages: dict[int, PageImage], rotation: int) -> None:
    vector = pages[rotation].vector
    assert vector is not None
    centre = np.asarray(shown(rotation, 300, 150))
    ends = vector.segments.reshape(-1, 2)
    distance = np.linalg.norm(ends - centre, axis=1)
    on_circle = np.abs(distance - 20) < 0.5
    pieces = on_circle.reshape(-1, 2).all(axis=1).sum()
    assert 4 <= pieces <= 64  # a few straight pieces per quarter
    # The pieces stay within a fraction of a point of the true circle, midpoints included.
    arc = vector.segments[on_circle.reshape(-1, 2).all(axis=1)]
    middles = (arc[:, :2] + arc[:, 2:]) / 2
    assert np.all(np.linalg.norm(middles - centre, axis=1) > 19.5)


@pytest.mark.parametrize("rotation", ROTATIONS)
def test_fills_are_boxes_of_visible_filled_shapes(
    pages: dict[int, PageImage], rotation: int
) -> None:
    vector = pages[rotation].vector
    assert vector is not None
    cx, cy = shown(rotation, 300, 200)
    assert vector.fills == pytest.approx(np.asarray([[cx - 4, cy - 4, cx + 4, cy + 4]]), abs=0.05)


@pytest.mark.parametrize("rotation", ROTATIONS)
def test_every_segment_lies_on_ink(pages: dict[int, PageImage], rotation: int) -> None:
    page = pages[rotation]
    assert page.vector is not None
    for segment in page.vector.segments:
        assert ink_along(page, segment) == 1.0, segment


def test_scanned_pdf_page_has_no_vector_layer(tmp_path: Path) -> None:
    scan = Image.new("L", (400, 600), 255)
    ImageDraw.Draw(scan).line([(50, 300), (350, 300)], fill=0, width=3)
    path = tmp_path / "scan.pdf"
    sheet = canvas.Canvas(str(path), pagesize=(PAGE_WIDTH, PAGE_HEIGHT))
    sheet.drawImage(ImageReader(scan), 0, 0, PAGE_WIDTH, PAGE_HEIGHT)
    sheet.line(10, 10, 390, 10)  # a vector frame around a scan does not make it a drawing
    sheet.showPage()
    sheet.save()
    page = load_page(open_source(path), 0, SETTINGS)
    assert page.vector is None
    assert page.words == ()
    assert ink(page)[round(300 * page.scale)].any()


def test_a_drawing_over_a_background_image_keeps_its_vectors(tmp_path: Path) -> None:
    path = tmp_path / "over-image.pdf"
    sheet = canvas.Canvas(str(path), pagesize=(PAGE_WIDTH, PAGE_HEIGHT))
    sheet.drawImage(ImageReader(Image.new("L", (40, 60), 240)), 0, 0, PAGE_WIDTH, PAGE_HEIGHT)
    for row in range(300):  # a drawing's worth of conductors
        sheet.line(20, 20 + row * 1.8, 380, 20 + row * 1.8)
    sheet.showPage()
    sheet.save()
    page = load_page(open_source(path), 0, SETTINGS)
    assert page.vector is not None
    assert len(page.vector.segments) == 300


# Page boxes, resolution and the pixel cap ----------------------------------------------------


def test_crop_box_is_the_displayed_page(tmp_path: Path) -> None:
    path = tmp_path / "cropped.pdf"
    sheet = canvas.Canvas(
        str(path), pagesize=(PAGE_WIDTH, PAGE_HEIGHT), cropBox=(50, 100, 350, 500)
    )
    draw_drawing(sheet)
    sheet.showPage()
    sheet.save()
    page = load_page(open_source(path), 0, SETTINGS)
    assert (page.width_pt, page.height_pt) == pytest.approx((300, 400))
    words = {word.text: word for word in page.words}
    # (60, 500) in user space is (10, 0) on the cropped page: the top edge.
    assert words["500KVA"].bbox[0] == pytest.approx(10, abs=0.5)
    assert page.vector is not None
    for segment in page.vector.segments:
        if segment.min() >= 0 and segment[[0, 2]].max() <= 300 and segment[[1, 3]].max() <= 400:
            assert ink_along(page, segment) == 1.0
    for word in page.words:
        if word.bbox[1] > 1:  # wholly on the cropped page
            assert ink_share_inside(page, word.bbox, margin=3) > 0.97


def test_pixel_cap_lowers_the_dpi_and_keeps_points(drawings: dict[int, Path]) -> None:
    settings = Settings(dpi=300, max_page_pixels=1_000_000)
    page = load_page(open_source(drawings[90]), 0, settings)
    assert page.dpi < 300
    assert page.image.size <= 1_000_000
    assert page.image.size > 0.95 * 1_000_000
    assert abs(page.image.shape[1] - page.width_pt * page.scale) <= 1
    for segment in page.vector.segments if page.vector is not None else []:
        assert ink_along(page, segment) == 1.0


def test_capped_dpi() -> None:
    assert capped_dpi(1190.55, 841.89, 200, 120_000_000) == 200
    lowered = capped_dpi(1190.55, 841.89, 200, 2_000_000)
    assert 60 < lowered < 200
    assert math.ceil(1190.55 * lowered / 72) * math.ceil(841.89 * lowered / 72) <= 2_000_000


def test_pages_load_one_by_one(tmp_path: Path) -> None:
    path = tmp_path / "two.pdf"
    sheet = canvas.Canvas(str(path), pagesize=(PAGE_WIDTH, PAGE_HEIGHT))
    sheet.drawString(50, 500, "SHEET-1")
    sheet.showPage()
    sheet.drawString(50, 500, "SHEET-2")
    sheet.showPage()
    sheet.save()
    source = open_source(path)
    assert source.page_count == 2
    pages = list(load_pages(source, SETTINGS))
    assert [page.index for page in pages] == [0, 1]
    assert [[word.text for word in page.words] for page in pages] == [["SHEET-1"], ["SHEET-2"]]


# Opening files and what goes wrong -----------------------------------------------------------


def test_open_source_describes_the_file(drawings: dict[int, Path]) -> None:
    path = drawings[0]
    source = open_source(path)
    assert source.path == path
    assert source.kind == "pdf" and source.format == "PDF"
    assert source.page_count == 1
    assert source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert source.size_bytes == path.stat().st_size


def test_sniff_format_reads_bytes_not_names() -> None:
    assert sniff_format(b"%PDF-1.7\n") == "PDF"
    assert sniff_format(b"\xef\xbb\xbfjunk %PDF-1.4") == "PDF"  # header later in the first KB
    assert sniff_format(b"\x89PNG\r\n\x1a\n....") == "PNG"
    assert sniff_format(b"\xff\xd8\xff\xe0") == "JPEG"
    assert sniff_format(b"II*\x00") == "TIFF" and sniff_format(b"MM\x00*") == "TIFF"
    assert sniff_format(b"hello") is None


def expect_input_error(path: Path, *phrases: str, page: int | None = None) -> InputError:
    with pytest.raises(InputError) as caught:
        open_source(path)
    error = caught.value
    assert str(path) in str(error)
    assert error.page == page
    for phrase in phrases:
        assert phrase in str(error)
    return error


def test_missing_file(tmp_path: Path) -> None:
    expect_input_error(tmp_path / "nowhere.pdf", "no such file", "Check the path")


def test_folder_and_empty_file(tmp_path: Path) -> None:
    expect_input_error(tmp_path, "is a folder")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    expect_input_error(empty, "is empty")


def test_text_file_named_pdf(tmp_path: Path) -> None:
    path = tmp_path / "notes.pdf"
    path.write_text("Substation A: 13.8kV\n")
    expect_input_error(path, "neither a PDF nor a PNG, JPEG or TIFF", "extension")


def test_encrypted_pdf_needs_a_password(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    sheet = canvas.Canvas(str(path), encrypt=StandardEncryption("secret", ownerPassword="owner"))
    sheet.drawString(50, 50, "T1")
    sheet.showPage()
    sheet.save()
    expect_input_error(path, "encrypted", "password", "qpdf --decrypt")


def test_corrupt_pdf_carries_pdfiums_reason(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> garbage")
    expect_input_error(path, "damaged or not a readable PDF", "PDFium", "re-export")


def test_zero_page_pdf(tmp_path: Path) -> None:
    path = tmp_path / "blank.pdf"
    document = pdfium.PdfDocument.new()  # a valid PDF whose page tree is empty
    document.save(path)
    document.close()
    expect_input_error(path, "has no pages")


def test_page_out_of_range(drawings: dict[int, Path]) -> None:
    source = open_source(drawings[0])
    with pytest.raises(InputError, match=r"has 1 page.*no page 3.*from 1 to 1"):
        load_page(source, 2, SETTINGS)


def test_page_that_does_not_render_names_the_page(drawings: dict[int, Path]) -> None:
    with pytest.raises(InputError) as caught:
        render_pdf_page(drawings[0], 4, 72)  # poppler renders nothing for a page it lacks
    assert caught.value.page == 5
    assert f"{drawings[0]}, page 5: poppler rendered no image" in str(caught.value)


# Image files ---------------------------------------------------------------------------------


def scan_image(mark_at: int, mode: str = "L") -> Image.Image:
    image = Image.new(mode, (600, 400), "white")
    ImageDraw.Draw(image).rectangle([mark_at, 100, mark_at + 50, 150], fill="black")
    return image


def test_png_with_its_own_dpi(tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    scan_image(100).save(path, dpi=(300, 300))
    source = open_source(path)
    assert (source.kind, source.format, source.page_count) == ("image", "PNG", 1)
    page = load_page(source, 0, Settings())
    assert page.dpi == pytest.approx(300, abs=0.01)
    assert (page.width_pt, page.height_pt) == pytest.approx(
        (600 * 72 / 300, 400 * 72 / 300), abs=0.01
    )
    assert page.words == () and page.vector is None
    assert page.image.shape == (400, 600)
    assert page.image[125, 125] == 0 and page.image[10, 10] == 255


def test_jpeg_without_dpi_defaults_to_200(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "photo.jpg"
    scan_image(300, "RGB").save(path, quality=95)
    with caplog.at_level(logging.INFO, logger="sld.pages.raster"):
        page = load_page(open_source(path), 0, Settings())
    assert page.dpi == 200
    assert page.width_pt == pytest.approx(600 * 72 / 200)
    assert "assuming 200 dpi" in caplog.text
    assert page.image[125, 325] < 30


def test_image_dpi_setting_wins(tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    scan_image(100).save(path, dpi=(300, 300))
    page = load_page(open_source(path), 0, Settings(image_dpi=150))
    assert page.dpi == 150
    assert page.width_pt == pytest.approx(600 * 72 / 150)


def test_multi_page_tiff(tmp_path: Path) -> None:
    path = tmp_path / "set.tif"
    first, second = scan_image(100), scan_image(400)
    first.save(path, save_all=True, append_images=[second], dpi=(150, 150), compression="tiff_lzw")
    source = open_source(path)
    assert (source.format, source.page_count) == ("TIFF", 2)
    pages = [load_page(source, index, Settings()) for index in range(2)]
    assert [page.dpi for page in pages] == pytest.approx([150, 150])
    assert pages[0].image[125, 125] == 0 and pages[0].image[125, 425] == 255
    assert pages[1].image[125, 425] == 0 and pages[1].image[125, 125] == 255


def test_transparent_png_counts_as_paper(tmp_path: Path) -> None:
    image = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 50), (190, 50)], fill=(0, 0, 0, 255), width=3)
    path = tmp_path / "clear.png"
    image.save(path)
    page = load_page(open_source(path), 0, Settings())
    assert page.image[10, 10] == 255
    assert page.image[50, 100] == 0


def test_image_named_pdf_is_read_as_an_image(tmp_path: Path) -> None:
    path = tmp_path / "really-a-png.pdf"
    scan_image(100).save(path, format="PNG")
    assert open_source(path).kind == "image"


def test_image_over_the_pixel_cap_is_reduced(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    Image.new("L", (2000, 1000), 255).save(path, dpi=(400, 400))
    page = load_page(open_source(path), 0, Settings(max_page_pixels=1_000_000))
    assert page.image.size <= 1_000_000
    assert page.width_pt == pytest.approx(2000 * 72 / 400, rel=1e-3)
    assert page.image.shape[1] == pytest.approx(page.width_pt * page.scale)


def test_damaged_image(tmp_path: Path) -> None:
    path = tmp_path / "cut.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    expect_input_error(path, "damaged or not a readable image")


# Start-up cost -------------------------------------------------------------------------------


def test_importing_the_stages_loads_no_heavy_library() -> None:
    code = (
        "import sys, sld.pages.raster, sld.symbols.merge, sld.text.engines.pdf_text, "
        "sld.text.engines.auto; "
        "print(sorted(m for m in ('pypdfium2', 'pdf2image', 'PIL') if m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    assert result.stdout.strip() == "[]"

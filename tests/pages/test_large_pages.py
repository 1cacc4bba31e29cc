"""Pages larger than asked for, and page boxes that are odd: read anyway, and said so.

Huge images are read reduced to `SLD_MAX_PAGE_PIXELS`, never refused by Pillow's
decompression-bomb limit (which fires at about 179 Mpx, before sld could reduce them); only an
image over `MAX_DECODED_PIXELS` is refused, with the reason. Each reduction, and a missing or
empty page box, is a warning that names the file and page. The limits are lowered here so the
test images stay small; one slow test uses a real 182 Mpx image.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw, JpegImagePlugin
from reportlab.pdfgen import canvas

from sld.pages import raster
from sld.pages.display import odd_page_box
from sld.pages.raster import InputError, load_page, open_source
from sld.settings import Settings


def sheet(size: tuple[int, int], mode: str = "L") -> Image.Image:
    """A white image with a black bar at a known place: a tenth in from the left and top."""
    image = Image.new(mode, size, "white")
    width, height = size
    ImageDraw.Draw(image).rectangle(
        [width // 10, height // 10, width // 10 + width // 20, height // 2], fill="black"
    )
    return image


@pytest.fixture
def pillow_limit_low(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pillow's bomb limit far below the test images: it would refuse them all."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100_000)


@pytest.mark.usefixtures("pillow_limit_low")
@pytest.mark.parametrize("suffix", [".png", ".tif", ".jpg"])
def test_an_image_over_the_cap_is_read_reduced_with_a_warning(
    tmp_path: Path, suffix: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / f"huge{suffix}"
    sheet((4000, 3000)).save(path, dpi=(400, 400))
    with caplog.at_level(logging.WARNING, logger="sld.pages.raster"):
        page = load_page(open_source(path), 0, Settings(max_page_pixels=1_000_000))
    assert page.image.size <= 1_000_000
    assert page.image.size > 0.5 * 1_000_000
    # The sheet keeps its size in points; only the resolution drops.
    assert (page.width_pt, page.height_pt) == pytest.approx(
        (4000 * 72 / 400, 3000 * 72 / 400), rel=2e-3
    )
    assert page.image.shape[1] == pytest.approx(page.width_pt * page.scale, abs=1)
    height, width = page.image.shape
    assert page.image[int(height * 0.3), int(width * 0.12)] < 60 and page.image[5, 5] > 200
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert f"{path}, page 1" in warning
    assert "4000 x 3000 px" in warning and "SLD_MAX_PAGE_PIXELS" in warning
    assert "instead of 400" in warning


@pytest.mark.usefixtures("pillow_limit_low")
def test_the_pillow_limit_is_back_after_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    sheet((2000, 1000)).save(path)
    load_page(open_source(path), 0, Settings(max_page_pixels=1_000_000))
    assert Image.MAX_IMAGE_PIXELS == 100_000


def test_a_jpeg_far_over_the_cap_is_decoded_small(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """libjpeg decodes at 1/2, 1/4 or 1/8 scale: the full image is never held."""
    decoded: list[tuple[int, int]] = []
    draft = JpegImagePlugin.JpegImageFile.draft

    def spy(image: JpegImagePlugin.JpegImageFile, *args: Any) -> Any:
        result = draft(image, *args)
        decoded.append(image.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    path = tmp_path / "a0.jpg"
    sheet((4000, 3000), "RGB").save(path, dpi=(400, 400), quality=90)
    page = load_page(open_source(path), 0, Settings(max_page_pixels=1_000_000))
    # Half scale (2000 x 1500) is the smallest that keeps every pixel the cap allows.
    assert decoded == [(2000, 1500)]
    assert page.image.shape == (866, 1154)
    assert page.width_pt == pytest.approx(4000 * 72 / 400, rel=1e-3)


def test_an_image_over_the_decoding_limit_is_refused_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(raster, "MAX_DECODED_PIXELS", 1_000_000)
    path = tmp_path / "enormous.png"
    sheet((2000, 1000)).save(path)
    with pytest.raises(InputError) as raised:
        open_source(path)
    message = str(raised.value)
    assert str(path) in message and "2000 x 1000 px" in message
    assert "more than sld decodes" in message and "lower resolution" in message


@pytest.mark.slow
def test_a_182_megapixel_scan_is_read_not_refused(tmp_path: Path) -> None:
    """Above Pillow's real limit (2 x 89.5 Mpx) with its default setting."""
    path = tmp_path / "sheet.png"
    image = Image.new("1", (13500, 13500), 1)
    ImageDraw.Draw(image).rectangle([1350, 1350, 2025, 6750], fill=0)
    image.save(path, dpi=(400, 400))
    page = load_page(open_source(path), 0, Settings())
    assert page.image.size <= Settings().max_page_pixels
    assert page.width_pt == pytest.approx(13500 * 72 / 400, rel=1e-3)
    assert page.image[page.image.shape[0] // 4, int(page.image.shape[1] * 0.12)] < 60


def test_a_sheet_rendered_below_the_asked_dpi_is_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "long.pdf"
    drawing = canvas.Canvas(str(path), pagesize=(7200, 3600))
    drawing.line(100, 100, 7000, 3500)
    drawing.showPage()
    drawing.save()
    with caplog.at_level(logging.WARNING, logger="sld.pages.raster"):
        page = load_page(open_source(path), 0, Settings(dpi=200, max_page_pixels=1_000_000))
    assert page.dpi < 20
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert f"{path}, page 1: rendered at {page.dpi:.2f} dpi instead of 200" in warning
    assert "SLD_MAX_PAGE_PIXELS" in warning


def pdf_with_media_box(path: Path, media: tuple[float, float, float, float]) -> Path:
    document = pdfium.PdfDocument.new()
    page = document.new_page(300, 200)
    page.set_mediabox(*media)
    document.save(path)
    document.close()
    return path


def test_an_empty_media_box_is_read_as_letter_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = pdf_with_media_box(tmp_path / "zero.pdf", (0, 0, 0, 0))
    with caplog.at_level(logging.WARNING, logger="sld.pages.raster"):
        page = load_page(open_source(path), 0, Settings(dpi=50))
    assert (page.width_pt, page.height_pt) == (612, 792)
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warning == (
        f"{path}, page 1: has an empty MediaBox [0 0 0 0]; read as 612 x 792 pt, as PDF viewers do"
    )


def test_an_ordinary_page_gives_no_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = pdf_with_media_box(tmp_path / "fine.pdf", (0, 0, 300, 200))
    with caplog.at_level(logging.WARNING, logger="sld.pages.raster"):
        load_page(open_source(path), 0, Settings(dpi=50))
    assert not caplog.records


def test_odd_page_boxes_are_named() -> None:
    used = (0.0, 0.0, 612.0, 792.0)
    assert "has no MediaBox" in (odd_page_box(None, None, used) or "")
    assert "empty CropBox [0 0 0 0]" in (odd_page_box(used, (0, 0, 0, 0), used) or "")
    outside = odd_page_box((0, 0, 100, 100), (50, 50, 150, 150), (50, 50, 100, 100))
    assert outside is not None and "reaches outside its MediaBox" in outside
    assert odd_page_box((0, 0, 100, 100), (10, 10, 90, 90), (10, 10, 90, 90)) is None

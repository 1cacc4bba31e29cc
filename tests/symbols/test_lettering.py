"""Reading the letters inside round symbols, and naming rings by them."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from sld.geometry import as_boxes, iou_matrix
from sld.settings import Settings
from sld.symbols.detectors.template import TemplateDetector
from sld.symbols.lettering import holds, read_inside
from sld.synth import render_symbol_png, symbol_variant
from sld.text.engines.rapid import RapidTextReader
from tests.symbols.test_template import DPI, whole_page_tile


@pytest.fixture(scope="module")
def reader() -> RapidTextReader:
    settings = Settings()
    return RapidTextReader(settings.ocr_tile_size, settings.ocr_tile_overlap)


@pytest.mark.parametrize(
    ("key", "letters"),
    [
        ("motor/iec/m_3ph", "M"),
        ("motor/ansi/m", "M"),
        ("generator/iec/g_tilde", "G"),
        ("meter/ansi/ammeter", "A"),
        ("meter/iec/voltmeter", "V"),
    ],
)
def test_the_catalogues_lettered_symbols_read_their_letters(
    reader: RapidTextReader, key: str, letters: str
) -> None:
    variant = symbol_variant(key)
    assert variant.letters == letters
    image, box, _ = render_symbol_png(variant, 1.25, DPI)
    reading = read_inside(image, box, lambda line: reader.recognise(line, upright=True))
    assert holds(reading, letters), reading


def test_a_faint_scans_letters_lighter_than_mid_grey_are_read(reader: RapidTextReader) -> None:
    # A pale scan: ink at grey 150 on paper at 235, with some noise; no pixel is below 128.
    image, box, _ = render_symbol_png(symbol_variant("generator/ansi/g"), 1.25, DPI)
    rng = np.random.default_rng(3)
    faint = 150 + (image.astype(np.float64) / 255.0) * 85 + rng.normal(0, 4, image.shape)
    faint = np.clip(faint, 140, 255).astype(np.uint8)
    assert faint.min() >= 128
    reading = read_inside(faint, box, lambda line: reader.recognise(line, upright=True))
    assert holds(reading, "G"), reading


def test_an_empty_ring_reads_nothing(reader: RapidTextReader) -> None:
    image = np.full((120, 120), 255, np.uint8)
    cv2.circle(image, (60, 60), 40, 0, 3)
    assert read_inside(image, (20, 20, 100, 100), lambda line: reader.recognise(line)) == ""
    assert read_inside(image, (20, 20, 21, 21), lambda line: reader.recognise(line)) == ""


def test_holds_wants_every_letter_as_drawn() -> None:
    assert holds("M|3~", "M")
    assert not holds("m", "M")
    assert not holds("G", "GM")
    assert holds("anything", "")


def _ring_on_wire(inside: str) -> tuple[np.ndarray, np.ndarray]:
    """A ring on a vertical conductor with a cross, a letter in a font the catalogue does not
    use, or nothing inside; and the ring's box."""
    page = np.full((700, 700), 255, np.uint8)
    centre, radius = 350, 34
    cv2.line(page, (centre, 0), (centre, centre - radius), 0, 3)
    cv2.line(page, (centre, centre + radius), (centre, 699), 0, 3)
    cv2.circle(page, (centre, centre), radius, 0, 3, lineType=cv2.LINE_AA)
    reach = int(radius * 0.7)
    if inside == "cross":
        low, high = centre - reach, centre + reach
        cv2.line(page, (low, low), (high, high), 0, 3)
        cv2.line(page, (high, low), (low, high), 0, 3)
    elif inside:
        font = cv2.FONT_HERSHEY_SIMPLEX
        (width, height), _ = cv2.getTextSize(inside, font, 1.2, 3)
        origin = (centre - width // 2, centre + height // 2)
        cv2.putText(page, inside, origin, font, 1.2, 0, 3, cv2.LINE_AA)
    edge = radius + 1
    return page, np.asarray([centre - edge, centre - edge, centre + edge, centre + edge], float)


@pytest.mark.parametrize(
    ("inside", "expected"),
    [("M", "motor"), ("G", "generator"), ("cross", "symbol"), ("", "symbol")],
)
def test_a_ring_is_named_by_what_its_inside_reads(inside: str, expected: str) -> None:
    """Another office's M or G, drawn in its own font and size, names the ring (shape alone
    called both a meter); a lamp's cross or an empty ring is a device of no known type."""
    image, box = _ring_on_wire(inside)
    (found,) = TemplateDetector(Settings()).detect([whole_page_tile(image)])
    assert len(found) == 1
    assert str(found.labels[0]) == expected
    assert iou_matrix(found.boxes, as_boxes([box]))[0, 0] >= 0.7
    # What a device of no known type looks most like, for its label to choose from.
    resembles = found.resembles[0]
    assert (len(resembles) >= 1) if expected == "symbol" else resembles == ()

"""Every raster stage survives pages nobody would draw: ink up to every edge, all black, all
white, one pixel wide or high, noise, skewed lines, a sheet frame on the image border.

Hypothesis draws the pages; each goes through the stages a scan goes through (OCR, symbol
detection and merging, conductor tracing, linking, the graph and the result page). Nothing may
raise: a hostile page gives an empty or a poor result, never a crash.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sld import stages
from sld.pages.page import PageImage
from sld.settings import Settings

SETTINGS = Settings(ocr="rapidocr", tile_size=512, tile_overlap=128)


def _page(image: np.ndarray, dpi: float = 200.0) -> PageImage:
    return PageImage.from_raster(np.ascontiguousarray(image, dtype=np.uint8), dpi, "hostile.png")


def _run_every_stage(page: PageImage) -> None:
    texts = stages.read_text(page, SETTINGS)
    symbols = stages.merge(stages.detect(page, texts, SETTINGS), SETTINGS)
    ids = stages.component_ids(page.index, symbols)
    conductors = stages.trace_conductors(page, symbols, texts)
    links = stages.link(page, symbols, texts, conductors)
    graph = stages.build_graph(page, symbols, ids, texts, links, conductors, SETTINGS)
    result = stages.assemble_page(page, symbols, ids, texts, links, graph)
    for component in result.components:
        x0, y0, x1, y1 = component.bbox
        assert 0 <= x0 < x1 <= page.width_pt + 1e-6 and 0 <= y0 < y1 <= page.height_pt + 1e-6


@st.composite
def hostile_images(draw: st.DrawFn) -> np.ndarray:
    height = draw(st.integers(1, 260))
    width = draw(st.integers(1, 260))
    kind = draw(st.sampled_from(["white", "black", "noise", "frame", "lines", "skewed"]))
    if kind == "white":
        return np.full((height, width), 255, np.uint8)
    if kind == "black":
        return np.zeros((height, width), np.uint8)
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    if kind == "noise":
        return rng.integers(0, 256, (height, width), dtype=np.uint8)
    image = np.full((height, width), 255, np.uint8)
    if kind == "frame":
        # A sheet frame on the image's very edge, and a conductor running into it.
        image[0, :] = image[-1, :] = 0
        image[:, 0] = image[:, -1] = 0
        image[:, width // 2] = 0
        return image
    for _ in range(draw(st.integers(1, 12))):
        x0, x1 = (int(v) for v in rng.integers(-20, width + 20, 2))
        y0, y1 = (int(v) for v in rng.integers(-20, height + 20, 2))
        if kind == "lines":
            x1, y1 = (x1, y0) if rng.random() < 0.5 else (x0, y1)
        cv2.line(image, (x0, y0), (x1, y1), 0, int(rng.integers(1, 4)))
    return image


@pytest.mark.slow
@settings(
    max_examples=40, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(hostile_images(), st.sampled_from([72.0, 200.0, 600.0]))
def test_hostile_pages_go_through_every_raster_stage(image: np.ndarray, dpi: float) -> None:
    _run_every_stage(_page(image, dpi))


@pytest.mark.slow
def test_a_very_large_page_with_its_frame_on_the_edge() -> None:
    """A6000 x 4000 px page: the frame on the image's edge, a bus and feeders with breakers."""
    image = np.full((4000, 6000), 255, np.uint8)
    cv2.rectangle(image, (0, 0), (5999, 3999), 0, 3)
    cv2.line(image, (300, 800), (5700, 800), 0, 6)
    for x in range(600, 5700, 600):
        cv2.line(image, (x, 800), (x, 1400), 0, 3)
        cv2.rectangle(image, (x - 40, 1400), (x + 40, 1500), 0, 3)
        cv2.line(image, (x, 1500), (x, 3999), 0, 3)
    _run_every_stage(_page(image))


def test_one_pixel_pages() -> None:
    for image in (
        np.zeros((1, 500), np.uint8),
        np.zeros((500, 1), np.uint8),
        np.zeros((1, 1), np.uint8),
    ):
        _run_every_stage(_page(image))

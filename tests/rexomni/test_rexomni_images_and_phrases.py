"""Model images (padding, pixel budget) and matching zero-shot labels to component types."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import smart_resize

from sld.detections import Detections
from sld.pages.tiling import Tile
from sld.rexomni.images import MAX_PIXELS, MIN_PIXELS, fit_pixel_budget, model_image
from sld.settings import Settings
from sld.symbols.detectors.zero_shot import PhraseMatcher, drop_boxes_on_text


@given(
    width=st.integers(28, 6000),
    height=st.integers(28, 6000),
    max_patches=st.sampled_from([16, 100, 1280, 2560]),
)
def test_pixel_budget_follows_the_qwen_processor(width: int, height: int, max_patches: int) -> None:
    if max(width, height) / min(width, height) > 200:
        return
    max_pixels = max_patches * 28 * 28
    expected_h, expected_w = smart_resize(
        height, width, factor=28, min_pixels=MIN_PIXELS, max_pixels=max_pixels
    )
    assert fit_pixel_budget(width, height, MIN_PIXELS, max_pixels) == (expected_w, expected_h)


def test_upstream_notebook_size() -> None:
    assert fit_pixel_budget(1440, 810) == (1428, 812)
    assert MAX_PIXELS == 2_007_040 and MIN_PIXELS == 12_544


@pytest.mark.parametrize(
    ("shape", "expected"),
    [((100, 200), (200, 100)), ((10, 20), (28, 28)), ((30, 9000), (9000, 45))],
)
def test_model_image_pads_only_where_the_processor_needs_it(
    shape: tuple[int, int], expected: tuple[int, int]
) -> None:
    grey = np.zeros(shape, dtype=np.uint8)
    image = model_image(grey)
    assert image.mode == "RGB" and image.size == expected
    pixels = np.asarray(image)[:, :, 0]
    np.testing.assert_array_equal(pixels[: shape[0], : shape[1]], grey)
    assert (pixels[shape[0] :, :] == 255).all() and (pixels[:, shape[1] :] == 255).all()


MATCHER = PhraseMatcher(Settings().rexomni_phrases)


@pytest.mark.parametrize(
    ("label", "component_type"),
    [
        ("circuit breaker symbol", "circuit_breaker"),
        ("Circuit-Breaker", "circuit_breaker"),
        ("circuit_breaker", "circuit_breaker"),
        ("circut breaker symbol", "circuit_breaker"),  # corrected / misspelt echo
        ("circuit breaker symbols", "circuit_breaker"),
        ("breaker", "circuit_breaker"),  # Grounding DINO's partial label
        ("disconnect switches", "disconnect_switch"),
        ("switch", "disconnect_switch"),
        ("generater symbol", "generator"),
        ("transformer", "transformer"),
        ("symbol", None),  # says nothing about the type
        ("lamp", None),
        ("motor generator", None),  # two types at once: not guessed
        ("", None),
        ("   ", None),
    ],
)
def test_labels_match_back_to_types(label: str, component_type: str | None) -> None:
    assert MATCHER.match(label) == component_type


def test_matcher_needs_phrases() -> None:
    with pytest.raises(ValueError):
        PhraseMatcher({})


def test_boxes_mostly_on_text_are_dropped() -> None:
    tile = Tile(
        index=0,
        x0=0,
        y0=0,
        image=np.zeros((50, 50), dtype=np.uint8),
        text_boxes=np.asarray([[0.0, 0.0, 20.0, 10.0]]),
    )
    found = Detections.from_lists(
        [[0, 0, 10, 10], [0, 0, 40, 40], [30, 30, 40, 40]], [1, 1, 1], ["fuse", "motor", "fuse"]
    )
    assert list(drop_boxes_on_text(found, tile).labels) == ["motor", "fuse"]
    bare = Tile(index=1, x0=0, y0=0, image=tile.image)
    assert len(drop_boxes_on_text(found, bare)) == 3

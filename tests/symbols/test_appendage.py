"""A side stroke to a mark off a symbol's body is cut off for the comparison; nothing else is."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from sld.symbols.appendage import body_without_appendage
from sld.synth import SYMBOL_VARIANTS, SymbolVariant, render_symbol_png
from sld.synth.foreign import FOREIGN_VARIANTS


def _strokes(image: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    x0, y0, x1, y1 = (round(v) for v in box)
    return np.ascontiguousarray((image[y0:y1, x0:x1] < 128).astype(np.uint8))


def _breaker_with_relay(ring: bool) -> np.ndarray:
    """A box on a vertical conductor with a straight lead from its right side, to a small
    ring (or to nothing)."""
    mask = np.zeros((40, 80), np.uint8)
    cv2.rectangle(mask, (2, 5), (30, 35), 1, 2)
    cv2.line(mask, (30, 20), (62, 20), 1, 2)
    if ring:
        cv2.circle(mask, (70, 20), 7, 1, 2)
    return mask


def test_a_relay_lead_to_a_ring_is_cut_off() -> None:
    body = body_without_appendage(_breaker_with_relay(ring=True), vertical=True)
    assert body is not None
    # The box, and no more than a stub of the lead.
    assert 30 <= body.shape[1] <= 36
    assert body[:, :30].sum() == _breaker_with_relay(ring=True)[:, :30].sum()


def test_the_cut_follows_the_conductor_across() -> None:
    # The same drawing on a horizontal conductor: the lead leaves downwards.
    body = body_without_appendage(_breaker_with_relay(ring=True).T.copy(), vertical=False)
    assert body is not None
    assert 30 <= body.shape[0] <= 36


def test_a_lead_to_nothing_is_part_of_the_body() -> None:
    assert body_without_appendage(_breaker_with_relay(ring=False), vertical=True) is None


def test_the_foreign_ansi_breakers_relay_is_cut_off() -> None:
    variant = next(v for v in FOREIGN_VARIANTS if v.variant == "arc_relay")
    image, box, _ = render_symbol_png(variant, 1.25, 200)
    strokes = _strokes(image, box)
    body = body_without_appendage(strokes, vertical=True)
    assert body is not None
    assert body.shape[0] == strokes.shape[0]
    assert body.shape[1] < 0.6 * strokes.shape[1]


@pytest.mark.parametrize("variant", SYMBOL_VARIANTS, ids=lambda v: v.key)
def test_no_catalogue_drawing_has_an_appendage(variant: SymbolVariant) -> None:
    image, box, _ = render_symbol_png(variant, 1.25, 200)
    strokes = _strokes(image, box)
    assert body_without_appendage(strokes, vertical=True) is None

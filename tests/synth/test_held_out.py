"""The held-out drawing office: six core types per standard, each drawn and boxed soundly."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from sld.document import CORE_TYPES
from sld.synth.held_out import HELD_OUT_HOUSE, HELD_OUT_VARIANTS
from sld.synth.symbols import SymbolVariant, render_symbol_png

ROUND_TYPES = {"motor", "generator"}


def test_one_variant_of_each_core_type_per_standard() -> None:
    assert isinstance(HELD_OUT_HOUSE, int)
    assert len(HELD_OUT_VARIANTS) == 12
    counts = Counter((v.standard, v.type) for v in HELD_OUT_VARIANTS)
    assert set(counts) == {(s, t) for s in ("iec", "ansi") for t in CORE_TYPES}
    assert set(counts.values()) == {1}
    assert len({v.key for v in HELD_OUT_VARIANTS}) == 12


@pytest.mark.parametrize("variant", HELD_OUT_VARIANTS, ids=lambda v: v.key)
def test_variant_renders_with_ink_in_its_body(variant: SymbolVariant) -> None:
    image, (x0, y0, x1, y1), _ = render_symbol_png(variant, scale=1.0, dpi=200)
    assert image.ndim == 2
    body = image[int(y0) : int(np.ceil(y1)), int(x0) : int(np.ceil(x1))]
    assert body.size and (body < 128).sum() > 20
    if variant.type in ROUND_TYPES:
        assert not variant.rotatable
        assert variant.letters == {"motor": "M", "generator": "G"}[variant.type]
        assert not variant.leads


@pytest.mark.parametrize("variant", [v for v in HELD_OUT_VARIANTS if v.leads], ids=lambda v: v.key)
@pytest.mark.parametrize("rotation", [0, 90])
def test_body_box_leaves_the_leads_out(variant: SymbolVariant, rotation: int) -> None:
    image, (x0, y0, x1, y1), terminals = render_symbol_png(
        variant, scale=1.0, dpi=200, rotation=rotation
    )
    height, width = image.shape
    assert 0 < x0 < x1 < width and 0 < y0 < y1 < height
    # The terminals sit outside the body box, on the ends of the leads.
    for x, y in terminals.values():
        assert not (x0 < x < x1 and y0 < y < y1)
    ys = sorted(y for _, y in terminals.values())
    xs = sorted(x for x, _ in terminals.values())
    if rotation == 0:
        assert ys[0] < y0 and ys[-1] > y1
    else:
        assert xs[0] < x0 and xs[-1] > x1


@pytest.mark.parametrize(
    "variant", [v for v in HELD_OUT_VARIANTS if v.type not in ROUND_TYPES], ids=lambda v: v.key
)
def test_terminals_on_the_vertical_axis(variant: SymbolVariant) -> None:
    assert variant.leads
    assert [name for name, _ in variant.terminals] == ["a", "b"]
    (ax, ay), (bx, by) = variant.terminal("a"), variant.terminal("b")
    assert ax == 0.0 and bx == 0.0
    assert ay < 0.0 < by
    assert 10.0 <= by - ay <= 40.0

"""Synthetic single-line diagrams with exact ground truth (placeholder docstring)."""

from sld.synth.generate import generate_set, make_sheets
from sld.synth.symbols import (
    SYMBOL_VARIANTS,
    Placement,
    SymbolGeometry,
    SymbolVariant,
    draw_symbol,
    render_symbol_png,
    symbol_geometry,
    symbol_variant,
)

__all__ = [
    "SYMBOL_VARIANTS",
    "Placement",
    "SymbolGeometry",
    "SymbolVariant",
    "draw_symbol",
    "generate_set",
    "make_sheets",
    "render_symbol_png",
    "symbol_geometry",
    "symbol_variant",
]

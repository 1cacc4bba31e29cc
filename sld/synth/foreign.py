"""Another office's drawings of the six core types: the synthetic style the library never saw.

The built-in symbol library is rendered from `symbols.SYMBOL_VARIANTS`, so sheets drawn with
those variants measure the detector on drawings it was made from. The variants here were drawn
apart from those, after other drawing conventions for the same IEC 60617 / IEEE 315 symbols:
other proportions (a transformer's circles overlapping by more than half, a fuse body wider
than the catalogue's), other details (a breaker's box with a slash instead of an empty box, a
relay lead off the ANSI breaker's arc, a blade on a pivot dot, three coil turns instead of
four, a longer S curve) and other letter layouts in the machines. They are never rendered into
`models/symbols/`; `sld synth --house-style foreign` draws every core type this way
(`FOREIGN_HOUSE`), and the benchmarks report on it after calibrating on the catalogue's styles.
"""

from __future__ import annotations

from sld.synth.symbols import (
    Arc,
    Circle,
    Line,
    Polyline,
    Primitive,
    SymbolVariant,
    lead_lines,
    letter_strokes,
    round_terminals,
    sine_stroke,
    vertical_terminals,
)

#: The house-style number that draws the core types with these variants.
FOREIGN_HOUSE = 9


def _iec() -> list[SymbolVariant]:
    # Two circles that overlap by more than half their diameter.
    r, d = 7.5, 4.0
    rings = (Circle(0, -d, r), Circle(0, d, r))
    # A breaker drawn as a tall box with a slash through it.
    box_slash = (
        Polyline(((-4.5, -6.5), (4.5, -6.5), (4.5, 6.5), (-4.5, 6.5)), closed=True),
        Line(-4.5, 6.5, 4.5, -6.5),
    )
    # A blade hinged on a dot, closing onto a short contact bar set off the axis.
    pivot = (
        Circle(0, 6.5, 1.1, fill=True),
        Line(0, 6.5, -6.0, -4.5),
        Line(-1.5, -6.5, 2.5, -6.5),
    )
    # A fuse body wider and shorter than the catalogue's, the wire through it.
    wide = (
        Polyline(((-4.0, -6.0), (4.0, -6.0), (4.0, 6.0), (-4.0, 6.0)), closed=True),
        Line(0, -6.0, 0, 6.0),
    )
    rm = 9.5
    motor = (
        Circle(0, 0, rm),
        *letter_strokes("M", 0, -1.5, 9.5),
        sine_stroke(0, 5.8, 7.0, 2.0),
    )
    generator = (
        Circle(0, 0, rm),
        *letter_strokes("G", 0, -1.8, 8.0),
        Line(-4.0, 5.6, 4.0, 5.6),
        Line(-4.0, 7.2, 4.0, 7.2),
    )
    return [
        SymbolVariant(
            "transformer",
            "iec",
            "rings_close",
            rings,
            vertical_terminals(r + d + 3),
            leads=lead_lines(r + d + 3, r + d),
        ),
        SymbolVariant(
            "circuit_breaker",
            "iec",
            "box_slash",
            box_slash,
            vertical_terminals(10),
            leads=lead_lines(10, 6.5),
        ),
        SymbolVariant(
            "disconnect_switch",
            "iec",
            "blade_pivot",
            pivot,
            vertical_terminals(12),
            leads=lead_lines(12, 6.5),
        ),
        SymbolVariant(
            "fuse", "iec", "body_wide", wide, vertical_terminals(10), leads=lead_lines(10, 6.0)
        ),
        SymbolVariant(
            "motor", "iec", "m_wave", motor, round_terminals(rm), rotatable=False, letters="M"
        ),
        SymbolVariant(
            "generator",
            "iec",
            "g_bars",
            generator,
            round_terminals(rm),
            rotatable=False,
            letters="G",
        ),
    ]


def _ansi() -> list[SymbolVariant]:
    def coil(y: float, toward: float) -> list[Primitive]:
        """Three half turns along y, bulging down (toward > 0) or up (toward < 0)."""
        extent = -180.0 if toward > 0 else 180.0
        return [Arc(-7.0 + 7.0 * i, y, 3.5, 180.0, extent) for i in range(3)]

    coils = (*coil(-6.5, 1), *coil(6.5, -1))
    # The ANSI breaker's arc with a relay lead off its side to a small ring.
    arc_relay = (
        Arc(0, 0, 5.5, -90, 180),
        Line(-2.5, -5.5, 2.5, -5.5),
        Line(-2.5, 5.5, 2.5, 5.5),
        Line(5.5, 0, 10.0, 0),
        Circle(11.6, 0, 1.6),
    )
    # A blade ending in a hook, closing onto a V-shaped contact.
    hook = (
        Line(0, 6.0, -5.5, -3.5),
        Arc(-4.0, -4.2, 1.5, 150, 150),
        Polyline(((-2.5, -8.5), (0, -6.0), (2.5, -8.5))),
    )
    s_long = (
        Arc(0, -4.0, 2.0, -90, 180),
        Arc(0, 0.0, 2.0, -90, -180),
        Arc(0, 4.0, 2.0, -90, 180),
    )
    rm = 9.0
    motor = (Circle(0, 0, rm), *letter_strokes("M", 0, 0.5, 6.5), Line(-3.5, -5.5, 3.5, -5.5))
    generator = (
        Circle(0, 0, rm),
        sine_stroke(0, -2.5, 10.0, 4.0),
        *letter_strokes("G", 0, 4.0, 5.0),
    )
    return [
        SymbolVariant(
            "transformer",
            "ansi",
            "coils_three",
            coils,
            vertical_terminals(17),
            leads=(Line(0, -17, 0, -6.5), Line(0, 6.5, 0, 17)),
        ),
        SymbolVariant(
            "circuit_breaker",
            "ansi",
            "arc_relay",
            arc_relay,
            vertical_terminals(12),
            leads=lead_lines(12, 5.5),
        ),
        SymbolVariant(
            "disconnect_switch",
            "ansi",
            "blade_hook",
            hook,
            vertical_terminals(13),
            leads=lead_lines(13, 6.0),
        ),
        SymbolVariant(
            "fuse", "ansi", "s_long", s_long, vertical_terminals(11), leads=lead_lines(11, 6.0)
        ),
        SymbolVariant(
            "motor", "ansi", "m_bar", motor, round_terminals(rm), rotatable=False, letters="M"
        ),
        SymbolVariant(
            "generator",
            "ansi",
            "wave_g",
            generator,
            round_terminals(rm),
            rotatable=False,
            letters="G",
        ),
    ]


#: Every foreign variant, IEC then ANSI.
FOREIGN_VARIANTS: tuple[SymbolVariant, ...] = (*_iec(), *_ansi())

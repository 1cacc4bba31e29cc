"""A held-out drawing office: the six core types as a third office would draw them.

The detector is tuned on the built-in catalogue and on the "foreign" office's symbols. To
report how it copes with a drawing office it has never seen, this module draws the six core
types (transformer, circuit breaker, disconnect switch, fuse, motor, generator) once per
standard in a separate style, designed from the IEC 60617 and IEEE 315 / ANSI one-line
conventions alone, without looking at the catalogue, the foreign office, the exemplar library
or their images. The drawings keep to common real-world conventions (overlapping rings, facing
coils, a cross or a bar at the fixed contact, knife switches with contact circles, a fuse body
with the conductor through it or the S-curve, round machines with stroke letters) but in
proportions and details of their own: ring sizes and overlap, number of turns, blade angles,
contact marks, fuse body size, letter size and place.

These variants are for reporting only: nobody tunes the detector on them, and they are never
rendered into models/symbols/.
"""

from __future__ import annotations

import math

from sld.synth.symbols import (
    Arc,
    Bezier,
    Circle,
    Line,
    Point,
    Polyline,
    Primitive,
    SymbolVariant,
    lead_lines,
    letter_strokes,
    round_terminals,
    sine_stroke,
    vertical_terminals,
)

#: The house number of this drawing office, next to the catalogue's and the foreign office's.
HELD_OUT_HOUSE = 10


def _toward(start: Point, end: Point, distance: float) -> Point:
    """The point `distance` from `start` along the segment to `end`."""
    (x0, y0), (x1, y1) = start, end
    length = math.hypot(x1 - x0, y1 - y0)
    return (x0 + (x1 - x0) * distance / length, y0 + (y1 - y0) * distance / length)


def _humps(y: float, r: float, count: int, down: bool) -> tuple[Primitive, ...]:
    """A winding: `count` half-circle turns side by side along y, centred on the axis."""
    first = -r * (count - 1)
    extent = -180.0 if down else 180.0
    return tuple(Arc(first + 2 * r * i, y, r, 180.0, extent) for i in range(count))


# --- IEC 60617 --------------------------------------------------------------------------------

# Two-winding transformer: two equal rings on the conductor, overlapping by about two thirds
# of their radius.
_IEC_TRANSFORMER = SymbolVariant(
    "transformer",
    "iec",
    "twin_rings",
    (Circle(0.0, -4.6, 6.8), Circle(0.0, 4.6, 6.8)),
    vertical_terminals(17.5),
    leads=lead_lines(17.5, 11.4),
)

# Circuit breaker: a make contact whose blade, hinged at the bottom, stands open to the left;
# a diagonal cross marks the fixed contact at the end of the upper lead.
_IEC_BREAKER = SymbolVariant(
    "circuit_breaker",
    "iec",
    "cross_contact",
    (
        Line(0.0, 7.0, -6.2, -7.8),
        Line(-2.1, -9.1, 2.1, -4.9),
        Line(-2.1, -4.9, 2.1, -9.1),
    ),
    vertical_terminals(15.5),
    leads=(Line(0.0, -15.5, 0.0, -7.0), Line(0.0, 7.0, 0.0, 15.5)),
)

# Disconnector: the same open blade, a little steeper, with a short bar across the end of
# the upper lead as the fixed contact.
_IEC_DISCONNECT = SymbolVariant(
    "disconnect_switch",
    "iec",
    "bar_contact",
    (Line(0.0, 8.0, -5.4, -8.6), Line(-3.2, -8.0, 3.2, -8.0)),
    vertical_terminals(16.0),
    leads=(Line(0.0, -16.0, 0.0, -8.0), Line(0.0, 8.0, 0.0, 16.0)),
)

# Fuse: a slender rectangle with the conductor running straight through it.
_IEC_FUSE = SymbolVariant(
    "fuse",
    "iec",
    "slim_cartridge",
    (
        Polyline(((-2.8, -8.5), (2.8, -8.5), (2.8, 8.5), (-2.8, 8.5)), closed=True),
        Line(0.0, -8.5, 0.0, 8.5),
    ),
    vertical_terminals(14.5),
    leads=lead_lines(14.5, 8.5),
)

# Three-phase motor: a ring with a large M and a smaller "3~" beneath it.
_IEC_MOTOR = SymbolVariant(
    "motor",
    "iec",
    "m_over_3ph",
    (
        Circle(0.0, 0.0, 11.0),
        *letter_strokes("M", 0.0, -2.6, 7.0),
        *letter_strokes("3", -2.6, 4.9, 5.0),
        sine_stroke(2.4, 4.9, 4.4, 2.0),
    ),
    round_terminals(11.0),
    rotatable=False,
    letters="M",
)

# AC generator: a ring with G and a sine wave under it.
_IEC_GENERATOR = SymbolVariant(
    "generator",
    "iec",
    "g_over_sine",
    (
        Circle(0.0, 0.0, 10.5),
        *letter_strokes("G", 0.0, -2.4, 7.6),
        sine_stroke(0.0, 5.2, 7.0, 2.6),
    ),
    round_terminals(10.5),
    rotatable=False,
    letters="G",
)


# --- IEEE 315 / ANSI one-line -----------------------------------------------------------------

# Two-winding transformer: two windings of four turns each facing one another across a small
# gap, the line meeting each winding at its middle.
_ANSI_TRANSFORMER = SymbolVariant(
    "transformer",
    "ansi",
    "facing_coils",
    (*_humps(-4.1, 2.7, 4, down=True), *_humps(4.1, 2.7, 4, down=False)),
    vertical_terminals(14.5),
    leads=lead_lines(14.5, 4.1),
)

# Power circuit breaker: the one-line square on the conductor.
_ANSI_BREAKER = SymbolVariant(
    "circuit_breaker",
    "ansi",
    "square_box",
    (Polyline(((-6.5, -6.5), (6.5, -6.5), (6.5, 6.5), (-6.5, 6.5)), closed=True),),
    vertical_terminals(15.0),
    leads=lead_lines(15.0, 6.5),
)

# Disconnect switch: a knife blade open to the left from a hinge circle at the bottom, with
# a small circle for the fixed contact at the top.
_HINGE, _JAW, _TIP, _RING = (0.0, 7.5), (0.0, -7.5), (-6.8, -8.2), 1.5
_ANSI_DISCONNECT = SymbolVariant(
    "disconnect_switch",
    "ansi",
    "knife_rings",
    (
        Circle(*_HINGE, _RING),
        Circle(*_JAW, _RING),
        Line(*_toward(_HINGE, _TIP, _RING), *_TIP),
    ),
    vertical_terminals(15.0),
    leads=lead_lines(15.0, 7.5 + _RING),
)

# Fuse: the S-curve of one full sine period along the conductor.
_ANSI_FUSE = SymbolVariant(
    "fuse",
    "ansi",
    "s_curve",
    (
        # Two half waves, the upper bulging right and the lower left, leaving and joining the
        # conductor along it and crossing it on the slant at the middle.
        Bezier((0.0, -7.5), (1.5, -5.5), (7.0, -2.5), (0.0, 0.0)),
        Bezier((0.0, 0.0), (-7.0, 2.5), (-1.5, 5.5), (0.0, 7.5)),
    ),
    vertical_terminals(14.0),
    leads=lead_lines(14.0, 7.5),
)

# Motor: a ring with a bold M filling most of it.
_ANSI_MOTOR = SymbolVariant(
    "motor",
    "ansi",
    "big_m",
    (Circle(0.0, 0.0, 9.5), *letter_strokes("M", 0.0, 0.0, 9.0)),
    round_terminals(9.5),
    rotatable=False,
    letters="M",
)

# Generator: a larger ring with a single G.
_ANSI_GENERATOR = SymbolVariant(
    "generator",
    "ansi",
    "big_g",
    (Circle(0.0, 0.0, 12.0), *letter_strokes("G", 0.0, 0.0, 10.0)),
    round_terminals(12.0),
    rotatable=False,
    letters="G",
)


HELD_OUT_VARIANTS: tuple[SymbolVariant, ...] = (
    _IEC_TRANSFORMER,
    _IEC_BREAKER,
    _IEC_DISCONNECT,
    _IEC_FUSE,
    _IEC_MOTOR,
    _IEC_GENERATOR,
    _ANSI_TRANSFORMER,
    _ANSI_BREAKER,
    _ANSI_DISCONNECT,
    _ANSI_FUSE,
    _ANSI_MOTOR,
    _ANSI_GENERATOR,
)

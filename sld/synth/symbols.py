"""The symbol catalogue: every (type, standard, variant) the generator draws, and how.

Each variant is a list of stroke primitives in a local frame: origin at the body centre, y
downwards, the conductor running vertically through it, one unit = one point at scale 1.
`draw_symbol` places a variant on a reportlab canvas (scale, rotation in quarter turns, mirror)
and returns where it landed: its body box (covering every drawn stroke, half the stroke width
included) and its terminal points on that box's edge, where wires attach. `symbol_geometry`
computes the same without drawing, so a layout can measure a symbol before committing to it,
and `render_symbol_png` rasterises one variant exactly as the sheets draw it, for exemplars.

Letters inside symbols (M, G, the motor's "3~") are strokes, never text, so they stay out of
the PDF text layer like they would on a CAD drawing exported with text as geometry.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pypdfium2 as pdfium
from numpy.typing import NDArray
from reportlab.pdfgen.canvas import Canvas

Point = tuple[float, float]
Box = tuple[float, float, float, float]
Standard = Literal["iec", "ansi"]


# --- primitives -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """A straight stroke with butt caps: its ink ends exactly at its end points."""

    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Polyline:
    """Connected straight strokes with round joins; `fill` paints the closed shape solid."""

    points: tuple[Point, ...]
    closed: bool = False
    fill: bool = False


@dataclass(frozen=True)
class Circle:
    cx: float
    cy: float
    r: float
    fill: bool = False


@dataclass(frozen=True)
class Arc:
    """Circular arc through the points (cx + r cos a, cy + r sin a), y down, a in degrees."""

    cx: float
    cy: float
    r: float
    start: float
    extent: float


@dataclass(frozen=True)
class Bezier:
    p0: Point
    p1: Point
    p2: Point
    p3: Point


Primitive = Line | Polyline | Circle | Arc | Bezier


# --- stroke letters ---------------------------------------------------------------------------


def letter_strokes(char: str, cx: float, cy: float, height: float) -> list[Primitive]:
    """A capital letter or sign as strokes, centred at (cx, cy); width about 0.75 x height."""
    h = height
    w = 0.75 * h
    x0, y0 = cx - w / 2, cy - h / 2
    x1, y1 = cx + w / 2, cy + h / 2

    def pt(u: float, v: float) -> Point:
        return (x0 + u * w, y0 + v * h)

    if char == "M":
        return [Polyline((pt(0, 1), pt(0, 0), pt(0.5, 0.62), pt(1, 0), pt(1, 1)))]
    if char == "G":
        r = h / 2
        return [
            Arc(cx, cy, r, -40.0, -280.0),
            Polyline(((cx + 0.15 * w, cy + 0.05 * h), (x1, cy + 0.05 * h), (x1, y1 - 0.08 * h))),
        ]
    if char == "A":
        return [
            Polyline((pt(0, 1), pt(0.5, 0), pt(1, 1))),
            Line(*pt(0.22, 0.62), *pt(0.78, 0.62)),
        ]
    if char == "V":
        return [Polyline((pt(0, 0), pt(0.5, 1), pt(1, 0)))]
    if char == "W":
        return [Polyline((pt(0, 0), pt(0.25, 1), pt(0.5, 0.35), pt(0.75, 1), pt(1, 0)))]
    if char == "3":
        r = h / 4
        return [
            Arc(cx, y0 + r, r, -160.0, 250.0),
            Arc(cx, y1 - r, r, -90.0, 250.0),
        ]
    if char == "~":
        return [sine_stroke(cx, cy, w, h * 0.5)]
    raise ValueError(f"no stroke letter for {char!r}")


def sine_stroke(cx: float, cy: float, width: float, amplitude: float) -> Bezier:
    """One full sine period as a cubic Bézier, centred at (cx, cy)."""
    half = width / 2
    a = amplitude / 2
    return Bezier(
        (cx - half, cy),
        (cx - half / 3, cy - 2.3 * a),
        (cx + half / 3, cy + 2.3 * a),
        (cx + half, cy),
    )


# --- the variants -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SymbolVariant:
    """One way of drawing one component type in one standard.

    `primitives` draw the body, `leads` the straight stubs from the terminals to it along the
    conductor (on a sheet they cannot be told from the wire, so the result format's box, the
    body box, leaves them out). `terminals` are in the local frame (y down): "a" at the top,
    "b" at the bottom; round symbols also offer "l" and "r" on their sides. `rotatable` says
    whether the generator may turn it onto a horizontal run (round symbols with letters stay
    upright).
    """

    type: str
    standard: Standard
    variant: str
    primitives: tuple[Primitive, ...]
    terminals: tuple[tuple[str, Point], ...]
    rotatable: bool = True
    leads: tuple[Primitive, ...] = ()
    #: The letters drawn inside that tell the type from its look-alikes (a motor's M, a
    #: generator's G); empty where the drawing holds none.
    letters: str = ""

    @property
    def strokes(self) -> tuple[Primitive, ...]:
        """Everything drawn: leads and body."""
        return (*self.leads, *self.primitives)

    @property
    def key(self) -> str:
        return f"{self.type}/{self.standard}/{self.variant}"

    def terminal(self, name: str) -> Point:
        return dict(self.terminals)[name]


def vertical_terminals(half: float) -> tuple[tuple[str, Point], ...]:
    return (("a", (0.0, -half)), ("b", (0.0, half)))


def round_terminals(r: float) -> tuple[tuple[str, Point], ...]:
    return (("a", (0.0, -r)), ("b", (0.0, r)), ("l", (-r, 0.0)), ("r", (r, 0.0)))


def lead_lines(half: float, inner: float) -> tuple[Primitive, ...]:
    """Lead strokes from the terminals at +-half to the body at +-inner."""
    return (Line(0, -half, 0, -inner), Line(0, inner, 0, half))


def _transformers() -> list[SymbolVariant]:
    r, d = 9.0, 6.0  # circle radius, centre offset from the middle
    circle_leads = tuple(lead_lines(r + d + 3, r + d))
    circles: list[Primitive] = [Circle(0, -d, r), Circle(0, d, r)]
    delta = Polyline(((0, -d - 4.5), (3.9, -d + 2.2), (-3.9, -d + 2.2)), closed=True)
    wye = [Line(0, d, 0, d + 4.5), Line(0, d, -3.9, d - 2.3), Line(0, d, 3.9, d - 2.3)]

    def coil(y: float, toward: float) -> list[Primitive]:
        """Four half-circle turns along y, bulging down (toward > 0) or up (toward < 0)."""
        extent = -180.0 if toward > 0 else 180.0
        return [Arc(-9.0 + 6.0 * i, y, 3.0, 180.0, extent) for i in range(4)]

    coil_leads = (Line(0, -16, 0, -5.5), Line(0, 5.5, 0, 16))
    coils: list[Primitive] = [*coil(-5.5, 1), *coil(5.5, -1)]
    core = [Line(-12, -1.0, 12, -1.0), Line(-12, 1.0, 12, 1.0)]
    terminals = vertical_terminals(r + d + 3)
    return [
        SymbolVariant(
            "transformer", "iec", "two_circles", tuple(circles), terminals, leads=circle_leads
        ),
        SymbolVariant(
            "transformer",
            "iec",
            "vector_group",
            (*circles, delta, *wye),
            terminals,
            leads=circle_leads,
        ),
        SymbolVariant(
            "transformer", "ansi", "coils", tuple(coils), vertical_terminals(16), leads=coil_leads
        ),
        SymbolVariant(
            "transformer",
            "ansi",
            "coils_core",
            (*coils, *core),
            vertical_terminals(16),
            leads=coil_leads,
        ),
    ]


def _breakers() -> list[SymbolVariant]:
    square = (Polyline(((-6, -6), (6, -6), (6, 6), (-6, 6)), closed=True),)
    switch_cross = (
        Line(-2.5, -8.5, 2.5, -3.5),
        Line(-2.5, -3.5, 2.5, -8.5),
        Line(0, 6, -7, -5),
    )
    arc = (Arc(0, 0, 5, -90, 180), Line(-2, -5, 2, -5), Line(-2, 5, 2, 5))
    drawout = (
        Polyline(((-4, -14), (0, -10), (4, -14))),
        Polyline(((-6, -6), (6, -6), (6, 6), (-6, 6)), closed=True),
        Polyline(((-4, 14), (0, 10), (4, 14))),
    )
    return [
        SymbolVariant(
            "circuit_breaker",
            "iec",
            "square",
            square,
            vertical_terminals(10),
            leads=lead_lines(10, 6),
        ),
        SymbolVariant(
            "circuit_breaker",
            "iec",
            "switch_cross",
            switch_cross,
            vertical_terminals(14),
            leads=(Line(0, -14, 0, -6), Line(0, 6, 0, 14)),
        ),
        SymbolVariant(
            "circuit_breaker", "ansi", "arc", arc, vertical_terminals(12), leads=lead_lines(12, 5)
        ),
        SymbolVariant(
            "circuit_breaker",
            "ansi",
            "drawout",
            drawout,
            vertical_terminals(17),
            leads=(Line(0, -17, 0, -6), Line(0, 6, 0, 17)),
        ),
    ]


def _disconnects() -> list[SymbolVariant]:
    bar_leads = (Line(0, -14, 0, -6), Line(0, 6, 0, 14))
    bar = (Line(-3.5, -6, 3.5, -6), Line(0, 6, -7, -5))
    load_break = (*bar, Circle(0, -6, 1.4))
    contacts = (
        Circle(0, -6, 1.6),
        Circle(0, 6, 1.6),
        Line(-1.0, 4.7, -7.5, -6.5),
    )
    contact_leads = (Line(0, -14, 0, -7.6), Line(0, 7.6, 0, 14))
    return [
        SymbolVariant(
            "disconnect_switch", "iec", "blade_bar", bar, vertical_terminals(14), leads=bar_leads
        ),
        SymbolVariant(
            "disconnect_switch",
            "iec",
            "load_break",
            load_break,
            vertical_terminals(14),
            leads=bar_leads,
        ),
        SymbolVariant(
            "disconnect_switch",
            "ansi",
            "blade_contacts",
            contacts,
            vertical_terminals(14),
            leads=contact_leads,
        ),
    ]


def _fuses() -> list[SymbolVariant]:
    rect = Polyline(((-3.2, -8), (3.2, -8), (3.2, 8), (-3.2, 8)), closed=True)
    # The conductor runs on through the rectangle: inside it, it is part of the body.
    through = (Line(0, -8, 0, 8), rect)
    striker = (
        Line(0, -8, 0, 8),
        rect,
        Polyline(((-3.2, 5), (3.2, 5), (3.2, 8), (-3.2, 8)), closed=True, fill=True),
    )
    s_curve = (Arc(0, -3, 3, -90, 180), Arc(0, 3, 3, -90, -180))
    box = (Polyline(((-3, -7), (3, -7), (3, 7), (-3, 7)), closed=True),)
    terminals = vertical_terminals(12)
    return [
        SymbolVariant("fuse", "iec", "rect_through", through, terminals, leads=lead_lines(12, 8)),
        SymbolVariant("fuse", "iec", "rect_striker", striker, terminals, leads=lead_lines(12, 8)),
        SymbolVariant("fuse", "ansi", "s_curve", s_curve, terminals, leads=lead_lines(12, 6)),
        SymbolVariant("fuse", "ansi", "box", box, terminals, leads=lead_lines(12, 7)),
    ]


def _machines() -> list[SymbolVariant]:
    r = 10.5
    ring = Circle(0, 0, r)
    m = (ring, *letter_strokes("M", 0, 0, 8.5))
    m_3ph = (
        ring,
        *letter_strokes("M", 0, -2.6, 6.5),
        *letter_strokes("3", -2.6, 5.0, 4.0),
        sine_stroke(2.4, 5.0, 4.0, 2.0),
    )
    g = (ring, *letter_strokes("G", 0, 0, 9.0))
    g_tilde = (ring, *letter_strokes("G", 0, -2.6, 7.0), sine_stroke(0, 5.2, 6.0, 2.4))
    sine = (ring, sine_stroke(0, 0, 12.0, 6.0))
    return [
        SymbolVariant(
            "motor", "iec", "m_3ph", m_3ph, round_terminals(r), rotatable=False, letters="M"
        ),
        SymbolVariant("motor", "iec", "m", m, round_terminals(r), rotatable=False, letters="M"),
        SymbolVariant("motor", "ansi", "m", m, round_terminals(r), rotatable=False, letters="M"),
        SymbolVariant(
            "generator", "iec", "g_tilde", g_tilde, round_terminals(r), rotatable=False, letters="G"
        ),
        SymbolVariant("generator", "iec", "sine", sine, round_terminals(r), rotatable=False),
        SymbolVariant(
            "generator", "ansi", "g", g, round_terminals(r), rotatable=False, letters="G"
        ),
        SymbolVariant("generator", "ansi", "sine", sine, round_terminals(r), rotatable=False),
    ]


def _extras() -> list[SymbolVariant]:
    """Non-core symbols drawn as distractors; the evaluation does not score them."""
    ct_iec = (Line(0, -5, 0, 5), Circle(0, 0, 5))
    ct_ansi = (Line(0, -5, 0, 5), Arc(2.2, -2.5, 2.5, -90, 180), Arc(2.2, 2.5, 2.5, -90, 180))
    ground = (
        Line(-7, 0, 7, 0),
        Line(-4.5, 3, 4.5, 3),
        Line(-2, 6, 2, 6),
    )
    capacitor = (Line(-7, -2, 7, -2), Line(-7, 2, 7, 2))
    capacitor_ansi = (Line(-7, -2, 7, -2), Arc(0, 11, 9, -140, 100))
    meter_v = (Circle(0, 0, 6), *letter_strokes("V", 0, 0, 5.0))
    meter_a = (Circle(0, 0, 6), *letter_strokes("A", 0, 0, 5.0))
    arrester = (
        Polyline(((-3.5, -6), (3.5, -6), (3.5, 6), (-3.5, 6)), closed=True),
        Polyline(((0, -4), (0, 3))),
        Polyline(((-1.6, 1), (0, 3.5), (1.6, 1)), closed=True, fill=True),
        Line(0, 6, 0, 9),
        Line(-5, 9, 5, 9),
        Line(-3, 11, 3, 11),
        Line(-1.2, 13, 1.2, 13),
    )
    load = (Polyline(((-3.5, 3), (3.5, 3), (0, 10)), closed=True, fill=True),)
    one_end = (("a", (0.0, -8.0)),)
    ct_leads = lead_lines(10, 5)
    plate_leads = lead_lines(10, 2)
    meter_leads = lead_lines(12, 6)
    arrester_lead = (Line(0, -12, 0, -6),)
    load_lead = (Line(0, -10, 0, 3),)
    return [
        SymbolVariant(
            "current_transformer", "iec", "circle", ct_iec, vertical_terminals(10), leads=ct_leads
        ),
        SymbolVariant(
            "current_transformer", "ansi", "loops", ct_ansi, vertical_terminals(10), leads=ct_leads
        ),
        SymbolVariant("ground", "iec", "bars", ground, one_end, leads=(Line(0, -8, 0, 0),)),
        SymbolVariant("ground", "ansi", "bars", ground, one_end, leads=(Line(0, -8, 0, 0),)),
        SymbolVariant(
            "capacitor", "iec", "plates", capacitor, vertical_terminals(10), leads=plate_leads
        ),
        SymbolVariant(
            "capacitor",
            "ansi",
            "curved_plate",
            capacitor_ansi,
            vertical_terminals(10),
            leads=plate_leads,
        ),
        SymbolVariant(
            "meter",
            "iec",
            "voltmeter",
            meter_v,
            vertical_terminals(12),
            False,
            leads=meter_leads,
            letters="V",
        ),
        SymbolVariant(
            "meter",
            "ansi",
            "ammeter",
            meter_a,
            vertical_terminals(12),
            False,
            leads=meter_leads,
            letters="A",
        ),
        SymbolVariant(
            "surge_arrester", "iec", "block", arrester, (("a", (0.0, -12.0)),), leads=arrester_lead
        ),
        SymbolVariant(
            "surge_arrester", "ansi", "block", arrester, (("a", (0.0, -12.0)),), leads=arrester_lead
        ),
        SymbolVariant("load_arrow", "iec", "arrow", load, (("a", (0.0, -10.0)),), leads=load_lead),
        SymbolVariant("load_arrow", "ansi", "arrow", load, (("a", (0.0, -10.0)),), leads=load_lead),
    ]


def _winding(y: float, toward: float, turns: int, radius: float) -> list[Primitive]:
    """`turns` half-circle turns side by side along y, centred on the conductor, bulging down
    (toward > 0) or up."""
    sweep = -180.0 if toward > 0 else 180.0
    start = -radius * turns + radius
    return [Arc(start + 2 * radius * i, y, radius, 180.0, sweep) for i in range(turns)]


def _proportions() -> list[SymbolVariant]:
    """Catalogue drawings at the other proportions that drawing offices give them: for the
    library only (`sld.symbols.builtin`), never drawn on a sheet. Each changes one thing that
    varies from office to office while the symbol stays the same: how far a transformer's two
    circles overlap, how many turns its windings have, how slim a fuse body is, how many bends
    an S-shaped fuse makes. Stretching a candidate and an exemplar to one square (the
    comparison in `sld.symbols.classify`) forgives proportions of the whole drawing, not of
    its parts."""
    variants = []
    r = 9.0
    for name, d in (("two_circles_close", 4.5), ("two_circles_apart", 7.5)):
        leads = lead_lines(r + d + 3, r + d)
        circles = (Circle(0, -d, r), Circle(0, d, r))
        terminals = vertical_terminals(r + d + 3)
        variants.append(SymbolVariant("transformer", "iec", name, circles, terminals, leads=leads))
    for turns in (3, 5):
        radius = 12.0 / turns
        half_gap = radius + 2.5
        coils = (*_winding(-half_gap, 1, turns, radius), *_winding(half_gap, -1, turns, radius))
        leads = (Line(0, -16, 0, -half_gap), Line(0, half_gap, 0, 16))
        variants.append(
            SymbolVariant(
                "transformer", "ansi", f"coils_{turns}", coils, vertical_terminals(16), leads=leads
            )
        )
    for name, half_width, half_height in (("rect_wide", 4.8, 7.0), ("rect_slim", 2.4, 9.0)):
        corners = (
            (-half_width, -half_height),
            (half_width, -half_height),
            (half_width, half_height),
            (-half_width, half_height),
        )
        body = (Line(0, -half_height, 0, half_height), Polyline(corners, closed=True))
        leads = lead_lines(12, half_height)
        variants.append(
            SymbolVariant("fuse", "iec", name, body, vertical_terminals(12), leads=leads)
        )
    bends = (
        Arc(0, -5.0, 2.5, -90, 180),
        Arc(0, 0.0, 2.5, -90, -180),
        Arc(0, 5.0, 2.5, -90, 180),
    )
    variants.append(
        SymbolVariant(
            "fuse",
            "ansi",
            "s_three_bends",
            bends,
            vertical_terminals(12),
            leads=lead_lines(12, 7.5),
        )
    )
    return variants


#: Every symbol variant the generator draws, core types first.
SYMBOL_VARIANTS: tuple[SymbolVariant, ...] = (
    *_transformers(),
    *_breakers(),
    *_disconnects(),
    *_fuses(),
    *_machines(),
    *_extras(),
)

#: The library's other proportions of catalogue drawings (`_proportions`), never drawn.
PROPORTION_VARIANTS: tuple[SymbolVariant, ...] = tuple(_proportions())

_BY_KEY: dict[str, SymbolVariant] = {
    variant.key: variant for variant in (*SYMBOL_VARIANTS, *PROPORTION_VARIANTS)
}


def symbol_variant(key: str) -> SymbolVariant:
    """The variant named `type/standard/variant`, e.g. 'circuit_breaker/ansi/drawout'."""
    return _BY_KEY[key]


def variants_of(component_type: str, standard: Standard) -> list[SymbolVariant]:
    """The catalogue's variants of a type in a standard."""
    return [v for v in SYMBOL_VARIANTS if v.type == component_type and v.standard == standard]


#: A house style: the one variant each component type is drawn with.
HouseStyle = dict[str, SymbolVariant]


def _offices() -> dict[str, tuple[int, tuple[SymbolVariant, ...]]]:
    """Other drawing offices by name: their house number and their drawings of the core types.
    'foreign' was looked at while the detector was developed (`sld.synth.foreign`);
    'held-out' never was (`sld.synth.held_out`)."""
    from sld.synth.foreign import FOREIGN_HOUSE, FOREIGN_VARIANTS
    from sld.synth.held_out import HELD_OUT_HOUSE, HELD_OUT_VARIANTS

    return {
        "foreign": (FOREIGN_HOUSE, FOREIGN_VARIANTS),
        "held-out": (HELD_OUT_HOUSE, HELD_OUT_VARIANTS),
    }


def office_variants(number: int) -> tuple[SymbolVariant, ...]:
    """The core types as another drawing office draws them, for the house numbers that stand
    for one; empty for the catalogue's houses."""
    return next((drawn for house, drawn in _offices().values() if house == number), ())


def office_house(name: str) -> int:
    """The house number of another office by its name ('foreign', 'held-out')."""
    offices = _offices()
    if name not in offices:
        raise ValueError(f"no office called {name!r} (known: {', '.join(offices)})")
    return offices[name][0]


def house_style(number: int, standard: Standard) -> HouseStyle:
    """House style `number` of a standard: one variant per type, as one drawing office draws.

    Without a house style every symbol picks its variant anew, so one sheet mixes, say, both IEC
    breaker drawings; real drawing sets are consistent, and "cut one breaker, find all breakers"
    assumes they are. The houses of other offices (`office_variants`) draw the six core types
    their own way, which the built-in library does not hold, and the rest from the catalogue.
    """
    rng = random.Random(f"sld.synth/house/{number}/{standard}")
    types = dict.fromkeys(v.type for v in SYMBOL_VARIANTS if v.standard == standard)
    style = {kind: rng.choice(variants_of(kind, standard)) for kind in types}
    style.update({v.type: v for v in office_variants(number) if v.standard == standard})
    return style


# --- placement --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """Where and how a variant is drawn on the page (points, y down)."""

    variant: SymbolVariant
    x: float
    y: float
    scale: float = 1.0
    #: Clockwise quarter turns on the displayed page: 0, 90, 180 or 270.
    rotation: int = 0
    #: Mirror left-right in the symbol's own frame, before rotating.
    mirror: bool = False
    #: Stroke width in points (independent of scale).
    line_width: float = 1.0

    def __post_init__(self) -> None:
        if not self.variant.rotatable and (self.rotation or self.mirror):
            raise ValueError(f"{self.variant.key} is drawn upright only (it holds letters)")

    def matrix(self) -> tuple[float, float, float, float]:
        """The 2x2 linear part local -> page as (a, b, c, d): page = (a x + c y, b x + d y)."""
        if self.rotation not in (0, 90, 180, 270):
            raise ValueError(f"rotation must be a quarter turn, got {self.rotation}")
        theta = math.radians(self.rotation)
        cos, sin = round(math.cos(theta)), round(math.sin(theta))
        m = -1.0 if self.mirror else 1.0
        s = self.scale
        return (s * m * cos, s * m * sin, -s * sin, s * cos)

    def to_page(self, point: Point) -> Point:
        a, b, c, d = self.matrix()
        x, y = point
        return (self.x + a * x + c * y, self.y + b * x + d * y)


@dataclass(frozen=True)
class SymbolGeometry:
    """A placed symbol, in page points (y down): the box of everything drawn (`bbox`, leads
    included: the room it takes on the sheet), its body box (`body`: the result format's box,
    without the leads) and its terminal points."""

    bbox: Box
    terminals: dict[str, Point]
    body: Box


def _arc_points(arc: Arc, steps: int = 24) -> list[Point]:
    return [
        (
            arc.cx + arc.r * math.cos(math.radians(arc.start + arc.extent * i / steps)),
            arc.cy + arc.r * math.sin(math.radians(arc.start + arc.extent * i / steps)),
        )
        for i in range(steps + 1)
    ]


def _bezier_points(curve: Bezier, steps: int = 24) -> list[Point]:
    p = np.array([curve.p0, curve.p1, curve.p2, curve.p3])
    t = np.linspace(0.0, 1.0, steps + 1)[:, None]
    pts = (
        (1 - t) ** 3 * p[0] + 3 * (1 - t) ** 2 * t * p[1] + 3 * (1 - t) * t**2 * p[2] + t**3 * p[3]
    )
    return [(float(x), float(y)) for x, y in pts]


def _ink_points(primitive: Primitive, place: Placement) -> list[Point]:
    """Page points whose box, grown as the stroke requires, covers the primitive's ink."""
    half = place.line_width / 2
    if isinstance(primitive, Line):
        (x0, y0) = place.to_page((primitive.x0, primitive.y0))
        (x1, y1) = place.to_page((primitive.x1, primitive.y1))
        length = math.hypot(x1 - x0, y1 - y0) or 1.0
        nx, ny = -(y1 - y0) / length * half, (x1 - x0) / length * half
        # Butt caps: the ink is the rectangle around the segment, nothing beyond its ends.
        return [(x0 + nx, y0 + ny), (x0 - nx, y0 - ny), (x1 + nx, y1 + ny), (x1 - nx, y1 - ny)]
    if isinstance(primitive, Circle):
        cx, cy = place.to_page((primitive.cx, primitive.cy))
        r = primitive.r * place.scale + (0.0 if primitive.fill else half)
        return [(cx - r, cy - r), (cx + r, cy + r)]
    if isinstance(primitive, Polyline):
        local: Sequence[Point] = primitive.points
    elif isinstance(primitive, Arc):
        local = _arc_points(primitive)
    else:
        local = _bezier_points(primitive)
    grow = 0.0 if isinstance(primitive, Polyline) and primitive.fill else half
    points: list[Point] = []
    for point in local:
        x, y = place.to_page(point)
        points += [(x - grow, y - grow), (x + grow, y + grow)]
    return points


def _ink_box(primitives: Sequence[Primitive], place: Placement) -> Box:
    points = [p for primitive in primitives for p in _ink_points(primitive, place)]
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


def symbol_geometry(place: Placement) -> SymbolGeometry:
    """Boxes and terminals of a placed variant, without drawing it."""
    terminals = {name: place.to_page(point) for name, point in place.variant.terminals}
    return SymbolGeometry(
        _ink_box(place.variant.strokes, place),
        terminals,
        _ink_box(place.variant.primitives, place),
    )


def draw_symbol(canvas: Canvas, place: Placement, page_height: float) -> SymbolGeometry:
    """Draw a placed variant on a reportlab canvas whose page is `page_height` points tall."""
    a, b, c, d = place.matrix()
    canvas.saveState()
    # Page coordinates are y down; reportlab's are y up from the bottom edge.
    canvas.transform(a, -b, c, -d, place.x, page_height - place.y)
    canvas.setLineWidth(place.line_width / place.scale)
    canvas.setLineCap(0)
    canvas.setLineJoin(1)
    canvas.setStrokeGray(0)
    canvas.setFillGray(0)
    for primitive in place.variant.strokes:
        _draw_primitive(canvas, primitive)
    canvas.restoreState()
    return symbol_geometry(place)


def _draw_primitive(canvas: Canvas, primitive: Primitive) -> None:
    if isinstance(primitive, Line):
        canvas.line(primitive.x0, primitive.y0, primitive.x1, primitive.y1)
        return
    if isinstance(primitive, Circle):
        fill = int(primitive.fill)
        canvas.circle(primitive.cx, primitive.cy, primitive.r, stroke=1 - fill, fill=fill)
        return
    path = canvas.beginPath()
    if isinstance(primitive, Polyline):
        path.moveTo(*primitive.points[0])
        for point in primitive.points[1:]:
            path.lineTo(*point)
        if primitive.closed:
            path.close()
        fill = int(primitive.fill)
        canvas.drawPath(path, stroke=1 - fill, fill=fill)
        return
    if isinstance(primitive, Arc):
        r = primitive.r
        path.arc(
            primitive.cx - r,
            primitive.cy - r,
            primitive.cx + r,
            primitive.cy + r,
            startAng=primitive.start,
            extent=primitive.extent,
        )
    else:
        path.moveTo(*primitive.p0)
        path.curveTo(*primitive.p1, *primitive.p2, *primitive.p3)
    canvas.drawPath(path, stroke=1, fill=0)


# --- exemplars --------------------------------------------------------------------------------


def render_symbol_png(
    variant: SymbolVariant | str,
    scale: float = 1.0,
    dpi: float = 200.0,
    *,
    rotation: int = 0,
    mirror: bool = False,
    line_width: float = 1.0,
    margin: float = 4.0,
) -> tuple[NDArray[np.uint8], Box, dict[str, Point]]:
    """Rasterise one variant as the sheets draw it.

    Returns the grey image (uint8, 255 = paper) of everything drawn, leads included, the body
    box (without the leads, as the result format boxes a symbol) and the terminals, both in
    pixels of that image. `margin` is the paper around the drawing, in points.
    """
    if isinstance(variant, str):
        variant = symbol_variant(variant)
    probe = symbol_geometry(Placement(variant, 0.0, 0.0, scale, rotation, mirror, line_width))
    x0, y0, x1, y1 = probe.bbox
    width, height = x1 - x0 + 2 * margin, y1 - y0 + 2 * margin
    place = Placement(variant, margin - x0, margin - y0, scale, rotation, mirror, line_width)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), invariant=1)
    geometry = draw_symbol(canvas, place, height)
    canvas.showPage()
    canvas.save()
    pdf = pdfium.PdfDocument(buffer.getvalue())
    try:
        bitmap = pdf[0].render(scale=dpi / 72.0, grayscale=True)
        image = np.array(bitmap.to_pil().convert("L"), dtype=np.uint8)
    finally:
        pdf.close()
    px = dpi / 72.0
    bx0, by0, bx1, by1 = geometry.body
    terminals = {name: (x * px, y * px) for name, (x, y) in geometry.terminals.items()}
    return image, (bx0 * px, by0 * px, bx1 * px, by1 * px), terminals


SymbolDrawer = Callable[[Canvas, Placement, float], SymbolGeometry]

"""Component labels: designations and ratings, values first, then written the way drawings do.

Every rating is drawn as a value (volts, kVA, amperes ...) and only then formatted in one of the
real-world spellings of the project's shared conventions ("500KVA", "2.5 MVA", "13.8kV-480Y/277V",
"100AF/80AT", "5.75%Z" ...). The ground truth records the value the convention assigns to what
was written, so the ratings parser can be scored exactly. Fragments that carry no rating key
("42kAIC", "100AF", "DRAWOUT", "Dyn11") are written too, as drawings do.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Literal

Standard = Literal["iec", "ansi"]
RatingValue = float | int | list[float]


@dataclass(frozen=True)
class Fragment:
    """A piece of a label line and the ratings it states."""

    text: str
    ratings: dict[str, RatingValue] = field(default_factory=dict)


@dataclass(frozen=True)
class Label:
    """A component's label block: its lines top to bottom, its designation and its ratings."""

    lines: tuple[str, ...]
    name: str | None
    ratings: dict[str, RatingValue]


@dataclass(frozen=True)
class VoltageLevel:
    """A system voltage: line-line volts, and whether it is written as a wye ("480Y/277V")."""

    volts: float
    wye_neutral: float | None = None


# --- formatting values ------------------------------------------------------------------------


def _number(value: float) -> str:
    """13.8 -> '13.8', 480.0 -> '480', 2.5 -> '2.5'."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text


def _kv_unit(rng: random.Random) -> str:
    return rng.choice(["kV", "kV", "KV", "kV"])


def format_voltage(level: VoltageLevel, rng: random.Random, *, kilo: bool | None = None) -> str:
    """One voltage as written: '480V', '13.8kV', '13.8 KV', '480Y/277V', '4160V'."""
    if level.wye_neutral is not None:
        return f"{_number(level.volts)}Y/{_number(level.wye_neutral)}V"
    if kilo is None:
        kilo = level.volts >= 1000 and rng.random() < 0.8
    if kilo:
        space = " " if rng.random() < 0.2 else ""
        return f"{_number(level.volts / 1000)}{space}{_kv_unit(rng)}"
    return f"{_number(level.volts)}V"


def voltage_fragment(level: VoltageLevel, rng: random.Random) -> Fragment:
    return Fragment(format_voltage(level, rng), {"voltage_v": [level.volts]})


def voltage_pair_fragment(
    primary: VoltageLevel, secondary: VoltageLevel, rng: random.Random
) -> Fragment:
    """A transformer's voltages: '13.8kV-480Y/277V', '13800/480V', '13.8KV/480V', '11kV-400V'."""
    values: list[float] = [primary.volts, secondary.volts]
    if secondary.wye_neutral is not None or rng.random() < 0.45:
        # A wye secondary already holds a slash: only a dash can separate it from the primary.
        sep = "-" if secondary.wye_neutral is not None else rng.choice(["-", "/"])
        first = format_voltage(primary, rng, kilo=primary.volts >= 1000)
        text = f"{first}{sep}{format_voltage(secondary, rng, kilo=False)}"
        return Fragment(text.replace(" ", ""), {"voltage_v": values})
    # Plain volts with one unit at the end: '13800/480V', '13800-480V'.
    sep = rng.choice(["/", "-"])
    return Fragment(
        f"{_number(primary.volts)}{sep}{_number(secondary.volts)}V", {"voltage_v": values}
    )


def power_kva_fragment(kva: float, rng: random.Random) -> Fragment:
    """'500KVA', '500 kVA', '2.5MVA', '2500KVA'."""
    space = " " if rng.random() < 0.3 else ""
    if kva >= 1000 and rng.random() < 0.6:
        unit = rng.choice(["MVA", "MVA", "Mva"]) if rng.random() < 0.9 else "MVA"
        return Fragment(f"{_number(kva / 1000)}{space}{unit}", {"power_kva": kva})
    unit = rng.choice(["KVA", "kVA", "KVA"])
    return Fragment(f"{_number(kva)}{space}{unit}", {"power_kva": kva})


def power_kw_fragment(kw: float, rng: random.Random) -> Fragment:
    space = " " if rng.random() < 0.3 else ""
    return Fragment(f"{_number(kw)}{space}{rng.choice(['kW', 'KW', 'kW'])}", {"power_kw": kw})


def power_hp_fragment(hp: float, rng: random.Random) -> Fragment:
    space = " " if rng.random() < 0.3 else ""
    return Fragment(f"{_number(hp)}{space}HP", {"power_hp": hp})


def impedance_fragment(pct: float, rng: random.Random) -> Fragment:
    value = _number(pct)
    text = rng.choice([f"Z={value}%", f"{value}%Z", f"%Z={value}", f"Z {value}%", f"Z={value}%"])
    return Fragment(text, {"impedance_pct": pct})


def current_fragment(amps: float, rng: random.Random) -> Fragment:
    space = " " if rng.random() < 0.15 else ""
    return Fragment(f"{_number(amps)}{space}A", {"current_a": amps})


def frame_trip_fragment(frame: float, trip: float, rng: random.Random) -> Fragment:
    """'100AF/80AT' (trip is the current), '80AT' alone, or '100AF' alone (no current)."""
    roll = rng.random()
    if roll < 0.65:
        return Fragment(f"{_number(frame)}AF/{_number(trip)}AT", {"current_a": trip})
    if roll < 0.85:
        return Fragment(f"{_number(trip)}AT", {"current_a": trip})
    return Fragment(f"{_number(frame)}AF")


def interrupting_fragment(ka: float, rng: random.Random) -> Fragment:
    return Fragment(rng.choice([f"{_number(ka)}kAIC", f"{_number(ka)}KAIC", f"{_number(ka)}kA"]))


def frequency_fragment(hz: float, rng: random.Random) -> Fragment:
    text = rng.choice(
        [f"{_number(hz)}Hz", f"{_number(hz)}HZ", f"{_number(hz)} HZ", f"{_number(hz)}Hz"]
    )
    return Fragment(text, {"frequency_hz": hz})


def phases_fragment(phases: int, rng: random.Random) -> Fragment:
    text = rng.choice([f"{phases}PH", f"{phases}Ø", f"{phases}-PHASE", f"{phases}PH", f"{phases}~"])
    return Fragment(text, {"phases": phases})


def poles_fragment(poles: int, rng: random.Random) -> Fragment:
    text = rng.choice([f"{poles}P", f"{poles}P", f"{poles} POLE"])
    return Fragment(text, {"poles": poles})


# --- designations -----------------------------------------------------------------------------

#: Designation patterns per component type, by drawing style; "{n}" is the running number.
_DESIGNATIONS: dict[str, dict[Standard, tuple[str, ...]]] = {
    "transformer": {"iec": ("T{n}", "TX-{n}"), "ansi": ("T{n}", "TX-{n}", "T-{n}")},
    "circuit_breaker": {"iec": ("Q{n}", "CB-{n}", "QF{n}"), "ansi": ("CB-{n}", "52-{n}", "CB{n}")},
    "disconnect_switch": {
        "iec": ("QS{n}", "DS-{n}", "SW-{n}"),
        "ansi": ("DS-{n}", "89-{n}", "SW-{n}"),
    },
    "fuse": {"iec": ("F{n}", "FU-{n}"), "ansi": ("FU-{n}", "F{n}", "FU{n}")},
    "motor": {"iec": ("M{n}", "M-{n}"), "ansi": ("M{n}", "MTR-{n}", "M-{n}")},
    "generator": {"iec": ("G{n}", "GEN-{n}"), "ansi": ("G{n}", "GEN-{n}", "G-{n}")},
    "current_transformer": {"iec": ("CT{n}", "T{n}A"), "ansi": ("CT-{n}", "CT{n}")},
    "capacitor": {"iec": ("C{n}", "CAP-{n}"), "ansi": ("C-{n}", "CAP-{n}")},
    "surge_arrester": {"iec": ("FV{n}", "SA-{n}"), "ansi": ("SA-{n}", "LA-{n}")},
    "meter": {"iec": ("P{n}", "PV{n}"), "ansi": ("VM-{n}", "AM-{n}")},
    "load_arrow": {"iec": ("DB-{n}", "LP-{n}"), "ansi": ("LP-{n}", "PP-{n}", "PNL-{n}")},
    "ground": {"iec": (), "ansi": ()},
}


class Designations:
    """Hands out unique designations on one sheet, one pattern per type, numbers counting up."""

    def __init__(self, standard: Standard, rng: random.Random, start: int = 1) -> None:
        self._patterns = {
            kind: rng.choice(patterns[standard])
            for kind, patterns in _DESIGNATIONS.items()
            if patterns[standard]
        }
        self._next: dict[str, int] = {}
        self._start = start

    def next(self, component_type: str) -> str | None:
        pattern = self._patterns.get(component_type)
        if pattern is None:
            return None
        n = self._next.get(component_type, self._start)
        self._next[component_type] = n + 1
        return pattern.format(n=n)


# --- label blocks -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Electrical:
    """The electrical context a component's ratings are drawn from."""

    standard: Standard
    #: The voltage of the bus the component sits on (its primary side for a transformer).
    level: VoltageLevel
    #: A transformer's secondary voltage.
    secondary: VoltageLevel | None = None
    frequency: float = 60.0


_ANSI_KVA = (75, 112.5, 150, 225, 300, 500, 750, 1000, 1500, 2000, 2500, 3000, 3750, 5000, 7500)
_IEC_KVA = (100, 160, 250, 315, 400, 500, 630, 800, 1000, 1250, 1600, 2000, 2500, 3150)
_HP = (5, 7.5, 10, 15, 20, 25, 30, 40, 50, 60, 75, 100, 125, 150, 200, 250, 300, 400, 500)
_KW = (4, 5.5, 7.5, 11, 15, 18.5, 22, 30, 37, 45, 55, 75, 90, 110, 132, 160, 200, 250, 315)
_BREAKER_A = (
    15,
    20,
    30,
    40,
    60,
    80,
    100,
    125,
    150,
    200,
    225,
    250,
    400,
    600,
    800,
    1200,
    1600,
    2000,
    3000,
)
_FRAMES = (100, 125, 150, 225, 250, 400, 600, 800, 1200, 1600, 2000, 3000, 4000)
_FUSE_A = (3, 6, 10, 15, 20, 25, 30, 40, 60, 100, 125, 160, 200, 250, 400, 600)
_PLAIN: dict[str, tuple[str, ...]] = {
    "transformer": ("DELTA-WYE", "Dyn11", "OA/FA", "OIL FILLED", "DRY TYPE", "Dyn1", "OA"),
    "circuit_breaker": ("DRAWOUT", "LSIG", "ELEC. OPER.", "N.C.", "LSI", "TRIP UNIT LSIG"),
    "disconnect_switch": ("N.C.", "GANG OPERATED", "NON-FUSED", "N.O.", "LOAD BREAK"),
    "fuse": ("CLASS J", "CLASS L", "RK5", "CLASS RK1", "gG", "aM"),
    "motor": ("FVNR", "VFD", "SOFT START", "PUMP", "FAN", "COMPRESSOR", "1780 RPM", "TEFC"),
    "generator": ("STANDBY", "DIESEL", "PRIME", "1800 RPM", "NATURAL GAS", "1500 RPM"),
}


def _pick_current(rng: random.Random, low: float, high: float, table: tuple[float, ...]) -> float:
    choices = [a for a in table if low <= a <= high] or [table[0]]
    return float(rng.choice(choices))


def _fragments(
    kind: str, elec: Electrical, rng: random.Random, kva: float | None
) -> list[Fragment]:
    """The rating fragments a component of this kind may carry, most telling first."""
    ansi = elec.standard == "ansi"
    out: list[Fragment] = []
    if kind == "transformer":
        assert elec.secondary is not None
        size = kva if kva is not None else float(rng.choice(_ANSI_KVA if ansi else _IEC_KVA))
        out.append(power_kva_fragment(size, rng))
        out.append(voltage_pair_fragment(elec.level, elec.secondary, rng))
        out.append(impedance_fragment(rng.choice([4.5, 5.0, 5.5, 5.75, 6.0, 6.5, 7.0, 8.0]), rng))
        if rng.random() < 0.4:
            out.append(Fragment(rng.choice(_PLAIN[kind])))
    elif kind == "circuit_breaker":
        amps = _pick_current(rng, 15, 3000, _BREAKER_A)
        if elec.level.volts < 1000 and rng.random() < 0.5:
            frame = min(f for f in _FRAMES if f >= amps)
            out.append(frame_trip_fragment(frame, amps, rng))
        else:
            out.append(current_fragment(amps, rng))
        if rng.random() < 0.5:
            out.append(poles_fragment(rng.choice([3, 3, 4, 2]), rng))
        if rng.random() < 0.4:
            out.append(interrupting_fragment(rng.choice([22, 25, 35, 42, 50, 65, 100]), rng))
        if rng.random() < 0.3:
            out.append(voltage_fragment(elec.level, rng))
        if rng.random() < 0.2:
            out.append(Fragment(rng.choice(_PLAIN[kind])))
    elif kind == "disconnect_switch":
        out.append(current_fragment(_pick_current(rng, 30, 2000, _BREAKER_A), rng))
        if rng.random() < 0.4:
            out.append(poles_fragment(rng.choice([3, 3, 2]), rng))
        if rng.random() < 0.35:
            out.append(voltage_fragment(elec.level, rng))
        if rng.random() < 0.3:
            out.append(Fragment(rng.choice(_PLAIN[kind])))
    elif kind == "fuse":
        out.append(current_fragment(float(rng.choice(_FUSE_A)), rng))
        if rng.random() < 0.4:
            out.append(voltage_fragment(elec.level, rng))
        if rng.random() < 0.4:
            out.append(Fragment(rng.choice(_PLAIN[kind])))
    elif kind == "motor":
        if ansi and rng.random() < 0.85:
            out.append(power_hp_fragment(float(rng.choice(_HP)), rng))
        else:
            out.append(power_kw_fragment(float(rng.choice(_KW)), rng))
        out.append(voltage_fragment(_motor_voltage(elec.level), rng))
        if rng.random() < 0.5:
            out.append(phases_fragment(3, rng))
        if rng.random() < 0.35:
            out.append(frequency_fragment(elec.frequency, rng))
        if rng.random() < 0.3:
            out.append(Fragment(rng.choice(_PLAIN[kind])))
    elif kind == "generator":
        size = float(rng.choice((250, 500, 750, 1000, 1250, 1500, 2000, 2500, 3000)))
        if rng.random() < 0.6:
            out.append(power_kva_fragment(size, rng))
        else:
            out.append(power_kw_fragment(size * 0.8, rng))
        out.append(voltage_fragment(elec.level, rng))
        if rng.random() < 0.5:
            out.append(phases_fragment(3, rng))
        if rng.random() < 0.5:
            out.append(frequency_fragment(elec.frequency, rng))
        if rng.random() < 0.3:
            out.append(Fragment(rng.choice(_PLAIN[kind])))
    elif kind == "current_transformer":
        out.append(Fragment(rng.choice(["600:5", "1200:5", "2000:5", "400:5", "3000:5", "200:1"])))
    elif kind == "capacitor":
        out.append(Fragment(f"{rng.choice([50, 100, 150, 200, 300, 600])} KVAR"))
    elif kind == "surge_arrester":
        out.append(Fragment(rng.choice(["9kV MCOV", "DIST. CLASS", "STATION CLASS", "10kV MCOV"])))
    elif kind == "meter":
        out.append(Fragment(rng.choice(["SEL-735", "PM8000", "ION7650", "EM-1"])))
    elif kind == "load_arrow":
        if rng.random() < 0.6:
            out.append(power_kva_fragment(float(rng.choice([30, 45, 75, 112.5, 150])), rng))
        if rng.random() < 0.5:
            out.append(voltage_fragment(elec.level, rng))
    return out


def _motor_voltage(bus: VoltageLevel) -> VoltageLevel:
    """Motors are rated a little under the bus voltage, as nameplates are."""
    nameplate = {480.0: 460.0, 208.0: 200.0, 600.0: 575.0, 4160.0: 4000.0, 13800.0: 13200.0}
    return VoltageLevel(nameplate.get(bus.volts, bus.volts))


def make_label(
    kind: str,
    elec: Electrical,
    designations: Designations,
    rng: random.Random,
    *,
    max_lines: int = 4,
    kva: float | None = None,
) -> Label:
    """A label block for one component: designation first, then 0-3 lines of ratings.

    Fragments are stacked one or two to a line; the designation sometimes shares its line with
    the first rating ("M1 75HP"). Ratings are the union over the fragments written.
    """
    name = designations.next(kind)
    fragments = _fragments(kind, elec, rng, kva)
    budget = rng.randint(1, max_lines)
    lines: list[str] = []
    used: list[Fragment] = []
    pending = list(fragments)
    if name is not None:
        if pending and (budget == 1 or rng.random() < 0.2):
            first = pending.pop(0)
            lines.append(f"{name} {first.text}")
            used.append(first)
        else:
            lines.append(name)
    while pending and len(lines) < budget:
        take = 2 if len(pending) > 1 and rng.random() < 0.3 else 1
        chunk, pending = pending[:take], pending[take:]
        lines.append(" ".join(f.text for f in chunk))
        used += chunk
    if not lines and pending:
        lines.append(pending[0].text)
        used.append(pending[0])
    ratings: dict[str, RatingValue] = {}
    for fragment in used:
        for key, value in fragment.ratings.items():
            if key in ratings:
                raise AssertionError(f"two {key} ratings in one label: {lines}")
            ratings[key] = value
    return Label(tuple(lines), name, ratings)

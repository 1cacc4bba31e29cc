"""Ratings and designations: real-world label forms, negatives, and property tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sld.document import Ratings
from sld.text.ratings import (
    combine_ratings,
    designation_type,
    designation_type_hint,
    parse_designation,
    parse_ratings,
    read_label_lines,
    read_ratings,
)

# (label line as written on a drawing, the rating keys it must give)
FORMS: list[tuple[str, dict[str, Any]]] = [
    # Apparent power.
    ("500KVA", {"power_kva": 500}),
    ("500 kVA", {"power_kva": 500}),
    ("500kva", {"power_kva": 500}),
    ("500 KVA", {"power_kva": 500}),
    ("2.5MVA", {"power_kva": 2500}),
    ("2,5 MVA", {"power_kva": 2500}),
    ("0.5 MVA", {"power_kva": 500}),
    ("1500 kVA", {"power_kva": 1500}),
    ("1,500KVA", {"power_kva": 1500}),
    ("112.5KVA", {"power_kva": 112.5}),
    ("750VA", {"power_kva": 0.75}),
    ("1500/2000 KVA", {"power_kva": 1500}),
    ("12/16/20MVA ONAN/ONAF", {"power_kva": 12000}),
    ("T1 500KVA", {"power_kva": 500}),
    # Active power and horsepower.
    ("75kW", {"power_kw": 75}),
    ("75 KW", {"power_kw": 75}),
    ("1.5MW", {"power_kw": 1500}),
    ("0,75 kW", {"power_kw": 0.75}),
    ("75HP", {"power_hp": 75}),
    ("75 HP", {"power_hp": 75}),
    ("75hp", {"power_hp": 75}),
    ("7.5HP", {"power_hp": 7.5}),
    ("1-1/2HP", {"power_hp": 1.5}),
    ("1 1/2 HP", {"power_hp": 1.5}),
    ("1/2HP", {"power_hp": 0.5}),
    ("3/4 HP", {"power_hp": 0.75}),
    ("100 H.P.", {"power_hp": 100}),
    ("M1 75HP", {"power_hp": 75}),
    ("MTR-3 40HP 460V", {"power_hp": 40, "voltage_v": [460]}),
    # Voltage.
    ("480V", {"voltage_v": [480]}),
    ("480 V", {"voltage_v": [480]}),
    ("480v", {"voltage_v": [480]}),
    ("480 VOLTS", {"voltage_v": [480]}),
    ("480VAC", {"voltage_v": [480]}),
    ("24VDC", {"voltage_v": [24]}),
    ("24 V DC", {"voltage_v": [24]}),
    ("600V", {"voltage_v": [600]}),
    ("4160V", {"voltage_v": [4160]}),
    ("4.16KV", {"voltage_v": [4160]}),
    ("13.8kV", {"voltage_v": [13800]}),
    ("13.8 KV", {"voltage_v": [13800]}),
    ("13.8kv", {"voltage_v": [13800]}),
    ("13,8 kV", {"voltage_v": [13800]}),
    ("13,800V", {"voltage_v": [13800]}),
    ("13.8KVAC", {"voltage_v": [13800]}),
    ("34.5kV", {"voltage_v": [34500]}),
    ("0.48kV", {"voltage_v": [480]}),
    ("0,4 kV", {"voltage_v": [400]}),
    ("138kV", {"voltage_v": [138000]}),
    ("13.8kV-480V", {"voltage_v": [13800, 480]}),
    ("13.8KV/480V", {"voltage_v": [13800, 480]}),
    ("13.8 kV - 480 V", {"voltage_v": [13800, 480]}),
    ("13.8kV – 480V", {"voltage_v": [13800, 480]}),
    ("13800/480V", {"voltage_v": [13800, 480]}),
    ("13800-480V", {"voltage_v": [13800, 480]}),
    ("13.8/0.48kV", {"voltage_v": [13800, 480]}),
    ("10/0.4 kV", {"voltage_v": [10000, 400]}),
    ("4160V-480V", {"voltage_v": [4160, 480]}),
    ("115/13.8kV", {"voltage_v": [115000, 13800]}),
    ("230/115/13.8kV", {"voltage_v": [230000, 115000, 13800]}),
    ("480Y/277V", {"voltage_v": [480]}),
    ("480y/277v", {"voltage_v": [480]}),
    ("480Y/277", {"voltage_v": [480]}),
    ("208Y/120V", {"voltage_v": [208]}),
    ("480/277V", {"voltage_v": [480]}),
    ("400/230V", {"voltage_v": [400]}),
    ("120/240V", {"voltage_v": [120, 240]}),
    ("240/120V", {"voltage_v": [240, 120]}),
    ("13.8kV-480Y/277V", {"voltage_v": [13800, 480]}),
    ("13.8KV-208Y/120V", {"voltage_v": [13800, 208]}),
    ("12.47kV GRDY/7.2kV", {"voltage_v": [12470]}),
    ("12470GRDY/7200V", {"voltage_v": [12470]}),
    ("13.2Y/7.62kV", {"voltage_v": [13200]}),
    ("13.8kV Δ - 480Y/277V", {"voltage_v": [13800, 480]}),
    ("4160V DELTA", {"voltage_v": [4160]}),
    ("13.8KV-480", {"voltage_v": [13800]}),
    # Current.
    ("1600A", {"current_a": 1600}),
    ("1600 A", {"current_a": 1600}),
    ("1600 AMP", {"current_a": 1600}),
    ("1600AMPS", {"current_a": 1600}),
    ("1600 Amps", {"current_a": 1600}),
    ("1,600A", {"current_a": 1600}),
    ("30A", {"current_a": 30}),
    ("2.5A", {"current_a": 2.5}),
    ("2000A BUS", {"current_a": 2000}),
    ("100AF/80AT", {"current_a": 80}),
    ("100 AF / 80 AT", {"current_a": 80}),
    ("225AF 200AT", {"current_a": 200}),
    ("80AT/100AF", {"current_a": 80}),
    ("80AT", {"current_a": 80}),
    ("225A FRAME 200A TRIP", {"current_a": 200}),
    ("C2A", {"current_a": 2}),
    ("C6A", {"current_a": 6}),
    ("B16A", {"current_a": 16}),
    ("In=16A", {"current_a": 16}),
    ("CB-3 1600A", {"current_a": 1600}),
    ("30A/3P", {"current_a": 30, "poles": 3}),
    ("1200A 3P", {"current_a": 1200, "poles": 3}),
    ("400A, 42kAIC", {"current_a": 400}),
    ("22kA@480V", {"voltage_v": [480]}),
    # Impedance.
    ("Z=5.75%", {"impedance_pct": 5.75}),
    ("Z = 5.75 %", {"impedance_pct": 5.75}),
    ("5.75%Z", {"impedance_pct": 5.75}),
    ("5.75% Z", {"impedance_pct": 5.75}),
    ("%Z=5.75", {"impedance_pct": 5.75}),
    ("%Z 5.75", {"impedance_pct": 5.75}),
    ("Z 5.75%", {"impedance_pct": 5.75}),
    ("Z=6.25%", {"impedance_pct": 6.25}),
    ("Z:6%", {"impedance_pct": 6}),
    ("IMP 5.75%", {"impedance_pct": 5.75}),
    ("IMPEDANCE 5.75%", {"impedance_pct": 5.75}),
    ("uk=6%", {"impedance_pct": 6}),
    ("Uk 4 %", {"impedance_pct": 4}),
    ("500KVA Z=5.75%", {"power_kva": 500, "impedance_pct": 5.75}),
    # Frequency, phases, poles.
    ("60Hz", {"frequency_hz": 60}),
    ("60 HZ", {"frequency_hz": 60}),
    ("50 Hz", {"frequency_hz": 50}),
    ("3PH", {"phases": 3}),
    ("3 PH", {"phases": 3}),
    ("3-PH", {"phases": 3}),
    ("3PH.", {"phases": 3}),
    ("1PH", {"phases": 1}),
    ("3-PHASE", {"phases": 3}),
    ("3 PHASE", {"phases": 3}),
    ("THREE PHASE", {"phases": 3}),
    ("SINGLE-PHASE", {"phases": 1}),
    ("3Ø", {"phases": 3}),
    ("3ø", {"phases": 3}),
    ("3φ", {"phases": 3}),
    ("3Φ", {"phases": 3}),
    ("3~", {"phases": 3}),
    ("3PH4W", {"phases": 3}),
    ("4P", {"poles": 4}),
    ("3P", {"poles": 3}),
    ("2 POLE", {"poles": 2}),
    ("3-POLE", {"poles": 3}),
    # Several on a line.
    ("480V 3PH 60HZ", {"voltage_v": [480], "phases": 3, "frequency_hz": 60}),
    ("480V, 3PH, 4W, 60Hz", {"voltage_v": [480], "phases": 3, "frequency_hz": 60}),
    ("480V-3PH-4W", {"voltage_v": [480], "phases": 3}),
    ("480V/3PH/60HZ", {"voltage_v": [480], "phases": 3, "frequency_hz": 60}),
    ("3/N/PE~400/230V 50Hz", {"phases": 3, "voltage_v": [400], "frequency_hz": 50}),
    ("3~ 400V 50Hz", {"phases": 3, "voltage_v": [400], "frequency_hz": 50}),
    ("3Ø 480V", {"phases": 3, "voltage_v": [480]}),
    ("600V 30A 3P", {"voltage_v": [600], "current_a": 30, "poles": 3}),
    ("F1 C2A", {"current_a": 2}),
    ("TX-1 2500KVA 13.8KV-480Y/277V", {"power_kva": 2500, "voltage_v": [13800, 480]}),
    ("GEN-1 500kW 480V", {"power_kw": 500, "voltage_v": [480]}),
    ("(1600A)", {"current_a": 1600}),
]


@pytest.mark.parametrize(("text", "expected"), FORMS, ids=[text for text, _ in FORMS])
def test_real_world_forms(text: str, expected: dict[str, Any]) -> None:
    assert parse_ratings(text) == Ratings.model_validate(expected)


def test_table_is_large_enough() -> None:
    assert len(FORMS) >= 100


NOT_RATINGS = [
    # Title block, notes and references.
    "SINGLE LINE DIAGRAM",
    "NOTES",
    "1. ALL CABLES SHALL BE COPPER",
    "DRAWN BY: J. SMITH",
    "DATE: 2024-03-15",
    "03/15/2024",
    "12.03.2024",
    "REV A",
    "REV 3",
    "SHEET 1 OF 3",
    "SCALE 1:100",
    "DWG NO. E-101",
    "E-101",
    "E-101A",
    "SLD-001",
    "A3",
    # Cables.
    "3#500KCMIL",
    "3-1/C #4/0 AWG",
    "NAYY 4x150mm²",
    "4x2.5mm2",
    "#12 AWG",
    # Interrupting ratings and frames: recognised, but no key.
    "42kAIC",
    "65kA",
    "65 KA",
    "10kA SCCR",
    "22,000 AIC",
    "22000 A IC",
    "100AF",
    # Ambiguous: never guess.
    "50/60Hz",
    "100/80A",
    "5OOKVA",
    "16OOA",
    "I600A",
    "2x500KVA",
    "300kVAR",
    "100 kWh",
    "3P+N",
    "30",
    "4 %",
    "13.2Y/7.62",
    "Z=5.75",
    "30mA",
    "480Y",
    "",
    "   ",
]


@pytest.mark.parametrize("text", NOT_RATINGS)
def test_text_that_is_not_a_rating(text: str) -> None:
    reading = read_ratings(text)
    assert reading.ratings.is_empty()
    assert reading.tokens == ()
    assert reading.unparsed == " ".join(text.split())


def test_reading_reports_consumed_tokens_and_the_rest() -> None:
    reading = read_ratings("CB-3 1600A/3P 42kAIC")
    assert [token.text for token in reading.tokens] == ["1600A", "3P"]
    assert reading.tokens[0].values == {"current_a": 1600.0}
    assert reading.unparsed == "CB-3 / 42kAIC"
    assert not reading.is_rating_line
    assert read_ratings("480V, 3PH").is_rating_line


def test_combine_ratings_keeps_primary_first_and_first_value() -> None:
    lines = ["T1", "500KVA", "13.8kV", "480Y/277V", "Z=5.75%", "480V 60Hz"]
    combined = combine_ratings(parse_ratings(line) for line in lines)
    assert combined == Ratings(
        power_kva=500, voltage_v=[13800, 480], impedance_pct=5.75, frequency_hz=60
    )
    assert combine_ratings([parse_ratings("1600A"), parse_ratings("2000A BUS")]).current_a == 1600
    assert combine_ratings([]).is_empty()


DESIGNATIONS = [
    ("T1", "T1", "transformer"),
    ("TX-1", "TX-1", "transformer"),
    ("XFMR-2", "XFMR-2", "transformer"),
    ("CB-3", "CB-3", "circuit_breaker"),
    ("CB3", "CB3", "circuit_breaker"),
    ("52-1", "52-1", "circuit_breaker"),
    ("52-M1", "52-M1", "circuit_breaker"),
    ("Q1", "Q1", "circuit_breaker"),
    ("QF2", "QF2", "circuit_breaker"),
    ("M2", "M2", "motor"),
    ("MTR-3", "MTR-3", "motor"),
    ("G1", "G1", "generator"),
    ("GEN-1", "GEN-1", "generator"),
    ("F4", "F4", "fuse"),
    ("FU-2", "FU-2", "fuse"),
    ("DS-1", "DS-1", "disconnect_switch"),
    ("SW-1", "SW-1", "disconnect_switch"),
    ("89-1", "89-1", "disconnect_switch"),
    ("-Q1", "-Q1", "circuit_breaker"),
    ("=A1-Q1", "=A1-Q1", "circuit_breaker"),
    ("=G1+CAB2-F3", "=G1+CAB2-F3", "fuse"),
    ("-1F1", "-1F1", "fuse"),
    ("K1", "K1", None),
    ("-K1", "-K1", None),
    ("X1", "X1", None),
    ("M1 75HP", "M1", "motor"),
    ("CB-3 1600A/3P", "CB-3", "circuit_breaker"),
    ("F1 C2A", "F1", "fuse"),
    ("T1:", "T1", "transformer"),
    ("(G1)", "G1", "generator"),
    ("MAIN CB-1", "CB-1", "circuit_breaker"),
    ("cb-4", "cb-4", "circuit_breaker"),
    # The number of the sheet before the class letters (QElectroTech's labels).
    ("4Q2", "4Q2", "circuit_breaker"),
    ("9QF1", "9QF1", "circuit_breaker"),
    ("4Q1 80A", "4Q1", "circuit_breaker"),
    ("5T1", "5T1", "transformer"),
    ("12F3", "12F3", "fuse"),
    ("21K1", "21K1", None),
    # Components outside the core types still have names: capacitors, arresters, meters, panels.
    ("CAP-1", "CAP-1", None),
    ("C2 200 KVAR", "C2", None),
    ("SA-1", "SA-1", None),
    ("LA-2 9kV MCOV", "LA-2", None),
    ("VM-1", "VM-1", None),
    ("PV1", "PV1", None),
    ("LP-4 75 KVA", "LP-4", None),
    ("PNL-3", "PNL-3", None),
    ("DB-1", "DB-1", None),
    # A stray dot or star that OCR reads from a stroke beside the label is no part of the name.
    (".89-2", "89-2", "disconnect_switch"),
    ("*T1", "T1", "transformer"),
]


@pytest.mark.parametrize(("text", "name", "hint"), DESIGNATIONS)
def test_designations(text: str, name: str, hint: str | None) -> None:
    assert parse_designation(text) == name
    assert designation_type_hint(name) == hint


@pytest.mark.parametrize(
    ("name", "named"),
    [
        ("CB-3", "circuit_breaker"),
        ("52-1", "circuit_breaker"),
        ("DS-2", "disconnect_switch"),
        ("FU-2", "fuse"),
        ("T1", "transformer"),
        ("M4", "motor"),
        ("GEN-1", "generator"),
        # Letters that several types share hint at a type but name none.
        ("Q1", None),
        ("=A1-Q1", None),
        ("F2", None),
        ("G1", None),
        ("SW-3", None),
        ("K1", None),
    ],
)
def test_a_designation_names_a_type_only_when_its_letters_belong_to_one(
    name: str, named: str | None
) -> None:
    assert designation_type(name) == named


NOT_DESIGNATIONS = [
    "480V",
    "3PH",
    "NOTES",
    "E-101",
    "C2A",
    "52A",
    "52",
    "L1",
    "PE",
    "A3",
    "REV A",
    "2000A BUS",
    "TO MCC-1",
    "FROM T1",
    "SEE NOTE 3",
    "SHEET 1 OF 3",
    "1. CB-1 SHALL BE PROVIDED WITH SHUNT TRIP AND AUX CONTACTS",
    "2024-03-15",
    # Cables and cross-sections after a number are not sheet-numbered designations.
    "4X25",
    "3X240",
    "16mm2",
    "404N",
    "",
]


@pytest.mark.parametrize("text", NOT_DESIGNATIONS)
def test_not_designations(text: str) -> None:
    assert parse_designation(text) is None


# --- properties ---------------------------------------------------------------------------


def _plain(value: Decimal) -> str:
    """A decimal written the way a drafter would: no exponent, no trailing zeros."""
    text = format(value.normalize(), "f")
    return text


#: Values with at most two decimals, like the ones on nameplates.
def _values(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low * 100, high * 100).map(lambda cents: Decimal(cents) / 100)


_spaces = st.sampled_from(["", " "])


@given(_values(1, 999_999), _spaces, st.sampled_from(["V", "v", "VAC", "kV", "KV", "kv"]))
def test_voltage_round_trip(volts: Decimal, space: str, unit: str) -> None:
    value = volts / 1000 if unit.lower() == "kv" else volts
    assert parse_ratings(f"{_plain(value)}{space}{unit}").voltage_v == [float(volts)]


@given(_values(1, 500_000), _values(1, 500_000), st.sampled_from(["-", "/", " - "]))
def test_voltage_pair_round_trip(primary: Decimal, secondary: Decimal, separator: str) -> None:
    ratio = primary / secondary
    if separator == "/" and abs(ratio / Decimal(3).sqrt() - 1) < Decimal("0.01"):
        expected = [float(primary)]  # the wye reading of "480/277V"
    else:
        expected = [float(primary), float(secondary)]
    text = f"{_plain(primary)}V{separator}{_plain(secondary)}V"
    assert parse_ratings(text).voltage_v == expected
    assert parse_ratings(f"{_plain(primary)}{separator}{_plain(secondary)}V").voltage_v == expected


@given(_values(1, 100_000), _spaces, st.sampled_from(["VA", "KVA", "kVA", "kva", "MVA"]))
def test_apparent_power_round_trip(kva: Decimal, space: str, unit: str) -> None:
    factor = {"va": Decimal("0.001"), "kva": Decimal(1), "mva": Decimal(1000)}[unit.lower()]
    written = kva / factor
    assert parse_ratings(f"{_plain(written)}{space}{unit}").power_kva == float(kva)


@given(
    st.sampled_from(
        [
            ("current_a", "{}A"),
            ("current_a", "{} AMPS"),
            ("current_a", "100AF/{}AT"),
            ("power_kw", "{}kW"),
            ("power_hp", "{}HP"),
            ("impedance_pct", "Z={}%"),
            ("impedance_pct", "{}%Z"),
            ("impedance_pct", "%Z={}"),
            ("frequency_hz", "{}Hz"),
        ]
    ),
    _values(1, 99_999),
)
def test_scalar_round_trip(key_and_form: tuple[str, str], value: Decimal) -> None:
    key, form = key_and_form
    assert getattr(parse_ratings(form.format(_plain(value))), key) == float(value)


@given(st.integers(1, 3), st.sampled_from(["{}PH", "{} PH", "{}-PHASE", "{}Ø", "{}φ", "{}~"]))
def test_phases_round_trip(phases: int, form: str) -> None:
    assert parse_ratings(form.format(phases)).phases == phases


@given(st.integers(1, 4), st.sampled_from(["{}P", "{} POLE", "{}-POLE", "{} POLES"]))
def test_poles_round_trip(poles: int, form: str) -> None:
    assert parse_ratings(form.format(poles)).poles == poles


#: Characters that ratings are made of, so the fuzzing reaches deep into the grammar.
_RATING_ALPHABET = "0123456789.,/-–VvkKAMWHPpZzYyFT%~Ø=#x "


@given(st.one_of(st.text(max_size=80), st.text(alphabet=_RATING_ALPHABET, max_size=40)))
def test_arbitrary_text_never_raises(text: str) -> None:
    reading = read_ratings(text)
    previous_end = 0
    for token in reading.tokens:
        assert previous_end <= token.start < token.end <= len(text)
        assert text[token.start : token.end] == token.text
        previous_end = token.end
    parse_designation(text)
    designation_type_hint(text)


@given(
    st.lists(
        st.sampled_from(["480V", "3PH", "60HZ", "1600A", "500KVA", "Z=5.75%", "4P", "75HP"]),
        min_size=1,
        max_size=5,
        unique=True,
    ),
    st.sampled_from([" ", ", ", " / "]),
)
def test_joined_ratings_are_the_union_of_their_parts(parts: list[str], separator: str) -> None:
    joined = parse_ratings(separator.join(parts))
    assert joined == combine_ratings(parse_ratings(part) for part in parts)


# --- a component's label lines together -------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "kind", "name", "current"),
    [
        # The QElectroTech industrial project: the tag, then the curve and the RCD's sensitivity.
        (["4Q3", "C16 30mA"], "symbol", "4Q3", 16.0),
        (["C16 30mA", "4Q3"], "circuit_breaker", "4Q3", 16.0),
        (["C2"], "circuit_breaker", None, 2.0),
        (["Q1", "B10"], "symbol", "Q1", 10.0),
        (["D32 3P"], "circuit_breaker", None, 32.0),
        (["C32A 1P+N"], "circuit_breaker", None, 32.0),
        # Elsewhere "C2" is a capacitor's designation.
        (["C2 200 KVAR"], "capacitor", "C2", None),
        (["C2"], "symbol", "C2", None),
        (["CB-1", "1600A"], "circuit_breaker", "CB-1", 1600.0),
    ],
)
def test_a_breakers_labels_read_the_trip_curve_without_its_unit(
    lines: list[str], kind: str, name: str | None, current: float | None
) -> None:
    found, ratings = read_label_lines(lines, kind)
    assert found == name
    assert ratings.current_a == current

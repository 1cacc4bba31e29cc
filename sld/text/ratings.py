"""Ratings and designations read from label text: '13.8kV-480V' -> voltage_v [13800, 480].

The forms follow the project's shared conventions (the synthetic generator writes labels the
same way and records the values in ground truth), so this module and the generator must agree:

- power: 500KVA, 2.5MVA, 500VA -> power_kva; 75kW, 1.5MW -> power_kw; 75HP, 1-1/2HP -> power_hp.
  Dual (cooling-stage) ratings "1500/2000KVA" give the first, self-cooled rating.
- voltage: a list in the order written, in volts: 13.8kV-480V, 13800/480V -> [13800, 480]. A wye
  system (line-line Y line-neutral) is one voltage: 480Y/277V -> [480], 13.8kV-480Y/277V ->
  [13800, 480]. Without the Y, "A/B V" is two voltages (120/240V -> [120, 240]), except where A/B is
  the wye ratio sqrt(3) (480/277V, 400/230V, 208/120V): no transformer has that ratio, so it is read
  as one wye system. Unitless members take the unit written after them (13.8/0.48kV -> kV); members
  after the last unit are left as text ("13.8KV-480" -> [13800] and "-480" unparsed).
- current: 1600A, 1600 AMPS, C16A (IEC breaker with trip curve) -> current_a; 100AF/80AT -> the
  trip, 80; 100AF alone and interrupting ratings (42kAIC, 65kA, 22,000 AIC, 10kA SCCR) give no key.
- impedance: Z=5.75%, 5.75%Z, %Z=5.75, Z 5.75%, uk=6% -> impedance_pct. A bare "4 %" gives nothing.
- frequency: 60Hz; phases: 3PH, 3Ø, 3φ, 3-PHASE, THREE PHASE, 3~, 3/N/PE~; poles: 4P, 2 POLE.

Never guess: a token that is not one of these forms stays text. "5OOKVA" (letter O) and "50/60Hz"
(two frequencies) parse to nothing; a number glued to a letter or to "word-" ("E-101A", "2x500KVA")
is not a rating. `read_ratings` says which spans it consumed, `parse_ratings` gives only the values.

Why a small grammar and not a library: pint and quantulum3 parse quantities, but none of the SLD
notations that matter here (wye voltages, AF/AT frame and trip, kAIC, 3Ø, %Z, hyphenated voltage
pairs); quantulum3 also guesses units from context, which this stage must not do. A dozen named
regular expressions over the standard `re` module are shorter than the glue either would need.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sld.document import Ratings

RatingValue = float | int | list[float]

#: A number as written on drawings: 480, 13.8, 0,48 (decimal comma), 13,800 (thousands).
NUMBER = r"(?:[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?)"
#: The end of a unit: no letter or digit may follow ("kVA" is not "kV", "4W" is not "4").
END = r"(?![^\W_])"
#: Ratio of line-line to line-neutral voltage in a wye system.
SQRT3 = Decimal(3).sqrt()


def to_decimal(number: str) -> Decimal:
    """'13,800' -> 13800, '0,48' -> 0.48, '13.8' -> 13.8 (exact, so 13.8 kV is 13800 V)."""
    if re.fullmatch(r"[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?", number):
        number = number.replace(",", "")
    return Decimal(number.replace(",", "."))


def _float(value: Decimal) -> float:
    return float(value.normalize())


@dataclass(frozen=True)
class RatingToken:
    """One consumed piece of a line: where it is and the rating values it gives."""

    text: str
    start: int
    end: int
    values: dict[str, RatingValue]


@dataclass(frozen=True)
class RatingsReading:
    """What `read_ratings` found in one text line."""

    ratings: Ratings
    #: The consumed spans, in reading order; each gives at least one value.
    tokens: tuple[RatingToken, ...]
    #: The line with the consumed spans removed and spaces squeezed ("" when all were ratings).
    unparsed: str

    @property
    def is_rating_line(self) -> bool:
        """True when everything but punctuation on the line was read as ratings."""
        return bool(self.tokens) and not re.sub(r"[\W_]", "", self.unparsed)


# --- the rules: each returns (end of the consumed span, values) or None ---------------------

#: A rule gets the text and a start position and answers (end, values) or None. Values {} mean
#: "recognised but not a result key" (42kAIC, 100AF): the span is skipped and stays text.
Rule = Callable[[str, int], tuple[int, dict[str, RatingValue]] | None]


def _regex_rule(
    pattern: str, values: Callable[[re.Match[str]], dict[str, RatingValue] | None]
) -> Rule:
    compiled = re.compile(pattern, re.IGNORECASE | re.VERBOSE)

    def rule(text: str, start: int) -> tuple[int, dict[str, RatingValue]] | None:
        match = compiled.match(text, start)
        if match is None:
            return None
        found = values(match)
        return None if found is None else (match.end(), found)

    return rule


def _no_key(match: re.Match[str]) -> dict[str, RatingValue]:
    return {}


# Interrupting / short-circuit ratings: never a current_a ("42kAIC gives no current").
_interrupting = _regex_rule(
    rf"""{NUMBER}\s?(?:k\s?A\s?(?:IC|SCCR|I\.C\.|RMS|SYM)?|A\s?(?:IC|SCCR|I\.C\.)){END}""",
    _no_key,
)


def _impedance(match: re.Match[str]) -> dict[str, RatingValue]:
    return {"impedance_pct": _float(to_decimal(match["value"]))}


_IMPEDANCE_NAME = r"(?:Z|IMP(?:EDANCE)?\.?|U\s?KR?|VK|ZK)"
_impedance_percent_first = _regex_rule(
    rf"""(?:%\s*Z|Z\s*%)\s*[=:]?\s*(?P<value>{NUMBER})(?:\s*%)?{END}""", _impedance
)
_impedance_name_first = _regex_rule(
    rf"""{_IMPEDANCE_NAME}\s*[=:\-]?\s*(?P<value>{NUMBER})\s*%(?:\s*Z{END})?""", _impedance
)
_impedance_value_first = _regex_rule(
    rf"""(?P<value>{NUMBER})\s*%\s*(?:Z|IMP(?:EDANCE)?\.?){END}""", _impedance
)


def _trip(match: re.Match[str]) -> dict[str, RatingValue]:
    return {"current_a": _float(to_decimal(match["trip"]))}


_AMPERE = r"(?:A(?:MPERES?|MPS?)?)"
_frame_and_trip = _regex_rule(
    rf"""(?:{NUMBER}\s?AF\s*[/,]?\s*(?P<trip>{NUMBER})\s?AT
         |(?P<trip_first>{NUMBER})\s?AT\s*[/,]?\s*{NUMBER}\s?AF){END}""",
    lambda m: {"current_a": _float(to_decimal(m["trip"] or m["trip_first"]))},
)
_trip_only = _regex_rule(rf"""(?P<trip>{NUMBER})\s?(?:AT|{_AMPERE}\sTRIP){END}""", _trip)
_frame_only = _regex_rule(rf"""{NUMBER}\s?(?:AF|{_AMPERE}\sFRAME){END}""", _no_key)
_current = _regex_rule(
    rf"""(?P<value>{NUMBER})\s?{_AMPERE}{END}(?!\s?(?:IC|SCCR|I\.C\.){END})""",
    lambda m: {"current_a": _float(to_decimal(m["value"]))},
)
# IEC miniature breakers: trip curve letter and rated current, "C16A", "B6A".
_curve_current = _regex_rule(
    rf"""[BCD](?P<value>{NUMBER})\s?A{END}""",
    lambda m: {"current_a": _float(to_decimal(m["value"]))},
)
# ... and as IEC 60898 writes it, without the unit: "C16" is a 16 A breaker of curve C. "C2" is
# also a capacitor's designation, so this is read on a breaker's labels only (`read_ratings`).
_curve_without_unit = _regex_rule(
    rf"""[BCD](?P<value>\d{{1,3}}){END}(?!\.\d)""",
    lambda m: {"current_a": _float(to_decimal(m["value"]))},
)


_KVA_FACTOR = {"VA": Decimal("0.001"), "KVA": Decimal(1), "MVA": Decimal(1000)}
_apparent_power = _regex_rule(
    rf"""(?P<value>{NUMBER})(?:\s?/\s?{NUMBER}){{0,3}}\s?(?P<unit>[KM]?VA){END}""",
    lambda m: {"power_kva": _float(to_decimal(m["value"]) * _KVA_FACTOR[m["unit"].upper()])},
)
_active_power = _regex_rule(
    rf"""(?P<value>{NUMBER})\s?(?P<unit>[KM])W{END}""",
    lambda m: {"power_kw": _float(to_decimal(m["value"]) * (1000 if m["unit"] in "Mm" else 1))},
)

#: Proper fractions of a horsepower as written on motor lists.
_FRACTION = r"(?:[1-9]|1[0-5])/(?:2|3|4|8|16)"


def _horsepower(match: re.Match[str]) -> dict[str, RatingValue] | None:
    whole = Decimal(match["whole"]) if match["whole"] else Decimal(0)
    if match["fraction"]:
        numerator, denominator = (Decimal(part) for part in match["fraction"].split("/"))
        if numerator >= denominator:
            return None
        return {"power_hp": _float(whole + numerator / denominator)}
    return {"power_hp": _float(to_decimal(match["value"]))}


_power_hp = _regex_rule(
    rf"""(?:(?P<whole>\d+)(?:\s?-\s?|\s))?(?P<fraction>{_FRACTION})\s?(?:HP|H\.P\.)(?!\w)
         |(?P<value>{NUMBER})\s?(?:HP|H\.P\.)(?!\w)""",
    _horsepower,
)

_frequency = _regex_rule(
    rf"""(?P<value>{NUMBER})\s?HZ{END}""",
    lambda m: {"frequency_hz": _float(to_decimal(m["value"]))},
)

_PHASE_MARK = r"(?:PH(?:ASES?)?\.?|[ØøΦφϕ⌀∅])"
_phases = _regex_rule(
    rf"""(?P<count>[1-3])\s?-?\s?{_PHASE_MARK}(?![^\W\d_])
         |(?P<tilde>[1-3])\s?(?:/?\s?N)?(?:\s?/?\s?PE)?\s?~
         |(?P<word>SINGLE|ONE|THREE)[\s-]?PHASE{END}""",
    lambda m: {
        "phases": int(m["count"] or m["tilde"] or (3 if m["word"].upper() == "THREE" else 1))
    },
)
_poles = _regex_rule(
    rf"""(?P<count>[1-4])(?:P|\s?-?\s?POLES?){END}(?!\s?\+)""",
    lambda m: {"poles": int(m["count"])},
)


# --- voltages: a small parser, because units and wye marks reach across members ------------

_VOLT_UNIT = r"(?P<unit>K?V(?:OLTS?)?(?:\s?(?:AC|DC))?)" + END
_WYE_SYSTEM = re.compile(
    rf"""(?P<line>{NUMBER})\s?(?:(?P<line_unit>K?V){END}\s?)?(?:Y|GRD\.?\s?Y)\s?/\s?
         (?P<neutral>{NUMBER})(?:\s?{_VOLT_UNIT})?""",
    re.IGNORECASE | re.VERBOSE,
)
_PLAIN_SYSTEM = re.compile(
    rf"""(?P<value>{NUMBER})(?:\s?{_VOLT_UNIT})?(?:\s?(?:Δ|DELTA){END})?""",
    re.IGNORECASE | re.VERBOSE,
)
_SEPARATOR = re.compile(r"\s*(?P<mark>[-/–—])\s*")
#: Voltages one label can list (primary, secondary, tertiary); also bounds the work per token.
_MAX_WINDINGS = 4


@dataclass
class _VoltageSystem:
    """One member of a voltage sequence: a value, its unit if written, and where it ends."""

    value: Decimal
    unit: str | None
    end: int
    wye: bool
    separator_before: str = ""


def _unit_factor(unit: str) -> Decimal:
    return Decimal(1000) if unit.upper().startswith("K") else Decimal(1)


def _is_wye_ratio(line: Decimal, neutral: Decimal) -> bool:
    return neutral > 0 and abs(line / neutral / SQRT3 - 1) < Decimal("0.01")


def _read_system(text: str, start: int) -> _VoltageSystem | None:
    wye = _WYE_SYSTEM.match(text, start)
    if wye is not None:
        line, neutral = to_decimal(wye["line"]), to_decimal(wye["neutral"])
        unit = wye["line_unit"] or wye["unit"]
        if unit is None and not (_is_wye_ratio(line, neutral) and line >= 100):
            return None  # "13.2Y/7.62" without a unit: volts or kilovolts? Do not guess.
        return _VoltageSystem(line, unit or "V", wye.end(), wye=True)
    plain = _PLAIN_SYSTEM.match(text, start)
    if plain is None:
        return None
    return _VoltageSystem(to_decimal(plain["value"]), plain["unit"], plain.end(), wye=False)


def _voltage_sequence(text: str, start: int) -> tuple[int, dict[str, RatingValue]] | None:
    first = _read_system(text, start)
    if first is None:
        return None
    systems = [first]
    while len(systems) < _MAX_WINDINGS:
        separator = _SEPARATOR.match(text, systems[-1].end)
        if separator is None:
            break
        following = _read_system(text, separator.end())
        if following is None:
            break
        following.separator_before = separator["mark"]
        systems.append(following)
    # Members after the last written unit have none: leave them as text.
    with_unit = [index for index, system in enumerate(systems) if system.unit]
    if not with_unit:
        return None
    systems = systems[: with_unit[-1] + 1]
    unit = systems[-1].unit
    for system in reversed(systems):
        unit = system.unit = system.unit or unit
    volts = [system.value * _unit_factor(system.unit or "V") for system in systems]
    # "480/277V" without the Y: the wye ratio says it is one system, not a 480-to-277 V transformer.
    kept: list[Decimal] = []
    for index, value in enumerate(volts):
        previous = systems[index - 1] if index else None
        if (
            previous is not None
            and not previous.wye
            and not systems[index].wye
            and systems[index].separator_before == "/"
            and _is_wye_ratio(volts[index - 1], value)
        ):
            continue
        kept.append(value)
    return systems[-1].end, {"voltage_v": [_float(value) for value in kept]}


#: Tried in this order at each place a token can start; the first that matches wins there.
_RULES: tuple[Rule, ...] = (
    _interrupting,
    _impedance_percent_first,
    _impedance_name_first,
    _impedance_value_first,
    _frame_and_trip,
    _trip_only,
    _frame_only,
    _voltage_sequence,
    _apparent_power,
    _active_power,
    _power_hp,
    _current,
    _curve_current,
    _frequency,
    _phases,
    _poles,
)
_BREAKER_RULES: tuple[Rule, ...] = (*_RULES, _curve_without_unit)


def _can_start(text: str, start: int, previous_end: int) -> bool:
    """A token starts a word: not glued to a letter or digit, nor to "word-" or "digit/".

    "E-101A" is a drawing number and "100/80A" is ambiguous, so neither yields 101 A or 80 A; but
    a separator right after a consumed rating is fine: "480V-3PH", "30A/3P".
    """
    if start == 0:
        return True
    before = text[start - 1]
    earlier = text[start - 2] if start >= 2 else " "
    if before.isalnum() or before == "_":
        return False
    if before in ".,":  # the decimals or thousands of a number ("13,800" read from "800")
        return not earlier.isdigit()
    if before in "-/–—" and start - 1 != previous_end:
        return not (earlier.isalnum() or earlier in "._")
    return True


def read_ratings(text: str, breaker: bool = False) -> RatingsReading:
    """Read every rating on one label line and say which spans were consumed; `breaker`: the
    line labels a circuit breaker, so a trip curve without its unit ("C16") is a rating too."""
    rules = _BREAKER_RULES if breaker else _RULES
    tokens: list[RatingToken] = []
    skipped: list[tuple[int, int]] = []
    position, previous_end = 0, -1
    while position < len(text):
        found = None
        if _can_start(text, position, previous_end):
            found = _first_rule_match(text, position, rules)
        if found is None:
            position += 1
            continue
        end, values = found
        if values:
            tokens.append(RatingToken(text[position:end], position, end, values))
        else:
            skipped.append((position, end))
        position = previous_end = end
    unparsed = text
    for token in reversed(tokens):
        unparsed = unparsed[: token.start] + " " + unparsed[token.end :]
    return RatingsReading(
        ratings=combine_values(token.values for token in tokens),
        tokens=tuple(tokens),
        unparsed=" ".join(unparsed.split()),
    )


def _first_rule_match(
    text: str, position: int, rules: tuple[Rule, ...]
) -> tuple[int, dict[str, RatingValue]] | None:
    for rule in rules:
        try:
            found = rule(text, position)
        except (InvalidOperation, ValueError, ZeroDivisionError):
            found = None  # a malformed number (OCR noise) is text, not an error
        if found is not None:
            return found
    return None


def parse_ratings(text: str, breaker: bool = False) -> Ratings:
    """The ratings on one label line ("480V 3PH 60HZ"); empty `Ratings` when there are none
    (`breaker` as `read_ratings` takes it)."""
    return read_ratings(text, breaker).ratings


def combine_values(parts: Iterable[dict[str, RatingValue]]) -> Ratings:
    """Union of rating values in reading order; see `combine_ratings` for the conflict rules."""
    merged: dict[str, RatingValue] = {}
    voltages: list[float] = []
    for values in parts:
        for key, value in values.items():
            if key == "voltage_v":
                assert isinstance(value, list)
                earlier = list(voltages)  # a 480V-480V isolation transformer keeps both
                voltages.extend(volt for volt in value if volt not in earlier)
            else:
                merged.setdefault(key, value)
    if voltages:
        merged["voltage_v"] = voltages
    return Ratings.model_validate(merged)


def combine_ratings(parts: Iterable[Ratings]) -> Ratings:
    """The union of a component's label lines, given in reading order (top to bottom).

    Conflicts: for a single-valued key the first line that states it wins ("1600A" above "2000A
    BUS" gives 1600). Voltages accumulate in reading order, so a transformer labelled "13.8kV" over
    "480Y/277V" gets [13800, 480] (primary first, as labels are written); a voltage already in the
    list is not repeated (a breaker's "480V" and its bus's "480V" give [480]).
    """
    return combine_values(part.model_dump() for part in parts)


# --- designations -----------------------------------------------------------------------------

#: Class letters of a designation -> the core component type they name (None: not a core type).
DESIGNATION_CLASSES: dict[str, str | None] = {
    **dict.fromkeys(("T", "TX", "TR", "XF", "XFMR", "TM"), "transformer"),
    **dict.fromkeys(
        ("CB", "BKR", "MCB", "MCCB", "ACB", "VCB", "Q", "QF", "QA", "52"), "circuit_breaker"
    ),
    **dict.fromkeys(("DS", "DISC", "SW", "ISO", "LBS", "QS", "QB", "89"), "disconnect_switch"),
    **dict.fromkeys(("F", "FU", "FUS"), "fuse"),
    **dict.fromkeys(("M", "MTR", "MOT"), "motor"),
    **dict.fromkeys(("G", "GEN", "DG"), "generator"),
    # Designations of things that are not core types: contactors and relays, terminals,
    # converters, transfer switches, instrument transformers, switchboards, capacitors, surge
    # arresters, meters, panels and distribution boards.
    **dict.fromkeys(
        ("K", "KM", "KA", "X", "U", "VFD", "ATS", "UPS", "CT", "PT", "VT", "MCC", "SWGR", "SWBD"),
        None,
    ),
    **dict.fromkeys(("C", "CAP", "SA", "LA", "FV", "P", "PV", "PM", "VM", "AM"), None),
    **dict.fromkeys(("LP", "PP", "PNL", "DB", "MDB", "SDB"), None),
}


def _longest_first(classes: Iterable[str]) -> str:
    """Regex alternatives of class letters, longest first (alternatives are tried in order)."""
    return "|".join(sorted(classes, key=len, reverse=True))


_LETTER_CLASSES = [name for name in DESIGNATION_CLASSES if name.isalpha()]
_CLASS_ALTERNATIVES = _longest_first(_LETTER_CLASSES)
#: The same class letters after the number of the sheet they are drawn on ("4Q2" is breaker Q2
#: of sheet 4, "9QF1", "5T1": QElectroTech's default labels, and many European offices'). X is
#: left out: "4X25" is a cable of four 25 mm2 cores.
_SHEET_CLASS_ALTERNATIVES = _longest_first(name for name in _LETTER_CLASSES if name != "X")
_DESIGNATION = re.compile(
    rf"""(?:(?:{_CLASS_ALTERNATIVES})[-.]?\d{{1,4}}[A-Z]?(?:[.-]\d{{1,3}})?
         |\d{{1,3}}(?:{_SHEET_CLASS_ALTERNATIVES})\d{{1,4}}
         |(?:52|89)(?:-[A-Z]{{0,3}}\d{{1,3}}[A-Z]?|[A-Z]{{1,3}}\d{{0,3}})
         |(?:[=+][A-Z0-9.]+)*-\d{{0,2}}[A-Z]{{1,3}}\d{{1,4}}(?:\.\d{{1,3}})?[A-Z]?)""",
    re.IGNORECASE | re.VERBOSE,
)
#: Words that make a line a cross-reference or a note, not the label of the component beside it.
_REFERENCE_WORDS = frozenset(
    {"TO", "FROM", "SEE", "REF", "NOTE", "NOTES", "DWG", "SHEET", "SH", "FED", "FEEDS", "VIA"}
)
#: A label names its component in a few words; a longer line is a sentence.
_MAX_LABEL_WORDS = 8


def parse_designation(text: str, breaker: bool = False) -> str | None:
    """The component designation on a label line ("CB-3 1600A" -> "CB-3"), as written, or None.

    Rating tokens are skipped first ("C2A" is a 2 A breaker, "52A" is 52 A, and on a breaker's
    label, `breaker`, so is "C2"). Lines that refer to another drawing or component ("TO
    MCC-1", "SEE NOTE 3") and sentences name nothing.
    """
    reading = read_ratings(text, breaker)
    # Brackets, list punctuation and stray dots or quotes around a word (OCR reads a stroke
    # beside a label as "." or "*") are not part of a designation.
    words = [word.strip("()[]:;,.*'\"`") for word in reading.unparsed.split()]
    words = [word for word in words if word]
    if len(text.split()) > _MAX_LABEL_WORDS:
        return None
    if any(word.upper() in _REFERENCE_WORDS for word in words):
        return None
    for word in words:
        if _DESIGNATION.fullmatch(word):
            return word
    return None


#: Class letters that several core types share in practice: IEC 81346's Q is any switching
#: device (breaker, disconnector, contactor), F marks miniature breakers as well as fuses, G any
#: source (a battery, a PV array, a power supply), SW any switch. They hint at a type when labels
#: are linked, but never name a device that its drawing left unclassified.
SHARED_CLASSES = frozenset({"Q", "QA", "F", "G", "SW"})


def designation_class(name: str) -> str | None:
    """The class letters of a designation, upper case ("tx-1" -> "TX", "=A1-Q1" -> "Q", "52-1"
    -> "52"), or None."""
    product = name.strip()
    if product[:1] in "=+-" and "-" in product:
        product = product.rsplit("-", 1)[1]  # the product aspect of an IEC 81346 designation
    if product.startswith(("52", "89")):
        return product[:2]
    letters = re.match(r"\d*([A-Za-z]+)", product)
    return None if letters is None else letters[1].upper()


def designation_type_hint(name: str) -> str | None:
    """The core component type a designation's class letters suggest (for linking), or None.

    "TX-1" -> transformer, "52-1" and "=A1-Q1" -> circuit_breaker, "FU-2" -> fuse, "K1" -> None.
    Only a hint: in IEC practice "F" also marks miniature breakers.
    """
    letters = designation_class(name)
    return None if letters is None else DESIGNATION_CLASSES.get(letters)


def designation_type(name: str) -> str | None:
    """The core component type a designation names outright ("CB-3" -> circuit_breaker,
    "GEN-1" -> generator), or None where its class letters are shared by several types
    (`SHARED_CLASSES`: "Q1", "F2", "G1") or name no core type."""
    letters = designation_class(name)
    if letters is None or letters in SHARED_CLASSES:
        return None
    return DESIGNATION_CLASSES.get(letters)


def read_label_lines(lines: Sequence[str], component_type: str) -> tuple[str | None, Ratings]:
    """The name and ratings that a component's label lines (in reading order) give it: the first
    designation, and the union of the ratings (`combine_ratings`).

    The lines of a breaker (its type, or a designation whose letters mark one: "4Q3" beside
    "C16 30mA") also read a trip curve without its unit as the rated current, and that token is
    then no designation: the breaker is 4Q3, of 16 A, not "C16"."""
    plain = [parse_designation(line) for line in lines]
    breaker = component_type == "circuit_breaker" or any(
        designation_type_hint(name) == "circuit_breaker" for name in plain if name
    )
    read = [parse_designation(line, breaker) for line in lines] if breaker else plain
    names = [name for name in read if name]
    ratings = combine_ratings(parse_ratings(line, breaker) for line in lines)
    return (names[0] if names else None), ratings

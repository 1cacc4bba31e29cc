"""What a sheet shows, before where: sources, buses, feeders and the components on them.

A one-line diagram is a few sources at the top feeding a main bus (one section, or two joined by
a tie breaker), and feeders dropping from it, each a chain of cells top to bottom: a component,
a plain stretch of wire, or a tee with a horizontal branch to one side. A feeder may end in a
load, an off-page connector, or a sub-bus with its own feeders. Ratings follow the voltages:
each transformer steps the level of the bus above it to the level of the bus below.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sld.synth.labels import Designations, Electrical, Label, Standard, VoltageLevel, make_label
from sld.synth.symbols import HouseStyle, SymbolVariant, variants_of


@dataclass
class Part:
    """A component to draw, with its label."""

    variant: SymbolVariant
    label: Label


@dataclass
class Gap:
    """A row where the feeder's conductor just runs on (another branch may cross it)."""


@dataclass
class Branch:
    """A tee with a horizontal run to one side, through rotated components to an end component.

    `over` is how many neighbouring feeders the run crosses (without connecting) before its
    first component.
    """

    side: int
    parts: list[Part]
    over: int = 0


Cell = Part | Gap | Branch


@dataclass
class Ending:
    """An off-page connector at the end of a feeder or at the head of a source."""

    lines: list[str]
    target: str


@dataclass
class Feeder:
    cells: list[Cell]
    sub: BusSpec | None = None
    ending: Ending | None = None

    def rows(self) -> int:
        """Rows the feeder occupies below its bus, its sub-bus's feeders and its ending included."""
        own = len(self.cells)
        if self.sub is not None:
            own += max(f.rows() for f in self.sub.feeders)
        return own + (1 if self.ending is not None else 0)


@dataclass
class Source:
    cells: list[Cell]
    #: Texts above an incoming line ("UTILITY", "13.8kV 3PH 60HZ"); empty for a generator.
    head: list[str] = field(default_factory=list)
    #: The off-page reference when the source continues another drawing.
    from_target: str | None = None

    def rows(self) -> int:
        return len(self.cells) + (1 if self.head else 0)


@dataclass
class BusSpec:
    name: str
    level: VoltageLevel
    feeders: list[Feeder]
    sources: list[Source] = field(default_factory=list)


@dataclass
class Diagram:
    sections: list[BusSpec]
    tie: Part | None = None

    def rows_above(self) -> int:
        return max((s.rows() for b in self.sections for s in b.sources), default=0)

    def rows_below(self) -> int:
        return max(f.rows() for b in self.sections for f in b.feeders)


@dataclass(frozen=True)
class Budget:
    """What fits on the page: rows above and below the main bus, feeders across."""

    rows_above: int
    rows_below: int
    feeders: int
    max_label_lines: int
    branch_label_lines: int


@dataclass(frozen=True)
class OffPageLinks:
    """Where this page's conductors continue: the drawing it is fed from and the one it feeds."""

    from_drawing: str | None = None
    from_text: str | None = None
    to_drawing: str | None = None
    to_text: str | None = None


class TopologyMaker:
    """Draws a random, believable one-line topology within a budget."""

    def __init__(
        self,
        rng: random.Random,
        standard: Standard,
        budget: Budget,
        number: int,
        house: HouseStyle | None = None,
    ) -> None:
        self.rng = rng
        self.standard = standard
        self.house = house
        self.budget = budget
        self.names = Designations(standard, rng, start=number)
        self.frequency = 60.0 if standard == "ansi" else 50.0

    # -- parts ----------------------------------------------------------------------------

    def part(
        self,
        kind: str,
        level: VoltageLevel,
        *,
        secondary: VoltageLevel | None = None,
        lines: int | None = None,
        rotatable: bool = False,
    ) -> Part:
        choices = variants_of(kind, self.standard)
        if self.house and kind in self.house:
            choices = [self.house[kind]]
        if rotatable:
            choices = [v for v in choices if v.rotatable] or choices
        variant = self.rng.choice(choices)
        elec = Electrical(self.standard, level, secondary, self.frequency)
        label = make_label(
            kind, elec, self.names, self.rng, max_lines=lines or self.budget.max_label_lines
        )
        return Part(variant, label)

    # -- voltages -------------------------------------------------------------------------

    def levels(self) -> tuple[VoltageLevel, VoltageLevel, VoltageLevel]:
        """Utility, main bus and sub-bus levels of this sheet."""
        rng = self.rng
        if self.standard == "ansi":
            lv = VoltageLevel(480, 277) if rng.random() < 0.85 else VoltageLevel(600)
            utility = VoltageLevel(rng.choice([13800, 12470, 34500, 13200, 4160]))
            if utility.volts > 5000 and rng.random() < 0.3:
                return utility, VoltageLevel(4160), lv
            sub = VoltageLevel(208, 120)
            return utility, lv, sub if rng.random() < 0.5 else lv
        lv = VoltageLevel(400) if rng.random() < 0.8 else VoltageLevel(400, 230)
        utility = VoltageLevel(rng.choice([11000, 20000, 33000, 10000, 6600]))
        if utility.volts > 15000 and rng.random() < 0.3:
            return utility, VoltageLevel(rng.choice([6600, 11000])), lv
        return utility, lv, lv

    # -- chains ---------------------------------------------------------------------------

    def source(self, utility: VoltageLevel, bus: VoltageLevel, kind: str) -> Source:
        rng = self.rng
        room = self.budget.rows_above
        if kind == "generator":
            cells: list[Cell] = [self.part("generator", bus), self.part("circuit_breaker", bus)]
            if room >= 3 and rng.random() < 0.4:
                cells.append(self.part("disconnect_switch", bus))
            return Source(cells)
        head = self._utility_head(utility if kind == "xfmr" else bus)
        cells = []
        if kind == "xfmr":
            upstream = rng.choice(["disconnect_switch", "fuse", "circuit_breaker", None])
            if upstream and room >= 4:
                cells.append(self.part(upstream, utility))
            if room >= 5 and rng.random() < 0.3:
                cells.append(self.part("current_transformer", utility))
            cells.append(self.part("transformer", utility, secondary=bus))
        elif room >= 3 and rng.random() < 0.5:
            cells.append(self.part(rng.choice(["meter", "current_transformer"]), bus))
        cells.append(self.part("circuit_breaker", bus))
        return Source(cells, head)

    def _utility_head(self, level: VoltageLevel) -> list[str]:
        rng = self.rng
        from sld.synth.labels import format_voltage, frequency_fragment, phases_fragment

        first = rng.choice(["UTILITY", "UTILITY SERVICE", "FROM UTILITY", "INCOMING SUPPLY"])
        second = f"{format_voltage(level, rng)} {phases_fragment(3, rng).text}"
        if rng.random() < 0.5:
            second += " " + frequency_fragment(self.frequency, rng).text
        lines = [first, second]
        if rng.random() < 0.3:
            lines.append(rng.choice(["FAULT 25kA", "ISC=18kA", "SCC 500MVA"]))
        return lines

    def feeder(
        self, level: VoltageLevel, sub_level: VoltageLevel, rows: int, allow_sub: bool
    ) -> Feeder:
        """A feeder chain of at most `rows` rows below its bus."""
        rng = self.rng
        cells: list[Cell] = []
        first = rng.choices(["circuit_breaker", "fuse", "fused_switch"], [0.72, 0.14, 0.14])[0]
        if first == "fused_switch":
            cells += [self.part("disconnect_switch", level), self.part("fuse", level)]
        else:
            cells.append(self.part(first, level))
            if first == "circuit_breaker" and rng.random() < 0.2:
                cells.append(self.part("disconnect_switch", level))
        if rng.random() < 0.15:
            cells.append(self.part(rng.choice(["current_transformer", "meter"]), level))
        loads = ["motor", "load_arrow", "offpage", "generator", "capacitor", "xfmr_load"]
        weights = [0.38, 0.16, 0.12, 0.1, 0.06, 0.18]
        if allow_sub and rows - len(cells) >= 4:
            loads.append("sub_bus")
            weights.append(0.5)
        load = rng.choices(loads, weights)[0]
        if load == "sub_bus":
            feeder = Feeder(cells)
            kinds = ["transformer", "circuit_breaker"] if sub_level.volts != level.volts else []
            if kinds:
                feeder.cells.append(self.part("transformer", level, secondary=sub_level))
                if rows - len(feeder.cells) >= 4 and rng.random() < 0.7:
                    feeder.cells.append(self.part("circuit_breaker", sub_level))
            sub_rows = rows - len(feeder.cells)
            count = rng.randint(2, 4)
            feeders = [self.feeder(sub_level, sub_level, sub_rows, False) for _ in range(count)]
            name = self._bus_name(sub_level, sub=True)
            feeder.sub = BusSpec(name, sub_level, feeders)
            return feeder
        if load == "motor":
            cells.append(self.part("motor", level))
        elif load == "generator":
            cells.append(self.part("generator", level))
        elif load in ("load_arrow", "capacitor"):
            cells.append(self.part(load, level))
        elif load == "xfmr_load":
            if sub_level.volts != level.volts:
                cells.append(self.part("transformer", level, secondary=sub_level))
                cells.append(self.part("load_arrow", sub_level))
            else:
                cells.append(self.part("motor", level))
        else:
            feeder = Feeder(cells, ending=self._ending())
            return self._trim(feeder, rows)
        return self._trim(Feeder(cells), rows)

    def _ending(self) -> Ending:
        rng = self.rng
        number = rng.randint(2, 9)
        target = rng.choice([f"DWG E-{200 + number}", f"MCC-{number}", f"PANEL LP-{number}"])
        lines = [f"TO {target}"]
        if rng.random() < 0.4:
            lines.append(rng.choice(["(SEE SHEET 2)", "SPARE", "FUTURE", "BY OTHERS"]))
        return Ending(lines, target)

    def _trim(self, feeder: Feeder, rows: int) -> Feeder:
        """Drop middle components until the feeder fits its rows (keep the first and the load)."""
        while feeder.rows() > rows and len(feeder.cells) > 1:
            del feeder.cells[-2 if len(feeder.cells) > 2 else 0]
        return feeder

    def branch(self, level: VoltageLevel) -> Branch:
        rng = self.rng
        lines = self.budget.branch_label_lines
        end = rng.choice(
            ["surge_arrester", "capacitor", "generator", "motor", "ground", "load_arrow"]
        )
        parts: list[Part] = []
        if end == "generator":
            parts.append(self.part("circuit_breaker", level, lines=lines, rotatable=True))
        elif end == "ground":
            parts.append(self.part("disconnect_switch", level, lines=lines, rotatable=True))
        elif end in ("motor", "capacitor") and rng.random() < 0.6:
            parts.append(
                self.part(
                    rng.choice(["fuse", "circuit_breaker"]), level, lines=lines, rotatable=True
                )
            )
        parts.append(self.part(end, level, lines=lines))
        return Branch(1 if rng.random() < 0.8 else -1, parts)

    def _bus_name(self, level: VoltageLevel, *, sub: bool = False, letter: str = "") -> str:
        from sld.synth.labels import format_voltage

        rng = self.rng
        n = rng.randint(1, 4)
        if sub:
            prefix = rng.choice([f"MCC-{n}", f"PANEL PP-{n}", f"DP-{n}", f"LP-{n}", f"MCC {n}"])
        elif level.volts >= 1000:
            prefix = rng.choice(["SWGR-1", "MV SWITCHGEAR", "MAIN SWGR", "BUS 1"])
        else:
            prefix = rng.choice(["MAIN SWBD", "SWBD-1", "MAIN LV BOARD", "MDB", "MAIN SWITCHBOARD"])
        if letter:
            prefix = f"{prefix} BUS {letter}"
        amps = rng.choice([400, 600, 800, 1200, 1600, 2000, 3000, 4000])
        parts = [prefix, format_voltage(level, rng)]
        if rng.random() < 0.7:
            parts.append(f"{amps}A")
        return " ".join(parts)

    # -- the whole diagram ----------------------------------------------------------------

    def diagram(self, links: OffPageLinks) -> Diagram:
        rng = self.rng
        budget = self.budget
        utility, main, sub = self.levels()
        double = budget.feeders >= 5 and rng.random() < 0.3
        sections: list[BusSpec] = []
        count = rng.randint(4 if double else 3, max(3, budget.feeders))
        split = [count // 2, count - count // 2] if double else [count]
        for index, n in enumerate(split):
            letter = "AB"[index] if double else ""
            if index == 0:
                name = self._bus_name(main, letter=letter)
            else:
                # Both sections of one switchboard share its name.
                name = sections[0].name.replace(" BUS A", " BUS B", 1)
            feeders = [
                self.feeder(main, sub, budget.rows_below, rng.random() < 0.45) for _ in range(n)
            ]
            sources = self._sources(utility, main, double, index, links)
            sections.append(BusSpec(name, main, feeders, sources))
        if links.to_drawing is not None:
            feeder = rng.choice(sections[-1].feeders)
            feeder.sub = None
            feeder.cells = feeder.cells[:1]
            feeder.ending = Ending([links.to_text or f"TO {links.to_drawing}"], links.to_drawing)
        self._add_branches(sections, main)
        tie = None
        if double:
            lines = max(1, min(2, budget.branch_label_lines))
            tie = self.part("circuit_breaker", main, lines=lines, rotatable=True)
        return Diagram(sections, tie)

    def _sources(
        self,
        utility: VoltageLevel,
        main: VoltageLevel,
        double: bool,
        index: int,
        links: OffPageLinks,
    ) -> list[Source]:
        rng = self.rng
        if links.from_drawing is not None and index == 0:
            source = Source(
                [self.part("circuit_breaker", main)],
                [links.from_text or f"FROM {links.from_drawing}"],
                from_target=links.from_drawing,
            )
            return [source]
        stepped = main.volts != utility.volts
        kind = "xfmr" if stepped or rng.random() < 0.5 else "direct"
        if self.budget.rows_above < 3:
            kind = "direct"
        if double:
            return [
                self.source(
                    utility, main, kind if index == 0 or rng.random() < 0.7 else "generator"
                )
            ]
        sources = [self.source(utility, main, kind)]
        if rng.random() < 0.35:
            sources.append(self.source(utility, main, "generator"))
        return sources

    def _add_branches(self, sections: list[BusSpec], main: VoltageLevel) -> None:
        """Tees with side branches, and now and then a branch that crosses its neighbour."""
        rng = self.rng
        rows = self.budget.rows_below
        if self.budget.branch_label_lines < 1:
            return
        for section in sections:
            feeders = section.feeders
            crossed: set[int] = set()
            for i, feeder in enumerate(feeders):
                if (
                    i in crossed
                    or feeder.sub is not None
                    or len(feeder.cells) < 2
                    or feeder.rows() >= rows
                ):
                    continue
                neighbour = feeders[i + 1] if i + 1 < len(feeders) else None
                cross = (
                    neighbour is not None
                    and neighbour.sub is None
                    and len(neighbour.cells) >= 2
                    and neighbour.rows() < rows
                    and rng.random() < 0.25
                )
                if cross and neighbour is not None:
                    at = 1
                    branch = self.branch(main)
                    branch.side, branch.over = 1, 1
                    feeder.cells.insert(at, branch)
                    neighbour.cells.insert(at, Gap())
                    crossed.add(i + 1)
                elif rng.random() < 0.2:
                    feeder.cells.insert(rng.randint(1, len(feeder.cells) - 1), self.branch(main))

"""Where everything goes: rows, columns, wires, labels, and the graph they make.

The diagram is laid out on rows of equal height (`slot`): sources above the main bus, feeders
below it, one cell per row. Each feeder is a column whose width comes from what it holds on
each row (symbols, label blocks, side branches); columns are packed left to right so that no
two things on the same row come closer than a gap, which is what keeps text off symbols and
wires by construction. Optional texts (bus names, cable tags) are placed only where a search
of everything already drawn finds free space.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field

from reportlab.pdfbase import pdfmetrics

from sld.synth.fonts import text_box, text_width
from sld.synth.labels import Standard
from sld.synth.model import DotItem, GraphNode, NodeKind, Sheet, SymbolItem, TextItem, WireItem
from sld.synth.symbols import Box, Placement, Point, symbol_geometry
from sld.synth.topology import Branch, BusSpec, Cell, Diagram, Ending, Feeder, Gap, Part, Source

Profile = dict[int, tuple[float, float]]


class NoFit(Exception):
    """The diagram does not fit its region; the caller draws a smaller one."""


@dataclass(frozen=True)
class SheetStyle:
    """Drawing conventions that hold for a whole sheet."""

    standard: Standard
    scale: float
    line_width: float
    bus_width: float
    font: str
    font_size: float
    junction_dots: bool
    label_left_share: float
    vertical_label_share: float
    slot_min: float
    slot_max: float

    @property
    def pitch(self) -> float:
        return self.font_size * 1.25

    @property
    def gap(self) -> float:
        return 2.5 + 0.35 * self.font_size

    @property
    def cap(self) -> float:
        ascent: float = pdfmetrics.getAscentDescent(self.font, self.font_size)[0]
        return ascent


@dataclass
class LabelPlan:
    """How a component on a vertical run is drawn: mirrored or not, its label's side and turn."""

    side: int
    vertical: bool
    mirror: bool = False


@dataclass
class Attach:
    """The graph node a conductor continues from, and the point where it leaves that node."""

    node: str
    point: Point


def _overlaps(a: Box, b: Box, margin: float) -> bool:
    return (
        a[0] < b[2] + margin
        and b[0] < a[2] + margin
        and a[1] < b[3] + margin
        and b[1] < a[3] + margin
    )


class Builder:
    """Adds drawn items to a sheet, keeping the graph and the list of occupied boxes."""

    def __init__(self, sheet: Sheet, style: SheetStyle, rng: random.Random) -> None:
        self.sheet = sheet
        self.style = style
        self.rng = rng
        self.obstacles: list[Box] = []
        self._counts: dict[str, int] = {}

    def _next_id(self, letter: str) -> str:
        n = self._counts.get(letter, 0)
        self._counts[letter] = n + 1
        return f"p{self.sheet.index}-{letter}{n}"

    def node(
        self, kind: NodeKind, point: Point, name: str | None = None, target: str | None = None
    ) -> str:
        letter = {"bus": "b", "junction": "j", "offpage": "o", "source": "s"}[kind]
        node_id = self._next_id(letter)
        self.sheet.nodes[node_id] = GraphNode(node_id, kind, point[0], point[1], name, target)
        return node_id

    def component(
        self, part: Part, x: float, y: float, rotation: int = 0, mirror: bool = False
    ) -> SymbolItem:
        style = self.style
        if not part.variant.rotatable:
            rotation, mirror = 0, False
        place = Placement(part.variant, x, y, style.scale, rotation, mirror, style.line_width)
        geometry = symbol_geometry(place)
        item = SymbolItem(
            self._next_id("c"), place, geometry, part.label.name, dict(part.label.ratings)
        )
        self.sheet.symbols.append(item)
        self.sheet.nodes[item.id] = GraphNode(item.id, "component", x, y, part.label.name)
        self.obstacles.append(geometry.bbox)
        return item

    def wire(
        self, points: list[Point], a: str, b: str, *, bus: bool = False, width: float | None = None
    ) -> None:
        w = width if width is not None else (self.style.bus_width if bus else self.style.line_width)
        self.sheet.wires.append(WireItem(points, w, bus))
        self.sheet.edges.append((a, b))
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            self.obstacles.append(
                (min(x0, x1) - w / 2, min(y0, y1) - w / 2, max(x0, x1) + w / 2, max(y0, y1) + w / 2)
            )

    def dot(self, point: Point) -> None:
        r = max(1.6, 1.8 * self.style.line_width)
        self.sheet.dots.append(DotItem(point[0], point[1], r))
        self.obstacles.append((point[0] - r, point[1] - r, point[0] + r, point[1] + r))

    def text(
        self,
        line: str,
        x: float,
        y: float,
        angle: int,
        component: str | None,
        role: str,
        *,
        font: str | None = None,
        size: float | None = None,
    ) -> TextItem:
        font = font or self.style.font
        size = size or self.style.font_size
        box = text_box(line, font, size, x, y, angle)
        item = TextItem(self._next_id("t"), line, font, size, x, y, angle, box, component, role)
        self.sheet.texts.append(item)
        self.obstacles.append(box)
        return item

    def free(self, box: Box, margin: float) -> bool:
        return not any(_overlaps(box, other, margin) for other in self.obstacles)

    def horizontal_box(self, line: str, x: float, y: float) -> Box:
        return text_box(line, self.style.font, self.style.font_size, x, y, 0)


# --- measuring ----------------------------------------------------------------------------------


def _symbol_extent(part: Part, style: SheetStyle, rotation: int = 0, mirror: bool = False) -> Box:
    if not part.variant.rotatable:
        rotation, mirror = 0, False
    place = Placement(part.variant, 0.0, 0.0, style.scale, rotation, mirror, style.line_width)
    return symbol_geometry(place).bbox


def _block_width(lines: list[str] | tuple[str, ...], style: SheetStyle) -> float:
    return max(text_width(line, style.font, style.font_size) for line in lines)


def _ending_width(ending: Ending, style: SheetStyle) -> float:
    return _block_width(ending.lines, style) / 2 + 1.0


@dataclass
class _SubLayout:
    offsets: list[float]
    drop: float


@dataclass
class DiagramLayout:
    """Lays a `Diagram` out in a region of the page and draws it through a `Builder`."""

    diagram: Diagram
    style: SheetStyle
    region: Box
    builder: Builder
    rng: random.Random
    plans: dict[int, LabelPlan] = field(default_factory=dict)
    subs: dict[int, _SubLayout] = field(default_factory=dict)

    # -- label plans and widths -----------------------------------------------------------

    def plan(self, part: Part) -> LabelPlan:
        key = id(part)
        if key not in self.plans:
            style = self.style
            side = -1 if self.rng.random() < style.label_left_share else 1
            tall = _block_width(part.label.lines, style) if part.label.lines else 0.0
            vertical = (
                bool(part.label.lines)
                and self.rng.random() < style.vertical_label_share
                and tall <= style.slot_min - 2 * style.gap
            )
            mirror = part.variant.rotatable and self.rng.random() < 0.3
            self.plans[key] = LabelPlan(side, vertical, mirror)
        return self.plans[key]

    def part_extent(self, part: Part) -> tuple[float, float]:
        style = self.style
        x0, _, x1, _ = _symbol_extent(part, style, 0, self.plan(part).mirror)
        left, right = -x0, x1
        if part.label.lines:
            plan = self.plan(part)
            block = (
                len(part.label.lines) * style.pitch
                if plan.vertical
                else _block_width(part.label.lines, style)
            )
            if plan.side > 0:
                right += style.gap + block
            else:
                left += style.gap + block
        return left, right

    def branch_run(self, branch: Branch) -> list[float]:
        """Allotted length of each part along a branch run, lead first."""
        style = self.style
        lengths = [max(10.0, 2.5 * style.gap)]
        for part in branch.parts:
            x0, _, x1, _ = _symbol_extent(part, style, 270)
            label = _block_width(part.label.lines, style) if part.label.lines else 0.0
            lengths.append(max(x1 - x0, label) + 2 * style.gap)
        return lengths

    # -- profiles -------------------------------------------------------------------------

    def feeder_profile(self, feeder: Feeder, row0: int = 0) -> Profile:
        style = self.style
        wire = style.line_width
        profile: Profile = {}
        for k, cell in enumerate(feeder.cells):
            row = row0 + k
            if isinstance(cell, Part):
                profile[row] = self.part_extent(cell)
            elif isinstance(cell, Branch) and cell.over == 0:
                run = sum(self.branch_run(cell))
                profile[row] = (run, wire) if cell.side < 0 else (wire, run)
            else:
                profile[row] = (wire, wire)
        row = row0 + len(feeder.cells)
        if feeder.sub is not None:
            sub_profiles = [self.feeder_profile(f, row) for f in feeder.sub.feeders]
            offsets = _pack(sub_profiles, style.gap * 2.0, 0.0)
            drop = (offsets[0] + offsets[-1]) / 2
            if len(offsets) % 2 == 1:
                drop = offsets[len(offsets) // 2]
            self.subs[id(feeder)] = _SubLayout(offsets, drop)
            overhang = self._sub_overhang()
            for sub_profile, offset in zip(sub_profiles, offsets, strict=True):
                for r, (left, right) in sub_profile.items():
                    old = profile.get(r, (0.0, 0.0))
                    profile[r] = (
                        max(old[0], left - (offset - drop)),
                        max(old[1], right + (offset - drop)),
                    )
            for r in (row - 1, row):
                old = profile.get(r, (0.0, 0.0))
                span = (drop - offsets[0] + overhang, offsets[-1] - drop + overhang)
                profile[r] = (max(old[0], span[0]), max(old[1], span[1]))
        elif feeder.ending is not None:
            half = _ending_width(feeder.ending, style)
            profile[row] = (half, half)
        return profile

    def _sub_overhang(self) -> float:
        return 6.0 + self.style.bus_width

    def section_profiles(self, section: BusSpec) -> list[Profile]:
        profiles = [self.feeder_profile(f) for f in section.feeders]
        for i, feeder in enumerate(section.feeders):
            for k, cell in enumerate(feeder.cells):
                if isinstance(cell, Branch) and cell.over == 1:
                    run = sum(self.branch_run(cell))
                    left, right = profiles[i + 1].get(k, (0.0, 0.0))
                    profiles[i + 1][k] = (left, max(right, run))
        return profiles

    def source_profile(self, source: Source) -> Profile:
        style = self.style
        profile: Profile = {}
        n = len(source.cells)
        for k, cell in enumerate(source.cells):
            assert isinstance(cell, Part)
            profile[k - n] = self.part_extent(cell)
        if source.head:
            half = _block_width(source.head, style) / 2 + 1.0
            profile[-n - 1] = (half, half)
        return profile

    # -- the whole layout -----------------------------------------------------------------

    def lay_out(self) -> None:
        style = self.style
        x0, y0, x1, y1 = self.region
        rows_above = self.diagram.rows_above()
        rows_below = self.diagram.rows_below()
        rows = rows_above + rows_below
        slot = min(style.slot_max, (y1 - y0) / (rows + 0.4))
        if slot < style.slot_min:
            raise NoFit(f"{rows} rows need {rows * style.slot_min:.0f} pt, have {y1 - y0:.0f}")
        spare = (y1 - y0) - slot * rows
        top = y0 + spare * (0.2 if self.rng.random() < 0.5 else 0.5)
        self.slot = slot
        self.y_bus = top + rows_above * slot
        self._source_at_end = self.rng.random() < 0.4

        sections = self.diagram.sections
        profiles = [self.section_profiles(s) for s in sections]
        base_gap = 2.0 * style.gap
        placed = self._place_sections(sections, profiles, base_gap)
        width = placed.right - placed.left
        if width > x1 - x0:
            raise NoFit(f"diagram is {width:.0f} pt wide, region {x1 - x0:.0f}")
        # Spread the columns over the spare width, as a drafter would, up to a limit.
        pad = min(style.slot_max * 1.5, 0.8 * ((x1 - x0) - width) / max(1, placed.gaps))
        if pad >= 4.0:
            wider = self._place_sections(sections, profiles, base_gap + pad)
            if wider.right - wider.left <= x1 - x0:
                placed = wider
        shift = x0 + ((x1 - x0) - (placed.right - placed.left)) * self.rng.uniform(0.35, 0.6)
        shift -= placed.left
        self._emit(placed, shift)

    # -- horizontal placement -------------------------------------------------------------

    def _place_sections(
        self, sections: list[BusSpec], profiles: list[list[Profile]], gap: float
    ) -> _Placed:
        """Place the sections left to right; a tie breaker gets a clear gap between them."""
        style = self.style
        overhang = 14.0 + 2.0 * style.gap
        tie_room = self._tie_room()
        placed = _Placed()
        for index, (section, section_profiles) in enumerate(zip(sections, profiles, strict=True)):
            xs = _pack(section_profiles, gap, 0.0)
            span = (xs[0] - overhang, xs[-1] + overhang)
            source_profiles = [self.source_profile(s) for s in section.sources]
            source_xs: list[float] = []
            if source_profiles:
                offsets = _pack(source_profiles, gap * 1.5, 0.0)
                width = offsets[-1] - offsets[0]
                centre = (span[0] + span[1]) / 2
                if len(section.sources) == 1 and self._source_at_end:
                    centre = xs[0] if index == 0 else xs[-1]
                source_xs = [centre - width / 2 + o for o in offsets]
                span = (
                    min(span[0], source_xs[0] - overhang),
                    max(span[1], source_xs[-1] + overhang),
                )
            rows = _Rows()
            for p, x in zip(section_profiles + source_profiles, xs + source_xs, strict=True):
                rows.add(p, x)
            shift = 0.0
            if index:
                prev_end = placed.bus_spans[-1][1]
                needs = [prev_end + tie_room - span[0]]
                for r, (lo, _) in rows.extent.items():
                    if r in placed.rows.extent:
                        needs.append(placed.rows.extent[r][1] + gap - lo)
                left = max(
                    [prev_end]
                    + [placed.rows.extent[r][1] for r in (-1, 0) if r in placed.rows.extent]
                )
                right = min([span[0]] + [rows.extent[r][0] for r in (-1, 0) if r in rows.extent])
                needs.append(left + tie_room - right)
                shift = max(needs)
                placed.tie_x = (left + right + shift) / 2
            xs = [x + shift for x in xs]
            source_xs = [x + shift for x in source_xs]
            span = (span[0] + shift, span[1] + shift)
            rows.shift(shift)
            placed.rows.merge(rows)
            placed.feeder_xs.append(xs)
            placed.source_xs.append(source_xs)
            placed.bus_spans.append(span)
            placed.left = min(placed.left, span[0], *(lo for lo, _ in rows.extent.values()))
            placed.right = max(placed.right, span[1], *(hi for _, hi in rows.extent.values()))
            placed.gaps += len(xs) - 1 + (1 if index else 0)
        return placed

    def _tie_room(self) -> float:
        tie = self.diagram.tie
        if tie is None:
            return 0.0
        x0, _, x1, _ = _symbol_extent(tie, self.style, 270)
        label = _block_width(tie.label.lines, self.style) if tie.label.lines else 0.0
        return max(x1 - x0 + 24.0, label + 4 * self.style.gap)

    # -- drawing --------------------------------------------------------------------------

    def row_y(self, row: int) -> float:
        return self.y_bus + (row + 0.5) * self.slot

    def _emit(self, placed: _Placed, shift: float) -> None:
        b = self.builder
        self._names: list[tuple[str, float, float, float, float]] = []
        style = self.style
        buses: list[str] = []
        for index, section in enumerate(self.diagram.sections):
            bx0, bx1 = (v + shift for v in placed.bus_spans[index])
            bus = b.node("bus", ((bx0 + bx1) / 2, self.y_bus), section.name)
            buses.append(bus)
            b.wire([(bx0, self.y_bus), (bx1, self.y_bus)], bus, bus, bus=True)
            b.sheet.edges.pop()  # a bus is a node, not an edge to itself
            for source, sx in zip(section.sources, placed.source_xs[index], strict=True):
                self._emit_source(source, sx + shift, bus)
            xs = [x + shift for x in placed.feeder_xs[index]]
            for i, feeder in enumerate(section.feeders):
                next_x = xs[i + 1] if i + 1 < len(xs) else None
                start = Attach(bus, (xs[i], self.y_bus))
                self._emit_feeder(feeder, xs[i], 0, start, next_x)
            self._names.append((section.name, bx0, bx1, self.y_bus, style.bus_width))
        if self.diagram.tie is not None and len(buses) == 2:
            a1 = placed.bus_spans[0][1] + shift
            b0 = placed.bus_spans[1][0] + shift
            self._emit_tie(self.diagram.tie, a1, b0, placed.tie_x + shift, buses)
        # Bus names last, so that the search for free room sees everything else.
        for name in self._names:
            self._bus_name(*name)

    def _emit_source(self, source: Source, x: float, bus: str) -> None:
        b = self.builder
        style = self.style
        n = len(source.cells)
        attach: Attach | None = None
        if source.head:
            band_top = self.y_bus + (-n - 1) * self.slot
            lines = source.head
            first_base = band_top + style.gap + style.cap
            for i, line in enumerate(lines):
                w = text_width(line, style.font, style.font_size)
                role = "offpage" if source.from_target else "source"
                b.text(line, x - w / 2, first_base + i * style.pitch, 0, None, role)
            tip_y = first_base + (len(lines) - 1) * style.pitch + style.gap + 7.0
            kind: NodeKind = "offpage" if source.from_target else "source"
            node = b.node(kind, (x, tip_y), " ".join(lines), source.from_target)
            self._arrow((x, tip_y), pointing_down=True)
            attach = Attach(node, (x, tip_y))
        for k, cell in enumerate(source.cells):
            assert isinstance(cell, Part)
            attach = self._emit_part(cell, x, self.row_y(k - n), attach)
        assert attach is not None
        b.wire([attach.point, (x, self.y_bus)], attach.node, bus)

    def _emit_part(self, part: Part, x: float, y: float, attach: Attach | None) -> Attach:
        """A component on a vertical run: wire in at the top, label beside, leave at the bottom."""
        b = self.builder
        item = b.component(part, x, y, 0, self.plan(part).mirror)
        terminals = item.geometry.terminals
        if attach is not None:
            b.wire([attach.point, terminals["a"]], attach.node, item.id)
        self._label_beside(item, part.label.lines, self.plan(part))
        return Attach(item.id, terminals.get("b", terminals["a"]))

    def _emit_feeder(
        self, feeder: Feeder, x: float, row0: int, attach: Attach, next_x: float | None
    ) -> None:
        b = self.builder
        style = self.style
        for k, cell in enumerate(feeder.cells):
            y = self.row_y(row0 + k)
            if isinstance(cell, Part):
                attach = self._emit_part(cell, x, y, attach)
            elif isinstance(cell, Branch):
                junction = b.node("junction", (x, y))
                b.wire([attach.point, (x, y)], attach.node, junction)
                if style.junction_dots:
                    b.dot((x, y))
                attach = Attach(junction, (x, y))
                start = x if cell.over == 0 or next_x is None else next_x
                self._emit_branch(cell, attach, start)
            elif isinstance(cell, Gap):
                continue
        row = row0 + len(feeder.cells)
        if feeder.sub is not None:
            sub = self.subs[id(feeder)]
            y_sub = self.y_bus + row * self.slot
            xs = [x + o - sub.drop for o in sub.offsets]
            overhang = self._sub_overhang()
            bus = b.node("bus", ((xs[0] + xs[-1]) / 2, y_sub), feeder.sub.name)
            b.wire([attach.point, (x, y_sub)], attach.node, bus)
            bus_w = max(1.5, style.bus_width * 0.75)
            b.wire(
                [(xs[0] - overhang, y_sub), (xs[-1] + overhang, y_sub)],
                bus,
                bus,
                bus=True,
                width=bus_w,
            )
            b.sheet.edges.pop()
            for i, sub_feeder in enumerate(feeder.sub.feeders):
                self._emit_feeder(sub_feeder, xs[i], row, Attach(bus, (xs[i], y_sub)), None)
            self._names.append((feeder.sub.name, xs[0] - overhang, xs[-1] + overhang, y_sub, bus_w))
        elif feeder.ending is not None:
            band_top = self.y_bus + row * self.slot
            tip_y = band_top + 6.0
            node = b.node(
                "offpage", (x, tip_y), " ".join(feeder.ending.lines), feeder.ending.target
            )
            b.wire([attach.point, (x, tip_y - 6.0)], attach.node, node)
            self._arrow((x, tip_y), pointing_down=True)
            base = tip_y + style.gap + style.cap
            for i, line in enumerate(feeder.ending.lines):
                w = text_width(line, style.font, style.font_size)
                b.text(line, x - w / 2, base + i * style.pitch, 0, None, "offpage")

    def _emit_branch(self, branch: Branch, attach: Attach, start: float) -> None:
        """A horizontal run from a tee: rotated components, labels above (or below)."""
        b = self.builder
        side = branch.side
        lengths = self.branch_run(branch)
        y = attach.point[1]
        cursor = start + side * lengths[0]
        above = self.rng.random() < 0.75
        for part, length in zip(branch.parts, lengths[1:], strict=True):
            cx = cursor + side * length / 2
            rotation = 270 if side > 0 else 90
            item = b.component(part, cx, y, rotation, self.rng.random() < 0.3)
            terminals = item.geometry.terminals
            if part.variant.rotatable:
                near, far = terminals["a"], terminals.get("b")
            else:
                near = terminals["l" if side > 0 else "r"]
                far = None
            b.wire([attach.point, near], attach.node, item.id)
            self._label_over(item, part.label.lines, above)
            if far is None:
                break
            attach = Attach(item.id, far)
            cursor += side * length

    def _emit_tie(self, tie: Part, a1: float, b0: float, x: float, buses: list[str]) -> None:
        b = self.builder
        y = self.y_bus
        item = b.component(tie, x, y, 270, False)
        t = item.geometry.terminals
        b.wire([(a1, y), t["a"]], buses[0], item.id)
        b.wire([t["b"], (b0, y)], item.id, buses[1])
        self._label_over(item, tie.label.lines, True)

    def _arrow(self, tip: Point, *, pointing_down: bool) -> None:
        x, y = tip
        h = 6.0
        w = 3.0
        base = y - h if pointing_down else y + h
        triangle = ((x - w, base), (x + w, base), (x, y))
        self.builder.sheet.arrows.append(triangle)
        self.builder.obstacles.append((x - w, min(base, y), x + w, max(base, y)))

    # -- labels ---------------------------------------------------------------------------

    def _label_beside(self, item: SymbolItem, lines: tuple[str, ...], plan: LabelPlan) -> None:
        if not lines:
            return
        b = self.builder
        style = self.style
        x0, _, x1, _ = item.geometry.bbox
        cy = item.placement.y
        n = len(lines)
        if plan.vertical:
            block = n * style.pitch
            left = x1 + style.gap if plan.side > 0 else x0 - style.gap - block
            for i, line in enumerate(lines):
                base_x = left + i * style.pitch + (style.pitch + style.cap) / 2
                w = text_width(line, style.font, style.font_size)
                b.text(line, base_x, cy + w / 2, 90, item.id, "label")
            return
        top = cy - n * style.pitch / 2
        for i, line in enumerate(lines):
            base = top + i * style.pitch + (style.pitch + style.cap) / 2
            w = text_width(line, style.font, style.font_size)
            x = x1 + style.gap if plan.side > 0 else x0 - style.gap - w
            b.text(line, x, base, 0, item.id, "label")

    def _label_over(self, item: SymbolItem, lines: tuple[str, ...], above: bool) -> None:
        if not lines:
            return
        b = self.builder
        style = self.style
        _, y0, _, y1 = item.geometry.bbox
        cx = item.placement.x
        n = len(lines)
        top = y0 - style.gap - n * style.pitch if above else y1 + style.gap
        for i, line in enumerate(lines):
            base = top + i * style.pitch + (style.pitch + style.cap) / 2
            w = text_width(line, style.font, style.font_size)
            b.text(line, cx - w / 2, base, 0, item.id, "label")

    def _bus_name(self, name: str, x0: float, x1: float, y: float, width: float) -> None:
        """The bus name above (or below) one end of the bus, wherever it finds room."""
        b = self.builder
        style = self.style
        w = text_width(name, style.font, style.font_size)
        above = y - width / 2 - style.gap - 1.5
        below = y + width / 2 + style.gap + style.cap + 0.5
        candidates = [
            (x0 + 2, above),
            (x1 - 2 - w, above),
            (x0 + 2, below),
            (x1 - 2 - w, below),
            (x0 - w - style.gap * 2, y + style.cap / 2),
        ]
        for x, base in candidates:
            box = b.horizontal_box(name, x, base)
            if self._inside(box) and b.free(box, style.gap * 0.6):
                b.text(name, x, base, 0, None, "bus")
                return

    def _inside(self, box: Box) -> bool:
        x0, y0, x1, y1 = self.region
        return x0 <= box[0] and y0 <= box[1] and box[2] <= x1 and box[3] <= y1

    # -- cable tags -----------------------------------------------------------------------

    def cable_tags(self, tags: list[str], share: float) -> None:
        """Cable schedules beside some vertical wires, where nothing else is."""
        b = self.builder
        style = self.style
        for wire in list(b.sheet.wires):
            if wire.bus or len(wire.points) != 2 or self.rng.random() > share:
                continue
            (wx0, wy0), (wx1, wy1) = wire.points
            if abs(wx0 - wx1) > 0.01 or abs(wy1 - wy0) < 18:
                continue
            tag = self.rng.choice(tags)
            w = text_width(tag, style.font, style.font_size)
            cy = (wy0 + wy1) / 2
            for side in (1, -1):
                if abs(wy1 - wy0) > w + 2 * style.gap:
                    # Along the wire, reading upwards.
                    base_x = wx0 + side * (style.gap + 1.0) + (style.cap if side > 0 else -1.0)
                    box = text_box(tag, style.font, style.font_size, base_x, cy + w / 2, 90)
                    angle = 90
                    x, y = base_x, cy + w / 2
                else:
                    x = wx0 + style.gap + 1.0 if side > 0 else wx0 - style.gap - 1.0 - w
                    y = cy + style.cap / 2
                    box = b.horizontal_box(tag, x, y)
                    angle = 0
                if self._inside(box) and b.free(box, style.gap * 0.7):
                    b.text(tag, x, y, angle, None, "cable")
                    break


@dataclass
class _Rows:
    """Horizontal extent of everything on each row: row -> (leftmost x, rightmost x)."""

    extent: dict[int, tuple[float, float]] = field(default_factory=dict)

    def add(self, profile: Profile, x: float) -> None:
        for row, (left, right) in profile.items():
            lo, hi = self.extent.get(row, (float("inf"), float("-inf")))
            self.extent[row] = (min(lo, x - left), max(hi, x + right))

    def shift(self, dx: float) -> None:
        self.extent = {r: (lo + dx, hi + dx) for r, (lo, hi) in self.extent.items()}

    def merge(self, other: _Rows) -> None:
        for row, (lo, hi) in other.extent.items():
            a, b = self.extent.get(row, (float("inf"), float("-inf")))
            self.extent[row] = (min(a, lo), max(b, hi))


@dataclass
class _Placed:
    feeder_xs: list[list[float]] = field(default_factory=list)
    source_xs: list[list[float]] = field(default_factory=list)
    bus_spans: list[tuple[float, float]] = field(default_factory=list)
    rows: _Rows = field(default_factory=_Rows)
    tie_x: float = 0.0
    left: float = float("inf")
    right: float = float("-inf")
    gaps: int = 0


def _min_offset(profiles: list[Profile], xs: list[float], new: Profile, gap: float) -> float:
    """The smallest x for a column with profile `new` right of all placed columns."""
    x = float("-inf")
    for profile, px in zip(profiles, xs, strict=True):
        for row, (left, _) in new.items():
            if row in profile:
                x = max(x, px + profile[row][1] + gap + left)
    if xs:
        x = max(x, xs[-1] + gap)
    return x if x != float("-inf") else 0.0


def _pack(profiles: list[Profile], gap: float, start: float) -> list[float]:
    """Left-to-right offsets of columns so that no two share a row closer than `gap`."""
    xs: list[float] = []
    for i, profile in enumerate(profiles):
        xs.append(start if i == 0 else _min_offset(profiles[:i], xs, profile, gap))
    return xs


def chain_cells(feeder: Feeder) -> list[Cell]:
    """All cells of a feeder and its sub-bus feeders (for tests and statistics)."""
    cells = list(feeder.cells)
    if feeder.sub is not None:
        for sub in feeder.sub.feeders:
            cells += chain_cells(sub)
    return cells

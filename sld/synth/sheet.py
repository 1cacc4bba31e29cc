"""One sheet from a random generator: page, style, frame, topology and layout together."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace

from sld.synth.frame import TitleInfo, draw_frame
from sld.synth.labels import Standard
from sld.synth.layout import Builder, DiagramLayout, NoFit, SheetStyle
from sld.synth.model import Sheet
from sld.synth.symbols import HouseStyle
from sld.synth.topology import Budget, OffPageLinks, TopologyMaker

#: Landscape page sizes in points, with how often a sheet uses each.
PAGE_SIZES: dict[str, tuple[float, float]] = {
    "A3": (1190.55, 841.89),
    "A2": (1683.78, 1190.55),
    "A1": (2383.94, 1683.78),
    "ANSI B": (1224.0, 792.0),
    "ANSI D": (2448.0, 1584.0),
    "A4": (841.89, 595.28),
}
_PAGE_WEIGHTS = {"A3": 0.55, "A2": 0.08, "A1": 0.04, "ANSI B": 0.15, "ANSI D": 0.06, "A4": 0.12}

_FONTS = (
    ("Helvetica", 0.45),
    ("Helvetica-Bold", 0.08),
    ("Courier", 0.17),
    ("Courier-Bold", 0.05),
    ("Times-Roman", 0.17),
    ("Times-Bold", 0.08),
)

#: Tallest core symbol at scale 1 (the transformers and the draw-out breaker), in points.
_TALLEST = 34.0

_CABLE_TAGS = {
    "ansi": (
        "3#500KCMIL, 1#4/0 G",
        "3-1/C #4/0 CU",
        "(2) 3#350KCMIL, 1#2 G",
        "3#12, 1#12 G",
        "4#4/0 AL, 1#2 G",
        '3#1/0, 1#6 G IN 2" C',
        "15kV 3-1/C 500MCM",
    ),
    "iec": (
        "4x240mm² Cu",
        "NYY-J 4x95mm²",
        "3x185mm² XLPE",
        "5G16 mm²",
        "N2XSY 3x1x150",
        "4x1x300mm² Cu",
        "YJV 3x120+1x70",
    ),
}


def pick_page(rng: random.Random) -> tuple[str, tuple[float, float]]:
    name = rng.choices(list(_PAGE_WEIGHTS), list(_PAGE_WEIGHTS.values()))[0]
    return name, PAGE_SIZES[name]


def random_style(rng: random.Random, standard: Standard, page: tuple[float, float]) -> SheetStyle:
    small = page[0] < 1000
    font = rng.choices([f for f, _ in _FONTS], [w for _, w in _FONTS])[0]
    size = round(rng.uniform(5.0, 7.0 if small else 9.0) * 2) / 2
    # Bigger sheets draw bigger symbols; within a size, sheets vary 0.7x to 1.4x.
    scale = rng.uniform(0.7, 1.0 if small else 1.4) * 1.25 * max(1.0, (page[0] / 1190.55) ** 0.5)
    pitch = size * 1.25
    gap = 2.5 + 0.35 * size
    slot_min = _slot_min(scale, pitch, gap)
    return SheetStyle(
        standard=standard,
        scale=scale,
        line_width=round(rng.uniform(0.5, 1.5), 2),
        bus_width=round(rng.uniform(2.0, 5.0), 2),
        font=font,
        font_size=size,
        junction_dots=rng.random() < 0.7,
        label_left_share=rng.choice([0.0, 0.1, 0.15, 0.3]),
        vertical_label_share=rng.choice([0.0, 0.1, 0.2]),
        slot_min=slot_min,
        slot_max=slot_min * rng.uniform(1.4, 3.0),
    )


def _slot_min(scale: float, pitch: float, gap: float) -> float:
    """Row height that holds the tallest symbol, a 4-line label, and a branch's 1-line label."""
    return max(_TALLEST * scale + 14.0, 4 * pitch + 2 * gap, 2 * (11.0 * scale + 2.5 * gap + pitch))


@dataclass(frozen=True)
class SheetRequest:
    """Everything that decides one sheet besides its random generator."""

    index: int
    standard: Standard
    page: tuple[float, float]
    title: TitleInfo
    links: OffPageLinks
    #: One variant per symbol type for the whole sheet; None: each symbol picks its own.
    house: HouseStyle | None = None


def _budget(
    style: SheetStyle, region: tuple[float, float, float, float], feeders: int, rows_cut: int
) -> Budget:
    height = region[3] - region[1]
    rows = math.floor(height / style.slot_min - 0.4) - rows_cut
    above = max(2, min(5, rows // 3 + 1))
    below = max(2, rows - above)
    branch_room = style.slot_min / 2 - 11.0 * style.scale - 2.5 * style.gap
    return Budget(
        rows_above=above,
        rows_below=below,
        feeders=feeders,
        max_label_lines=min(4, math.floor((style.slot_min - style.gap) / style.pitch)),
        branch_label_lines=max(0, min(3, math.floor(branch_room / style.pitch))),
    )


def build_sheet(rng: random.Random, request: SheetRequest) -> Sheet:
    """A laid-out sheet. Retries with a smaller diagram until one fits the page."""
    style = random_style(rng, request.standard, request.page)
    feeders = 10
    rows_cut = 0
    for attempt in range(12):
        sheet = Sheet(
            request.index,
            request.page[0],
            request.page[1],
            request.standard,
            drawing_number=request.title.drawing_number,
        )
        builder = Builder(sheet, style, rng)
        region = draw_frame(builder, rng, request.title)
        width = region[2] - region[0]
        column = 3 * style.gap + 24 * style.scale + 14 * 0.55 * style.font_size
        feeders = min(feeders, max(3, math.floor(width / column)))
        budget = _budget(style, region, feeders, rows_cut)
        maker = TopologyMaker(rng, request.standard, budget, number=1, house=request.house)
        diagram = maker.diagram(request.links)
        layout = DiagramLayout(diagram, style, region, builder, rng)
        try:
            layout.lay_out()
        except NoFit:
            if attempt % 2:
                rows_cut += 1
            else:
                feeders = max(3, feeders - 1)
            if attempt >= 8:
                style = replace(
                    style,
                    scale=max(0.6, style.scale * 0.9),
                    font_size=max(5.0, style.font_size - 0.5),
                )
                style = replace(
                    style,
                    slot_min=_slot_min(style.scale, style.pitch, style.gap),
                )
            continue
        layout.cable_tags(list(_CABLE_TAGS[request.standard]), rng.choice([0.0, 0.15, 0.3]))
        return sheet
    raise RuntimeError("no diagram fitted the page after 12 tries")

"""The drawing sheet around the diagram: border, grid frame with zones, title block, notes.

All of its text is unlinked (`component_id` null). `draw_frame` returns the region left for the
diagram, so the layout never draws over the frame.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sld.synth.fonts import text_width
from sld.synth.layout import Builder
from sld.synth.model import FrameLine
from sld.synth.symbols import Box

_COMPANIES = (
    "NORTHFIELD ENGINEERING",
    "ACME POWER SYSTEMS",
    "BLUE RIVER ELECTRIC",
    "DELTA CONSULTING",
    "KESTREL ENERGY",
    "OAKRIDGE UTILITIES",
    "HARBOUR PLANT SERVICES",
    "VOLTA DESIGN GROUP",
)
_PROJECTS = (
    "WATER TREATMENT PLANT",
    "DATA CENTER PHASE 2",
    "PUMP STATION NO. 3",
    "CENTRAL PLANT UPGRADE",
    "HOSPITAL EXPANSION",
    "WAREHOUSE 14",
    "MINE SITE SUBSTATION",
    "PAPER MILL REBUILD",
    "WASTEWATER LIFT STATION",
    "SOLAR FARM COLLECTOR",
)
_NOTES = (
    "ALL BREAKERS SHALL BE FULLY RATED.",
    "CABLE SIZES ARE COPPER UNLESS NOTED.",
    "REFER TO PANEL SCHEDULES FOR BRANCH CIRCUITS.",
    "GROUNDING PER NEC ARTICLE 250.",
    "VERIFY AVAILABLE FAULT CURRENT WITH UTILITY.",
    "ALL EQUIPMENT SHALL BE LISTED AND LABELED.",
    "COORDINATION STUDY BY OTHERS.",
    "CONTRACTOR TO FIELD VERIFY EXISTING CONDITIONS.",
    "PROVIDE ARC FLASH LABELS ON ALL EQUIPMENT.",
    "EXISTING EQUIPMENT SHOWN DASHED WHERE APPLICABLE.",
    "SURGE PROTECTION AT SERVICE ENTRANCE.",
    "MOTOR DATA FROM MANUFACTURER NAMEPLATES.",
)


@dataclass(frozen=True)
class TitleInfo:
    """What the title block says."""

    drawing_number: str
    sheet: int
    sheets: int
    project: str
    company: str
    revision: str
    date: str
    drawn: str
    checked: str


def random_title(
    rng: random.Random, drawing_number: str, sheet: int, sheets: int, project: str, company: str
) -> TitleInfo:
    initials = ["JMK", "RTS", "ABL", "DWP", "KLH", "MSG", "TJR", "PNC"]
    year = rng.randint(2015, 2025)
    return TitleInfo(
        drawing_number=drawing_number,
        sheet=sheet,
        sheets=sheets,
        project=project,
        company=company,
        revision=rng.choice(["0", "1", "2", "A", "B", "C"]),
        date=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        drawn=rng.choice(initials),
        checked=rng.choice(initials),
    )


def pick_project(rng: random.Random) -> tuple[str, str]:
    return rng.choice(_PROJECTS), rng.choice(_COMPANIES)


def _rect(builder: Builder, box: Box, width: float) -> None:
    x0, y0, x1, y1 = box
    for line in ((x0, y0, x1, y0), (x1, y0, x1, y1), (x1, y1, x0, y1), (x0, y1, x0, y0)):
        _line(builder, *line, width)


def _line(builder: Builder, x0: float, y0: float, x1: float, y1: float, width: float) -> None:
    builder.sheet.frame.append(FrameLine(x0, y0, x1, y1, width))
    h = width / 2
    builder.obstacles.append((min(x0, x1) - h, min(y0, y1) - h, max(x0, x1) + h, max(y0, y1) + h))


def _fit_text(
    builder: Builder,
    line: str,
    x: float,
    base: float,
    max_width: float,
    font: str,
    size: float,
    role: str,
) -> None:
    """Write `line` at (x, base), shrinking the size (to 5 pt at least) until it fits."""
    while size > 5.0 and text_width(line, font, size) > max_width:
        size -= 0.5
    while text_width(line, font, size) > max_width and len(line) > 4:
        line = line[:-2].rstrip() + "."
    builder.text(line, x, base, 0, None, role, font=font, size=size)


def draw_frame(builder: Builder, rng: random.Random, title: TitleInfo) -> Box:
    """Draw the sheet frame; return the region (x0, y0, x1, y1) left for the diagram."""
    sheet = builder.sheet
    width, height = sheet.width, sheet.height
    big = width / 1190.55
    margin = rng.uniform(14, 30) * min(big, 1.6)
    border_w = rng.uniform(0.8, 2.0)
    outer: Box = (margin, margin, width - margin, height - margin)
    _rect(builder, outer, border_w)
    inner = outer
    zone_font = rng.choice(["Helvetica", "Helvetica-Bold", "Courier", "Times-Roman"])
    if rng.random() < 0.7:
        strip = rng.uniform(10, 16)
        inner = (outer[0] + strip, outer[1] + strip, outer[2] - strip, outer[3] - strip)
        _rect(builder, inner, max(0.5, border_w * 0.6))
        _zones(builder, outer, inner, strip, zone_font, rng)

    font = rng.choice(["Helvetica", "Helvetica-Bold", "Courier-Bold", "Times-Roman", "Helvetica"])
    title_w = min(max(0.22 * width, 210.0), 330.0)
    title_h = rng.uniform(78, 100)
    tb: Box = (inner[2] - title_w, inner[3] - title_h, inner[2], inner[3])
    _title_block(builder, tb, title, font, rng)

    pad = rng.uniform(10, 20)
    notes_lines = rng.sample(_NOTES, rng.randint(2, 5))
    notes_size = rng.uniform(5.5, 7.5)
    notes_h = (len(notes_lines) + 1) * notes_size * 1.35 + 10
    right_column = width < 1300 or rng.random() < 0.5
    if right_column:
        notes_box: Box = (tb[0], tb[1] - pad - notes_h, tb[2], tb[1] - pad)
        region: Box = (inner[0] + pad, inner[1] + pad, tb[0] - pad, inner[3] - pad)
    else:
        notes_w = min(title_w * 1.3, 0.35 * width)
        notes_box = (inner[0], inner[3] - notes_h, inner[0] + notes_w, inner[3])
        region = (inner[0] + pad, inner[1] + pad, inner[2] - pad, min(tb[1], notes_box[1]) - pad)
    _notes(builder, notes_box, notes_lines, font, notes_size, rng)
    return region


def _zones(
    builder: Builder, outer: Box, inner: Box, strip: float, font: str, rng: random.Random
) -> None:
    width = inner[2] - inner[0]
    height = inner[3] - inner[1]
    cols = max(4, round(width / rng.choice([140, 170, 200])))
    rows = max(3, round(height / rng.choice([140, 170, 200])))
    size = min(8.0, strip * 0.6)
    line_w = 0.5
    for i in range(cols):
        xa = inner[0] + width * i / cols
        xb = inner[0] + width * (i + 1) / cols
        if i:
            _line(builder, xa, outer[1], xa, inner[1], line_w)
            _line(builder, xa, inner[3], xa, outer[3], line_w)
        label = str(i + 1)
        w = text_width(label, font, size)
        for y_mid in (outer[1] + strip / 2, inner[3] + strip / 2):
            builder.text(
                label,
                (xa + xb) / 2 - w / 2,
                y_mid + size * 0.35,
                0,
                None,
                "zone",
                font=font,
                size=size,
            )
    for j in range(rows):
        ya = inner[1] + height * j / rows
        yb = inner[1] + height * (j + 1) / rows
        if j:
            _line(builder, outer[0], ya, inner[0], ya, line_w)
            _line(builder, inner[2], ya, outer[2], ya, line_w)
        label = "ABCDEFGHJKLMNP"[j]
        w = text_width(label, font, size)
        for x_mid in (outer[0] + strip / 2, inner[2] + strip / 2):
            builder.text(
                label,
                x_mid - w / 2,
                (ya + yb) / 2 + size * 0.35,
                0,
                None,
                "zone",
                font=font,
                size=size,
            )


def _title_block(
    builder: Builder, box: Box, title: TitleInfo, font: str, rng: random.Random
) -> None:
    x0, y0, x1, y1 = box
    _rect(builder, box, 1.0)
    h = y1 - y0
    rows = [0.22, 0.18, 0.24, 0.18, 0.18]
    ys = [y0]
    for share in rows:
        ys.append(ys[-1] + share * h)
    for y in ys[1:-1]:
        _line(builder, x0, y, x1, y, 0.6)
    w = x1 - x0
    split = x0 + w * 0.5
    split2 = x0 + w * 0.7
    third = [x0 + w / 3, x0 + 2 * w / 3]
    _line(builder, split, ys[3], split, ys[4], 0.6)
    _line(builder, split2, ys[3], split2, ys[4], 0.6)
    for x in third:
        _line(builder, x, ys[4], x, ys[5], 0.6)
    small = rng.uniform(5.0, 6.5)
    pad = 3.0

    def cell(text: str, cx0: float, cy0: float, cx1: float, cy1: float, size: float) -> None:
        base = (cy0 + cy1) / 2 + size * 0.35
        _fit_text(builder, text, cx0 + pad, base, cx1 - cx0 - 2 * pad, font, size, "title")

    cell(title.company, x0, ys[0], x1, ys[1], rng.uniform(7.5, 9.0))
    cell(f"PROJECT: {title.project}", x0, ys[1], x1, ys[2], small + 0.5)
    heading = rng.choice(["SINGLE LINE DIAGRAM", "ONE LINE DIAGRAM", "SINGLE-LINE DIAGRAM"])
    if title.sheets > 1:
        heading += f" - SHEET {title.sheet}"
    cell(heading, x0, ys[2], x1, ys[3], rng.uniform(8.0, 10.0))
    cell(f"DWG NO: {title.drawing_number}", x0, ys[3], split, ys[4], small + 1.0)
    cell(f"REV: {title.revision}", split, ys[3], split2, ys[4], small + 1.0)
    cell(f"SHEET {title.sheet} OF {title.sheets}", split2, ys[3], x1, ys[4], small)
    cell(f"DATE: {title.date}", x0, ys[4], third[0], ys[5], small)
    cell(f"DRAWN: {title.drawn}", third[0], ys[4], third[1], ys[5], small)
    cell(f"CHECKED: {title.checked}", third[1], ys[4], x1, ys[5], small)


def _notes(
    builder: Builder, box: Box, notes: list[str], font: str, size: float, rng: random.Random
) -> None:
    x0, y0, x1, _ = box
    if rng.random() < 0.6:
        _rect(builder, box, 0.6)
    pitch = size * 1.35
    base = y0 + 5 + size
    builder.text("NOTES:", x0 + 4, base, 0, None, "note", font=font, size=size + 0.5)
    for i, note in enumerate(notes, start=1):
        base += pitch
        _fit_text(builder, f"{i}. {note}", x0 + 4, base, x1 - x0 - 8, font, size, "note")

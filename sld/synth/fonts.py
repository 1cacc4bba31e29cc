"""Text boxes exactly as a PDF text layer reports them, for the upright standard Type 1 fonts.

The sheets use the PDF standard fonts (Helvetica, Times, Courier families), which a PDF does not
embed. A text layer (pypdfium2's character boxes) reports each glyph's ink box, so a label's box
is the union of its glyphs' boxes, not the advance box reportlab measures. The glyph boxes come
from the AFM files that ship inside reportlab (metric-compatible faces of the standard fonts);
they agree with what pypdfium2 reports to a few tenths of a point.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import reportlab
from reportlab.pdfbase import pdfmetrics

#: Each upright standard font, with the reportlab AFM file that holds its glyph boxes. The
#: oblique and italic faces are left out: viewers draw them by slanting a substitute font, and
#: their reported boxes then stray by several points from any metric file.
_AFM_FILES: dict[str, str] = {
    "Helvetica": "_a______.afm",
    "Helvetica-Bold": "_ab_____.afm",
    "Times-Roman": "_er_____.afm",
    "Times-Bold": "_eb_____.afm",
    "Courier": "com_____.afm",
    "Courier-Bold": "cob_____.afm",
}

#: The fonts a sheet may use.
FONT_NAMES: tuple[str, ...] = tuple(_AFM_FILES)

GlyphBox = tuple[float, float, float, float]


@cache
def _glyph_boxes(font: str) -> dict[str, GlyphBox]:
    """Glyph name -> ink box (llx, lly, urx, ury) in 1/1000 em, from the font's AFM file."""
    path = Path(reportlab.__file__).parent / "fonts" / _AFM_FILES[font]
    boxes: dict[str, GlyphBox] = {}
    for line in path.read_text(encoding="latin-1").splitlines():
        if not line.startswith("C "):
            continue
        fields = dict(
            part.strip().split(" ", 1) for part in line.split(";") if part.strip().count(" ")
        )
        llx, lly, urx, ury = (float(v) for v in fields["B"].split())
        boxes[fields["N"]] = (llx, lly, urx, ury)
    return boxes


@cache
def _win_ansi_names() -> list[str | None]:
    vector: list[str | None] = pdfmetrics.getEncoding("WinAnsiEncoding").vector
    return vector


def _glyph_name(char: str) -> str:
    code = char.encode("cp1252")[0]
    name = _win_ansi_names()[code]
    if name is None:
        raise ValueError(f"{char!r} is not in the standard fonts' encoding")
    return name


def can_encode(text: str) -> bool:
    """Whether the standard fonts can show `text` (WinAnsi encoding)."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def text_width(text: str, font: str, size: float) -> float:
    """Advance width in points, as reportlab lays the string out."""
    return float(pdfmetrics.stringWidth(text, font, size))


def ink_extent(text: str, font: str, size: float) -> GlyphBox:
    """Ink box of a line in text space (origin at the baseline start, y up), in points.

    Spaces have no ink. Raises ValueError for a text with no visible glyph.
    """
    boxes = _glyph_boxes(font)
    x = 0.0
    x0 = y0 = float("inf")
    x1 = y1 = float("-inf")
    for char in text:
        advance = text_width(char, font, size)
        if not char.isspace():
            llx, lly, urx, ury = boxes[_glyph_name(char)]
            x0 = min(x0, x + llx * size / 1000)
            x1 = max(x1, x + urx * size / 1000)
            y0 = min(y0, lly * size / 1000)
            y1 = max(y1, ury * size / 1000)
        x += advance
    if x0 == float("inf"):
        raise ValueError(f"{text!r} has no visible glyph")
    return (x0, y0, x1, y1)


def text_box(
    text: str, font: str, size: float, x: float, y: float, angle: int = 0
) -> tuple[float, float, float, float]:
    """Page box (top-left origin, y down) of a line drawn with its baseline start at (x, y).

    `angle` is the reading direction counter-clockwise on the page: 0 (left to right) or 90
    (bottom to top).
    """
    gx0, gy0, gx1, gy1 = ink_extent(text, font, size)
    if angle == 0:
        return (x + gx0, y - gy1, x + gx1, y - gy0)
    if angle == 90:
        return (x - gy1, y - gx1, x - gy0, y - gx0)
    raise ValueError(f"unsupported text angle {angle}")

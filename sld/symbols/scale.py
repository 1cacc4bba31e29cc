"""The scale a page is drawn at, read from the page itself.

The same sheet can be drawn on A3 or on A0, and a drawing office letters, draws its symbols
and spaces its conductors in proportion. So every length the symbol search uses (how long a
line must be to be a conductor, how far apart two strokes may be and still be one symbol) is
a multiple of one unit found on the page: the height of its lettering, the median height of
its text lines (the smaller side of each box, so vertical text counts too). Symbols are two
to five such units tall on every drawing seen so far (synthetic sheets, QElectroTech, QiTech,
powsybl), whatever the paper size.

A page without enough text falls back on its strokes (a conductor is about `STROKE_UNITS` of a
unit wide), and then on the devices found at that guess (`scale_from_devices`). The search then
works on the page resampled so that one unit is `UNIT_PX` pixels (`work_scale`), which makes it
the same search at any drawing scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sld.geometry import FloatArray

#: Pixels per unit (lettering height, measured on the ink) of the working raster.
UNIT_PX = 10.0
#: Text lines needed to trust their median height.
MIN_TEXT_LINES = 5
#: Characters a line needs to count (a lone letter is often a symbol's inside).
MIN_LINE_CHARACTERS = 2
#: A conductor is about this many units wide (for pages without enough text).
STROKE_UNITS = 0.15
#: A unit of this many pixels on the page raster is the least the search can work with.
MIN_UNIT_PX = 7.0
#: Lettering heights outside this range (points) are not believed: a title block's huge
#: heading or a table of tiny print would otherwise set the scale.
PLAUSIBLE_UNIT_PT = (1.5, 200.0)
#: The unit used when the page has neither text nor strokes to measure (points).
DEFAULT_UNIT_PT = 8.0
#: A device is about this many units long (its longer side), on the drawings seen so far.
DEVICE_UNITS = 4.0


@dataclass(frozen=True)
class DrawingScale:
    """One unit of the drawing (its lettering height) in points, and where it came from."""

    unit_pt: float
    #: "text" (median text line height), "strokes" (stroke width) or "default".
    source: str

    def work_scale(self, raster_px_per_pt: float) -> float:
        """Pixels per point of the working raster: `UNIT_PX` per unit, never finer than the
        page raster itself."""
        return min(raster_px_per_pt, UNIT_PX / self.unit_pt)

    def unit_px(self, raster_px_per_pt: float) -> float:
        """One unit in pixels of the page raster."""
        return self.unit_pt * raster_px_per_pt

    def too_coarse(self, raster_px_per_pt: float) -> bool:
        """Whether the page raster is too coarse for the symbols at this scale."""
        return self.unit_px(raster_px_per_pt) < MIN_UNIT_PX


def text_unit(
    boxes: FloatArray, labels: list[str], ink: np.ndarray | None = None, px_per_pt: float = 1.0
) -> float | None:
    """The median lettering height (points) of the text lines, or None with too few lines.

    With the page's ink mask (`px_per_pt` pixels per point) each line is measured by the ink
    inside its box, across its reading direction: OCR pads its boxes and a text layer's boxes
    span the font's full ascent and descent, so the boxes alone disagree by a third from one
    source to the other, while the ink is the same drawing.
    """
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    if not len(boxes):
        return None
    counted = np.asarray(
        [len("".join(label.split())) >= MIN_LINE_CHARACTERS for label in labels], dtype=bool
    )
    heights = []
    for box in boxes[counted]:
        width, height = box[2] - box[0], box[3] - box[1]
        side = min(width, height)
        if ink is not None:
            x0, y0, x1, y1 = (round(value * px_per_pt) for value in box)
            inside = ink[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)]
            if inside.any():
                across = inside.any(axis=1) if width >= height else inside.any(axis=0)
                rows = np.flatnonzero(across)
                side = (rows[-1] - rows[0] + 1) / px_per_pt
        heights.append(side)
    sides = np.asarray(heights, dtype=np.float64)
    low, high = PLAUSIBLE_UNIT_PT
    sides = sides[(sides >= low) & (sides <= high)]
    if len(sides) < MIN_TEXT_LINES:
        return None
    return float(np.median(sides))


def estimate_scale(
    text_boxes: FloatArray,
    text_labels: list[str],
    stroke_width_pt: float | None,
    ink: np.ndarray | None = None,
    px_per_pt: float = 1.0,
) -> DrawingScale:
    """The page's unit from its text lines (measured on `ink` when given), else from its
    typical stroke width."""
    unit = text_unit(text_boxes, text_labels, ink, px_per_pt)
    if unit is not None:
        return DrawingScale(unit, "text")
    if stroke_width_pt is not None and stroke_width_pt > 0:
        low, high = PLAUSIBLE_UNIT_PT
        return DrawingScale(float(np.clip(stroke_width_pt / STROKE_UNITS, low, high)), "strokes")
    return DrawingScale(DEFAULT_UNIT_PT, "default")


def scale_from_devices(sizes_px: list[tuple[float, float]], px_per_pt: float) -> DrawingScale:
    """The unit of a page without lettering, from the devices found on it at a guessed scale:
    the median device is `DEVICE_UNITS` long."""
    longest = np.median([max(width, height) for width, height in sizes_px]) / px_per_pt
    low, high = PLAUSIBLE_UNIT_PT
    return DrawingScale(float(np.clip(longest / DEVICE_UNITS, low, high)), "devices")

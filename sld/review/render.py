"""Draw a result over its page: the picture a person checks a digitisation against.

Components are boxed in a colour per type with their id and name, text lines in grey with a
thin line to the component they label and, on request, each connection as a line between
component centres (off by default: a bus with many feeders draws every pair).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from sld.document import Page
from sld.pages.page import PageImage

TYPE_COLOURS: dict[str, tuple[int, int, int]] = {
    "transformer": (214, 39, 40),
    "circuit_breaker": (31, 119, 180),
    "disconnect_switch": (44, 160, 44),
    "fuse": (255, 127, 14),
    "motor": (148, 103, 189),
    "generator": (140, 86, 75),
}
OTHER_COLOUR = (127, 127, 127)
TEXT_COLOUR = (150, 150, 150)
LINK_COLOUR = (23, 190, 207)
CONNECTION_COLOUR = (227, 119, 194)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans where installed (fonts-dejavu-core), else Pillow's own scalable font."""
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size)


def _centre(box: tuple[float, float, float, float], scale: float) -> tuple[float, float]:
    return ((box[0] + box[2]) / 2 * scale, (box[1] + box[3]) / 2 * scale)


def draw_result(page_image: PageImage, page: Page, *, connections: bool = False) -> Image.Image:
    """The page raster in pale grey with the result drawn over it in colour."""
    scale = page_image.scale
    base = Image.fromarray(page_image.image).convert("RGB")
    # Fade the drawing so the overlay stands out, without losing its lines.
    faded = Image.fromarray((np.asarray(base) * 0.55 + 255 * 0.45).astype(np.uint8))
    canvas = ImageDraw.Draw(faded)
    width = max(1, round(scale))
    font = _font(max(10, round(7 * scale)))
    boxes = {c.id: c.bbox for c in page.components}

    if connections:
        for a, b in page.connections:
            if a in boxes and b in boxes:
                canvas.line(
                    [_centre(boxes[a], scale), _centre(boxes[b], scale)],
                    fill=CONNECTION_COLOUR,
                    width=width,
                )
    for text in page.texts:
        box = [v * scale for v in text.bbox]
        canvas.rectangle(box, outline=TEXT_COLOUR, width=width)
        if text.component_id in boxes:
            canvas.line(
                [_centre(text.bbox, scale), _centre(boxes[text.component_id], scale)],
                fill=LINK_COLOUR,
                width=width,
            )
    for component in page.components:
        colour = TYPE_COLOURS.get(component.type, OTHER_COLOUR)
        box = [v * scale for v in component.bbox]
        canvas.rectangle(box, outline=colour, width=2 * width)
        caption = component.id.split("-")[-1] + (f" {component.name}" if component.name else "")
        caption_height = font.getbbox(caption)[3]
        canvas.text((box[0], box[1] - caption_height - 2), caption, fill=colour, font=font)
    return faded


def save_rendering(
    page_image: PageImage, page: Page, path: Path, *, connections: bool = False
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    draw_result(page_image, page, connections=connections).save(path)
    return path

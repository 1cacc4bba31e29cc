"""Cutting an exemplar out of a drawing: the user's "this is a breaker" box becomes a reference.

The box is in PDF points, as in the result, and may be loose: drawn around the symbol with its
leads, a label's corner or some paper. The exemplar is cut to the symbol's tight box, as the
result format boxes a component (the body, no leads), found the way detection finds devices
(`devices.find_devices` on the page): the devices that lie in the user's box make it, and the
sides where their conductors attach become the exemplar's terminals. Where the page shows no
device in the box (a symbol drawn off any conductor), the box is trimmed to its ink.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from sld.detections import Detections
from sld.geometry import as_boxes, containment_matrix
from sld.pages.ink import ink_mask, stroke_width
from sld.pages.page import PageImage
from sld.symbols.devices import DeviceCandidate, find_devices
from sld.symbols.linework import take_apart
from sld.symbols.scale import estimate_scale

log = logging.getLogger(__name__)

#: A device belongs to the user's box when at least this share of its tight box is inside.
INSIDE_SHARE = 0.5


@dataclass(frozen=True)
class Crop:
    """The grey image of the symbol's tight box, its terminals in its pixels, and where it is
    on the page (points)."""

    image: NDArray[np.uint8]
    terminals: list[tuple[float, float]]
    dpi: float
    box_pt: tuple[float, float, float, float]
    #: For a device of several poles tied by a mechanical link: one pole, cut the same way.
    pole: Crop | None = None
    #: The page's lettering unit in points, where its lettering gave one.
    unit_pt: float | None = None


def cut_exemplar(
    page: PageImage, bbox_pt: tuple[float, float, float, float], texts: Detections
) -> Crop:
    """The symbol in `bbox_pt`, cut to its tight box (see the module docstring)."""
    x0, y0, x1, y1 = bbox_pt
    if not (x0 < x1 and y0 < y1):
        raise ValueError(f"the box must have x0 < x1 and y0 < y1, got {list(bbox_pt)}")
    scale = page.scale
    height, width = page.image.shape
    left, top = max(0, round(x0 * scale)), max(0, round(y0 * scale))
    right, bottom = min(width, round(x1 * scale)), min(height, round(y1 * scale))
    if right - left < 4 or bottom - top < 4:
        raise ValueError(
            f"the box {list(bbox_pt)} is {right - left} x {bottom - top} pixels on the page "
            f"at {page.dpi:g} dpi: too small for a symbol (or outside the page)"
        )
    devices, to_page, unit_pt = _devices(page, texts)
    box = as_boxes([bbox_pt])
    inside = [
        d
        for d in devices
        if containment_matrix(as_boxes([[v / to_page for v in d.box]]), box)[0, 0] >= INSIDE_SHARE
    ]
    if inside:
        # The device as detection sees it, even where it reaches out of a hasty box: the
        # exemplar must look like the candidates it is to name.
        tight = (
            min(d.box[0] for d in inside) / to_page,
            min(d.box[1] for d in inside) / to_page,
            max(d.box[2] for d in inside) / to_page,
            max(d.box[3] for d in inside) / to_page,
        )
        sides = set().union(*(d.sides for d in inside))
        poles = [d for d in inside if d.parts]
        if len(inside) == 1 and poles:
            px0, py0, px1, py1 = (value / to_page for value in poles[0].parts[0])
            crop = _cut(page, tight, sides, texts)
            pole = _cut(page, (px0, py0, px1, py1), sides, texts)
            return Crop(crop.image, crop.terminals, crop.dpi, crop.box_pt, pole, unit_pt)
    else:
        log.warning(
            "no device on a conductor in the box %s: the exemplar is the box trimmed to its ink",
            [round(v, 1) for v in bbox_pt],
        )
        tight = _ink_box(page, (left, top, right, bottom)) or bbox_pt
        sides = set()
    return replace(_cut(page, tight, sides, texts), unit_pt=unit_pt)


def _devices(
    page: PageImage, texts: Detections
) -> tuple[list[DeviceCandidate], float, float | None]:
    """The page's device candidates, the working pixels per point they are measured in, and
    the lettering unit in points (None where the page has no lettering to measure)."""
    ink = ink_mask(page.image)
    labels = [str(label) for label in texts.labels]
    scale = estimate_scale(texts.boxes, labels, stroke_width(ink) / page.scale, ink, page.scale)
    work = take_apart(page.image, page.scale, scale, texts.boxes, labels)
    unit_pt = work.unit / work.px_per_pt if scale.source == "text" else None
    return find_devices(work), work.px_per_pt, unit_pt


def _ink_box(
    page: PageImage, box_px: tuple[int, int, int, int]
) -> tuple[float, float, float, float] | None:
    left, top, right, bottom = box_px
    ink = ink_mask(page.image[top:bottom, left:right])
    ys, xs = np.nonzero(ink)
    if not len(ys):
        return None
    scale = page.scale
    return (
        (left + xs.min()) / scale,
        (top + ys.min()) / scale,
        (left + xs.max() + 1) / scale,
        (top + ys.max() + 1) / scale,
    )


def _cut(
    page: PageImage, box_pt: tuple[float, float, float, float], sides: set[str], texts: Detections
) -> Crop:
    """The ink of `box_pt` as the page's ink mask sees it, black on white.

    The exemplar is compared with candidates on their ink, so it keeps the page's ink, not the
    grey pixels (an ink mask of a small crop alone would judge its paper from too little of
    it). Like a candidate's, its box holds the symbol's own lettering and no label.
    """
    scale = page.scale
    height, width = page.image.shape
    left, top = max(0, int(np.floor(box_pt[0] * scale))), max(0, int(np.floor(box_pt[1] * scale)))
    right = min(width, int(np.ceil(box_pt[2] * scale)))
    bottom = min(height, int(np.ceil(box_pt[3] * scale)))
    ink = ink_mask(page.image)[top:bottom, left:right]
    image = np.where(ink > 0, 0, 255).astype(np.uint8)
    h, w = image.shape
    middles = {
        "top": (w / 2, 0.0),
        "bottom": (w / 2, float(h)),
        "left": (0.0, h / 2),
        "right": (float(w), h / 2),
    }
    return Crop(
        image=np.ascontiguousarray(image),
        terminals=[middles[side] for side in ("top", "right", "bottom", "left") if side in sides],
        dpi=page.dpi,
        box_pt=(left / scale, top / scale, right / scale, bottom / scale),
    )

"""Visual prompting across images: the reference symbol is pasted beside the tile.

Rex-Omni's visual prompt is a set of reference boxes *in the image being searched*; it cannot
take a separate exemplar image. So the tile gets a paper strip on its right, the exemplars of one
component type are stacked in it, and their ink boxes become the reference boxes. The tile keeps
its pixel coordinates (the strip is on the right), and answers in the strip are the exemplars
themselves, to be dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from sld.rexomni.images import PAPER

#: Paper around each exemplar in the strip, in pixels.
STRIP_MARGIN = 16
#: A pixel darker than this is ink (the same level as `sld.pages.tiling.INK_LEVEL`).
INK_LEVEL = 160


@dataclass(frozen=True)
class ReferenceCanvas:
    """A tile with its exemplar strip, and where the exemplars' ink lies on it."""

    image: NDArray[np.uint8]
    #: Width of the tile part; the strip starts at this x.
    tile_width: int
    #: Boxes of the exemplars' ink on the canvas, in pixels, x0, y0, x1, y1.
    reference_boxes: tuple[tuple[float, float, float, float], ...]


def ink_box(image: NDArray[np.uint8]) -> tuple[int, int, int, int]:
    """The box around the ink of a grey image (the whole image when it has none)."""
    rows = np.flatnonzero((image < INK_LEVEL).any(axis=1))
    cols = np.flatnonzero((image < INK_LEVEL).any(axis=0))
    if not len(rows):
        return (0, 0, image.shape[1], image.shape[0])
    return (int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)


def _fit(exemplars: Sequence[NDArray[np.uint8]], height: int) -> list[NDArray[np.uint8]]:
    """The exemplars, scaled down together if their stack is taller than the tile."""
    room = height - STRIP_MARGIN * (len(exemplars) + 1)
    total = sum(exemplar.shape[0] for exemplar in exemplars)
    if room <= 0:
        raise ValueError(f"a {height}-pixel tile has no room for {len(exemplars)} exemplars")
    if total <= room:
        return list(exemplars)
    scale = room / total
    fitted = []
    for exemplar in exemplars:
        size = (max(1, int(exemplar.shape[1] * scale)), max(1, int(exemplar.shape[0] * scale)))
        resized = Image.fromarray(exemplar, mode="L").resize(size, Image.Resampling.LANCZOS)
        fitted.append(np.asarray(resized, dtype=np.uint8))
    return fitted


def reference_canvas(
    tile: NDArray[np.uint8], exemplars: Sequence[NDArray[np.uint8]]
) -> ReferenceCanvas:
    """The tile with the exemplars (grey uint8 crops of one symbol type) stacked on its right."""
    if not exemplars:
        raise ValueError("visual prompting needs at least one exemplar")
    for exemplar in exemplars:
        if exemplar.ndim != 2 or exemplar.dtype != np.uint8 or 0 in exemplar.shape:
            raise ValueError(
                f"an exemplar must be a non-empty grey uint8 image, got {exemplar.shape}"
            )
    height, width = tile.shape
    fitted = _fit(exemplars, height)
    strip_width = max(exemplar.shape[1] for exemplar in fitted) + 2 * STRIP_MARGIN
    canvas = np.full((height, width + strip_width), PAPER, dtype=np.uint8)
    canvas[:, :width] = tile
    boxes = []
    y = STRIP_MARGIN
    for exemplar in fitted:
        x = width + STRIP_MARGIN
        canvas[y : y + exemplar.shape[0], x : x + exemplar.shape[1]] = exemplar
        x0, y0, x1, y1 = ink_box(exemplar)
        boxes.append((float(x + x0), float(y + y0), float(x + x1), float(y + y1)))
        y += exemplar.shape[0] + STRIP_MARGIN
    return ReferenceCanvas(image=canvas, tile_width=width, reference_boxes=tuple(boxes))

"""What a round symbol's inside reads: the letter that tells a motor from a generator or a meter.

Motors, generators and meters are all drawn as a ring around something, and the strokes of
the ring are most of what shape matching compares: a lamp's cross, a socket's dots or a
heater's bars score nearly as well against a motor's ring as its M does, and another office's
M, drawn at another size and place in the ring, scores no better than them. The letter is what
a person reads, so it is read: the ring is painted out (all but an ellipse of `INSIDE` of the
box), the ink left is cut into lines where blank rows part it (the M above a 3~, a G below a
wave) and each line, and the whole, go to the OCR recogniser.

Exemplars say which letters they hold (`ExemplarInfo.letters`); `holds` says whether a reading
has them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from sld.pages.ink import ink_mask

#: Reads one line image: (text, confidence). `RapidTextReader.recognise` with upright=True.
Recognise = Callable[[NDArray[np.uint8]], tuple[str, float]]

#: The share of the box (as an inscribed ellipse) that is the symbol's inside, not its ring.
INSIDE = 0.78
#: Paper around a line image, as a share of its height (the recogniser wants a margin).
MARGIN = 0.3
#: ... and at least this many pixels.
MIN_MARGIN_PX = 4


def read_inside(
    grey: NDArray[np.uint8], box: tuple[float, float, float, float], read: Recognise
) -> str:
    """Everything read inside a round symbol's box (raster pixels), its lines joined by "|".

    Ink is told from paper as everywhere else (`ink_mask`: a faint scan's strokes may be
    lighter than mid-grey), and the recogniser gets the inside with its darkest ink black and
    its paper white."""
    x0, y0, x1, y1 = (round(v) for v in box)
    crop = np.array(grey[max(0, y0) : y1, max(0, x0) : x1], dtype=np.uint8)
    height, width = crop.shape
    if height < 2 or width < 2:
        return ""
    rows, columns = np.mgrid[0:height, 0:width]
    reach = np.hypot(
        (columns + 0.5 - width / 2) / (width / 2), (rows + 0.5 - height / 2) / (height / 2)
    )
    ink = ink_mask(crop).astype(bool) & (reach <= INSIDE)
    if not ink.any():
        return ""
    image = _stretched(crop, ink)
    ys, xs = np.nonzero(ink)
    top, bottom, left, right = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    inside, inked = image[top:bottom, left:right], ink[top:bottom, left:right]
    lines = _lines(inside, inked)
    readings = [read(_padded(line))[0] for line in [inside, *(lines if len(lines) > 1 else [])]]
    return "|".join(text for text in readings if text)


def holds(reading: str, letters: str) -> bool:
    """Whether a reading has every one of the letters (case as drawn)."""
    return all(letter in reading for letter in letters)


def _stretched(crop: NDArray[np.uint8], ink: NDArray[np.bool_]) -> NDArray[np.uint8]:
    """The crop's grey levels spread so its darkest ink is black and its paper white; what is
    not ink is paper."""
    darkest = float(crop[ink].min())
    paper = float(np.median(crop[~ink])) if (~ink).any() else 255.0
    span = max(1.0, paper - darkest)
    spread = np.clip((crop.astype(np.float32) - darkest) * (255.0 / span), 0, 255)
    return np.where(ink, spread, 255).astype(np.uint8)


def _lines(image: NDArray[np.uint8], ink: NDArray[np.bool_]) -> list[NDArray[np.uint8]]:
    """The image cut where blank rows part its ink, each part cut to its own ink."""
    inked = ink.any(axis=1)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], inked.astype(np.int8), [0]])))
    parts = []
    for top, bottom in zip(edges[::2], edges[1::2], strict=True):
        columns = np.flatnonzero(ink[top:bottom].any(axis=0))
        parts.append(image[top:bottom, columns[0] : columns[-1] + 1])
    return parts


def _padded(line: NDArray[np.uint8]) -> NDArray[np.uint8]:
    pad = max(MIN_MARGIN_PX, int(MARGIN * line.shape[0]))
    return np.pad(line, pad, constant_values=255)

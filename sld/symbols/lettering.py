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

#: Reads one line image: (text, confidence). `RapidTextReader.recognise` with upright=True.
Recognise = Callable[[NDArray[np.uint8]], tuple[str, float]]

#: The share of the box (as an inscribed ellipse) that is the symbol's inside, not its ring.
INSIDE = 0.78
#: Grey level below which a pixel is ink.
INK_LEVEL = 128
#: Paper around a line image, as a share of its height (the recogniser wants a margin).
MARGIN = 0.3
#: ... and at least this many pixels.
MIN_MARGIN_PX = 4


def read_inside(
    grey: NDArray[np.uint8], box: tuple[float, float, float, float], read: Recognise
) -> str:
    """Everything read inside a round symbol's box (raster pixels), its lines joined by "|"."""
    x0, y0, x1, y1 = (round(v) for v in box)
    crop = np.array(grey[max(0, y0) : y1, max(0, x0) : x1], dtype=np.uint8)
    height, width = crop.shape
    if height < 2 or width < 2:
        return ""
    rows, columns = np.mgrid[0:height, 0:width]
    reach = np.hypot(
        (columns + 0.5 - width / 2) / (width / 2), (rows + 0.5 - height / 2) / (height / 2)
    )
    crop[reach > INSIDE] = 255
    ink = crop < INK_LEVEL
    if not ink.any():
        return ""
    ys, xs = np.nonzero(ink)
    inside = crop[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    lines = _lines(inside)
    readings = [read(_padded(line))[0] for line in [inside, *(lines if len(lines) > 1 else [])]]
    return "|".join(text for text in readings if text)


def holds(reading: str, letters: str) -> bool:
    """Whether a reading has every one of the letters (case as drawn)."""
    return all(letter in reading for letter in letters)


def _lines(image: NDArray[np.uint8]) -> list[NDArray[np.uint8]]:
    """The image cut where blank rows part its ink, each part cut to its own ink."""
    inked = (image < INK_LEVEL).any(axis=1)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], inked.astype(np.int8), [0]])))
    parts = []
    for top, bottom in zip(edges[::2], edges[1::2], strict=True):
        part = image[top:bottom]
        columns = np.flatnonzero((part < INK_LEVEL).any(axis=0))
        parts.append(part[:, columns[0] : columns[-1] + 1])
    return parts


def _padded(line: NDArray[np.uint8]) -> NDArray[np.uint8]:
    pad = max(MIN_MARGIN_PX, int(MARGIN * line.shape[0]))
    return np.pad(line, pad, constant_values=255)

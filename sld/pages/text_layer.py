"""The words of a PDF page's text layer, read with pdfium, in displayed points.

The raw pdfium calls are used on purpose: pypdfium2's helpers allocate a Python object per
character, and label-heavy drawings hold tens of thousands of them.
"""

from __future__ import annotations

import ctypes
from typing import TYPE_CHECKING, Any

import numpy as np

from sld.geometry import FloatArray
from sld.pages.display import quarter_turns, reading_frame, transform_boxes
from sld.pages.page import Word

if TYPE_CHECKING:
    import pypdfium2


def read_words(page: pypdfium2.PdfPage, to_display: FloatArray, rotation: int) -> tuple[Word, ...]:
    """The words of the page's text layer, boxed from pdfium's character boxes.

    Characters are taken in pdfium's order (the content stream's, which is the writing order
    for rotated text too) and cut into words at spaces, at pdfium's inserted breaks, where
    the reading direction changes and where the next character does not follow on.
    """
    import pypdfium2.raw as pdfium_c

    textpage = page.get_textpage()
    try:
        handle = textpage.raw
        count = pdfium_c.FPDFText_CountChars(handle)
        if count <= 0:
            return ()
        # One code per character index; pdfium's text extraction can drop or insert characters
        # relative to the index, which would misalign text and boxes.
        text = "".join(
            _character(pdfium_c.FPDFText_GetUnicode(handle, index)) for index in range(count)
        )
        # Whitespace (pdfium's inserted spaces and line breaks among it) only separates words.
        blank = np.asarray([not character.strip() for character in text], dtype=bool)
        angles = np.zeros(count, dtype=np.float64)
        boxes = np.zeros((count, 4), dtype=np.float64)
        rect = pdfium_c.FS_RECTF()
        left, right, bottom, top = (ctypes.c_double() for _ in range(4))
        for index in np.flatnonzero(~blank).tolist():
            angles[index] = pdfium_c.FPDFText_GetCharAngle(handle, index)
            # The loose box spans the font's ascent to descent: every character of a line
            # gets the same height, which keeps baselines comparable for line grouping.
            if pdfium_c.FPDFText_GetLooseCharBox(handle, index, rect) and rect.right > rect.left:
                boxes[index] = (rect.left, rect.bottom, rect.right, rect.top)
            elif pdfium_c.FPDFText_GetCharBox(handle, index, left, right, bottom, top):
                boxes[index] = (left.value, bottom.value, right.value, top.value)
    finally:
        textpage.close()
    return _words_from_characters(text, blank, angles, boxes, to_display, rotation)


def _words_from_characters(
    text: str,
    blank: np.ndarray[Any, Any],
    angles_rad: FloatArray,
    boxes_user: FloatArray,
    to_display: FloatArray,
    rotation: int,
) -> tuple[Word, ...]:
    # pdfium measures the angle clockwise in user space; /Rotate turns the page clockwise too.
    angles = quarter_turns(-np.degrees(angles_rad) - rotation)
    boxes = transform_boxes(to_display, boxes_user)
    frame = reading_frame(boxes, angles)
    height = np.maximum(frame[:, 3] - frame[:, 1], 1e-6)

    follows_on = np.ones(len(text), dtype=bool)
    previous, current = frame[:-1], frame[1:]
    scale = np.maximum(height[:-1], height[1:])
    gap = current[:, 0] - previous[:, 2]
    shift = np.abs((current[:, 1] + current[:, 3]) - (previous[:, 1] + previous[:, 3])) / 2
    follows_on[1:] = (
        (angles[1:] == angles[:-1])
        & (gap < 0.3 * scale)
        & (gap > -0.5 * scale)
        & (shift < 0.5 * scale)
    )
    # A word is a run of non-blank characters that follow on from each other.
    continues = np.zeros(len(text), dtype=bool)
    continues[1:] = follows_on[1:] & ~blank[:-1]
    inked = np.flatnonzero(~blank)
    if not len(inked):
        return ()
    firsts = np.flatnonzero(~continues[inked])
    lows = np.minimum.reduceat(boxes[inked], firsts)
    highs = np.maximum.reduceat(boxes[inked], firsts)
    begins = inked[firsts]
    ends = np.append(inked[firsts[1:] - 1], inked[-1]) + 1
    return tuple(
        Word(
            text=text[begin:end],
            bbox=(float(low[0]), float(low[1]), float(high[2]), float(high[3])),
            angle=int(angle),
        )
        for begin, end, low, high, angle in zip(
            begins.tolist(), ends.tolist(), lows, highs, angles[begins].tolist(), strict=True
        )
    )


def _character(code: int) -> str:
    """The character for a code from pdfium; U+FFFD where the font maps the glyph to nothing."""
    if code in (9, 10, 13) or code >= 32:
        try:
            return chr(code)
        except (ValueError, OverflowError):
            pass
    return "\ufffd"

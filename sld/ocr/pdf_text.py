"""`pdf-text`: the label lines of a page read from the PDF's own text layer, no OCR.

A vector PDF already knows its text exactly; reading it is faster and better than any OCR.
The text layer gives words, and an SLD label is a line ("13.8kV-480V", "M1 75HP"), so words
that share a direction and a baseline and follow each other closely become one line. Lines
stacked above each other stay separate lines: each is one entry in the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from sld.detections import Detections
from sld.geometry import FloatArray, as_boxes
from sld.page import PageImage, Word
from sld.pdf_page import reading_frame
from sld.settings import Settings

#: Words are on one baseline when their centres across the line differ by less than this
#: share of their height (a line below is a whole line height away).
BASELINE_TOLERANCE = 0.4
#: Largest gap between words of one line, as a share of the text height (about three spaces).
MAX_WORD_GAP = 0.8
#: Words overlapping by more than this share of the height are not neighbours on a line.
MAX_WORD_OVERLAP = 0.5
#: Words whose heights differ by more than this factor are in different fonts: other labels.
MAX_HEIGHT_RATIO = 1.6


@dataclass
class _Line:
    """A line being built, in the reading frame of its text (u along, v across)."""

    members: list[int]
    u_end: float
    v_centre: float
    height: float


def _open_line(word: int, frame: FloatArray) -> _Line:
    _, v0, u1, v1 = frame[word]
    return _Line(members=[word], u_end=float(u1), v_centre=(v0 + v1) / 2, height=float(v1 - v0))


def _continues(line: _Line, word: int, frame: FloatArray) -> bool:
    u0, v0, _, v1 = frame[word]
    height = float(v1 - v0)
    smaller, larger = sorted((height, line.height))
    gap = float(u0) - line.u_end
    return (
        larger <= MAX_HEIGHT_RATIO * max(smaller, 1e-6)
        and abs((v0 + v1) / 2 - line.v_centre) <= BASELINE_TOLERANCE * smaller
        and -MAX_WORD_OVERLAP * larger <= gap <= MAX_WORD_GAP * larger
    )


def group_lines(words: Sequence[Word]) -> list[Word]:
    """The words joined into label lines, each line a `Word` (text with spaces, union box).

    Lines come out in reading order per direction: top to bottom, then left to right, in the
    frame of their own text.
    """
    if not words:
        return []
    boxes = as_boxes([word.bbox for word in words])
    angles = np.asarray([word.angle for word in words], dtype=np.int64)
    frame = reading_frame(boxes, angles)
    centres = (frame[:, 1] + frame[:, 3]) / 2
    heights = frame[:, 3] - frame[:, 1]

    lines: list[_Line] = []
    for angle in np.unique(angles):
        chosen = np.flatnonzero(angles == angle)
        by_centre = chosen[np.argsort(centres[chosen], kind="stable")]
        # A band holds words whose centres chain within the baseline tolerance; lines are
        # then built inside a band along the reading direction.
        band_breaks = np.diff(centres[by_centre]) > BASELINE_TOLERANCE * np.minimum(
            heights[by_centre][:-1], heights[by_centre][1:]
        )
        for band in np.split(by_centre, np.flatnonzero(band_breaks) + 1):
            lines.extend(_lines_in_band(band, frame))

    result: list[Word] = []
    for line in lines:
        members = sorted(line.members, key=lambda word: frame[word, 0])
        member_boxes = boxes[members]
        result.append(
            Word(
                text=" ".join(words[word].text for word in members),
                bbox=(
                    float(member_boxes[:, 0].min()),
                    float(member_boxes[:, 1].min()),
                    float(member_boxes[:, 2].max()),
                    float(member_boxes[:, 3].max()),
                ),
                angle=words[members[0]].angle,
            )
        )
    return result


def _lines_in_band(band: np.ndarray, frame: FloatArray) -> list[_Line]:
    open_lines: list[_Line] = []
    for word in band[np.argsort(frame[band, 0], kind="stable")]:
        fitting = [line for line in open_lines if _continues(line, int(word), frame)]
        if fitting:
            line = min(fitting, key=lambda line: frame[word, 0] - line.u_end)
            line.members.append(int(word))
            line.u_end = max(line.u_end, float(frame[word, 2]))
        else:
            open_lines.append(_open_line(int(word), frame))
    return open_lines


def lines_as_detections(lines: Sequence[Word]) -> Detections:
    """Lines as `Detections`: boxes in points, label = text, score 1.0 (the file says so)."""
    return Detections.from_lists(
        boxes=[line.bbox for line in lines],
        scores=[1.0] * len(lines),
        labels=[line.text for line in lines],
    )


@dataclass
class PdfTextReader:
    """Reads the label lines of a page from its PDF text layer."""

    name: str = field(default="pdf-text")

    def read(self, page: PageImage) -> Detections:
        return lines_as_detections(group_lines(page.words))


def create(settings: Settings) -> PdfTextReader:
    """Registry factory (`pdf-text`); the text layer needs no settings."""
    del settings
    return PdfTextReader()

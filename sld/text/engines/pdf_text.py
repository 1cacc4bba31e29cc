"""`pdf-text`: the label lines of a page read from the PDF's own text layer, no OCR.

A vector PDF already knows its text exactly; reading it is faster and better than any OCR.
The text layer gives words, and an SLD label is a line ("13.8kV-480V", "M1 75HP"), so words
that share a direction and a baseline and follow each other closely become one line. Lines
stacked above each other stay separate lines: each is one entry in the result.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from sld.detections import Detections
from sld.geometry import FloatArray, as_boxes
from sld.pages.display import reading_frame
from sld.pages.page import PageImage, Word
from sld.settings import Settings

#: Words are on one baseline when their centres across the line differ by less than this
#: share of their height (a line below is a whole line height away).
BASELINE_TOLERANCE = 0.4
#: Largest gap between words of one line, as a share of the text height (two to three spaces).
MAX_WORD_GAP = 0.6
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


def _continues(line: _Line, u0: float, v_centre: float, height: float) -> bool:
    """Whether a word (its start along the line, centre across it, height) extends `line`."""
    smaller, larger = sorted((height, line.height))
    gap = u0 - line.u_end
    return (
        larger <= MAX_HEIGHT_RATIO * max(smaller, 1e-6)
        and abs(v_centre - line.v_centre) <= BASELINE_TOLERANCE * smaller
        and -MAX_WORD_OVERLAP * larger <= gap <= MAX_WORD_GAP * larger
    )


def group_lines(words: Sequence[Word]) -> list[Word]:
    """The words joined into label lines, each line a `Word` (text with spaces, union box).

    Lines come out per direction, in the order their text is read: top to bottom, then left to
    right, in the frame of their own text.
    """
    if not words:
        return []
    boxes = as_boxes([word.bbox for word in words])
    angles = np.asarray([word.angle for word in words], dtype=np.int64)
    frame = reading_frame(boxes, angles)
    lines: list[_Line] = []
    for angle in np.unique(angles):
        lines.extend(
            _lines_of_one_direction(frame[angles == angle], np.flatnonzero(angles == angle))
        )
    lines.sort(
        key=lambda line: (words[line.members[0]].angle, line.v_centre, frame[line.members[0], 0])
    )
    result: list[Word] = []
    for line in lines:
        member_boxes = boxes[line.members]
        result.append(
            Word(
                text=" ".join(words[word].text for word in line.members),
                bbox=(
                    float(member_boxes[:, 0].min()),
                    float(member_boxes[:, 1].min()),
                    float(member_boxes[:, 2].max()),
                    float(member_boxes[:, 3].max()),
                ),
                angle=words[line.members[0]].angle,
            )
        )
    return result


def _lines_of_one_direction(frame: FloatArray, word_ids: np.ndarray) -> list[_Line]:
    """Lines of words that read the same way, built in one sweep along the reading direction.

    Open lines are filed in buckets by their centre across the text, so a word only looks at
    lines near its own baseline, and a line the sweep has left behind is closed: the sweep
    stays about linear on pages with thousands of labels.
    """
    u0s, v0s, u1s, v1s = frame.T
    heights = np.maximum(v1s - v0s, 1e-6)
    centres = (v0s + v1s) / 2
    bucket_size = float(np.median(heights))
    open_lines: dict[int, list[_Line]] = {}
    finished: list[_Line] = []
    for position in np.argsort(u0s, kind="stable").tolist():
        u0, centre, height = (
            float(u0s[position]),
            float(centres[position]),
            float(heights[position]),
        )
        reach = BASELINE_TOLERANCE * height
        best: _Line | None = None
        for bucket in range(
            math.floor((centre - reach) / bucket_size),
            math.floor((centre + reach) / bucket_size) + 1,
        ):
            still_open = []
            for line in open_lines.get(bucket, []):
                if u0 - line.u_end > MAX_WORD_GAP * MAX_HEIGHT_RATIO * line.height:
                    finished.append(line)  # no later word can reach back this far
                    continue
                still_open.append(line)
                if _continues(line, u0, centre, height) and (
                    best is None or line.u_end > best.u_end
                ):
                    best = line
            open_lines[bucket] = still_open
        if best is None:
            line = _Line(members=[], u_end=u0, v_centre=centre, height=height)
            open_lines.setdefault(math.floor(centre / bucket_size), []).append(line)
            best = line
        best.members.append(int(word_ids[position]))
        best.u_end = max(best.u_end, float(u1s[position]))
    for remaining in open_lines.values():
        finished.extend(remaining)
    return finished


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

"""Label blocks: the stacked text lines that label one component, found from their geometry.

A drafter writes a component's label as a small stack: the designation, then a line or three of
ratings, one under the other, left-aligned (label right of the symbol), right-aligned (left of
it) or centred (above or below it); rotated labels stack the same way side by side. Linking a
block as a whole keeps a rating line from drifting to a neighbour just because that neighbour
is a little nearer to it.

Two lines are in one block when they read the same way, have about the same height, share an
edge or their centre along the text, follow each other at the page's usual gap between stacked
lines (learnt from the page: it depends on whether the boxes are a text layer's or OCR's), and
nothing is drawn between them (a conductor or a symbol). Gaps alone cannot decide: a bus name or
cable tag can sit about as close to a label as its own lines, which is why an alignment is
required as well.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx
import numpy as np

from sld.geometry import BoolArray, FloatArray
from sld.text.ratings import designation_type_hint, parse_designation

#: A box taller than wide (by this factor) holds vertical (90° rotated) text when it has 2+
#: characters: two characters side by side are always wider than tall.
VERTICAL_ASPECT = 1.0
#: Lines of a stack follow each other with a gap of at most this many line heights (across the
#: text) ...
MAX_LINE_GAP = 1.5
#: ... and overlap by at most this much (OCR boxes are padded and may overlap).
MAX_LINE_OVERLAP = 0.6
#: ... and within this many line heights of the page's usual gap between stacked lines.
GAP_TOLERANCE = 0.45
#: The usual gap is learnt from the page when it has this many aligned line pairs, else
#: `DEFAULT_LINE_GAP` is assumed (a text layer's glyph boxes leave about 0.5-1.2 heights between
#: lines; OCR boxes are padded and leave about none).
MIN_PAIRS = 6
DEFAULT_LINE_GAP = 0.6
#: Lines whose heights differ by more than this factor are in different fonts.
MAX_HEIGHT_RATIO = 1.45
#: Edges (or centres) within this many line heights count as aligned.
ALIGN_TOLERANCE = 0.6
#: Words that open a cross-reference or an off-page note, not a component's label.
REFERENCE_OPENERS = frozenset({"TO", "FROM", "CONT.", "CONT", "CONTINUED", "SEE"})


@dataclass(frozen=True)
class LabelBlock:
    """A stack of text lines that is linked as a whole."""

    #: Indices of the text lines, in reading order (first line first).
    lines: tuple[int, ...]
    #: The union box of the lines, points.
    box: FloatArray
    #: Lines reading bottom to top or top to bottom (rotated 90°).
    vertical: bool
    #: Median height of one line across the text (points): the block's unit of length.
    line_height: float
    #: The designation on the block's lines, if any ("CB-3").
    designation: str | None
    #: The component type the designation suggests ("circuit_breaker"), if any.
    type_hint: str | None
    #: The block opens with "TO ...", "FROM ...": a cross-reference, not a label.
    reference: bool


def vertical_lines(boxes: FloatArray, texts: list[str]) -> BoolArray:
    """Which text lines are rotated 90°: boxes clearly taller than wide with 2+ characters."""
    width = boxes[:, 2] - boxes[:, 0]
    height = boxes[:, 3] - boxes[:, 1]
    lengths = np.asarray([len(text.strip()) for text in texts])
    return np.asarray((height > VERTICAL_ASPECT * width) & (lengths >= 2), dtype=np.bool_)


def reading_frame(boxes: FloatArray, vertical: BoolArray) -> FloatArray:
    """Boxes in the frame of their own text: u along the line, v across it (next line +v).

    Horizontal lines keep (x, y). Vertical lines are turned so that u runs up the page (reading
    upwards, the usual way on drawings) and v to the right, where the next line of such a stack
    goes.
    """
    frame = boxes.copy()
    turned = boxes[vertical]
    frame[vertical] = np.stack([-turned[:, 3], turned[:, 0], -turned[:, 1], turned[:, 2]], axis=1)
    return frame


def _aligned(a: FloatArray, b: FloatArray, tolerance: float) -> bool:
    """Start edges, end edges or centres of two frame boxes within `tolerance` along the line."""
    return bool(
        abs(a[0] - b[0]) <= tolerance
        or abs(a[2] - b[2]) <= tolerance
        or abs((a[0] + a[2]) - (b[0] + b[2])) / 2 <= tolerance
    )


def stack_gap(a: FloatArray, b: FloatArray) -> float | None:
    """The gap between two frame boxes that could be lines of one stack, in line heights.

    None unless they have about the same height, overlap along the text, share an edge or a
    centre, and the gap (negative: overlap) lies in [-MAX_LINE_OVERLAP, MAX_LINE_GAP].
    """
    height_a, height_b = a[3] - a[1], b[3] - b[1]
    small, large = sorted((height_a, height_b))
    if small <= 0 or large > MAX_HEIGHT_RATIO * small:
        return None
    upper, lower = (a, b) if a[1] <= b[1] else (b, a)
    gap = float(lower[1] - upper[3]) / small
    if not -MAX_LINE_OVERLAP <= gap <= MAX_LINE_GAP:
        return None
    overlap_along = min(a[2], b[2]) - max(a[0], b[0])
    if overlap_along <= 0 or not _aligned(a, b, ALIGN_TOLERANCE * small):
        return None
    return float(gap)


def usual_gap(gaps: list[float]) -> float:
    """The page's usual gap between stacked lines: the median of the candidate pairs.

    Most aligned neighbours on a sheet are lines of one label, so the median is their gap; a
    cable tag or a bus name that happens to align with a label sits farther off. The gap depends
    on where the boxes come from (a text layer's tight glyph boxes, padded OCR boxes), hence
    learnt per page.
    """
    return float(np.median(gaps)) if len(gaps) >= MIN_PAIRS else DEFAULT_LINE_GAP


def _is_reference(text: str) -> bool:
    words = text.strip().upper().split()
    return bool(words) and words[0] in REFERENCE_OPENERS


def label_blocks(
    boxes: FloatArray,
    texts: list[str],
    separated: Callable[[FloatArray, FloatArray], bool] | None = None,
) -> list[LabelBlock]:
    """The text lines grouped into label blocks; every line is in exactly one block.

    `separated(box_a, box_b)` says that something is drawn between two lines (a conductor or a
    symbol), which keeps them apart however well they align.
    """
    count = len(boxes)
    if count == 0:
        return []
    vertical = vertical_lines(boxes, texts)
    frame = reading_frame(boxes, vertical)
    heights = frame[:, 3] - frame[:, 1]
    candidates: list[tuple[int, int, float]] = []
    for i in range(count):
        # Only lines near i across the text can be its neighbours in a stack.
        near = np.flatnonzero(
            (vertical == vertical[i])
            & (np.abs(frame[:, 1] - frame[i, 1]) <= (MAX_LINE_GAP + 2.5) * heights[i])
        )
        for j in near[near > i]:
            gap = stack_gap(frame[i], frame[j])
            if gap is not None:
                candidates.append((i, int(j), gap))
    limit = min(MAX_LINE_GAP, usual_gap([gap for _, _, gap in candidates]) + GAP_TOLERANCE)
    graph = nx.Graph()
    graph.add_nodes_from(range(count))
    for i, j, gap in candidates:
        if gap <= limit and not (separated is not None and separated(boxes[i], boxes[j])):
            graph.add_edge(i, j)
    blocks = []
    for members in nx.connected_components(graph):
        order = sorted(members, key=lambda k: (frame[k, 1], frame[k, 0]))
        member_boxes = boxes[order]
        names = [parse_designation(texts[k]) for k in order]
        designation = next((name for name in names if name), None)
        blocks.append(
            LabelBlock(
                lines=tuple(order),
                box=np.asarray(
                    [
                        member_boxes[:, 0].min(),
                        member_boxes[:, 1].min(),
                        member_boxes[:, 2].max(),
                        member_boxes[:, 3].max(),
                    ],
                    dtype=np.float64,
                ),
                vertical=bool(vertical[order[0]]),
                line_height=float(np.median(heights[order])),
                designation=designation,
                type_hint=designation_type_hint(designation) if designation else None,
                reference=_is_reference(texts[order[0]]),
            )
        )
    blocks.sort(key=lambda block: (block.box[1], block.box[0]))
    return blocks

"""Label blocks: the stacked text lines that label one component, found from their geometry.

A drafter writes a component's label as a small stack: the designation, then a line or three of
ratings, one under the other, left-aligned (label right of the symbol), right-aligned (left of
it) or centred (above or below it); rotated labels stack the same way side by side. Linking a
block as a whole keeps a rating line from drifting to a neighbour just because that neighbour
is a little nearer to it.

Two lines are in one block when they read the same way, have about the same height, follow
each other at about one line pitch, share an edge or their centre along the text, and nothing
is drawn between them (a conductor or a symbol). Gaps alone cannot decide: in practice a bus
name or cable tag can sit closer to a label than the label's own line pitch, which is why an
alignment is required as well.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx
import numpy as np

from sld.geometry import BoolArray, FloatArray
from sld.ratings import designation_type_hint, parse_designation

#: A box taller than wide (by this factor) holds vertical (90° rotated) text when it has 2+
#: characters: two characters side by side are always wider than tall.
VERTICAL_ASPECT = 1.0
#: Lines of one block follow each other with at most this gap, in line heights (across the text).
MAX_LINE_GAP = 1.0
#: ... and overlap by at most this much (OCR boxes are padded and may touch).
MAX_LINE_OVERLAP = 0.3
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


def stacked(a: FloatArray, b: FloatArray) -> bool:
    """Whether frame box `b` is the next line of a stack after `a` (or `a` after `b`)."""
    height_a, height_b = a[3] - a[1], b[3] - b[1]
    small, large = sorted((height_a, height_b))
    if small <= 0 or large > MAX_HEIGHT_RATIO * small:
        return False
    upper, lower = (a, b) if a[1] <= b[1] else (b, a)
    gap = lower[1] - upper[3]
    if not -MAX_LINE_OVERLAP * small <= gap <= MAX_LINE_GAP * small:
        return False
    overlap_along = min(a[2], b[2]) - max(a[0], b[0])
    return overlap_along > 0 and _aligned(a, b, ALIGN_TOLERANCE * small)


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
    graph = nx.Graph()
    graph.add_nodes_from(range(count))
    heights = frame[:, 3] - frame[:, 1]
    for i in range(count):
        # Only lines near i across the text can be its neighbours in a stack.
        near = np.flatnonzero(
            (vertical == vertical[i])
            & (np.abs(frame[:, 1] - frame[i, 1]) <= (MAX_LINE_GAP + 2.5) * heights[i])
        )
        for j in near[near > i]:
            if stacked(frame[i], frame[j]) and not (
                separated is not None and separated(boxes[i], boxes[j])
            ):
                graph.add_edge(i, int(j))
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

"""Reads Rex-Omni's answers: labelled boxes, points and polygons in the image's pixels.

The grammar (upstream `rex_omni/parser.py`, and the outputs seen in its notebooks):

    <|object_ref_start|>LABEL<|object_ref_end|><|box_start|><x0><y0><x1><y1>,<x0>...<|box_end|>,
    <|object_ref_start|>LABEL...<|box_end|><|im_end|>

Shapes of one label are separated by ",", labels by ", ". Two numbers are a point, four a box,
six or more (even) a polygon; `None` means the object is absent. In OCR tasks LABEL is the text
read. A generation cut by the token cap leaves its last group open; like upstream, that group
is still read. Anything else (stray tokens, a bin above 999, an odd count, an inverted box) is
skipped: the parser never raises on model output and never returns a point outside the image.

Given the answer's tokens with their log-probabilities, each shape is scored with the
probability of its own tokens: those of its label and of its coordinates (the product, so a
box is as sure as its least sure token allows). The label's tokens count for every shape of
the label; separators and markers count for none.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sld.detections import Detections
from sld.rexomni.coords import MAX_BIN, bin_to_pixels
from sld.rexomni.decoding import END_OF_TEXT, END_OF_TURN
from sld.rexomni.queries import TokenScore

OBJECT_REF_START = "<|object_ref_start|>"
OBJECT_REF_END = "<|object_ref_end|>"
BOX_START = "<|box_start|>"
BOX_END = "<|box_end|>"
#: Tokens after which nothing is part of the answer (end of turn, padding of a batch).
END_TOKENS = (END_OF_TURN, END_OF_TEXT)

_COORDINATE = re.compile(r"<(\d+)>")
_SPECIAL_TOKEN = re.compile(r"<\|[^|<>]*\|>")

ShapeKind = Literal["box", "point", "polygon"]


@dataclass(frozen=True)
class Shape:
    """One shape of the answer: a label and its vertices in the image's pixels."""

    label: str
    kind: ShapeKind
    #: Box: the two corners (x0, y0), (x1, y1). Point: one vertex. Polygon: its vertices.
    vertices: tuple[tuple[float, float], ...]
    #: Probability of the shape's label and coordinate tokens; None when they are unknown.
    score: float | None = None

    @property
    def box(self) -> tuple[float, float, float, float] | None:
        """The bounding box of a box or polygon; `None` for a point, which has no extent."""
        if self.kind == "point":
            return None
        xs = [x for x, _ in self.vertices]
        ys = [y for _, y in self.vertices]
        return (min(xs), min(ys), max(xs), max(ys))


def answer_body(text: str) -> str:
    """The answer up to the end of the assistant's turn."""
    end = len(text)
    for token in END_TOKENS:
        found = text.find(token)
        if found != -1:
            end = min(end, found)
    return text[:end]


def clean_label(raw: str) -> str:
    """The label with stray special tokens removed and whitespace collapsed."""
    return " ".join(_SPECIAL_TOKEN.sub(" ", raw).split())


#: Character offsets [start, end) in the answer text.
Span = tuple[int, int]


def _shape_from_bins(label: str, bins: list[int], width: float, height: float) -> Shape | None:
    if any(value > MAX_BIN for value in bins) or len(bins) < 2 or len(bins) % 2:
        return None
    vertices = tuple(
        (bin_to_pixels(bins[i], width), bin_to_pixels(bins[i + 1], height))
        for i in range(0, len(bins), 2)
    )
    if len(bins) == 2:
        return Shape(label, "point", vertices)
    if len(bins) == 4:
        x0, y0, x1, y1 = bins
        if x1 <= x0 or y1 <= y0:
            return None
        return Shape(label, "box", vertices)
    if len(bins) < 6:
        return None
    shape = Shape(label, "polygon", vertices)
    box = shape.box
    if box is None or box[2] <= box[0] or box[3] <= box[1]:
        return None
    return shape


def _group_shapes(
    group: str, offset: int, width: float, height: float
) -> list[tuple[Shape, Span, Span]]:
    """Shapes of one `LABEL<|object_ref_end|><|box_start|>...` group, starting at `offset` in
    the answer, each with the spans of its label and its coordinates; [] if malformed."""
    label_text, found_label_end, rest = group.partition(OBJECT_REF_END)
    if not found_label_end:
        return []
    position = offset + len(label_text) + len(OBJECT_REF_END)
    stripped = rest.lstrip()
    position += len(rest) - len(stripped)
    if not stripped.startswith(BOX_START):
        return []
    position += len(BOX_START)
    body = stripped[len(BOX_START) :].partition(BOX_END)[0]
    label = clean_label(label_text)
    label_span = (offset, offset + len(label_text))
    shapes = []
    for piece in body.split(","):
        bins = [int(digits) for digits in _COORDINATE.findall(piece)]
        shape = _shape_from_bins(label, bins, width, height)
        if shape is not None:
            shapes.append((shape, label_span, (position, position + len(piece))))
        position += len(piece) + 1
    return shapes


def _probability(tokens: Sequence[TokenScore], spans: Sequence[Span]) -> float:
    """Product of the probabilities of the tokens that overlap any of `spans`."""
    logprob = 0.0
    start = 0
    for token in tokens:
        end = start + len(token.text)
        if any(start < span_end and span_start < end for span_start, span_end in spans):
            logprob += token.logprob
        start = end
    return math.exp(logprob)


def parse_answer(
    text: str, width: float, height: float, tokens: Sequence[TokenScore] = ()
) -> list[Shape]:
    """All shapes in a Rex-Omni answer, in pixels of a `width` x `height` image.

    `width` and `height` are the size of the image as given to the model (the processor's
    internal resize does not count). With the answer's `tokens` (their texts joining to
    `text`), each shape gets the probability of its label and coordinate tokens as `score`.
    """
    if width <= 0 or height <= 0:
        raise ValueError(f"image size must be positive, got {width} x {height}")
    body = answer_body(text)
    starts = [found.end() for found in re.finditer(re.escape(OBJECT_REF_START), body)]
    ends = [start - len(OBJECT_REF_START) for start in starts[1:]] + [len(body)] * bool(starts)
    shapes: list[Shape] = []
    for start, end in zip(starts, ends, strict=True):
        for shape, label_span, coordinate_span in _group_shapes(
            body[start:end], start, width, height
        ):
            if tokens:
                score = _probability(tokens, (label_span, coordinate_span))
                shape = Shape(shape.label, shape.kind, shape.vertices, score)
            shapes.append(shape)
    return shapes


def shapes_to_detections(shapes: list[Shape], score: float) -> Detections:
    """The boxes and polygons as `Detections` (points are left out: they have no extent).

    Each keeps its own `score` where the answer's tokens gave one, else gets `score`.
    """
    boxed = [shape for shape in shapes if shape.box is not None]
    if not boxed:
        return Detections()
    return Detections.from_lists(
        boxes=[shape.box for shape in boxed if shape.box is not None],
        scores=[score if shape.score is None else shape.score for shape in boxed],
        labels=[shape.label for shape in boxed],
    )

"""Linking text lines to the components they label: label blocks assigned to symbols globally.

Three steps:

1. Lines are grouped into label blocks (`sld.text.label_blocks`): a stack of lines that share an
   edge or a centre, at one line pitch, with nothing drawn between them. A block links as a
   whole, so a component's rating lines go wherever its designation goes.
2. Every block gets a cost for every symbol within reach (the cost model below), or none at all
   when something is drawn between them (`sld.text.sightlines`): a wire, another symbol.
3. One assignment for the whole page: the set of (block, symbol) links with the largest total
   saving over leaving blocks unlinked (`UNLINKED_COST - cost`), found exactly as a maximum-
   weight matching between blocks and symbol "slots". A symbol's first block costs what it
   costs; each further block costs `EXTRA_BLOCK_COST` more, and `EXTRA_NAME_COST` more again
   when it holds a designation too (a component has one name). So two neighbours whose labels
   both lie nearer to one of them are resolved together, not first come first served.

Cost of linking block B to symbol S (dimensionless; lower is better):

    cost = gap / reach_unit                        how far apart they are
         + ALIGNMENT_WEIGHT * misalignment         how little B lines up with S
         + LEAD_SIDE_COST     if a wire leaves S on the side B faces
         + TEXT_BETWEEN_COST  if other text lies between them
         + HINT_MATCH_COST or HINT_CONFLICT_COST  from B's designation and S's type

- gap: distance between B's box and S's box (0 when they touch).
- reach_unit = `REACH_TEXT_HEIGHTS` * B's line height + `REACH_SYMBOL_SIZES` * S's size (its larger
  side): drafters set labels about a text height or two away, a little farther from big
  symbols. A gap beyond `MAX_REACH` reach units is never a label.
- misalignment: beside S (their y-ranges overlap), the offset in y of the centres, or of the
  edges where the text starts (top of a stack; bottom of rotated text, which reads upwards),
  whichever is smaller. Above or below S (x-ranges overlap), the same in x with the left edges
  (rotated text: centres only, plus `ROTATED_OVER_COST`: rotated labels stand beside vertical
  runs). Offsets count in (half the symbol's extent + one line height): 0 for a centred block,
  about 1 where it barely overlaps. Diagonal (no overlap either way): `DIAGONAL_COST` plus the
  smaller of the two offsets in reach units.
- lead side: a label is set where no wire leaves the symbol (beside a vertical run, above a
  horizontal one). Text that faces the side a wire leaves by sits beside that wire: a cable tag
  or a bus name between two symbols, not a label (`Sightlines.lead_sides`).
- designation hint (`sld.text.ratings.designation_type_hint`): "CB-3" beside a circuit breaker
  costs `HINT_MATCH_COST` (negative), beside a fuse `HINT_CONFLICT_COST`; only a soft cue, since
  IEC drawings also mark miniature breakers "F".
- a block that opens with "TO ..." or "FROM ..." is a cross-reference (off-page connector) and
  labels nothing; a short line inside a symbol's box ("M", "G", "3~") is a letter of the symbol
  itself (`symbol_marks`), neither a label nor a text of the page.

Walls: a conductor or another symbol across the sight lines between B and S rules the pair out
(on raster pages without vector conductors, a dark stroke of the image does). The sight lines
stop short of S's box by `BOX_SLACK` of its size, so a detector's box that misses a bit of the
symbol does not make the symbol's own strokes a wall.

A block is linked only where its cost is below `UNLINKED_COST`: text that labels nothing (title
block, notes, bus names, cable tags, zone letters) is far away, misaligned or behind a wire.
Bus names are left unlinked on purpose: the connectivity stage names buses from them.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from sld.detections import Detections
from sld.document import CORE_TYPES
from sld.geometry import BoolArray, FloatArray, containment_matrix
from sld.pages.page import PageImage
from sld.pages.tiling import INK_LEVEL
from sld.text.label_blocks import LabelBlock, label_blocks
from sld.text.ratings import parse_designation, parse_ratings
from sld.text.sightlines import BOTTOM, LEFT, RIGHT, TOP, InkCrossings, Sightlines

REACH_TEXT_HEIGHTS = 1.5
REACH_SYMBOL_SIZES = 0.25
MAX_REACH = 3.0
ALIGNMENT_WEIGHT = 1.0
DIAGONAL_COST = 1.0
ROTATED_OVER_COST = 0.5
TEXT_BETWEEN_COST = 0.8
LEAD_SIDE_COST = 0.8
HINT_MATCH_COST = -0.25
HINT_CONFLICT_COST = 0.5
UNLINKED_COST = 2.0
EXTRA_BLOCK_COST = 0.5
EXTRA_NAME_COST = 1.5
#: How far (share of its size) a detected symbol box may fall short of the drawn symbol.
BOX_SLACK = 0.1
#: A text line this much inside a symbol box, and this short, is a letter of the symbol itself.
MARK_INSIDE = 0.7
MARK_LENGTH = 3
#: Blocks one symbol may take (its label, plus e.g. ratings set on the other side).
SLOTS = 3
#: Costs are compared as integers in these units (exact arithmetic in the matching).
COST_RESOLUTION = 10_000


@dataclass(frozen=True)
class Candidate:
    """A possible link: block index, symbol index, cost."""

    block: int
    symbol: int
    cost: float


def box_gaps(a: FloatArray, b: FloatArray) -> FloatArray:
    """Pairwise distances between the edges of boxes (0 where they overlap): (len(a), len(b))."""
    dx = np.maximum(0.0, np.maximum(a[:, None, 0] - b[None, :, 2], b[None, :, 0] - a[:, None, 2]))
    dy = np.maximum(0.0, np.maximum(a[:, None, 1] - b[None, :, 3], b[None, :, 1] - a[:, None, 3]))
    return np.asarray(np.hypot(dx, dy), dtype=np.float64)


def symbol_sizes(boxes: FloatArray) -> FloatArray:
    """The larger side of each symbol box."""
    return np.asarray(
        np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]), dtype=np.float64
    )


def slack_boxes(boxes: FloatArray) -> FloatArray:
    """Symbol boxes grown by `BOX_SLACK` of their size: where a detector's box may miss."""
    margin = BOX_SLACK * symbol_sizes(boxes)[:, None]
    return np.asarray(boxes + margin * np.asarray([-1.0, -1.0, 1.0, 1.0]), dtype=np.float64)


def misalignment(block: LabelBlock, symbol: FloatArray, reach_unit: float) -> float:
    """How little a block lines up with a symbol box (see the module docstring)."""
    b = block.box
    overlap_x = min(b[2], symbol[2]) - max(b[0], symbol[0])
    overlap_y = min(b[3], symbol[3]) - max(b[1], symbol[1])
    if overlap_x > 0 and overlap_y > 0:  # the text lies on the symbol's box
        return 0.0
    extra = 0.0
    if overlap_y > 0 and overlap_x <= 0:  # beside: centres in y, or where the text starts
        along = 1
        edge = abs(b[3] - symbol[3]) if block.vertical else abs(b[1] - symbol[1])
    elif overlap_x > 0 and overlap_y <= 0:  # above or below: centres in x, or left edges
        along = 0
        edge = np.inf if block.vertical else abs(b[0] - symbol[0])
        extra = ROTATED_OVER_COST if block.vertical else 0.0
    else:
        return float(DIAGONAL_COST + min(-overlap_x, -overlap_y) / reach_unit)
    centre = abs((b[along] + b[along + 2]) - (symbol[along] + symbol[along + 2])) / 2
    scale = (symbol[along + 2] - symbol[along]) / 2 + block.line_height
    return float(min(centre, edge) / scale + extra)


def facing_side(block: FloatArray, symbol: FloatArray) -> int | None:
    """The side of the symbol box that the block faces: LEFT, TOP, RIGHT or BOTTOM.

    Diagonally, the side across which the block lies farther away; None when the boxes overlap.
    """
    apart_x = max(block[0] - symbol[2], symbol[0] - block[2])
    apart_y = max(block[1] - symbol[3], symbol[1] - block[3])
    if apart_x <= 0 and apart_y <= 0:
        return None
    if apart_x >= apart_y:
        return RIGHT if block[0] >= symbol[2] else LEFT
    return BOTTOM if block[1] >= symbol[3] else TOP


def hint_cost(block: LabelBlock, symbol_type: str) -> float:
    if block.type_hint is None or symbol_type not in CORE_TYPES:
        return 0.0
    return HINT_MATCH_COST if block.type_hint == symbol_type else HINT_CONFLICT_COST


def candidate_links(
    blocks: list[LabelBlock], symbols: Detections, sightlines: Sightlines
) -> list[Candidate]:
    """Every (block, symbol) pair within reach with nothing drawn between, and its cost."""
    if not blocks or not len(symbols):
        return []
    block_boxes = np.stack([block.box for block in blocks])
    heights = np.asarray([block.line_height for block in blocks])
    units = (
        REACH_TEXT_HEIGHTS * heights[:, None]
        + REACH_SYMBOL_SIZES * symbol_sizes(symbols.boxes)[None, :]
    )
    gaps = box_gaps(block_boxes, symbols.boxes)
    within = (gaps <= MAX_REACH * units) & ~np.asarray([b.reference for b in blocks])[:, None]
    pairs = [(int(i), int(j)) for i, j in zip(*np.nonzero(within), strict=True)]
    # Sight lines stop at the symbol's box grown by the detector's slack: strokes of the symbol
    # that stick out of a tight box are not walls between it and its label.
    loose = slack_boxes(symbols.boxes)
    boxes = [(blocks[i].box, loose[j]) for i, j in pairs]
    walled = sightlines.separated(boxes, [j for _, j in pairs])
    boxes = [(blocks[i].box, symbols.boxes[j]) for i, j in pairs]
    leads = sightlines.lead_sides(symbols.boxes)
    texts_between = sightlines.text_between(boxes, [frozenset(blocks[i].lines) for i, _ in pairs])
    found = []
    for k, (i, j) in enumerate(pairs):
        if walled[k]:
            continue
        unit = float(units[i, j])
        cost = (
            float(gaps[i, j]) / unit
            + ALIGNMENT_WEIGHT * misalignment(blocks[i], symbols.boxes[j], unit)
            + (TEXT_BETWEEN_COST if texts_between[k] else 0.0)
            + hint_cost(blocks[i], str(symbols.labels[j]))
        )
        side = facing_side(blocks[i].box, symbols.boxes[j])
        if side is not None and leads[j, side]:
            cost += LEAD_SIDE_COST
        if cost < UNLINKED_COST:
            found.append(Candidate(i, j, cost))
    return found


def assign(candidates: list[Candidate], blocks: list[LabelBlock]) -> dict[int, int]:
    """Block index -> symbol index: the links of largest total saving (see the docstring)."""
    graph = nx.Graph()
    for candidate in candidates:
        named = blocks[candidate.block].designation is not None
        for slot in range(SLOTS):
            extra = slot * EXTRA_BLOCK_COST + (EXTRA_NAME_COST if slot and named else 0.0)
            saving = UNLINKED_COST - candidate.cost - extra
            if saving <= 0:
                break
            graph.add_edge(
                ("block", candidate.block),
                ("symbol", candidate.symbol, slot),
                weight=round(saving * COST_RESOLUTION),
            )
    links: dict[int, int] = {}
    for part in nx.connected_components(graph):
        for a, b in nx.max_weight_matching(graph.subgraph(part)):
            block_node, symbol_node = (a, b) if a[0] == "block" else (b, a)
            links[block_node[1]] = symbol_node[1]
    return links


def page_ink(page: PageImage, text_boxes: FloatArray) -> InkCrossings | None:
    """The raster's strokes as sight-line obstacles, for pages without vector geometry.

    Text is left out: other text between a label and a symbol is a cost (`TEXT_BETWEEN_COST`),
    as on vector pages, not a wall.
    """
    if page.vector is not None or not page.image.size:
        return None
    ink = page.image < INK_LEVEL
    height, width = ink.shape
    for x0, y0, x1, y1 in np.rint(page.points_to_pixels(text_boxes)).astype(int):
        ink[max(0, y0) : min(height, y1), max(0, x0) : min(width, x1)] = False
    return InkCrossings(ink=ink, scale=page.scale)


def symbol_marks(symbols: Detections, texts: Detections) -> BoolArray:
    """Which text lines are letters drawn inside a symbol ("M", "G", "3~", "A"), not labels.

    A motor's "M" or a meter's "A" is part of the symbol's drawing, whatever reads it as text:
    a short line (at most `MARK_LENGTH` characters) lying mostly inside a symbol box that is
    neither a designation nor a rating, except the phase mark "3~" drawn in machine symbols.
    They label nothing and are left out of the result's texts. A rating written inside a box
    symbol ("24V" in a power supply) is a label and stays.
    """
    if not len(symbols) or not len(texts):
        return np.zeros(len(texts), dtype=np.bool_)
    inside = containment_matrix(texts.boxes, symbols.boxes).max(axis=1) >= MARK_INSIDE
    marks = np.asarray([_is_mark(str(text)) for text in texts.labels], dtype=np.bool_)
    return np.asarray(inside & marks, dtype=np.bool_)


def _is_mark(text: str) -> bool:
    if len("".join(text.split())) > MARK_LENGTH or parse_designation(text) is not None:
        return False
    return set(parse_ratings(text).model_dump()) <= {"phases"}


def link_texts(
    page: PageImage, symbols: Detections, texts: Detections, wires: FloatArray
) -> list[int | None]:
    """For each text line, the index of the symbol it labels, or None (see the module docstring).

    `wires` are the page's conductor segments (N, 4) in points: a label never links across one.
    """
    if not len(symbols) or not len(texts):
        return [None] * len(texts)
    # Letters inside symbols are left out: they are not labels.
    kept = np.flatnonzero(~symbol_marks(symbols, texts))
    boxes = texts.boxes[kept]
    strings = [str(texts.labels[index]) for index in kept]
    sightlines = Sightlines(wires, symbols.boxes, boxes, page_ink(page, texts.boxes))
    blocks = label_blocks(
        boxes,
        strings,
        separated=lambda a, b: bool(sightlines.separated([(a, b)], [None])[0]),
    )
    links: list[int | None] = [None] * len(texts)
    for block_index, symbol_index in assign(
        candidate_links(blocks, symbols, sightlines), blocks
    ).items():
        for line in blocks[block_index].lines:
            links[int(kept[line])] = symbol_index
    return links

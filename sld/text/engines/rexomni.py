"""`rex-omni` and `rex-omni-server` text readers: Rex-Omni's `ocr_box` task over page tiles.

The page is cut into the same overlapping tiles the detectors see, each inked tile is asked for
every text line (or word, setting `rexomni_ocr_granularity`), and the answers are mapped to
page points. A line in the overlap of two tiles is read twice, and a line cut by a tile's edge
is read in part; of boxes that overlap or sit inside one another the largest is kept.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sld.detections import Detections
from sld.geometry import areas, containment_matrix, iou_matrix
from sld.pages.page import PageImage
from sld.pages.tiling import make_tiles, tile_detections_to_points
from sld.rexomni.images import model_image
from sld.rexomni.parser import parse_answer, shapes_to_detections
from sld.rexomni.prompts import OCR_GRANULARITIES, OcrGranularity, ocr_box_prompt
from sld.rexomni.queries import GenerateFn, Query
from sld.settings import Settings

#: The score of a line when the backend reports no token probabilities (Rex-Omni states no
#: confidence; with them a line's score is the probability of its text and box tokens).
TEXT_SCORE = 1.0


def merge_text_boxes(found: Detections, iou: float, containment: float) -> Detections:
    """Drop duplicates from overlapping tiles: the largest box of an overlapping group stays."""
    if len(found) < 2:
        return found
    order = np.argsort(-areas(found.boxes), kind="stable")
    boxes = found.boxes[order]
    overlap = iou_matrix(boxes, boxes)
    inside = containment_matrix(boxes, boxes)
    kept: list[int] = []
    for index in range(len(boxes)):
        if any(overlap[index, k] > iou or inside[index, k] > containment for k in kept):
            continue
        kept.append(index)
    return found[order[np.asarray(kept, dtype=np.intp)]]


def ocr_query(tile_image: NDArray[np.uint8], granularity: OcrGranularity = "text line") -> Query:
    """The `ocr_box` query for a grey tile (also used to train)."""
    return Query(model_image(tile_image), ocr_box_prompt(granularity))


class RexOmniTextReader:
    """A `TextReader` on Rex-Omni answers; the model itself sits behind `generate`."""

    def __init__(
        self,
        generate: GenerateFn,
        *,
        granularity: str = "text line",
        tile_size: int = 1024,
        tile_overlap: int = 256,
        merge_iou: float = 0.5,
        merge_containment: float = 0.8,
        name: str = "rex-omni",
    ) -> None:
        if granularity not in OCR_GRANULARITIES:
            raise ValueError(
                f"OCR granularity must be one of {OCR_GRANULARITIES}, got {granularity!r}"
            )
        self.name = name
        self.generate = generate
        self.granularity: OcrGranularity = granularity
        self.prompt = ocr_box_prompt(granularity)
        self.tile_size = tile_size
        self.tile_overlap = tile_overlap
        self.merge_iou = merge_iou
        self.merge_containment = merge_containment

    def read(self, page: PageImage) -> Detections:
        tiles = [
            tile for tile in make_tiles(page, self.tile_size, self.tile_overlap) if tile.has_ink
        ]
        queries = [ocr_query(tile.image, self.granularity) for tile in tiles]
        answers = self.generate(queries) if queries else []
        if len(answers) != len(queries):
            raise RuntimeError(f"backend gave {len(answers)} answers to {len(queries)} queries")
        parts = []
        for tile, query, answer in zip(tiles, queries, answers, strict=True):
            lines = shapes_to_detections(
                parse_answer(answer.text, query.width, query.height, answer.tokens), TEXT_SCORE
            )
            lines = lines[np.asarray([bool(text) for text in lines.labels], dtype=bool)]
            parts.append(tile_detections_to_points(lines, tile, page))
        return merge_text_boxes(
            Detections.concatenate(parts), self.merge_iou, self.merge_containment
        )


def _reader(settings: Settings, generate: GenerateFn, name: str) -> RexOmniTextReader:
    return RexOmniTextReader(
        generate,
        granularity=settings.rexomni_ocr_granularity,
        tile_size=settings.tile_size,
        tile_overlap=settings.tile_overlap,
        merge_iou=settings.nms_iou,
        merge_containment=settings.partial_containment,
        name=name,
    )


def create(settings: Settings) -> RexOmniTextReader:
    """`rex-omni`: the model in this process (transformers)."""
    from sld.rexomni.backends import inprocess_generator

    return _reader(settings, inprocess_generator(settings), "rex-omni")


def create_server(settings: Settings) -> RexOmniTextReader:
    """`rex-omni-server`: the model behind an OpenAI-compatible server (vLLM)."""
    from sld.rexomni.backends import server_generator

    return _reader(settings, server_generator(settings), "rex-omni-server")

"""`rex-omni` and `rex-omni-server` detectors: SLD symbols by Rex-Omni, zero-shot.

Two modes (setting `rexomni_mode`):
- `text`: one `detection` prompt per tile listing a phrase per component type (setting
  `rexomni_phrases`); the labels the model answers are matched back to types tolerantly.
- `visual`: per tile and component type, the type's reference symbols are pasted in a strip
  beside the tile and given as reference boxes (`visual_prompting`); the answers are that type.

Tiles without ink are skipped, and boxes that lie mostly on the tile's text are dropped. Rex-Omni
states no confidence: a box's score is the probability of its own answer tokens (label and
coordinates) where the backend reports them, else the constant `rexomni_score`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from sld.detections import Detections
from sld.geometry import clip_boxes, valid_boxes
from sld.pages.tiling import Tile
from sld.rexomni.coords import box_to_bins
from sld.rexomni.images import model_image
from sld.rexomni.parser import parse_answer, shapes_to_detections
from sld.rexomni.prompts import detection_prompt, visual_prompting_prompt
from sld.rexomni.queries import Answer, GenerateFn, Query
from sld.rexomni.visual import ReferenceCanvas, reference_canvas
from sld.settings import Settings
from sld.symbols.detectors.zero_shot import PhraseMatcher, drop_boxes_on_text

log = logging.getLogger(__name__)

#: A reference symbol: its component type and a grey uint8 crop of it.
Exemplar = tuple[str, NDArray[np.uint8]]
#: At most this many exemplars of one type share a strip (more crowd the tile's budget).
MAX_EXEMPLARS_PER_TYPE = 3


@dataclass(frozen=True)
class _Asked:
    """What one query was: which tile, and in visual mode for which type."""

    tile_position: int
    component_type: str | None
    tile_width: int
    tile_height: int


class RexOmniDetector:
    """A `SymbolDetector` on Rex-Omni answers; the model itself sits behind `generate`."""

    def __init__(
        self,
        generate: GenerateFn,
        phrases: Mapping[str, str],
        *,
        mode: str = "text",
        exemplars: Sequence[Exemplar] = (),
        score: float = 1.0,
        name: str = "rex-omni",
    ) -> None:
        if mode not in ("text", "visual"):
            raise ValueError(f"rex-omni mode must be 'text' or 'visual', got {mode!r}")
        self.name = name
        self.generate = generate
        self.mode = mode
        self.score = score
        self.matcher = PhraseMatcher(phrases)
        self.exemplars: dict[str, list[NDArray[np.uint8]]] = {}
        for component_type, crop in exemplars:
            chosen = self.exemplars.setdefault(component_type, [])
            if len(chosen) < MAX_EXEMPLARS_PER_TYPE:
                chosen.append(crop)
        if mode == "visual" and not self.exemplars:
            raise ValueError("rex-omni visual mode needs reference symbols (exemplars)")

    def detect(self, tiles: Sequence[Tile]) -> list[Detections]:
        queries: list[Query] = []
        asked: list[_Asked] = []
        for position, tile in enumerate(tiles):
            if not tile.has_ink:
                continue
            for query, component_type in self._queries(tile):
                queries.append(query)
                asked.append(_Asked(position, component_type, tile.width, tile.height))
        answers = self.generate(queries) if queries else []
        if len(answers) != len(queries):
            raise RuntimeError(f"backend gave {len(answers)} answers to {len(queries)} queries")
        found: list[list[Detections]] = [[] for _ in tiles]
        for query, what, answer in zip(queries, asked, answers, strict=True):
            found[what.tile_position].append(self._read(answer, query, what))
        return [
            drop_boxes_on_text(Detections.concatenate(parts), tile)
            for parts, tile in zip(found, tiles, strict=True)
        ]

    def _queries(self, tile: Tile) -> list[tuple[Query, str | None]]:
        if self.mode == "text":
            return [(text_query(tile.image, list(self.matcher.phrases.values())), None)]
        return [
            (visual_query(tile.image, crops)[0], component_type)
            for component_type, crops in self.exemplars.items()
        ]

    def _read(self, answer: Answer, query: Query, asked: _Asked) -> Detections:
        """One answer as detections in tile pixels, labelled with component types."""
        shapes = parse_answer(answer.text, query.width, query.height, answer.tokens)
        found = shapes_to_detections(shapes, self.score)
        if not len(found):
            return found
        if asked.component_type is not None:
            labels = [asked.component_type] * len(found)
        else:
            labels = [self.matcher.match(label) or "" for label in found.labels]
            for label, matched in zip(found.labels, labels, strict=True):
                if not matched:
                    log.debug("dropped a box labelled %r: no phrase matches it", label)
        centres_x = (found.boxes[:, 0] + found.boxes[:, 2]) / 2
        centres_y = (found.boxes[:, 1] + found.boxes[:, 3]) / 2
        on_tile = (centres_x < asked.tile_width) & (centres_y < asked.tile_height)
        keep = on_tile & np.asarray([bool(label) for label in labels])
        boxes = clip_boxes(found.boxes, asked.tile_width, asked.tile_height)
        kept = Detections(boxes=boxes, scores=found.scores, labels=np.asarray(labels, dtype=object))
        kept = kept[keep]
        return kept[valid_boxes(kept.boxes)]


def text_query(tile_image: NDArray[np.uint8], phrases: Sequence[str]) -> Query:
    """The `detection` query for a grey tile: every phrase in one prompt (also used to train)."""
    return Query(model_image(tile_image), detection_prompt(phrases))


def visual_query(
    tile_image: NDArray[np.uint8], crops: Sequence[NDArray[np.uint8]]
) -> tuple[Query, ReferenceCanvas]:
    """The `visual_prompting` query for a grey tile and exemplar crops of one type, and the
    canvas it shows (the tile with the exemplar strip; also used to train)."""
    canvas = reference_canvas(tile_image, crops)
    height, width = canvas.image.shape
    bins = [box_to_bins(box, width, height) for box in canvas.reference_boxes]
    return Query(model_image(canvas.image), visual_prompting_prompt(bins)), canvas


def exemplars_from_folder(folder: Path) -> list[Exemplar]:
    """Reference symbols from `folder/<component_type>/*.png` (grey crops, one symbol each).

    A stop-gap until the project's symbol library provides exemplars; it is the one place to
    change when it does.
    """
    exemplars: list[Exemplar] = []
    for type_folder in sorted(path for path in Path(folder).iterdir() if path.is_dir()):
        for crop in sorted(type_folder.glob("*.png")):
            with Image.open(crop) as image:
                exemplars.append((type_folder.name, np.asarray(image.convert("L"), dtype=np.uint8)))
    return exemplars


def _detector(settings: Settings, generate: GenerateFn, name: str) -> RexOmniDetector:
    exemplars: list[Exemplar] = []
    if settings.rexomni_mode == "visual":
        if settings.symbol_library is None:
            raise ValueError(
                "rex-omni visual mode needs reference symbols: set SLD_SYMBOL_LIBRARY to a folder "
                "with one sub-folder of PNG crops per component type"
            )
        exemplars = exemplars_from_folder(settings.symbol_library)
    return RexOmniDetector(
        generate,
        settings.rexomni_phrases,
        mode=settings.rexomni_mode,
        exemplars=exemplars,
        score=settings.rexomni_score,
        name=name,
    )


def create(settings: Settings) -> RexOmniDetector:
    """`rex-omni`: the model in this process (transformers)."""
    from sld.rexomni.backends import inprocess_generator

    return _detector(settings, inprocess_generator(settings), "rex-omni")


def create_server(settings: Settings) -> RexOmniDetector:
    """`rex-omni-server`: the model behind an OpenAI-compatible server (vLLM)."""
    from sld.rexomni.backends import server_generator

    return _detector(settings, server_generator(settings), "rex-omni-server")

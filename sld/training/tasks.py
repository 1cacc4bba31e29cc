"""Training samples from a labelled page: its tiles asked as inference asks them.

The page is cut with `sld.pages.tiling.make_tiles` at the inference tile size and overlap, so
symbols appear at the scale the model sees them, and tiles without ink are skipped as the
detectors skip them. Every query is built by the backend's own functions (`text_query`,
`visual_query`, `ocr_query`): same prompt wording, same exemplar strip, same image conversion.

Per inked tile:
- detection: either every configured phrase in settings order (the exact inference prompt) or
  the types present plus a bounded random number of absent ones, in random order (upstream's
  shuffled categories with negatives); absent types answer `None`.
- visual prompting: one type present on the tile, 1-3 exemplars of it cut from elsewhere on the
  page and pasted in the strip; sometimes a type absent from the tile. The exemplars in the
  strip are similar objects in the image too, so they are part of every answer (for an absent
  type, the only part); the detector drops answers in the strip.
- OCR: every text line wholly on the tile, labelled with its text, in reading order.

Boxes are the truth's boxes (the result format's tight boxes) mapped to tile pixels. A symbol
cut by the tile border is kept, clipped, while at least half of it is on the tile; smaller
slivers are left out (`sld.symbols.merge` removes such fragments at inference anyway). A text
line cut by the border is left out: its text is not what the tile shows.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sld.geometry import FloatArray, areas, as_boxes, clip_boxes
from sld.pages.tiling import Tile, make_tiles
from sld.rexomni.prompts import VISUAL_PROMPT_KEY, OcrGranularity
from sld.settings import Settings
from sld.symbols.detectors.rexomni import MAX_EXEMPLARS_PER_TYPE, text_query, visual_query
from sld.text.engines.rexomni import ocr_query
from sld.training.samples import TASKS, Sample, Target, Task, rounded_box
from sld.training.sources import LabelledPage

log = logging.getLogger(__name__)

#: A symbol cut by the tile border is a target while at least this share of it is on the tile.
VISIBLE_SHARE = 0.5
#: A text line is a target only when this share of it is on the tile (whole, up to rounding).
TEXT_ON_TILE = 0.98


@dataclass(frozen=True)
class TaskMix:
    """Which tasks to make and how: the knobs of `sld train export`."""

    #: Component type -> the phrase the detector asks for it (`SLD_REXOMNI_PHRASES`).
    phrases: Mapping[str, str]
    tasks: tuple[Task, ...] = TASKS
    #: At most this many absent types are asked per detection sample (upstream's maintainers
    #: advise a few; too many teach the model to answer None).
    max_negatives: int = 3
    #: Share of detection samples that ask every phrase in settings order, as inference does.
    full_prompt_share: float = 0.5
    #: Share of tiles that also get a visual prompt for a type absent from the tile.
    visual_negative_share: float = 0.25
    ocr_granularity: OcrGranularity = "text line"

    def __post_init__(self) -> None:
        unknown = set(self.tasks) - set(TASKS)
        if unknown:
            raise ValueError(f"unknown tasks {sorted(unknown)}; choose from {list(TASKS)}")
        if not self.phrases:
            raise ValueError("no phrases: map at least one component type to a phrase")
        if self.max_negatives < 0:
            raise ValueError("max_negatives must be at least 0")


@dataclass(frozen=True)
class _TileTruth:
    """The truth on one tile, in tile pixels."""

    symbols: dict[str, list[tuple[float, float, float, float]]]
    lines: list[tuple[str, tuple[float, float, float, float]]]


def _page_pixels(
    page: LabelledPage, boxes_pt: list[tuple[float, float, float, float]]
) -> FloatArray:
    return page.image.points_to_pixels(as_boxes(boxes_pt))


def _on_tile(boxes_px: FloatArray, tile: Tile) -> tuple[FloatArray, FloatArray]:
    """Boxes in tile pixels clipped to the tile, and the share of each that is on it."""
    local = boxes_px - np.asarray([tile.x0, tile.y0, tile.x0, tile.y0], dtype=np.float64)
    clipped = clip_boxes(local, tile.width, tile.height)
    full = areas(local)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(full > 0, areas(clipped) / full, 0.0)
    return clipped, share


def _tile_truth(page: LabelledPage, tile: Tile, mix: TaskMix) -> _TileTruth:
    components = [c for c in page.truth.components if c.type in mix.phrases]
    symbols: dict[str, list[tuple[float, float, float, float]]] = {}
    if components:
        boxes, share = _on_tile(_page_pixels(page, [c.bbox for c in components]), tile)
        for component, box, visible in zip(components, boxes, share, strict=True):
            if visible >= VISIBLE_SHARE:
                symbols.setdefault(component.type, []).append(rounded_box(box))
    lines: list[tuple[str, tuple[float, float, float, float]]] = []
    texts = [t for t in page.truth.texts if t.text.strip()]
    if texts:
        boxes, share = _on_tile(_page_pixels(page, [t.bbox for t in texts]), tile)
        for text, box, visible in zip(texts, boxes, share, strict=True):
            label = " ".join(text.text.split())
            if visible < TEXT_ON_TILE:
                continue
            if "<" in label or ">" in label:
                log.debug("text %r left out: the answer grammar cannot hold '<' or '>'", label)
                continue
            lines.append((label, rounded_box(box)))
    lines.sort(key=lambda line: (round(line[1][1]), line[1][0]))
    return _TileTruth(symbols, lines)


def _detection(tile: Tile, truth: _TileTruth, mix: TaskMix, rng: random.Random) -> Sample:
    if rng.random() < mix.full_prompt_share:
        asked = list(mix.phrases)
    else:
        absent = [t for t in mix.phrases if t not in truth.symbols]
        negatives = rng.sample(absent, rng.randint(0, min(mix.max_negatives, len(absent))))
        asked = list(truth.symbols) + negatives
        rng.shuffle(asked)
        if not asked:
            asked = [rng.choice(list(mix.phrases))]
    query = text_query(tile.image, [mix.phrases[t] for t in asked])
    targets = tuple(Target(mix.phrases[t], tuple(truth.symbols.get(t, ()))) for t in asked)
    return Sample("detection", query.image, query.prompt, targets)


def _crop(page: LabelledPage, box_pt: tuple[float, float, float, float]) -> NDArray[np.uint8]:
    """The page raster inside a symbol's truth box (whole pixels, outward)."""
    x0, y0, x1, y1 = _page_pixels(page, [box_pt])[0]
    image = page.image.image
    return np.ascontiguousarray(
        image[max(0, int(y0)) : int(np.ceil(y1)), max(0, int(x0)) : int(np.ceil(x1))]
    )


def _exemplars(
    page: LabelledPage, tile: Tile, component_type: str, rng: random.Random
) -> list[NDArray[np.uint8]]:
    """1 to 3 crops of the type from the page, preferring symbols that are not on this tile."""
    boxes = [c.bbox for c in page.truth.components if c.type == component_type]
    if not boxes:
        return []
    centres = _page_pixels(page, boxes)
    cx = (centres[:, 0] + centres[:, 2]) / 2
    cy = (centres[:, 1] + centres[:, 3]) / 2
    elsewhere = [
        box
        for box, x, y in zip(boxes, cx, cy, strict=True)
        if not (tile.x0 <= x < tile.x0 + tile.width and tile.y0 <= y < tile.y0 + tile.height)
    ]
    pool = elsewhere or boxes
    chosen = rng.sample(pool, rng.randint(1, min(MAX_EXEMPLARS_PER_TYPE, len(pool))))
    crops = [_crop(page, box) for box in chosen]
    return [crop for crop in crops if crop.size and min(crop.shape) >= 2]


def _visual(
    tile: Tile,
    truth: _TileTruth,
    crops: list[NDArray[np.uint8]],
    component_type: str,
) -> Sample:
    query, canvas = visual_query(tile.image, crops)
    on_tile = truth.symbols.get(component_type, [])
    boxes = (*on_tile, *(rounded_box(box) for box in canvas.reference_boxes))
    targets = (Target(VISUAL_PROMPT_KEY, boxes),)
    return Sample("visual_prompting", query.image, query.prompt, targets)


def _visual_samples(
    page: LabelledPage, tile: Tile, truth: _TileTruth, mix: TaskMix, rng: random.Random
) -> Iterator[Sample]:
    page_types = sorted({c.type for c in page.truth.components if c.type in mix.phrases})
    present = sorted(truth.symbols)
    if present:
        chosen = rng.choice(present)
        crops = _exemplars(page, tile, chosen, rng)
        if crops:
            yield _visual(tile, truth, crops, chosen)
    absent = [t for t in page_types if t not in truth.symbols]
    if absent and rng.random() < mix.visual_negative_share:
        chosen = rng.choice(absent)
        crops = _exemplars(page, tile, chosen, rng)
        if crops:
            yield _visual(tile, truth, crops, chosen)


def _ocr(tile: Tile, truth: _TileTruth, mix: TaskMix) -> Sample:
    query = ocr_query(tile.image, mix.ocr_granularity)
    targets = tuple(Target(text, (box,)) for text, box in truth.lines)
    return Sample("ocr", query.image, query.prompt, targets)


def page_samples(
    page: LabelledPage, settings: Settings, mix: TaskMix, rng: random.Random
) -> Iterator[Sample]:
    """The samples of every inked tile of the page; `origin` names file, page and tile."""
    for tile in make_tiles(page.image, settings.tile_size, settings.tile_overlap):
        if not tile.has_ink:
            continue
        truth = _tile_truth(page, tile, mix)
        origin = f"{page.image.source}#{page.image.index + 1}/{tile.index}"
        made: list[Sample] = []
        if "detection" in mix.tasks:
            made.append(_detection(tile, truth, mix, rng))
        if "visual_prompting" in mix.tasks:
            made.extend(_visual_samples(page, tile, truth, mix, rng))
        if "ocr" in mix.tasks and truth.lines:
            made.append(_ocr(tile, truth, mix))
        for sample in made:
            yield Sample(sample.task, sample.image, sample.prompt, sample.targets, origin)

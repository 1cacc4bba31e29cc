"""The `template` detector: finds symbols by matching the reference-symbol library, on CPU.

The user's workflow "show one breaker, find all breakers": every exemplar in the library
(`sld.symbols`) is looked for on the page, turned and mirrored as drawings turn symbols, at
scales from `symbol_scale_min` to `symbol_scale_max` of its own size.

Sliding every exemplar at every scale and turn over a whole page is far too slow (an A3 page at
200 dpi takes 150 ms per exemplar, turn and scale), so the search follows the drawing instead:

1. ink (`ink.py`): strokes as a binary mask, text blanked;
2. candidates (`conductors.py`): runs of ink beside the straight conductor lines, which give
   each possible symbol's place, direction and size;
3. for each candidate, the views of the exemplars that fit its direction and proportions are
   placed at the scale its size gives, and scored (`references.py`: agreement of strokes, with
   a ring of paper around the symbol) at a canonical size, shifted by up to a few pixels; the
   best few views are tried again a scale step smaller and larger;
4. the placements are ranked by score; one is kept where placements overlap, if its score
   reaches its type's threshold (chosen on calibration drawings and stored with the library).
   Exemplars of the type `not_a_symbol` (look-alikes such as a wire's break mark) take part
   and win places, but are never reported.

Why this design, from measurements made while building it (synthetic sheets, seeds 101 and
1000): brute force over types, turns and scales is out (above); plain connected components
of the ink without the long lines gave candidates whose size was no guide to the scale (stubs
and neighbouring symbols stuck to them), while runs along a conductor give it within a few
per cent; and normalised cross-correlation of strokes scored look-alikes within a few
hundredths of the right symbol (a template that is mostly lead matches any wire), while the
stroke F-measure with a paper ring separates them by 0.1 or more. An A3 page takes about half
a second on one core (`benchmarks/detection.py`).

The detector answers per tile, as the protocol asks, but it matches on the whole page once:
the tiles of a page are pasted back together (they are cut from one raster, and overlap), and
each symbol is reported in one tile that holds it whole. Tiles that do not fit together (not
cut from one page) are matched one by one.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from sld.detections import Detections
from sld.geometry import FloatArray, as_boxes, containment_matrix, iou_matrix
from sld.pages.ink import Binary, blank_boxes, ink_mask, pool, thin_strokes
from sld.pages.tiling import Tile
from sld.settings import Settings
from sld.symbols.candidates import Candidate, find_candidates
from sld.symbols.detectors.references import ReferenceView, match_scores, views_of
from sld.symbols.library import (
    NOT_A_SYMBOL,
    library_signature,
    load_library,
    load_thresholds,
    threshold_for,
)

log = logging.getLogger(__name__)

#: Canonical crops are made at pooling factors on this ladder (so they can be reused).
LADDER_STEP = 2.0 ** (1.0 / 8.0)
#: The scale step tried either side of the estimate for the best views of a candidate.
REFINE_STEP = 1.09
REFINED_VIEWS = 5
#: ... if their score is at least this, and within this much of the candidate's best.
REFINE_FLOOR = 0.6
REFINE_MARGIN = 0.15
#: Canonical pixels the placement is shifted by, each way, to find the best fit.
SEARCH_PX = 3
#: A candidate's proportions must agree with a view's within this factor.
PROPORTION_TOLERANCE = 1.43
#: ... and the share of its ink left of the conductor within this much.
SIDE_TOLERANCE = 0.25
#: Placements overlapping more than this (IoU), or the smaller this much inside the larger,
#: are one symbol.
OVERLAP_IOU = 0.3
OVERLAP_CONTAINED = 0.6
#: Text is kept (not blanked) this far around a candidate, as a share of its size.
KEEP_TEXT_SHARE = 0.25
#: A placement this much inside a text box is part of the text.
INSIDE_TEXT = 0.8


@dataclass(frozen=True)
class Placement:
    """A view placed on the page with its score; box in page pixels."""

    score: float
    box: tuple[float, float, float, float]
    view: ReferenceView


class TemplateDetector:
    """Matches the reference-symbol library; see the module docstring."""

    name = "template"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._signature: tuple[tuple[str, int], ...] | None = None
        self.views: list[ReferenceView] = []
        self.thresholds: dict[str, float] = {}
        self.reload()

    def reload(self) -> None:
        """Read the library again if its files changed since the last read."""
        signature = library_signature(self.settings)
        if signature == self._signature:
            return
        exemplars = load_library(self.settings)
        if not exemplars:
            log.warning(
                "the symbol library is empty (%s): nothing will be detected",
                self.settings.symbol_builtin_library or "models/symbols",
            )
        self.views = _distinct([view for exemplar in exemplars for view in views_of(exemplar)])
        self._fits_vertical = _Fits(self.views, vertical=True)
        self._fits_horizontal = _Fits(self.views, vertical=False)
        self.thresholds = load_thresholds(self.settings)
        self._signature = signature
        log.info("symbol library: %d exemplars, %d views", len(exemplars), len(self.views))

    def detect(self, tiles: Sequence[Tile]) -> list[Detections]:
        self.reload()
        if not tiles:
            return []
        page = _stitch(tiles)
        if page is None:
            return [self._detect_in_tile(tile) for tile in tiles]
        image, text_boxes = page
        placements = self.find(image, text_boxes, tiles[0].dpi or self.settings.dpi)
        return _per_tile(placements, tiles)

    def _detect_in_tile(self, tile: Tile) -> Detections:
        placements = self.find(tile.image, tile.text_boxes, tile.dpi or self.settings.dpi)
        return _to_detections(placements, 0.0, 0.0)

    # --- the search ---------------------------------------------------------------------

    def find(self, grey: np.ndarray, text_boxes: FloatArray, dpi: float) -> list[Placement]:
        """The symbols on a grey raster at `dpi` (text boxes in its pixels), best first."""
        started = time.perf_counter()
        strokes = ink_mask(grey)
        text = as_boxes(text_boxes)
        # Candidates are looked for with text lines blanked, but not one- or two-letter boxes:
        # those are as often a symbol's inside that OCR read as a letter (the cross of a
        # breaker, a coil, the M of a motor) as a short label.
        ink = blank_boxes(strokes, text[~_compact(text)])
        if not ink.any() or not self.views:
            return []
        layout = find_candidates(ink, dpi / 72.0)
        candidates = layout.candidates
        # A symbol is judged on the strokes around it less the long lines across its conductor:
        # a bus at a breaker's terminal, or the wire of a tee, is no stray ink; the conductor
        # itself stays (it runs through a fuse or a current transformer, not through a breaker).
        across_vertical = np.bitwise_and(strokes, 1 - layout.long_horizontal)
        across_horizontal = np.bitwise_and(strokes, 1 - layout.long_vertical)
        placements: list[Placement] = []
        for candidate in candidates:
            judged = across_vertical if candidate.vertical else across_horizontal
            crops = _CanonicalCrops(strokes, judged, text, candidate)
            placements.extend(self._place(crops, candidate, dpi))
        chosen = [
            p
            for p in self._choose(placements)
            if p.view.type != NOT_A_SYMBOL and not _inside_text(p, text)
        ]
        log.debug(
            "template: %d candidates, %d placements, %d symbols in %.2f s",
            len(candidates),
            len(placements),
            len(chosen),
            time.perf_counter() - started,
        )
        return chosen

    def _place(self, crops: _CanonicalCrops, candidate: Candidate, dpi: float) -> list[Placement]:
        """Every view that fits the candidate, placed and scored; the best refined in scale."""
        tried: list[tuple[float, ReferenceView, float]] = []
        placements: list[Placement] = []
        fits = self._fits_vertical if candidate.vertical else self._fits_horizontal
        for view, scale in fits.scales(candidate, self.settings, dpi):
            placement = _score(crops, view, candidate, scale)
            if placement is not None:
                placements.append(placement)
                tried.append((placement.score, view, scale))
        tried.sort(key=lambda item: -item[0])
        if not tried:
            return placements
        # Only views that may win are worth a second look at other scales.
        floor = max(REFINE_FLOOR, tried[0][0] - REFINE_MARGIN)
        worth = [item for item in tried[:REFINED_VIEWS] if item[0] >= floor]
        for _, view, scale in worth:
            for step in (1.0 / REFINE_STEP, REFINE_STEP):
                if self._in_range(view, scale * step, dpi):
                    placement = _score(crops, view, candidate, scale * step)
                    if placement is not None:
                        placements.append(placement)
        return placements

    def _in_range(self, view: ReferenceView, scale: float, dpi: float) -> bool:
        natural = dpi / view.exemplar.info.dpi
        relative = scale / natural
        return self.settings.symbol_scale_min <= relative <= self.settings.symbol_scale_max

    def _choose(self, placements: list[Placement]) -> list[Placement]:
        """Best first; a placement overlapping a better one is the same symbol and dropped."""
        passing = [
            p
            for p in placements
            if p.score >= threshold_for(p.view.type, self.thresholds, self.settings)
        ]
        if not passing:
            return []
        boxes = as_boxes([p.box for p in passing])
        areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
        order = sorted(range(len(passing)), key=lambda i: (-round(passing[i].score, 3), -areas[i]))
        # containment_matrix[i, j] is the share of i inside j; the smaller box's share decides.
        contained = containment_matrix(boxes, boxes)
        overlap = (iou_matrix(boxes, boxes) > OVERLAP_IOU) | (
            np.maximum(contained, contained.T) > OVERLAP_CONTAINED
        )
        # A built-in look-alike was drawn for other drawings; a symbol of the user's own library
        # was cut from drawings like this one, so the look-alike never hides it.
        user = self.settings.symbol_library
        lookalike = np.asarray([p.view.type == NOT_A_SYMBOL for p in passing], dtype=bool)
        from_user = np.asarray(
            [user is not None and p.view.exemplar.folder == user for p in passing], dtype=bool
        )
        users_symbol = from_user & ~lookalike
        kept: list[int] = []
        suppressed = np.zeros(len(passing), dtype=bool)
        for index in order:
            if suppressed[index]:
                continue
            kept.append(index)
            hidden = overlap[index]
            if lookalike[index] and not from_user[index]:
                hidden = hidden & ~users_symbol
            suppressed |= hidden
        return [passing[i] for i in kept]


def _distinct(views: list[ReferenceView]) -> list[ReferenceView]:
    """The views less repeats: one drawing listed under two standards is matched once."""
    seen: set[tuple[object, ...]] = set()
    distinct = []
    for view in views:
        key = (
            view.type,
            view.height,
            view.width,
            view.axis_x,
            view.axis_y,
            view.strokes.tobytes(),
            view.care.tobytes(),
        )
        if key not in seen:
            seen.add(key)
            distinct.append(view)
    return distinct


class _Fits:
    """The views that can sit on conductors of one direction, with their body extents as
    arrays, so that one candidate is sized against all of them at once."""

    def __init__(self, views: list[ReferenceView], *, vertical: bool) -> None:
        self.views: list[ReferenceView] = []
        rows = []
        for view in views:
            body = view.body_vertical if vertical else view.body_horizontal
            axis = view.axis_x if vertical else view.axis_y
            if body is None or axis is None:
                continue
            if vertical:
                along, low, high = body[3] - body[1], body[0] - axis, body[2] - axis
            else:
                along, low, high = body[2] - body[0], body[1] - axis, body[3] - axis
            self.views.append(view)
            rows.append((along, low, high, max(view.height, view.width), view.exemplar.info.dpi))
        table = np.asarray(rows, dtype=np.float64).reshape(-1, 5)
        self.along, self.low, self.high, self.longest, self.dpi = table.T
        self.across = self.high - self.low

    def scales(
        self, candidate: Candidate, settings: Settings, dpi: float
    ) -> list[tuple[ReferenceView, float]]:
        """Page pixels per exemplar pixel that make each view's body fill the candidate, for
        the views whose proportions and side of the conductor agree with it, within range."""
        along_c = candidate.end - candidate.start
        across_c = candidate.high - candidate.low
        if along_c <= 0 or across_c <= 0 or not self.views:
            return []
        with np.errstate(divide="ignore", invalid="ignore"):
            f_along = along_c / self.along
            f_across = across_c / self.across
            ratio = f_along / f_across
            side = np.abs(-candidate.low / across_c - (-self.low) / self.across)
        scale = np.sqrt(f_along * f_across)
        scale = np.where(self.across < 0.2 * self.longest, f_along, scale)
        scale = np.where(self.along < 0.2 * self.longest, f_across, scale)
        relative = scale / (dpi / self.dpi)
        fit = (
            (self.along > 0)
            & (self.across > 0)
            & (ratio > 1 / PROPORTION_TOLERANCE)
            & (ratio < PROPORTION_TOLERANCE)
            & (side <= SIDE_TOLERANCE)
            & (relative >= settings.symbol_scale_min)
            & (relative <= settings.symbol_scale_max)
        )
        return [(self.views[i], float(scale[i])) for i in np.flatnonzero(fit)]


class _CanonicalCrops:
    """The drawing around one candidate at canonical sizes, made once per pooling factor.

    Text is blanked (labels next to a symbol are not stray ink), except on and just around the
    candidate itself.
    """

    def __init__(
        self, strokes: Binary, loose: Binary, text: FloatArray, candidate: Candidate
    ) -> None:
        x0, y0, x1, y1 = candidate.box
        # Room for leads along the conductor (up to the body's length each way), the paper
        # ring and the shifts.
        along, across = candidate.end - candidate.start, candidate.high - candidate.low
        margin_along, margin_across = 1.3 * along + 12, 0.6 * across + 12
        margin_x, margin_y = (
            (margin_across, margin_along) if candidate.vertical else (margin_along, margin_across)
        )
        height, width = strokes.shape
        self.left = max(0, int(x0 - margin_x))
        self.top = max(0, int(y0 - margin_y))
        right = min(width, int(x1 + margin_x) + 1)
        bottom = min(height, int(y1 + margin_y) + 1)
        near = text[
            (text[:, 2] > self.left)
            & (text[:, 0] < right)
            & (text[:, 3] > self.top)
            & (text[:, 1] < bottom)
        ]
        shift = np.asarray([self.left, self.top, self.left, self.top], dtype=np.float64)
        blank = near - shift
        ink = blank_boxes(strokes[self.top : bottom, self.left : right], blank)
        judged = blank_boxes(loose[self.top : bottom, self.left : right], blank)
        # Around the candidate itself the ink stays, text or not: OCR reads the M of a motor,
        # the cross of a breaker or a transformer's coil as letters.
        keep_x, keep_y = KEEP_TEXT_SHARE * (x1 - x0) + 2, KEEP_TEXT_SHARE * (y1 - y0) + 2
        kx0, ky0 = max(0, int(x0 - keep_x) - self.left), max(0, int(y0 - keep_y) - self.top)
        kx1, ky1 = int(x1 + keep_x) + 1 - self.left, int(y1 + keep_y) + 1 - self.top
        ink[ky0:ky1, kx0:kx1] = strokes[self.top : bottom, self.left : right][ky0:ky1, kx0:kx1]
        judged[ky0:ky1, kx0:kx1] = loose[self.top : bottom, self.left : right][ky0:ky1, kx0:kx1]
        self.ink, self.loose = ink, judged
        self._made: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def at(self, step: int) -> tuple[np.ndarray, np.ndarray]:
        """At pooling factor LADDER_STEP**step: the thin strokes off the long lines (judged by
        precision), and all thin strokes grown by a pixel (for recall)."""
        if step not in self._made:
            factor = LADDER_STEP**step
            strokes = thin_strokes(pool(self.ink, factor))
            drawn = strokes & pool(self.loose, factor)
            near = cv2.dilate(strokes, np.ones((3, 3), np.uint8))
            self._made[step] = (drawn.astype(np.float32), near.astype(np.float32))
        return self._made[step]


def _score(
    crops: _CanonicalCrops, view: ReferenceView, candidate: Candidate, scale: float
) -> Placement | None:
    """The view placed on the candidate at `scale` (page px per exemplar px), best shift."""
    if candidate.vertical:
        assert view.axis_x is not None and view.body_vertical is not None
        left = candidate.axis - view.axis_x * scale
        top = candidate.start - view.body_vertical[1] * scale
    else:
        assert view.axis_y is not None and view.body_horizontal is not None
        left = candidate.start - view.body_horizontal[0] * scale
        top = candidate.axis - view.axis_y * scale
    step = round(math.log(view.factor / scale) / math.log(LADDER_STEP))
    pooling = LADDER_STEP**step
    scale = view.factor / pooling  # the scale the canonical crop really has
    drawn, near = crops.at(step)
    canvas_h, canvas_w = view.strokes.shape
    x = round((left - crops.left) * pooling) - view.ring - SEARCH_PX
    y = round((top - crops.top) * pooling) - view.ring - SEARCH_PX
    window_w, window_h = canvas_w + 2 * SEARCH_PX, canvas_h + 2 * SEARCH_PX
    drawn_w = _window(drawn, x, y, window_w, window_h)
    near_w = _window(near, x, y, window_w, window_h)
    if drawn_w is None or near_w is None:
        return None
    scores = match_scores(view, drawn_w, near_w)
    best = np.unravel_index(int(np.argmax(scores)), scores.shape)
    dy, dx = int(best[0]) - SEARCH_PX, int(best[1]) - SEARCH_PX
    box_left = left + dx / pooling
    box_top = top + dy / pooling
    box = (box_left, box_top, box_left + view.width * scale, box_top + view.height * scale)
    return Placement(score=float(scores[best]), box=box, view=view)


def _compact(boxes: FloatArray) -> np.ndarray:
    """Boxes about as wide as high: a letter or two, not a line of text."""
    width, height = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    return np.asarray((width <= 1.6 * height) & (height <= 1.6 * width), dtype=bool)


def _inside_text(placement: Placement, text: FloatArray) -> bool:
    """Whether a placement lies (almost) wholly inside one text box (an "O" of a label is no
    motor; a motor whose "M" was read as a letter has most of its box outside that letter)."""
    if not len(text):
        return False
    share = containment_matrix(as_boxes([placement.box]), text)
    return bool(share.max() > INSIDE_TEXT)


def _window(image: np.ndarray, x: int, y: int, width: int, height: int) -> np.ndarray | None:
    """image[y:y+height, x:x+width], padded with paper where it runs off the image."""
    rows, cols = image.shape
    if x >= cols or y >= rows or x + width <= 0 or y + height <= 0:
        return None
    out = np.zeros((height, width), dtype=image.dtype)
    sx0, sy0 = max(0, x), max(0, y)
    sx1, sy1 = min(cols, x + width), min(rows, y + height)
    out[sy0 - y : sy1 - y, sx0 - x : sx1 - x] = image[sy0:sy1, sx0:sx1]
    return out


# --- tiles ----------------------------------------------------------------------------------


def _stitch(tiles: Sequence[Tile]) -> tuple[np.ndarray, FloatArray] | None:
    """The page the tiles were cut from (paper where no tile was given), and the text boxes in
    its pixels; None when the tiles disagree where they overlap."""
    height = max(tile.y0 + tile.height for tile in tiles)
    width = max(tile.x0 + tile.width for tile in tiles)
    page = np.full((height, width), 255, dtype=np.uint8)
    for tile in tiles:
        page[tile.y0 : tile.y0 + tile.height, tile.x0 : tile.x0 + tile.width] = tile.image
    for tile in tiles:
        region = page[tile.y0 : tile.y0 + tile.height, tile.x0 : tile.x0 + tile.width]
        if not np.array_equal(region, tile.image):
            return None
    boxes = [
        tile.text_boxes + np.asarray([tile.x0, tile.y0, tile.x0, tile.y0], dtype=np.float64)
        for tile in tiles
        if len(tile.text_boxes)
    ]
    text = np.unique(np.concatenate(boxes), axis=0) if boxes else np.zeros((0, 4))
    return page, text


def _per_tile(placements: list[Placement], tiles: Sequence[Tile]) -> list[Detections]:
    """Each placement reported once, in the tile that holds it whole with most room around it
    (or, if none holds it whole, the one that holds most of it), in that tile's pixels."""
    chosen: list[list[Placement]] = [[] for _ in tiles]
    if placements:
        boxes = as_boxes([p.box for p in placements])
        tile_boxes = as_boxes([[t.x0, t.y0, t.x0 + t.width, t.y0 + t.height] for t in tiles])
        inside = containment_matrix(boxes, tile_boxes)
        centres = (boxes[:, :2] + boxes[:, 2:]) / 2
        room = np.minimum(
            np.minimum(
                centres[:, None, 0] - tile_boxes[None, :, 0],
                tile_boxes[None, :, 2] - centres[:, None, 0],
            ),
            np.minimum(
                centres[:, None, 1] - tile_boxes[None, :, 1],
                tile_boxes[None, :, 3] - centres[:, None, 1],
            ),
        )
        for index, placement in enumerate(placements):
            whole = inside[index] >= 1.0 - 1e-9
            if whole.any():
                tile_index = int(np.argmax(np.where(whole, room[index], -np.inf)))
            else:
                tile_index = int(np.argmax(inside[index]))
            chosen[tile_index].append(placement)
    return [
        _to_detections(found, float(tile.x0), float(tile.y0))
        for found, tile in zip(chosen, tiles, strict=True)
    ]


def _to_detections(placements: list[Placement], x0: float, y0: float) -> Detections:
    if not placements:
        return Detections()
    shift = np.asarray([x0, y0, x0, y0], dtype=np.float64)
    return Detections.from_lists(
        boxes=(as_boxes([p.box for p in placements]) - shift).tolist(),
        scores=[min(1.0, max(0.0, p.score)) for p in placements],
        labels=[p.view.type for p in placements],
    )


def create(settings: Settings) -> TemplateDetector:
    return TemplateDetector(settings)

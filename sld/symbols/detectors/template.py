"""The `template` detector: devices found in the line drawing, named by the symbol library, on CPU.

The user's workflow "show one breaker, find all breakers", in steps that know nothing of any
drawing office's style until the fourth:

1. the page's scale, from its lettering (`sld.symbols.scale`): every length below is in
   units of it, so a sheet drawn at any scale gives the same search;
2. its line drawing taken apart (`sld.symbols.linework`): conductors, dashed lines, text, and
   what is left, which the symbols are made of;
3. the device candidates (`sld.symbols.devices`): what sits on a conductor and is no drawing
   convention (ticks, dots, terminal strips, balloons), each with its tight box, the poles of
   one device tied together;
4. each candidate against every view of every exemplar of the library, in every quarter turn
   and mirrored (`sld.symbols.classify`): the best view names it when its score reaches the
   type's threshold (chosen on calibration drawings and stored with the library). Exemplars
   of the type `not_a_symbol` (look-alikes) win their candidates, which are then not reported,
   unless a view of the user's own library also reaches its threshold there: a look-alike
   drawn for other drawings never hides a symbol cut from drawings like this one. A candidate
   that no view explains is reported as a device of type `symbol`, scored by how sure the page
   is that it is a device at all, so that the graph never runs a wire through it, with the
   types it came closest to (`RESEMBLANCE`), between which its label may choose once labels are
   linked (`sld.stages.name_by_designation`: "CB-3" beside it). Where the
   user's folder draws a type, the built-in drawings of that type take no part
   (`own_drawings_first`). Where the best view's exemplar holds letters (a motor's M, a
   meter's V), the candidate's inside is read (`sld.symbols.lettering`) and only views whose
   letters it reads may name it (`_by_letters`): a ring is most of what a motor, a lamp and a
   socket are drawn of, and the letter is what a person tells them by;
5. one name for one drawing (`_agree_by_shape`): the candidates of a page drawn the same way
   (`classify.group_by_shape`) are one kind of device, so where most of such a group was named
   one type, its unexplained members take that name too; short of that, the unexplained ones
   whose best view is a near miss (`NEAR_MISS`) of an exemplar that named one of the group
   count with the named, and take the name when together they are most of the group. An
   exemplar cut from the main breaker of a board explains the branch breakers drawn alike only
   by a little (they lack its residual-current toroid); the branch breakers it does explain
   name the rest, and where only one of them passes, the others' near misses confirm it.

The detector answers per tile, as the protocol asks, but it works on the whole page once: the
tiles of a page are pasted back together (they are cut from one raster), and each symbol is
reported in one tile that holds it whole. Tiles that do not fit together are taken one by one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from sld.detections import Detections
from sld.document import UNCLASSIFIED
from sld.geometry import FloatArray, as_boxes, containment_matrix
from sld.pages.ink import Binary, ink_mask, stroke_width
from sld.pages.page import PageImage
from sld.pages.tiling import Tile
from sld.settings import Settings
from sld.symbols.appendage import body_without_appendage
from sld.symbols.classify import Match, ShapeIndex, group_by_shape
from sld.symbols.devices import DeviceCandidate, find_devices
from sld.symbols.lettering import holds, read_inside
from sld.symbols.library import (
    NOT_A_SYMBOL,
    Exemplar,
    library_signature,
    load_library,
    load_thresholds,
    threshold_for,
)
from sld.symbols.linework import Linework, take_apart
from sld.symbols.scale import UNIT_PX, DrawingScale, estimate_scale, scale_from_devices

if TYPE_CHECKING:
    from sld.text.engines.rapid import RapidTextReader

log = logging.getLogger(__name__)

#: An unclassified device resembles the types whose best view scores within this much of its
#: best view's: the drawings its shape cannot tell apart, between which its label may choose.
RESEMBLANCE = 0.05

#: A view that reaches this share of its type's threshold is a near miss: not enough to name a
#: device, but support for a name that a device drawn alike was given (`_agree_by_shape`).
NEAR_MISS = 0.9
#: An exemplar that knows its drawing's lettering unit names only candidates whose longest side,
#: in units of their own page's lettering, is within this factor of its own.
SIZE_FACTOR = 2.0


@dataclass(frozen=True)
class Placement:
    """A device found on the page: its type, score and tight box in page pixels."""

    type: str
    score: float
    box: tuple[float, float, float, float]
    #: For a device of type `symbol`: the types whose drawings it came closest to, best first.
    resembles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Examined:
    """A device candidate, its strokes as compared with exemplars, its tight box in page
    pixels, and what is reported for it (None: a look-alike's place)."""

    candidate: DeviceCandidate
    crop: Binary
    box: tuple[float, float, float, float]
    placement: Placement | None
    #: The exemplar of the best view in the library when it reached `NEAR_MISS` of its type's
    #: threshold, whether or not it reached the threshold itself.
    near_view: str | None = None


class TemplateDetector:
    """Finds devices and names them with the reference-symbol library; see the module docstring."""

    name = "template"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._signature: tuple[tuple[str, int], ...] | None = None
        self.index = ShapeIndex([])
        self.thresholds: dict[str, float] = {}
        self._reader: RapidTextReader | None = None
        self.reload()

    def reload(self) -> None:
        """Read the library again if its files changed since the last read."""
        signature = library_signature(self.settings)
        if signature == self._signature:
            return
        exemplars = own_drawings_first(load_library(self.settings), self.settings)
        if not exemplars:
            log.warning(
                "the symbol library is empty (%s): every device will be of type %r",
                self.settings.symbol_builtin_library or "models/symbols",
                UNCLASSIFIED,
            )
        self.index = ShapeIndex(exemplars)
        self.thresholds = load_thresholds(self.settings)
        self._signature = signature
        log.info("symbol library: %d exemplars, %d views", len(exemplars), len(self.index))

    def detect(self, tiles: Sequence[Tile]) -> list[Detections]:
        self.reload()
        if not tiles:
            return []
        page = _stitch(tiles)
        if page is None:
            return [self._detect_in_tile(tile) for tile in tiles]
        image, text_boxes, text_labels = page
        placements = self.find(image, text_boxes, text_labels, tiles[0].dpi or self.settings.dpi)
        return _per_tile(placements, tiles)

    def detect_page(self, page: PageImage, texts: Detections) -> Detections:
        """The devices of a whole page, with its text lines; boxes in points."""
        self.reload()
        labels = [str(label) for label in texts.labels]
        placements = self.find(page.image, texts.boxes * page.scale, labels, page.dpi)
        found = _to_detections(placements, 0.0, 0.0)
        return found.scaled(1.0 / page.scale)

    def _detect_in_tile(self, tile: Tile) -> Detections:
        labels = list(tile.text_labels) or [""] * len(tile.text_boxes)
        placements = self.find(tile.image, tile.text_boxes, labels, tile.dpi or self.settings.dpi)
        return _to_detections(placements, 0.0, 0.0)

    # --- the search -------------------------------------------------------------------------

    def find(
        self, grey: np.ndarray, text_boxes: FloatArray, text_labels: list[str], dpi: float
    ) -> list[Placement]:
        """The devices on a grey raster at `dpi` (text boxes in its pixels), in reading order."""
        return [
            seen.placement
            for seen in self.examine(grey, text_boxes, text_labels, dpi)
            if seen.placement is not None
        ]

    def examine(
        self, grey: np.ndarray, text_boxes: FloatArray, text_labels: list[str], dpi: float
    ) -> list[Examined]:
        """Every device candidate of the page with what the library says of it."""
        started = time.perf_counter()
        px_per_pt = dpi / 72.0
        text_pt = as_boxes(text_boxes) / px_per_pt
        work = self._linework(grey, text_pt, text_labels, px_per_pt)
        if work is None:
            return []
        candidates = find_devices(work)
        if work.scale_source != "text" and candidates:
            # No lettering to measure: the devices found at a first guess give the scale.
            scale = scale_from_devices(
                [(c.box[2] - c.box[0], c.box[3] - c.box[1]) for c in candidates], work.px_per_pt
            )
            work = take_apart(grey, px_per_pt, scale, text_pt, text_labels)
            candidates = find_devices(work)
        text_px = text_pt * work.px_per_pt
        crops = [_crop(work, candidate, text_px) for candidate in candidates]
        back = px_per_pt / work.px_per_pt
        # Every candidate against every view, once: each step below reads its rows.
        table = self._scores(crops, candidates)
        best = self._by_letters(grey, back, candidates, table, self.index.best_of(table))
        matches = [_sized(m, c, work) for m, c in zip(best, candidates, strict=True)]
        user_matches = [
            None if m is None else _sized(m, c, work)
            for m, c in zip(self._user_matches(table, matches), candidates, strict=True)
        ]
        poles = self._pole_matches(work, candidates, text_px)
        examined = []
        for candidate, crop, match, user, pole in zip(
            candidates, crops, matches, user_matches, poles, strict=True
        ):
            found = self._decide(candidate, match, user, pole)
            x0, y0, x1, y1 = candidate.box
            box = (x0 * back, y0 * back, x1 * back, y1 * back)
            placement = None if found is None else Placement(found[0], found[1], box)
            examined.append(Examined(candidate, crop, box, placement, self._near_view(match)))
        examined = self._resemblance(_agree_by_shape(examined), table)
        log.debug(
            "template: unit %.1f pt, %d candidates, %d devices in %.2f s",
            work.unit / work.px_per_pt,
            len(candidates),
            sum(1 for e in examined if e.placement is not None),
            time.perf_counter() - started,
        )
        return examined

    def _linework(
        self, grey: np.ndarray, text_pt: FloatArray, text_labels: list[str], px_per_pt: float
    ) -> Linework | None:
        """The page taken apart at the scale its lettering gives (or a first guess without)."""
        ink = ink_mask(grey)
        if not ink.any():
            return None
        scale = estimate_scale(text_pt, text_labels, stroke_width(ink) / px_per_pt, ink, px_per_pt)
        if scale.too_coarse(px_per_pt):
            log.warning(
                "the drawing's lettering is %.1f px high on this %.0f dpi raster: symbols are "
                "too small to be found reliably; digitise with a higher SLD_DPI",
                scale.unit_px(px_per_pt),
                px_per_pt * 72,
            )
        if scale.source != "text":
            # A first look at the raster's own resolution; `examine` rescales from the devices.
            scale = DrawingScale(UNIT_PX / px_per_pt, scale.source)
        return take_apart(grey, px_per_pt, scale, text_pt, text_labels)

    def _scores(self, crops: list[Binary], candidates: list[DeviceCandidate]) -> np.ndarray:
        """Each candidate's score against each view: of its strokes, or of its body without a
        side appendage (`sld.symbols.appendage`) where it has one and that scores better."""
        sides = [c.sides for c in candidates]
        table = self.index.scores(crops, sides)
        cut: list[int] = []
        bodies: list[Binary] = []
        for i, (crop, candidate) in enumerate(zip(crops, candidates, strict=True)):
            body = body_without_appendage(crop, candidate.vertical)
            if body is not None and body.any():
                cut.append(i)
                bodies.append(body)
        if cut and len(self.index):
            without = self.index.scores(bodies, [sides[i] for i in cut])
            table[cut] = np.maximum(table[cut], without)
        return table

    def _passes(self, match: Match) -> bool:
        if match.shape is None:
            return False
        return match.score >= threshold_for(match.shape.type, self.thresholds, self.settings)

    def _near_view(self, match: Match) -> str | None:
        if match.shape is None:
            return None
        threshold = threshold_for(match.shape.type, self.thresholds, self.settings)
        return match.shape.exemplar.name if match.score >= NEAR_MISS * threshold else None

    def _user_matches(self, table: np.ndarray, matches: list[Match]) -> list[Match | None]:
        """For candidates a built-in look-alike won: the best view of the user's own library."""
        user = self.settings.symbol_library
        hidden = [
            i
            for i, m in enumerate(matches)
            if user is not None
            and m.shape is not None
            and m.shape.type == NOT_A_SYMBOL
            and m.shape.exemplar.folder != user
        ]
        found: list[Match | None] = [None] * len(matches)
        if not hidden:
            return found
        own = np.asarray(
            [s.exemplar.folder == user and s.type != NOT_A_SYMBOL for s in self.index.shapes]
        )
        if not own.any():
            return found
        for i in hidden:
            scores = np.where(own, table[i], -1.0)
            column = int(np.argmax(scores))
            found[i] = Match(self.index.shapes[column], float(scores[column]))
        return found

    def _by_letters(
        self,
        grey: np.ndarray,
        back: float,
        candidates: list[DeviceCandidate],
        table: np.ndarray,
        matches: list[Match],
    ) -> list[Match]:
        """Where a candidate's best view holds letters (a motor's M), its inside is read
        (`sld.symbols.lettering`): the best view whose letters the reading has names it, and
        with none, nothing does (a lamp's cross is no M, however alike the rings)."""
        lettered = [
            i
            for i, m in enumerate(matches)
            if m.shape is not None and m.shape.exemplar.info.letters
        ]
        if not lettered:
            return matches
        letters = [shape.exemplar.info.letters for shape in self.index.shapes]
        found = list(matches)
        for i in lettered:
            x0, y0, x1, y1 = candidates[i].box
            reading = read_inside(grey, (x0 * back, y0 * back, x1 * back, y1 * back), self._read)
            allowed = np.asarray([bool(held) and holds(reading, held) for held in letters])
            if not allowed.any():
                found[i] = Match(None, 0.0)
                continue
            scores = np.where(allowed, table[i], -1.0)
            column = int(np.argmax(scores))
            found[i] = Match(self.index.shapes[column], float(scores[column]))
        return found

    def _resemblance(self, examined: list[Examined], table: np.ndarray) -> list[Examined]:
        """Unclassified devices with the types whose views came closest to them (within
        `RESEMBLANCE` of the best), best first: what a label beside one may choose from
        (`stages.name_by_designation`). `table`: the candidates' scores, row for row."""
        unclassified = [
            i
            for i, seen in enumerate(examined)
            if seen.placement is not None and seen.placement.type == UNCLASSIFIED
        ]
        if not unclassified or not self.index.shapes:
            return examined
        kinds = np.asarray([shape.type for shape in self.index.shapes])
        types = sorted(set(kinds) - {NOT_A_SYMBOL})
        per_type = np.stack([table[:, kinds == kind].max(axis=1) for kind in types], axis=1)
        found = list(examined)
        for i in unclassified:
            order = np.argsort(-per_type[i], kind="stable")
            order = order[per_type[i][order] >= per_type[i].max() - RESEMBLANCE]
            placement = examined[i].placement
            assert placement is not None
            resembles = tuple(types[column] for column in order)
            found[i] = replace(examined[i], placement=replace(placement, resembles=resembles))
        return found

    def _read(self, line: np.ndarray) -> tuple[str, float]:
        """One line image read upright by the OCR recogniser (created on first need)."""
        if self._reader is None:
            from sld.text.engines.rapid import RapidTextReader

            self._reader = RapidTextReader(
                self.settings.ocr_tile_size, self.settings.ocr_tile_overlap
            )
        return self._reader.recognise(line, upright=True)

    def _pole_matches(
        self, work: Linework, candidates: list[DeviceCandidate], text_px: FloatArray
    ) -> list[tuple[str, float] | None]:
        """For a device of several poles: the one type all its poles are found to be, with
        their mean score (a two-pole fuse is named by a one-pole exemplar), else None."""
        found: list[tuple[str, float] | None] = []
        for candidate in candidates:
            if not candidate.parts:
                found.append(None)
                continue
            pieces = [
                DeviceCandidate(part, candidate.sides, 1, candidate.score, candidate.strokes)
                for part in candidate.parts
            ]
            crops = [_crop(work, piece, text_px) for piece in pieces]
            matches = self.index.best(crops, [candidate.sides] * len(crops))
            types = {m.shape.type for m in matches if m.shape is not None and self._passes(m)}
            if (
                len(types) == 1
                and len(matches) == len(pieces)
                and all(self._passes(m) for m in matches)
            ):
                found.append((types.pop(), float(np.mean([m.score for m in matches]))))
            else:
                found.append(None)
        return found

    def _decide(
        self,
        candidate: DeviceCandidate,
        match: Match,
        user: Match | None,
        poles: tuple[str, float] | None,
    ) -> tuple[str, float] | None:
        """The type and score to report for a candidate, or None (a look-alike's place)."""
        if user is not None and self._passes(user) and user.shape is not None:
            return user.shape.type, user.score
        if self._passes(match) and match.shape is not None:
            if match.shape.type == NOT_A_SYMBOL:
                return None
            return match.shape.type, match.score
        if poles is not None and poles[0] != NOT_A_SYMBOL:
            return poles
        return UNCLASSIFIED, candidate.score


def own_drawings_first(exemplars: list[Exemplar], settings: Settings) -> list[Exemplar]:
    """The library less the built-in drawings of the types that the user's own folder draws.

    An exemplar cut from the user's drawings says how their office draws that type; the
    built-in drawings of it were made for other offices, and on these drawings they name
    look-alikes (a plain box on a conductor is a breaker in the catalogue, a relay's coil or a
    load on a residential board). A set that draws one type two ways needs both cut."""
    own = settings.symbol_library
    if own is None:
        return exemplars
    drawn = {e.type for e in exemplars if e.folder == own and e.type != NOT_A_SYMBOL}
    return [e for e in exemplars if e.folder == own or e.type not in drawn]


def _sized(match: Match, candidate: DeviceCandidate, work: Linework) -> Match:
    """The match, or no match where its exemplar was drawn at another size: on one drawing a
    symbol has one size relative to the lettering (a terminal number beside a conductor is
    not a breaker however alike the strokes). Only exemplars that know their drawing's
    lettering unit (`ExemplarInfo.unit_pt`, cut by `sld symbols add`), on pages whose own
    lettering gives the scale."""
    shape = match.shape
    if shape is None or shape.exemplar.info.unit_pt is None or work.scale_source != "text":
        return match
    info = shape.exemplar.info
    exemplar_units = max(shape.exemplar.image.shape) * 72.0 / info.dpi / info.unit_pt
    x0, y0, x1, y1 = candidate.box
    candidate_units = max(x1 - x0, y1 - y0) / work.unit
    if not 1 / SIZE_FACTOR <= candidate_units / exemplar_units <= SIZE_FACTOR:
        return Match(None, 0.0)
    return match


def _agree_by_shape(examined: list[Examined]) -> list[Examined]:
    """Unexplained devices drawn like a group that points to one type take that type, at the
    lower of their own score and the group's mean score for it.

    A group whose named members are all of one type (one at least) points to it when they are
    most of the group: then every unexplained member takes the name. Short of that, the
    unexplained members whose best view is a near miss (`NEAR_MISS`) of an exemplar that named
    one of them lean to it; when the named and the leaning are most of the group, the leaning
    take the name."""
    reported = [i for i, seen in enumerate(examined) if seen.placement is not None]
    result = list(examined)
    for group in group_by_shape([examined[i].crop for i in reported]):
        members = [examined[reported[i]] for i in group]
        named = [m for m in members if m.placement and m.placement.type != UNCLASSIFIED]
        types = {m.placement.type for m in named if m.placement}
        if len(types) != 1:
            continue  # nothing named, or names that disagree
        name = types.pop()
        unexplained = [
            i
            for i in group
            if (seen := examined[reported[i]]).placement is not None
            and seen.placement.type == UNCLASSIFIED
        ]
        if 2 * len(named) <= len(members):
            views = {m.near_view for m in named if m.near_view is not None}
            unexplained = [i for i in unexplained if examined[reported[i]].near_view in views]
            if 2 * (len(named) + len(unexplained)) <= len(members):
                continue  # not most of the group
        score = float(np.mean([m.placement.score for m in named if m.placement]))
        for i in unexplained:
            seen = examined[reported[i]]
            if seen.placement is not None:
                placement = Placement(name, min(score, seen.placement.score), seen.box)
                result[reported[i]] = replace(seen, placement=placement)
    return result


def _crop(work: Linework, candidate: DeviceCandidate, text_px: FloatArray) -> Binary:
    """What a candidate is compared with exemplars on: the drawing's strokes in its tight box,
    text included. The tight box was found with text blanked, so it holds no label, but it does
    hold the symbol's own lettering (the M of a motor, the G of a generator), which OCR or a
    text layer may read as a word of its own or as part of the label beside it."""
    x0, y0, x1, y1 = candidate.box
    crop = work.drawn[y0:y1, x0:x1]
    if not crop.any():
        return candidate.strokes
    return np.ascontiguousarray(crop)


# --- tiles ------------------------------------------------------------------------------------


def _stitch(tiles: Sequence[Tile]) -> tuple[np.ndarray, FloatArray, list[str]] | None:
    """The page the tiles were cut from (paper where no tile was given), and its text boxes (in
    its pixels) with their texts; None when the tiles disagree where they overlap."""
    height = max(tile.y0 + tile.height for tile in tiles)
    width = max(tile.x0 + tile.width for tile in tiles)
    page = np.full((height, width), 255, dtype=np.uint8)
    for tile in tiles:
        page[tile.y0 : tile.y0 + tile.height, tile.x0 : tile.x0 + tile.width] = tile.image
    for tile in tiles:
        region = page[tile.y0 : tile.y0 + tile.height, tile.x0 : tile.x0 + tile.width]
        if not np.array_equal(region, tile.image):
            return None
    seen: dict[tuple[float, ...], str] = {}
    for tile in tiles:
        shift = np.asarray([tile.x0, tile.y0, tile.x0, tile.y0], dtype=np.float64)
        labels = tile.text_labels or ("",) * len(tile.text_boxes)
        for box, label in zip(tile.text_boxes + shift, labels, strict=True):
            seen.setdefault(tuple(np.round(box, 3).tolist()), label)
    boxes = as_boxes(list(seen)) if seen else np.zeros((0, 4))
    return page, boxes, list(seen.values())


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
        labels=[p.type for p in placements],
        resembles=[p.resembles for p in placements],
    )


def create(settings: Settings) -> TemplateDetector:
    return TemplateDetector(settings)

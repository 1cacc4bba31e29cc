"""The `rapidocr` text reader: RapidOCR with the models bundled in its wheel, fully offline.

How a page is read, and why:
1. Overlapping tiles (`settings.ocr_tile_size`) at the page's full resolution, tiles without ink
   skipped. RapidOCR's own default shrinks any image to 2000 px, which loses 6 pt labels on a
   large sheet; tiling bounds the memory instead.
2. Text is *found* on each tile reduced to `DETECTION_DPI`: the text detector needs far fewer
   pixels than the recogniser, and it is about half the cost (`benchmarks/ocr_rapid.py`). It
   runs on `DETECTION_THREADS` threads.
3. The boxes are mapped to page points and merged across tile overlaps (`tile_lines.py`): a line
   found twice is read once, from the box that no tile border cuts.
4. Each line is *read* from the full-resolution page, cropped to the detector's box with no extra
   margin, and with the strokes that only pass by painted out (`line_crop`): a circle's edge
   beside a label is otherwise read as ")". A box taller than wide is vertical text: it is read
   turned both ways (and upright when nearly square) and the surest reading wins, so labels
   rotated 90° either way come out right. Lines are read two at a time (`RECOGNITION_THREADS`).
5. Lone marks that the line detector passes over (grid zone letters and numbers, a single "A"
   with nothing beside it) are found as glyph-sized blobs of ink with clear paper around them
   (`glyphs.py`) where no line was read, read upright with a margin of paper, and kept when the
   reading is sure and plainly a mark.

The engine is created once per process: building the ONNX sessions takes seconds.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from sld.detections import Detections
from sld.geometry import (
    BoolArray,
    FloatArray,
    as_boxes,
    clip_boxes,
    intersections,
    valid_boxes,
)
from sld.pages.page import PageImage
from sld.pages.tiling import INK_LEVEL, Tile, make_tiles, tile_detections_to_points
from sld.settings import Settings
from sld.text.engines.glyphs import MARK_TEXT, lone_glyph_boxes
from sld.text.engines.tile_lines import complete_lines, touches_inner_border

log = logging.getLogger(__name__)

#: RapidOCR stores each call's options (find only, read only) on the engine object before it
#: runs, so two threads sharing the engine must take turns. Run pages in processes to go wider.
_ENGINE_LOCK = threading.Lock()
#: Taken while the engine or its recogniser is created, so pages read in threads
#: (`page_workers`) create one of each, not one per thread.
_CREATING = threading.Lock()

#: Resolution at which text is found (recognition always uses the page's full resolution).
#: Measured on an A3 sheet at 200 dpi: 72 dpi misses 6 pt labels, 96 dpi some 5 pt ones; 120 dpi
#: reads all 42 labels of 5-9 pt in 1.6-1.8 s; 200 dpi reads no more and takes 4.5-5 s.
DETECTION_DPI = 120.0
#: RapidOCR detector settings for line drawings, measured with `benchmarks/ocr_rapid.py`: the
#: lower box threshold (RapidOCR's default is 0.5) keeps 5-6 pt labels drawn in thin strokes.
DETECTION_BOX_THRESHOLD = 0.3
DETECTION_PIXEL_THRESHOLD = 0.3
DETECTION_UNCLIP_RATIO = 1.6
#: Readings below this recognition confidence are dropped (RapidOCR's own default).
MIN_TEXT_SCORE = 0.5
#: Single characters need more: symbol parts (terminal circles, contact crosses, the DC sign)
#: come out as "O", "X", "E" with middling confidence, real one-letter labels near 1.0.
MIN_SINGLE_CHARACTER_SCORE = 0.9
#: ... and must be a letter or a digit: a stroke of a frame line reads as "-" or "一".
SINGLE_CHARACTER = re.compile(r"[A-Za-z0-9]")
#: A lone glyph is read from its box grown by this share of its height on every side: the
#: recogniser wants some paper around a character.
GLYPH_MARGIN = 0.3
#: A vertical line read this surely is not read turned the other way too.
SURE_SCORE = 0.95
#: ONNX Runtime threads per line reading: one, since lines are read `RECOGNITION_THREADS` at a
#: time; splitting one small line image across threads costs more than it gains.
ONNX_THREADS = 1
#: Lines read at once, so that reading uses both cores of a small machine.
RECOGNITION_THREADS = 2
#: Threads of the text detector, which runs on one large image per tile. They sleep instead of
#: spinning while they wait: spinning threads made detection slower (1.6 -> 2.0-2.5 s a page)
#: on a 2-core machine busy with other work; sleeping ones cost the same there and halve the
#: time on idle cores.
DETECTION_THREADS = 2
#: How far beyond a line's box a stroke must reach to count as passing by (see `line_crop`).
STROKE_WINDOW_PX = 6
#: A vertical box at most this much taller than wide may also be upright text ("M" alone).
NEARLY_SQUARE = 1.5
# A tile narrower or lower than this (detection pixels) holds no readable line: the detector is
# not asked (it fails on images a few pixels high).
SMALLEST_DETECTION_SIDE = 8


@cache
def rapidocr_engine(box_threshold: float, pixel_threshold: float, unclip_ratio: float) -> Any:
    """One RapidOCR engine per process and detector setting (its ONNX sessions take seconds).

    rapidocr is imported here, not at the top: a page without ink never pays its import.
    """
    from rapidocr import RapidOCR

    params = {
        "Global.log_level": "error",
        # No hidden resizing: this module chooses the detection resolution itself.
        "Global.max_side_len": 1_000_000,
        "Global.use_cls": False,
        "Det.box_thresh": box_threshold,
        "Det.thresh": pixel_threshold,
        "Det.unclip_ratio": unclip_ratio,
        # Lines are read at their own width: RapidOCR pads every line to 320 px by default,
        # which for short labels ("T1", "480V") is most of the recognition time.
        "Rec.rec_img_shape": [3, 48, 48],
        # The arena reuses buffers between runs: about twice as fast on repeated line shapes.
        # (The detector's session is rebuilt without one: see `_detector_threads`.)
        "EngineConfig.onnxruntime.enable_cpu_mem_arena": True,
        "EngineConfig.onnxruntime.intra_op_num_threads": ONNX_THREADS,
    }
    engine = RapidOCR(params=params)
    _detector_threads(engine, DETECTION_THREADS)
    return engine


def _detector_threads(engine: Any, threads: int) -> None:
    """Give the engine's text detector a session with `threads` threads that do not spin, and
    no memory arena.

    RapidOCR sets one thread count and one arena choice for all its models and leaves ONNX
    Runtime's spinning on; the detector's session is rebuilt from the same model file with
    these options instead.
    """
    import onnxruntime

    wrapper = engine._load_det_model().session  # RapidOCR's own loader; the ONNX session inside
    model_path = getattr(wrapper.session, "_model_path", None)
    if model_path is None:
        log.debug("rapidocr detector session kept as built (no model path to rebuild from)")
        return
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    # No memory arena for the detector: an arena keeps the largest tile's buffers (and grows
    # with every new tile shape) for the life of the process. Measured with
    # `benchmarks/memory.py`: an ANSI D scan page peaked at 2.4 GB with it, 1.4 GB without;
    # detection CPU per A3 page went from about 3.2 to 3.4 s. (The recogniser keeps its arena:
    # it runs on many small line images of few shapes.)
    options.enable_cpu_mem_arena = False
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    wrapper.session = onnxruntime.InferenceSession(
        model_path, sess_options=options, providers=["CPUExecutionProvider"]
    )


def text_recognition_input(image: NDArray[np.uint8]) -> Any:
    """The recogniser's input object for one line image (imported late, like the engine)."""
    from rapidocr.ch_ppocr_rec import TextRecInput

    return TextRecInput(img=image)


class RapidTextReader:
    """Reads the text lines of a page raster with RapidOCR, tile by tile."""

    name = "rapidocr"

    def __init__(
        self,
        tile_size: int,
        tile_overlap: int,
        detection_dpi: float = DETECTION_DPI,
        box_threshold: float = DETECTION_BOX_THRESHOLD,
        pixel_threshold: float = DETECTION_PIXEL_THRESHOLD,
        unclip_ratio: float = DETECTION_UNCLIP_RATIO,
    ) -> None:
        self.tile_size = tile_size
        self.tile_overlap = tile_overlap
        self.detection_dpi = detection_dpi
        self.engine_settings = (box_threshold, pixel_threshold, unclip_ratio)
        self._engine: Any = None
        self._recogniser: Any = None

    @property
    def engine(self) -> Any:
        """The shared RapidOCR engine, created when the first inked page needs it."""
        with _CREATING:
            if self._engine is None:
                self._engine = rapidocr_engine(*self.engine_settings)
            return self._engine

    @engine.setter
    def engine(self, engine: Any) -> None:
        self._engine = engine
        self._recogniser = None

    @property
    def recogniser(self) -> Any:
        """The engine's line recogniser alone (RapidOCR's own loader): unlike the engine's
        __call__, it keeps no per-call state, and ONNX Runtime sessions may run from several
        threads."""
        if self._recogniser is None:
            engine = self.engine
            with _CREATING:
                if self._recogniser is None:
                    self._recogniser = engine._load_rec_model()
        return self._recogniser

    def read(self, page: PageImage) -> Detections:
        started = time.perf_counter()
        tiles = make_tiles(page, self.tile_size, self.tile_overlap)
        inked = [tile for tile in tiles if tile.has_ink]
        boxes_pt, cut = self.find_page_lines(page, inked)
        lines_px = page.points_to_pixels(boxes_pt)
        with ThreadPoolExecutor(RECOGNITION_THREADS) as pool:
            line_readings = list(pool.map(self.recognise, self._crops(page, lines_px)))
            # Lone marks are looked for where no line was read: a mark whose detector box gave
            # no reading is tried again from its own glyphs.
            read_px = lines_px[[bool(text) for text, _ in line_readings]].reshape(-1, 4)
            glyphs_px = lone_glyph_boxes(page.image, page.scale, read_px)
            heights = (glyphs_px[:, 3] - glyphs_px[:, 1])[:, None]
            margins = GLYPH_MARGIN * heights * np.asarray([-1.0, -1.0, 1.0, 1.0])
            glyph_crops = self._crops(page, glyphs_px + margins)
            glyph_readings = list(pool.map(self.recognise, glyph_crops, [True] * len(glyphs_px)))
        found: list[tuple[list[float], float, str]] = []
        for box_px, (text, score) in zip(lines_px, line_readings, strict=True):
            if text:
                found.append((page.pixels_to_points(box_px).tolist(), score, text))
        for box_px, (text, score) in zip(glyphs_px, glyph_readings, strict=True):
            if _is_lone_mark(text, score) and not _overlaps_any(box_px, found, page):
                found.append((page.pixels_to_points(box_px).tolist(), score, text))
        log.debug(
            "%s: %d text lines (%d boxes, %d cut by tiles, %d lone marks) on %d of %d tiles "
            "in %.2f s",
            page.where,
            len(found),
            len(boxes_pt),
            int(cut.sum()),
            len(glyphs_px),
            len(inked),
            len(tiles),
            time.perf_counter() - started,
        )
        return Detections.from_lists(
            [box for box, _, _ in found], [score for _, score, _ in found], [t for *_, t in found]
        )

    @staticmethod
    def _crops(page: PageImage, boxes_px: FloatArray) -> list[NDArray[np.uint8]]:
        height, width = page.image.shape
        inside = clip_boxes(boxes_px, float(width), float(height))
        return [line_crop(page.image, _pixel_box(box)) for box in inside]

    def find_page_lines(
        self, page: PageImage, tiles: Sequence[Tile]
    ) -> tuple[FloatArray, BoolArray]:
        """One box per text line on the page (points, reading order), and which tiles cut."""
        scale = min(1.0, self.detection_dpi / page.dpi)
        page_size = (page.image.shape[1], page.image.shape[0])
        per_tile: list[Detections] = []
        cut: list[BoolArray] = []
        for tile in tiles:
            boxes_px = self.find_lines(tile.image, scale)
            tile_box = (tile.x0, tile.y0, tile.x0 + tile.width, tile.y0 + tile.height)
            cut.append(touches_inner_border(boxes_px, tile_box, page_size))
            unread = Detections(
                boxes=boxes_px,
                scores=np.ones(len(boxes_px), dtype=np.float64),
                labels=np.full(len(boxes_px), "", dtype=object),
            )
            # The boxes lie inside the tile with positive size: the mapping drops none.
            per_tile.append(tile_detections_to_points(unread, tile, page))
        boxes = Detections.concatenate(per_tile).boxes
        cut_flags = np.concatenate(cut) if cut else np.zeros(0, dtype=bool)
        keep = complete_lines(boxes, cut_flags)
        return boxes[keep], cut_flags[keep]

    def find_lines(self, image: NDArray[np.uint8], scale: float) -> FloatArray:
        """Axis-aligned boxes (tile pixels) of the text lines the detector finds on a tile."""
        height, width = image.shape
        size = (round(width * scale), round(height * scale))
        if min(size) < SMALLEST_DETECTION_SIDE:
            return as_boxes([])
        reduced = image
        if scale < 1.0:
            # INTER_AREA averages thin strokes into grey instead of dropping them.
            reduced = np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), np.uint8)
        with _ENGINE_LOCK:
            result = self.engine(_bgr(reduced), use_det=True, use_cls=False, use_rec=False)
        quads = getattr(result, "boxes", None)
        if quads is None or not len(quads):
            return as_boxes([])
        corners = np.asarray(quads, dtype=np.float64) / scale
        boxes = np.stack(
            [
                np.clip(np.floor(corners[:, :, 0].min(axis=1)), 0, width),
                np.clip(np.floor(corners[:, :, 1].min(axis=1)), 0, height),
                np.clip(np.ceil(corners[:, :, 0].max(axis=1)), 0, width),
                np.clip(np.ceil(corners[:, :, 1].max(axis=1)), 0, height),
            ],
            axis=1,
        )
        return boxes[valid_boxes(boxes)]

    def recognise(self, crop: NDArray[np.uint8], upright: bool = False) -> tuple[str, float]:
        """The text of one line crop and its confidence; vertical crops are read turned.

        Vertical text is tried reading upwards first (the usual way on drawings), then
        downwards; the first sure reading is kept, else the surest of all. `upright` reads the
        crop only as it stands (a lone letter is taller than wide without being turned).
        """
        height, width = crop.shape
        turned = [np.rot90(crop, -1), np.rot90(crop, 1)]
        # A nearly square box ("1", "PE") may be either way: it is read upright first, and a
        # sure single character ends it there (a lone letter stands upright; turned, it often
        # reads as surely as another letter). Other readings are all compared.
        nearly_square = width < height <= NEARLY_SQUARE * width
        if height <= width or upright:
            candidates = [crop]
        elif nearly_square:
            candidates = [crop, *turned]
        else:
            candidates = turned
        best = ("", 0.0)
        for candidate in candidates:
            reading = self.recogniser(text_recognition_input(_bgr(candidate)))
            texts, scores = reading.txts, reading.scores
            if texts and scores and float(scores[0]) > best[1]:
                best = (str(texts[0]).strip(), float(scores[0]))
            if best[1] >= SURE_SCORE and (not nearly_square or len(best[0]) == 1):
                break
        text, score = best
        if len(text) == 1 and (
            score < MIN_SINGLE_CHARACTER_SCORE or not SINGLE_CHARACTER.match(text)
        ):
            return "", 0.0
        return text if score >= MIN_TEXT_SCORE else "", score


def line_crop(image: NDArray[np.uint8], box: tuple[int, int, int, int]) -> NDArray[np.uint8]:
    """The line's pixels with the strokes that only pass by (wires, symbol outlines) removed.

    Labels sit close to symbols, and a circle's edge inside the box is read as ")". A glyph lies
    within the detector's box; a wire or outline goes on beyond it. So ink that reaches the edge
    of a slightly larger window is painted out, unless it holds most of the line's ink (text
    drawn across a wire: better read with the wire than not at all).
    """
    x0, y0, x1, y1 = box
    height, width = image.shape
    wx0, wy0 = max(0, x0 - STROKE_WINDOW_PX), max(0, y0 - STROKE_WINDOW_PX)
    wx1, wy1 = min(width, x1 + STROKE_WINDOW_PX), min(height, y1 + STROKE_WINDOW_PX)
    window = image[wy0:wy1, wx0:wx1]
    ink = (window < INK_LEVEL).astype(np.uint8)
    count, labels = cv2.connectedComponents(ink, connectivity=8)
    if count <= 1:
        return image[y0:y1, x0:x1]
    edge_labels = np.unique(
        np.concatenate([labels[0, :], labels[-1, :], labels[:, 0], labels[:, -1]])
    )
    passing = np.isin(labels, edge_labels[edge_labels > 0])
    inner = (slice(y0 - wy0, y1 - wy0), slice(x0 - wx0, x1 - wx0))
    line_ink = int(ink[inner].sum())
    if line_ink == 0 or int(passing[inner].sum()) > line_ink // 2:
        return image[y0:y1, x0:x1]
    cleaned = window.copy()
    cleaned[passing] = 255
    return cleaned[inner]


def _pixel_box(box: FloatArray) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = (int(v) for v in np.rint(box))
    return x0, y0, x1, y1


def _overlaps_any(
    box_px: FloatArray, found: list[tuple[list[float], float, str]], page: PageImage
) -> bool:
    """Whether a box (pixels) overlaps a line already read (points)."""
    if not found:
        return False
    read = page.points_to_pixels(as_boxes([box for box, _, _ in found]))
    return bool(intersections(box_px[None, :], read).max() > 0)


def _is_lone_mark(text: str, score: float) -> bool:
    """A lone glyph's reading is kept only when sure and plainly a mark ("A", "7", "12")."""
    return score >= MIN_SINGLE_CHARACTER_SCORE and MARK_TEXT.fullmatch(text) is not None


def _bgr(image: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """RapidOCR's models take three channels."""
    return np.asarray(cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_GRAY2BGR), np.uint8)


def create(settings: Settings) -> RapidTextReader:
    """The `rapidocr` factory named in `sld.registry.TEXT_READERS`."""
    return RapidTextReader(tile_size=settings.ocr_tile_size, tile_overlap=settings.ocr_tile_overlap)

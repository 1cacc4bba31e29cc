"""Conductor lines found in a page raster (scans and image files), with OpenCV.

The steps, each a few OpenCV calls over the whole page:

1. Ink: the grey image divided by its own background (so uneven lighting and paper tone drop
   out), then Otsu's threshold; text boxes are blanked. Specks of scan noise are too short to
   pass the line openings and too small to be marks.
2. Marks: an opening with a disc twice the typical stroke width keeps only what is thicker
   than a line: compact blobs are junction dots and arrow heads (busbars are thick too, but long).
3. Lines: openings with a long horizontal and a long vertical kernel keep the straight runs
   along each axis; a slight rotation of the scan stays inside such a run. Each run's pixels
   give its line by least squares, its ends by their extent and its width by area / length.
   What ink is left is searched for diagonal lines with the probabilistic Hough transform.

Symbols are not masked here: their strokes come out as lines too, and `conductors.py` drops
them with the same box rules as vector strokes. Everything leaves this module in points.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from sld.geometry import FloatArray
from sld.pages.page import PageImage

#: A straight run must be at least this long (points) to count as a line; shorter ink is
#: lettering, symbol detail or noise.
MIN_RUN = 5.0
#: A compact blob thicker than the lines, between these sizes (points), is a mark: a junction
#: dot or an arrow head. Smaller ones are specks of scan noise.
MARK_MIN_SIZE = 2.4
MARK_MAX_SIZE = 12.0
#: Diagonal lines shorter than this (points) are left out: slanted strokes are mostly symbols.
MIN_DIAGONAL = 12.0
#: Ink is anything darker than the paper by this many of the paper's standard deviations.
PAPER_SIGMAS = 6.0
#: Gaps up to this long (pixels) in a line's ink are closed before the line openings.
GAP_PIXELS = 4
#: Text boxes are blanked grown by this much (points), to take the glyphs' anti-aliased rim.
TEXT_MARGIN = 0.5

Mask = NDArray[np.uint8]


@dataclass(frozen=True)
class RasterLines:
    """Straight lines and marks found in a raster, in points."""

    segments: FloatArray
    widths: FloatArray
    marks: FloatArray
    #: How far apart (points) two ends may lie and still touch at this resolution.
    snap: float


def trace_raster_lines(
    page: PageImage, symbol_boxes: FloatArray, text_boxes: FloatArray
) -> RasterLines:
    """The straight lines and marks of the page's raster, text boxes left out."""
    scale = page.scale
    ink = binarise(page.image)
    _blank_boxes(ink, text_boxes, scale, TEXT_MARGIN)
    stroke = typical_stroke_width(ink)
    marks, marks_mask = _marks(ink, stroke, scale, symbol_boxes * scale)
    lines_ink = _mask(cv2.subtract(ink, marks_mask))

    # An opening must be longer than any bar across it is thick, else the bar's body passes
    # it (a busbar would come out of the vertical opening as a block, fused with its feeders):
    # horizontal runs first, then vertical ones longer than the thickest horizontal bar, then
    # horizontal ones again if a vertical bar is thicker than they are long.
    run = max(3, round(MIN_RUN * scale))
    horizontal, (h_segments, h_widths) = _axis_runs(lines_ink, run, across=False)
    v_run = max(run, _longer_than(h_segments, h_widths, run, across=False))
    vertical, (v_segments, v_widths) = _axis_runs(lines_ink, v_run, across=True)
    h_run = max(run, _longer_than(v_segments, v_widths, run, across=True))
    if h_run > run:
        horizontal, (h_segments, h_widths) = _axis_runs(lines_ink, h_run, across=False)

    straight = cv2.dilate(
        cv2.bitwise_or(horizontal, vertical), np.ones((3, 3), np.uint8), iterations=max(1, stroke)
    )
    rest = _mask(cv2.subtract(lines_ink, straight))
    d_segments, d_widths = _diagonal_lines(rest, stroke, max(v_run, round(MIN_DIAGONAL * scale)))

    segments = np.concatenate([h_segments, v_segments, d_segments]) / scale
    widths = np.concatenate([h_widths, v_widths, d_widths]) / scale
    return RasterLines(
        segments=segments,
        widths=widths,
        marks=marks / scale,
        snap=max(1.0, (0.5 * stroke + 2.0) / scale),
    )


def _mask(image: object) -> Mask:
    """An OpenCV result as the uint8 array it is (OpenCV's own type hints are looser)."""
    return np.asarray(image, dtype=np.uint8)


def binarise(image: NDArray[np.uint8]) -> Mask:
    """Ink (255) and paper (0): the image over its background, then Otsu's threshold."""
    height, width = image.shape
    small = cv2.resize(
        image, (max(1, width // 4), max(1, height // 4)), interpolation=cv2.INTER_AREA
    )
    background = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9)))
    background = cv2.GaussianBlur(background, (0, 0), 3)
    background = cv2.resize(background, (width, height), interpolation=cv2.INTER_LINEAR)
    flat = cv2.divide(image, np.maximum(background, 1), scale=255)
    otsu, _ = cv2.threshold(flat, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    # Faint thin lines sit between Otsu's threshold and the paper: take everything clearly
    # darker than the paper's own grain (its spread measured below the median, in robust
    # standard deviations), but never less than Otsu's threshold.
    counts = np.cumsum(cv2.calcHist([flat], [0], None, [256], [0, 256]).ravel())
    share = np.asarray(counts, dtype=np.float64) / max(float(counts[-1]), 1.0)
    quartile, median = (float(np.searchsorted(share, q)) for q in (0.25, 0.5))
    grain = max(1.0, (median - quartile) / 0.674)
    level = max(otsu, min(median - PAPER_SIGMAS * grain, 250.0))
    # Strictly darker than `level`: THRESH_BINARY_INV keeps values <= its threshold.
    _, ink = cv2.threshold(flat, np.ceil(level) - 1, 255, cv2.THRESH_BINARY_INV)
    return _mask(ink)


def _blank_boxes(ink: Mask, boxes: FloatArray, scale: float, margin: float) -> None:
    height, width = ink.shape
    for x0, y0, x1, y1 in ((boxes + np.asarray([-1, -1, 1, 1]) * margin) * scale).tolist():
        left, top = max(0, int(np.floor(x0))), max(0, int(np.floor(y0)))
        right, bottom = min(width, int(np.ceil(x1))), min(height, int(np.ceil(y1)))
        if right > left and bottom > top:
            ink[top:bottom, left:right] = 0


def typical_stroke_width(ink: Mask, every: int = 8) -> int:
    """The usual line width in pixels: the most common length of ink runs across every
    `every`-th row and column (vertical lines cross rows, horizontal ones cross columns)."""
    counts = np.zeros(64, dtype=np.int64)
    for sample in (ink[::every, :], ink[:, ::every].T):
        on = np.zeros((sample.shape[0], sample.shape[1] + 2), dtype=np.int8)
        on[:, 1:-1] = sample > 0
        change = np.diff(on, axis=1)
        starts = np.flatnonzero(change.ravel() == 1)
        ends = np.flatnonzero(change.ravel() == -1)
        lengths = ends - starts
        counts += np.bincount(np.minimum(lengths, 63), minlength=64)
    counts[0] = 0
    counts[63] = 0
    return max(1, int(np.argmax(counts))) if counts.any() else 1


def _marks(
    ink: Mask, stroke: int, scale: float, symbol_boxes: FloatArray
) -> tuple[FloatArray, Mask]:
    """Compact blobs thicker than a line: junction dots and arrow heads (boxes in pixels), and
    the mask of their pixels. Blobs inside a symbol box are the symbol's own drawing (a
    disconnector's heavy cross on its busbar) and stay ink, so the lines through them do too."""
    # Twice the stroke and a little more: where two blurred lines cross, their inner corners
    # fill in and a disc of exactly twice the stroke can still pass.
    size = 2 * stroke + 2
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    thick = cv2.morphologyEx(ink, cv2.MORPH_OPEN, disc)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(thick, connectivity=8)
    widths = stats[1:, cv2.CC_STAT_WIDTH].astype(np.float64)
    heights = stats[1:, cv2.CC_STAT_HEIGHT].astype(np.float64)
    longest = np.maximum(widths, heights)
    # Where two lines cross, a blob about as big as the lines are wide can pass the opening.
    smallest = max(MARK_MIN_SIZE * scale, 2.5 * stroke)
    compact = (
        (longest <= MARK_MAX_SIZE * scale)
        & (longest >= smallest)
        & (longest <= 2.5 * np.minimum(widths, heights))
    )
    left = stats[1:, cv2.CC_STAT_LEFT].astype(np.float64)
    top = stats[1:, cv2.CC_STAT_TOP].astype(np.float64)
    boxes = np.stack([left, top, left + widths, top + heights], axis=1)
    centre_x = (boxes[:, 0] + boxes[:, 2]) / 2
    centre_y = (boxes[:, 1] + boxes[:, 3]) / 2
    if len(symbol_boxes):
        compact &= ~(
            (centre_x[:, None] > symbol_boxes[None, :, 0])
            & (centre_x[:, None] < symbol_boxes[None, :, 2])
            & (centre_y[:, None] > symbol_boxes[None, :, 1])
            & (centre_y[:, None] < symbol_boxes[None, :, 3])
        ).any(axis=1)
    for index in np.flatnonzero(compact):
        compact[index] = not _on_a_bar(ink, boxes[index])
    boxes = boxes[compact]
    mask = np.zeros_like(ink)
    for label in (np.flatnonzero(compact) + 1).tolist():
        x, y, w, h = (int(v) for v in stats[label, :4])
        window = (slice(y, y + h), slice(x, x + w))
        mask[window][labels[window] == label] = 255
    # Take the mark's rim of anti-aliased ink too, so lines end cleanly at it.
    rim = _mask(cv2.dilate(mask, np.ones((3, 3), np.uint8)))
    return boxes.reshape(-1, 4), rim


def _axis_opening(ink: Mask, run: int, *, across: bool) -> Mask:
    """The ink of straight runs at least `run` pixels long along one axis (vertical when
    `across`); small gaps along the axis are closed first, so a faint line is not lost."""
    gap = np.ones((GAP_PIXELS + 1, 1) if across else (1, GAP_PIXELS + 1), np.uint8)
    line = np.ones((run, 1) if across else (1, run), np.uint8)
    closed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, gap)
    return _mask(cv2.morphologyEx(closed, cv2.MORPH_OPEN, line))


def _axis_runs(ink: Mask, run: int, *, across: bool) -> tuple[Mask, tuple[FloatArray, FloatArray]]:
    """The mask of straight runs along one axis and the segments (pixels) fitted to them."""
    mask = _axis_opening(ink, run, across=across)
    return mask, _axis_lines(mask, across=across)


def _longer_than(segments: FloatArray, widths: FloatArray, run: int, *, across: bool) -> int:
    """An opening length (pixels) above the thickness of every long bar among `segments`."""
    if not len(segments):
        return 0
    length = (
        np.abs(segments[:, 3] - segments[:, 1])
        if across
        else np.abs(segments[:, 2] - segments[:, 0])
    )
    bars = widths[length >= 4 * run]
    return round(1.3 * float(bars.max())) + 1 if len(bars) else 0


def _on_a_bar(ink: Mask, box: FloatArray, solid: float = 0.6) -> bool:
    """Whether a thick blob is a piece of a bar rather than a mark: the ink goes on as thick as
    the blob on both sides of it, along a row or a column (a dot on a wire has only the thin
    wire beside it). Bars about as thick as the opening's disc come out of it in pieces."""
    height, width = ink.shape
    x0, y0, x1, y1 = (int(v) for v in box)
    size = max(x1 - x0, y1 - y0)
    for before, after in (
        (ink[y0:y1, max(0, x0 - size) : x0], ink[y0:y1, x1 : min(width, x1 + size)]),
        (ink[max(0, y0 - size) : y0, x0:x1], ink[y1 : min(height, y1 + size), x0:x1]),
    ):
        if (
            before.size
            and after.size
            and (before > 0).mean() >= solid
            and (after > 0).mean() >= solid
        ):
            return True
    return False


def _axis_lines(mask: Mask, *, across: bool) -> tuple[FloatArray, FloatArray]:
    """One segment per connected run of a horizontal (or, `across`, vertical) line mask.

    For a horizontal run, y = a x + b is fitted to its pixels by least squares (all runs at
    once, through per-label sums), and the segment spans the run's x extent.
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count < 2:
        return np.zeros((0, 4)), np.zeros(0)
    found = cv2.findNonZero(mask)
    columns, rows = found.reshape(-1, 2).T
    owner = labels[rows, columns]
    along, side = (rows, columns) if across else (columns, rows)
    along = along.astype(np.float64)
    side = side.astype(np.float64)
    n = np.bincount(owner, minlength=count).astype(np.float64)
    s_a = np.bincount(owner, along, minlength=count)
    s_s = np.bincount(owner, side, minlength=count)
    s_aa = np.bincount(owner, along * along, minlength=count)
    s_as = np.bincount(owner, along * side, minlength=count)
    spread = n * s_aa - s_a * s_a
    slope = np.where(spread > 0, (n * s_as - s_a * s_s) / np.maximum(spread, 1e-9), 0.0)
    intercept = (s_s - slope * s_a) / np.maximum(n, 1)
    if across:
        start = stats[:, cv2.CC_STAT_TOP].astype(np.float64)
        length = stats[:, cv2.CC_STAT_HEIGHT].astype(np.float64)
    else:
        start = stats[:, cv2.CC_STAT_LEFT].astype(np.float64)
        length = stats[:, cv2.CC_STAT_WIDTH].astype(np.float64)
    # Pixel i covers [i, i + 1) on the page, its centre is i + 0.5: the run spans its pixels'
    # outer edges along the line, and the fitted centre line is shifted to pixel centres.
    a0, a1 = start, start + length
    s0 = slope * (a0 - 0.5) + intercept + 0.5
    s1 = slope * (a1 - 0.5) + intercept + 0.5
    width = _median_thickness(owner, along, count) / np.sqrt(1 + slope**2)
    ends = [s0, a0, s1, a1] if across else [a0, s0, a1, s1]
    return np.stack(ends, axis=1)[1:], width[1:]


def _median_thickness(
    owner: np.ndarray[Any, Any], along: np.ndarray[Any, Any], count: int
) -> FloatArray:
    """Each run's thickness (pixels): the median over its cross-sections of the pixels in
    each, so a symbol stroke touching a wire does not widen the wire."""
    key = owner.astype(np.int64) * (int(along.max()) + 1) + along.astype(np.int64)
    keys, sizes = np.unique(key, return_counts=True)
    labels = keys // (int(along.max()) + 1)
    order = np.lexsort((sizes, labels))
    labels, sizes = labels[order], sizes[order]
    starts = np.searchsorted(labels, np.arange(count), side="left")
    ends = np.searchsorted(labels, np.arange(count), side="right")
    middle = np.minimum((starts + ends) // 2, max(len(sizes) - 1, 0))
    thickness = np.where(ends > starts, sizes[middle] if len(sizes) else 0, 0)
    return np.asarray(thickness, dtype=np.float64)


def _diagonal_lines(rest: Mask, stroke: int, min_length: int) -> tuple[FloatArray, FloatArray]:
    """Slanted straight lines in the ink that the axis openings left (probabilistic Hough)."""
    if not rest.any():
        return np.zeros((0, 4)), np.zeros(0)
    found = cv2.HoughLinesP(
        rest,
        rho=1,
        theta=np.pi / 360,
        threshold=max(10, min_length // 2),
        minLineLength=min_length,
        maxLineGap=max(2, stroke),
    )
    if found is None:
        return np.zeros((0, 4)), np.zeros(0)
    segments = found.reshape(-1, 4).astype(np.float64) + 0.5
    dx = segments[:, 2] - segments[:, 0]
    dy = segments[:, 3] - segments[:, 1]
    slanted = np.minimum(np.abs(dx), np.abs(dy)) > 0.1 * np.hypot(dx, dy)
    segments = segments[slanted]
    return segments, np.full(len(segments), float(stroke))

"""Lone glyphs: short marks standing alone (grid zone letters "A", "7", "12") that the text
detector passes over.

RapidOCR's line detector answers to lines of text; a single character with nothing beside it
gives it too weak a response, at any resolution tried (120-200 dpi found 3-10 of 16 zone marks
on a scanned A3 sheet). Such marks are easy to find the other way round: as connected blobs of
ink of a character's size with clear paper all around, that no detected line covers. Each is
then read like any line, and kept only when the recogniser is sure of one to three letters or
digits: symbol parts (a contact's cross, a terminal's circle, a dot) are blobs too. Most of those
touch a wire, which makes them one blob with it, far too large to be a glyph.
"""

from __future__ import annotations

import re

import cv2
import numpy as np
from numpy.typing import NDArray

from sld.geometry import FloatArray, as_boxes, intersections

#: Heights of a glyph, points (zone marks and labels are 4-12 pt type, cap height ~0.7 of that).
MIN_HEIGHT_PT = 2.5
MAX_HEIGHT_PT = 10.0
#: Widest glyph for its height ("W", "M"); a blob wider than this is a stroke or a word.
MAX_ASPECT = 1.4
#: Blobs this small (share of the glyph height squared) are speckle, not ink that matters.
SPECKLE_AREA = 0.05
#: Glyphs side by side closer than this (heights) form one mark ("12").
JOIN_GAP = 0.45
#: Clear paper all around a mark, in its heights.
CLEARANCE = 0.35
#: ... except a straight line passing by (a conductor beside its terminal number), at most this
#: thick (heights).
PASSING_LINE = 0.3
#: Most glyphs in one mark.
MAX_GLYPHS = 3
#: Local contrast that counts as ink: darker than the neighbourhood mean by this many levels.
INK_CONTRAST = 25
#: What a lone mark may read as.
MARK_TEXT = re.compile(r"[A-Za-z0-9]{1,3}")


def ink_mask(image: NDArray[np.uint8], scale: float) -> NDArray[np.uint8]:
    """Ink by local contrast (scans are toned and unevenly lit), 1 = ink."""
    block = max(15, round(6 * scale) | 1)
    mask = cv2.adaptiveThreshold(
        image, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, INK_CONTRAST
    )
    return np.asarray(mask, dtype=np.uint8)


def lone_glyph_boxes(image: NDArray[np.uint8], scale: float, covered_px: FloatArray) -> FloatArray:
    """Boxes (page pixels) of lone marks of 1-3 glyphs that no box in `covered_px` touches."""
    ink = ink_mask(image, scale)
    _, found_labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    labels = np.asarray(found_labels, dtype=np.int32)
    x, y, w, h, area = (stats[:, k].astype(np.float64) for k in range(5))
    glyph = (h >= MIN_HEIGHT_PT * scale) & (h <= MAX_HEIGHT_PT * scale) & (w <= MAX_ASPECT * h)
    glyph[0] = False  # the background
    candidates = np.flatnonzero(glyph)
    if len(candidates) and len(covered_px):
        # Glyphs of the lines already found are most blobs: set them aside first.
        blob_boxes = np.stack(
            [
                x[candidates],
                y[candidates],
                x[candidates] + w[candidates],
                y[candidates] + h[candidates],
            ],
            axis=1,
        )
        grown = covered_px + np.asarray([-2.0, -2.0, 2.0, 2.0])
        candidates = candidates[intersections(blob_boxes, grown).max(axis=1) <= 0]
    boxes: list[list[float]] = []
    for members in _join_glyphs(candidates, x, y, w, h):
        box = [
            x[members].min(),
            y[members].min(),
            (x[members] + w[members]).max(),
            (y[members] + h[members]).max(),
        ]
        height = box[3] - box[1]
        if _isolated(labels, area, members, box, height, image.shape):
            boxes.append(box)
    return as_boxes(boxes)


def _join_glyphs(
    candidates: NDArray[np.intp],
    x: FloatArray,
    y: FloatArray,
    w: FloatArray,
    h: FloatArray,
) -> list[NDArray[np.intp]]:
    """Glyph blobs grouped into marks: neighbours on one baseline, a small gap apart."""
    order = candidates[np.argsort(x[candidates])]
    marks: list[list[int]] = []
    for index in order.tolist():
        for mark in marks:
            last = mark[-1]
            top = max(y[last], y[index])
            bottom = min(y[last] + h[last], y[index] + h[index])
            small, large = sorted((h[last], h[index]))
            gap = x[index] - (x[last] + w[last])
            if (
                len(mark) < MAX_GLYPHS + 1
                and bottom - top >= 0.5 * small
                and large <= 1.5 * small
                and -0.1 * small <= gap <= JOIN_GAP * large
            ):
                mark.append(index)
                break
        else:
            marks.append([index])
    return [np.asarray(mark, dtype=np.intp) for mark in marks if len(mark) <= MAX_GLYPHS]


def _isolated(
    labels: NDArray[np.int32],
    area: FloatArray,
    members: NDArray[np.intp],
    box: list[float],
    height: float,
    shape: tuple[int, ...],
) -> bool:
    """Whether only the mark's own blobs (and speckle) lie within its clearance, or a straight
    line that passes the mark by (a terminal number is written beside its conductor)."""
    margin = CLEARANCE * height
    x0, y0 = max(0, int(box[0] - margin)), max(0, int(box[1] - margin))
    x1, y1 = min(shape[1], int(box[2] + margin) + 1), min(shape[0], int(box[3] + margin) + 1)
    window = labels[y0:y1, x0:x1]
    around = np.unique(window)
    others = around[(around != 0) & ~np.isin(around, members)]
    for other in others[area[others] >= SPECKLE_AREA * height * height]:
        if not _passes_by(window == other, PASSING_LINE * height):
            return False
    return True


def _passes_by(mask: NDArray[np.bool_], thickness: float) -> bool:
    """Whether the ink of `mask` is one thin straight line right across the window."""
    ys, xs = np.nonzero(mask)
    height, width = mask.shape
    across_down = ys.min() == 0 and ys.max() == height - 1 and xs.max() - xs.min() < thickness
    across = xs.min() == 0 and xs.max() == width - 1 and ys.max() - ys.min() < thickness
    return bool(across_down or across)

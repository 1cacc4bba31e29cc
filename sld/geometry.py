"""Boxes as numpy arrays: IoU, containment and non-maximum suppression, all vectorised.

Boxes are `(N, 4)` float arrays of `[x0, y0, x1, y1]`. The unit (tile pixels, page pixels or
PDF points) is the caller's business; every function here is unit-free. Conversions between
units live with the stage that owns the pixels (`tiling.py` for tiles, `raster.py` for pages).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def as_boxes(boxes: object) -> FloatArray:
    """Any sequence of 4-sequences as an `(N, 4)` float64 array (an empty one for no boxes)."""
    array = np.asarray(boxes, dtype=np.float64)
    if array.size == 0:
        return np.zeros((0, 4), dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 4:
        raise ValueError(f"expected boxes of shape (N, 4), got {array.shape}")
    return array


def areas(boxes: FloatArray) -> FloatArray:
    widths = np.clip(boxes[:, 2] - boxes[:, 0], 0.0, None)
    heights = np.clip(boxes[:, 3] - boxes[:, 1], 0.0, None)
    return np.asarray(widths * heights, dtype=np.float64)


def intersections(a: FloatArray, b: FloatArray) -> FloatArray:
    """Pairwise intersection areas, shape `(len(a), len(b))`."""
    x0 = np.maximum(a[:, None, 0], b[None, :, 0])
    y0 = np.maximum(a[:, None, 1], b[None, :, 1])
    x1 = np.minimum(a[:, None, 2], b[None, :, 2])
    y1 = np.minimum(a[:, None, 3], b[None, :, 3])
    return np.asarray(np.clip(x1 - x0, 0.0, None) * np.clip(y1 - y0, 0.0, None), np.float64)


def iou_matrix(a: FloatArray, b: FloatArray) -> FloatArray:
    """Pairwise intersection over union, shape `(len(a), len(b))`."""
    inter = intersections(a, b)
    union = areas(a)[:, None] + areas(b)[None, :] - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        result = np.where(union > 0, inter / union, 0.0)
    return np.asarray(result, dtype=np.float64)


def containment_matrix(a: FloatArray, b: FloatArray) -> FloatArray:
    """Share of each box of `a` that lies inside each box of `b`: `|a ∩ b| / |a|`."""
    inter = intersections(a, b)
    area_a = areas(a)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        result = np.where(area_a > 0, inter / area_a, 0.0)
    return np.asarray(result, dtype=np.float64)


def nms(
    boxes: FloatArray,
    scores: FloatArray,
    iou_threshold: float,
    classes: NDArray[np.object_] | None = None,
) -> NDArray[np.intp]:
    """Indices of the boxes that survive greedy non-maximum suppression, best score first.

    With `classes`, only boxes of the same class suppress each other (class-aware NMS).
    """
    if len(boxes) == 0:
        return np.zeros(0, dtype=np.intp)
    order = np.argsort(-scores, kind="stable")
    overlaps = iou_matrix(boxes, boxes) > iou_threshold
    if classes is not None:
        overlaps &= classes[:, None] == classes[None, :]
    suppressed = np.zeros(len(boxes), dtype=bool)
    keep: list[int] = []
    for index in order:
        if suppressed[index]:
            continue
        keep.append(int(index))
        suppressed |= overlaps[index]
    return np.asarray(keep, dtype=np.intp)


def union_box(boxes: FloatArray) -> FloatArray:
    """The smallest box holding all of `boxes` (which must not be empty)."""
    return np.asarray(
        [boxes[:, 0].min(), boxes[:, 1].min(), boxes[:, 2].max(), boxes[:, 3].max()],
        dtype=np.float64,
    )


def clip_boxes(boxes: FloatArray, width: float, height: float) -> FloatArray:
    clipped = boxes.copy()
    clipped[:, [0, 2]] = np.clip(clipped[:, [0, 2]], 0.0, width)
    clipped[:, [1, 3]] = np.clip(clipped[:, [1, 3]], 0.0, height)
    return clipped


def valid_boxes(boxes: FloatArray) -> BoolArray:
    """Which boxes have positive width and height (the result format requires both)."""
    return np.asarray((boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1]), dtype=np.bool_)

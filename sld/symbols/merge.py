"""Merging symbol detections from overlapping tiles into one set per page.

Tiles overlap by more than the largest symbol, so every symbol lies whole in some tile, and
many lie in two or four. Two things go wrong at the seams, and both are fixed here:

- the same symbol found in each tile that holds it: duplicates, removed by class-aware NMS;
- a symbol cut by a tile border and found as a part: a fragment. A box that touches a border
  of its own tile (a border inside the page, where cutting happens) and lies mostly inside a
  larger box of the same type from another tile is that part, and is dropped.

Boxes are in page points here (`tiling.tile_detections_to_points` has mapped them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sld.detections import Detections
from sld.geometry import BoolArray, FloatArray, areas, as_boxes, containment_matrix, nms
from sld.pages.page import PageImage
from sld.pages.tiling import Tile
from sld.settings import Settings

#: A box edge within this many points of a tile border touches it (backends rarely end a
#: cut box exactly on the last pixel).
BORDER_TOLERANCE_PT = 2.0


@dataclass(frozen=True)
class TileDetections:
    """What the detector found on each tile, already mapped to page points, with the tile's
    box in points: the input of the merge."""

    per_tile: list[tuple[Detections, tuple[float, float, float, float]]]


def merge_page(found: TileDetections, settings: Settings) -> Detections:
    """One box per symbol on the page, with the merge settings (`SLD_NMS_IOU`,
    `SLD_PARTIAL_CONTAINMENT`)."""
    return merge_tile_detections(
        found.per_tile, iou=settings.nms_iou, containment=settings.partial_containment
    )


def tile_box_points(tile: Tile, page: PageImage) -> tuple[float, float, float, float]:
    """The tile's area on the page, in points: what `merge_tile_detections` pairs each
    tile's detections with."""
    scale = page.scale
    return (
        tile.x0 / scale,
        tile.y0 / scale,
        (tile.x0 + tile.width) / scale,
        (tile.y0 + tile.height) / scale,
    )


def merge_tile_detections(
    per_tile: Sequence[tuple[Detections, Sequence[float]]],
    iou: float,
    containment: float,
    border_tolerance: float = BORDER_TOLERANCE_PT,
) -> Detections:
    """One set of detections for the page from each tile's (detections, tile box), in points.

    `iou`: same-type boxes overlapping more than this are one symbol (the best score stays).
    `containment`: a border-touching box at least this much inside a larger same-type box
    from another tile is a fragment of it. The page is the union of the tile boxes; a tile
    border on the page edge cuts nothing. The result is ordered by score, best first.
    """
    parts = [detections for detections, _ in per_tile]
    merged = Detections.concatenate(parts)
    if not len(merged):
        return merged
    tile_boxes = as_boxes([tile_box for _, tile_box in per_tile])
    tile_of = np.repeat(np.arange(len(parts)), [len(part) for part in parts])

    cut = touches_inner_border(merged.boxes, tile_boxes[tile_of], tile_boxes, border_tolerance)
    fragment = np.zeros(len(merged), dtype=bool)
    for label in np.unique(merged.labels):
        same = np.flatnonzero(merged.labels == label)
        fragment[same] = _fragments(merged.boxes[same], tile_of[same], cut[same], containment)

    kept = merged[np.flatnonzero(~fragment)]
    return kept[nms(kept.boxes, kept.scores, iou, classes=kept.labels)]


def touches_inner_border(
    boxes: FloatArray,
    own_tiles: FloatArray,
    all_tiles: FloatArray,
    tolerance: float,
) -> BoolArray:
    """Which boxes touch a border of their own tile that lies inside the page."""
    page = np.asarray(
        [
            all_tiles[:, 0].min(),
            all_tiles[:, 1].min(),
            all_tiles[:, 2].max(),
            all_tiles[:, 3].max(),
        ]
    )
    near_start = boxes[:, :2] - own_tiles[:, :2] <= tolerance
    near_end = own_tiles[:, 2:] - boxes[:, 2:] <= tolerance
    start_inside = own_tiles[:, :2] > page[:2] + tolerance
    end_inside = own_tiles[:, 2:] < page[2:] - tolerance
    touching = (near_start & start_inside) | (near_end & end_inside)
    return np.asarray(touching.any(axis=1), dtype=np.bool_)


def _fragments(
    boxes: FloatArray, tile_of: np.ndarray, cut: BoolArray, containment: float
) -> BoolArray:
    """Among boxes of one type: the cut ones mostly inside a larger box from another tile."""
    inside = containment_matrix(boxes, boxes) >= containment
    size = areas(boxes)
    larger = size[None, :] > size[:, None]
    other_tile = tile_of[:, None] != tile_of[None, :]
    return np.asarray(cut & (inside & larger & other_tile).any(axis=1), dtype=np.bool_)

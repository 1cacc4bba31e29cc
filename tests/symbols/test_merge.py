"""Merging tile detections: duplicates in overlaps and halves cut by a tile border, by hand."""

from __future__ import annotations

import numpy as np
import pytest

from sld.detections import Detections
from sld.pages.page import PageImage
from sld.pages.tiling import make_tiles
from sld.symbols.merge import merge_tile_detections, tile_box_points, touches_inner_border

# Two tiles side by side on a 200 x 100 pt page, overlapping from x = 80 to x = 120.
LEFT = (0.0, 0.0, 120.0, 100.0)
RIGHT = (80.0, 0.0, 200.0, 100.0)


def found(*entries: tuple[str, float, tuple[float, float, float, float]]) -> Detections:
    return Detections.from_lists(
        boxes=[box for _, _, box in entries],
        scores=[score for _, score, _ in entries],
        labels=[label for label, _, _ in entries],
    )


def merge(*per_tile: tuple[Detections, tuple[float, float, float, float]]) -> Detections:
    return merge_tile_detections(per_tile, iou=0.5, containment=0.8)


def as_set(detections: Detections) -> set[tuple[str, tuple[float, ...]]]:
    return {(label, tuple(float(v) for v in box)) for box, _, label in detections}


def test_duplicate_in_the_overlap_is_merged_keeping_the_best_score() -> None:
    merged = merge(
        (found(("circuit_breaker", 0.7, (90, 40, 110, 60))), LEFT),
        (found(("circuit_breaker", 0.9, (90.5, 40, 110.5, 60))), RIGHT),
    )
    assert len(merged) == 1
    assert merged.scores[0] == 0.9
    assert tuple(merged.boxes[0]) == (90.5, 40, 110.5, 60)


def test_half_symbol_at_a_tile_border_is_dropped_even_with_the_better_score() -> None:
    # A transformer from x = 100 to 140: whole in the right tile, cut at x = 120 in the left.
    merged = merge(
        (found(("transformer", 0.95, (100, 30, 120, 70))), LEFT),
        (found(("transformer", 0.8, (100, 30, 140, 70))), RIGHT),
    )
    assert as_set(merged) == {("transformer", (100.0, 30.0, 140.0, 70.0))}


def test_a_backend_stopping_short_of_the_border_still_counts_as_touching() -> None:
    merged = merge(
        (found(("transformer", 0.95, (100, 30, 118.5, 70))), LEFT),
        (found(("transformer", 0.8, (100, 30, 140, 70))), RIGHT),
    )
    assert len(merged) == 1 and merged.boxes[0, 2] == 140


def test_nested_symbols_of_different_types_are_both_kept() -> None:
    # A fuse drawn inside a disconnect switch's box, found in different tiles, one at a border.
    merged = merge(
        (found(("fuse", 0.9, (104, 40, 120, 60))), LEFT),
        (found(("disconnect_switch", 0.9, (95, 20, 150, 80))), RIGHT),
    )
    assert {label for _, _, label in merged} == {"fuse", "disconnect_switch"}


def test_adjacent_symbols_of_one_type_are_both_kept() -> None:
    # Two breakers side by side across the seam, each found whole where it lies.
    merged = merge(
        (found(("circuit_breaker", 0.9, (70, 40, 99, 60))), LEFT),
        (found(("circuit_breaker", 0.9, (101, 40, 130, 60))), RIGHT),
    )
    assert len(merged) == 2


def test_a_small_symbol_inside_a_larger_one_of_its_type_is_kept_away_from_borders() -> None:
    # Not touching any border of its tile: not a fragment, however contained it is.
    merged = merge(
        (found(("motor", 0.9, (90, 40, 100, 50))), LEFT),
        (found(("motor", 0.9, (85, 35, 115, 75))), RIGHT),
    )
    assert len(merged) == 2


def test_page_edges_cut_nothing() -> None:
    # A box on the left tile's outer edge (the page edge) inside a larger same-type box from
    # the other tile is not a fragment: nothing was cut there.
    assert not touches_inner_border(
        np.asarray([[0.0, 40.0, 20.0, 60.0]]),
        np.asarray([LEFT]),
        np.asarray([LEFT, RIGHT]),
        tolerance=2.0,
    )[0]
    assert touches_inner_border(
        np.asarray([[100.0, 40.0, 120.0, 60.0]]),
        np.asarray([LEFT]),
        np.asarray([LEFT, RIGHT]),
        tolerance=2.0,
    )[0]


def test_fragments_only_against_other_tiles() -> None:
    # Within one tile the detector's own nested boxes are its business, not a seam's.
    merged = merge(
        (found(("fuse", 0.9, (100, 40, 120, 60)), ("fuse", 0.5, (60, 20, 120, 80))), LEFT),
        (Detections(), RIGHT),
    )
    assert len(merged) == 2


def test_four_tiles_around_one_symbol_give_one_box() -> None:
    tiles = [(0, 0, 120, 120), (80, 0, 200, 120), (0, 80, 120, 200), (80, 80, 200, 200)]
    whole = (85.0, 85.0, 115.0, 115.0)  # in all four overlaps
    per_tile = [
        (found(("generator", 0.6 + 0.1 * index, whole)), tile) for index, tile in enumerate(tiles)
    ]
    # And a cut piece of a second generator at the bottom border of the top-left tile,
    # whole in the bottom-left tile.
    per_tile[0] = (
        Detections.concatenate([per_tile[0][0], found(("generator", 0.9, (20, 100, 50, 120)))]),
        tiles[0],
    )
    per_tile[2] = (
        Detections.concatenate([per_tile[2][0], found(("generator", 0.7, (20, 100, 50, 135)))]),
        tiles[2],
    )
    merged = merge_tile_detections(per_tile, iou=0.5, containment=0.8)
    assert as_set(merged) == {
        ("generator", whole),
        ("generator", (20.0, 100.0, 50.0, 135.0)),
    }
    assert merged.scores.tolist() == pytest.approx([0.9, 0.7])  # best first


def test_nothing_found_anywhere() -> None:
    assert len(merge((Detections(), LEFT), (Detections(), RIGHT))) == 0


def test_tile_box_points_matches_the_tile_detections_mapping() -> None:
    page = PageImage(
        source="sheet.pdf",
        index=0,
        width_pt=720.0,
        height_pt=360.0,
        dpi=200.0,
        image=np.full((1000, 2000), 255, dtype=np.uint8),
    )
    tiles = make_tiles(page, size=800, overlap=200)
    boxes = np.asarray([tile_box_points(tile, page) for tile in tiles])
    assert boxes[:, 0].min() == 0 and boxes[:, 1].min() == 0
    assert boxes[:, 2].max() == pytest.approx(720) and boxes[:, 3].max() == pytest.approx(360)
    last = tiles[-1]
    assert boxes[-1] == pytest.approx(
        [last.x0 * 0.36, last.y0 * 0.36, (last.x0 + 800) * 0.36, (last.y0 + 800) * 0.36]
    )


def test_what_an_unclassified_device_resembles_survives_the_merge() -> None:
    left = Detections.from_lists(
        [(10, 40, 30, 60), (90, 40, 110, 60)],
        [0.6, 0.7],
        ["symbol", "symbol"],
        [("fuse", "circuit_breaker"), ("transformer", "generator")],
    )
    right = Detections.from_lists([(90.5, 40, 110.5, 60)], [0.5], ["symbol"])
    merged = merge((left, LEFT), (right, RIGHT))
    assert len(merged) == 2
    resembles = {
        float(box[0]): like for box, like in zip(merged.boxes, merged.resembles, strict=True)
    }
    assert resembles == {10.0: ("fuse", "circuit_breaker"), 90.0: ("transformer", "generator")}
    assert Detections().resembles.shape == (0,)
    assert found(("fuse", 0.9, (0, 0, 5, 5))).resembles[0] == ()

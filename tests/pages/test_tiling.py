"""Tiles: they cover the page, overlap by at least what was asked, and map back to points."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sld.detections import Detections
from sld.pages.page import PageImage
from sld.pages.tiling import make_tiles, tile_detections_to_points, tile_origins


def blank_page(width_px: int, height_px: int, dpi: float = 200.0) -> PageImage:
    image = np.full((height_px, width_px), 255, dtype=np.uint8)
    return PageImage.from_raster(image, dpi, "sheet.pdf")


@given(
    length=st.integers(1, 20_000),
    size=st.integers(128, 4096),
    overlap=st.integers(0, 1024),
)
def test_origins_cover_the_axis_with_the_overlap_asked(
    length: int, size: int, overlap: int
) -> None:
    if size <= overlap:
        with pytest.raises(ValueError, match="larger than the overlap"):
            tile_origins(length, size, overlap)
        return
    origins = tile_origins(length, size, overlap)
    assert origins[0] == 0
    assert origins == sorted(origins)
    if length <= size:
        assert origins == [0]
        return
    assert origins[-1] + size == length  # the last tile ends on the far edge, not beyond
    gaps = np.diff(origins)
    assert np.all(size - gaps >= overlap)  # neighbours share at least `overlap` pixels
    assert np.all(gaps > 0)


def test_tiles_cover_every_pixel_and_nothing_beyond() -> None:
    page = blank_page(3308, 2339)  # A3 landscape at 200 dpi
    page.image[::7, ::5] = 0  # something to recognise in the views
    tiles = make_tiles(page, size=1024, overlap=256)
    covered = np.zeros(page.image.shape, dtype=np.int32)
    for index, tile in enumerate(tiles):
        assert tile.index == index
        assert tile.width == 1024 and tile.height == 1024
        assert tile.x0 + tile.width <= 3308 and tile.y0 + tile.height <= 2339
        assert np.shares_memory(tile.image, page.image)  # a view, not a copy
        np.testing.assert_array_equal(
            tile.image, page.image[tile.y0 : tile.y0 + 1024, tile.x0 : tile.x0 + 1024]
        )
        covered[tile.y0 : tile.y0 + 1024, tile.x0 : tile.x0 + 1024] += 1
    assert covered.min() >= 1
    assert len(tiles) == len(tile_origins(3308, 1024, 256)) * len(tile_origins(2339, 1024, 256))


def test_neighbouring_tiles_overlap_by_at_least_the_overlap() -> None:
    tiles = make_tiles(blank_page(3308, 2339), size=1024, overlap=256)
    xs = sorted({tile.x0 for tile in tiles})
    ys = sorted({tile.y0 for tile in tiles})
    assert min(1024 - np.diff(xs)) >= 256
    assert min(1024 - np.diff(ys)) >= 256


def test_a_page_smaller_than_a_tile_is_one_tile() -> None:
    tiles = make_tiles(blank_page(500, 300), size=1024, overlap=256)
    assert len(tiles) == 1
    assert (tiles[0].x0, tiles[0].y0, tiles[0].width, tiles[0].height) == (0, 0, 500, 300)


def test_text_boxes_go_to_the_tiles_they_fall_on_in_tile_pixels() -> None:
    page = blank_page(2000, 1000, dpi=144)  # 2 pixels per point
    box_pt = np.asarray([[450.0, 100.0, 500.0, 110.0]])  # pixels 900-1000 x, 200-220 y
    tiles = make_tiles(page, size=1024, overlap=256, text_boxes_pt=box_pt)
    holding = [tile for tile in tiles if len(tile.text_boxes)]
    assert {tile.x0 for tile in holding} == {0, 488, 976}  # origins for 2000 px
    for tile in holding:
        expected = np.clip([900 - tile.x0, 200 - tile.y0, 1000 - tile.x0, 220 - tile.y0], 0, 1024)
        np.testing.assert_allclose(tile.text_boxes[0], expected)


def test_tile_pixels_map_back_to_page_points() -> None:
    page = blank_page(3308, 2339)
    tiles = make_tiles(page, size=1024, overlap=256)
    tile = next(tile for tile in tiles if tile.x0 > 0 and tile.y0 > 0)
    found = Detections.from_lists([[100, 50, 164, 114]], [0.9], ["transformer"])
    in_points = tile_detections_to_points(found, tile, page)
    scale = 200 / 72
    assert in_points.boxes[0] == pytest.approx(
        [
            (tile.x0 + 100) / scale,
            (tile.y0 + 50) / scale,
            (tile.x0 + 164) / scale,
            (tile.y0 + 114) / scale,
        ]
    )
    assert in_points.labels.tolist() == ["transformer"]
    assert in_points.scores.tolist() == [0.9]


def test_the_same_symbol_from_two_tiles_lands_on_the_same_points() -> None:
    page = blank_page(3308, 2339)
    tiles = make_tiles(page, size=1024, overlap=256)
    symbol_px = np.asarray([800.0, 300.0, 900.0, 380.0])  # in the overlap of tiles 0 and 1
    first, second = tiles[0], tiles[1]
    assert second.x0 < 800 and first.x0 + first.width > 900
    views = [
        tile_detections_to_points(
            Detections.from_lists(
                [(symbol_px - [tile.x0, tile.y0, tile.x0, tile.y0]).tolist()], [0.8], ["fuse"]
            ),
            tile,
            page,
        )
        for tile in (first, second)
    ]
    assert views[0].boxes == pytest.approx(views[1].boxes)


def test_overshooting_boxes_are_clipped_and_degenerate_ones_dropped() -> None:
    page = blank_page(3308, 2339)
    tile = make_tiles(page, size=1024, overlap=256)[0]
    found = Detections.from_lists(
        [[1000, 10, 1100, 60], [1030, 10, 1090, 60]], [0.9, 0.8], ["motor", "motor"]
    )
    in_points = tile_detections_to_points(found, tile, page)
    assert len(in_points) == 1  # the second box lies wholly off the tile
    assert in_points.boxes[0, 2] == pytest.approx(1024 / (200 / 72))

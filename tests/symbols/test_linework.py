"""The sheet frame: where the drawing's inside begins (`sld.symbols.linework.frame_inside`)."""

from __future__ import annotations

import numpy as np

from sld.symbols.linework import frame_inside

HEIGHT, WIDTH = 900, 1300


def _page(rows: list[int], columns: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Vertical and horizontal line masks with full-length lines two pixels thick."""
    vertical = np.zeros((HEIGHT, WIDTH), np.uint8)
    horizontal = np.zeros((HEIGHT, WIDTH), np.uint8)
    for x in columns:
        vertical[:, x : x + 2] = 1
    for y in rows:
        horizontal[y : y + 2, 40 : WIDTH - 40] = 1
    return vertical, horizontal


def test_a_border_and_zone_band_bound_the_inside() -> None:
    vertical, horizontal = _page([0, 22, HEIGHT - 24, HEIGHT - 2], [0, 22, WIDTH - 24, WIDTH - 2])
    assert frame_inside(vertical, horizontal) == (24, 24, WIDTH - 24, HEIGHT - 24)


def test_busbars_along_the_top_are_drawing_not_frame() -> None:
    # Three phases 23 px apart just inside a frame two lines deep: the supply of the sheet.
    vertical, horizontal = _page([0, 22, 51, 74, 97, HEIGHT - 2], [0, WIDTH - 2])
    left, top, right, bottom = frame_inside(vertical, horizontal)
    assert top == 24
    assert (left, right, bottom) == (2, WIDTH - 2, HEIGHT - 2)


def test_one_busbar_near_the_edge_without_a_frame_is_drawing() -> None:
    vertical, horizontal = _page([60], [])
    assert frame_inside(vertical, horizontal) == (0, 0, WIDTH, HEIGHT)

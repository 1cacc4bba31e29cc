"""Fixtures for the Rex-Omni and Grounding DINO backends: tiny checkpoints built here, pages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sld.page import PageImage


@pytest.fixture(scope="session")
def tiny_rexomni(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random Rex-Omni-shaped checkpoint in the real checkpoint's file layout."""
    from sld.rexomni.tiny import build_tiny_rexomni

    return build_tiny_rexomni(tmp_path_factory.mktemp("tiny-rexomni"))


@pytest.fixture(scope="session")
def wired_detection_rexomni(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny checkpoint that answers `WIRED_DETECTION_ANSWER` to anything."""
    from sld.rexomni.tiny import WIRED_DETECTION_ANSWER, build_tiny_rexomni

    folder = tmp_path_factory.mktemp("wired-detection-rexomni")
    return build_tiny_rexomni(folder, answer=WIRED_DETECTION_ANSWER)


@pytest.fixture(scope="session")
def wired_ocr_rexomni(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny checkpoint that answers `WIRED_OCR_ANSWER` to anything."""
    from sld.rexomni.tiny import WIRED_OCR_ANSWER, build_tiny_rexomni

    return build_tiny_rexomni(tmp_path_factory.mktemp("wired-ocr-rexomni"), answer=WIRED_OCR_ANSWER)


@pytest.fixture(scope="session")
def misplaced_rexomni(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Like `tiny_rexomni`, but `<0>`..`<999>` are declared after the special tokens."""
    from sld.rexomni.tiny import build_tiny_rexomni

    folder = tmp_path_factory.mktemp("misplaced-rexomni")
    return build_tiny_rexomni(folder, misplace_coordinates=True)


@pytest.fixture
def grid_page() -> PageImage:
    """A 640 x 480 pixel grey page at 144 dpi (2 pixels per point), ink in every tile.

    Cut into 320-pixel tiles that overlap by 64 it gives 3 x 2 tiles.
    """
    image = np.full((480, 640), 255, dtype=np.uint8)
    image[::40, :] = 0
    image[:, ::40] = 0
    return PageImage(
        source="grid.pdf", index=0, width_pt=320.0, height_pt=240.0, dpi=144.0, image=image
    )

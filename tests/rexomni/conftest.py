"""Fixtures for the Rex-Omni backend: tiny checkpoints built here."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def tiny_rexomni(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random Rex-Omni-shaped checkpoint in the real checkpoint's file layout."""
    from benchmarks.harness.tiny_rexomni import build_tiny_rexomni

    return build_tiny_rexomni(tmp_path_factory.mktemp("tiny-rexomni"))


@pytest.fixture(scope="session")
def wired_detection_rexomni(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny checkpoint that answers `WIRED_DETECTION_ANSWER` to anything."""
    from benchmarks.harness.tiny_rexomni import WIRED_DETECTION_ANSWER, build_tiny_rexomni

    folder = tmp_path_factory.mktemp("wired-detection-rexomni")
    return build_tiny_rexomni(folder, answer=WIRED_DETECTION_ANSWER)


@pytest.fixture(scope="session")
def wired_ocr_rexomni(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny checkpoint that answers `WIRED_OCR_ANSWER` to anything."""
    from benchmarks.harness.tiny_rexomni import WIRED_OCR_ANSWER, build_tiny_rexomni

    return build_tiny_rexomni(tmp_path_factory.mktemp("wired-ocr-rexomni"), answer=WIRED_OCR_ANSWER)


@pytest.fixture(scope="session")
def misplaced_rexomni(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Like `tiny_rexomni`, but `<0>`..`<999>` are declared after the special tokens."""
    from benchmarks.harness.tiny_rexomni import build_tiny_rexomni

    folder = tmp_path_factory.mktemp("misplaced-rexomni")
    return build_tiny_rexomni(folder, misplace_coordinates=True)

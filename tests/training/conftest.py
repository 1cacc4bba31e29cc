"""Fixtures for training: a synthetic sheet with its truth, its export, a tiny checkpoint."""

from __future__ import annotations

from pathlib import Path

import pytest

from sld.settings import Settings

#: Rasterised at 100 dpi an A3 sheet is 2 x 2 tiles of 1024 pixels: quick, and the tiles are
#: the inference tiles.
DPI = 100


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(dpi=DPI)


@pytest.fixture(scope="session")
def synth_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One vector sheet of `sld synth` with its ground truth beside it."""
    from sld.synth import generate_set

    folder = tmp_path_factory.mktemp("synth")
    generate_set(folder, count=1, seed=41, scans=False)
    return folder


@pytest.fixture(scope="session")
def exported(
    tmp_path_factory: pytest.TempPathFactory, synth_folder: Path, settings: Settings
) -> Path:
    """The sheet exported as training files, every task."""
    from sld.training.export import export_samples
    from sld.training.sources import pages_from_folder
    from sld.training.tasks import TaskMix

    out = tmp_path_factory.mktemp("export")
    mix = TaskMix(phrases=settings.rexomni_phrases)
    export_samples(pages_from_folder(synth_folder, settings), out, settings, mix, seed=3)
    return out


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random Rex-Omni-shaped checkpoint to fine-tune."""
    from benchmarks.harness.tiny_rexomni import build_tiny_rexomni

    return build_tiny_rexomni(tmp_path_factory.mktemp("tiny-base"))

"""The same sheet drawn twice as large (an A3 one-line redrawn on A1) gives the same
components: the symbol size is measured on the page, not bounded by a setting."""

from __future__ import annotations

from pathlib import Path

from benchmarks.harness.scaled import scale_pdf
from benchmarks.scale import agreement, f1
from sld.pipeline import digitise_file
from sld.settings import Settings
from sld.synth import generate_set


def test_a_sheet_drawn_twice_as_large_gives_the_same_components(tmp_path: Path) -> None:
    (sheet,) = generate_set(tmp_path / "sheets", 1, 2002, scans=False)
    larger = scale_pdf(sheet, 2.0, tmp_path / "larger.pdf")
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'sld.db'}", output_dir=tmp_path)
    original = digitise_file(sheet, settings).document
    redrawn = digitise_file(larger, settings).document
    assert redrawn.pages[0].width == 2 * original.pages[0].width
    assert f1(*agreement(redrawn, original, 2.0)) >= 0.85
    assert len(redrawn.pages[0].components) >= 0.9 * len(original.pages[0].components)

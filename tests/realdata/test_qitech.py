"""A real image-only drawing (QiTech extruder, page 3) and the one-shot workflow a user follows:
cut one miniature circuit breaker out of the sheet with `sld symbols add`, and the pipeline finds
the breakers of that drawing style, reads their designations and ratings with OCR and links them.

The built-in library (drawn in the synthetic generator's styles) finds none of these miniature
breakers; the test checks that too, so it shows what the one exemplar adds. (It may name the
three-pole breaker at the top of the page, drawn as the catalogue's switch with a cross.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sld import pipeline
from sld.cli.main import main
from sld.document import Page
from sld.pages.raster import open_source
from sld.settings import Settings

EXTRUDER = (
    Path(__file__).parent
    / "qitech_machine_schematics"
    / "QiTech_Pro_Extruder_Electrical_Diagram_2025.pdf"
)
#: Page 3 ("Stromversorgung"), 1-based as in `sld symbols add --page`.
PAGE_NUMBER = 3
#: The breaker F1 with its leads, in points, read off the page rendered at 144 dpi.
F1_BOX = "238,96,264,124"


def digitise_page(settings: Settings) -> Page:
    return pipeline.digitise_page(open_source(EXTRUDER), PAGE_NUMBER - 1, settings).result


def breakers(page: Page) -> dict[str | None, float | None]:
    return {c.name: c.ratings.current_a for c in page.components if c.type == "circuit_breaker"}


@pytest.mark.slow
def test_one_exemplar_finds_the_breakers_and_their_ratings(tmp_path: Path) -> None:
    assert EXTRUDER.exists(), f"{EXTRUDER} is missing"
    before = breakers(digitise_page(Settings(ocr="rapidocr")))
    assert "F1" not in before and "F2" not in before, before

    library = tmp_path / "library"
    exit_code = main(
        [
            "symbols",
            "add",
            "circuit_breaker",
            "--from",
            str(EXTRUDER),
            "--page",
            str(PAGE_NUMBER),
            "--bbox",
            F1_BOX,
            "--standard",
            "iec",
            "--variant",
            "miniature",
            "--library",
            str(library),
        ]
    )
    assert exit_code == 0

    found = breakers(digitise_page(Settings(ocr="rapidocr", symbol_library=library)))
    # F1 (C2A) is the exemplar's own symbol; F2 (C6A) is a second breaker found by it.
    assert found == {"F1": 2.0, "F2": 6.0}

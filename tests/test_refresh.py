"""The nightly re-digitisation: what is stale, digitised again into the same JSON, and reported."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from sld.pipeline import digitise_file
from sld.refresh import refresh_stale, why_stale
from sld.settings import Settings
from sld.store import document_records, open_database
from sld.synth import generate_set


@pytest.fixture(scope="module")
def sheet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_set(tmp_path_factory.mktemp("refresh"), count=1, seed=61, scans=False)[0]


def test_a_result_made_with_other_settings_is_digitised_again_and_the_change_reported(
    sheet: Path, tmp_path: Path
) -> None:
    before = Settings(database_url=f"sqlite:///{tmp_path / 'sld.db'}", output_dir=tmp_path / "out")
    first = digitise_file(sheet, before)
    assert refresh_stale(before) == []  # nothing changed: nothing to do

    after = before.model_copy(update={"symbol_threshold": 0.99})
    engine = open_database(before.database_url)
    [stored] = document_records(engine)
    engine.dispose()
    assert why_stale(stored, after) == "settings changed: symbol_threshold"

    [change] = refresh_stale(after)

    assert change.path == str(sheet.resolve()) and change.error is None
    assert sum(change.components_before.values()) == sum(
        len(p.components) for p in first.document.pages
    )

    # A stricter threshold names fewer components: the others stay, as unclassified symbols.
    def named(counts: Counter[str]) -> int:
        return sum(n for kind, n in counts.items() if kind != "symbol")

    assert named(change.components_after) < named(change.components_before)
    assert "settings changed: symbol_threshold" in change.summary()
    engine = open_database(before.database_url)
    [again] = document_records(engine)
    engine.dispose()
    assert (again.id, again.json_path) == (stored.id, str(first.json_path.resolve()))
    assert why_stale(again, after) is None


def test_a_drawing_no_longer_there_is_reported_not_fatal(sheet: Path, tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'sld.db'}", output_dir=tmp_path / "out"
    )
    moved = tmp_path / "plant.pdf"
    moved.write_bytes(sheet.read_bytes())
    digitise_file(moved, settings)
    moved.unlink()

    [change] = refresh_stale(settings.model_copy(update={"crossings_connect": True}))

    assert change.error == "the drawing is no longer at this path"
    assert "not re-digitised" in change.summary()

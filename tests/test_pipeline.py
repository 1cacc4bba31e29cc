"""Where results go, and the database and the JSON agreeing, on real PDFs and SQLite."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import cast

import pytest

from sld.document import Document
from sld.pages.raster import InputError
from sld.pipeline import DigitisedPage, digitise_file, in_order_window, in_threads
from sld.settings import Settings
from sld.store import DatabaseUnavailableError, document_records, load_document, open_database
from sld.synth import generate_set


@pytest.fixture(scope="module")
def sheets(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return generate_set(tmp_path_factory.mktemp("results"), count=2, seed=71, scans=False)


def settings_in(folder: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{folder / 'sld.db'}", output_dir=folder / "out")


def test_two_drawings_of_one_name_never_share_a_result(sheets: list[Path], tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    for folder, sheet in zip(("a", "b"), sheets, strict=True):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "plant.pdf").write_bytes(sheet.read_bytes())

    first = digitise_file(tmp_path / "a" / "plant.pdf", settings)
    second = digitise_file(tmp_path / "b" / "plant.pdf", settings)
    again = digitise_file(tmp_path / "a" / "plant.pdf", settings)

    sha = hashlib.sha256(sheets[1].read_bytes()).hexdigest()
    assert first.json_path == again.json_path == tmp_path / "out" / "plant.json"
    assert second.json_path == tmp_path / "out" / f"plant.{sha[:8]}.json"
    assert Document.read(second.json_path).source.path == str(tmp_path / "b" / "plant.pdf")
    assert Document.read(first.json_path).source.sha256 != sha


def test_documents_are_keyed_by_resolved_path_and_the_json_is_recorded(
    sheets: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_in(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.pdf").write_bytes(sheets[0].read_bytes())
    monkeypatch.chdir(tmp_path)

    digitise_file(Path("./data/x.pdf"), settings)
    digitised = digitise_file(tmp_path / "data" / "x.pdf", settings)

    engine = open_database(settings.database_url)
    [stored] = document_records(engine)
    assert stored.path == str(tmp_path / "data" / "x.pdf")
    assert load_document(engine, "data/x.pdf") == digitised.document
    assert stored.json_path == str(digitised.json_path.resolve())
    assert stored.json_sha256 == hashlib.sha256(digitised.json_path.read_bytes()).hexdigest()
    engine.dispose()


def test_an_unreachable_database_stops_the_file_before_any_page_and_writes_no_json(
    sheets: list[Path], tmp_path: Path
) -> None:
    settings = Settings(
        database_url="postgresql+psycopg://sld@127.0.0.1:9/none", output_dir=tmp_path / "out"
    )
    with pytest.raises(DatabaseUnavailableError):
        digitise_file(sheets[0], settings, on_page=lambda *_: pytest.fail("a page was read"))
    assert not (tmp_path / "out").exists()


def test_pages_in_threads_give_the_same_document_in_page_order(tmp_path: Path) -> None:
    [drawing] = generate_set(tmp_path / "in", count=1, seed=72, scans=False, pages=3)
    progress: list[tuple[int, int]] = []
    one = digitise_file(drawing, settings_in(tmp_path / "one"))
    three = digitise_file(
        drawing,
        settings_in(tmp_path / "three").model_copy(update={"page_workers": 3}),
        on_page=lambda done, total: progress.append((done, total)),
    )
    assert [page.index for page in three.document.pages] == [0, 1, 2]
    assert three.document == one.document
    assert progress == [(1, 3), (2, 3), (3, 3)]


def test_in_threads_runs_the_pages_at_once() -> None:
    # Each page waits until the other has started: run one after the other, the barrier breaks.
    both_started = threading.Barrier(2, timeout=20)

    def job(index: int) -> DigitisedPage:
        both_started.wait()
        return cast(DigitisedPage, index)

    assert list(in_threads(2)(job, [5, 6])) == [5, 6]
    with pytest.raises(threading.BrokenBarrierError):
        list(in_threads(1)(job, [5, 6]))


def test_the_window_keeps_its_width_in_flight_and_stops_at_the_first_failure() -> None:
    submitted: list[int] = []
    in_flight_at_submit: list[int] = []
    collected: list[int] = []

    class Done:
        def __init__(self, index: int) -> None:
            self.index = index

        def result(self) -> DigitisedPage:
            collected.append(self.index)
            if self.index == 3:
                raise InputError(Path("x.pdf"), "page 4 is broken", "Mend it.")
            return cast(DigitisedPage, self.index)

    def submit(index: int) -> Done:
        in_flight_at_submit.append(len(submitted) - len(collected))
        submitted.append(index)
        return Done(index)

    results = in_order_window(submit, range(8), 2)
    assert [next(results), next(results), next(results)] == [0, 1, 2]
    with pytest.raises(InputError, match="page 4"):
        next(results)
    assert max(in_flight_at_submit) < 2  # a new page only once fewer than 2 are out
    assert submitted == [0, 1, 2, 3, 4]  # nothing submitted after the failure was seen

"""A digitised drawing is found again by any path to the same file, from any folder.

The drawing is digitised from its project folder with a relative path (as a user types it; the
result records it resolved); `sld render` and `sld graph export` are then run from elsewhere,
with other paths to it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import networkx as nx
import pytest

from sld.cli.errors import USER_ERROR
from sld.cli.main import main
from sld.document import Document
from sld.synth import generate_set


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with drawings/plant.pdf, digitised from there into sld.db and out/."""
    folder = tmp_path_factory.mktemp("project")
    sheet = generate_set(folder / "generated", count=1, seed=29, scans=False)[0]
    (folder / "drawings").mkdir()
    shutil.copy(sheet, folder / "drawings" / "plant.pdf")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        assert main(["digitise", "drawings/plant.pdf", "--ocr", "pdf-text"]) == 0
    return folder


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_render_from_another_folder_finds_the_drawing(
    project: Path, elsewhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = project / "out" / "plant.json"
    png = elsewhere / "plant.png"
    assert main(["render", str(result), "--out", str(png), "--dpi", "36"]) == 0
    assert png.stat().st_size > 0
    assert f"wrote {png}" in capsys.readouterr().out


def recorded_elsewhere(result: Path, place: str) -> None:
    """Make `result` say its drawing was at `place`: a drawing that has since moved."""
    document = Document.read(result)
    source = document.source.model_copy(update={"path": place})
    document.model_copy(update={"source": source}).write(result)


def test_render_finds_the_drawing_of_a_project_folder_moved_as_a_whole(
    project: Path, elsewhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    moved = elsewhere / "moved"
    for part in ("out", "drawings"):
        shutil.copytree(project / part, moved / part)
    recorded_elsewhere(moved / "out" / "plant.json", "/gone/project/drawings/plant.pdf")
    png = elsewhere / "plant.png"
    assert (
        main(["render", str(moved / "out" / "plant.json"), "--out", str(png), "--dpi", "36"]) == 0
    )
    assert png.stat().st_size > 0


def test_render_says_where_it_looked_when_the_drawing_is_gone(
    project: Path, elsewhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = elsewhere / "copy"
    shutil.copytree(project / "out", copy / "out")  # the result without its drawing
    recorded_elsewhere(copy / "out" / "plant.json", "/gone/project/drawings/plant.pdf")
    code = main(["render", str(copy / "out" / "plant.json")])
    err = capsys.readouterr().err
    assert code == USER_ERROR and err.count("\n") == 1
    assert "cannot find the drawing it was made from, /gone/project/drawings/plant.pdf" in err
    assert "--source FILE" in err


@pytest.mark.parametrize(
    "how", ["as stored", "absolute", "another relative path", "a copy elsewhere", "id"]
)
def test_graph_export_finds_the_document_by_any_path(
    project: Path,
    elsewhere: Path,
    how: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drawing = project / "drawings" / "plant.pdf"
    if how == "a copy elsewhere":
        shutil.copy(drawing, elsewhere / "same-drawing.pdf")
    typed = {
        "as stored": "drawings/plant.pdf",
        "absolute": str(drawing),
        "another relative path": str(Path("..") / drawing.relative_to(elsewhere.parent)),
        "a copy elsewhere": "same-drawing.pdf",
        "id": "1",
    }[how]
    if how == "as stored":
        monkeypatch.chdir(project)  # the path typed when digitising means something only from there
    out = elsewhere / "plant.graphml"
    database = f"sqlite:///{project / 'sld.db'}"
    code = main(["graph", "export", typed, "--db", database, "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    assert nx.read_graphml(out).number_of_nodes() > 5


def test_graph_export_of_an_unknown_drawing(
    project: Path, elsewhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = generate_set(elsewhere, count=1, seed=31, scans=False)[0]
    database = f"sqlite:///{project / 'sld.db'}"
    code = main(["graph", "export", str(other), "--db", database])
    err = capsys.readouterr().err
    assert code == USER_ERROR and err.count("\n") == 1
    assert "its content matches no stored document" in err
    assert 'sld query "SELECT id, path FROM documents"' in err


def test_graph_export_needs_an_existing_database(
    elsewhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["graph", "export", "plant.pdf"])
    assert code == USER_ERROR
    assert "there is no database at sld.db" in capsys.readouterr().err
    assert not (elsewhere / "sld.db").exists()

"""Every mistake a newcomer makes gets one line that says what is wrong and what to do, and a
non-zero exit code; the traceback only with -v.

Most checks happen before any page is rasterised: the tests make rasterising fail loudly
(`no_page_is_read`) to show that the mistake was caught first.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sld.cli.errors import FAILED, USER_ERROR
from sld.cli.main import main
from sld.synth import generate_set


@pytest.fixture(scope="module")
def drawing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One synthetic vector sheet (seed 23) with its ground truth beside it."""
    return generate_set(tmp_path_factory.mktemp("mistakes"), count=1, seed=23, scans=False)[0]


@pytest.fixture
def no_page_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object) -> None:
        raise AssertionError("a page was read before the mistake was reported")

    monkeypatch.setattr("sld.stages.load_page", fail)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


def database_in(folder: Path) -> list[str]:
    return ["--db", f"sqlite:///{folder / 'sld.db'}"]


@pytest.mark.usefixtures("no_page_is_read")
@pytest.mark.parametrize(
    ("option", "named", "choice"),
    [
        ("--detector", "unknown detector 'bogus'; choose one of:", "template"),
        ("--ocr", "unknown text engine 'bogus'; choose one of:", "rapidocr"),
    ],
)
def test_an_unknown_backend_is_named_before_any_page(
    option: str,
    named: str,
    choice: str,
    drawing: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(["digitise", str(drawing), option, "bogus", *database_in(tmp_path)], capsys)
    line = one_error_line(err)
    assert code == USER_ERROR
    assert named in line and choice in line and f"({option} / SLD_" in line


@pytest.mark.usefixtures("no_page_is_read")
@pytest.mark.parametrize(
    ("variable", "value", "phrases"),
    [
        ("SLD_DPI", "10", ["SLD_DPI=10", "greater than or equal to 36", "sld settings"]),
        (
            "SLD_SYMBOL_LIBRARY",
            "my-symbols",
            ["the symbol library my-symbols", "does not exist", "sld symbols add"],
        ),
        (
            "PREFECT_API_URL",
            "http://127.0.0.1:9/api",
            ["http://127.0.0.1:9/api does not answer", "prefect server start", "unset"],
        ),
    ],
)
def test_a_bad_environment_is_named_before_any_page(
    variable: str,
    value: str,
    phrases: list[str],
    drawing: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(variable, value)
    code, _, err = run(["digitise", str(drawing)], capsys)
    assert code == USER_ERROR
    line = one_error_line(err)
    assert all(phrase in line for phrase in phrases), line


def test_a_bad_flag_value_is_named_too(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["digitise", "x.pdf", "--dpi", "5"], capsys)
    assert code == USER_ERROR
    assert "5 given for dpi" in one_error_line(err)


def test_symbols_list_names_a_missing_library(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["symbols", "list", "--library", str(tmp_path / "nope")], capsys)
    assert code == USER_ERROR
    assert "does not exist" in one_error_line(err)


def test_a_setting_that_must_be_json(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLD_REXOMNI_PHRASES", "{motor: motor symbol}")
    code, _, err = run(["settings"], capsys)
    assert code == USER_ERROR
    assert "SLD_REXOMNI_PHRASES is not valid JSON" in one_error_line(err)


@pytest.mark.usefixtures("no_page_is_read")
def test_an_unreachable_database_is_one_line_without_the_password(
    drawing: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql+psycopg://sld:secret@127.0.0.1:9/sld"
    code, _, err = run(["digitise", str(drawing), "--db", url], capsys)
    assert code == USER_ERROR
    line = one_error_line(err)
    assert "cannot open the database at postgresql+psycopg://sld:***@127.0.0.1:9/sld" in line
    assert "secret" not in line and "--db / SLD_DATABASE_URL" in line


def test_a_malformed_database_url(drawing: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["digitise", str(drawing), "--db", "results.db"], capsys)
    assert code == USER_ERROR
    assert "'results.db' is not a database URL" in one_error_line(err)


@pytest.mark.usefixtures("no_page_is_read")
def test_a_zero_byte_file_with_the_prefect_engine_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The file is checked before a flow run starts (no Prefect server is needed to see it)."""
    empty = tmp_path / "empty.pdf"
    empty.touch()
    code, _, err = run(
        ["digitise", str(empty), "--engine", "prefect", *database_in(tmp_path)], capsys
    )
    assert code == FAILED, err
    assert f"error {empty}: is empty (0 bytes)" in err
    assert "Traceback" not in err and "1 of 1 file(s) failed" in err


def test_an_empty_folder_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "notes.txt").write_text("not a drawing")
    code, _, err = run(["digitise", str(tmp_path / "inbox"), *database_in(tmp_path)], capsys)
    assert code == USER_ERROR
    assert "no PDF, PNG, JPEG or TIFF file in this folder" in one_error_line(err)


def test_drawings_in_sub_folders_need_recursive(
    drawing: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nested = tmp_path / "set" / "area-1"
    nested.mkdir(parents=True)
    (nested / "plant.pdf").write_bytes(drawing.read_bytes())
    (tmp_path / "set" / ".hidden").mkdir()
    (tmp_path / "set" / ".hidden" / "lock.pdf").write_bytes(b"")
    folder = str(tmp_path / "set")
    code, _, err = run(["digitise", folder, "--ocr", "none", *database_in(tmp_path)], capsys)
    assert code == USER_ERROR
    assert "1 in its sub-folders (add --recursive" in one_error_line(err)
    out = tmp_path / "out"
    code, _, err = run(
        [
            "digitise",
            folder,
            "--recursive",
            "--ocr",
            "none",
            "--out",
            str(out),
            *database_in(tmp_path),
        ],
        capsys,
    )
    assert code == 0, err
    assert (out / "area-1" / "plant.json").exists()  # the result keeps the folder below `set`


def test_an_empty_folder_beside_real_inputs_is_a_warning(
    drawing: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    argv = ["digitise", str(tmp_path / "empty"), str(drawing), "--ocr", "none"]
    code, _, err = run([*argv, "--out", str(tmp_path / "out"), *database_in(tmp_path)], capsys)
    assert code == 0
    assert f"warning {tmp_path / 'empty'}: no PDF, PNG, JPEG or TIFF file" in err


def test_pages_beyond_the_file_are_named(
    drawing: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["digitise", str(drawing), "--pages", "2", *database_in(tmp_path)]
    code, _, err = run([*argv, "--out", str(tmp_path / "out")], capsys)
    assert code == FAILED
    assert f"error {drawing}: has 1 page(s); there is no page 2" in err


def test_a_malformed_page_list_is_an_argument_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["digitise", "x.pdf", "--pages", "3-1"])
    assert exited.value.code == USER_ERROR
    assert "a range goes upwards" in capsys.readouterr().err


def test_the_same_exemplar_twice_is_refused(
    drawing: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    truth = json.loads(drawing.with_suffix(".json").read_text())
    breaker = next(c for c in truth["pages"][0]["components"] if c["type"] == "circuit_breaker")
    box = ",".join(f"{value:.2f}" for value in breaker["bbox"])
    library = tmp_path / "my-symbols"
    argv = ["symbols", "add", "circuit_breaker", "--from", str(drawing), "--bbox", box]
    code, out, _ = run([*argv, "--library", str(library)], capsys)
    assert code == 0 and "added circuit_breaker exemplar" in out
    code, _, err = run([*argv, "--library", str(library)], capsys)
    assert code == USER_ERROR
    line = one_error_line(err)
    assert "already in the library as" in line and "nothing was added" in line
    assert len(list((library / "circuit_breaker").glob("*.json"))) == 1


def test_an_unexpected_failure_is_one_line_and_minus_v_shows_the_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(args: object) -> int:
        raise KeyError("settings table")

    monkeypatch.setattr("sld.cli.commands.show_settings", broken)
    code, _, err = run(["settings"], capsys)
    assert code == FAILED
    line = one_error_line(err)
    assert "unexpected KeyError" in line and "run again with -v" in line
    code, _, err = run(["-v", "settings"], capsys)
    assert code == FAILED
    assert "Traceback" in err and "unexpected KeyError" in err


def test_render_of_a_missing_result(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["render", str(tmp_path / "plant.json")], capsys)
    assert code == USER_ERROR
    assert "no such result file" in one_error_line(err)


def test_eval_of_a_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["eval", "--gt", str(tmp_path / "gt"), "--pred", str(tmp_path)], capsys)
    assert code == USER_ERROR
    assert "no such folder" in one_error_line(err)

"""What `sld` prints fits an 80-column terminal, and nothing it warns about is lost."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
from reportlab.pdfgen import canvas

from sld.cli import commands, digitise
from sld.cli.main import main
from sld.synth import generate_set

LONG_NAME = "main-switchboard-msb-2-of-the-north-plant-extension-rev-c.pdf"


@pytest.fixture(autouse=True)
def eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    for console in (digitise.console, digitise.errors, commands.console):
        monkeypatch.setattr(console, "width", 80)


def lines_of(text: str) -> list[str]:
    """The printed lines, but the one that names the review page: a path, left unwrapped so
    that it can be copied whole."""
    return [line.rstrip() for line in text.splitlines() if not line.startswith("Check the results")]


def test_the_summary_fits_80_columns_with_whole_headers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = generate_set(tmp_path, count=1, seed=37, scans=False)[0]
    drawing = sheet.rename(tmp_path / LONG_NAME)
    database = f"sqlite:///{tmp_path / 'sld.db'}"
    out = tmp_path / "out"
    assert main(["digitise", str(drawing), "--db", database, "--out", str(out)]) == 0
    printed = lines_of(capsys.readouterr().out)
    assert max(map(len, printed)) <= 80
    header = next(line for line in printed if "pages" in line)
    assert header.split() == ["file", "pages", "components", "texts", "linked", "connections", "s"]
    assert "…" not in "\n".join(printed)
    # The file name is folded, never cut: its pieces are all there.
    assert LONG_NAME in "".join(line.split()[0] for line in printed if line.strip())


def test_details_add_where_the_result_went(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = generate_set(tmp_path, count=1, seed=37, scans=False)[0]
    database = f"sqlite:///{tmp_path / 'sld.db'}"
    argv = ["digitise", str(sheet), "--ocr", "none", "--db", database, "--out", str(tmp_path)]
    assert main([*argv, "--details"]) == 0
    printed = capsys.readouterr().out
    assert max(map(len, lines_of(printed))) <= 80
    assert "result" in printed and sheet.stem in printed.replace("\n", "")


def test_what_the_pipeline_adapted_is_listed_under_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sheet rendered below the asked DPI, and a page with an empty MediaBox: one warning
    line each, after the summary, and the files are still digitised."""
    long_sheet = tmp_path / "long.pdf"
    sheet = canvas.Canvas(str(long_sheet), pagesize=(7200, 3600))
    sheet.line(100, 100, 7000, 3500)
    sheet.showPage()
    sheet.save()
    no_box = tmp_path / "no-box.pdf"
    document = pdfium.PdfDocument.new()
    document.new_page(300, 200).set_mediabox(0, 0, 0, 0)
    document.save(no_box)
    document.close()
    monkeypatch.setenv("SLD_MAX_PAGE_PIXELS", "1000000")
    database = f"sqlite:///{tmp_path / 'sld.db'}"
    argv = ["digitise", str(long_sheet), str(no_box), "--ocr", "none", "--db", database]
    assert main([*argv, "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if line.startswith("warning")]
    # The letter-sized page is over the lowered cap too: three warnings, in file order.
    assert len(warnings) == 3, err
    assert warnings[0].startswith(f"warning {long_sheet}, page 1: rendered at ")
    assert "dpi instead of 200" in warnings[0] and "SLD_MAX_PAGE_PIXELS" in warnings[0]
    assert warnings[1] == (
        f"warning {no_box}, page 1: has an empty MediaBox [0 0 0 0]; read as 612 x 792 pt, "
        "as PDF viewers do"
    )
    assert warnings[2].startswith(f"warning {no_box}, page 1: rendered at ")


def test_symbols_list_is_one_row_per_type(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["symbols", "list"]) == 0
    printed = lines_of(capsys.readouterr().out)
    assert max(map(len, printed)) <= 80
    rows = [line.split() for line in printed if line.strip()]
    types = [row[0] for row in rows if len(row) >= 4 and row[1].isdigit()]
    assert {"circuit_breaker", "transformer", "motor"} <= set(types)
    assert len(types) == len(set(types))
    assert len(printed) < len(types) + 10
    assert "--details" in printed[-1] or "--details" in printed[-2]


def test_symbols_list_details_show_each_exemplar(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["symbols", "list", "--details", "--type", "motor"]) == 0
    printed = lines_of(capsys.readouterr().out)
    assert max(map(len, printed)) <= 80
    assert printed[0].startswith("motor (3, threshold ")
    names = {line.split()[0] for line in printed if line.startswith("  ") and line[2] != " "}
    assert {"ansi-m", "iec-m-3ph"} <= names


def test_synth_counts_what_it_wrote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["synth", "--out", str(tmp_path), "--count", "2", "--seed", "41"]) == 0
    said = capsys.readouterr().out
    assert len(list(tmp_path.glob("*.pdf"))) == 4
    assert f"wrote 2 drawing(s) to {tmp_path}" in said
    assert "2 vector PDF(s) and 2 scan(s) of them" in said

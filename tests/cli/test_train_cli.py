"""`sld train ...` from the command line: export, one-line errors, and eval through the pipeline."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sld.cli.main import main
from sld.document import Document
from sld.store import CorrectionRecord, Review, open_database, save_document, save_review
from sld.synth import generate_set
from sld.training.tsv import TsvSamples

WHEN = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("train-cli-synth")
    generate_set(folder, count=1, seed=43, scans=False)
    return folder


def test_export_from_a_synth_folder(
    tmp_path: Path, synth: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "data"
    code = main(
        [
            "train",
            "export",
            str(out),
            "--synth",
            str(synth),
            "--dpi",
            "100",
            "--tasks",
            "detection,ocr",
        ]
    )
    assert code == 0
    assert {s.task for s in TsvSamples(out)} == {"detection", "ocr"}
    assert "detection" in capsys.readouterr().out


def test_export_of_stored_documents_and_the_reviewed_filter(
    tmp_path: Path, synth: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'sld.db'}"
    truth = Document.read(synth / "sld-43-000.json")
    stored = truth.model_copy(
        update={"source": truth.source.model_copy(update={"path": str(synth / "sld-43-000.pdf")})}
    )
    engine = open_database(url)
    document_id = save_document(engine, stored, [], detector="template", ocr="pdf-text")
    code = main(
        [
            "train",
            "export",
            str(tmp_path / "db"),
            "--db",
            url,
            "--document",
            str(document_id),
            "--dpi",
            "100",
        ]
    )
    assert code == 0 and len(TsvSamples(tmp_path / "db")) > 0
    # No document reviewed yet: one clear line, exit 2.
    code = main(["train", "export", str(tmp_path / "reviewed"), "--db", url, "--reviewed"])
    err = capsys.readouterr().err
    assert code == 2 and "reviewed" in err and "Traceback" not in err
    # Once a person's corrections are stored (here: none, the page accepted), --reviewed
    # finds the document.
    accepted = CorrectionRecord(0, "accept_page", None, None, {"accepted": True}, "Ada", WHEN)
    review = Review("Ada", stored.fingerprint(), [accepted], accepted_pages={0: WHEN})
    save_review(engine, stored, [], review)
    code = main(
        ["train", "export", str(tmp_path / "reviewed"), "--db", url, "--reviewed", "--dpi", "100"]
    )
    assert code == 0 and len(TsvSamples(tmp_path / "reviewed")) > 0
    engine.dispose()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "export", "OUT"], "--synth"),
        (["train", "export", "OUT", "--synth", "no-such-folder"], "no such folder"),
        (["train", "sft", "no-such-data", "--base", "x", "--out", "OUT"], "sld train export"),
    ],
)
def test_user_mistakes_end_with_one_line(
    tmp_path: Path,
    argv: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) <= 2


@pytest.mark.slow
def test_eval_digitises_the_held_out_set_with_each_checkpoint(
    tmp_path: Path,
    synth: Path,
    wired_checkpoint: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SLD_REXOMNI_DEVICE", "cpu")
    monkeypatch.setenv("SLD_REXOMNI_MAX_NEW_TOKENS", "48")
    monkeypatch.setenv("SLD_DPI", "72")
    scores = tmp_path / "scores.json"
    code = main(
        [
            "train",
            "eval",
            "--gt",
            str(synth),
            "--checkpoint",
            str(wired_checkpoint),
            "--work",
            str(tmp_path / "work"),
            "--json",
            str(scores),
        ]
    )
    assert code == 0
    report = json.loads(scores.read_text())[str(wired_checkpoint)]
    assert report["missing_predictions"] == []
    assert (tmp_path / "work" / f"1-{wired_checkpoint.name}" / "sld-43-000.json").is_file()
    assert "detection F1" in capsys.readouterr().out


@pytest.fixture(scope="module")
def wired_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from benchmarks.harness.tiny_rexomni import WIRED_DETECTION_ANSWER, build_tiny_rexomni

    return build_tiny_rexomni(
        tmp_path_factory.mktemp("wired") / "wired", answer=WIRED_DETECTION_ANSWER
    )

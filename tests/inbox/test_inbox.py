"""The drop folder's lifecycle on real files, real PDFs and a real SQLite database, no Prefect."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen import canvas
from sqlalchemy import func, select

from sld.inbox import Claim, Inbox, keep_alive
from sld.inbox.claims import ClaimLost
from sld.inbox.errors import FailureKind, classify
from sld.inbox.process import digitise_claim
from sld.pages.raster import InputError
from sld.settings import Settings
from sld.store import DatabaseUnavailableError, document_records, load_document, open_database
from sld.store.tables import DocumentRow
from sld.synth import generate_set

SETTLE = 0.3


@pytest.fixture(scope="module")
def sheets(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return generate_set(tmp_path_factory.mktemp("inbox-sheets"), count=2, seed=31, scans=False)


def settle() -> None:
    time.sleep(SETTLE + 0.05)


def drop(inbox: Inbox, source: Path, name: str) -> Path:
    target = inbox.root / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source.read_bytes())
    return target


def settings_in(tmp_path: Path, **more: object) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'sld.db'}",
        output_dir=tmp_path / "out",
        **more,  # type: ignore[arg-type]
    )


def claim_one(inbox: Inbox, name: str):  # type: ignore[no-untyped-def]
    claim = inbox.claim(Path(name))
    assert claim is not None
    return claim


def test_only_settled_files_with_finished_names_are_ready(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox")
    for name in ("plant.pdf", "sub/scan.png", ".hidden.pdf", "upload.pdf.part", "x.tmp"):
        (inbox.root / name).parent.mkdir(parents=True, exist_ok=True)
        (inbox.root / name).write_bytes(b"%PDF-1.7")

    ready, settling = inbox.waiting(SETTLE)
    assert ready == [] and [p.as_posix() for p in settling] == ["plant.pdf", "sub/scan.png"]
    settle()
    ready, settling = inbox.waiting(SETTLE)
    assert [p.as_posix() for p in ready] == ["plant.pdf", "sub/scan.png"] and settling == []


def test_a_slow_copy_is_taken_only_once_it_is_complete(sheets: list[Path], tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox")
    content = sheets[0].read_bytes()
    target = inbox.root / "slow.pdf"

    def copy_slowly() -> None:  # about 1.5 s, a write every 0.1 s, each shorter than the settle
        with target.open("wb") as stream:
            for start in range(0, len(content), len(content) // 15 + 1):
                stream.write(content[start : start + len(content) // 15 + 1])
                stream.flush()
                time.sleep(0.1)

    copier = threading.Thread(target=copy_slowly)
    copier.start()
    claimed_while_copying = []
    while copier.is_alive():
        claimed_while_copying += inbox.waiting(SETTLE)[0]
        time.sleep(0.05)
    copier.join()
    settle()

    assert claimed_while_copying == []
    claim = claim_one(inbox, "slow.pdf")
    assert claim.file.read_bytes() == content


def _claim_all(root: str, rounds: int) -> list[str]:
    inbox = Inbox(Path(root))
    won = []
    for _ in range(rounds):
        for name in inbox.waiting(0)[0]:
            claim = inbox.claim(name)
            if claim is not None:
                won.append(claim.record.name)
    return won


def test_two_scans_at_once_claim_each_file_exactly_once(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox")
    names = [f"d{n:03d}.pdf" for n in range(200)]
    for name in names:
        (inbox.root / name).write_bytes(name.encode())
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        won = pool.starmap(_claim_all, [(str(inbox.root), 3), (str(inbox.root), 3)])

    assert sorted(won[0] + won[1]) == names
    assert sorted(c.record.name for c in inbox.claims()) == names
    assert inbox.waiting(0) == ([], [])


def test_a_scan_claims_no_more_than_max_claims_the_longest_waiting_first(
    tmp_path: Path,
) -> None:
    inbox = Inbox(tmp_path / "inbox")
    for name in ["e.pdf", "d.pdf", "c.pdf", "b.pdf", "a.pdf"]:  # e.pdf waits longest
        (inbox.root / name).write_bytes(name.encode())
        time.sleep(0.02)
    running = claim_one(inbox, "e.pdf")
    submitted: list[str] = []

    def submit(claim: Claim) -> str:
        submitted.append(claim.record.name)
        return f"run-{claim.record.name}"

    first = inbox.scan(settle_s=0, lease_s=60, submit=submit, max_claims=3)

    assert first.submitted == submitted == ["d.pdf", "c.pdf"]
    assert first.held_back == ["b.pdf", "a.pdf"]
    assert sorted(p.name for p in inbox.root.glob("*.pdf")) == ["a.pdf", "b.pdf"]
    inbox.finish_done(running)
    second = inbox.scan(settle_s=0, lease_s=60, submit=submit, max_claims=3)
    assert second.submitted == ["b.pdf"] and second.held_back == ["a.pdf"]
    unlimited = inbox.scan(settle_s=0, lease_s=60, submit=submit)
    assert unlimited.submitted == ["a.pdf"] and unlimited.held_back == []


def test_a_claim_whose_lease_ran_out_goes_back_unless_its_run_is_queued(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox")
    for name in ("dead.pdf", "queued.pdf", "alive.pdf"):
        (inbox.root / name).write_bytes(name.encode())
    dead, queued, _alive = (claim_one(inbox, n) for n in ("dead.pdf", "queued.pdf", "alive.pdf"))
    long_ago = time.time() - 3600
    for claim in (dead, queued):
        os.utime(claim.folder / "claim.json", (long_ago, long_ago))

    taken = inbox.take_back_expired(lease_s=60, still_queued=lambda c: c.id == queued.id)

    assert taken == ["dead.pdf"]
    assert (inbox.root / "dead.pdf").read_bytes() == b"dead.pdf"
    assert {c.record.name for c in inbox.claims()} == {"queued.pdf", "alive.pdf"}
    assert queued.heartbeat_age() < 60
    with pytest.raises(ClaimLost):
        dead.renew()


def test_keep_alive_renews_the_lease_and_tells_when_the_claim_is_lost(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox")
    (inbox.root / "x.pdf").write_bytes(b"x")
    claim = claim_one(inbox, "x.pdf")
    with keep_alive(claim, every_s=0.05) as lost:
        os.utime(claim.folder / "claim.json", (0, 0))
        time.sleep(0.2)
        assert claim.heartbeat_age() < 1
        assert inbox.take_back_expired(lease_s=-1) == ["x.pdf"]  # a stall past the lease
        time.sleep(0.2)
        assert lost.is_set()


def test_a_drawing_is_digitised_moved_to_done_and_recognised_when_dropped_again(
    sheets: list[Path], tmp_path: Path
) -> None:
    inbox = Inbox(tmp_path / "inbox")
    settings = settings_in(tmp_path)
    drop(inbox, sheets[0], "a/plant.pdf")
    drop(inbox, sheets[1], "b/plant.pdf")

    outcomes = [
        digitise_claim(inbox, claim_one(inbox, n), settings) for n in ("a/plant.pdf", "b/plant.pdf")
    ]

    assert [o.status for o in outcomes] == ["done", "done"]
    assert [o.json_path for o in outcomes] == [
        tmp_path / "out" / "a" / "plant.json",
        tmp_path / "out" / "b" / "plant.json",
    ]
    assert (inbox.done / "a" / "plant.pdf").read_bytes() == sheets[0].read_bytes()
    assert list(inbox.processing.iterdir()) == []
    engine = open_database(settings.database_url)
    stored = document_records(engine)
    assert [d.path for d in stored] == [
        str((inbox.done / n).resolve()) for n in ("a/plant.pdf", "b/plant.pdf")
    ]
    assert all(d.json_sha256 and d.pipeline_version for d in stored)
    assert (
        load_document(engine, str(inbox.done / "a" / "plant.pdf")).source.sha256 == stored[0].sha256
    )

    drop(inbox, sheets[0], "a/plant.pdf")  # the same drawing dropped twice
    again = digitise_claim(inbox, claim_one(inbox, "a/plant.pdf"), settings)

    assert again.status == "already-stored"
    assert sorted(p.name for p in (inbox.done / "a").iterdir()) == ["plant.pdf"]
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(DocumentRow)) == 2
    engine.dispose()


def test_a_claim_checks_the_store_once_before_its_pages(sheets: list[Path], tmp_path: Path) -> None:
    """Asking whether the drawing is stored checks the database; the check is not repeated."""
    inbox = Inbox(tmp_path / "inbox")
    drop(inbox, sheets[0], "plant.pdf")
    ran: list[str] = []

    def recording(stage: Callable[..., Any], /, *args: Any) -> Any:
        ran.append(stage.__name__)
        return stage(*args)

    outcome = digitise_claim(
        inbox, claim_one(inbox, "plant.pdf"), settings_in(tmp_path), run_stage=recording
    )

    assert outcome.status == "done"
    assert ran[0] == "already_stored" and ran[1] == "rasterise"
    assert "check_store" not in ran and ran.count("save") == 1


def _bad_inputs(folder: Path) -> dict[str, str]:
    encrypted = folder / "encrypted.pdf"
    sheet = canvas.Canvas(str(encrypted), encrypt=StandardEncryption("secret", ownerPassword="o"))
    sheet.drawString(100, 700, "CB-1")
    sheet.save()
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "corrupt.pdf").write_bytes(
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n" + b"\x00" * 300
    )
    (folder / "notes.txt").write_text("not a drawing")
    return {
        "encrypted.pdf": "encrypted",
        "empty.pdf": "empty",
        "corrupt.pdf": "",
        "notes.txt": "neither a PDF",
    }


def test_bad_inputs_land_in_failed_with_a_reason_and_the_good_one_is_done(
    sheets: list[Path], tmp_path: Path
) -> None:
    inbox = Inbox(tmp_path / "inbox")
    expected = _bad_inputs(inbox.root)
    drop(inbox, sheets[0], "good.pdf")
    settle()

    outcomes = {
        n.as_posix(): digitise_claim(inbox, claim_one(inbox, n.as_posix()), settings_in(tmp_path))
        for n in inbox.waiting(SETTLE)[0]
    }

    assert outcomes["good.pdf"].status == "done"
    for name, words in expected.items():
        assert outcomes[name].status == "failed", name
        reason = (inbox.failed / f"{name}.error.txt").read_text()
        assert reason.startswith("bad input: ") and words in reason, reason
    status = inbox.status(SETTLE)
    assert sorted(name for name, _ in status.failed) == sorted(expected)
    assert status.done == 1 and status.processing == [] and status.ready == []

    assert sorted(p.name for p in inbox.retry_failed(["notes.txt"])) == ["notes.txt"]
    assert (inbox.root / "notes.txt").exists() and not (
        inbox.failed / "notes.txt.error.txt"
    ).exists()


def test_an_unreachable_database_puts_the_file_back_before_any_page_is_read(
    sheets: list[Path], tmp_path: Path
) -> None:
    inbox = Inbox(tmp_path / "inbox")
    drop(inbox, sheets[0], "plant.pdf")
    unreachable = Settings(
        database_url="postgresql+psycopg://sld@127.0.0.1:9/none", output_dir=tmp_path / "out"
    )

    started = time.perf_counter()
    outcome = digitise_claim(inbox, claim_one(inbox, "plant.pdf"), unreachable)

    assert outcome.status == "returned" and "cannot open the database" in (outcome.reason or "")
    assert time.perf_counter() - started < 5  # no page was digitised first
    assert (inbox.root / "plant.pdf").read_bytes() == sheets[0].read_bytes()
    assert list(inbox.failed.iterdir()) == [] and list(inbox.processing.iterdir()) == []
    assert not (tmp_path / "out").exists()


def test_a_file_still_written_after_its_claim_goes_back_not_to_failed(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox")
    (inbox.root / "late.pdf").write_bytes(b"%PDF-1.7\n")  # half a PDF: a stalled copy
    claim = claim_one(inbox, "late.pdf")
    with claim.file.open("ab") as stream:  # the writer still has it open, and goes on
        stream.write(b"more of the drawing")

    outcome = digitise_claim(inbox, claim, settings_in(tmp_path))

    assert (outcome.status, outcome.reason) == ("returned", "still changing")
    assert (inbox.root / "late.pdf").exists()


def test_nothing_is_replaced_when_names_meet(sheets: list[Path], tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox")
    settings = settings_in(tmp_path)
    drop(inbox, sheets[0], "plant.pdf")
    digitise_claim(inbox, claim_one(inbox, "plant.pdf"), settings)
    drop(inbox, sheets[1], "plant.pdf")  # a revision under the same name
    claim = claim_one(inbox, "plant.pdf")
    drop(inbox, sheets[0], "plant.pdf")  # and a new copy arrives while it is claimed
    inbox.release(claim)
    digitise_claim(inbox, claim_one(inbox, "plant.pdf"), settings)

    kept = sorted(p.read_bytes() for p in inbox.root.glob("plant*.pdf")) + sorted(
        p.read_bytes() for p in inbox.done.glob("plant*.pdf")
    )
    assert sorted(kept) == sorted([sheets[0].read_bytes(), sheets[1].read_bytes()])


def test_failures_are_classified_by_what_a_worker_should_do() -> None:
    bad = InputError("x.pdf", "is empty (0 bytes)", "Copy it again.")
    away = DatabaseUnavailableError("cannot open the database at sqlite:///x.db")
    try:
        try:
            raise away
        except DatabaseUnavailableError as inner:
            raise RuntimeError("save failed") from inner
    except RuntimeError as wrapped:
        chained = wrapped

    assert classify(bad) is FailureKind.BAD_INPUT
    assert classify(away) is FailureKind.TRANSIENT
    assert classify(chained) is FailureKind.TRANSIENT
    assert classify(TimeoutError()) is FailureKind.TRANSIENT
    assert classify(ValueError("a bug")) is FailureKind.INTERNAL


def test_a_scan_that_died_while_taking_a_claim_back_is_finished_by_the_next(
    tmp_path: Path,
) -> None:
    inbox = Inbox(tmp_path / "inbox")
    (inbox.root / "x.pdf").write_bytes(b"x")
    claim = claim_one(inbox, "x.pdf")
    halfway = claim.folder.rename(inbox.processing / f".taken-{claim.id}-abc123")
    long_ago = time.time() - 3600
    os.utime(halfway, (long_ago, long_ago))

    assert inbox.take_back_expired(lease_s=60) == ["x.pdf"]
    assert (inbox.root / "x.pdf").read_bytes() == b"x"
    assert list(inbox.processing.iterdir()) == []

"""An operator's set-up, small: a Prefect server, two process workers, PostgreSQL, the drop folder;
then the faults. Nothing is lost and nothing is duplicated.

Drawings (vector and scanned), the same drawing twice, one copied in slowly, and bad files are
dropped; two scans are asked for at once (besides the scheduled ones); a worker is SIGKILLed with
its flow run in the middle of a document; the database is stopped for a while and started again.
At the end every good drawing is in done/ once and in the database once, every bad one is in
failed/ with a reason, processing/ is empty, and no flow run is left Running (a run that lost its
process is marked Crashed by a scan within a lease and a scan).
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from benchmarks.harness.operations import Operations, wait_until
from benchmarks.harness.postgres import find_server_binaries, private_cluster
from sld.synth import generate_set
from tests.inbox.test_inbox import _bad_inputs

pytestmark = [pytest.mark.prefect, pytest.mark.slow, pytest.mark.postgres]

LEASE_S = 20
OUTAGE_S = 20


def copy_slowly(source: Path, target: Path, seconds: float) -> None:
    content = source.read_bytes()
    step = len(content) // 20 + 1
    with target.open("wb") as stream:
        for start in range(0, len(content), step):
            stream.write(content[start : start + step])
            stream.flush()
            time.sleep(seconds / 20)


def flow_run_states(ops: Operations) -> dict[str, int]:
    """How many runs of digitise-inbox-file (named "FILE [CLAIM]" by the scan) the set-up's
    server holds in each state (its REST API, directly). Scans are left out: one may be running
    when this asks, and the schedule holds future ones."""
    answer = httpx.post(ops.env["PREFECT_API_URL"] + "/flow_runs/filter", json={"limit": 200})
    answer.raise_for_status()
    states: dict[str, int] = {}
    for run in (run for run in answer.json() if run["name"].endswith("]")):
        name = (run.get("state") or {}).get("type", "NONE")
        states[name] = states.get(name, 0) + 1
    return states


def test_two_workers_lose_nothing_and_duplicate_nothing_through_faults(tmp_path: Path) -> None:
    bin_dir = find_server_binaries()
    if bin_dir is None:
        if os.environ.get("SLD_REQUIRE_POSTGRES") == "1":
            pytest.fail("SLD_REQUIRE_POSTGRES=1 but no PostgreSQL server binaries")
        pytest.skip("no PostgreSQL server binaries")
    generate_set(tmp_path / "drawings", count=2, seed=51, scans=True)
    drawings = sorted(tmp_path.joinpath("drawings").glob("*.pdf"))  # vector sheets and scans
    with private_cluster(bin_dir) as database:
        ops = Operations.start(
            tmp_path / "ops", database.url, inbox_settle_s="2", inbox_lease_s=str(LEASE_S)
        )
        try:
            ops.start_worker("w1")
            ops.start_worker("w2")
            (tmp_path / "bad-files").mkdir()
            bad = _bad_inputs(tmp_path / "bad-files")
            for path in [*drawings[1:], *(tmp_path / "bad-files").iterdir()]:
                shutil.copy(path, ops.inbox / path.name)
            shutil.copy(drawings[1], ops.inbox / "same-drawing-again.pdf")
            slow = threading.Thread(
                target=copy_slowly, args=(drawings[0], ops.inbox / drawings[0].name, 8.0)
            )
            slow.start()
            time.sleep(2.5)
            both = [threading.Thread(target=ops.scan) for _ in range(2)]  # two scans at once
            for scan in both:
                scan.start()
            for scan in both:
                scan.join()

            worker_log = ops.logs / "w1.log"
            wait_until(
                lambda: (
                    "Beginning flow run" in worker_log.read_text(errors="replace")
                    and "digitise-inbox-file" in worker_log.read_text(errors="replace")
                ),
                240,
                "w1 to start digitising a file",
            )
            # Mid-document, with its flow run: unless the run finished in the moment between
            # the log line and the kill (a vector sheet takes about a second).
            said = worker_log.read_text(errors="replace")
            unfinished = said.count("Beginning flow run") - said.count("Finished in state")
            ops.kill_worker("w1")
            ops.start_worker("w3")
            slow.join()

            database.stop()  # the database is away while the others work
            time.sleep(OUTAGE_S)
            database.start()

            goods = {p.name for p in drawings} | {"same-drawing-again.pdf"}

            def settled() -> bool:
                done = {p.name for p in (ops.inbox / "done").glob("*.pdf")}
                failed = {p.name for p in (ops.inbox / "failed").iterdir()}
                if done == goods and set(bad) <= failed:
                    return not any((ops.inbox / "processing").iterdir())
                ops.scan()  # what the schedule does every 30 s, sooner
                return False

            wait_until(settled, 600, "every file in done/ or failed/", every=10)

            def runs_ended() -> bool:
                # A run reports its end a moment after moving its file on; a run that lost its
                # process in that moment is marked Crashed by a scan.
                if {"PENDING", "RUNNING"} & set(flow_run_states(ops)):
                    ops.scan()
                    return False
                return True

            wait_until(runs_ended, 120, "every digitise-inbox-file run to end", every=10)
            states = flow_run_states(ops)
        finally:
            ops.close()

        for name in bad:
            assert (ops.inbox / "failed" / f"{name}.error.txt").read_text().startswith("bad input")
        assert sorted(p.name for p in (ops.inbox / "failed").iterdir()) == sorted(
            [*bad, *(f"{name}.error.txt" for name in bad)]
        )
        assert list(ops.inbox.glob("*.pdf")) == []
        engine = create_engine(database.url)
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT sha256, json_path FROM documents")).all()
        engine.dispose()
        assert len(rows) == len(drawings)  # the drawing dropped twice is stored once
        assert len({sha for sha, _ in rows}) == len(rows)
        assert all(Path(json_path).is_file() for _, json_path in rows)
    assert states.get("RUNNING", 0) == 0, states
    # The killed run, marked by the scan; never left Running (checked above).
    assert states.get("CRASHED", 0) >= min(1, unfinished), states

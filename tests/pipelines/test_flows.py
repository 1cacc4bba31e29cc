"""Real Prefect flow runs: one document (its outside stages as tasks), the drop folder, and a
schedule."""

from __future__ import annotations

import logging
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from benchmarks.harness.operations import Operations, wait_until
from sld.synth import generate_set

pytestmark = [pytest.mark.prefect, pytest.mark.slow]


@pytest.fixture(scope="module")
def sheets(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("flow-sheets")
    return generate_set(folder, count=2, seed=21, scans=False)


def settings_for(folder: Path) -> dict[str, str]:
    return {"database_url": f"sqlite:///{folder / 'flows.db'}", "output_dir": str(folder / "out")}


def final_task_runs(flow_run_id: Any, expected: int) -> list[Any]:
    """The flow run's task runs once at least `expected` are recorded and all are final.

    Prefect 3 records task run states through a background service: on a loaded machine the
    last ones may reach the API a moment after the flow has returned (a minute at most here).
    """
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    deadline = time.monotonic() + 60
    with get_client(sync_client=True) as client:
        while True:
            task_runs = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
            )
            settled = len(task_runs) >= expected and all(
                run.state is not None and run.state.is_final() for run in task_runs
            )
            if settled or time.monotonic() > deadline:
                return list(task_runs)
            time.sleep(0.5)


def test_document_flow_runs_the_outside_stages_as_tasks_and_logs_the_rest(
    sheets: list[Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from pipelines.flows import digitise_document

    # The tests keep Prefect's loggers at WARNING; this one reads the flow run's INFO lines.
    run_logger = logging.getLogger("prefect.flow_runs")
    run_logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger="prefect.flow_runs"):
            state = digitise_document(str(sheets[0]), settings_for(tmp_path), return_state=True)
    finally:
        run_logger.removeHandler(caplog.handler)
    assert state.is_completed()
    document, json_path = state.result()
    assert json_path.exists() and document.pages[0].components

    flow_run_id = state.state_details.flow_run_id
    task_runs = final_task_runs(flow_run_id, expected=4)
    names = sorted(run.name.rsplit("-", 1)[0] for run in task_runs)
    assert names == ["check-store", "detect", "read-text", "save"]
    assert all(run.state is not None and run.state.is_completed() for run in task_runs)
    # The local stages ran in the flow run itself, each with its time in the run's log.
    messages = [record.getMessage() for record in caplog.records]
    for stage in ["rasterise", "merge", "trace-conductors", "link", "build-graph"]:
        assert any(message.startswith(f"{stage} finished in ") for message in messages), stage


def test_document_flow_runs_the_pages_as_task_runs_at_once(tmp_path: Path) -> None:
    from pipelines.flows import digitise_document

    [drawing] = generate_set(tmp_path / "in", count=1, seed=23, scans=False, pages=2)
    settings = settings_for(tmp_path) | {"page_workers": "2"}
    state = digitise_document(str(drawing), settings, return_state=True)
    assert state.is_completed()
    document, _ = state.result()
    assert [page.index for page in document.pages] == [0, 1]

    # Two page runs with the model stages of each nested in them, the store check and the save.
    task_runs = final_task_runs(state.state_details.flow_run_id, expected=8)
    names = [run.name for run in task_runs]
    assert {"page-1", "page-2"} <= set(names)
    assert sum(name.startswith("read-text") for name in names) == 2
    assert sum(name.startswith("detect") for name in names) == 2
    assert not any(name.startswith("rasterise") for name in names)
    assert all(run.state is not None and run.state.is_completed() for run in task_runs)


def test_inbox_file_flow_digitises_a_claim_and_a_gone_claim_is_nothing_to_do(
    sheets: list[Path], tmp_path: Path
) -> None:
    from pipelines.flows import digitise_inbox_file
    from sld.inbox import Inbox

    inbox = Inbox(tmp_path / "inbox")
    (inbox.root / sheets[0].name).write_bytes(sheets[0].read_bytes())
    claim = inbox.claim(Path(sheets[0].name))
    assert claim is not None

    outcome = digitise_inbox_file(str(inbox.root), claim.id, settings_for(tmp_path))
    assert outcome["status"] == "done"
    assert (inbox.done / sheets[0].name).exists()
    assert (tmp_path / "out" / sheets[0].with_suffix(".json").name).exists()
    # Written before the file moved on: a file in done/ means its run has nothing left to do.
    assert (tmp_path / "out" / sheets[0].with_suffix(".report.html").name).exists()

    again = digitise_inbox_file(str(inbox.root), claim.id, settings_for(tmp_path))
    assert again["status"] == "lost"


def test_a_run_whose_process_died_after_its_file_moved_on_is_marked_crashed(
    tmp_path: Path,
) -> None:
    """No claim is left to expire for such a run: the scan finds it by its parameters."""
    from prefect.client.orchestration import get_client
    from prefect.states import Running

    from pipelines.flows import digitise_inbox_file
    from pipelines.scan import crash_orphaned_runs
    from sld.inbox import Inbox

    inbox = Inbox(tmp_path / "inbox")
    (inbox.root / "live.pdf").write_bytes(b"%PDF-1.4 still being digitised")
    live = inbox.claim(Path("live.pdf"))
    assert live is not None
    with get_client(sync_client=True) as client:

        def running(folder: Path, claim: str) -> Any:
            parameters = {"folder": str(folder), "claim": claim}
            return client.create_flow_run(
                digitise_inbox_file, parameters=parameters, state=Running()
            ).id

        orphan = running(inbox.root, "finished-claim")
        alive = running(inbox.root, live.id)
        elsewhere = running(tmp_path / "another-inbox", "finished-claim")

        assert crash_orphaned_runs(inbox, grace_s=0.5) == [str(orphan)]

        def state(run_id: Any) -> str:
            return str(client.read_flow_run(run_id).state_type.value)

        assert [state(orphan), state(alive), state(elsewhere)] == ["CRASHED", "RUNNING", "RUNNING"]
        assert crash_orphaned_runs(inbox, grace_s=0.5) == []


def test_served_drop_folder_runs_on_its_schedule(sheets: list[Path], tmp_path: Path) -> None:
    """A real Prefect server, `python -m pipelines.serve` on a 5 s interval, a file dropped in:
    the scheduled scan claims it, the served per-file deployment digitises it into done/."""
    database = tmp_path / "served.db"
    ops = Operations.start(
        tmp_path / "ops", f"sqlite:///{database}", work_pool=False, inbox_settle_s="1"
    )
    try:
        serve = [sys.executable, "-m", "pipelines.serve", "--folder", str(ops.inbox)]
        ops.others.append(ops.spawn("serve", [*serve, "--every", "5"]))
        (ops.inbox / sheets[0].name).write_bytes(sheets[0].read_bytes())

        def stored() -> bool:
            if not database.exists():
                return False
            with sqlite3.connect(database) as connection:
                try:
                    rows = connection.execute("SELECT path FROM documents").fetchall()
                except sqlite3.OperationalError:
                    return False
            return any(Path(row[0]).name == sheets[0].name for row in rows)

        wait_until(stored, 240, "the scheduled drop-folder run to store the file")
        done = ops.inbox / "done" / sheets[0].name
        wait_until(done.exists, 60, "the file in done/")
    finally:
        ops.close()


def test_no_deployment_has_a_concurrency_limit(tmp_path: Path) -> None:
    """Claims keep two runs off one file; a limit cancelled scans for minutes after a kill."""
    import yaml

    from pipelines.serve import deployments

    served = deployments(tmp_path, every_seconds=30)
    names = [d.name for d in served]
    assert names == ["drop-folder", "inbox", "on-demand", "nightly"]
    assert all(d.concurrency_limit is None for d in served)
    scan = served[0]
    assert scan.parameters == {"folder": str(tmp_path)}
    assert scan.schedules[0].schedule.interval.total_seconds() == 30  # type: ignore[union-attr]
    pool = yaml.safe_load((Path(__file__).parents[2] / "pipelines" / "prefect.yaml").read_text())
    assert sorted(d["name"] for d in pool["deployments"]) == sorted(names)
    assert all("concurrency_limit" not in d for d in pool["deployments"])
    # Each run starts the engine straight away, without Prefect's supervisor process.
    assert all(
        d["work_pool"]["job_variables"]["command"] == "python -m prefect.engine"
        for d in pool["deployments"]
    )


def test_the_scan_imports_neither_the_stages_nor_the_database() -> None:
    """A scan is a fresh process every 30 s: importing the digitising stack doubled its CPU."""
    import subprocess

    heavy = ["sld.pipeline", "sld.store", "sld.inbox.process", "sqlalchemy", "shapely", "cv2"]
    probe = f"import sys, pipelines.scan; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    ).stdout.strip()
    assert loaded == ""

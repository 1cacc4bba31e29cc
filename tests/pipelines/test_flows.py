"""Real Prefect flow runs: one document (each stage a task), the drop folder, and a schedule."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sld.synth import generate_set

pytestmark = [pytest.mark.prefect, pytest.mark.slow]


@pytest.fixture(scope="module")
def sheets(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("flow-sheets")
    return generate_set(folder, count=2, seed=21, scans=False)


def settings_for(folder: Path) -> dict[str, str]:
    return {"database_url": f"sqlite:///{folder / 'flows.db'}", "output_dir": str(folder / "out")}


def test_document_flow_runs_every_stage_as_a_task(sheets: list[Path], tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from pipelines.flows import digitise_document

    state = digitise_document(str(sheets[0]), settings_for(tmp_path), return_state=True)
    assert state.is_completed()
    document, json_path = state.result()
    assert json_path.exists() and document.pages[0].components

    flow_run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        task_runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )
    names = {run.name.rsplit("-", 1)[0] for run in task_runs}
    assert {"rasterise", "read-text", "detect", "merge", "link", "build-graph", "save"} <= names
    assert all(run.state is not None and run.state.is_completed() for run in task_runs)


def test_drop_folder_digitises_new_files_once_and_keeps_failures(
    sheets: list[Path], tmp_path: Path
) -> None:
    from pipelines.flows import digitise_drop_folder

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for sheet in sheets:
        (inbox / sheet.name).write_bytes(sheet.read_bytes())
    (inbox / "broken.pdf").write_text("not a pdf")
    settings = settings_for(tmp_path)

    first = digitise_drop_folder(str(inbox), settings)
    assert sorted(Path(p).name for p in first["digitised"]) == sorted(s.name for s in sheets)
    assert [Path(p).name for p in first["failed"]] == ["broken.pdf"]
    assert (inbox / "failed" / "broken.pdf").exists()
    assert "not a" in (inbox / "failed" / "broken.pdf.error.txt").read_text()

    second = digitise_drop_folder(str(inbox), settings)
    assert second["digitised"] == [] and len(second["already_stored"]) == len(sheets)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(check: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}")


def test_served_drop_folder_runs_on_its_schedule(sheets: list[Path], tmp_path: Path) -> None:
    """A real Prefect server, `python -m pipelines.serve` on a 5 s interval, a file dropped in."""
    import urllib.request

    port = free_port()
    database = tmp_path / "served.db"
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "SLD_DATABASE_URL": f"sqlite:///{database}",
        "SLD_OUTPUT_DIR": str(tmp_path / "out"),
    }
    api = f"http://127.0.0.1:{port}/api"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "prefect",
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    served = None
    try:

        def healthy() -> bool:
            try:
                with urllib.request.urlopen(f"{api}/health", timeout=2) as answer:
                    return bool(answer.status == 200)
            except OSError:
                return False

        wait_until(healthy, 60, "the Prefect server")
        inbox = tmp_path / "inbox"
        inbox.mkdir()
        served = subprocess.Popen(
            [sys.executable, "-m", "pipelines.serve", "--folder", str(inbox), "--every", "5"],
            env={**env, "PREFECT_API_URL": api},
            cwd=Path(__file__).parents[2],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        (inbox / sheets[0].name).write_bytes(sheets[0].read_bytes())

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
    finally:
        for process in (served, server):
            if process is not None:
                os.killpg(process.pid, 15)
                process.wait(timeout=30)


def test_drop_folder_deployment_runs_one_scan_at_a_time(tmp_path: Path) -> None:
    from prefect.client.schemas.objects import ConcurrencyLimitStrategy

    from pipelines.serve import deployments

    drop_folder, on_demand = deployments(tmp_path, every_seconds=30)
    assert drop_folder.parameters == {"folder": str(tmp_path)}
    assert drop_folder.concurrency_limit == 1
    assert drop_folder.concurrency_options is not None
    assert drop_folder.concurrency_options.collision_strategy is ConcurrencyLimitStrategy.CANCEL_NEW
    assert drop_folder.schedules[0].schedule.interval.total_seconds() == 30  # type: ignore[union-attr]
    assert on_demand.schedules in (None, [])

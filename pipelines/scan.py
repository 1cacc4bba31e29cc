"""The drop-folder scan as a Prefect flow: claim the complete files, submit one
`digitise-inbox-file` run per file to the work pool, take back the claims of dead workers, and
mark Crashed the runs that lost their process after their file was moved on.

N workers then digitise N files at once; mutual exclusion comes from the claims, not from a
deployment concurrency limit. The scan is scheduled every 30 s and each run starts a fresh
Python process, so this module imports only Prefect, the drop folder's claims and the settings:
not the digitising stages (`pipelines/flows.py`), which would double the CPU time of every scan.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast
from uuid import UUID

from prefect import flow, get_run_logger
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.deployments import run_deployment
from prefect.states import Crashed

from sld.inbox.claims import Claim
from sld.inbox.folder import Inbox
from sld.settings import Settings

#: The deployment the drop-folder scan submits one run to per claimed file.
INBOX_FILE_DEPLOYMENT = "digitise-inbox-file/inbox"
#: A run whose claim is gone returns within a second (moving the file on is its last step); one
#: still Pending or Running this long after the scan first saw it so has lost its process.
ORPHAN_GRACE_S = 10.0


def _submitter(folder: Path, settings: dict[str, Any] | None) -> Callable[[Claim], str]:
    def submit(claim: Claim) -> str:
        run = cast(
            FlowRun,
            run_deployment(
                INBOX_FILE_DEPLOYMENT,
                parameters={"folder": str(folder), "claim": claim.id, "settings": settings},
                flow_run_name=f"{claim.record.name} [{claim.id}]",
                timeout=0,
                as_subflow=False,
            ),
        )  # sync here: no running event loop
        return str(run.id)

    return submit


def _queued_checker(lease_s: float) -> Callable[[Claim], bool]:
    """`still_queued` for `Inbox.scan`, asking the Prefect server about the claim's run."""
    return lambda claim: _still_queued(claim, lease_s)


def _still_queued(claim: Claim, lease_s: float) -> bool:
    """Whether the claim's run waits for a worker (Scheduled, or Pending for less than a lease).
    A run still called Pending or Running whose lease ran out lost its worker: it is marked
    Crashed, so that it does not stay Running for ever."""
    if claim.record.run_id is None:
        return False
    with get_client(sync_client=True) as client:
        try:
            run = client.read_flow_run(UUID(claim.record.run_id))
        except Exception:
            return False
        state = run.state.type if run.state else None
        if state in (StateType.SCHEDULED, StateType.PAUSED):  # Late is a Scheduled state
            return True
        if state is StateType.PENDING and run.state is not None:
            # A worker took it and starts its process; one that died meanwhile leaves it Pending.
            waited = datetime.now(UTC) - run.state.timestamp
            if waited.total_seconds() < lease_s:
                return True
        if state in (StateType.PENDING, StateType.RUNNING):
            client.set_flow_run_state(
                run.id,
                Crashed(message=f"its worker stopped renewing the claim on {claim.record.name}"),
                force=True,
            )
    return False


def _unfinished_runs(inbox: Inbox) -> dict[UUID, str]:
    """This folder's `digitise-inbox-file` runs that are Pending or Running although their claim
    is no longer in processing/, with the claim's id."""
    live = {claim.id for claim in inbox.claims()}
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=[INBOX_FILE_DEPLOYMENT.split("/")[0]])),
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(
                    type=FlowRunFilterStateType(any_=[StateType.PENDING, StateType.RUNNING])
                )
            ),
        )
    return {
        run.id: str(run.parameters.get("claim"))
        for run in runs
        if run.parameters.get("folder") == str(inbox.root)
        and run.parameters.get("claim") not in live
    }


def crash_orphaned_runs(inbox: Inbox, grace_s: float = ORPHAN_GRACE_S) -> list[str]:
    """Mark Crashed the runs whose process died after their file went to done/ or failed/ (a
    worker killed in that last second): no claim is left to expire, so nothing else would, and
    they would stay Running for ever. Returns their ids."""
    suspects = _unfinished_runs(inbox)
    if not suspects:
        return []
    time.sleep(grace_s)
    still = _unfinished_runs(inbox)
    orphans = [run_id for run_id in suspects if run_id in still]
    with get_client(sync_client=True) as client:
        for run_id in orphans:
            client.set_flow_run_state(
                run_id,
                Crashed(message=f"its process stopped after its claim {suspects[run_id]} ended"),
                force=True,
            )
    return [str(run_id) for run_id in orphans]


@flow(name="scan-drop-folder", log_prints=True)
def scan_drop_folder(folder: str, settings: dict[str, Any] | None = None) -> dict[str, list[str]]:
    """Claim the complete files of the drop folder and submit one run per file.

    Also takes back claims whose workers died (their lease ran out). Two scans at once are safe:
    each file is claimed by one of them.
    """
    chosen = Settings(**(settings or {}))
    inbox = Inbox(Path(folder))
    report = inbox.scan(
        settle_s=chosen.inbox_settle_s,
        lease_s=chosen.inbox_lease_s,
        submit=_submitter(inbox.root, settings),
        still_queued=_queued_checker(chosen.inbox_lease_s),
        max_claims=chosen.inbox_max_claims,
    )
    orphans = crash_orphaned_runs(inbox)
    get_run_logger().info(
        "drop folder %s: %d submitted, %d taken back from dead workers, %d runs marked Crashed "
        "after their file was moved on, %d still arriving, %d left for the next scan (%d in "
        "processing/ at most)",
        folder,
        len(report.submitted),
        len(report.taken_back),
        len(orphans),
        len(report.settling),
        len(report.held_back),
        chosen.inbox_max_claims,
    )
    return {
        "submitted": report.submitted,
        "taken_back": report.taken_back,
        "settling": report.settling,
        "held_back": report.held_back,
        "crashed": orphans,
    }

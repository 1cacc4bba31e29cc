"""Serve the flows from this process: the drop folder, documents on demand, the nightly refresh.

    prefect server start                       # once, in another terminal
    export PREFECT_API_URL=http://127.0.0.1:4200/api
    python -m pipelines.serve --folder inbox --every 30 --runs 2

Every `--every` seconds a scan claims the complete files of the folder and submits one
`digitise-inbox-file` run per file; this process runs up to `--runs` of them at once. Schedules
need a Prefect server; the ephemeral one that `sld digitise` can use refuses them. To spread the
work over several machines, use the work pool in `pipelines/prefect.yaml` instead (same flows).
"""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path
from typing import cast

from prefect import serve
from prefect.deployments.runner import RunnerDeployment

from pipelines.flows import digitise_document, digitise_inbox_file, redigitise_stale
from pipelines.scan import scan_drop_folder

#: Nightly at 02:00 (the server's time zone, UTC unless set).
NIGHTLY = "0 2 * * *"


def deployments(folder: Path, every_seconds: float) -> list[RunnerDeployment]:
    """The scan (on an interval), its per-file runs, on-demand documents and the nightly refresh.

    No deployment has a concurrency limit: two scans at once claim different files, and
    a limit would cancel scheduled scans for minutes after a worker was killed.
    """
    # to_deployment is sync here (no running event loop); the casts tell mypy so.
    return [
        cast(
            RunnerDeployment,
            scan_drop_folder.to_deployment(
                name="drop-folder",
                interval=timedelta(seconds=every_seconds),
                parameters={"folder": str(folder)},
                description=f"Claim complete drawings in {folder} every {every_seconds:g} s",
            ),
        ),
        cast(
            RunnerDeployment,
            digitise_inbox_file.to_deployment(
                name="inbox", description="Digitise one claimed drop-folder file (the scan submits)"
            ),
        ),
        cast(
            RunnerDeployment,
            digitise_document.to_deployment(
                name="on-demand",
                description="Digitise one file: prefect deployment run with path=...",
            ),
        ),
        cast(
            RunnerDeployment,
            redigitise_stale.to_deployment(
                name="nightly",
                cron=NIGHTLY,
                description="Digitise again what another pipeline version or other settings made",
            ),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, required=True, help="the drop folder to watch")
    parser.add_argument("--every", type=float, default=30.0, help="seconds between folder scans")
    parser.add_argument("--runs", type=int, default=2, help="flow runs at once in this process")
    args = parser.parse_args()
    folder = args.folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    serve(*deployments(folder, args.every), limit=args.runs)


if __name__ == "__main__":
    main()

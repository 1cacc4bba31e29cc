"""Serve the flows from this process: the drop folder on a schedule, and documents on demand.

    prefect server start                       # once, in another terminal
    export PREFECT_API_URL=http://127.0.0.1:4200/api
    python -m pipelines.serve --folder inbox --every 60

Schedules need a Prefect server; the ephemeral one that `sld digitise` can use refuses them.
To spread the work over several machines, use the work pool in `pipelines/prefect.yaml` instead.
"""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path
from typing import cast

from prefect import serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import RunnerDeployment

from pipelines.flows import digitise_document, digitise_drop_folder


def deployments(folder: Path, every_seconds: float) -> tuple[RunnerDeployment, RunnerDeployment]:
    """The drop-folder deployment (on a schedule, one run at a time) and the on-demand one."""
    # to_deployment is sync here (no running event loop); the cast tells mypy so.
    drop_folder = cast(
        RunnerDeployment,
        digitise_drop_folder.to_deployment(
            name="drop-folder",
            interval=timedelta(seconds=every_seconds),
            parameters={"folder": str(folder)},
            description=f"Digitise new drawings in {folder} every {every_seconds:g} s",
            # A scan that is still running when the next one is due keeps the folder; the new
            # one is cancelled instead of digitising the same files a second time.
            concurrency_limit=ConcurrencyLimitConfig(
                limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW
            ),
        ),
    )
    on_demand = cast(
        RunnerDeployment,
        digitise_document.to_deployment(
            name="on-demand", description="Digitise one file: prefect deployment run with path=..."
        ),
    )
    return drop_folder, on_demand


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, required=True, help="the drop folder to watch")
    parser.add_argument("--every", type=float, default=60.0, help="seconds between folder scans")
    args = parser.parse_args()
    folder = args.folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    serve(*deployments(folder, args.every))


if __name__ == "__main__":
    main()

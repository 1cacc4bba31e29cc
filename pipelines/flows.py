"""Prefect flows: one document on demand, one drop-folder file, and the nightly
re-digitisation of stale results.

The flows are thin. `sld.pipeline.digitise_file` holds the sequence of stages and `sld.inbox` the
drop folder's lifecycle (claims, leases, done/failed); here each stage that meets the outside
world (the database, the model server) runs as a Prefect task with retries and back-off for
transient failures, and the local computations run in the flow (or page) run itself and log
their time; the pages of one document run as `digitise-page` task runs on the flow's thread-pool
task runner, `page_workers` at once. The drop-folder scan, which submits one
`digitise-inbox-file` run per claimed file to the work pool, is in `pipelines/scan.py` (it starts
every 30 s and imports little). Inputs are not cached: a page raster is large and each run must
see the file as it is now.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.concurrency.sync import concurrency
from prefect.tasks import exponential_backoff

from sld.document import Document
from sld.inbox import Inbox
from sld.inbox.errors import is_transient
from sld.inbox.process import digitise_claim
from sld.pipeline import (
    DigitisedPage,
    PageFuture,
    PageJob,
    PageMapper,
    digitise_file,
    in_order_window,
    one_by_one,
)
from sld.refresh import refresh_stale
from sld.review.report import write_report_beside
from sld.settings import Settings

Result = TypeVar("Result")

#: The stages that meet the outside world, which run as Prefect tasks, and their retries, for
#: transient failures only (a bad input fails at once). Back-off doubles from the first delay:
#: the database stages wait out about three minutes of outage (3 + 6 + ... + 96 s), the
#: model-server stages about a minute.
RETRIES: dict[str, tuple[int, float]] = {
    "check_store": (6, 3.0),
    "already_stored": (6, 3.0),
    "save": (6, 3.0),
    "detect": (3, 5.0),
    "read_text": (3, 5.0),
}

#: The global concurrency limit that guards the model server: create it once with
#: `prefect gcl create rex-omni-server --limit N` (N: what the GPU serves at once). Without it
#: the stages run unguarded.
MODEL_SERVER_LIMIT = "rex-omni-server"
_MODEL_STAGES = {"detect": "detector", "read_text": "ocr"}


def _retry_if_transient(_task: Any, _run: Any, state: Any) -> bool:
    """Prefect's retry condition: retry a database or model-server hiccup, not a bad input."""
    try:
        state.result()
    except Exception as error:
        return is_transient(error)
    return False


@contextmanager
def _model_server_slot(stage_name: str, args: tuple[Any, ...]) -> Iterator[None]:
    """Hold a slot of MODEL_SERVER_LIMIT while a stage that calls the model server runs."""
    settings = next((a for a in args if isinstance(a, Settings)), None)
    backend = getattr(settings, _MODEL_STAGES.get(stage_name, ""), None)
    if backend == "rex-omni-server":
        with concurrency(MODEL_SERVER_LIMIT, occupy=1, strict=False):
            yield
    else:
        yield


def run_as_task(stage: Callable[..., Result], /, *args: Any) -> Result:
    """Run one stage in the current flow run: as a Prefect task when it meets the outside world
    (it has retries in RETRIES), else directly, with its time in the run's log.

    A task run costs the server three recorded states and the worker the task engine's round;
    the local stages (rasterise, merge, trace-conductors, link, build-graph, the review page)
    cannot fail transiently, so they gain nothing from it. Six of a one-page drawing's ten
    task runs went, and the Prefect server's CPU per drawing fell by about a tenth (README).
    """
    name = stage.__name__
    if name not in RETRIES:
        return _run_locally(stage, *args)
    retries, first_delay = RETRIES[name]

    def guarded(*stage_args: Any) -> Result:
        with _model_server_slot(name, stage_args):
            return stage(*stage_args)

    guarded.__name__ = name
    guarded.__doc__ = stage.__doc__
    as_task = task(
        name=name.replace("_", "-"),
        cache_policy=NO_CACHE,
        retries=retries,
        retry_delay_seconds=exponential_backoff(first_delay) if retries else 0,
        retry_jitter_factor=0.2 if retries else None,
        retry_condition_fn=_retry_if_transient,
    )(guarded)
    result: Result = as_task(*args)
    return result


def _run_locally(stage: Callable[..., Result], /, *args: Any) -> Result:
    """Run a local stage in this run and log how long it took, as its task run did."""
    started = time.perf_counter()
    result = stage(*args)
    get_run_logger().info(
        "%s finished in %.2f s", stage.__name__.replace("_", "-"), time.perf_counter() - started
    )
    return result


def pages_as_tasks(workers: int) -> PageMapper:
    """A page mapper that submits each page as a `digitise-page` task run to the flow's task
    runner (Prefect's default thread pool), `workers` at once; its model stages run as task
    runs nested in it, with their retries, and the local ones in it directly. One worker: the
    pages run one by one in the flow itself.
    """

    def mapper(job: PageJob, indexes: Sequence[int], /) -> Iterator[DigitisedPage]:
        if workers <= 1 or len(indexes) <= 1:
            yield from one_by_one(job, indexes)
            return
        page_task = task(name="digitise-page", cache_policy=NO_CACHE)(job)

        def submit(index: int) -> PageFuture:
            return page_task.with_options(task_run_name=f"page-{index + 1}").submit(index)

        yield from in_order_window(submit, indexes, workers)

    return mapper


@flow(name="digitise-document", log_prints=True)
def digitise_document(
    path: str,
    settings: dict[str, Any] | None = None,
    pages: list[int] | None = None,
    name: str | None = None,
) -> tuple[Document, Path]:
    """Digitise one PDF or image into the database and JSON; returns the result and JSON path.

    `pages`: 0-based indexes of the pages to digitise (default: every page). `name`: the file's
    path below the folder it was found in, which its JSON keeps (default: its file name)."""
    chosen = Settings(**(settings or {}))
    digitised = digitise_file(
        Path(path),
        chosen,
        run_stage=run_as_task,
        pages=pages,
        name=Path(name) if name else None,
        map_pages=pages_as_tasks(chosen.page_workers),
    )
    run_as_task(write_report_beside, digitised.document, digitised.json_path, chosen, Path(path))
    result_pages = digitised.document.pages
    get_run_logger().info(
        "%s: %d page(s), %d component(s), %d connection(s) -> %s",
        path,
        len(result_pages),
        sum(len(page.components) for page in result_pages),
        sum(len(page.connections) for page in result_pages),
        digitised.json_path,
    )
    return digitised.document, digitised.json_path


@flow(name="digitise-inbox-file", log_prints=True)
def digitise_inbox_file(
    folder: str, claim: str, settings: dict[str, Any] | None = None
) -> dict[str, str | None]:
    """Digitise one claimed drop-folder file and move it to done/, failed/ or back."""
    chosen = Settings(**(settings or {}))
    inbox = Inbox(Path(folder))
    claimed = inbox.claim_by_id(claim)
    logger = get_run_logger()
    if claimed is None:
        logger.warning(
            "claim %s in %s is gone (taken back or finished); nothing to do", claim, folder
        )
        return {"name": None, "status": "lost"}
    outcome = digitise_claim(
        inbox,
        claimed,
        chosen,
        run_stage=run_as_task,
        renew_every_s=chosen.inbox_lease_s / 10,
        map_pages=pages_as_tasks(chosen.page_workers),
    )
    logger.info(
        "%s: %s %s", outcome.name, outcome.status, outcome.reason or outcome.json_path or ""
    )
    return {"name": outcome.name, "status": outcome.status, "reason": outcome.reason}


@flow(name="redigitise-stale", log_prints=True)
def redigitise_stale(settings: dict[str, Any] | None = None) -> list[str]:
    """Digitise again every stored document made by another pipeline version or other settings,
    and report what changed (log lines, and a table artifact in the Prefect UI)."""
    chosen = Settings(**(settings or {}))
    changes = refresh_stale(chosen, run_stage=run_as_task)
    lines = [change.summary() for change in changes]
    logger = get_run_logger()
    for line in lines:
        logger.info("%s", line)
    logger.info("%d stale document(s) re-digitised", len(changes))
    create_markdown_artifact(
        key="redigitised",
        markdown="\n".join(["# Re-digitised documents", ""] + [f"- {line}" for line in lines])
        if lines
        else "Nothing was stale.",
        description="What the nightly re-digitisation changed",
    )
    return lines

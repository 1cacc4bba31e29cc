"""Prefect flows: one document on demand, and a drop folder on a schedule.

The flows are thin. `sld.pipeline.digitise_file` holds the sequence of stages; here each stage
runs as a Prefect task (retries, logs and timings per stage in the UI). Inputs are not cached:
a page raster is large and each run must see the file as it is now.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from sld.document import Document
from sld.pages.raster import file_sha256
from sld.pipeline import digitise_file, expand_inputs
from sld.review.report import write_report_beside
from sld.settings import Settings
from sld.store import open_database, stored_sha256s

Result = TypeVar("Result")

#: Stages worth retrying: the database may be briefly unreachable, a model server may time out.
RETRIES = {"save": 2, "detect": 1, "read_text": 1}


def run_as_task(stage: Callable[..., Result], /, *args: Any) -> Result:
    """Run one stage as a Prefect task in the current flow run."""
    name = stage.__name__
    as_task = task(
        name=name.replace("_", "-"),
        cache_policy=NO_CACHE,
        retries=RETRIES.get(name, 0),
        retry_delay_seconds=5,
    )(stage)
    result: Result = as_task(*args)
    return result


@flow(name="digitise-document", log_prints=True)
def digitise_document(
    path: str, settings: dict[str, Any] | None = None, pages: list[int] | None = None
) -> tuple[Document, Path]:
    """Digitise one PDF or image into JSON and the database; returns the result and JSON path.

    `pages`: 0-based indexes of the pages to digitise (default: every page)."""
    chosen = Settings(**(settings or {}))
    digitised = digitise_file(Path(path), chosen, run_stage=run_as_task, pages=pages)
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


@flow(name="digitise-drop-folder", log_prints=True)
def digitise_drop_folder(
    folder: str, settings: dict[str, Any] | None = None
) -> dict[str, list[str]]:
    """Digitise the drawings in `folder` that the database does not hold yet.

    A file counts as done when a document with its content hash is stored, so files can stay in
    the folder, and a changed file is digitised again. A file that fails is moved to
    `folder/failed/` with a `.error.txt` beside it, so it is kept and not retried on every run.
    """
    chosen = Settings(**(settings or {}))
    logger = get_run_logger()
    engine = open_database(chosen.database_url)
    try:
        known = stored_sha256s(engine)
    finally:
        engine.dispose()
    outcome: dict[str, list[str]] = {"digitised": [], "already_stored": [], "failed": []}
    for path in expand_inputs([Path(folder)]):
        if file_sha256(path) in known:
            outcome["already_stored"].append(str(path))
            continue
        try:
            digitise_document(str(path), chosen.model_dump(mode="json"))
        except Exception as error:
            logger.error("%s failed: %s; moved to %s/failed/", path, error, folder)
            failed = Path(folder) / "failed"
            failed.mkdir(exist_ok=True)
            moved = path.replace(failed / path.name)
            moved.with_name(moved.name + ".error.txt").write_text(f"{error}\n", encoding="utf-8")
            outcome["failed"].append(str(path))
        else:
            outcome["digitised"].append(str(path))
    logger.info(
        "drop folder %s: %d digitised, %d already stored, %d failed",
        folder,
        len(outcome["digitised"]),
        len(outcome["already_stored"]),
        len(outcome["failed"]),
    )
    return outcome

"""`sld digitise`: find the inputs, check everything before the first page, digitise the files
one after another with a progress bar, and print a summary that fits an 80-column terminal.

What can be checked up front is (`sld.cli.checks`): a mistake in a setting, a backend name,
the library folder or the database is one line before any page is rasterised. A bad input file
is reported with its name and does not stop the others. What the pipeline warns about while it
works (a page rendered at a lower DPI than asked, an odd page box) is collected per file and
listed under the summary, where it is not lost among progress bars.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sld.cli.errors import UserError
from sld.settings import Settings

log = logging.getLogger(__name__)
console = Console()
errors = Console(stderr=True, soft_wrap=True, highlight=False)


@dataclass
class FileOutcome:
    path: Path
    seconds: float
    pages: int = 0
    components: Counter[str] | None = None
    texts: int = 0
    linked: int = 0
    connections: int = 0
    json_path: Path | None = None
    error: str | None = None
    #: What the pipeline warned about while digitising this file, in order.
    warnings: list[str] = field(default_factory=list)


def engine_for(choice: str) -> str:
    """`auto` is Prefect when a Prefect server is configured, else this process."""
    if choice == "auto":
        return "prefect" if os.environ.get("PREFECT_API_URL") else "local"
    return choice


def find_inputs(paths: Sequence[Path], recursive: bool) -> dict[Path, Path]:
    """The files to digitise, each with the name its result keeps: its path below the folder
    given (`a/plant.pdf` of `sld digitise --recursive drawings`), or its file name. A folder
    without drawings is a warning, or the error when no path gives anything: either way the user
    learns why, and about `--recursive`."""
    from sld.pipeline import drawings_in, expand_inputs

    inputs: dict[Path, Path] = {}
    empty: list[str] = []
    for path in paths:
        found = expand_inputs([path], recursive)
        if path.is_dir() and not found:
            deeper = [] if recursive else drawings_in(path, recursive=True)
            if deeper:
                empty.append(
                    f"{path}: no drawing directly in this folder, {len(deeper)} in its "
                    "sub-folders (add --recursive to digitise those)"
                )
            else:
                inside = "in this folder or its sub-folders" if recursive else "in this folder"
                empty.append(f"{path}: no PDF, PNG, JPEG or TIFF file {inside}")
        for drawing in found:
            name = drawing.relative_to(path) if path.is_dir() else Path(drawing.name)
            inputs.setdefault(drawing, name)
    if not inputs:
        raise UserError("; ".join(empty) or "no input given")
    for message in empty:
        errors.print(f"[yellow]warning[/yellow] {escape(message)}")
    return inputs


class _WarningCollector(logging.Handler):
    """Keeps the warnings of the `sld` loggers; passes errors on to the usual handlers."""

    def __init__(self, passes_on: bool) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self._passes_on = passes_on

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno == logging.WARNING:
            self.messages.append(record.getMessage())
        elif self._passes_on:
            logging.getLogger().handle(record)


@contextmanager
def collected_warnings() -> Iterator[list[str]]:
    """The warnings logged under `sld` while the block runs. Without -v they are shown only in
    the summary; with -v they are logged as they happen as well."""
    verbose = logging.getLogger().isEnabledFor(logging.INFO)
    logger = logging.getLogger("sld")
    collector = _WarningCollector(passes_on=not verbose)
    propagate = logger.propagate
    logger.addHandler(collector)
    logger.propagate = verbose
    try:
        yield collector.messages
    finally:
        logger.removeHandler(collector)
        logger.propagate = propagate


def _digitise_one(
    path: Path,
    name: Path,
    settings: Settings,
    engine: str,
    pages: list[int] | None,
    progress: Progress,
) -> FileOutcome:
    from sld.pages.raster import InputError, open_source

    started = time.perf_counter()
    task = progress.add_task(escape(path.name), total=None)

    def on_page(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    try:
        if engine == "prefect":
            from pipelines.flows import digitise_document

            open_source(path)  # a bad file is one line here, not a failed flow run's traceback
            document, json_path = digitise_document(
                path=str(path),
                settings=settings.model_dump(mode="json"),
                pages=pages,
                name=str(name),
            )
        else:
            from sld.pipeline import digitise_file
            from sld.review.report import write_report_beside

            digitised = digitise_file(path, settings, on_page=on_page, pages=pages, name=name)
            document, json_path = digitised.document, digitised.json_path
            write_report_beside(document, json_path, settings, path)
    except InputError as error:
        return FileOutcome(path, time.perf_counter() - started, error=str(error))
    except Exception as error:  # one bad input never stops the others; -v shows the trace
        log.info("digitising %s failed", path, exc_info=True)
        return FileOutcome(
            path, time.perf_counter() - started, error=f"{path}: {type(error).__name__}: {error}"
        )
    finally:
        progress.remove_task(task)
    result_pages = document.pages
    return FileOutcome(
        path=path,
        seconds=time.perf_counter() - started,
        pages=len(result_pages),
        components=Counter(c.type for p in result_pages for c in p.components),
        texts=sum(len(p.texts) for p in result_pages),
        linked=sum(1 for p in result_pages for t in p.texts if t.component_id),
        connections=sum(len(p.connections) for p in result_pages),
        json_path=json_path,
    )


def _distinct(warnings: list[str]) -> list[str]:
    """Each warning once. The review page renders a page again at its own DPI: the same page
    reduced to the same DPI ("... rendered at 14.14 dpi instead of 150 ...") is one warning."""
    kept: dict[str, str] = {}
    for message in warnings:
        kept.setdefault(message.partition(" instead of ")[0], message)
    return list(kept.values())


def run_digitise(
    inputs: Sequence[Path] | Mapping[Path, Path],
    settings: Settings,
    engine: str = "local",
    pages: list[int] | None = None,
) -> list[FileOutcome]:
    """Digitise files one after another with a progress bar; failures are collected, not raised.

    `inputs`: the files, or (`find_inputs`) each file with the name its result keeps."""
    names = (
        dict(inputs) if isinstance(inputs, Mapping) else {path: Path(path.name) for path in inputs}
    )
    outcomes: list[FileOutcome] = []
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=errors, transient=True) as progress:
        overall = progress.add_task(f"{len(names)} file(s)", total=len(names))
        for path, name in names.items():
            with collected_warnings() as warnings:
                outcome = _digitise_one(path, name, settings, engine, pages, progress)
            outcome.warnings = _distinct(warnings)
            if outcome.error:
                errors.print(f"[red]error[/red] {escape(outcome.error)}")
            outcomes.append(outcome)
            progress.advance(overall)
    return outcomes


def shown_database(settings: Settings) -> str:
    """The database URL for people: the password hidden."""
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)


def summary(outcomes: list[FileOutcome], settings: Settings, details: bool = False) -> Table:
    """One row per file. The default fits 80 columns; `details` adds where each result went."""
    table = Table(
        title=f"Digitised into {shown_database(settings)}, results in {settings.output_dir}/",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("file", overflow="fold", min_width=12)
    numbers = ["pages", "components", "texts", "linked", "connections", "s"]
    for column in numbers:
        table.add_column(column, justify="right", no_wrap=True, min_width=len(column))
    if details:
        table.add_column("result", overflow="fold")
    for outcome in outcomes:
        name = escape(outcome.path.name)
        if outcome.error:
            row = [name, "[red]failed", *[""] * 4, f"{outcome.seconds:.1f}"]
        else:
            row = [
                name,
                str(outcome.pages),
                str(sum((outcome.components or Counter()).values())),
                str(outcome.texts),
                str(outcome.linked),
                str(outcome.connections),
                f"{outcome.seconds:.1f}",
            ]
        if details:
            row.append(escape(str(outcome.json_path or "")))
        table.add_row(*row)
    return table


def types_found(outcomes: list[FileOutcome]) -> Table:
    """Components per type over all files."""
    total: Counter[str] = Counter()
    for outcome in outcomes:
        total.update(outcome.components or Counter())
    table = Table(title="Components by type", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("type")
    table.add_column("count", justify="right")
    for kind, count in sorted(total.items(), key=lambda item: (-item[1], item[0])):
        table.add_row(kind, str(count))
    return table


def print_report(outcomes: list[FileOutcome], settings: Settings, details: bool = False) -> None:
    """The summary, the components by type, where to review the results, then every warning
    and the count of failures."""
    console.print(summary(outcomes, settings, details))
    if any(outcome.components for outcome in outcomes):
        console.print(types_found(outcomes))
    done = [outcome.json_path for outcome in outcomes if outcome.json_path]
    if settings.report and done:
        from sld.review.report import report_path

        console.print(
            f"Check the results over the drawings: open {escape(str(report_path(done[0])))}"
            + (f" (and {len(done) - 1} more beside their results)" if len(done) > 1 else "")
            + " in a browser",
            soft_wrap=True,
            highlight=False,
        )
    for outcome in outcomes:
        for message in outcome.warnings:
            errors.print(f"[yellow]warning[/yellow] {escape(message)}")
    failed = sum(1 for outcome in outcomes if outcome.error)
    if failed:
        errors.print(f"[red]{failed} of {len(outcomes)} file(s) failed[/red]")


def check_before_digitising(settings: Settings, engine: str) -> None:
    """Everything a run needs that can be checked without reading a page."""
    from sld.cli import checks

    checks.check_symbol_library(settings)
    checks.check_database(settings)
    if engine == "prefect":
        checks.check_prefect_server()
    checks.check_backends(settings)

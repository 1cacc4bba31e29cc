"""What each `sld` sub-command does. `cli.py` parses; these functions run and print."""

from __future__ import annotations

import argparse
import logging
import os
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sld.settings import Settings, load_settings

log = logging.getLogger(__name__)
console = Console()
errors = Console(stderr=True, soft_wrap=True)

EXAMPLE_QUERY = "SELECT type, count(*) AS n FROM components GROUP BY type ORDER BY n DESC, type"


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


def _engine(choice: str) -> str:
    if choice == "auto":
        return "prefect" if os.environ.get("PREFECT_API_URL") else "local"
    return choice


def _digitise_one(path: Path, settings: Settings, engine: str, progress: Progress) -> FileOutcome:
    from sld.pages.raster import InputError

    started = time.perf_counter()
    task = progress.add_task(path.name, total=None)

    def on_page(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    try:
        if engine == "prefect":
            from pipelines.flows import digitise_document

            document, json_path = digitise_document(
                path=str(path), settings=settings.model_dump(mode="json")
            )
        else:
            from sld.pipeline import digitise_file
            from sld.review.report import write_report_beside

            digitised = digitise_file(path, settings, on_page=on_page)
            document, json_path = digitised.document, digitised.json_path
            write_report_beside(document, json_path, settings, path)
    except InputError as error:
        return FileOutcome(path, time.perf_counter() - started, error=str(error))
    except Exception as error:  # one bad input never stops the others; the log has the trace
        log.exception("digitising %s failed", path)
        return FileOutcome(
            path, time.perf_counter() - started, error=f"{path}: {type(error).__name__}: {error}"
        )
    finally:
        progress.remove_task(task)
    pages = document.pages
    return FileOutcome(
        path=path,
        seconds=time.perf_counter() - started,
        pages=len(pages),
        components=Counter(c.type for p in pages for c in p.components),
        texts=sum(len(p.texts) for p in pages),
        linked=sum(1 for p in pages for t in p.texts if t.component_id),
        connections=sum(len(p.connections) for p in pages),
        json_path=json_path,
    )


def _summary(outcomes: list[FileOutcome], settings: Settings) -> Table:
    """One row per file, narrow enough for an 80-column terminal."""
    table = Table(title=f"Digitised into {settings.database_url}", title_justify="left")
    table.add_column("file", overflow="fold")
    for column in ("pages", "components", "texts", "linked", "connections", "s"):
        table.add_column(column, justify="right")
    table.add_column("result", overflow="fold")
    for outcome in outcomes:
        if outcome.error:
            table.add_row(outcome.path.name, *[""] * 5, f"{outcome.seconds:.1f}", "[red]failed")
            continue
        table.add_row(
            outcome.path.name,
            str(outcome.pages),
            str(sum((outcome.components or Counter()).values())),
            str(outcome.texts),
            str(outcome.linked),
            str(outcome.connections),
            f"{outcome.seconds:.1f}",
            str(outcome.json_path),
        )
    return table


def _types_found(outcomes: list[FileOutcome]) -> Table:
    """Components per type over all files."""
    total: Counter[str] = Counter()
    for outcome in outcomes:
        total.update(outcome.components or Counter())
    table = Table(title="Components by type", title_justify="left")
    table.add_column("type")
    table.add_column("count", justify="right")
    for kind, count in sorted(total.items(), key=lambda item: (-item[1], item[0])):
        table.add_row(kind, str(count))
    return table


def run_digitise(paths: list[Path], settings: Settings, engine: str = "auto") -> list[FileOutcome]:
    """Digitise files one after another with a progress bar; failures are collected, not raised."""
    from sld.pipeline import expand_inputs

    inputs = expand_inputs(paths)
    chosen = _engine(engine)
    outcomes: list[FileOutcome] = []
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=errors, transient=True) as progress:
        overall = progress.add_task(f"{len(inputs)} file(s)", total=len(inputs))
        for path in inputs:
            outcome = _digitise_one(path, settings, chosen, progress)
            if outcome.error:
                errors.print(f"[red]error[/red] {outcome.error}")
            outcomes.append(outcome)
            progress.advance(overall)
    return outcomes


def digitise(args: argparse.Namespace) -> int:
    settings = load_settings(
        database_url=args.database_url,
        detector=args.detector,
        ocr=args.ocr,
        dpi=args.dpi,
        output_dir=args.output_dir,
    )
    from sld.store import DatabaseUnavailableError, SchemaVersionError, open_database

    try:  # before any file: an unreachable or old database is one line, not one per file
        open_database(settings.database_url).dispose()
    except (DatabaseUnavailableError, SchemaVersionError) as error:
        errors.print(f"[red]error[/red] {error}")
        return 1
    outcomes = run_digitise(args.paths, settings, args.engine)
    console.print(_summary(outcomes, settings))
    if any(outcome.components for outcome in outcomes):
        console.print(_types_found(outcomes))
    done = [outcome.json_path for outcome in outcomes if outcome.json_path]
    if settings.report and done:
        from sld.review.report import report_path

        console.print(
            f"Check the results over the drawings: open {report_path(done[0])}"
            + (f" (and {len(done) - 1} more beside their results)" if len(done) > 1 else "")
            + " in a browser",
            soft_wrap=True,
            highlight=False,
        )
    failed = sum(1 for outcome in outcomes if outcome.error)
    if failed:
        errors.print(f"[red]{failed} of {len(outcomes)} file(s) failed[/red]")
    return 1 if failed or not outcomes else 0


def print_query(database_url: str, sql: str) -> None:
    import pandas as pd
    from sqlalchemy import text

    from sld.store import open_database

    engine = open_database(database_url)
    try:
        with engine.connect() as connection:
            frame = pd.read_sql(text(sql), connection)
    finally:
        engine.dispose()
    console.print(f"[bold]sql>[/bold] {sql}", soft_wrap=True, highlight=False)
    table = Table()
    for column in frame.columns:
        table.add_column(str(column))
    for row in frame.itertuples(index=False):
        table.add_row(*("" if value is None else str(value) for value in row))
    console.print(table)


def query(args: argparse.Namespace) -> int:
    settings = load_settings(database_url=args.database_url)
    print_query(settings.database_url, args.sql)
    return 0


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def demo(args: argparse.Namespace) -> int:
    """Generate one sample sheet, digitise it, show the components and answer a SQL query."""
    from sld.synth import generate_set

    console.print(f"[bold]1.[/bold] Generating a sample single-line diagram in {args.sample_dir}/")
    pdf = generate_set(args.sample_dir, count=1, seed=args.seed, scans=False)[0]
    console.print(
        f"[bold]2.[/bold] Digitising {pdf} into {args.database_url} and {args.output_dir}/"
    )
    settings = load_settings(database_url=args.database_url, output_dir=args.output_dir)
    outcomes = run_digitise([pdf], settings, engine="local")
    console.print(_summary(outcomes, settings))
    if outcomes[0].error:
        return 1
    from sld.document import Document

    document = Document.read(outcomes[0].json_path or Path())
    table = Table(title="Components found", title_justify="left")
    for column in ("id", "type", "name", "ratings", "score"):
        table.add_column(column)
    for component in document.pages[0].components:
        ratings = ", ".join(f"{k}={v}" for k, v in component.ratings.model_dump().items())
        table.add_row(
            component.id, component.type, component.name or "", ratings, f"{component.score:.2f}"
        )
    console.print(table)
    from sld.evaluate import evaluate_document

    scores = evaluate_document(Document.read(pdf.with_suffix(".json")), document)
    console.print(
        "Compared with the generator's ground truth: detection F1 "
        f"{_rate(scores.core_detection.f1)}, text F1 {_rate(scores.text.f1)}, "
        f"connections F1 {_rate(scores.connections.f1)}"
    )
    console.print("[bold]3.[/bold] Asking the database with SQL:")
    print_query(args.database_url, EXAMPLE_QUERY)
    console.print(
        'Try your own: sld query "SELECT name, power_kva FROM components WHERE power_kva > 100"'
        f" --db {args.database_url}",
        soft_wrap=True,
        highlight=False,
    )
    return 0


def synth(args: argparse.Namespace) -> int:
    from sld.synth import generate_set

    started = time.perf_counter()
    written = generate_set(
        args.out,
        args.count,
        args.seed,
        style=args.style,
        scans=not args.no_scans,
        pages=args.pages,
        house=args.house_style,
    )
    seconds = time.perf_counter() - started
    console.print(
        f"wrote {len(written)} drawing(s) with ground truth to {args.out} in {seconds:.1f} s"
    )
    return 0


def evaluate(args: argparse.Namespace) -> int:
    import json

    from sld.evaluate import evaluate_folders, format_report

    for folder in (args.gt, args.pred):
        if not folder.is_dir():
            errors.print(f"[red]error[/red] {folder}: no such folder")
            return 1
    report = evaluate_folders(args.gt, args.pred)
    print(format_report(report), end="")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")
    return 0


def schema(args: argparse.Namespace) -> int:
    from sld.store import write_schemas

    write_schemas(args.out)
    console.print(f"wrote {args.out}/document.schema.json and {args.out}/database.sql")
    return 0


def render(args: argparse.Namespace) -> int:
    from sld.document import Document
    from sld.pages.raster import InputError, load_page, open_source
    from sld.review.render import save_rendering

    document = Document.read(args.result)
    source = args.source or Path(document.source.path)
    if not 1 <= args.page <= len(document.pages):
        errors.print(
            f"[red]error[/red] {args.result} has {len(document.pages)} page(s), not {args.page}"
        )
        return 1
    try:
        page_image = load_page(open_source(source), args.page - 1, load_settings(dpi=args.dpi))
    except InputError as error:
        errors.print(f"[red]error[/red] {error} (give the drawing with --source)")
        return 1
    out = args.out or args.result.with_name(f"{args.result.stem}-page{args.page}.png")
    save_rendering(page_image, document.pages[args.page - 1], out, connections=args.connections)
    console.print(f"wrote {out}")
    return 0


def show_settings(args: argparse.Namespace) -> int:
    """Each setting as its environment variable, current value (env applied) and description."""
    current = load_settings()
    table = Table(title="Settings (environment variables; CLI flags override them)")
    for column in ("variable", "value", "meaning"):
        table.add_column(column, overflow="fold")
    for name, field in Settings.model_fields.items():
        value = getattr(current, name)
        shown = "(not set)" if value is None else str(value)
        table.add_row(f"SLD_{name.upper()}", shown, field.description or "")
    console.print(table)
    return 0

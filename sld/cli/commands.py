"""What each `sld` sub-command does. `main.py` parses; these functions run and print.

`sld digitise` lives in `digitise.py` and `sld query` in `query.py`; the checks made before work
starts are in `checks.py`. A mistake is raised as `UserError` and printed by `main` as one line.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sld.cli.errors import FAILED, UserError
from sld.settings import Settings, load_settings

if TYPE_CHECKING:
    from sld.document import Document

console = Console()

EXAMPLE_QUERY = "SELECT type, count(*) AS n FROM components GROUP BY type ORDER BY n DESC, type"


def digitise(args: argparse.Namespace) -> int:
    from sld.cli.digitise import (
        check_before_digitising,
        engine_for,
        find_inputs,
        print_report,
        run_digitise,
    )

    settings = load_settings(
        database_url=args.database_url,
        detector=args.detector,
        ocr=args.ocr,
        dpi=args.dpi,
        output_dir=args.output_dir,
        page_workers=args.page_workers,
    )
    inputs = find_inputs(args.paths, args.recursive)
    engine = engine_for(args.engine)
    check_before_digitising(settings, engine)
    outcomes = run_digitise(inputs, settings, engine, args.pages)
    print_report(outcomes, settings, details=args.details)
    return FAILED if any(outcome.error for outcome in outcomes) else 0


def query(args: argparse.Namespace) -> int:
    from sld.cli.checks import open_existing_database
    from sld.cli.query import print_query

    settings = load_settings(database_url=args.database_url)
    engine = open_existing_database(settings.database_url)
    try:
        print_query(engine, args.sql, args.format, console)
    finally:
        engine.dispose()
    return 0


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def demo(args: argparse.Namespace) -> int:
    """Generate one sample sheet, digitise it, show the components and answer a SQL query."""
    from sld.cli.checks import open_existing_database
    from sld.cli.digitise import check_before_digitising, print_report, run_digitise
    from sld.cli.query import print_query
    from sld.synth import generate_set

    settings = load_settings(database_url=args.database_url, output_dir=args.output_dir)
    check_before_digitising(settings, "local")
    console.print(f"[bold]1.[/bold] Generating a sample single-line diagram in {args.sample_dir}/")
    pdf = generate_set(args.sample_dir, count=1, seed=args.seed, scans=False)[0]
    console.print(
        f"[bold]2.[/bold] Digitising {pdf} into {args.database_url} and {args.output_dir}/"
    )
    outcomes = run_digitise([pdf], settings)
    print_report(outcomes, settings)
    if outcomes[0].error:
        return FAILED
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
    engine = open_existing_database(args.database_url)
    try:
        print_query(engine, EXAMPLE_QUERY, "table", console)
    finally:
        engine.dispose()
    console.print(
        'Try your own: sld query "SELECT name, power_kva FROM components WHERE power_kva > 100"'
        f" --db {args.database_url}",
        soft_wrap=True,
        highlight=False,
    )
    return 0


def synth(args: argparse.Namespace) -> int:
    from sld.synth import generate_set

    if args.count < 1 or args.pages < 1:
        raise UserError(f"--count and --pages must be 1 or more (got {args.count}, {args.pages})")
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
    files = f"{len(written)} vector PDF(s)"
    if not args.no_scans:
        files += f" and {len(written)} scan(s) of them (NAME-scan.pdf)"
    console.print(
        f"wrote {len(written)} drawing(s) to {args.out} in {seconds:.1f} s: {files}, each with "
        "its ground truth (.json, .graph.json)",
        highlight=False,
        soft_wrap=True,
    )
    return 0


def evaluate(args: argparse.Namespace) -> int:
    import json

    from sld.evaluate import evaluate_folders, format_report

    for folder in (args.gt, args.pred):
        if not folder.is_dir():
            raise UserError(f"{folder}: no such folder (from {Path.cwd()})")
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


def _read_result(path: Path) -> Document:
    """A result JSON, or `UserError` saying why it cannot be one."""
    from pydantic import ValidationError

    from sld.document import Document

    if not path.is_file():
        raise UserError(f"{path}: no such result file (from {Path.cwd()})")
    try:
        return Document.read(path)
    except (ValidationError, UnicodeDecodeError) as error:
        raise UserError(
            f"{path}: not a result written by sld digitise ({type(error).__name__})"
        ) from error


def render(args: argparse.Namespace) -> int:
    from sld.cli.lookup import find_drawing
    from sld.pages.raster import load_page, open_source
    from sld.review.render import save_rendering

    document = _read_result(args.result)
    pages = {page.index + 1: page for page in document.pages}
    if args.page not in pages:
        numbers = ", ".join(map(str, pages)) or "none"
        raise UserError(
            f"{args.result} holds no page {args.page}; its pages are: {numbers} (--page N)"
        )
    source = args.source or find_drawing(args.result, document)
    page_image = load_page(open_source(source), args.page - 1, load_settings(dpi=args.dpi))
    out = args.out or args.result.with_name(f"{args.result.stem}-page{args.page}.png")
    save_rendering(page_image, pages[args.page], out, connections=args.connections)
    console.print(f"wrote {escape(str(out))}", highlight=False, soft_wrap=True)
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

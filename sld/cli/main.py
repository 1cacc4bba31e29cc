"""The `sld` command. Sub-commands import what they need when they run: `sld --help` is instant."""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from sld import __version__
from sld.cli import errors
from sld.cli import review as review_cli
from sld.cli import symbols as symbols_cli
from sld.cli import train as train_cli


def _add_backend_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", dest="database_url", help="database URL (default: sqlite:///sld.db)"
    )
    parser.add_argument("--detector", help="symbol detector: template (default), rex-omni, ...")
    parser.add_argument("--ocr", help="text engine: auto (default), pdf-text, rapidocr, none, ...")
    parser.add_argument("--dpi", type=int, help="rasterisation DPI (default 200)")


def _house_style(text: str) -> int:
    """A house-style number, or the name of another office's style ('foreign', 'held-out')."""
    from sld.synth.symbols import office_house

    try:
        return int(text)
    except ValueError:
        pass
    try:
        return office_house(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{error}; or give a house number") from None


def parse_pages(text: str) -> list[int]:
    """`"3"`, `"1-3,5"` -> the 0-based page indexes [2] or [0, 1, 2, 4]; ValueError otherwise."""
    chosen: set[int] = set()
    for part in text.split(","):
        numbers = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", part)
        if numbers is None:
            raise ValueError(f"expected page numbers like 3 or 1-3,5, got {text!r}")
        low = int(numbers.group(1))
        high = int(numbers.group(2) or low)
        if low < 1 or high < low:
            raise ValueError(f"pages count from 1 and a range goes upwards, got {text!r}")
        chosen.update(range(low - 1, high))
    return sorted(chosen)


def _pages(text: str) -> list[int]:
    """`--pages 1-3,5` as 0-based page indexes, for argparse."""
    try:
        return parse_pages(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sld",
        description="Digitise electrical single-line diagrams: PDF in, components, ratings, "
        "text and connectivity out, in JSON and a SQL database.",
    )
    parser.add_argument("--version", action="version", version=f"sld {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    digitise = commands.add_parser(
        "digitise", help="digitise PDFs or images into JSON and the database"
    )
    digitise.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    digitise.add_argument("--out", dest="output_dir", type=Path, help="JSON folder (default out/)")
    digitise.add_argument(
        "-r", "--recursive", action="store_true", help="also digitise the drawings in sub-folders"
    )
    digitise.add_argument(
        "--pages",
        type=_pages,
        metavar="N[-M],...",
        help="only these pages of each file, from 1: 3 or 1-3,5 (default: every page)",
    )
    digitise.add_argument(
        "--page-workers",
        type=int,
        metavar="N",
        help="pages of one file at once, in threads (default 1, SLD_PAGE_WORKERS); pays with "
        "a model server, costs a page's memory each",
    )
    digitise.add_argument(
        "--details", action="store_true", help="show where each result went in the summary"
    )
    _add_backend_options(digitise)
    digitise.add_argument(
        "--engine",
        choices=["auto", "local", "prefect"],
        default="auto",
        help="local: run the stages in this process; prefect: run the Prefect flow (tracked "
        "in the Prefect server). auto: prefect when PREFECT_API_URL is set, else local",
    )

    demo = commands.add_parser(
        "demo", help="generate a sample SLD, digitise it and query the database"
    )
    demo.add_argument("--out", dest="output_dir", type=Path, default=Path("out"))
    demo.add_argument("--sample-dir", type=Path, default=Path("sample"))
    demo.add_argument("--db", dest="database_url", default="sqlite:///sld.db")
    demo.add_argument("--seed", type=int, default=7)

    synth = commands.add_parser("synth", help="generate synthetic SLDs with ground truth")
    synth.add_argument("--out", type=Path, required=True, help="output folder")
    synth.add_argument("--count", type=int, default=10)
    synth.add_argument("--seed", type=int, default=0)
    synth.add_argument("--style", choices=["iec", "ansi", "mixed"], default="mixed")
    synth.add_argument("--pages", type=int, default=1, help="pages per document")
    synth.add_argument("--no-scans", action="store_true", help="skip the scanned variants")
    synth.add_argument(
        "--house-style",
        type=_house_style,
        metavar="N",
        help="draw each symbol type one way in every drawing (house style N), as one office does; "
        "'foreign' and 'held-out' draw the core types as two other offices do, which the "
        "built-in library does not hold",
    )

    evaluate = commands.add_parser("eval", help="score results against ground truth")
    evaluate.add_argument("--gt", type=Path, required=True, help="ground-truth folder")
    evaluate.add_argument("--pred", type=Path, required=True, help="results folder")
    evaluate.add_argument("--json", type=Path, help="also write the scores as JSON here")

    query = commands.add_parser(
        "query",
        help="run a SQL query on the result database",
        description="Run one SQL statement on an existing result database and print its rows "
        "(NULL as an empty cell, null in JSON). The statement is rolled back: query only reads.",
    )
    query.add_argument("sql", help='e.g. "SELECT type, count(*) FROM components GROUP BY type"')
    query.add_argument("--db", dest="database_url", help="database URL (default: sqlite:///sld.db)")
    query.add_argument(
        "--format",
        choices=["table", "csv", "json"],
        default="table",
        help="table for people (default), csv or json for programs",
    )

    render = commands.add_parser("render", help="draw a result over its page as a PNG")
    render.add_argument("result", type=Path, help="a result JSON written by sld digitise")
    render.add_argument("--page", type=int, default=1, help="page number, from 1")
    render.add_argument(
        "--source", type=Path, help="the drawing (default: the result's source.path)"
    )
    render.add_argument("--out", type=Path, help="PNG to write (default: next to the result)")
    render.add_argument("--dpi", type=int, default=100)
    render.add_argument(
        "--connections", action="store_true", help="also draw each connection as a line"
    )

    commands.add_parser(
        "settings", help="list every SLD_* setting with its current value and meaning"
    )
    from sld.cli.graph import add_graph_parser

    add_graph_parser(commands)
    from sld.cli.operations import add_operations_parsers

    add_operations_parsers(commands)

    schema = commands.add_parser("schema", help="write the JSON Schema and SQL DDL into a folder")
    schema.add_argument("--out", type=Path, default=Path("schemas"))

    symbols_cli.add_parser(commands)
    train_cli.add_parser(commands)
    review_cli.add_parsers(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        return errors.report(error, args.verbose)


def _run(args: argparse.Namespace) -> int:
    from sld.cli import commands

    if args.command == "graph":
        from sld.cli.graph import run_graph_command

        return run_graph_command(args)
    if args.command in ("inbox", "db"):
        from sld.cli.operations import run_db_command, run_inbox_command

        return run_inbox_command(args) if args.command == "inbox" else run_db_command(args)
    handler = {
        "digitise": commands.digitise,
        "demo": commands.demo,
        "synth": commands.synth,
        "eval": commands.evaluate,
        "query": commands.query,
        "schema": commands.schema,
        "render": commands.render,
        "settings": commands.show_settings,
        "symbols": symbols_cli.run,
        "train": train_cli.run,
        "report": review_cli.run,
        "corrections": review_cli.run,
        "export": review_cli.run,
    }[args.command]
    return handler(args)

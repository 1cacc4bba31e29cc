"""`sld report`, `sld corrections apply` and `sld export`: review a result, store a person's
corrections, and hand results to a data team.

`add_parsers` registers the sub-commands (called by `sld/cli/main.py`); `run` is their handler.
Heavy imports happen inside the handlers, so `sld --help` stays instant. Mistakes a user can
make (a missing file, a document the database lacks, corrections made on another result) end
in one line on stderr and exit code 2, as everywhere in `sld` (`sld.cli.errors`). A document is
found by its id or by any path to its drawing (`sld.cli.lookup`).
"""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path
from typing import Any

from rich.console import Console

from sld.cli.errors import USER_ERROR

console = Console(highlight=False)
errors = Console(stderr=True, soft_wrap=True, highlight=False)

EXPORT_FORMATS = ["csv", "xlsx", "graphml", "json"]


def add_parsers(commands: Any) -> None:
    """Register `report`, `corrections` and `export` on the `sld` command's sub-parsers."""
    report = commands.add_parser(
        "report",
        help="write the review page of a result (HTML, opens offline in a browser)",
        description="Write DOC's review page: each page with the components boxed by type, the "
        "texts and label links, a table of components, and what to check first. Corrections made "
        "on it are downloaded as a file for `sld corrections apply`.",
    )
    report.add_argument(
        "document", help="a result JSON, or a stored document's id or path as digitised"
    )
    report.add_argument("--source", type=Path, help="the drawing (default: the result's path)")
    report.add_argument("--out", type=Path, help="HTML file to write (default: beside the JSON)")
    report.add_argument(
        "--db", dest="database_url", help="database URL (default: sqlite:///sld.db)"
    )

    corrections = commands.add_parser(
        "corrections", help="store the corrections made on a review page"
    )
    actions = corrections.add_subparsers(
        dest="corrections_command", metavar="ACTION", required=True
    )
    apply = actions.add_parser(
        "apply",
        help="apply a downloaded corrections file to the database",
        description="Store what the person changed (and what the result said before, who, "
        "when), mark the document reviewed, derive the connections of the changed pages again "
        "from the drawing, and write the corrected JSON and review page.",
    )
    apply.add_argument("file", type=Path, help="the .corrections.json the review page saved")
    apply.add_argument("--db", dest="database_url", help="database URL (default: sqlite:///sld.db)")
    apply.add_argument("--source", type=Path, help="the drawing (default: the result's path)")
    apply.add_argument("--reviewer", help="who reviewed (default: the name in the file, else you)")
    apply.add_argument(
        "--learn",
        action="store_true",
        help="turn the boxes added or retyped into exemplars of the user symbol library",
    )
    apply.add_argument("--library", type=Path, help="user symbol library (or SLD_SYMBOL_LIBRARY)")
    apply.add_argument(
        "--out",
        dest="output_dir",
        type=Path,
        help="folder for the corrected JSON where the database records none (default out/); "
        "else the JSON it records is rewritten",
    )

    export = commands.add_parser(
        "export",
        help="export stored results as CSV, XLSX, GraphML or JSON",
        description="Components with ratings, texts and connections of one document, or of the "
        "whole database: CSV (one file per table, in a folder), XLSX (one sheet per table), "
        "GraphML (the connectivity graphs) or JSON (the results in the result format).",
    )
    export.add_argument(
        "document", nargs="?", help="a stored document's id or path (default: every document)"
    )
    # The keys of `sld.review.export.WRITERS`, written out so that `sld --help` needs no pandas.
    export.add_argument("--format", choices=EXPORT_FORMATS, required=True)
    export.add_argument("--out", type=Path, help="file (folder for csv) to write")
    export.add_argument(
        "--db", dest="database_url", help="database URL (default: sqlite:///sld.db)"
    )
    export.add_argument(
        "--reviewed",
        action="store_true",
        help="only documents a person reviewed (the labelled data training takes)",
    )


def run(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from sld.pages.raster import InputError
    from sld.review.corrections import CorrectionError
    from sld.store import DatabaseUnavailableError, DocumentNotFoundError, StaleReviewError

    handler = {"report": _report, "corrections": _apply, "export": _export}[args.command]
    try:
        return handler(args)
    except (
        InputError,
        CorrectionError,
        DocumentNotFoundError,
        StaleReviewError,
        DatabaseUnavailableError,
        ValueError,
    ) as error:
        if isinstance(error, ValidationError):
            raise
        hint = " (give the drawing with --source)" if isinstance(error, InputError) else ""
        errors.print(f"[red]error[/red] {error}{hint}")
        return USER_ERROR


def _report(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from sld.cli.checks import open_existing_database
    from sld.cli.lookup import find_document_id
    from sld.document import Document
    from sld.review.report import SUFFIX, report_path, write_report
    from sld.settings import load_settings
    from sld.store import ReviewState, load_document, review_state

    settings = load_settings(database_url=args.database_url)
    given = Path(args.document)
    state: ReviewState | None = None
    if given.suffix == ".json" and given.is_file():
        try:
            document = Document.read(given)
        except ValidationError as error:
            errors.print(
                f"[red]error[/red] {given}: not a result of sld digitise "
                f"({error.error_count()} problem(s), first: {error.errors()[0]['msg']})"
            )
            return 1
        out = args.out or report_path(given)
    else:
        engine = open_existing_database(settings.database_url)
        try:
            key = find_document_id(engine, args.document)
            document = load_document(engine, key)
            state = review_state(engine, key)
        finally:
            engine.dispose()
        out = args.out or settings.output_dir / f"{Path(document.source.path).stem}{SUFFIX}"
    write_report(document, out, settings, drawing=args.source, state=state)
    size = out.stat().st_size / 1e6
    console.print(f"wrote {out} ({size:.1f} MB): open it in a browser")
    return 0


def _apply(args: argparse.Namespace) -> int:
    from sld.cli.checks import open_existing_database
    from sld.pipeline import result_path
    from sld.review.corrections import CorrectionsFile, apply_corrections
    from sld.review.learn import learn_exemplars
    from sld.review.reconnect import reconnect_pages
    from sld.review.report import report_path, write_report
    from sld.settings import load_settings
    from sld.store import (
        Review,
        document_records,
        load_by_sha256,
        load_graphs,
        record_learned,
        review_state,
        save_review,
    )

    settings = load_settings(
        database_url=args.database_url, symbol_library=args.library, output_dir=args.output_dir
    )
    if args.learn and settings.symbol_library is None:
        raise ValueError(
            "--learn needs the user symbol library to write into: give --library FOLDER or set "
            "SLD_SYMBOL_LIBRARY (the folder the next `sld digitise` reads)"
        )
    corrections = CorrectionsFile.read(args.file)
    reviewer = args.reviewer or corrections.reviewer or getpass.getuser()
    engine = open_existing_database(settings.database_url)
    try:
        document = load_by_sha256(engine, corrections.document.sha256)
        applied = apply_corrections(document, corrections, reviewer)
        drawing = args.source or Path(document.source.path)
        if applied.reshaped_pages:
            pages = ", ".join(str(index + 1) for index in sorted(applied.reshaped_pages))
            errors.print(f"deriving the connections of page(s) {pages} again from {drawing} ...")
        graphs = reconnect_pages(
            applied.document,
            applied.reshaped_pages,
            drawing,
            settings,
            load_graphs(engine, document.source.path),
        )
        review_id = save_review(
            engine,
            applied.document,
            graphs,
            Review(
                reviewer=reviewer,
                based_on=corrections.result,
                corrections=applied.records,
                accepted_pages=applied.accepted_pages,
                corrections_file=str(args.file),
            ),
        )
        actions = ", ".join(
            f"{count} {action}" for action, count in _counts(applied.records).items()
        )
        console.print(
            f"stored {len(applied.records)} correction(s) of {document.source.path} by "
            f"{reviewer} (review {review_id}){': ' + actions if actions else ''}"
        )
        if args.learn:
            learned = learn_exemplars(applied.document, applied.taught, drawing, settings)
            record_learned(engine, review_id, [str(path) for path in learned])
            console.print(
                f"learned {len(learned)} exemplar(s) into {settings.symbol_library} from "
                f"{len(applied.taught)} box(es) added or retyped"
            )
        # The JSON the database records for this drawing, else where a new result would go.
        source = document.source
        recorded = document_records(engine, [source.sha256])
        json_path = (
            Path(recorded[0].json_path)
            if recorded and recorded[0].json_path
            else result_path(
                Path(Path(source.path).name), settings.output_dir, source.sha256, source.path
            )
        )
        applied.document.write(json_path)
        report = write_report(
            applied.document,
            report_path(json_path),
            settings,
            drawing=drawing,
            state=review_state(engine, document.source.path),
        )
        console.print(f"wrote {json_path} and {report}")
    finally:
        engine.dispose()
    return 0


def _counts(records: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in records:
        counts[record.action] = counts.get(record.action, 0) + 1
    return counts


def _export(args: argparse.Namespace) -> int:
    from sld.cli.checks import open_existing_database
    from sld.cli.lookup import find_document_id
    from sld.review.export import WRITERS, default_out, load_stored
    from sld.settings import load_settings

    settings = load_settings(database_url=args.database_url)
    engine = open_existing_database(settings.database_url)
    try:
        key = None if args.document is None else find_document_id(engine, args.document)
        stored = load_stored(engine, key, reviewed_only=args.reviewed)
        if not stored:
            which = "reviewed documents" if args.reviewed else "documents"
            errors.print(f"[red]error[/red] no {which} in the database at {settings.database_url}")
            return USER_ERROR
        out = args.out or default_out(stored, args.format, key is None)
        written = WRITERS[args.format](engine, stored, out, key is None)
    finally:
        engine.dispose()
    components = sum(len(p.components) for item in stored for p in item.document.pages)
    console.print(
        f"wrote {', '.join(str(path) for path in written)}: {len(stored)} document(s), "
        f"{components} component(s)"
    )
    return 0

"""`sld query SQL`: run one SQL statement on the result database and print its rows.

Rows are printed as a table for people, or as CSV or JSON for programs (`--format`). SQL NULL
is an empty cell in a table and in CSV, and `null` in JSON; values are printed as the database
gives them (no conversion through a data frame, which would print a missing number as `nan`
and an integer column with a gap as floats). The statement runs in a transaction that is rolled
back: `sld query` reads, it never changes the results.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError, StatementError

from sld.cli.errors import UserError, one_line

FORMATS = ("table", "csv", "json")


def run_query(engine: Engine, sql: str) -> tuple[list[str], list[Sequence[Any]]]:
    """The column names and rows that `sql` gives; `UserError` with the database's reason when
    the statement is wrong."""
    try:
        with engine.connect() as connection:
            result = connection.execute(text(sql))
            if not result.returns_rows:
                return [], []
            return list(result.keys()), [tuple(row) for row in result]
    except (DBAPIError, StatementError) as error:
        reason = error.orig if isinstance(error, DBAPIError) and error.orig else error
        first_line = str(reason).strip().splitlines()[0] if str(reason).strip() else ""
        raise UserError(
            f"the query failed: {one_line(first_line)}{_tables_hint(engine)}"
        ) from error


def _tables_hint(engine: Engine) -> str:
    """The tables and views a query can use, for the line that says a query failed."""
    inspector = inspect(engine)
    names = sorted(inspector.get_table_names()) + sorted(inspector.get_view_names())
    return f" (tables and views: {', '.join(names)})" if names else ""


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _json_value(value: Any) -> Any:
    """A value JSON can hold: numbers stay numbers, dates become ISO text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return value


def print_rows(
    columns: list[str], rows: list[Sequence[Any]], output_format: str, console: Console
) -> None:
    """The rows on stdout in `output_format` (table, csv or json)."""
    if output_format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_cell(value) for value in row] for row in rows)
    elif output_format == "json":
        records = [
            {column: _json_value(value) for column, value in zip(columns, row, strict=True)}
            for row in rows
        ]
        print(json.dumps(records, indent=1, ensure_ascii=False, default=str))
    else:
        table = Table()
        for index, column in enumerate(columns):
            numbers = all(isinstance(row[index], int | float | Decimal | None) for row in rows)
            table.add_column(column, overflow="fold", justify="right" if numbers else "left")
        for row in rows:
            table.add_row(*(_cell(value) for value in row))
        console.print(table)
        console.print(f"{len(rows)} row(s)", highlight=False)


def print_query(
    engine: Engine, sql: str, output_format: str = "table", console: Console | None = None
) -> None:
    """Run `sql` and print its rows; a table is headed by the statement."""
    console = console or Console()
    columns, rows = run_query(engine, sql)
    if output_format == "table":
        console.print(f"[bold]sql>[/bold] {sql}", soft_wrap=True, highlight=False, markup=True)
    print_rows(columns, rows, output_format, console)

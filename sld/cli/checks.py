"""Checks made before any work starts, so that a mistake costs seconds, not a rasterised page.

`sld digitise` checks its symbol library, its database, its backends (each is built once here,
and the same instance then serves every page) and, for the Prefect engine, the Prefect server.
The commands that read results (`sld query`, `sld graph export`) open only a database that
exists: opening a SQLite URL that points nowhere would silently create an empty database and
answer every question with nothing.

Each check raises `UserError` with one line: what is wrong, and what to do.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from sld.cli.errors import UserError, one_line
from sld.settings import Settings

#: How long the Prefect server may take to answer its health check.
PREFECT_TIMEOUT_S = 10.0

#: What the model backends need beyond the default install.
MODEL_EXTRAS = "pip install torch==2.13.0 (or your GPU's build), then pip install -e '.[rexomni]'"


def check_symbol_library(settings: Settings) -> None:
    """A user library that is set must be a folder; an empty one is allowed (it may fill up)."""
    folder = settings.symbol_library
    if folder is None or folder.is_dir():
        return
    what = "is a file, not a folder" if folder.exists() else "does not exist"
    raise UserError(
        f"the symbol library {folder} (--library / SLD_SYMBOL_LIBRARY) {what} "
        f"(from {Path.cwd()}). Cut a first exemplar into it with `sld symbols add TYPE "
        f"--from FILE --page N --bbox x0,y0,x1,y1 --library {folder}`, or unset "
        "SLD_SYMBOL_LIBRARY"
    )


def check_backends(settings: Settings) -> None:
    """The detector and the text engine that the settings name exist and start.

    Built through the same shared instances the stages use, so a model loads once, here.
    """
    from sld.registry import UnknownBackendError
    from sld.symbols.detectors import detector_for
    from sld.text.engines import text_reader_for

    for kind, name, where, build in (
        ("detector", settings.detector, "--detector / SLD_DETECTOR", detector_for),
        ("text engine", settings.ocr, "--ocr / SLD_OCR", text_reader_for),
    ):
        try:
            build(settings)
        except UnknownBackendError as error:
            raise UserError(f"{error} ({where})") from error
        except ImportError as error:
            raise UserError(
                f"the {kind} {name!r} needs {error.name or 'a package'}, which is not "
                f"installed: {MODEL_EXTRAS}"
            ) from error
        except Exception as error:  # a model folder that is not one, a hub that is offline...
            raise UserError(
                f"the {kind} {name!r} could not start ({where}): {type(error).__name__}: "
                f"{one_line(str(error))}"
            ) from error


def check_database(settings: Settings) -> None:
    """The result database opens (created if new); an unreachable server fails here."""
    open_database_or_explain(settings.database_url).dispose()


def open_database_or_explain(url: str) -> Engine:
    """`sld.store.open_database`, with a malformed URL or a missing driver as a `UserError`."""
    from sqlalchemy.exc import NoSuchModuleError

    from sld.store import DatabaseUnavailableError, open_database

    try:
        return open_database(url)
    except DatabaseUnavailableError as error:
        raise UserError(
            f"{error}. Check the URL (--db / SLD_DATABASE_URL), that the server is running, "
            "and that it lets this user in"
        ) from error
    except ArgumentError as error:
        raise UserError(
            f"{url!r} is not a database URL ({one_line(str(error))}); use sqlite:///FILE.db or "
            "postgresql+psycopg://user:password@host/database (--db / SLD_DATABASE_URL)"
        ) from error
    except (NoSuchModuleError, ImportError) as error:
        raise UserError(
            f"no driver for the database URL {_shown(url)}: for PostgreSQL, "
            "pip install -e '.[postgres]' and use postgresql+psycopg://..."
        ) from error


def open_existing_database(url: str) -> Engine:
    """The result database at `url`, which must exist: reading never creates an empty one."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise UserError(
            f"{url!r} is not a database URL; use sqlite:///FILE.db or "
            "postgresql+psycopg://user:password@host/database (--db / SLD_DATABASE_URL)"
        ) from error
    database = parsed.database or ""
    is_file = parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:")
    if is_file and not parsed.query.get("uri") and not Path(database).is_file():
        raise UserError(
            f"there is no database at {database} (from {Path.cwd()}): nothing has been "
            "digitised into it. Run `sld digitise ...` first, or give the database with --db "
            "or SLD_DATABASE_URL"
        )
    return open_database_or_explain(url)


def check_prefect_server() -> None:
    """The Prefect API that `PREFECT_API_URL` names answers (for `--engine prefect`).

    Any HTTP answer counts (a server that wants a key still answers); only a connection that
    fails or times out is the mistake. Asked over plain HTTP, as the variable says: Prefect's own
    client would read a settings snapshot taken when Prefect was first imported.
    """
    import httpx

    url = os.environ.get("PREFECT_API_URL")
    if not url:
        return  # Prefect starts a temporary server of its own
    try:
        httpx.get(f"{url.rstrip('/')}/health", timeout=PREFECT_TIMEOUT_S)
    except httpx.HTTPError as error:
        raise UserError(
            f"the Prefect server at PREFECT_API_URL={url} does not answer "
            f"({type(error).__name__}: {one_line(str(error))}). Start it with `prefect server "
            "start`, or unset PREFECT_API_URL to digitise in this process"
        ) from error


def _shown(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(malformed URL)"

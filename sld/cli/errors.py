"""How the command line answers a mistake: one line that says what is wrong and what to do.

A user's mistake (a bad setting, an unknown backend, a missing folder or database, bad SQL, no
input) is not a crash: `sld` prints `error: ...` on one line and exits with `USER_ERROR`. The
traceback is for the people who debug `sld`, so it is printed only with `-v`. An unexpected
exception gets one line too, saying that `-v` shows the traceback.
"""

from __future__ import annotations

import sys
import traceback

#: Exit code of a mistake the user can correct (argparse uses 2 for bad arguments too).
USER_ERROR = 2
#: Exit code when some inputs failed or something unexpected went wrong.
FAILED = 1


class UserError(Exception):
    """A mistake the user can correct; the message says what is wrong and what to do."""


def _mistakes() -> tuple[type[BaseException], ...]:
    """The library's exceptions that describe a user's mistake in their message.

    Imported here, when an error is being reported, so that `sld --help` stays instant.
    """
    from sld.pages.raster import InputError
    from sld.registry import UnknownBackendError
    from sld.settings import SettingsError
    from sld.store import DatabaseUnavailableError, DocumentNotFoundError, SchemaVersionError

    return (
        UserError,
        InputError,
        SettingsError,
        UnknownBackendError,
        DatabaseUnavailableError,
        SchemaVersionError,
        DocumentNotFoundError,
    )


def one_line(text: str) -> str:
    """The text with its line breaks and runs of spaces folded into single spaces."""
    return " ".join(text.split())


def report(error: Exception, verbose: int) -> int:
    """Print `error` as one line on stderr (after its traceback with `-v`); the exit code."""
    if verbose:
        traceback.print_exception(error, file=sys.stderr)
    if isinstance(error, _mistakes()):
        print(f"error: {one_line(str(error))}", file=sys.stderr)
        return USER_ERROR
    hint = "" if verbose else " (run again with -v to see the traceback)"
    print(
        f"error: unexpected {type(error).__name__}: {one_line(str(error))}{hint}", file=sys.stderr
    )
    return FAILED

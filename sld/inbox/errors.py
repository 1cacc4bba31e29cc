"""Which failures are the input's fault, which will pass, and which are sld's own.

The drop folder acts on the answer: a bad input goes to failed/ with its reason; a transient
failure (the database or model server away, a time-out, a lock) is retried with back-off and then
put back into the inbox for a later scan; anything else is a bug, kept in failed/ with its trace
so that it can be reported and retried (`sld inbox retry`) once fixed.
"""

from __future__ import annotations

from enum import Enum

import httpx
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from sld.pages.raster import InputError
from sld.store import DatabaseUnavailableError, SchemaVersionError


class FailureKind(Enum):
    BAD_INPUT = "bad input"
    TRANSIENT = "transient"
    INTERNAL = "internal error"


_TRANSIENT: tuple[type[BaseException], ...] = (
    DatabaseUnavailableError,
    # An operator must run `sld db upgrade`; the drawings wait in the inbox meanwhile.
    SchemaVersionError,
    OperationalError,  # "database is locked", a connection lost mid-transaction
    DisconnectionError,
    PoolTimeoutError,
    httpx.TransportError,  # the model server: refused, reset, timed out
    TimeoutError,
    ConnectionError,
)


def classify(error: BaseException) -> FailureKind:
    """What kind of failure `error` (or the error it was raised from) is."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, InputError):
            return FailureKind.BAD_INPUT
        if isinstance(seen, _TRANSIENT):
            return FailureKind.TRANSIENT
        if isinstance(seen, DBAPIError) and seen.connection_invalidated:
            return FailureKind.TRANSIENT
        if isinstance(seen, httpx.HTTPStatusError) and (
            seen.response.status_code == 429 or seen.response.status_code >= 500
        ):
            return FailureKind.TRANSIENT
        seen = seen.__cause__ or seen.__context__
    return FailureKind.INTERNAL


def is_transient(error: BaseException) -> bool:
    return classify(error) is FailureKind.TRANSIENT

"""What a stored result records about how it was made, so that a later run can tell it is stale.

A result depends on the drawing (its sha256), on the code (`PIPELINE_VERSION`) and on the settings
that shape it (`result_settings`: every setting except where results go and how servers are
reached). The nightly re-digitisation compares these with the stored ones.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sld.settings import Settings

#: Bump with every change that can alter a result (a detector, the linking costs, the grammar):
#: the nightly re-digitisation then reads every stored drawing again.
PIPELINE_VERSION = "2"

#: Settings that say where results go or how to reach a server, never what a result holds.
NOT_RESULT_SETTINGS = frozenset(
    {
        "database_url",
        "output_dir",
        "inbox_settle_s",
        "inbox_lease_s",
        "page_workers",
        "rexomni_device",
        "rexomni_batch_size",
        "rexomni_server_url",
        "rexomni_server_api_key",
        "rexomni_server_concurrency",
        "rexomni_server_timeout_s",
        "rexomni_server_retries",
    }
)


def result_settings(settings: Settings) -> dict[str, Any]:
    """The settings that shape a result, as JSON values, with the contents of the user's symbol
    library summarised by a hash (an exemplar added to it changes results as a setting would)."""
    chosen = {
        name: value
        for name, value in settings.model_dump(mode="json").items()
        if name not in NOT_RESULT_SETTINGS
    }
    if settings.symbol_library is not None and settings.symbol_library.is_dir():
        chosen["symbol_library_sha256"] = _folder_sha256(settings.symbol_library)
    return chosen


def settings_digest(chosen: dict[str, Any]) -> str:
    """A stable hash of `result_settings(...)`."""
    return hashlib.sha256(json.dumps(chosen, sort_keys=True).encode()).hexdigest()


def _folder_sha256(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class Provenance:
    """How a result was made and which JSON file holds it, saved with the document's rows."""

    pipeline_version: str = PIPELINE_VERSION
    settings: dict[str, Any] = field(default_factory=dict)
    json_path: str | None = None
    json_sha256: str | None = None

    @property
    def settings_digest(self) -> str:
        return settings_digest(self.settings)

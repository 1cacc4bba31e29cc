"""Digitising one claimed file, and moving it on by what happened.

`digitise_claim` is what a worker runs for one claim: it renews the lease while it works, skips
a drawing whose result is already stored by the same pipeline and settings, and ends with the
file in done/, in failed/ (a bad input, or a bug, with the reason), or back in the inbox (a
transient failure that the stage retries did not outlast). Moving the file on is the last thing
it does (the review page is written before), so that a file in done/ means its run has nothing
left to do: a run still called Running whose claim is gone has lost its process.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from pathlib import Path

from sld.inbox.claims import Claim, keep_alive
from sld.inbox.errors import FailureKind, classify
from sld.inbox.folder import Inbox
from sld.pages.raster import file_sha256
from sld.pipeline import PageMapper, StageRunner, digitise_file, run_directly
from sld.review.report import write_report_beside
from sld.settings import Settings
from sld.store import PIPELINE_VERSION, document_records, open_database, result_settings
from sld.store.provenance import settings_digest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClaimOutcome:
    """How one claim ended: `status` is done, already-stored, failed, returned or lost."""

    name: str
    status: str
    file: Path | None = None
    json_path: Path | None = None
    reason: str | None = None


def already_stored(path: Path, settings: Settings) -> Path | None:
    """The JSON of this drawing, when the database holds its result from this pipeline version
    and these settings and that JSON is on disk: nothing to digitise again.

    Opening the database checks it as `stages.check_store` does (reachable, schema current), so
    a file is never digitised into a store that cannot take it, and the check is not repeated:
    one task run and one connection less per drop-folder file."""
    sha256 = file_sha256(path)
    engine = open_database(settings.database_url)
    try:
        stored = document_records(engine, [sha256])
    finally:
        engine.dispose()
    wanted = settings_digest(result_settings(settings))
    for document in stored:
        if (
            document.pipeline_version == PIPELINE_VERSION
            and document.settings_digest == wanted
            and document.json_path
            and Path(document.json_path).is_file()
        ):
            return Path(document.json_path)
    return None


def digitise_claim(
    inbox: Inbox,
    claim: Claim,
    settings: Settings,
    run_stage: StageRunner = run_directly,
    renew_every_s: float = 10.0,
    map_pages: PageMapper | None = None,
) -> ClaimOutcome:
    """Digitise the claimed file into the database and JSON, then move it on (`run_stage` and
    `map_pages` as `digitise_file` takes them)."""
    name = claim.record.name
    with keep_alive(claim, renew_every_s) as lost:
        try:
            json_path = run_stage(already_stored, claim.file, settings)
            status = "already-stored"
            if json_path is None:
                digitised = digitise_file(
                    claim.file,
                    settings,
                    run_stage,
                    name=claim.name,
                    stored_as=inbox.done_path(claim),
                    map_pages=map_pages,
                    store_checked=True,
                )
                json_path, status = digitised.json_path, "done"
                run_stage(write_report_beside, digitised.document, json_path, settings, claim.file)
        except Exception as error:
            if lost.is_set():
                return ClaimOutcome(name, "lost", reason=str(error))
            return _after_failure(inbox, claim, error)
    if lost.is_set():
        return ClaimOutcome(name, "lost", json_path=json_path)
    try:
        moved = inbox.finish_done(claim)
    except FileNotFoundError:  # taken back between the last renewal and now
        return ClaimOutcome(name, "lost", json_path=json_path)
    return ClaimOutcome(name, status, file=moved, json_path=json_path)


def _after_failure(inbox: Inbox, claim: Claim, error: Exception) -> ClaimOutcome:
    name = claim.record.name
    kind = classify(error)
    if kind is FailureKind.BAD_INPUT and claim.changed_since_claimed():
        log.warning(
            "%s changed after it was claimed (still being copied?); back to the inbox", name
        )
        return ClaimOutcome(name, "returned", file=inbox.release(claim), reason="still changing")
    if kind is FailureKind.TRANSIENT:
        log.warning("%s: %s; back to the inbox for a later scan", name, error)
        return ClaimOutcome(name, "returned", file=inbox.release(claim), reason=str(error))
    if kind is FailureKind.BAD_INPUT:  # named as dropped, not by its place in processing/
        reason = "bad input: " + str(error).replace(str(claim.file), claim.record.name)
    else:
        trace = "".join(traceback.format_exception(error))
        reason = (
            f"internal error: {type(error).__name__}: {error}\n"
            "This is a fault in sld, not necessarily in the drawing: please report it with the "
            f"trace below; `sld inbox retry` tries the file again.\n\n{trace}"
        )
    log.error("%s failed (%s); moved to failed/", name, reason.splitlines()[0])
    return ClaimOutcome(name, "failed", file=inbox.finish_failed(claim, reason), reason=reason)

"""One claim on one drop-folder file: a folder in processing/ that holds the file and its record.

A claim is made by renaming the file into `processing/<id>/`: a rename on one file system is
atomic, so of two workers (or two scans) that try, exactly one gets the file. `claim.json` says
what the file was called and how it looked when claimed; its modification time is the lease's
heartbeat, renewed by `keep_alive` while a worker digitises it. A claim whose heartbeat is older
than the lease belongs to a dead worker and is taken back (`Inbox.take_back_expired`).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

RECORD = "claim.json"


class ClaimLost(RuntimeError):
    """The claim was taken back (its lease expired) while this worker still held it."""


@dataclass(frozen=True)
class ClaimRecord:
    """What claim.json holds."""

    #: The file's path relative to the inbox, as it was dropped (`a/plant.pdf`).
    name: str
    claimed_at: float
    #: Who claimed it: host and process, for `sld inbox status`.
    owner: str
    #: Size and modification time when claimed: a file that changes after its claim was still
    #: being written, and goes back to the inbox rather than to failed/.
    size: int
    mtime_ns: int
    #: The flow run that will digitise it, once submitted (the scan records it).
    run_id: str | None = None


@dataclass(frozen=True)
class Claim:
    """A claimed file: `folder` is `processing/<id>/`, the file is `folder / record.name`."""

    folder: Path
    record: ClaimRecord

    @property
    def id(self) -> str:
        return self.folder.name

    @property
    def file(self) -> Path:
        return self.folder / self.record.name

    @property
    def name(self) -> Path:
        return Path(self.record.name)

    def heartbeat_age(self, now: float | None = None) -> float:
        """Seconds since the lease was last renewed; infinite when the claim is gone."""
        try:
            renewed = (self.folder / RECORD).stat().st_mtime
        except FileNotFoundError:
            return float("inf")
        return (time.time() if now is None else now) - renewed

    def renew(self) -> None:
        """Renew the lease; `ClaimLost` when the claim was taken back."""
        try:
            os.utime(self.folder / RECORD)
        except FileNotFoundError:
            raise ClaimLost(f"the claim {self.id} on {self.record.name} was taken back") from None

    def with_run(self, run_id: str) -> Claim:
        """Record the flow run that will digitise the file (and renew the lease)."""
        record = ClaimRecord(**{**asdict(self.record), "run_id": run_id})
        write_record(self.folder, record)
        return Claim(self.folder, record)

    def changed_since_claimed(self) -> bool:
        """Whether the file grew or was touched after the claim: its writer was not done."""
        try:
            now = self.file.stat()
        except FileNotFoundError:
            return False
        return (now.st_size, now.st_mtime_ns) != (self.record.size, self.record.mtime_ns)


def write_record(folder: Path, record: ClaimRecord) -> None:
    partial = folder / f".{RECORD}.partial"
    partial.write_text(json.dumps(asdict(record)), encoding="utf-8")
    partial.replace(folder / RECORD)


def read_claim(folder: Path) -> Claim | None:
    """The claim in `folder`, or None when there is none (yet, or any more)."""
    try:
        record = json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
        return None
    return Claim(folder, ClaimRecord(**record))


@contextmanager
def keep_alive(claim: Claim, every_s: float) -> Iterator[threading.Event]:
    """Renew the claim's lease every `every_s` seconds while the block runs.

    Yields an event that is set if the claim was lost meanwhile (taken back after a stall longer
    than the lease): the caller then must not move the file on, another worker has it.
    """
    stop = threading.Event()
    lost = threading.Event()

    def beat() -> None:
        while not stop.wait(every_s):
            try:
                claim.renew()
            except ClaimLost:
                lost.set()
                return
            except OSError:  # a network file system's hiccup: try again at the next beat
                continue

    thread = threading.Thread(target=beat, name=f"lease-{claim.id}", daemon=True)
    claim.renew()
    thread.start()
    try:
        yield lost
    finally:
        stop.set()
        thread.join()

"""The drop folder's lifecycle: which files are ready, claiming them, and moving them on.

When is a file complete? A copy in progress keeps changing the file's modification time, and
a file renamed into place (how rsync, curl -o x.part && mv and most uploaders deliver) changes
its status-change time when it lands. A file is taken once both are older than the settle time,
so neither a slow copy nor a fresh rename is read half-written. Names that say "not finished"
(`.part`, `.tmp`, `.crdownload`, hidden files) are never taken. A file that still changes after
its claim goes back to the inbox, not to failed/ (`Claim.changed_since_claimed`).

Nothing is ever replaced: a file that meets another of the same name (a drawing dropped again,
a claim taken back while a new copy arrived) keeps both, the older under a name with a tag.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sld.inbox.claims import Claim, ClaimRecord, read_claim, write_record

#: Sub-folders of the inbox that are not drop places.
PROCESSING, DONE, FAILED = "processing", "done", "failed"

#: Endings of files that are still on their way in.
UNFINISHED_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload", ".filepart", ".download", "~")

ERROR_SUFFIX = ".error.txt"

#: A claim folder being taken back is renamed to this prefix first (one scan wins the rename).
_TAKEN = ".taken-"


def _age(path: Path) -> float:
    """Seconds since `path` last changed; 0 when it is gone (nothing to act on)."""
    try:
        return time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class ScanReport:
    """What one scan did: files claimed and submitted, claims taken back, files still settling."""

    submitted: list[str] = field(default_factory=list)
    taken_back: list[str] = field(default_factory=list)
    settling: list[str] = field(default_factory=list)
    #: Files claimed but whose submission failed: they went back to the inbox.
    not_submitted: list[str] = field(default_factory=list)
    #: Complete files left in the inbox for a later scan, because `max_claims` were out.
    held_back: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ClaimState:
    name: str
    claim_id: str
    age_s: float
    heartbeat_age_s: float
    owner: str
    run_id: str | None


@dataclass(frozen=True)
class InboxStatus:
    ready: list[str]
    settling: list[str]
    processing: list[ClaimState]
    done: int
    #: Failed file (relative to failed/) and the first line of its reason.
    failed: list[tuple[str, str]]


@dataclass(frozen=True)
class Inbox:
    """A drop folder at `root` (made with its sub-folders when missing)."""

    root: Path

    def __post_init__(self) -> None:
        for folder in (self.root, self.processing, self.done, self.failed):
            folder.mkdir(parents=True, exist_ok=True)

    @property
    def processing(self) -> Path:
        return self.root / PROCESSING

    @property
    def done(self) -> Path:
        return self.root / DONE

    @property
    def failed(self) -> Path:
        return self.root / FAILED

    # --- what is waiting -------------------------------------------------------------------

    def waiting(self, settle_s: float, now: float | None = None) -> tuple[list[Path], list[Path]]:
        """Dropped files as paths relative to the inbox: (ready to take, still settling); the
        ready ones in the order they arrived (the earliest last change first), so that a scan
        that may not take them all takes the longest waiting."""
        now = time.time() if now is None else now
        ready: list[tuple[float, Path]] = []
        settling: list[Path] = []
        for path in sorted(self._dropped()):
            try:
                status = path.stat()
            except FileNotFoundError:
                continue  # claimed by someone else meanwhile
            changed = max(status.st_mtime, status.st_ctime)
            if now - changed >= settle_s:
                ready.append((changed, path.relative_to(self.root)))
            else:
                settling.append(path.relative_to(self.root))
        return [name for _, name in sorted(ready)], settling

    def _dropped(self) -> list[Path]:
        found: list[Path] = []
        for folder, subfolders, files in os.walk(self.root):
            here = Path(folder)
            if here == self.root:
                subfolders[:] = [s for s in subfolders if s not in (PROCESSING, DONE, FAILED)]
            subfolders[:] = [s for s in subfolders if not s.startswith(".")]
            found += [
                here / name
                for name in files
                if not name.startswith(".") and not name.lower().endswith(UNFINISHED_SUFFIXES)
            ]
        return found

    # --- claims ----------------------------------------------------------------------------

    def claim(self, name: Path, owner: str | None = None) -> Claim | None:
        """Claim the dropped file `name` (relative to the inbox); None when another took it."""
        source = self.root / name
        folder = self.processing / f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
        (folder / name).parent.mkdir(parents=True)
        try:
            status = source.stat()
            record = ClaimRecord(
                name=name.as_posix(),
                claimed_at=time.time(),
                owner=owner or _owner(),
                size=status.st_size,
                mtime_ns=status.st_mtime_ns,
            )
            write_record(folder, record)
            source.rename(folder / name)  # atomic: of two claimers, one wins
        except FileNotFoundError:
            shutil.rmtree(folder, ignore_errors=True)
            return None
        return Claim(folder, record)

    def claims(self) -> list[Claim]:
        """Every claim in processing/, oldest first."""
        found = [read_claim(folder) for folder in sorted(self.processing.iterdir())]
        return [claim for claim in found if claim is not None]

    def claim_by_id(self, claim_id: str) -> Claim | None:
        return read_claim(self.processing / claim_id)

    def take_back_expired(
        self, lease_s: float, still_queued: Callable[[Claim], bool] | None = None
    ) -> list[str]:
        """Put the files of claims whose lease ran out back into the inbox; return their names.

        `still_queued(claim)` says whether the claim's flow run has not started yet (waiting for
        a worker): such a claim is kept and its lease renewed, since nobody can have renewed it.
        """
        taken: list[str] = []
        for folder in sorted(self.processing.iterdir()):
            claim = read_claim(folder)
            if folder.name.startswith(_TAKEN):
                # A scan that died while taking this claim back: finish its work.
                if _age(folder) > lease_s and claim is not None:
                    if (folder / claim.record.name).exists():
                        _move_keeping_both(
                            folder / claim.record.name, self.root / claim.name, "back"
                        )
                        taken.append(claim.record.name)
                    shutil.rmtree(folder, ignore_errors=True)
                continue
            if claim is None:
                # A claim folder with no record: a claimer died between mkdir and rename.
                if _age(folder) > lease_s:
                    self._take_over_and_return(folder, None)
                continue
            if claim.heartbeat_age() <= lease_s:
                continue
            if still_queued is not None and still_queued(claim):
                claim.renew()
                continue
            if self._take_over_and_return(folder, claim):
                taken.append(claim.record.name)
        return taken

    def _take_over_and_return(self, folder: Path, claim: Claim | None) -> bool:
        """Rename the claim folder away (atomic: one scan wins), then return its file."""
        grabbed = self.processing / f"{_TAKEN}{folder.name}-{uuid.uuid4().hex[:6]}"
        try:
            folder.rename(grabbed)
        except FileNotFoundError:
            return False
        if claim is not None and (grabbed / claim.record.name).exists():
            _move_keeping_both(grabbed / claim.record.name, self.root / claim.name, folder.name)
        shutil.rmtree(grabbed, ignore_errors=True)
        return claim is not None

    def scan(
        self,
        settle_s: float,
        lease_s: float,
        submit: Callable[[Claim], str],
        still_queued: Callable[[Claim], bool] | None = None,
        max_claims: int = 0,
    ) -> ScanReport:
        """Take back expired claims, then claim each ready file and `submit` it (which returns
        the id of the run that will digitise it). A file whose submission fails goes back.

        `max_claims` (0: no limit): files in processing/ at most, running or waiting for a
        worker; the other ready files stay in the inbox, oldest first in line, for a later
        scan. Two scans at once may each fill the gap they saw, so it is a bound give or take
        a scan's worth, not a lock.
        """
        report = ScanReport(taken_back=self.take_back_expired(lease_s, still_queued))
        ready, settling = self.waiting(settle_s)
        report.settling = [name.as_posix() for name in settling]
        if max_claims > 0:
            room = max(0, max_claims - len(self.claims()))
            report.held_back = [name.as_posix() for name in ready[room:]]
            ready = ready[:room]
        for name in ready:
            claim = self.claim(name)
            if claim is None:
                continue
            try:
                claim.with_run(submit(claim))
            except Exception:
                self.release(claim)
                report.not_submitted.append(name.as_posix())
                raise
            report.submitted.append(name.as_posix())
        return report

    # --- moving a claimed file on ----------------------------------------------------------

    def done_path(self, claim: Claim) -> Path:
        """Where the claimed file will rest once digitised: what the database records."""
        return (self.done / claim.name).resolve()

    def finish_done(self, claim: Claim) -> Path:
        """Move the file to done/ under its name; an older different file there is kept beside."""
        target = self.done / claim.name
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() and _sha256(target) != _sha256(claim.file):
            _move_keeping_both(target, target, f"replaced-{_sha256(target)[:8]}")
        os.replace(claim.file, target)  # same content, or nothing there
        shutil.rmtree(claim.folder)
        return target

    def finish_failed(self, claim: Claim, reason: str) -> Path:
        """Move the file to failed/ with FILE.error.txt beside it saying why."""
        target = _move_keeping_both(claim.file, self.failed / claim.name, claim.id)
        target.with_name(target.name + ERROR_SUFFIX).write_text(reason + "\n", encoding="utf-8")
        shutil.rmtree(claim.folder)
        return target

    def release(self, claim: Claim) -> Path:
        """Put the file back into the inbox for a later scan (a transient failure)."""
        target = _move_keeping_both(claim.file, self.root / claim.name, claim.id)
        shutil.rmtree(claim.folder)
        return target

    # --- for operators ---------------------------------------------------------------------

    def retry_failed(self, names: list[str] | None = None) -> list[Path]:
        """Move failed files (all, or those named relative to failed/) back into the inbox."""
        if names is None:
            chosen = [p for p in self.failed.rglob("*") if p.is_file() and not _is_reason(p)]
        else:
            chosen = [self.failed / name for name in names]
            missing = [str(p.relative_to(self.failed)) for p in chosen if not p.is_file()]
            if missing:
                raise FileNotFoundError(f"not in {self.failed}: {', '.join(missing)}")
        moved = []
        for path in sorted(chosen):
            name = path.relative_to(self.failed)
            moved.append(_move_keeping_both(path, self.root / name, "retried"))
            path.with_name(path.name + ERROR_SUFFIX).unlink(missing_ok=True)
        return moved

    def status(self, settle_s: float) -> InboxStatus:
        ready, settling = self.waiting(settle_s)
        now = time.time()
        failed = []
        for path in sorted(self.failed.rglob("*")):
            if path.is_file() and not _is_reason(path):
                reason_file = path.with_name(path.name + ERROR_SUFFIX)
                reason = reason_file.read_text(encoding="utf-8") if reason_file.exists() else ""
                first = reason.strip().splitlines()[0] if reason.strip() else "(no reason kept)"
                failed.append((path.relative_to(self.failed).as_posix(), first))
        return InboxStatus(
            ready=[name.as_posix() for name in ready],
            settling=[name.as_posix() for name in settling],
            processing=[
                ClaimState(
                    name=claim.record.name,
                    claim_id=claim.id,
                    age_s=now - claim.record.claimed_at,
                    heartbeat_age_s=claim.heartbeat_age(now),
                    owner=claim.record.owner,
                    run_id=claim.record.run_id,
                )
                for claim in self.claims()
            ],
            done=sum(1 for p in self.done.rglob("*") if p.is_file()),
            failed=failed,
        )


def _is_reason(path: Path) -> bool:
    return path.name.endswith(ERROR_SUFFIX)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _move_keeping_both(source: Path, target: Path, tag: str) -> Path:
    """Move `source` to `target`, or, when something is there, beside it as `stem.TAG.suffix`
    (numbered if that is taken too); never replaces a file. Returns where it went."""
    target.parent.mkdir(parents=True, exist_ok=True)
    candidates = [target] + [
        target.with_name(f"{target.stem}.{tag}{'' if n == 0 else f'-{n}'}{target.suffix}")
        for n in range(100)
    ]
    for candidate in candidates:
        if candidate == source:
            continue
        try:
            os.link(source, candidate)  # fails if the name is taken: no file is replaced
        except FileExistsError:
            continue
        except OSError:  # a file system without hard links: check, then rename
            if candidate.exists():
                continue
            source.rename(candidate)
            return candidate
        source.unlink()
        return candidate
    raise FileExistsError(f"no free name for {source} beside {target}")

"""The drop folder: files taken only when complete, claimed by one worker, never lost.

    inbox/            drop drawings here (sub-folders too)
    inbox/processing/ one folder per claim: the file, and claim.json whose age is the lease
    inbox/done/       digitised (the result is in the database and the JSON)
    inbox/failed/     the input itself is bad: the file and FILE.error.txt saying why

`Inbox.scan` claims settled files; `digitise_claim` digitises one claim and moves it on. A
transient failure (database, model server, time-out) puts the file back into the inbox, never
into failed/; a claim whose worker died is taken back after its lease. Nothing here imports
Prefect: `pipelines/flows.py` runs these functions as flows on workers.
"""

from sld.inbox.claims import Claim, ClaimLost, keep_alive
from sld.inbox.errors import FailureKind, classify
from sld.inbox.folder import Inbox, InboxStatus, ScanReport
from sld.inbox.process import ClaimOutcome, digitise_claim

__all__ = [
    "Claim",
    "ClaimLost",
    "ClaimOutcome",
    "FailureKind",
    "Inbox",
    "InboxStatus",
    "ScanReport",
    "classify",
    "digitise_claim",
    "keep_alive",
]

"""The drop folder: files taken only when complete, claimed by one worker, never lost.

    inbox/            drop drawings here (sub-folders too)
    inbox/processing/ one folder per claim: the file, and claim.json whose age is the lease
    inbox/done/       digitised (the result is in the database and the JSON)
    inbox/failed/     the input itself is bad: the file and FILE.error.txt saying why

`Inbox.scan` claims settled files; `digitise_claim` digitises one claim and moves it on. A
transient failure (database, model server, time-out) puts the file back into the inbox, never
into failed/; a claim whose worker died is taken back after its lease. Nothing here imports
Prefect: `pipelines/scan.py` and `pipelines/flows.py` run these functions as flows on workers.

The package exports the folder and its claims only, which import nothing heavy, because a scan
starts a fresh process every 30 s; the digitising side is in `sld.inbox.process`
(`digitise_claim`) and `sld.inbox.errors` (`classify`: bad input or transient failure).
"""

from sld.inbox.claims import Claim, ClaimLost, keep_alive
from sld.inbox.folder import Inbox, InboxStatus, ScanReport

__all__ = [
    "Claim",
    "ClaimLost",
    "Inbox",
    "InboxStatus",
    "ScanReport",
    "keep_alive",
]

"""`sld inbox status|retry` and `sld db upgrade`: what an operator of the drop folder runs.

Kept apart from `sld.cli.commands`: the drop folder's lifecycle is `sld.inbox`, the migrations
`sld.store.migrate`; these commands only show and move. A mistake (no such folder, a name not in
failed/, a database that cannot be reached) is a `UserError`: one line and exit code 2, as for
every command.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sld.cli.errors import UserError


def add_operations_parsers(commands: Any) -> None:
    """Add `inbox status|retry` and `db upgrade` to the `sld` command's sub-parsers."""
    inbox = commands.add_parser("inbox", help="the drop folder: what waits, runs, is done, failed")
    actions = inbox.add_subparsers(dest="inbox_command", metavar="ACTION", required=True)
    status = actions.add_parser("status", help="files waiting, in progress, done and failed")
    status.add_argument("folder", type=Path, help="the drop folder")
    retry = actions.add_parser("retry", help="put failed files back into the drop folder")
    retry.add_argument("folder", type=Path, help="the drop folder")
    retry.add_argument("names", nargs="*", help="files under failed/ (default: all of them)")

    database = commands.add_parser("db", help="the result database's migrations")
    db_actions = database.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_actions.add_parser("upgrade", help="bring the database to this sld's revision")
    upgrade.add_argument(
        "--db", dest="database_url", help="database URL (default: SLD_DATABASE_URL)"
    )


def run_inbox_command(args: argparse.Namespace) -> int:
    from sld.inbox import Inbox

    if not args.folder.is_dir():
        raise UserError(f"{args.folder}: no such folder; give the drop folder")
    inbox = Inbox(args.folder)
    if args.inbox_command == "retry":
        try:
            moved = inbox.retry_failed(args.names or None)
        except FileNotFoundError as error:
            raise UserError(f"{error} (see `sld inbox status {args.folder}`)") from error
        for path in moved:
            print(f"back in the drop folder: {path.relative_to(inbox.root)}")
        print(f"{len(moved)} file(s) will be taken by the next scan")
        return 0
    return _print_status(inbox)


def _print_status(inbox: Any) -> int:
    from sld.settings import load_settings

    settings = load_settings()
    found = inbox.status(settings.inbox_settle_s)
    print(f"drop folder {inbox.root}")
    print(f"  waiting:    {len(found.ready)} ready, {len(found.settling)} still arriving")
    print(f"  processing: {len(found.processing)}")
    for claim in found.processing:
        late = claim.heartbeat_age_s > settings.inbox_lease_s
        note = "  LEASE EXPIRED: the next scan takes it back" if late else ""
        print(
            f"    {claim.name}  claimed {claim.age_s:.0f} s ago by {claim.owner}, renewed "
            f"{claim.heartbeat_age_s:.0f} s ago, run {claim.run_id or '(not submitted)'}{note}"
        )
    print(f"  done:       {found.done}")
    print(f"  failed:     {len(found.failed)}")
    for name, reason in found.failed:
        print(f"    {name}: {reason}")
    if found.failed:
        print(f"  fix or replace them, then: sld inbox retry {inbox.root} [NAME ...]")
    return 0


def run_db_command(args: argparse.Namespace) -> int:
    from sld.settings import load_settings
    from sld.store import upgrade_database

    settings = load_settings(database_url=args.database_url)
    # An unreachable server or a revision this sld does not know: one line from `sld.cli.errors`.
    before, after = upgrade_database(settings.database_url)
    if before == after:
        print(f"the database is at revision {after}; nothing to do")
    else:
        print(f"upgraded the database from revision {before or 'none (new)'} to {after}")
    return 0

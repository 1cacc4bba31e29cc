"""The drop folder under load: N synthetic PDFs (half vector, half scanned) dropped at once into
the inbox of a Prefect server with 1, then 2 process workers, on a private PostgreSQL (the
drawings' database and, by default, the server's own).

    python -m benchmarks.inbox_load --count 200 --workers 1 2

For each worker count: a fresh database and server, the files dropped together, one scan asked
for (the schedule scans every 30 s too). The server's service settings and the scanner's polling
are those of docker/compose.yaml; the digitising workers poll every second. It checks that every
file ends in done/ exactly once, nothing in failed/ or processing/, and every drawing in the
database once; it reports documents
per minute (first drop to last file in done/), the speed-up of 2 workers over 1, and the median
and p95 latency per document (drop to done/, queueing included). Each worker runs one flow run at
a time, each in its own process, as `prefect worker start --limit 1` does. The work is CPU-bound:
on a machine with fewer free cores than workers, more workers cannot be faster. With `--pin`,
worker N is kept on core N (`taskset`), with its flow runs: each worker then has one core of
its own whatever the count, as a worker per core or per small machine would, and the speed-up
says how the work shares out, not how many cores one worker can keep busy (the server and the
database run on any core). Writes benchmarks/results/inbox_load.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from benchmarks.harness.operations import (
    Operations,
    compose_environment,
    machine_busy_seconds,
    tree_cpu_seconds,
    wait_until,
)
from benchmarks.harness.postgres import find_server_binaries, private_cluster
from sld.synth import generate_set

RESULTS = Path(__file__).parent / "results"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run_once(
    drawings: list[Path],
    workers: int,
    root: Path,
    timeout_s: float,
    pin: bool = False,
    prefect_database: str = "postgres",
) -> dict[str, Any]:
    bin_dir = find_server_binaries()
    if bin_dir is None:
        raise SystemExit("needs PostgreSQL's server binaries (Debian package postgresql)")
    with private_cluster(bin_dir) as database:
        prefect_url = None
        if prefect_database == "postgres":
            database.create_database("prefect")
            prefect_url = database.asyncpg_url("prefect")
        ops = Operations.start(
            root,
            database.url,
            prefect_database_url=prefect_url,
            inbox_settle_s="1",
            inbox_lease_s="120",
            # The scanner polls as docker/compose.yaml's does (scans come every 30 s).
            scanner_query_s=float(compose_environment("scanner")["PREFECT_WORKER_QUERY_SECONDS"]),
        )
        try:
            cores = os.cpu_count() or 1
            for n in range(workers):
                ops.start_worker(f"w{n + 1}", cores=str(n % cores) if pin else None)
            time.sleep(5)  # the workers register with the pool
            cpu_before = ops.cpu_seconds()
            database_before = tree_cpu_seconds(database.postmaster_pid())
            busy_before = machine_busy_seconds()
            dropped_at = time.time()
            for path in drawings:
                shutil.copy(path, ops.inbox / path.name)
            time.sleep(1.5)
            ops.scan()
            done = ops.inbox / "done"
            wait_until(
                lambda: (
                    len(list(done.glob("*.pdf"))) >= len(drawings)
                    or any((ops.inbox / "failed").glob("*.error.txt"))
                ),
                timeout_s,
                f"{len(drawings)} files in done/",
                every=2,
            )
            finished = {p.name: p.stat().st_ctime for p in done.glob("*.pdf")}
            busy = machine_busy_seconds() - busy_before
            cpu = {
                name: round(seconds - cpu_before.get(name, 0.0), 1)
                for name, seconds in ops.cpu_seconds().items()
            }
            cpu["database"] = round(
                tree_cpu_seconds(database.postmaster_pid()) - database_before, 1
            )
        finally:
            ops.close()
        engine = create_engine(database.url)
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT sha256 FROM documents")).all()
        engine.dispose()
    failed = sorted(p.name for p in (ops.inbox / "failed").glob("*.error.txt"))
    latencies = [finished[p.name] - dropped_at for p in drawings if p.name in finished]
    span = max(finished.values()) - dropped_at
    return {
        "workers": workers,
        "pinned_one_core_each": pin,
        "prefect_server_database": prefect_database,
        "documents": len(drawings),
        "in_done": len(finished),
        "in_failed": failed,
        "left_in_processing": len(list((ops.inbox / "processing").iterdir())),
        "database_documents": len(rows),
        "database_distinct": len({row[0] for row in rows}),
        "exactly_once": len(finished) == len(drawings) == len(rows) == len({r[0] for r in rows})
        and not failed,
        "seconds": round(span, 1),
        "documents_per_minute": round(60 * len(finished) / span, 2),
        "latency_median_s": round(statistics.median(latencies), 1),
        "latency_p95_s": round(percentile(latencies, 0.95), 1),
        "load_average_at_end": os.getloadavg(),
        # Where the cores went between the drop and the last file in done/, in CPU seconds per
        # document: the machine as a whole, the Prefect server, each worker with its flow runs
        # (the scanner is the worker of the scans queue) and the PostgreSQL cluster.
        "cpu_s_per_document": {
            "machine": round(busy / len(drawings), 2),
            **{name: round(seconds / len(drawings), 2) for name, seconds in cpu.items()},
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="documents (half of them scans)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seed", type=int, default=9500)
    parser.add_argument("--timeout", type=float, default=7200, help="seconds per run at most")
    parser.add_argument("--pin", action="store_true", help="worker N on core N only (taskset)")
    parser.add_argument(
        "--prefect-database",
        choices=["postgres", "sqlite"],
        default="postgres",
        help="where the Prefect server keeps its records: the cluster (as docker/compose.yaml "
        "does; the default) or its own SQLite file (Prefect's default)",
    )
    parser.add_argument("--json", type=Path, default=RESULTS / "inbox_load.json")
    args = parser.parse_args()
    # A TERM (a timeout, an operator) stops the servers and workers too, through the finally's.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="sld-inbox-load-") as scratch:
        root = Path(scratch)
        generate_set(root / "drawings", count=max(1, args.count // 2), seed=args.seed, scans=True)
        drawings = sorted((root / "drawings").glob("*.pdf"))[: args.count]
        print(f"{len(drawings)} drawings ({sum('scan' in p.name for p in drawings)} scans)")
        runs = []
        for workers in args.workers:
            run = run_once(
                drawings,
                workers,
                root / f"workers-{workers}",
                args.timeout,
                args.pin,
                args.prefect_database,
            )
            runs.append(run)
            print(json.dumps(run), flush=True)
    report: dict[str, Any] = {"runs": runs, "cpu_count": os.cpu_count()}
    by_workers = {run["workers"]: run for run in runs}
    if 1 in by_workers and 2 in by_workers:
        report["speedup_2_over_1"] = round(
            by_workers[2]["documents_per_minute"] / by_workers[1]["documents_per_minute"], 2
        )
        print(f"2 workers / 1 worker: {report['speedup_2_over_1']}x documents per minute")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()

"""An operator's set-up in processes on this machine: a Prefect server, the `sld` work pool with
the deployments of `pipelines/prefect.yaml`, and workers; for the load benchmark and fault tests.

Every process is started in its own session, so that `kill_worker` can SIGKILL a worker with the
flow run it is executing (a machine that dies), and `close` stops everything it started.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parents[2]
COMPOSE = PROJECT / "docker" / "compose.yaml"


def compose_environment(service: str, prefix: str = "PREFECT_") -> dict[str, str]:
    """The variables starting with `prefix` that docker/compose.yaml gives `service`, so that a
    set-up here runs the Prefect server and the scanner as the production layout does."""
    services = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]
    environment = services[service].get("environment", {})
    return {name: str(value) for name, value in environment.items() if name.startswith(prefix)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> list[int]:
    """The ids of the processes whose parent is `pid` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds used by a process and its descendants so far: the living ones as they stand,
    the exited ones through the waited-for children's times that the kernel adds to a parent."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += sum(int(value) for value in fields[11:15]) / tick  # utime stime cutime cstime
    return total + sum(tree_cpu_seconds(child) for child in _children(pid))


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent not idle since boot, all cores together."""
    tick = os.sysconf("SC_CLK_TCK")
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / tick


def wait_until(check: Callable[[], bool], seconds: float, what: str, every: float = 0.5) -> float:
    """Poll `check` until it holds; return the seconds it took, AssertionError after `seconds`."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if check():
            return time.monotonic() - started
        time.sleep(every)
    raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}")


@dataclass
class Operations:
    """The running set-up; `env` is what every process got (PREFECT_API_URL included)."""

    root: Path
    inbox: Path
    env: dict[str, str]
    logs: Path
    server: subprocess.Popen[bytes] | None = None
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    #: Other processes `close` stops (a `pipelines.serve`, say).
    others: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @classmethod
    def start(
        cls,
        root: Path,
        database_url: str,
        *,
        work_pool: bool = True,
        prefect_database_url: str | None = None,
        scanner_query_s: float | None = None,
        **sld_settings: str,
    ) -> Operations:
        """Start a Prefect server on a free port and, with `work_pool`, create the pool and
        register the deployments of prefect.yaml; no workers yet. The server keeps its own
        records in `prefect_database_url` (default: SQLite under the Prefect home), with the
        service settings that docker/compose.yaml gives it. The scanner asks for scans every
        `scanner_query_s` (default: every second, as the other workers, so that a test's scan
        starts at once)."""
        port = free_port()
        inbox = root / "inbox"
        inbox.mkdir(parents=True, exist_ok=True)
        logs = root / "logs"
        logs.mkdir(exist_ok=True)
        env = {
            **os.environ,
            # As an activated virtual environment would: the flow runs start as `python -m
            # prefect.engine` (pipelines/prefect.yaml), with this interpreter.
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "PREFECT_HOME": str(root / "prefect-home"),
            "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
            "PREFECT_UI_ENABLED": "false",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_LOGGING_LEVEL": "INFO",
            # Workers look for runs every second, not every ten (the default).
            "PREFECT_WORKER_QUERY_SECONDS": "1",
            "PREFECT_WORKER_PREFETCH_SECONDS": "1",
            "SLD_PROJECT_DIR": str(PROJECT),
            "SLD_DROP_FOLDER": str(inbox),
            "SLD_DATABASE_URL": database_url,
            "SLD_OUTPUT_DIR": str(root / "out"),
            **{f"SLD_{name.upper()}": value for name, value in sld_settings.items()},
        }
        if prefect_database_url:
            env["PREFECT_API_DATABASE_CONNECTION_URL"] = prefect_database_url
        setup = cls(root=root, inbox=inbox, env=env, logs=logs)
        # The server's service settings of docker/compose.yaml (how task runs are recorded,
        # when a queued run is late); its database is the one chosen here.
        server_tuning = {
            name: value
            for name, value in compose_environment("prefect-server").items()
            if name.startswith("PREFECT_SERVER_SERVICES_")
        }
        setup.server = setup.spawn(
            "server",
            [
                sys.executable,
                "-m",
                "prefect",
                "server",
                "start",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            server_tuning,
        )
        try:
            wait_until(setup._healthy, 120, "the Prefect server")
            if work_pool:
                setup.prefect("work-pool", "create", "sld", "--type", "process", "--overwrite")
                setup.prefect(
                    "--no-prompt", "deploy", "--prefect-file", "pipelines/prefect.yaml", "--all"
                )
                setup.start_worker("scanner", queue="scans", limit=2, query_s=scanner_query_s)
        except BaseException:
            setup.close()
            raise
        return setup

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(
                self.env["PREFECT_API_URL"] + "/health", timeout=2
            ) as answer:
                return bool(answer.status == 200)
        except OSError:
            return False

    def spawn(
        self, name: str, command: list[str], env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        """Start a process of the set-up (logged to logs/NAME.log), with `env` on top of the
        set-up's environment; `close` stops it."""
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(
            command,
            env={**self.env, **(env or {})},
            cwd=PROJECT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return process

    def prefect(self, *arguments: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "prefect", *arguments],
            env=self.env,
            cwd=PROJECT,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"prefect {' '.join(arguments)} failed:\n{done.stdout}\n{done.stderr}"
            )
        return done.stdout

    def start_worker(
        self,
        name: str,
        queue: str = "default",
        limit: int = 1,
        cores: str | None = None,
        query_s: float | None = None,
    ) -> None:
        """A process worker of the pool's `queue` that runs `limit` flow runs at a time.

        `cores` (a `taskset -c` list such as "1" or "0-3") keeps the worker and the flow runs it
        starts on those CPU cores, as if each worker had a machine of that size to itself.
        `query_s`: how often it asks the server for runs (default: the set-up's, one second)."""
        command = [sys.executable, "-m", "prefect", "worker", "start", "--pool", "sld"]
        if cores is not None:
            command = ["taskset", "-c", cores, *command]
        command += ["--type", "process", "--work-queue", queue, "--name", name]
        env = None if query_s is None else {"PREFECT_WORKER_QUERY_SECONDS": str(query_s)}
        self.workers[name] = self.spawn(name, [*command, "--limit", str(limit)], env)

    def kill_worker(self, name: str) -> None:
        """SIGKILL the worker and the flow runs it executes, as when its machine dies.

        The process worker starts each flow run in a session of its own, so the runs are found
        as the worker's children and killed with their process groups.
        """
        process = self.workers.pop(name)
        runs = _children(process.pid)
        for group in [process.pid, *runs]:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        process.wait(timeout=30)

    def scan(self) -> None:
        """Ask for a scan now, besides the scheduled ones."""
        self.prefect("deployment", "run", "scan-drop-folder/drop-folder")

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds so far of the server and of each worker with the flow runs it started."""
        used = {"server": tree_cpu_seconds(self.server.pid) if self.server else 0.0}
        for name, process in self.workers.items():
            used[name] = tree_cpu_seconds(process.pid)
        return {name: round(seconds, 1) for name, seconds in used.items()}

    def close(self) -> None:
        """Stop every process started here, flow runs of the workers included."""
        runs = [run for worker in self.workers.values() for run in _children(worker.pid)]
        for process in [*self.workers.values(), *self.others, self.server]:
            if process is not None and process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in [*self.workers.values(), *self.others, self.server]:
            if process is not None:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
        for group in runs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        self.workers.clear()

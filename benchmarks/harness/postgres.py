"""A private PostgreSQL server for one test session, started from the installed server binaries.

Used by the `postgres_url` fixture in conftest.py. The cluster lives in a fresh temporary folder,
listens only on 127.0.0.1 at a free port (its unix socket in the same folder, so it never meets a
system server), trusts local connections, and is stopped and deleted at the end. initdb and pg_ctl
refuse to run as root, so as root they run as the `postgres` user, who then owns the folder.
"""

from __future__ import annotations

import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

#: Where Debian and Ubuntu put the server binaries (they are not on PATH there).
DEBIAN_BIN_DIRS = "/usr/lib/postgresql/*/bin"

SUPERUSER = "sld"
DATABASE = "sld_test"


def find_server_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: the newest Debian install, else the one on PATH."""

    def major_version(bin_dir: Path) -> float:
        number = bin_dir.parent.name
        return float(number) if re.fullmatch(r"\d+(\.\d+)?", number) else -1.0

    for bin_dir in sorted(Path("/").glob(DEBIAN_BIN_DIRS.lstrip("/")), key=major_version)[::-1]:
        if (bin_dir / "initdb").is_file() and (bin_dir / "pg_ctl").is_file():
            return bin_dir
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl and Path(initdb).parent == Path(pg_ctl).parent:
        return Path(initdb).parent
    return None


@dataclass
class PrivateServer:
    """A running throwaway cluster: its URL, and stop/start for outage tests (same port)."""

    url: str
    port: int
    run_as: list[str]
    bin_dir: Path
    data: Path
    root: Path

    def stop(self) -> None:
        _run(
            [
                *self.run_as,
                str(self.bin_dir / "pg_ctl"),
                f"--pgdata={self.data}",
                "--mode=fast",
                "stop",
            ]
        )

    def start(self) -> None:
        _start(self.run_as, self.bin_dir, self.data, self.root, port=self.port)

    def create_database(self, name: str) -> None:
        """Add an empty database `name` to the cluster (as the Prefect server's own, say)."""
        import psycopg  # here, so that conftest imports without the `postgres` extra

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True
        ) as connection:
            connection.execute(f"CREATE DATABASE {name}")

    def asyncpg_url(self, database: str) -> str:
        """The `postgresql+asyncpg://` URL of `database` here, the driver Prefect's server uses."""
        return f"postgresql+asyncpg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def postmaster_pid(self) -> int:
        """The server's main process (the first line of its postmaster.pid), parent of every
        backend."""
        return int((self.data / "postmaster.pid").read_text().split()[0])


@contextmanager
def private_server(bin_dir: Path) -> Iterator[str]:
    """Start a throwaway cluster with one empty database; yield its `postgresql+psycopg://` URL."""
    with private_cluster(bin_dir) as server:
        yield server.url


@contextmanager
def private_cluster(bin_dir: Path) -> Iterator[PrivateServer]:
    """Start a throwaway cluster with one empty database; yield it (`.url`, `.stop()`, ...)."""
    root = Path(tempfile.mkdtemp(prefix="sld-postgres-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(root)
            raise RuntimeError(
                "running as root, and initdb refuses root, but there is no `postgres` user to run "
                "it as; install Debian's `postgresql` package or set SLD_TEST_POSTGRES_URL"
            ) from None
        os.chown(root, owner.pw_uid, owner.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    data = root / "data"
    server: PrivateServer | None = None
    try:
        _run(
            [
                *run_as,
                str(bin_dir / "initdb"),
                f"--pgdata={data}",
                f"--username={SUPERUSER}",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ]
        )
        port = _start(run_as, bin_dir, data, root)
        url = f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{port}/{DATABASE}"
        server = PrivateServer(url, port, run_as, bin_dir, data, root)
        server.create_database(DATABASE)
        yield server
    finally:
        if server is not None:
            subprocess.run(
                [*run_as, str(bin_dir / "pg_ctl"), f"--pgdata={data}", "--mode=fast", "stop"],
                capture_output=True,
                check=False,
            )
        shutil.rmtree(root, ignore_errors=True)


def _start(
    run_as: list[str], bin_dir: Path, data: Path, root: Path, attempts: int = 3, port: int = 0
) -> int:
    """Start the server on `port`, or on a free port (another if a process took it meanwhile)."""
    log = root / "server.log"
    chosen = port
    for _ in range(attempts):
        port = chosen or _free_port()
        # Durability is not wanted from a throwaway test server; these make it a good deal faster.
        options = (
            f"-p {port} -h 127.0.0.1 -k {shlex.quote(str(root))} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        command = [*run_as, str(bin_dir / "pg_ctl"), f"--pgdata={data}", f"--log={log}"]
        started = subprocess.run(
            [*command, "--wait", "--timeout=30", f"--options={options}", "start"],
            capture_output=True,
            text=True,
            check=False,
        )
        if started.returncode == 0:
            return port
    server_log = log.read_text(errors="replace") if log.exists() else "(no server log)"
    raise RuntimeError(f"PostgreSQL did not start in {data}:\n{started.stderr}\n{server_log}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _run(command: list[str]) -> None:
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise RuntimeError(
            f"{shlex.join(command)} failed ({finished.returncode}):\n"
            f"{finished.stdout}\n{finished.stderr}"
        )

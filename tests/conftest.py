"""Shared fixtures. The PostgreSQL server's workings live in benchmarks/harness/postgres.py."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import numpy as np
import pytest
from sqlalchemy.engine import make_url

from benchmarks.harness.postgres import find_server_binaries, private_server
from sld.pages.page import PageImage


def pytest_configure(config: pytest.Config) -> None:
    """Keep Prefect's state out of ~/.prefect: one private home per test process."""
    os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="sld-prefect-home-")
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ.pop("PREFECT_API_URL", None)
    # The temporary server says goodbye from an exit hook, after pytest has closed the stream
    # it would print to; at WARNING that line (and the traceback about the closed stream) goes.
    os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
    # The temporary server may start slowly on a loaded 2-core machine (20 s by default).
    os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "120"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database that the tests may fill and wipe, as a `postgresql+psycopg://` URL.

    `SLD_TEST_POSTGRES_URL` when set; else a private server started for this session from the
    installed binaries. Without them the tests skip, or fail when `SLD_REQUIRE_POSTGRES=1` (CI).
    """
    given = os.environ.get("SLD_TEST_POSTGRES_URL")
    if given:
        given_url = make_url(given)
        if given_url.drivername in ("postgresql", "postgres"):
            given_url = given_url.set(drivername="postgresql+psycopg")
        yield given_url.render_as_string(hide_password=False)
        return
    bin_dir = find_server_binaries()
    if bin_dir is None:
        message = (
            "no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin or on "
            "PATH: install Debian's `postgresql` package, or set SLD_TEST_POSTGRES_URL"
        )
        if os.environ.get("SLD_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"SLD_REQUIRE_POSTGRES=1 but {message}")
        pytest.skip(message)
    with private_server(bin_dir) as server_url:
        yield server_url


@pytest.fixture
def grid_page() -> PageImage:
    """A 640 x 480 pixel grey page at 144 dpi (2 pixels per point), ink in every tile.

    Cut into 320-pixel tiles that overlap by 64 it gives 3 x 2 tiles.
    """
    image = np.full((480, 640), 255, dtype=np.uint8)
    image[::40, :] = 0
    image[:, ::40] = 0
    return PageImage(
        source="grid.pdf", index=0, width_pt=320.0, height_pt=240.0, dpi=144.0, image=image
    )

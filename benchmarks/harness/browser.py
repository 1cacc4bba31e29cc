"""Headless Chromium driven through WebDriver, for the review page's tests and benchmark.

Selenium with Debian's chromedriver (packages `chromium` and `chromium-driver`, the same build)
rather than a hand-written DevTools-protocol client: Selenium is the well-kept, documented way to
click, drag, type, read the console and wait for downloads, and it still reaches the DevTools
protocol where WebDriver has no command (`execute_cdp_cmd`). The driver and the browser are the
installed ones, given by path, so Selenium Manager never tries to download either.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.harness.powsybl import CHROMIUM_FLAGS, find_chromium

#: The project's headless flags, less the one for printing to PDF: with it chromedriver never
#: finds the browser's first page ("unable to discover open pages").
WEBDRIVER_FLAGS = tuple(flag for flag in CHROMIUM_FLAGS if flag != "--no-pdf-header-footer")


def find_chromedriver() -> str | None:
    """`SLD_CHROMEDRIVER`, else `chromedriver` on PATH (Debian's chromium-driver puts it there)."""
    return os.environ.get("SLD_CHROMEDRIVER") or shutil.which("chromedriver")


def missing() -> str | None:
    """What is missing to drive a browser, as an install hint; None when both are there."""
    if find_chromium() is None:
        return "Chromium is not installed (Debian: apt-get install chromium chromium-driver)"
    if find_chromedriver() is None:
        return "chromedriver is not installed (Debian: apt-get install chromium-driver)"
    return None


@contextmanager
def chromium(downloads: Path | None = None, size: tuple[int, int] = (1600, 1100)) -> Iterator[Any]:
    """A headless Chromium with a fresh profile, its console log kept; files it downloads go
    into `downloads`. Quits on exit."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver = find_chromium(), find_chromedriver()
    if browser is None or driver is None:
        raise FileNotFoundError(missing())
    with tempfile.TemporaryDirectory(prefix="sld-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        window = f"--window-size={size[0]},{size[1]}"
        for flag in (*WEBDRIVER_FLAGS, f"--user-data-dir={profile}", window):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        session = webdriver.Chrome(options=options, service=Service(driver))
        try:
            if downloads is not None:
                session.execute_cdp_cmd(
                    "Browser.setDownloadBehavior",
                    {"behavior": "allow", "downloadPath": str(downloads.resolve())},
                )
            yield session
        finally:
            session.quit()


def console_errors(session: Any) -> list[str]:
    """The messages the page logged at error level (script errors, CSP refusals) since the
    last call."""
    return [entry["message"] for entry in session.get_log("browser") if entry["level"] == "SEVERE"]


def open_report(session: Any, path: Path, timeout: float = 20.0) -> float:
    """Load a review page and wait until its script is ready; the page's own load time in ms."""
    session.get(path.resolve().as_uri())
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = session.execute_script("return window.sldReport ? window.sldReport.loadedMs : null")
        if ready is not None:
            return float(ready)
        time.sleep(0.05)
    raise TimeoutError(f"{path}: the review page did not get ready in {timeout:.0f} s")


def wait_for_file(folder: Path, pattern: str, timeout: float = 20.0) -> Path:
    """The first file in `folder` matching `pattern` once its download has finished."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.glob(pattern) if not p.name.endswith(".crdownload")]
        if done:
            return done[0]
        time.sleep(0.1)
    raise TimeoutError(f"no {pattern} appeared in {folder} within {timeout:.0f} s")

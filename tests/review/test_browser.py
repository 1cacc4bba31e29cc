"""The review page in a real headless Chromium (Debian's chromium and chromium-driver).

Where `SLD_REQUIRE_BROWSER=1` (CI) a missing browser fails these tests; elsewhere they skip.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from benchmarks.harness import browser
from sld.cli.main import main
from sld.document import Document
from sld.review.report import render_report, report_path
from sld.settings import load_settings
from sld.synth import generate_set
from tests.review.sample import sample_document
from tests.review.test_report import HOSTILE

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def chromium(downloads: Path) -> Iterator[Any]:
    missing = browser.missing()
    if missing:
        if os.environ.get("SLD_REQUIRE_BROWSER") == "1":
            pytest.fail(f"SLD_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    with browser.chromium(downloads) as session:
        yield session


@pytest.fixture(scope="module")
def digitised(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Seed 25's vector sheet digitised into SQLite: (database, review page)."""
    work = tmp_path_factory.mktemp("browser")
    drawing = generate_set(work / "data", count=1, seed=25, scans=False)[0]
    database = work / "sld.db"
    out = work / "out"
    assert main(["digitise", str(drawing), "--out", str(out), "--db", f"sqlite:///{database}"]) == 0
    return database, report_path(out / f"{drawing.stem}.json")


def client_point(session: Any, x: float, y: float) -> tuple[int, int]:
    """Where the page point (x, y) is in the window, in CSS pixels."""
    found = session.execute_script(
        "const svg = document.getElementById('page'); const p = svg.createSVGPoint();"
        "p.x = arguments[0]; p.y = arguments[1];"
        "const q = p.matrixTransform(svg.getScreenCTM()); return [q.x, q.y];",
        x,
        y,
    )
    return round(found[0]), round(found[1])


def drag(session: Any, start: tuple[float, float], end: tuple[float, float]) -> None:
    actions = ActionBuilder(session)
    actions.pointer_action.move_to_location(*client_point(session, *start)).pointer_down()
    actions.pointer_action.move_to_location(*client_point(session, *end)).pointer_up()
    actions.perform()


def test_the_page_loads_and_the_boxes_sit_where_the_result_says(
    chromium: Any, digitised: tuple[Path, Path]
) -> None:
    _, page = digitised
    browser.open_report(chromium, page)
    assert browser.console_errors(chromium) == []
    result = Document.read(page.with_name(page.name.replace(".report.html", ".json")))
    drawn = chromium.execute_script(
        "const svg = document.getElementById('page').getBoundingClientRect();"
        "const out = {};"
        "for (const r of document.querySelectorAll('#page rect.component, #page rect.text')) {"
        "  const b = r.getBoundingClientRect();"
        "  out[r.dataset.id] = [b.left - svg.left, b.top - svg.top, b.right - svg.left,"
        "                       b.bottom - svg.top, svg.width]; }"
        "return out;"
    )
    items = [*result.pages[0].components, *result.pages[0].texts]
    assert set(drawn) == {item.id for item in items}
    for item in items:
        *box, width = drawn[item.id]
        scale = width / result.pages[0].width  # CSS pixels per point at this zoom
        assert [v / scale for v in box] == pytest.approx(list(item.bbox), abs=0.75), item.id
    rows = chromium.find_elements(By.CSS_SELECTOR, "#components tbody tr")
    assert len(rows) == len(result.pages[0].components)


def test_labels_holding_markup_show_as_text_and_run_nothing(chromium: Any, tmp_path: Path) -> None:
    document = sample_document(label=HOSTILE)
    document.pages[0].components[1].name = '<img src=x onerror="window.pwned = 3">'
    page = tmp_path / "hostile.report.html"
    page.write_text(render_report(document, {}, load_settings()), encoding="utf-8")
    browser.open_report(chromium, page)
    chromium.find_element(By.CSS_SELECTOR, 'rect.text[data-id="p0-t3"]').click()
    shown = chromium.find_element(By.CSS_SELECTOR, "#details dd:nth-of-type(2)").text
    assert shown == HOSTILE
    filter_box = chromium.find_element(By.ID, "filter")
    filter_box.send_keys("pwned")
    names = [td.text for td in chromium.find_elements(By.CSS_SELECTOR, "#components tbody td")]
    assert '<img src=x onerror="window.pwned = 3">' in names
    assert chromium.execute_script("return window.pwned === undefined") is True
    assert chromium.find_elements(By.CSS_SELECTOR, "img, #details script, #components script") == []
    assert browser.console_errors(chromium) == []


def test_a_correction_clicked_in_the_browser_ends_up_in_the_database(
    chromium: Any, digitised: tuple[Path, Path], downloads: Path
) -> None:
    database, page = digitised
    result = Document.read(page.with_name(page.name.replace(".report.html", ".json")))
    retyped, deleted = result.pages[0].components[0], result.pages[0].components[1]
    browser.open_report(chromium, page)
    chromium.find_element(By.ID, "reviewer").send_keys("Ada Lovelace", Keys.TAB)

    chromium.find_element(By.CSS_SELECTOR, f'rect.component[data-id="{retyped.id}"]').click()
    field = chromium.find_element(By.ID, "edit-type")
    field.clear()
    field.send_keys("surge_arrester", Keys.TAB)
    chromium.find_element(By.CSS_SELECTOR, f'rect.component[data-id="{deleted.id}"]').click()
    chromium.find_element(By.TAG_NAME, "body").send_keys(Keys.DELETE)
    chromium.find_element(By.ID, "mode-add").click()
    drag(chromium, (60.0, 60.0), (80.0, 90.0))

    # Reloading loses nothing: the corrections wait in the browser until downloaded.
    browser.open_report(chromium, page)
    assert "3 correction(s)" in chromium.find_element(By.ID, "notice").text
    chromium.find_element(By.ID, "download").click()
    file = browser.wait_for_file(downloads, "*.corrections.json")
    assert browser.console_errors(chromium) == []

    assert (
        main(
            [
                "corrections",
                "apply",
                str(file),
                "--db",
                f"sqlite:///{database}",
                "--out",
                str(page.parent),
            ]
        )
        == 0
    )
    with sqlite3.connect(database) as connection:
        stored = connection.execute(
            "SELECT action, target_id, made_by FROM corrections ORDER BY position"
        ).fetchall()
        types = dict(connection.execute("SELECT component_id, type FROM components").fetchall())
        reviewed = connection.execute("SELECT reviewed_by FROM documents").fetchone()
    assert stored == [
        ("retype", retyped.id, "Ada Lovelace"),
        ("delete", deleted.id, "Ada Lovelace"),
        ("add", "p0-r0", "Ada Lovelace"),
    ]
    assert types[retyped.id] == "surge_arrester" and deleted.id not in types
    assert types["p0-r0"] == "circuit_breaker"
    assert reviewed == ("Ada Lovelace",)

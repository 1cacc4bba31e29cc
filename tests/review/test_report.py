"""The review page as a file: what is marked to check first, escaping, pictures, size."""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sld.document import Document
from sld.pages.page import PageImage
from sld.review.report import (
    REASON_UNCONNECTED,
    REASON_UNLINKED_LABEL,
    check_first,
    page_picture,
    render_report,
    report_path,
    type_colour,
    write_report,
)
from sld.settings import load_settings
from sld.synth import generate_set
from tests.review.sample import sample_document

HOSTILE = '</script><script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'


def embedded_data(page: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="sld-data">(.*?)</script>', page, re.S)
    assert found is not None
    data: dict[str, object] = json.loads(found.group(1))
    return data


def test_check_first_marks_low_scores_symbols_unconnected_and_unlinked_labels() -> None:
    document = sample_document()
    page = document.pages[0]
    page.components[2] = page.components[2].model_copy(update={"type": "symbol"})
    checks = check_first(page, low_score=0.8)
    assert set(checks.components) == {"p0-c1", "p0-c2"}
    assert checks.components["p0-c1"] == ["low score (0.55)"]
    assert checks.components["p0-c2"][1:] == [REASON_UNCONNECTED]
    assert "symbol" in checks.components["p0-c2"][0]
    # "M1 75HP" reads as a designation and a rating but labels nothing; "MAIN BOARD" reads as
    # neither, so it is left alone.
    assert checks.texts == {"p0-t3": [REASON_UNLINKED_LABEL]}


def test_strings_from_the_drawing_cannot_end_the_data_or_open_markup() -> None:
    document = sample_document(label=HOSTILE)
    document.pages[0].components[1].name = "<b>Q1</b> & co"
    page = render_report(document, {}, load_settings())
    assert "<script>window.pwned" not in page
    assert "<img src=x" not in page
    assert "<b>Q1</b>" not in page
    # The data still holds the strings exactly, for the page to show as text.
    data = embedded_data(page)
    assert Document.model_validate(data["document"]) == document
    assert data["fingerprint"] == document.fingerprint()
    # Only the page's own script and style may run: a fresh nonce in the policy.
    policy = re.search(r"script-src 'nonce-([^']+)'", page)
    assert policy is not None
    assert page.count(f'nonce="{policy.group(1)}"') == 2
    assert render_report(document, {}, load_settings()).count(policy.group(1)) == 0


def test_a_hostile_file_name_is_escaped_in_the_title() -> None:
    document = sample_document()
    document.source.path = "drawings/<img src=x onerror=alert(1)>.pdf"
    page = render_report(document, {}, load_settings())
    assert "<title>&lt;img src=x onerror=alert(1)&gt;.pdf" in page
    assert "<img src=x" not in page


def _picture_kind(url: str) -> tuple[str, Image.Image]:
    kind, payload = url.split(";base64,")
    return kind, Image.open(io.BytesIO(base64.b64decode(payload)))


def test_line_art_stays_png_and_a_noisy_scan_becomes_webp() -> None:
    lines = np.full((400, 600), 255, dtype=np.uint8)
    lines[::20, :] = 0
    page = PageImage(source="a.pdf", index=0, width_pt=288, height_pt=192, dpi=150, image=lines)
    kind, picture = _picture_kind(page_picture(page))
    assert kind == "data:image/png" and picture.size == (600, 400)
    assert np.array_equal(np.asarray(picture.convert("L")), lines)
    noise = np.random.default_rng(0).integers(150, 256, (1000, 1500), dtype=np.uint8)
    scan = PageImage(source="a.pdf", index=0, width_pt=288, height_pt=192, dpi=150, image=noise)
    assert _picture_kind(page_picture(scan))[0] == "data:image/webp"


def test_types_keep_their_render_colour_and_others_get_a_stable_one() -> None:
    assert type_colour("transformer") == "#d62728"
    assert type_colour("contactor") == type_colour("contactor")
    assert type_colour("symbol") != type_colour("contactor")


@pytest.mark.slow
def test_the_report_of_an_a3_sheet_and_its_scan_stays_under_5_mb(tmp_path: Path) -> None:
    sheet = generate_set(tmp_path, count=1, seed=131, scans=True)[0]
    for pdf in (sheet, sheet.with_name(f"{sheet.stem}-scan.pdf")):
        truth = Document.read(pdf.with_suffix(".json"))
        out = write_report(
            truth, report_path(tmp_path / f"{pdf.stem}.json"), load_settings(), drawing=pdf
        )
        assert truth.pages[0].width > 1100  # A3 landscape, in points
        assert out.stat().st_size < 5_000_000, (pdf.name, out.stat().st_size)
        data = embedded_data(out.read_text(encoding="utf-8"))
        pictures = data["pictures"]
        assert isinstance(pictures, dict)
        _, picture = _picture_kind(pictures["0"])
        assert picture.width == pytest.approx(truth.pages[0].width / 72 * 150, abs=2)

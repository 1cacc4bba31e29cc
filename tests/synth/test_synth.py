"""The synthetic SLD generator: determinism, ground truth validity and agreement with the PDF."""

from __future__ import annotations

import hashlib
import json
import random
import re
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest

from sld.document import CORE_TYPES, Document
from sld.synth import SYMBOL_VARIANTS, generate_set, make_sheets, render_symbol_png
from sld.synth.labels import (
    VoltageLevel,
    frame_trip_fragment,
    impedance_fragment,
    power_kva_fragment,
    voltage_pair_fragment,
)
from sld.synth.model import Sheet
from sld.synth.symbols import house_style, office_house, office_variants

Box = tuple[float, float, float, float]


@pytest.fixture(scope="module")
def vector_set(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("vector")
    return generate_set(out, 6, 11, scans=False)


@pytest.fixture(scope="module")
def scan_set(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("scan")
    return generate_set(out, 2, 5, scans=True)


def _truth(pdf: Path, suffix: str = "") -> Document:
    return Document.read(pdf.with_name(pdf.stem + suffix + ".json"))


def test_same_seed_gives_same_bytes(tmp_path: Path) -> None:
    first = generate_set(tmp_path / "a", 2, 3, scans=True)
    second = generate_set(tmp_path / "b", 2, 3, scans=True)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert len(names) == 2 * 6
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    other = generate_set(tmp_path / "c", 1, 4, scans=False)
    assert other[0].read_bytes() != first[0].read_bytes()
    assert [p.name for p in second] == ["sld-3-000.pdf", "sld-3-001.pdf"]


def test_ground_truth_validates_and_stays_on_the_page(vector_set: list[Path]) -> None:
    for pdf in vector_set:
        truth = _truth(pdf)
        assert truth.source.path == pdf.name
        assert truth.source.sha256 == hashlib.sha256(pdf.read_bytes()).hexdigest()
        assert truth.source.page_count == len(truth.pages) == 1
        for page in truth.pages:
            assert page.components and page.texts and page.connections
            boxes = [c.bbox for c in page.components] + [t.bbox for t in page.texts]
            for x0, y0, x1, y1 in boxes:
                assert 0 <= x0 < x1 <= page.width and 0 <= y0 < y1 <= page.height
            for c in page.components:
                assert re.fullmatch(rf"p{page.index}-c\d+", c.id)
                assert c.score == 1.0
            for t in page.texts:
                assert re.fullmatch(rf"p{page.index}-t\d+", t.id)
            ids = [c.id for c in page.components] + [t.id for t in page.texts]
            assert len(ids) == len(set(ids))


def test_every_core_type_is_drawn_in_both_standards() -> None:
    seen: set[tuple[str, str]] = set()
    for style in ("iec", "ansi"):
        for number in range(8):
            for sheet in make_sheets(21, number, style):
                seen |= {(s.type, s.placement.variant.standard) for s in sheet.symbols}
    wanted = {(t, s) for t in CORE_TYPES for s in ("iec", "ansi")}
    assert wanted <= seen, sorted(wanted - seen)
    assert {t for t, _ in seen} - set(CORE_TYPES), "no distractor symbols were drawn"


def test_a_house_style_draws_each_type_one_way_across_the_set() -> None:
    def variants(house: int | None) -> dict[str, set[str]]:
        drawn: dict[str, set[str]] = {}
        for number in range(6):
            for sheet in make_sheets(23, number, "iec", house=house):
                for symbol in sheet.symbols:
                    drawn.setdefault(symbol.type, set()).add(symbol.placement.variant.variant)
        return drawn

    mixed, house = variants(None), variants(4)
    assert any(len(kinds) > 1 for kinds in mixed.values()), "no type was drawn two ways"
    assert all(len(kinds) == 1 for kinds in house.values()), house
    assert house["circuit_breaker"] == {house_style(4, "iec")["circuit_breaker"].variant}


@pytest.mark.parametrize("office", ["foreign", "held-out"])
def test_another_office_draws_every_core_type_its_own_way(office: str) -> None:
    number = office_house(office)
    own = {(v.type, v.standard): v for v in office_variants(number)}
    drawn: dict[str, set[str]] = {}
    for sheet in make_sheets(29, 0, "iec", house=number) + make_sheets(29, 1, "ansi", house=number):
        for symbol in sheet.symbols:
            drawn.setdefault(symbol.type, set()).add(symbol.placement.variant.key)
    assert len(set(drawn) & set(CORE_TYPES)) >= 4, drawn
    for kind in CORE_TYPES:
        for key in drawn.get(kind, set()):
            standard = key.split("/")[1]
            assert key == own[(kind, standard)].key
    assert not any(v in SYMBOL_VARIANTS for v in own.values()), "an office copies the catalogue"
    with pytest.raises(ValueError, match="no office called"):
        office_house("nobody")


def _chars(pdf: Path, index: int) -> list[tuple[str, Box]]:
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[index]
        height = page.get_height()
        textpage = page.get_textpage()
        out = []
        for i in range(textpage.count_chars()):
            char = textpage.get_text_range(i, 1)
            if char.isspace() or not char:
                continue
            left, bottom, right, top = textpage.get_charbox(i)
            out.append((char, (left, height - top, right, height - bottom)))
        return out
    finally:
        document.close()


def test_texts_match_the_pdf_text_layer(vector_set: list[Path]) -> None:
    """Each ground-truth line is what pypdfium2 reads there, its box within 1 pt."""
    for pdf in vector_set[:4]:
        page = _truth(pdf).pages[0]
        chars = _chars(pdf, 0)
        claimed = [False] * len(chars)
        for text in page.texts:
            x0, y0, x1, y1 = text.bbox
            inside = [
                i
                for i, (_, (a, b, c, d)) in enumerate(chars)
                if x0 - 0.5 <= (a + c) / 2 <= x1 + 0.5 and y0 - 0.5 <= (b + d) / 2 <= y1 + 0.5
            ]
            found = "".join(chars[i][0] for i in inside)
            assert sorted(found) == sorted(text.text.replace(" ", "")), (text.text, found)
            union = (
                min(chars[i][1][0] for i in inside),
                min(chars[i][1][1] for i in inside),
                max(chars[i][1][2] for i in inside),
                max(chars[i][1][3] for i in inside),
            )
            assert max(abs(u - v) for u, v in zip(union, text.bbox, strict=True)) < 1.0, text
            for i in inside:
                claimed[i] = True
        assert all(claimed), "the PDF holds text that the ground truth does not list"


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _shrink(box: Box, by: float) -> Box:
    return (box[0] + by, box[1] + by, box[2] - by, box[3] - by)


def _wire_boxes(sheet: Sheet) -> list[Box]:
    boxes = []
    for wire in sheet.wires:
        for (x0, y0), (x1, y1) in zip(wire.points, wire.points[1:], strict=False):
            h = wire.width / 2
            boxes.append((min(x0, x1) - h, min(y0, y1) - h, max(x0, x1) + h, max(y0, y1) + h))
    return boxes


def test_text_never_touches_a_symbol_or_a_wire() -> None:
    for number in range(10):
        for sheet in make_sheets(31, number, pages=1):
            obstacles = [s.geometry.bbox for s in sheet.symbols] + _wire_boxes(sheet)
            obstacles += [
                (x - r, y - r, x + r, y + r) for x, y, r in ((d.x, d.y, d.r) for d in sheet.dots)
            ]
            texts = [_shrink(t.bbox, 0.3) for t in sheet.texts]
            for text, box in zip(sheet.texts, texts, strict=True):
                hits = [o for o in obstacles if _overlap(box, o)]
                assert not hits, (number, text.text, text.role)
            for i, a in enumerate(texts):
                for b in texts[i + 1 :]:
                    assert not _overlap(a, b), (number, sheet.texts[i].text)


def test_connections_join_existing_components_and_leave_none_alone(
    vector_set: list[Path],
) -> None:
    for pdf in vector_set:
        page = _truth(pdf).pages[0]
        ids = {c.id for c in page.components}
        touched = set()
        for a, b in page.connections:
            assert a in ids and b in ids and a != b
            touched |= {a, b}
        assert touched == ids, sorted(ids - touched)
        labelled = {t.component_id for t in page.texts if t.component_id}
        assert labelled <= ids
        graph = json.loads(pdf.with_name(pdf.stem + ".graph.json").read_text())
        nodes = {n["id"] for n in graph["nodes"]}
        assert ids <= nodes
        assert all(e["source"] in nodes and e["target"] in nodes for e in graph["edges"])
        kinds = {n["kind"] for n in graph["nodes"]}
        assert {"component", "bus"} <= kinds


def test_components_carry_their_label_ratings(vector_set: list[Path]) -> None:
    """A named component's designation is one of its label lines' first word."""
    for pdf in vector_set:
        page = _truth(pdf).pages[0]
        lines: dict[str, list[str]] = {}
        for t in page.texts:
            if t.component_id:
                lines.setdefault(t.component_id, []).append(t.text)
        for c in page.components:
            if c.name:
                assert c.name in [line.split(" ")[0] for line in lines[c.id]]
            if c.type == "transformer" and c.id in lines:
                assert c.ratings.power_kva is not None


def test_rating_spellings_follow_the_conventions() -> None:
    rng = random.Random(0)
    for _ in range(30):
        kva = power_kva_fragment(2500.0, rng)
        assert kva.ratings == {"power_kva": 2500.0}
        assert kva.text.replace(" ", "").upper() in {"2.5MVA", "2500KVA"}
        pair = voltage_pair_fragment(VoltageLevel(13800), VoltageLevel(480, 277), rng)
        assert pair.ratings == {"voltage_v": [13800, 480]}
        assert pair.text.upper() in {"13.8KV-480Y/277V"}
        plain = voltage_pair_fragment(VoltageLevel(13800), VoltageLevel(480), rng)
        assert plain.text.upper() in {"13.8KV-480V", "13.8KV/480V", "13800/480V", "13800-480V"}
        z = impedance_fragment(5.75, rng)
        assert z.text in {"Z=5.75%", "5.75%Z", "%Z=5.75", "Z 5.75%"}
        trip = frame_trip_fragment(100.0, 80.0, rng)
        assert trip.ratings == ({} if trip.text == "100AF" else {"current_a": 80.0})


def test_scans_have_no_text_layer_and_boxes_hold_ink(scan_set: list[Path]) -> None:
    for pdf in scan_set:
        scan = pdf.with_name(pdf.stem + "-scan.pdf")
        truth = _truth(pdf, "-scan")
        vector = _truth(pdf)
        assert truth.source.path == scan.name
        assert truth.source.sha256 == hashlib.sha256(scan.read_bytes()).hexdigest()
        assert len(truth.pages[0].components) == len(vector.pages[0].components)
        assert truth.pages[0].connections == vector.pages[0].connections
        document = pdfium.PdfDocument(scan)
        try:
            page = document[0]
            assert page.get_textpage().count_chars() == 0
            scale = 100 / 72
            image = page.render(scale=scale, grayscale=True).to_numpy()
        finally:
            document.close()
        grey = image[:, :, 0] if image.ndim == 3 else image
        paper = float(np.median(grey))
        for item in [*truth.pages[0].components, *truth.pages[0].texts]:
            x0, y0, x1, y1 = (round(v * scale) for v in item.bbox)
            patch = grey[y0 : y1 + 1, x0 : x1 + 1]
            assert patch.size and float(patch.min()) < paper - 60, item.id


def test_multi_page_drawings_link_their_pages(tmp_path: Path) -> None:
    pdf = generate_set(tmp_path, 1, 8, scans=False, pages=2)[0]
    truth = _truth(pdf)
    assert len(truth.pages) == 2 and truth.source.page_count == 2
    first = " ".join(t.text for t in truth.pages[0].texts)
    second = " ".join(t.text for t in truth.pages[1].texts)
    assert re.search(r"\b(TO|CONT\. ON)\b", first)
    assert "FROM" in second
    graph = json.loads(pdf.with_name(pdf.stem + ".graph.json").read_text())
    assert any(e.get("kind") == "offpage" for e in graph["edges"])


def test_symbol_ink_outside_the_body_box_is_only_leads() -> None:
    """The body box is the result format's box: all ink but the straight leads to the
    terminals, which run along the conductor."""
    px = 150 / 72
    for variant in SYMBOL_VARIANTS:
        image, (x0, y0, x1, y1), terminals = render_symbol_png(variant, 1.2, 150, line_width=1.2)
        ink = np.argwhere(image < 128)
        assert len(ink), variant.key
        outside = ink[
            (ink[:, 1] < x0 - 1.5)
            | (ink[:, 1] > x1 + 1.5)
            | (ink[:, 0] < y0 - 1.5)
            | (ink[:, 0] > y1 + 1.5)
        ]
        if not variant.leads:
            assert not len(outside), variant.key
        for row, column in outside:
            # Each stray pixel lies on a lead: in line with a terminal, between it and the body.
            assert any(
                (abs(column - tx) <= 1.5 * px and (row < y0 or row > y1))
                or (abs(row - ty) <= 1.5 * px and (column < x0 or column > x1))
                for tx, ty in terminals.values()
            ), (variant.key, row, column)
        for tx, ty in terminals.values():
            inside = x0 + 1.5 < tx < x1 - 1.5 and y0 + 1.5 < ty < y1 - 1.5
            assert not inside, (variant.key, tx, ty)

"""Scoring a result against ground truth, on small hand-built documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sld.document import CORE_TYPES, Component, Document, Page, Ratings, Source, Text
from sld.evaluate import (
    MISSED,
    SPURIOUS,
    DocumentResult,
    DocumentScores,
    EvaluationReport,
    co_located,
    evaluate_document,
    evaluate_folders,
    format_report,
    match_pairs,
    normalise_text,
)
from sld.geometry import iou_matrix

SOURCE = Source(path="plant.pdf", sha256="0" * 64, page_count=1)


def component(
    id: str,
    type: str,
    bbox: tuple[float, float, float, float],
    name: str | None = None,
    **ratings: Any,
) -> Component:
    return Component(id=id, type=type, bbox=bbox, score=0.9, name=name, ratings=Ratings(**ratings))


def text(
    id: str, value: str, bbox: tuple[float, float, float, float], owner: str | None = None
) -> Text:
    return Text(id=id, text=value, bbox=bbox, score=0.9, component_id=owner)


def document(*pages: Page) -> Document:
    return Document(source=SOURCE, pages=list(pages))


def page(
    components: list[Component],
    texts: list[Text] | None = None,
    connections: list[tuple[str, str]] | None = None,
    index: int = 0,
) -> Page:
    return Page(
        index=index,
        width=1000,
        height=800,
        components=components,
        texts=texts or [],
        connections=connections or [],
    )


def plant() -> Document:
    """A transformer feeding a breaker feeding a motor, with labels and one title line."""
    return document(
        page(
            [
                component(
                    "t",
                    "transformer",
                    (100, 100, 150, 160),
                    "T1",
                    power_kva=500,
                    voltage_v=[13800, 480],
                ),
                component("cb", "circuit_breaker", (110, 200, 140, 230), "CB-1", current_a=80),
                component("m", "motor", (105, 300, 145, 340), "M1", power_hp=75, phases=3),
            ],
            [
                text("l0", "T1", (160, 100, 175, 110), "t"),
                text("l1", "500KVA", (160, 112, 200, 122), "t"),
                text("l2", "13.8kV-480V", (160, 124, 220, 134), "t"),
                text("l3", "CB-1 80AT", (150, 205, 200, 215), "cb"),
                text("l4", "M1 75HP 3PH", (155, 315, 220, 325), "m"),
                text("l5", "PLANT A SINGLE LINE", (700, 750, 900, 765)),
            ],
            [("t", "cb"), ("cb", "m")],
        )
    )


def replace_component(doc: Document, id: str, **changes: Any) -> Document:
    """A copy of `doc` with one component changed (ids stay, so links keep pointing at it)."""
    copy = doc.model_copy(deep=True)
    for p in copy.pages:
        p.components = [c.model_copy(update=changes) if c.id == id else c for c in p.components]
    return copy


def defined_rates(scores: DocumentScores) -> list[float | None]:
    return [
        scores.core_detection.precision,
        scores.core_detection.recall,
        scores.core_detection.f1,
        scores.text.f1,
        scores.text_similarity.mean,
        scores.links_over_linked.value,
        scores.links_over_all.value,
        scores.names.value,
        scores.ratings.value,
        scores.connections.f1,
    ]


def test_perfect_prediction_scores_one_everywhere() -> None:
    gt = plant()
    # The prediction has its own ids: everything is matched by geometry, not by id.
    pred_json = gt.to_json().replace('"t"', '"p0-c0"').replace('"cb"', '"p0-c1"')
    pred = Document.model_validate_json(pred_json.replace('"m"', '"p0-c2"'))
    assert pred.pages[0].components[0].id == "p0-c0"
    scores = evaluate_document(gt, pred)
    assert defined_rates(scores) == [1.0] * 10
    assert scores.core_detection.tp == 3
    assert scores.text.tp == 6
    assert scores.links_over_linked.total == 5
    assert scores.links_over_all.total == 6
    assert scores.ratings.total == 5
    assert scores.spurious_rating_keys == 0
    assert scores.connections.tp == 2
    assert dict(scores.confusion) == {
        ("transformer", "transformer"): 1,
        ("circuit_breaker", "circuit_breaker"): 1,
        ("motor", "motor"): 1,
    }


def test_box_shifted_below_iou_threshold_is_a_miss_and_a_spurious() -> None:
    gt = plant()
    # 40x40 motor moved 15 points right: IoU = 25*40 / (55*40) = 0.45.
    pred = replace_component(gt, "m", bbox=(120, 300, 160, 340))
    scores = evaluate_document(gt, pred)
    motor = scores.detection_of("motor")
    assert (motor.tp, motor.fp, motor.fn) == (0, 1, 1)
    assert scores.core_detection.recall == pytest.approx(2 / 3)
    assert scores.confusion[("motor", MISSED)] == 1
    assert scores.confusion[(SPURIOUS, "motor")] == 1
    # The unmatched motor takes its name, ratings, link and connection with it.
    assert scores.names == type(scores.names)(correct=2, total=2)
    assert scores.ratings.total == 3
    assert scores.links_over_linked.correct == 4
    assert scores.links_over_linked.total == 5
    assert (scores.connections.tp, scores.connections.fp, scores.connections.fn) == (1, 1, 1)


def test_box_shifted_above_iou_threshold_still_matches() -> None:
    gt = plant()
    pred = replace_component(gt, "m", bbox=(110, 300, 150, 340))  # IoU = 35/45 = 0.78
    assert evaluate_document(gt, pred).detection_of("motor").tp == 1


def test_wrong_type_shows_in_the_confusion_matrix() -> None:
    gt = plant()
    pred = replace_component(gt, "m", type="generator")
    scores = evaluate_document(gt, pred)
    assert scores.confusion[("motor", "generator")] == 1
    assert ("motor", MISSED) not in scores.confusion
    assert (scores.detection_of("motor").fn, scores.detection_of("generator").fp) == (1, 1)
    assert scores.core_detection.f1 == pytest.approx(2 * 2 / (2 * 2 + 1 + 1))
    report = format_report(evaluate_report_of(scores))
    confusion = report.split("Confusion")[1].splitlines()
    columns = confusion[1].split()
    motor_row = next(line.split() for line in confusion if line.startswith("motor"))
    assert motor_row[columns.index("generator") - 2] == "1"  # "gt \\ pred" takes two words
    assert motor_row[columns.index("motor") - 2] == "."


def evaluate_report_of(scores: DocumentScores) -> EvaluationReport:
    return EvaluationReport(
        documents=[DocumentResult("one", "vector", True, scores)],
        missing_predictions=[],
        unexpected_predictions=[],
    )


def test_non_core_types_are_reported_apart() -> None:
    gt = plant()
    gt.pages[0].components.append(component("k", "capacitor", (400, 400, 420, 420)))
    pred = plant()
    pred.pages[0].components.append(component("r", "relay", (600, 400, 620, 420)))
    scores = evaluate_document(gt, pred)
    assert scores.core_detection.precision == 1.0
    assert scores.core_detection.recall == 1.0
    assert scores.other_types == ["capacitor", "relay"]
    assert scores.detection_of("capacitor").fn == 1
    assert scores.detection_of("relay").fp == 1
    assert scores.to_dict()["detection"]["other_types"]["relay"]["fp"] == 1


def test_link_decisions() -> None:
    gt = plant()
    pred = plant()
    texts = pred.pages[0].texts
    texts[1] = texts[1].model_copy(update={"component_id": "cb"})  # linked to the wrong one
    texts[3] = texts[3].model_copy(update={"component_id": None})  # link lost
    texts[5] = texts[5].model_copy(update={"component_id": "m"})  # title linked to a motor
    scores = evaluate_document(gt, pred)
    assert scores.text.f1 == 1.0  # the strings themselves are all right
    assert (scores.links_over_linked.correct, scores.links_over_linked.total) == (3, 5)
    assert (scores.links_over_all.correct, scores.links_over_all.total) == (3, 6)


def test_link_to_a_component_of_the_wrong_type_is_wrong() -> None:
    gt = plant()
    pred = replace_component(gt, "m", type="generator")
    scores = evaluate_document(gt, pred)
    assert (scores.links_over_linked.correct, scores.links_over_linked.total) == (4, 5)


def test_ratings_tolerance_lists_and_spurious_keys() -> None:
    gt = plant()
    pred = replace_component(gt, "t", ratings=Ratings(power_kva=500.4, voltage_v=[13800]))
    pred = replace_component(
        pred, "m", ratings=Ratings(power_hp=76, phases=3, frequency_hz=60, poles=4)
    )
    scores = evaluate_document(gt, pred)
    per_key = scores.ratings_per_key
    assert per_key["power_kva"].correct == 1  # 0.08% off: inside 1e-3
    assert per_key["voltage_v"].correct == 0  # one value where two were written
    assert per_key["power_hp"].correct == 0  # 1.3% off
    assert per_key["phases"].correct == 1
    assert per_key["current_a"].correct == 1
    assert (scores.ratings.correct, scores.ratings.total) == (3, 5)
    assert scores.spurious_rating_keys == 2


def test_rating_list_compared_elementwise() -> None:
    gt = plant()
    swapped = replace_component(gt, "t", ratings=Ratings(power_kva=500, voltage_v=[480, 13800]))
    assert evaluate_document(gt, swapped).ratings_per_key["voltage_v"].correct == 0
    close = replace_component(gt, "t", ratings=Ratings(power_kva=500, voltage_v=[13801, 480.1]))
    assert evaluate_document(gt, close).ratings_per_key["voltage_v"].correct == 1


def test_names_are_compared_normalised() -> None:
    gt = plant()
    pred = replace_component(gt, "t", name="t1")
    pred = replace_component(pred, "cb", name="CB 1")
    pred = replace_component(pred, "m", name=None)
    scores = evaluate_document(gt, pred)
    assert (scores.names.correct, scores.names.total) == (1, 3)


def test_connections_are_unordered_pairs_through_the_component_match() -> None:
    gt = plant()
    pred = plant()
    pred.pages[0].components.append(component("x", "fuse", (500, 500, 510, 520)))
    pred.pages[0].connections = [("cb", "t"), ("t", "m"), ("m", "x")]
    scores = evaluate_document(gt, pred)
    # ("cb", "t") reversed is right; ("t", "m") is not in gt; ("m", "x") has a spurious end.
    assert (scores.connections.tp, scores.connections.fp, scores.connections.fn) == (1, 2, 1)


def test_only_pairs_of_core_components_are_scored() -> None:
    gt = plant()
    gt.pages[0].components.append(component("lamp", "pilot_light", (500, 500, 510, 510)))
    gt.pages[0].connections.append(("cb", "lamp"))
    pred = gt.model_copy(deep=True)
    pred.pages[0].components.append(component("s", "symbol", (600, 600, 610, 610)))
    pred.pages[0].connections += [("t", "s")]
    scores = evaluate_document(gt, pred)
    # ("cb", "lamp") and ("t", "s") have an end of another type: neither side counts them.
    assert (scores.connections.tp, scores.connections.fp, scores.connections.fn) == (2, 0, 0)


def test_devices_are_found_whatever_type_they_were_given() -> None:
    gt = plant()
    pred = replace_component(gt, "t", type="symbol")
    pred.pages[0].components = [c for c in pred.pages[0].components if c.id != "m"]
    pred.pages[0].components.append(component("x", "symbol", (900, 900, 910, 910)))
    scores = evaluate_document(gt, pred)
    # t is found as an unclassified device, m is missed, x is where ground truth has nothing.
    assert (scores.devices.tp, scores.devices.fp, scores.devices.fn) == (2, 1, 1)
    assert scores.core_detection.tp == 1


def test_text_on_a_loose_ocr_box_and_a_near_miss() -> None:
    gt = plant()
    pred = plant()
    texts = pred.pages[0].texts
    # An OCR box twice as tall and wider: IoU 0.3, but its centre is on the true line.
    texts[1] = texts[1].model_copy(update={"bbox": (150, 107, 215, 127), "text": "500 KVA"})
    assert iou_matrix(np.array([gt.pages[0].texts[1].bbox]), np.array([texts[1].bbox]))[0, 0] < 0.5
    texts[2] = texts[2].model_copy(update={"text": "13.8KV - 480V"})  # only spacing and case
    texts[4] = texts[4].model_copy(update={"text": "M1 75HP 3PM"})  # one character misread
    scores = evaluate_document(gt, pred)
    # "500 KVA" is not "500kva": the space sits between letters and digits, not punctuation.
    assert (scores.text.tp, scores.text.fp, scores.text.fn) == (4, 2, 2)
    assert scores.text_similarity.pairs == 6
    expected = (4 + (1 - 1 / 7) + (1 - 1 / 11)) / 6
    assert scores.text_similarity.mean == pytest.approx(expected)


def test_text_far_away_is_not_matched() -> None:
    gt = plant()
    pred = plant()
    pred.pages[0].texts[5] = pred.pages[0].texts[5].model_copy(update={"bbox": (10, 10, 50, 20)})
    scores = evaluate_document(gt, pred)
    assert (scores.text.tp, scores.text.fp, scores.text.fn) == (5, 1, 1)
    assert scores.text_similarity.pairs == 5


def test_normalise_text() -> None:
    assert normalise_text("  13.8KV  -  480V ") == "13.8kv-480v"
    assert normalise_text("100AF / 80AT") == "100af/80at"
    assert normalise_text("M1\t75HP") == "m1 75hp"
    assert normalise_text("Z = 5.75 %") == "z=5.75%"
    assert normalise_text("３Ø") == "3ø"


def test_co_located_takes_either_centre() -> None:
    gt = np.array([[0, 0, 10, 10], [100, 0, 110, 10]], dtype=float)
    pred = np.array([[-20, -20, 30, 30], [104, 4, 106, 6], [200, 0, 210, 10]], dtype=float)
    assert co_located(gt, pred).tolist() == [[True, False, False], [False, True, False]]


def test_optimal_matching_keeps_both_pairs_where_greedy_would_lose_one() -> None:
    gt = np.array([[0, 0, 10, 10], [3, 0, 13, 10]], dtype=float)
    pred = np.array([[1, 0, 11, 10], [0, 0, 7, 10]], dtype=float)
    iou = iou_matrix(gt, pred)
    # Greedy by IoU would pair gt 0 with pred 0 (its best) and leave gt 1 with nothing.
    assert iou[0, 0] > iou[0, 1] >= 0.5 and iou[1, 0] >= 0.5 > iou[1, 1]
    assert iou[0, 0] == iou.max()
    assert match_pairs(iou >= 0.5, iou) == [(0, 1), (1, 0)]


def test_missing_page_in_prediction_counts_as_missed() -> None:
    gt = plant()
    second = plant().pages[0].model_copy(update={"index": 1})
    second.components = [c.model_copy(update={"id": c.id + "2"}) for c in second.components]
    second.texts = []
    second.connections = []
    gt.pages.append(second)
    scores = evaluate_document(gt, plant())
    assert (scores.core_detection.tp, scores.core_detection.fn) == (3, 3)


def test_folders_missing_prediction_groups_and_report(tmp_path: Path) -> None:
    gt_dir, pred_dir = tmp_path / "gt", tmp_path / "pred"
    plant().write(gt_dir / "plant-a.json")
    plant().write(gt_dir / "plant-a-scan.json")
    plant().write(gt_dir / "plant-b.json")
    plant().write(pred_dir / "plant-a.json")
    replace_component(plant(), "m", type="generator").write(pred_dir / "plant-a-scan.json")
    plant().write(pred_dir / "stray.json")

    report = evaluate_folders(gt_dir, pred_dir)
    assert [d.stem for d in report.documents] == ["plant-a", "plant-a-scan", "plant-b"]
    assert report.missing_predictions == ["plant-b"]
    assert report.unexpected_predictions == ["stray"]
    missing = report.documents[2].scores
    assert (missing.core_detection.tp, missing.core_detection.fn) == (0, 3)
    assert (missing.text.fn, missing.connections.fn) == (6, 2)
    # Names and ratings are scored over matched components only: none here.
    assert (missing.names.total, missing.names.value, missing.ratings.value) == (0, None, None)

    assert [report.count(g) for g in ("all", "vector", "scan")] == [3, 2, 1]
    assert report.total("scan").core_detection.tp == 2
    assert report.total("vector").core_detection.recall == pytest.approx(3 / 6)
    assert report.total("all").core_detection.recall == pytest.approx(5 / 9)

    data = json.loads(json.dumps(report.to_dict()))
    assert data["groups"]["all"]["detection"]["overall"]["tp"] == 5
    assert data["groups"]["scan"]["confusion"]["motor"]["generator"] == 1
    assert data["missing_predictions"] == ["plant-b"]

    text = format_report(report)
    assert "plant-b (missing)" in text
    assert "Missing predictions" in text and "stray" in text
    for line in ("overall (core)", "text F1", "links acc", "names acc", "ratings acc"):
        assert line in text


def test_folder_with_a_foreign_json_names_it(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text('{"pages": 3}')
    with pytest.raises(ValueError, match=r"manifest\.json"):
        evaluate_folders(tmp_path, tmp_path)


# ---------------------------------------------------------------------------------------------
# Properties

CELL = 60.0  # components and texts sit in their own grid cells, so no two overlap


@st.composite
def documents(draw: st.DrawFn) -> Document:
    cells = draw(st.lists(st.integers(0, 199), min_size=1, max_size=30, unique=True))
    components = []
    for k, cell in enumerate(cells):
        x, y = (cell % 20) * CELL, (cell // 20) * CELL
        w, h = draw(st.floats(5, CELL - 5)), draw(st.floats(5, CELL - 5))
        components.append(
            component(
                f"c{k}",
                draw(st.sampled_from([*CORE_TYPES, "busbar_tap"])),
                (x, y, x + w, y + h),
                draw(st.none() | st.sampled_from(["T1", "CB-3", "M2"])),
                current_a=draw(st.none() | st.floats(1, 5000)),
                voltage_v=draw(st.none() | st.lists(st.floats(100, 50000), min_size=1, max_size=2)),
            )
        )
    texts = []
    for k in range(draw(st.integers(0, 10))):
        x, y = (k % 20) * CELL, 700 + (k // 20) * 20
        owner = draw(st.none() | st.sampled_from([c.id for c in components]))
        texts.append(
            text(f"l{k}", draw(st.text(min_size=1, max_size=8)), (x, y, x + 50, y + 12), owner)
        )
    ids = [c.id for c in components]
    pairs = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=15))
    connections = sorted({tuple(sorted(p)) for p in pairs if p[0] != p[1]})
    return document(page(components, texts, connections))  # type: ignore[arg-type]


def core_pairs(page: Page) -> list[tuple[str, str]]:
    """The connections the evaluation scores: both ends of core types."""
    types = {c.id: c.type for c in page.components}
    return [p for p in page.connections if {types[p[0]], types[p[1]]} <= set(CORE_TYPES)]


@settings(max_examples=60, deadline=None)
@given(documents())
def test_a_document_against_itself_is_perfect(doc: Document) -> None:
    scores = evaluate_document(doc, doc)
    assert all(rate in (None, 1.0) for rate in defined_rates(scores))
    for counts in scores.detection.values():
        assert counts.fp == counts.fn == 0
    assert all(gt_type == pred_type for gt_type, pred_type in scores.confusion)
    assert scores.text.tp == len(doc.pages[0].texts)
    assert scores.connections.tp == len(core_pairs(doc.pages[0]))
    assert scores.devices.fn == scores.devices.fp == 0


@settings(max_examples=60, deadline=None)
@given(documents(), st.data())
def test_dropping_components_lowers_recall_exactly(doc: Document, data: st.DataObject) -> None:
    gt_page = doc.pages[0]
    dropped = set(
        data.draw(st.lists(st.sampled_from([c.id for c in gt_page.components]), unique=True))
    )
    pred = doc.model_copy(deep=True)
    pred_page = pred.pages[0]
    pred_page.components = [c for c in pred_page.components if c.id not in dropped]
    pred_page.connections = [p for p in pred_page.connections if not dropped & set(p)]
    scores = evaluate_document(doc, pred)

    for component_type in {c.type for c in gt_page.components}:
        of_type = [c for c in gt_page.components if c.type == component_type]
        kept = [c for c in of_type if c.id not in dropped]
        counts = scores.detection_of(component_type)
        assert counts.recall == pytest.approx(len(kept) / len(of_type))
        assert counts.fp == 0
    core = [c for c in gt_page.components if c.type in CORE_TYPES]
    if core:
        kept_core = [c for c in core if c.id not in dropped]
        assert scores.core_detection.recall == pytest.approx(len(kept_core) / len(core))
    if core_pairs(gt_page):
        assert scores.connections.recall == pytest.approx(
            len(core_pairs(pred_page)) / len(core_pairs(gt_page))
        )
        assert scores.connections.fp == 0

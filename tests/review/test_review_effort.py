"""The review-effort count: the fewest corrections that make a result equal to ground truth."""

from __future__ import annotations

from benchmarks.harness.review_effort import corrections_to_truth
from sld.document import Component
from sld.evaluate import evaluate_document
from sld.review.corrections import apply_corrections
from tests.review.sample import sample_document


def test_a_perfect_result_needs_no_correction() -> None:
    truth = sample_document()
    file, effort = corrections_to_truth(truth.model_copy(deep=True), truth)
    assert file.corrections == [] and effort.total == 0
    assert effort.items == 3 + 3  # three components, three linked labels


def test_each_kind_of_mistake_costs_one_correction_and_fixing_them_gives_the_truth() -> None:
    truth = sample_document()
    truth.pages[0].texts[3].component_id = "p0-c2"  # "M1 75HP" labels the motor
    truth.pages[0].components[2].name = "M1"
    found = truth.model_copy(deep=True)
    page = found.pages[0]
    page.components[0] = page.components[0].model_copy(update={"type": "generator"})  # retype
    page.components[1] = page.components[1].model_copy(
        update={"bbox": (110.0, 162.0, 130.0, 187.0)}  # IoU 0.32 with the truth: move
    )
    del page.components[2]  # the motor was missed: add, and its label relinked (names it)
    page.texts[3].component_id = None
    page.components.append(
        Component(id="p0-c9", type="fuse", bbox=(400.0, 100.0, 410.0, 120.0), score=0.7)
    )  # delete
    page.texts[2].component_id = "p0-c9"  # "CB-1" put on the fuse: relink
    page.components[0].name = "TX"  # rename

    file, effort = corrections_to_truth(found, truth)

    assert dict(effort.corrections) == {
        "retype": 1,
        "move": 1,
        "delete": 1,
        "add": 1,
        "relink": 2,
        "rename": 1,
    }
    assert effort.items == 3 + 4 and effort.per_100 == 100.0
    corrected = apply_corrections(found, file, "benchmark").document
    scores = evaluate_document(truth, corrected)
    assert scores.core_detection.f1 == 1.0
    assert scores.links_over_all.value == 1.0
    assert scores.names.value == 1.0


def test_labels_never_read_are_counted_apart() -> None:
    truth = sample_document()
    found = truth.model_copy(deep=True)
    del found.pages[0].texts[1]  # "500KVA" was not read
    _, effort = corrections_to_truth(found, truth)
    assert effort.total == 0 and effort.unread == 1

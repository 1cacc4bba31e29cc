"""Stage logic that needs no page: naming unclassified devices by their labels."""

from __future__ import annotations

import numpy as np

from sld import stages
from sld.detections import Detections


def _devices(*rows: tuple[str, tuple[str, ...]]) -> Detections:
    """Devices side by side, 20 pt apart, each of a type and resembling some types."""
    boxes = [(20.0 * i, 0.0, 20.0 * i + 10.0, 10.0) for i in range(len(rows))]
    return Detections.from_lists(
        boxes, [0.7] * len(rows), [kind for kind, _ in rows], [like for _, like in rows]
    )


def _labels_right_of(devices: Detections, *texts: str) -> tuple[Detections, list[int | None]]:
    """One label line beside each device (outside its box), linked to it."""
    boxes = [(box[2] + 1.0, 2.0, box[2] + 8.0, 8.0) for box in devices.boxes]
    return Detections.from_lists(boxes, [1.0] * len(texts), list(texts)), list(range(len(texts)))


def test_an_unclassified_device_takes_the_type_its_tag_names_and_its_shape_resembles() -> None:
    devices = _devices(
        ("symbol", ("fuse", "circuit_breaker")),  # CB-3: a breaker drawn otherwise
        ("symbol", ("generator", "motor")),  # CB-4 beside a ring: the shape says no
        ("symbol", ("circuit_breaker", "disconnect_switch")),  # Q1: breaker or disconnector
        ("fuse", ()),  # the drawing named it; the tag does not rename it
        ("symbol", ("transformer", "circuit_breaker")),  # no designation at all
    )
    texts, links = _labels_right_of(devices, "CB-3 800A", "CB-4", "Q1", "CB-5", "480V")
    named = stages.name_by_designation(devices, texts, links)
    assert list(named.labels) == ["circuit_breaker", "symbol", "symbol", "fuse", "symbol"]
    np.testing.assert_array_equal(named.boxes, devices.boxes)
    np.testing.assert_array_equal(named.scores, devices.scores)


def test_a_label_linked_to_nothing_names_nothing() -> None:
    devices = _devices(("symbol", ("circuit_breaker", "fuse")))
    texts, _ = _labels_right_of(devices, "CB-1")
    assert list(stages.name_by_designation(devices, texts, [None]).labels) == ["symbol"]

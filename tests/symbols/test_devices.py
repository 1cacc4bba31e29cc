"""Device candidates from the line drawing: poles drawn side by side, outlines around several
conductors, and parts drawn inside a device's box (`sld.symbols.devices.find_devices`)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from sld import stages
from sld.detections import Detections
from sld.geometry import as_boxes, containment_matrix, iou_matrix
from sld.pages.ink import ink_mask, stroke_width
from sld.pages.page import PageImage
from sld.pages.raster import load_page, open_source
from sld.settings import Settings
from sld.symbols.devices import DeviceCandidate, find_devices
from sld.symbols.linework import take_apart
from sld.symbols.scale import estimate_scale
from tests.handmade import BOTH, Drawing

QELECTROTECH = Path(__file__).parents[1] / "realdata" / "qelectrotech"


def candidates_pt(page: PageImage, texts: Detections) -> list[DeviceCandidate]:
    """The page's device candidates with their boxes and parts in points, the page's lettering
    measured on `texts` (boxes in points), as detection measures it."""
    boxes, labels = texts.boxes, [str(label) for label in texts.labels]
    ink = ink_mask(page.image)
    scale = estimate_scale(boxes, labels, stroke_width(ink) / page.scale, ink, page.scale)
    work = take_apart(page.image, page.scale, scale, boxes, labels)
    k = work.px_per_pt

    def in_pt(box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        return tuple(round(v / k) for v in box)  # type: ignore[return-value]

    return [
        DeviceCandidate(
            in_pt(c.box), c.sides, c.poles, c.score, c.strokes, tuple(in_pt(p) for p in c.parts)
        )
        for c in find_devices(work)
    ]


def two_conductors(between: str) -> Drawing:
    """Two vertical conductors, each through a square symbol at y = 100, with `between` them:
    "nothing", "dots" (a mechanical link as a scan shows a fine dotted one) or "ring" (one
    outline around both conductors, as a cable-length balloon is drawn)."""
    drawing = Drawing()
    for x in (100.0, 130.0):
        drawing.wire((x, 40.0), (x, 95.0))
        drawing.wire((x, 105.0), (x, 180.0))
        drawing.breaker(x, 100.0, size=10.0)
    if between == "dots":
        for x in np.arange(106.5, 124.0, 2.0):
            drawing.dot(float(x), 100.0, 0.5)
    elif between == "ring":
        drawing.circle(115.0, 100.0, 22.0)
    for row in range(6):
        drawing.text(f"Q{row} 400 V", 200.0, 60.0 + 12 * row)
    return drawing


@BOTH
def test_poles_side_by_side_joined_by_dots_are_one_device_of_two_poles(
    kind: str, tmp_path: Path
) -> None:
    drawing = two_conductors("dots")
    page = drawing.page(kind, tmp_path)
    found = candidates_pt(page, drawing.text_detections())
    assert len(found) == 1
    device = found[0]
    assert device.poles == 2 and len(device.parts) == 2
    # Each pole holds its own square (centres at x = 100 and 130) and not the other.
    for part, x in zip(sorted(device.parts), (100.0, 130.0), strict=True):
        assert part[0] < x < part[2]
        assert part[2] - part[0] < 20


@BOTH
def test_poles_apart_are_two_devices(kind: str, tmp_path: Path) -> None:
    drawing = two_conductors("nothing")
    found = candidates_pt(drawing.page(kind, tmp_path), drawing.text_detections())
    assert len(found) == 2
    assert all(c.poles == 1 for c in found)


@BOTH
def test_one_outline_around_two_conductors_is_no_device_of_two_poles(
    kind: str, tmp_path: Path
) -> None:
    drawing = two_conductors("ring")
    found = candidates_pt(drawing.page(kind, tmp_path), drawing.text_detections())
    assert found
    assert all(c.poles == 1 and not c.parts for c in found)


def test_parts_drawn_inside_a_device_box_belong_to_it() -> None:
    """The motor-protection breaker 9QF1 of the QElectroTech industrial project: three poles
    and an auxiliary contact, and a thermal release drawn on each conductor inside the relay
    block, which touches none of the rest. One device, nothing inside it reported apart."""
    pdf = QELECTROTECH / "industrial-vector.pdf"
    truth = json.loads((QELECTROTECH / "industrial-vector.gt.json").read_text())
    breaker = next(c for c in truth["pages"][5]["components"] if c["name"] == "9QF1")
    page = load_page(open_source(pdf), 5, Settings())
    found = candidates_pt(page, stages.read_text(page, Settings()))
    boxes = as_boxes([c.box for c in found])
    truth_box = as_boxes([breaker["bbox"]])
    overlap = iou_matrix(boxes, truth_box)[:, 0]
    assert overlap.max() >= 0.5
    device = int(np.argmax(overlap))
    inside = containment_matrix(boxes, boxes[device : device + 1])[:, 0]
    inside[device] = 0.0
    assert inside.max() < 0.3, [found[i].box for i in np.flatnonzero(inside >= 0.3)]


@pytest.mark.parametrize("between", ["nothing", "dots"])
def test_a_pole_exemplar_is_cut_from_poles_side_by_side(between: str, tmp_path: Path) -> None:
    """`sld symbols add` on a two-pole device drawn side by side also gives one pole."""
    from sld.symbols.crop import cut_exemplar

    drawing = two_conductors(between)
    page = drawing.raster_page(tmp_path)
    crop = cut_exemplar(page, (90.0, 90.0, 140.0, 110.0), drawing.text_detections())
    if between == "dots":
        assert crop.pole is not None
        assert crop.pole.image.shape[1] < crop.image.shape[1] / 2 + 5
    else:
        assert crop.pole is None


def test_every_link_of_three_tied_poles_is_drawn_in_the_device(tmp_path: Path) -> None:
    """Three poles tied by two dashed links, the right-hand link first in reading order: the
    device holds the dashes of both (each link is kept with a pole it ties, so a later tie
    that changes the group's root loses none)."""
    drawing = Drawing()
    for x in (100.0, 150.0, 200.0):
        drawing.wire((x, 40.0), (x, 90.0))
        drawing.wire((x, 110.0), (x, 180.0))
        drawing.breaker(x, 100.0, size=20.0)
    drawing.dashed((160.0, 95.0), (190.0, 95.0))
    drawing.dashed((110.0, 105.0), (140.0, 105.0))
    for row in range(6):
        drawing.text(f"Q{row} 400 V", 250.0, 60.0 + 12 * row)
    (device,) = candidates_pt(drawing.vector_page(tmp_path), drawing.text_detections())
    assert device.poles == 3
    px_per_pt = device.strokes.shape[1] / (device.box[2] - device.box[0])
    poles = sorted(device.parts)
    for left, right in itertools.pairwise(poles):
        gap = device.strokes[:, round((left[2] - device.box[0]) * px_per_pt) + 1 :]
        gap = gap[:, : max(1, round((right[0] - left[2]) * px_per_pt) - 2)]
        assert gap.any(), f"no link drawn between the poles at {left} and {right}"


@BOTH
def test_a_ring_at_the_end_of_a_lead_is_no_device(kind: str, tmp_path: Path) -> None:
    """A breaker's relay lead ends in a ring 1.7 lettering heights across (as the foreign
    office draws it): the breaker is a device, the ring is a terminal, not a second device,
    whether or not its outline stays closed where the lead meets it."""
    drawing = Drawing()
    drawing.wire((100.0, 40.0), (100.0, 95.0))
    drawing.wire((100.0, 105.0), (100.0, 180.0))
    drawing.breaker(100.0, 100.0)
    drawing.wire((105.0, 100.0), (118.0, 100.0))
    drawing.circle(122.3, 100.0, 4.3)
    for row in range(6):
        drawing.text(f"Q{row} 400 V", 200.0, 60.0 + 12 * row)
    found = candidates_pt(drawing.page(kind, tmp_path), drawing.text_detections())
    assert [c.box for c in found if c.box[0] > 112] == []
    assert len(found) == 1 and found[0].box[0] < 100 < found[0].box[2]


@BOTH
def test_conductor_count_ticks_with_a_neutral_dot_are_no_device(kind: str, tmp_path: Path) -> None:
    """Ticks as the QElectroTech users draw them on a heavy conductor: thick, leaning 72
    degrees, the neutral's with a dot at its end. They count conductors, so only the two
    breakers at the ends of the conductor are devices, and the wire between them runs on."""
    drawing = Drawing()
    drawing.wire((40.0, 150.0), (75.0, 150.0), width=2.4)
    drawing.breaker(80.0, 150.0)
    drawing.wire((85.0, 150.0), (335.0, 150.0), width=2.4)
    drawing.breaker(340.0, 150.0)
    drawing.wire((345.0, 150.0), (380.0, 150.0), width=2.4)
    for x in (180.0, 186.0, 230.0, 236.0):
        drawing.wire((x - 1.5, 145.5), (x + 1.5, 154.5), width=1.5)
    drawing.dot(178.5, 145.5, 1.0)  # the neutral's dot, at the end of its tick
    drawing.dot(237.5, 154.5, 1.0)
    for row in range(6):
        drawing.text(f"Q{row} 400 V", 200.0, 60.0 + 12 * row)
    found = candidates_pt(drawing.page(kind, tmp_path), drawing.text_detections())
    assert [c.box for c in found if 150 < c.box[0] < 260] == []
    assert len(found) == 2


def test_devices_end_to_end_without_a_wire_between_are_two() -> None:
    """The PV plant of the QElectroTech set: its energy meter sits right on top of the 45 A
    main breaker, and the breaker's lower terminal stops a third of a lettering height short of
    its conductor. Two devices, the breaker boxed on its own."""
    pdf = QELECTROTECH / "photovoltaique-vector.pdf"
    truth = json.loads((QELECTROTECH / "photovoltaique-vector.gt.json").read_text())
    by_id = {c["id"]: c for c in truth["pages"][0]["components"]}
    page = load_page(open_source(pdf), 0, Settings())
    found = candidates_pt(page, stages.read_text(page, Settings()))
    overlap = iou_matrix(
        as_boxes([c.box for c in found]),
        as_boxes([by_id["p0-c4"]["bbox"], by_id["p0-c2"]["bbox"]]),
    )
    breaker, meter = int(np.argmax(overlap[:, 0])), int(np.argmax(overlap[:, 1]))
    assert overlap[breaker, 0] >= 0.5
    assert meter != breaker and overlap[meter, 1] > 0


def titled_sheet(relay_grid: bool) -> Drawing:
    """A breaker on a wire, and a title block: a ruled table, lettering in its cells and a tick
    box standing on one of its rules (as "REV" boxes and stamps do). With `relay_grid`, the
    breaker carries a grid of small boxed releases instead (a multi-pole breaker's relay block,
    cells with walls shared, like a small table)."""
    drawing = Drawing(width=520.0, height=320.0)
    drawing.wire((80.0, 40.0), (80.0, 95.0))
    drawing.wire((80.0, 105.0), (80.0, 200.0))
    drawing.breaker(80.0, 100.0)
    if relay_grid:  # right under the breaker, a release drawn in each cell
        for x, y in itertools.product((70.0, 80.0), (105.0, 113.0)):
            drawing.wire((x, y), (x + 10.0, y), (x + 10.0, y + 8.0), (x, y + 8.0), (x, y))
            drawing.wire((x + 3.0, y + 2.0), (x + 7.0, y + 6.0))
    left, right, top = 240.0, 500.0, 240.0
    rows = [top + 12.0 * k for k in range(5)]
    for y in rows:
        drawing.wire((left, y), (right, y))
    for x in (left, 300.0, 380.0, 440.0, right):
        drawing.wire((x, top), (x, rows[-1]))
    for row, y in enumerate(rows[:-1]):
        for column, x in enumerate((left, 300.0, 380.0, 440.0)):
            drawing.text(f"R{row}C{column} DATE", x + 3.0, y + 9.0, size=6.0)
    drawing.breaker(470.0, rows[1], size=6.0)  # a tick box on a rule, no device
    for row in range(4):
        drawing.text(f"Q{row} 400 V", 120.0, 60.0 + 12 * row)
    return drawing


@BOTH
def test_marks_in_a_title_block_are_no_device(kind: str, tmp_path: Path) -> None:
    drawing = titled_sheet(relay_grid=False)
    found = candidates_pt(drawing.page(kind, tmp_path), drawing.text_detections())
    assert [c.box[0] < 100 for c in found] == [True]


def test_a_grid_of_releases_on_a_breaker_is_no_table(tmp_path: Path) -> None:
    """Cells side by side with shared walls, but a few units wide: part of the device."""
    drawing = titled_sheet(relay_grid=True)
    found = candidates_pt(drawing.page("vector", tmp_path), drawing.text_detections())
    near_the_wire = [c for c in found if c.box[0] < 100]
    assert max(c.box[3] for c in near_the_wire) >= 120  # the releases were looked at
    assert len(found) == len(near_the_wire)  # and the title block still holds no device

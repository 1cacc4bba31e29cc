"""Linking labels to components: hand-made layouts, then synthetic sheets with the true boxes."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from benchmarks.harness.oracle import as_document, digitise_with_truth
from sld.detections import Detections
from sld.document import Document
from sld.evaluate import DocumentScores, evaluate_document
from sld.geometry import FloatArray
from sld.pages.page import PageImage, VectorGraphics
from sld.settings import Settings
from sld.synth import generate_set
from sld.text.label_blocks import label_blocks, vertical_lines
from sld.text.linking import link_texts, symbol_marks
from sld.text.sightlines import BOTTOM, LEFT, RIGHT, TOP, Sightlines, sight_rays

Box = tuple[float, float, float, float]


def vector_page(width: float = 600.0, height: float = 400.0) -> PageImage:
    """A blank vector page: obstacles come from the conductors given, not from ink."""
    return PageImage(
        source="test.pdf",
        index=0,
        width_pt=width,
        height_pt=height,
        dpi=72.0,
        image=np.full((int(height), int(width)), 255, dtype=np.uint8),
        vector=VectorGraphics(),
    )


def symbols_of(*items: tuple[str, Box]) -> Detections:
    return Detections.from_lists(
        [box for _, box in items], [1.0] * len(items), [t for t, _ in items]
    )


def texts_of(*items: tuple[str, Box]) -> Detections:
    return Detections.from_lists(
        [box for _, box in items], [1.0] * len(items), [t for t, _ in items]
    )


#: No conductors on the page.
NO_WIRES = np.zeros((0, 4), dtype=np.float64)


def wires(*segments: tuple[float, float, float, float]) -> FloatArray:
    """Conductor segments (N, 4) in points, as `link_texts` takes them."""
    return np.asarray(segments, dtype=np.float64).reshape(-1, 4)


def feeder(x: float, *boxes: Box) -> FloatArray:
    """A vertical run at x through the symbols: wire pieces between them (cut at their boxes)."""
    ys = [0.0]
    for box in sorted(boxes, key=lambda b: b[1]):
        ys += [box[1] - 1.0, box[3] + 1.0]
    ys.append(400.0)
    return wires(*[(x, ys[k], x, ys[k + 1]) for k in range(0, len(ys), 2)])


# --- one symbol, one label ---------------------------------------------------------------------

BREAKER: Box = (100.0, 100.0, 112.0, 130.0)


@pytest.mark.parametrize(
    ("where", "box"),
    [
        ("right", (117.0, 112.0, 135.0, 118.0)),
        ("left", (77.0, 112.0, 95.0, 118.0)),
    ],
)
def test_label_beside_a_symbol_on_a_vertical_run(where: str, box: Box) -> None:
    links = link_texts(
        vector_page(),
        symbols_of(("circuit_breaker", BREAKER)),
        texts_of(("CB-1", box)),
        feeder(106, BREAKER),
    )
    assert links == [0], where


def test_label_above_a_symbol_on_a_horizontal_run() -> None:
    breaker: Box = (200.0, 150.0, 230.0, 162.0)
    run = wires((100.0, 156.0, 199.0, 156.0), (231.0, 156.0, 400.0, 156.0))
    texts = texts_of(("CB-7", (206.0, 138.0, 224.0, 144.0)), ("400A", (205.0, 130.0, 225.0, 136.0)))
    assert link_texts(vector_page(), symbols_of(("circuit_breaker", breaker)), texts, run) == [0, 0]


def test_a_stacked_block_links_as_a_whole() -> None:
    """The block's last line lies nearer to the breaker below, yet stays with its block."""
    upper: Box = (100.0, 100.0, 112.0, 120.0)
    lower: Box = (100.0, 142.0, 112.0, 170.0)
    texts = texts_of(
        ("T1", (117.0, 100.0, 127.0, 106.0)),
        ("500KVA", (117.0, 110.0, 143.0, 116.0)),
        ("13.8kV-480V", (117.0, 120.0, 160.0, 126.0)),
        ("Z=5.75%", (117.0, 130.0, 147.0, 136.0)),
        ("CB-2", (117.0, 153.0, 135.0, 159.0)),
    )
    symbols = symbols_of(("transformer", upper), ("circuit_breaker", lower))
    links = link_texts(vector_page(), symbols, texts, feeder(106, upper, lower))
    assert links == [0, 0, 0, 0, 1]


def test_neighbours_side_by_side_each_keep_their_own_block() -> None:
    """A's wide label ends nearer to B than it starts from A; B has its own label."""
    a: Box = (100.0, 100.0, 112.0, 130.0)
    b: Box = (170.0, 100.0, 182.0, 130.0)
    texts = texts_of(
        ("CB-1", (117.0, 106.0, 135.0, 112.0)),
        ("1600AF/1600AT", (117.0, 116.0, 166.5, 122.0)),
        ("CB-2", (187.0, 106.0, 205.0, 112.0)),
        ("800A", (187.0, 116.0, 205.0, 122.0)),
    )
    symbols = symbols_of(("circuit_breaker", a), ("circuit_breaker", b))
    conductors = np.concatenate([feeder(106, a), feeder(176, b)])
    assert link_texts(vector_page(), symbols, texts, conductors) == [0, 0, 1, 1]


def test_a_label_is_never_taken_across_a_wire() -> None:
    """Nearest to the fuse on the left, but a wire runs between them: it labels the breaker."""
    fuse: Box = (100.0, 100.0, 108.0, 130.0)
    breaker: Box = (150.0, 100.0, 162.0, 130.0)
    text = texts_of(("CB-4", (127.0, 112.0, 145.0, 118.0)))
    conductors = np.concatenate(
        [feeder(104, fuse), feeder(156, breaker), wires((118, 0, 118, 400))]
    )
    symbols = symbols_of(("fuse", fuse), ("circuit_breaker", breaker))
    assert link_texts(vector_page(), symbols, text, conductors) == [1]
    assert link_texts(vector_page(), symbols_of(("fuse", fuse)), text, conductors) == [None]


def test_a_label_is_never_taken_across_another_symbol() -> None:
    far: Box = (100.0, 100.0, 112.0, 130.0)
    between: Box = (118.0, 108.0, 124.0, 122.0)
    text = texts_of(("480V", (128.0, 112.0, 146.0, 118.0)))
    links = link_texts(
        vector_page(), symbols_of(("fuse", far), ("ground", between)), text, NO_WIRES
    )
    assert links == [1]


def test_text_that_labels_nothing_stays_unlinked() -> None:
    breaker: Box = (300.0, 160.0, 312.0, 190.0)
    bus = wires((50.0, 150.0, 550.0, 150.0))
    texts = texts_of(
        ("MAIN SWBD 480V", (300.0, 140.0, 360.0, 146.0)),  # bus name, over the bus from the breaker
        ("SINGLE LINE DIAGRAM", (440.0, 360.0, 560.0, 368.0)),  # title block
        ("DWG E-101", (440.0, 372.0, 490.0, 378.0)),
        ("TO MCC-2", (298.0, 196.0, 330.0, 202.0)),  # an off-page reference below the breaker
        ("3#500KCMIL", (311.0, 240.0, 350.0, 246.0)),  # a cable tag beside the wire below
        ("C", (10.0, 200.0, 14.0, 206.0)),  # a zone letter in the margin
    )
    conductors = np.concatenate([bus, wires((306, 150, 306, 159), (306, 191, 306, 300))])
    links = link_texts(vector_page(), symbols_of(("circuit_breaker", breaker)), texts, conductors)
    assert links == [None] * 6


def test_vertical_label_beside_a_vertical_run() -> None:
    motor: Box = (100.0, 200.0, 130.0, 230.0)
    texts = texts_of(
        ("M2", (135.0, 208.0, 141.0, 222.0)),
        ("22KW", (145.0, 205.0, 151.0, 225.0)),
        ("400V", (155.0, 205.0, 161.0, 225.0)),
    )
    assert vertical_lines(texts.boxes, ["M2", "22KW", "400V"]).all()
    links = link_texts(vector_page(), symbols_of(("motor", motor)), texts, feeder(115, motor))
    assert links == [0, 0, 0]


def test_vertical_cable_tag_between_two_symbols_stays_unlinked() -> None:
    upper: Box = (100.0, 100.0, 112.0, 130.0)
    lower: Box = (100.0, 200.0, 112.0, 230.0)
    tag = texts_of(("3#12, 1#12 G", (109.0, 140.0, 115.0, 190.0)))
    symbols = symbols_of(("circuit_breaker", upper), ("fuse", lower))
    assert link_texts(vector_page(), symbols, tag, feeder(106, upper, lower)) == [None]


def test_letters_inside_a_symbol_are_marks_not_labels() -> None:
    motor: Box = (100.0, 200.0, 130.0, 230.0)
    texts = texts_of(("M", (110.0, 208.0, 120.0, 218.0)), ("M1", (135.0, 211.0, 145.0, 217.0)))
    symbols = symbols_of(("motor", motor))
    assert symbol_marks(symbols, texts).tolist() == [True, False]
    assert link_texts(vector_page(), symbols, texts, feeder(115, motor)) == [None, 0]


def test_a_wire_drawn_in_the_raster_separates_too() -> None:
    """Scans have no vector conductors: a stroke in the image cuts the sight line."""
    image = np.full((400, 600), 255, dtype=np.uint8)
    cv2.line(image, (118, 0), (118, 399), 0, 2)
    page = PageImage("scan.png", 0, 600.0, 400.0, 72.0, image)
    fuse: Box = (100.0, 100.0, 108.0, 130.0)
    text = texts_of(("F3", (124.0, 112.0, 134.0, 118.0)))
    assert link_texts(page, symbols_of(("fuse", fuse)), text, NO_WIRES) == [None]
    clean = PageImage("scan.png", 0, 600.0, 400.0, 72.0, np.full((400, 600), 255, dtype=np.uint8))
    assert link_texts(clean, symbols_of(("fuse", fuse)), text, NO_WIRES) == [0]


def test_no_symbols_or_no_texts() -> None:
    assert link_texts(vector_page(), Detections(), texts_of(("T1", (1, 1, 9, 7))), NO_WIRES) == [
        None
    ]
    assert link_texts(vector_page(), symbols_of(("fuse", BREAKER)), Detections(), NO_WIRES) == []


# --- the parts ---------------------------------------------------------------------------------


def test_label_blocks_need_alignment_not_just_proximity() -> None:
    boxes = np.asarray(
        [
            [117.0, 100.0, 127.0, 106.0],  # T1
            [117.0, 110.0, 143.0, 116.0],  # 500KVA, left-aligned under it
            [150.0, 119.0, 190.0, 125.0],  # a cable tag just below, not aligned
        ]
    )
    blocks = label_blocks(boxes, ["T1", "500KVA", "3#12 G"])
    assert sorted(block.lines for block in blocks) == [(0, 1), (2,)]
    first = next(block for block in blocks if block.lines == (0, 1))
    assert first.designation == "T1" and first.type_hint == "transformer"


def test_label_blocks_are_kept_apart_by_what_lies_between() -> None:
    boxes = np.asarray([[117.0, 100.0, 127.0, 106.0], [117.0, 110.0, 143.0, 116.0]])
    blocks = label_blocks(boxes, ["T1", "500KVA"], separated=lambda a, b: True)
    assert len(blocks) == 2


def test_sight_rays_cross_the_gap_where_the_boxes_face() -> None:
    rays = sight_rays(np.asarray([0.0, 0.0, 10.0, 10.0]), np.asarray([20.0, 4.0, 30.0, 20.0]))
    assert rays is not None
    assert np.all(rays[:, 0] > 10) and np.all(rays[:, 2] < 20)
    assert np.all((rays[:, 1] >= 4) & (rays[:, 1] <= 10))
    assert (
        sight_rays(np.asarray([0.0, 0.0, 10.0, 10.0]), np.asarray([5.0, 5.0, 30.0, 20.0])) is None
    )


def test_lead_sides_are_where_wires_leave_a_symbol() -> None:
    box = np.asarray([[100.0, 100.0, 112.0, 130.0]])
    sightlines = Sightlines(feeder(106, (100.0, 100.0, 112.0, 130.0)), box, np.zeros((0, 4)))
    sides = sightlines.lead_sides(box)[0]
    assert sides[TOP] and sides[BOTTOM] and not sides[LEFT] and not sides[RIGHT]


# --- synthetic sheets, true component boxes ("oracle detection") ------------------------------


def _scores(folder: Path, pdfs: list[Path]) -> DocumentScores:
    total = DocumentScores()
    for pdf in pdfs:
        truth = Document.read(pdf.with_suffix(".json"))
        pages = digitise_with_truth(pdf, truth, Settings())
        total += evaluate_document(truth, as_document(pdf, truth, pages))
    return total


def test_synthetic_vector_sheets_link_name_and_rate(tmp_path: Path) -> None:
    """Text layer and true boxes: nearly every label on its component, nothing else linked."""
    pdfs = generate_set(tmp_path, 3, 41, scans=False)
    scores = _scores(tmp_path, pdfs)
    assert scores.links_over_linked.total > 100
    assert scores.links_over_linked.value is not None and scores.links_over_linked.value >= 0.98
    assert scores.links_over_all.value is not None and scores.links_over_all.value >= 0.98
    assert scores.names.value is not None and scores.names.value >= 0.97
    assert scores.ratings.value is not None and scores.ratings.value >= 0.97


@pytest.mark.slow
def test_synthetic_scans_link_name_and_rate(tmp_path: Path) -> None:
    """Scans: rapidocr reads the text, the raster stands in for the conductors."""
    generate_set(tmp_path, 2, 43, scans=True)
    scores = _scores(tmp_path, sorted(tmp_path.glob("*-scan.pdf")))
    assert scores.text.f1 is not None and scores.text.f1 >= 0.9
    assert scores.links_over_linked.value is not None and scores.links_over_linked.value >= 0.92
    assert scores.ratings.value is not None and scores.ratings.value >= 0.85


def test_a_rating_inside_a_box_symbol_is_a_label_not_a_mark() -> None:
    supply: Box = (100.0, 200.0, 140.0, 230.0)
    texts = texts_of(("24V", (110.0, 210.0, 125.0, 216.0)), ("3~", (105.0, 220.0, 112.0, 226.0)))
    assert symbol_marks(symbols_of(("power_supply", supply)), texts).tolist() == [False, True]


def test_the_line_gap_of_stacks_is_learnt_from_the_page() -> None:
    """Padded OCR boxes overlap within a stack; an aligned tag a little below is no part of it."""
    height, pitch = 10.0, 8.0  # boxes taller than the pitch: each overlaps the next by 0.2 h
    boxes, texts = [], []
    for column in range(3):
        for row in range(3):
            y = 100.0 + row * pitch
            boxes.append([100.0 + 100 * column, y, 150.0 + 100 * column, y + height])
            texts.append(f"L{column}{row}")
    tag_top = 100.0 + 2 * pitch + height + 0.6 * height
    boxes.append([100.0, tag_top, 170.0, tag_top + height])
    texts.append("3#12, 1#12 G")
    blocks = label_blocks(np.asarray(boxes), texts)
    assert sorted(block.lines for block in blocks) == [(0, 1, 2), (3, 4, 5), (6, 7, 8), (9,)]

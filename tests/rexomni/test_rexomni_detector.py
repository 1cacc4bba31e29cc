"""The rex-omni detector and text reader on known model answers (a fake at the generate seam)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sld.detections import Detections
from sld.pages.page import PageImage
from sld.pages.tiling import Tile, make_tiles, tile_detections_to_points
from sld.registry import DETECTORS, TEXT_READERS, load_factory
from sld.rexomni.queries import Answer, Query
from sld.rexomni.visual import STRIP_MARGIN, reference_canvas
from sld.settings import Settings
from sld.symbols.detectors.rexomni import RexOmniDetector, exemplars_from_folder
from sld.text.engines.rexomni import RexOmniTextReader, merge_text_boxes

PHRASES = Settings().rexomni_phrases


class ScriptedModel:
    """Answers each query with the next scripted string and remembers what it was asked."""

    def __init__(self, answers: Sequence[str]) -> None:
        self.answers = list(answers)
        self.queries: list[Query] = []

    def generate(self, queries: Sequence[Query]) -> list[Answer]:
        self.queries.extend(queries)
        answers, self.answers = self.answers[: len(queries)], self.answers[len(queries) :]
        return [Answer(answer) for answer in answers]


def _group(label: str, *boxes: tuple[int, int, int, int]) -> str:
    body = ",".join("".join(f"<{v}>" for v in box) for box in boxes)
    return f"<|object_ref_start|>{label}<|object_ref_end|><|box_start|>{body}<|box_end|>"


def test_known_answers_land_on_the_right_page_points(grid_page: PageImage) -> None:
    tiles = make_tiles(grid_page, 320, 64)
    assert [(t.x0, t.y0) for t in tiles] == [
        (0, 0),
        (160, 0),
        (320, 0),
        (0, 160),
        (160, 160),
        (320, 160),
    ]
    answers = [""] * len(tiles)
    # Tile 1 (x0=160): a breaker, the model correcting the phrase; an unknown label is dropped.
    answers[1] = (
        _group("circuit breakers", (0, 0, 999, 500))
        + ", "
        + _group("lamp", (1, 1, 9, 9))
        + "<|im_end|>"
    )
    # Tile 5 (x0=320, y0=160): an absent fuse and a transformer with a misspelt label.
    answers[5] = (
        "<|object_ref_start|>fuse symbol<|object_ref_end|><|box_start|>None<|box_end|>, "
        + _group("transfomer symbol", (100, 200, 300, 400))
        + "<|im_end|><|endoftext|><|endoftext|>"
    )
    model = ScriptedModel(answers)
    found = RexOmniDetector(model.generate, PHRASES, score=0.9).detect(tiles)

    prompt = (
        "Detect transformer symbol, circuit breaker symbol, disconnect switch symbol, "
        "fuse symbol, motor symbol, generator symbol. "
        "Output the bounding box coordinates in [x0, y0, x1, y1] format."
    )
    assert [q.prompt for q in model.queries] == [prompt] * len(tiles)
    assert all(q.image.size == (320, 320) and q.image.mode == "RGB" for q in model.queries)

    on_page = Detections.concatenate(
        [tile_detections_to_points(d, t, grid_page) for d, t in zip(found, tiles, strict=True)]
    )
    assert list(on_page.labels) == ["circuit_breaker", "transformer"]
    np.testing.assert_allclose(on_page.scores, [0.9, 0.9])
    bins_to_pt = 320 / 999 / 2.0  # 320-pixel tiles, 2 pixels per point
    np.testing.assert_allclose(
        on_page.boxes,
        [
            [160 / 2, 0.0, 160 / 2 + 999 * bins_to_pt, 500 * bins_to_pt],
            [
                320 / 2 + 100 * bins_to_pt,
                160 / 2 + 200 * bins_to_pt,
                320 / 2 + 300 * bins_to_pt,
                160 / 2 + 400 * bins_to_pt,
            ],
        ],
    )


def test_tiles_without_ink_are_not_sent_and_text_is_not_a_symbol() -> None:
    blank = Tile(index=0, x0=0, y0=0, image=np.full((100, 100), 255, dtype=np.uint8))
    inked_pixels = np.full((100, 200), 255, dtype=np.uint8)
    inked_pixels[50, :] = 0
    inked = Tile(
        index=1,
        x0=0,
        y0=100,
        image=inked_pixels,
        text_boxes=np.asarray([[0.0, 0.0, 50.0, 50.0]]),
    )
    model = ScriptedModel([_group("fuse", (0, 0, 200, 400), (500, 500, 900, 900))])
    found = RexOmniDetector(model.generate, PHRASES).detect([blank, inked])
    assert len(model.queries) == 1
    assert len(found[0]) == 0
    # The first box (0..40 x 0..40 px) lies on the text box; the second stays.
    np.testing.assert_allclose(
        found[1].boxes, [[500 / 999 * 200, 50.05, 900 / 999 * 200, 90.09]], atol=0.01
    )


def test_visual_prompting_pastes_exemplars_beside_the_tile_and_drops_the_strip() -> None:
    tile_pixels = np.full((200, 300), 255, dtype=np.uint8)
    tile_pixels[100, :] = 0
    tile = Tile(index=0, x0=0, y0=0, image=tile_pixels)
    fuse = np.full((30, 20), 255, dtype=np.uint8)
    fuse[5:25, 8:12] = 0
    motor = np.full((40, 40), 255, dtype=np.uint8)
    motor[10:30, 10:30] = 0
    canvas_width = 300 + 40 + 2 * STRIP_MARGIN  # the widest exemplar sets the strip
    # Per type one query; the answer has a box on the tile and one on the exemplar in the strip.
    model = ScriptedModel(
        [
            _group("object_1", (100, 100, 200, 300), (960, 100, 990, 300)) + "<|im_end|>",
            "<|object_ref_start|>object_1<|object_ref_end|><|box_start|>None<|box_end|>",
        ]
    )
    detector = RexOmniDetector(
        model.generate,
        PHRASES,
        mode="visual",
        exemplars=[("fuse", fuse), ("motor", motor), ("fuse", fuse)],
    )
    found = detector.detect([tile])[0]
    fuse_query, motor_query = model.queries
    assert fuse_query.image.size == (300 + 20 + 2 * STRIP_MARGIN, 200)
    assert motor_query.image.size == (canvas_width, 200)
    # Two fuse exemplars stacked in the strip; their ink boxes are the reference boxes.
    fuse_width = 300 + 20 + 2 * STRIP_MARGIN
    first = (
        int((300 + STRIP_MARGIN + 8) / fuse_width * 999),
        int((STRIP_MARGIN + 5) / 200 * 999),
        int((300 + STRIP_MARGIN + 12) / fuse_width * 999),
        int((STRIP_MARGIN + 25) / 200 * 999),
    )
    assert fuse_query.prompt.startswith(
        'Given reference boxes {"object_1": ["' + "".join(f"<{v}>" for v in first) + '", "<'
    )
    assert list(found.labels) == ["fuse"]
    np.testing.assert_allclose(
        found.boxes,
        [[100 / 999 * fuse_width, 100 / 999 * 200, 200 / 999 * fuse_width, 300 / 999 * 200]],
    )
    canvas = np.asarray(fuse_query.image.convert("L"))
    np.testing.assert_array_equal(canvas[:, :300], tile_pixels)
    assert (canvas[:, 300:] == 0).sum() == 2 * (fuse == 0).sum()


def test_reference_canvas_scales_a_stack_taller_than_the_tile() -> None:
    tall = np.zeros((150, 30), dtype=np.uint8)
    canvas = reference_canvas(np.full((100, 100), 255, dtype=np.uint8), [tall, tall])
    assert canvas.image.shape[0] == 100
    for x0, y0, x1, y1 in canvas.reference_boxes:
        assert 100 <= x0 < x1 <= canvas.image.shape[1]
        assert 0 <= y0 < y1 <= 100
    with pytest.raises(ValueError):
        reference_canvas(
            np.full((100, 100), 255, dtype=np.uint8), [np.zeros((5, 5, 3), dtype=np.uint8)]
        )


def test_visual_mode_needs_exemplars() -> None:
    with pytest.raises(ValueError, match="reference symbols"):
        RexOmniDetector(ScriptedModel([]).generate, PHRASES, mode="visual")
    with pytest.raises(ValueError, match="mode"):
        RexOmniDetector(ScriptedModel([]).generate, PHRASES, mode="sketch")


def test_exemplars_from_folder(tmp_path: Path) -> None:
    (tmp_path / "fuse").mkdir()
    (tmp_path / "motor").mkdir()
    Image.fromarray(np.zeros((10, 12), dtype=np.uint8)).save(tmp_path / "fuse" / "a.png")
    Image.fromarray(np.zeros((8, 8, 3), dtype=np.uint8)).save(tmp_path / "motor" / "b.png")
    exemplars = exemplars_from_folder(tmp_path)
    assert [(kind, crop.shape) for kind, crop in exemplars] == [
        ("fuse", (10, 12)),
        ("motor", (8, 8)),
    ]
    assert all(crop.dtype == np.uint8 for _, crop in exemplars)


def test_text_reader_maps_lines_and_merges_overlap_duplicates(grid_page: PageImage) -> None:
    tiles = make_tiles(grid_page, 320, 64)
    answers = ["<|im_end|>"] * len(tiles)
    # A line at page x 300..400 px: whole in tile 1 (x0 = 160), cut by the edges of tiles 0 and 2.
    answers[0] = _group("480V", (936, 31, 999, 62))
    answers[1] = _group("480V 3PH", (437, 31, 749, 62)) + ", " + _group("  ", (1, 1, 5, 5))
    answers[2] = _group("T1", (500, 500, 600, 560)) + ", " + _group("3PH", (0, 31, 249, 62))
    model = ScriptedModel(answers)
    lines = RexOmniTextReader(model.generate, tile_size=320, tile_overlap=64).read(grid_page)
    assert [q.prompt for q in model.queries] == ["Detect all text line and recognize them."] * len(
        tiles
    )
    # The parts are dropped, the whole line and the other line stay; the empty label is not text.
    assert sorted(lines.labels) == ["480V 3PH", "T1"]
    line = lines.boxes[list(lines.labels).index("480V 3PH")]
    np.testing.assert_allclose(line, np.asarray([300, 10, 400, 20]) / 2, atol=0.2)
    t1 = lines.boxes[list(lines.labels).index("T1")]
    np.testing.assert_allclose(
        t1, (np.asarray([500, 500, 600, 560]) / 999 * 320 + [320, 0, 320, 0]) / 2
    )
    word_reader = RexOmniTextReader(ScriptedModel([""] * 6).generate, granularity="word")
    assert word_reader.prompt == "Detect all word and recognize them."


def test_merge_keeps_separate_lines() -> None:
    lines = Detections.from_lists(
        [[0, 0, 10, 2], [0, 3, 10, 5], [1, 0, 9, 2], [20, 20, 30, 22]],
        [1, 1, 1, 1],
        ["a", "b", "a", "c"],
    )
    merged = merge_text_boxes(lines, iou=0.5, containment=0.8)
    assert sorted(merged.labels) == ["a", "b", "c"]


def test_backends_are_registered() -> None:
    assert DETECTORS["rex-omni"] == "sld.symbols.detectors.rexomni:create"
    assert DETECTORS["rex-omni-server"] == "sld.symbols.detectors.rexomni:create_server"
    assert DETECTORS["grounding-dino"] == "sld.symbols.detectors.grounding_dino:create"
    assert TEXT_READERS["rex-omni"] == "sld.text.engines.rexomni:create"
    assert TEXT_READERS["rex-omni-server"] == "sld.text.engines.rexomni:create_server"
    for registry in (DETECTORS, TEXT_READERS):
        for name in ("rex-omni", "rex-omni-server"):
            assert callable(load_factory(registry, "backend", name))


def test_server_backends_from_settings_need_no_model_on_this_machine() -> None:
    settings = Settings(detector="rex-omni-server", ocr="rex-omni-server")
    detector = load_factory(DETECTORS, "detector", "rex-omni-server")(settings)
    reader = load_factory(TEXT_READERS, "text engine", "rex-omni-server")(settings)
    assert detector.name == "rex-omni-server"  # type: ignore[attr-defined]
    assert reader.name == "rex-omni-server"  # type: ignore[attr-defined]


def test_visual_mode_from_settings_reads_the_library(tmp_path: Path) -> None:
    from sld.symbols.detectors.rexomni import create_server

    with pytest.raises(ValueError, match="SLD_SYMBOL_LIBRARY"):
        create_server(Settings(rexomni_mode="visual"))
    (tmp_path / "fuse").mkdir()
    Image.fromarray(np.zeros((10, 12), dtype=np.uint8)).save(tmp_path / "fuse" / "a.png")
    detector = create_server(Settings(rexomni_mode="visual", symbol_library=tmp_path))
    assert list(detector.exemplars) == ["fuse"]

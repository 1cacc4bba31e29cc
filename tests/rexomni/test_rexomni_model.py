"""Rex-Omni in process on tiny checkpoints: loading, batching, generation, detection, OCR."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from benchmarks.harness.tiny_rexomni import WIRED_DETECTION_ANSWER, WIRED_OCR_ANSWER
from sld.pages.page import PageImage
from sld.pages.tiling import make_tiles, tile_detections_to_points
from sld.rexomni.images import model_image
from sld.rexomni.inprocess import load_rexomni
from sld.rexomni.prompts import chat_text, detection_prompt
from sld.rexomni.queries import Query
from sld.settings import Settings
from sld.symbols.detectors.rexomni import RexOmniDetector
from sld.text.engines.rexomni import RexOmniTextReader

PHRASES = Settings().rexomni_phrases
#: Tiles of the `grid_page` fixture: 3 x 2 of them.
TILE = 320
OVERLAP = 64


def _query(height: int, width: int, prompt: str, seed: int = 0) -> Query:
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width), dtype=np.uint8)
    return Query(model_image(pixels), prompt)


def test_batch_is_left_padded_and_keeps_the_image_token_layout(tiny_rexomni: Path) -> None:
    model = load_rexomni(str(tiny_rexomni), device="cpu", batch_size=2, max_new_tokens=16)
    texts = [chat_text("Detect fuse symbol."), chat_text(detection_prompt(list(PHRASES.values())))]
    images = [_query(56, 56, "").image, _query(56, 56, "").image]
    inputs = model.processor(text=texts, images=images, padding=True, return_tensors="pt")
    mask = inputs["attention_mask"]
    assert mask[0, 0] == 0 and mask[1, 0] == 1  # the shorter prompt is padded on the left
    assert mask[0, -1] == 1
    image_pad = model.tokenizer.convert_tokens_to_ids("<|image_pad|>")
    # 56 x 56 pixels is raised to the minimum budget (16 patches of 28 x 28): 16 image tokens.
    assert int((inputs["input_ids"][1] == image_pad).sum()) == 16
    assert "mm_token_type_ids" in inputs


def test_random_model_answers_every_query_in_batches(tiny_rexomni: Path) -> None:
    model = load_rexomni(str(tiny_rexomni), device="cpu", batch_size=2, max_new_tokens=12)
    queries = [
        _query(300, 400, "Detect fuse symbol.", 1),
        _query(64, 900, "Detect motor symbol.", 2),
    ]
    queries.append(_query(20, 700, "Detect all text line and recognize them.", 3))
    answers = model.generate(queries)
    assert len(answers) == 3
    assert all(answer.text for answer in answers)
    assert all("".join(t.text for t in answer.tokens) == answer.text for answer in answers)


def test_wired_model_writes_its_answer_through_generate_and_decode(
    wired_detection_rexomni: Path,
) -> None:
    model = load_rexomni(
        str(wired_detection_rexomni), device="cpu", batch_size=2, max_new_tokens=40
    )
    answers = model.generate([_query(200, 300, "Detect fuse symbol.", s) for s in range(3)])
    # Decoded with special tokens kept; generation stopped at <|im_end|>.
    assert [answer.text for answer in answers] == [WIRED_DETECTION_ANSWER] * 3


def test_detector_on_tiny_model_maps_answers_to_page_points(
    wired_detection_rexomni: Path, grid_page: PageImage
) -> None:
    model = load_rexomni(
        str(wired_detection_rexomni), device="cpu", batch_size=4, max_new_tokens=40
    )
    detector = RexOmniDetector(model.generate, PHRASES)
    tiles = make_tiles(grid_page, TILE, OVERLAP)
    assert len(tiles) == 6
    found = detector.detect(tiles)
    assert len(found) == len(tiles)
    for tile, detections in zip(tiles, found, strict=True):
        assert list(detections.labels) == ["fuse", "fuse"]
        expected_px = np.asarray([[100, 200, 300, 400], [500, 550, 600, 700]]) / 999 * TILE
        np.testing.assert_allclose(detections.boxes, expected_px)
        on_page = tile_detections_to_points(detections, tile, grid_page)
        np.testing.assert_allclose(
            on_page.boxes, (expected_px + np.asarray([tile.x0, tile.y0, tile.x0, tile.y0])) / 2.0
        )


def test_detector_on_random_model_gives_valid_boxes_only(
    tiny_rexomni: Path, grid_page: PageImage
) -> None:
    model = load_rexomni(str(tiny_rexomni), device="cpu", batch_size=4, max_new_tokens=32)
    tiles = make_tiles(grid_page, TILE, OVERLAP)
    found = RexOmniDetector(model.generate, PHRASES).detect(tiles)
    assert len(found) == len(tiles)
    for tile, detections in zip(tiles, found, strict=True):
        assert set(detections.labels) <= set(PHRASES)
        boxes = detections.boxes
        assert ((boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])).all()
        assert (boxes >= 0).all() and (boxes[:, [0, 2]] <= tile.width).all()
        assert (boxes[:, [1, 3]] <= tile.height).all()


@pytest.mark.parametrize("granularity", ["text line", "word"])
def test_text_reader_on_tiny_model(
    wired_ocr_rexomni: Path, grid_page: PageImage, granularity: str
) -> None:
    model = load_rexomni(str(wired_ocr_rexomni), device="cpu", batch_size=4, max_new_tokens=40)
    reader = RexOmniTextReader(
        model.generate, granularity=granularity, tile_size=TILE, tile_overlap=OVERLAP
    )
    lines = reader.read(grid_page)
    tiles = make_tiles(grid_page, TILE, OVERLAP)
    # One line per tile, all in different places: nothing merges.
    assert len(lines) == len(tiles)
    assert set(lines.labels) == {"480V 3PH"}
    expected = {
        tuple(
            np.round(
                (np.asarray([50, 60, 400, 120]) / 999 * TILE + [t.x0, t.y0, t.x0, t.y0]) / 2, 6
            )
        )
        for t in tiles
    }
    assert {tuple(np.round(box, 6)) for box in lines.boxes} == expected
    assert "480V" in WIRED_OCR_ANSWER


def test_backends_through_the_registries_and_protocols(
    wired_detection_rexomni: Path, grid_page: PageImage
) -> None:
    """What `sld digitise --detector rex-omni --ocr rex-omni` does: settings, factory, protocol."""
    from sld.symbols.detectors import detector_for
    from sld.text.engines import text_reader_for

    settings = Settings(
        detector="rex-omni",
        ocr="rex-omni",
        rexomni_model=str(wired_detection_rexomni),
        rexomni_device="cpu",
        rexomni_max_new_tokens=40,
        tile_size=TILE,
        tile_overlap=OVERLAP,
    )
    detector = detector_for(settings)
    reader = text_reader_for(settings)
    assert (detector.name, reader.name) == ("rex-omni", "rex-omni")
    tiles = make_tiles(grid_page, settings.tile_size, settings.tile_overlap)
    found = detector.detect(tiles)
    assert [len(d) for d in found] == [2] * len(tiles)
    # The reader gets the same (wired) model: its answers are fuse boxes, read as text lines.
    lines = reader.read(grid_page)
    assert set(lines.labels) == {"fuse symbol"}
    assert (lines.boxes[:, 2] <= grid_page.width_pt).all()
    assert (lines.boxes[:, 3] <= grid_page.height_pt).all()

"""The grounding-dino detector on a tiny random Grounding DINO built and saved here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from sld.pages.page import PageImage
from sld.pages.tiling import Tile, make_tiles
from sld.rexomni.images import model_image
from sld.settings import Settings
from sld.symbols.detectors.grounding_dino import (
    GroundingDinoDetector,
    caption,
    create,
    load_grounding_dino,
)

PHRASES = Settings().rexomni_phrases


@pytest.fixture(scope="module")
def tiny_grounding_dino(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random Grounding DINO with a word-piece tokenizer and PIL image processor."""
    from transformers import (
        BertConfig,
        BertTokenizer,
        GroundingDinoConfig,
        GroundingDinoForObjectDetection,
        GroundingDinoProcessor,
        SwinConfig,
    )
    from transformers.models.grounding_dino.image_processing_pil_grounding_dino import (
        GroundingDinoImageProcessorPil,
    )

    folder = tmp_path_factory.mktemp("tiny-grounding-dino")
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", ","]
    words += sorted({w for phrase in PHRASES.values() for w in phrase.split()})
    tokenizer = BertTokenizer(vocab={word: i for i, word in enumerate(words)})
    image_processor = GroundingDinoImageProcessorPil(
        size={"shortest_edge": 128, "longest_edge": 192}
    )
    processor: Any = GroundingDinoProcessor
    processor(image_processor=image_processor, tokenizer=tokenizer).save_pretrained(folder)
    swin: dict[str, Any] = {
        "embed_dim": 16,
        "depths": [1, 1, 1, 1],
        "num_heads": [1, 1, 1, 1],
        "window_size": 7,
        "out_features": ["stage2", "stage3", "stage4"],
    }
    config = GroundingDinoConfig(
        backbone_config=SwinConfig(**swin),
        text_config=BertConfig(
            vocab_size=len(words),
            hidden_size=32,
            num_hidden_layers=1,
            num_attention_heads=2,
            intermediate_size=64,
        ),
        d_model=32,
        encoder_layers=1,
        decoder_layers=2,  # the box heads are tied across decoder layers: at least two
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        num_queries=30,
        encoder_n_points=2,
        decoder_n_points=2,
        max_text_len=64,
    )
    torch.manual_seed(0)
    GroundingDinoForObjectDetection(config).save_pretrained(folder)
    return folder


def test_caption_is_lower_case_phrases_each_ending_with_a_period() -> None:
    assert caption(["Circuit Breaker symbol", "fuse"]) == "circuit breaker symbol. fuse."


def test_tiny_model_runs_through_the_detector(
    tiny_grounding_dino: Path, grid_page: PageImage
) -> None:
    model, processor = load_grounding_dino(str(tiny_grounding_dino), device="cpu")
    detector = GroundingDinoDetector(
        model, processor, PHRASES, box_threshold=0.05, text_threshold=0.05, batch_size=4
    )
    tiles = make_tiles(grid_page, 320, 64)
    found = detector.detect(tiles)
    assert len(found) == len(tiles)
    for tile, detections in zip(tiles, found, strict=True):
        assert set(detections.labels) <= set(PHRASES)
        boxes = detections.boxes
        assert ((boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])).all()
        assert (boxes >= 0).all() and (boxes[:, [0, 2]] <= tile.width).all()
        assert ((detections.scores >= 0.05) & (detections.scores <= 1)).all()
    # The raw model output, before label matching, has boxes: the run is not empty.
    inputs = processor(
        images=[model_image(tiles[0].image)],
        text=[detector.caption],
        return_tensors="pt",
    )
    with torch.inference_mode():
        outputs = model(**inputs)
    raw = processor.post_process_grounded_object_detection(
        outputs, inputs["input_ids"], threshold=0.05, text_threshold=0.05, target_sizes=[(320, 320)]
    )
    assert len(raw[0]["boxes"]) > 0


def test_labels_are_matched_clipped_and_unknown_ones_dropped() -> None:
    detector = GroundingDinoDetector(None, None, PHRASES)
    pixels = np.zeros((100, 200), dtype=np.uint8)
    tile = Tile(
        index=0, x0=0, y0=0, image=pixels, text_boxes=np.asarray([[150.0, 0.0, 200.0, 40.0]])
    )
    result = {
        "boxes": torch.tensor(
            [[10.0, 10.0, 50.0, 50.0], [-5.0, 20.0, 250.0, 90.0], [1, 1, 9, 9], [160, 5, 190, 30]]
        ),
        "scores": torch.tensor([0.9, 0.5, 0.8, 0.7]),
        "text_labels": ["breaker", "fuse symbol", "circuit breaker symbol fuse symbol", "motor"],
    }
    found = detector._read(result, tile)
    assert list(found.labels) == ["circuit_breaker", "fuse", "motor"]
    np.testing.assert_allclose(found.boxes[1], [0.0, 20.0, 200.0, 90.0])
    np.testing.assert_allclose(found.scores, [0.9, 0.5, 0.7])


def test_factory_reads_the_settings(tiny_grounding_dino: Path) -> None:
    settings = Settings(
        grounding_dino_model=str(tiny_grounding_dino),
        rexomni_device="cpu",
        grounding_dino_box_threshold=0.4,
        rexomni_phrases={"fuse": "fuse symbol"},
    )
    detector = create(settings)
    assert detector.name == "grounding-dino"
    assert detector.box_threshold == 0.4
    assert detector.caption == "fuse symbol."

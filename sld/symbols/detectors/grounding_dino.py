"""`grounding-dino` detector: SLD symbols by Grounding DINO (Apache-2.0), zero-shot.

A permissively licensed alternative to Rex-Omni that runs on a CPU: one forward pass per batch
of tiles, no text generation. It is asked for the same phrase per component type (setting
`rexomni_phrases`), written the way it was trained: lower case, each phrase ending with a
period. Its labels are the phrase words whose score passed `grounding_dino_text_threshold`;
they are matched back to types like Rex-Omni's. Unlike Rex-Omni it gives real scores.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch

from sld.detections import Detections
from sld.geometry import clip_boxes, valid_boxes
from sld.pages.tiling import Tile
from sld.rexomni.images import model_image
from sld.settings import Settings
from sld.symbols.detectors.zero_shot import PhraseMatcher, drop_boxes_on_text, normalise

log = logging.getLogger(__name__)

DEFAULT_MODEL = "IDEA-Research/grounding-dino-tiny"


def caption(phrases: Sequence[str]) -> str:
    """Phrases as Grounding DINO reads them: `"circuit breaker symbol. fuse symbol."`."""
    return " ".join(f"{normalise(phrase)}." for phrase in phrases)


class GroundingDinoDetector:
    """A `SymbolDetector` on a transformers zero-shot object detection model."""

    def __init__(
        self,
        model: Any,
        processor: Any,
        phrases: Mapping[str, str],
        *,
        box_threshold: float = 0.3,
        text_threshold: float = 0.25,
        batch_size: int = 4,
        name: str = "grounding-dino",
    ) -> None:
        self.name = name
        self.model = model
        self.processor = processor
        self.matcher = PhraseMatcher(phrases)
        self.caption = caption(list(phrases.values()))
        self.box_threshold = box_threshold
        self.text_threshold = text_threshold
        self.batch_size = batch_size

    def detect(self, tiles: Sequence[Tile]) -> list[Detections]:
        found = [Detections() for _ in tiles]
        inked = [position for position, tile in enumerate(tiles) if tile.has_ink]
        for start in range(0, len(inked), self.batch_size):
            batch = inked[start : start + self.batch_size]
            for position, detections in zip(
                batch, self._detect([tiles[p] for p in batch]), strict=True
            ):
                found[position] = drop_boxes_on_text(detections, tiles[position])
        return found

    def _detect(self, tiles: Sequence[Tile]) -> list[Detections]:
        images = [model_image(tile.image) for tile in tiles]
        inputs = self.processor(
            images=images, text=[self.caption] * len(images), padding=True, return_tensors="pt"
        ).to(self.model.device)
        with torch.inference_mode():
            outputs = self.model(**inputs)
        results = self.processor.post_process_grounded_object_detection(
            outputs,
            inputs["input_ids"],
            threshold=self.box_threshold,
            text_threshold=self.text_threshold,
            target_sizes=[(image.height, image.width) for image in images],
        )
        return [self._read(result, tile) for result, tile in zip(results, tiles, strict=True)]

    def _read(self, result: dict[str, Any], tile: Tile) -> Detections:
        labels = [self.matcher.match(str(label)) or "" for label in result["text_labels"]]
        if not labels:
            return Detections()
        boxes = clip_boxes(result["boxes"].detach().cpu().double().numpy(), tile.width, tile.height)
        found = Detections(
            boxes=boxes,
            scores=result["scores"].detach().cpu().double().numpy(),
            labels=np.asarray(labels, dtype=object),
        )
        keep = valid_boxes(found.boxes) & np.asarray([bool(label) for label in labels])
        return found[keep]


def load_grounding_dino(name_or_path: str = DEFAULT_MODEL, device: str = "auto") -> tuple[Any, Any]:
    """Model and processor from a hub id or a local folder (float32; the tiny model is small)."""
    from transformers import AutoModelForZeroShotObjectDetection, AutoProcessor

    from sld.rexomni.inprocess import resolve_device

    processor = AutoProcessor.from_pretrained(name_or_path)  # type: ignore[no-untyped-call]
    model = AutoModelForZeroShotObjectDetection.from_pretrained(name_or_path)
    model = model.to(resolve_device(device)).eval()
    log.info("loaded %s on %s", name_or_path, model.device)
    return model, processor


def create(settings: Settings) -> GroundingDinoDetector:
    model, processor = load_grounding_dino(settings.grounding_dino_model, settings.rexomni_device)
    return GroundingDinoDetector(
        model,
        processor,
        settings.rexomni_phrases,
        box_threshold=settings.grounding_dino_box_threshold,
        text_threshold=settings.grounding_dino_text_threshold,
        batch_size=settings.rexomni_batch_size,
    )

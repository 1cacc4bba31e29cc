"""Samples to model inputs: the inference chat plus the answer, loss on the answer only.

The text is `sld.rexomni.prompts.chat_text(prompt)` (what inference sends, system message
and image placement included) followed by the answer, and the image goes through the same
processor (pixel budget included) as at inference. Batches are padded on the left, as the
loaded tokenizer is set up for generation, so each row's answer is its last tokens: the
labels are -100 everywhere else. The answer starts and ends with special tokens, so it
tokenises the same alone as after the prompt; the collator checks that.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from sld.rexomni.prompts import chat_text
from sld.training.loss import IGNORE_INDEX
from sld.training.samples import Sample


class AnswerCollator:
    """Builds `input_ids`, `attention_mask`, `pixel_values`, `image_grid_thw`, `labels`, ..."""

    def __init__(self, processor: Any) -> None:
        self.processor = processor
        self.tokenizer = processor.tokenizer
        if self.tokenizer.padding_side != "left":
            raise ValueError("the collator needs a tokenizer that pads on the left")

    def __call__(self, samples: Sequence[Sample]) -> dict[str, Any]:
        batch = self.processor(
            text=[chat_text(sample.prompt) + sample.answer for sample in samples],
            images=[sample.image for sample in samples],
            padding=True,
            return_tensors="pt",
        )
        input_ids = batch["input_ids"]
        labels = torch.full_like(input_ids, IGNORE_INDEX)
        for row, sample in enumerate(samples):
            answer = self.tokenizer.encode(sample.answer, add_special_tokens=False)
            tail = input_ids[row, -len(answer) :].tolist()
            if tail != answer:
                raise ValueError(
                    f"the answer of {sample.origin or 'a sample'} tokenises differently after "
                    "its prompt; it must start with a special token"
                )
            labels[row, -len(answer) :] = input_ids[row, -len(answer) :]
        batch["labels"] = labels
        return dict(batch)

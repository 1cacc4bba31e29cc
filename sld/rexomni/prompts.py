"""The exact prompt strings Rex-Omni was trained and released with, and the chat around them.

The wording matters: the model answers the upstream templates (`rex_omni/tasks.py`) in its box
grammar and drifts on paraphrases. The system prompt has no final period, the image comes
before the text, and there is no newline between the image and the prompt, as in upstream's
inference wrapper.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Literal

from sld.rexomni.coords import BinBox, bins_to_tokens

SYSTEM_PROMPT = "You are a helpful assistant"

DETECTION_TEMPLATE = (
    "Detect {categories}. Output the bounding box coordinates in [x0, y0, x1, y1] format."
)
VISUAL_PROMPTING_TEMPLATE = (
    "Given reference boxes {visual_prompt} indicating one or more objects, "
    "find all similar objects in the image and output their bounding boxes."
)
OCR_BOX_TEMPLATE = "Detect all {categories} and recognize them."

#: What `ocr_box` can be asked to find: whole lines or single words.
OcrGranularity = Literal["text line", "word"]
OCR_GRANULARITIES: tuple[OcrGranularity, ...] = ("text line", "word")

#: The key upstream's wrapper gives the reference boxes of a visual prompt.
VISUAL_PROMPT_KEY = "object_1"


def clean_phrase(phrase: str) -> str:
    """A phrase that cannot break the category list or the answer grammar.

    Categories are joined with ", " and echoed back between special tokens, so commas, angle
    brackets and runs of whitespace are taken out.
    """
    cleaned = " ".join(phrase.replace(",", " ").replace("<", " ").replace(">", " ").split())
    if not cleaned:
        raise ValueError(f"empty detection phrase: {phrase!r}")
    return cleaned


def detection_prompt(phrases: Sequence[str]) -> str:
    """`detection` task: find every listed phrase, answer with boxes."""
    if not phrases:
        raise ValueError("a detection prompt needs at least one phrase")
    categories = ", ".join(clean_phrase(phrase) for phrase in phrases)
    return DETECTION_TEMPLATE.format(categories=categories)


def visual_prompting_prompt(reference_boxes: Sequence[BinBox]) -> str:
    """`visual_prompting` task: find objects like those in the reference boxes (same image).

    The boxes are serialised the way upstream's wrapper does it:
    `{"object_1": ["<x0><y0><x1><y1>", ...]}`.
    """
    if not reference_boxes:
        raise ValueError("a visual prompt needs at least one reference box")
    serialised = json.dumps({VISUAL_PROMPT_KEY: [bins_to_tokens(box) for box in reference_boxes]})
    return VISUAL_PROMPTING_TEMPLATE.format(visual_prompt=serialised)


def ocr_box_prompt(granularity: OcrGranularity = "text line") -> str:
    """`ocr_box` task: boxes of every text line (or word), each labelled with the text read."""
    if granularity not in OCR_GRANULARITIES:
        raise ValueError(f"OCR granularity must be one of {OCR_GRANULARITIES}, got {granularity!r}")
    return OCR_BOX_TEMPLATE.format(categories=granularity)


def chat_text(prompt: str) -> str:
    """The conversation as the Qwen2.5-VL chat template renders it, ready for generation.

    Written out rather than taken from the checkpoint's template file, whose location moved
    between transformers versions; this is the rendering upstream's wrapper produces for a
    system message, one image and one text (image first), with the assistant turn opened.
    """
    return (
        f"<|im_start|>system\n{SYSTEM_PROMPT}<|im_end|>\n"
        f"<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>{prompt}<|im_end|>\n"
        "<|im_start|>assistant\n"
    )


#: A Jinja chat template that renders a system message, a user turn with one image and a text,
#: and the open assistant turn exactly as `chat_text` writes them (`<image>` parts become the
#: vision markers; no newline after them). Given to the processor, so that code that renders
#: conversations itself (TRL's GRPOTrainer) sends what inference sends; a test holds the two
#: to the same text.
CHAT_TEMPLATE = (
    "{%- for message in messages -%}"
    "{{ '<|im_start|>' + message['role'] + '\\n' }}"
    "{%- if message['content'] is string -%}{{ message['content'] }}"
    "{%- else -%}{%- for part in message['content'] -%}"
    "{%- if part['type'] == 'image' -%}{{ '<|vision_start|><|image_pad|><|vision_end|>' }}"
    "{%- elif part['type'] == 'text' -%}{{ part['text'] }}{%- endif -%}"
    "{%- endfor -%}{%- endif -%}"
    "{{ '<|im_end|>\\n' }}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<|im_start|>assistant\\n' }}{%- endif -%}"
)


def chat_messages(prompt: str, image_url: str) -> list[dict[str, object]]:
    """The same conversation as OpenAI chat-completions messages (for a vLLM server)."""
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": image_url}},
                {"type": "text", "text": prompt},
            ],
        },
    ]

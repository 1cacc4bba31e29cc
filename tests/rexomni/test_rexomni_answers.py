"""Writing answers (training targets) is the exact inverse of reading them."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from sld.rexomni.answers import answer_text
from sld.rexomni.coords import bin_to_pixels
from sld.rexomni.inprocess import load_rexomni
from sld.rexomni.parser import parse_answer
from sld.rexomni.prompts import SYSTEM_PROMPT, chat_text


def test_answer_text_is_the_grammar_the_parser_reads() -> None:
    text = answer_text(
        [("fuse symbol", [(500, 550, 600, 700), (100, 200, 300, 400)]), ("motor symbol", [])]
    )
    assert text == (
        "<|object_ref_start|>fuse symbol<|object_ref_end|>"
        "<|box_start|><100><200><300><400>,<500><550><600><700><|box_end|>, "
        "<|object_ref_start|>motor symbol<|object_ref_end|><|box_start|>None<|box_end|>"
        "<|im_end|>"
    )
    shapes = parse_answer(text, 999, 999)
    assert [(s.label, s.box) for s in shapes] == [
        ("fuse symbol", (100.0, 200.0, 300.0, 400.0)),
        ("fuse symbol", (bin_to_pixels(500, 999), 550.0, 600.0, 700.0)),
    ]


def test_labels_that_break_the_grammar_are_refused() -> None:
    with pytest.raises(ValueError, match="label"):
        answer_text([("a <b>", [(1, 2, 3, 4)])])
    with pytest.raises(ValueError, match="label"):
        answer_text([("", [])])


def test_the_processor_chat_template_renders_what_inference_sends(tiny_rexomni: Path) -> None:
    processor = load_rexomni(str(tiny_rexomni), device="cpu").processor
    prompt = "Detect fuse symbol. Output the bounding box coordinates in [x0, y0, x1, y1] format."
    image = Image.new("RGB", (56, 56), "white")
    structured = [
        {"role": "system", "content": SYSTEM_PROMPT},
        {
            "role": "user",
            "content": [{"type": "image", "image": image}, {"type": "text", "text": prompt}],
        },
    ]
    rendered = processor.apply_chat_template(structured, add_generation_prompt=True, tokenize=False)
    assert rendered == chat_text(prompt)

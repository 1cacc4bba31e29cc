"""Prompts, coordinate bins and the answer parser of the Rex-Omni backend."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sld.rexomni.coords import MAX_BIN, bin_to_pixels, bins_to_tokens, box_to_bins, pixels_to_bin
from sld.rexomni.parser import Shape, parse_answer, shapes_to_detections
from sld.rexomni.prompts import (
    chat_messages,
    chat_text,
    detection_prompt,
    ocr_box_prompt,
    visual_prompting_prompt,
)

# --- prompts: upstream's exact strings ---------------------------------------------------------


def test_detection_prompt_is_upstreams_template() -> None:
    assert detection_prompt(["man", "woman", "cup"]) == (
        "Detect man, woman, cup. Output the bounding box coordinates in [x0, y0, x1, y1] format."
    )


def test_detection_prompt_cleans_phrases_that_would_break_the_list() -> None:
    assert detection_prompt(["fuse, 3-pole", " motor <M> "]) == (
        "Detect fuse 3-pole, motor M. "
        "Output the bounding box coordinates in [x0, y0, x1, y1] format."
    )
    with pytest.raises(ValueError, match="empty"):
        detection_prompt([" , "])


def test_visual_prompt_serialises_boxes_like_upstreams_wrapper() -> None:
    prompt = visual_prompting_prompt([(12, 34, 56, 78), (90, 12, 34, 56)])
    assert prompt == (
        'Given reference boxes {"object_1": ["<12><34><56><78>", "<90><12><34><56>"]} '
        "indicating one or more objects, find all similar objects in the image "
        "and output their bounding boxes."
    )


def test_ocr_prompts() -> None:
    assert ocr_box_prompt() == "Detect all text line and recognize them."
    assert ocr_box_prompt("word") == "Detect all word and recognize them."
    with pytest.raises(ValueError):
        ocr_box_prompt("paragraph")  # type: ignore[arg-type]


def test_chat_puts_the_image_first_and_the_system_prompt_has_no_period() -> None:
    assert chat_text("Detect fuse.") == (
        "<|im_start|>system\nYou are a helpful assistant<|im_end|>\n<|im_start|>user\n"
        "<|vision_start|><|image_pad|><|vision_end|>Detect fuse.<|im_end|>\n<|im_start|>assistant\n"
    )
    system, user = chat_messages("Detect fuse.", "data:image/png;base64,AAAA")
    assert system == {"role": "system", "content": "You are a helpful assistant"}
    assert user["content"] == [
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
        {"type": "text", "text": "Detect fuse."},
    ]


# --- coordinates ------------------------------------------------------------------------------


def test_bins_decode_with_divisor_999_on_the_original_size() -> None:
    # The upstream notebook: bin 999 is the right edge of a 1440-wide image.
    assert bin_to_pixels(999, 1440) == 1440.0
    assert bin_to_pixels(0, 1440) == 0.0
    assert bin_to_pixels(500, 999) == pytest.approx(500.0)


def test_encoding_truncates_and_clamps() -> None:
    assert pixels_to_bin(1439.9, 1440) == 998  # int() truncates 998.93
    assert pixels_to_bin(1440, 1440) == 999
    assert pixels_to_bin(-5, 100) == 0
    assert pixels_to_bin(250, 100) == 999
    assert box_to_bins([10, 20, 30, 40], 100, 200) == (99, 99, 299, 199)
    assert bins_to_tokens((1, 20, 300, 999)) == "<1><20><300><999>"
    with pytest.raises(ValueError):
        bins_to_tokens((1000,))


sizes = st.floats(min_value=1.0, max_value=20_000.0, allow_nan=False)


@given(size=sizes, share=st.floats(min_value=0.0, max_value=1.0))
def test_round_trip_lands_within_one_bin_below(size: float, share: float) -> None:
    value = share * size
    decoded = bin_to_pixels(pixels_to_bin(value, size), size)
    bin_width = size / MAX_BIN
    assert decoded <= value + 1e-9 * size
    assert value - decoded < bin_width + 1e-9 * size


# --- parser: observed outputs -------------------------------------------------------------------

OBSERVED = (
    "<|object_ref_start|>man<|object_ref_end|><|box_start|><23><294><106><525>,"
    "<80><286><146><515><|box_end|>, <|object_ref_start|>sofa<|object_ref_end|><|box_start|>"
    "<643><453><999><977><|box_end|><|im_end|>"
)


def test_observed_detection_output() -> None:
    shapes = parse_answer(OBSERVED, 999, 1998)
    assert [(s.label, s.kind) for s in shapes] == [("man", "box"), ("man", "box"), ("sofa", "box")]
    assert shapes[0].box == (23.0, 588.0, 106.0, 1050.0)
    assert shapes[2].box == (643.0, 906.0, 999.0, 1954.0)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        # Absent object.
        ("<|object_ref_start|>cat<|object_ref_end|><|box_start|>None<|box_end|><|im_end|>", []),
        # Corrected label is kept as the model wrote it.
        (
            "<|object_ref_start|>robot-shape light<|object_ref_end|>"
            "<|box_start|><1><2><3><4><|box_end|>",
            [("robot-shape light", "box", ((1, 2), (3, 4)))],
        ),
        # Point and polygon.
        (
            "<|object_ref_start|>tip<|object_ref_end|><|box_start|><10><20><|box_end|>",
            [("tip", "point", ((10, 20),))],
        ),
        (
            "<|object_ref_start|>480V<|object_ref_end|><|box_start|><1><2><9><2><9><8><1><8><|box_end|>",
            [("480V", "polygon", ((1, 2), (9, 2), (9, 8), (1, 8)))],
        ),
        # Truncated by the token cap: the open group is read, its cut last box is not.
        (
            "<|object_ref_start|>fuse<|object_ref_end|><|box_start|><1><2><3><4>,<5><6><7>",
            [("fuse", "box", ((1, 2), (3, 4)))],
        ),
        # Spaces between special tokens (vLLM's default) are tolerated.
        (
            "<|object_ref_start|> fuse <|object_ref_end|> "
            "<|box_start|> <1> <2> <3> <4> <|box_end|>",
            [("fuse", "box", ((1, 2), (3, 4)))],
        ),
        # Bin above 999, odd count, inverted box, stray tokens: skipped, the rest kept.
        (
            "<|object_ref_start|>m<|object_ref_end|><|box_start|><1><2><1000><4>,<1><2><3>,"
            "<9><2><3><4>,<|quad_end|>,<5><6><7><8><|box_end|>",
            [("m", "box", ((5, 6), (7, 8)))],
        ),
        # Label with odd characters and a stray special token in it.
        (
            "<|object_ref_start|> 13.8kV/480Y-277V  Ø<|quad_start|>x <|object_ref_end|>"
            "<|box_start|><1><2><3><4><|box_end|>",
            [("13.8kV/480Y-277V Ø x", "box", ((1, 2), (3, 4)))],
        ),
        # Nothing after the end of the turn counts; batch padding neither.
        (
            "<|im_end|><|object_ref_start|>a<|object_ref_end|><|box_start|><1><2><3><4><|box_end|>",
            [],
        ),
        # A group without its label end or box start is dropped.
        ("<|object_ref_start|>a<|box_start|><1><2><3><4><|box_end|>", []),
        ("<|object_ref_start|>a<|object_ref_end|><1><2><3><4>", []),
        ("", []),
        ("I cannot see any fuse.", []),
    ],
)
def test_parser_table(
    answer: str, expected: list[tuple[str, str, tuple[tuple[int, int], ...]]]
) -> None:
    # A 999 x 999 image: pixels equal bins.
    shapes = parse_answer(answer, 999, 999)
    assert [(s.label, s.kind, s.vertices) for s in shapes] == [
        (label, kind, tuple((float(x), float(y)) for x, y in vertices))
        for label, kind, vertices in expected
    ]


def test_points_are_left_out_of_detections() -> None:
    shapes = [
        Shape("a", "point", ((1.0, 2.0),)),
        Shape("b", "box", ((1.0, 2.0), (3.0, 4.0))),
        Shape("c", "polygon", ((1.0, 2.0), (5.0, 1.0), (3.0, 6.0))),
    ]
    found = shapes_to_detections(shapes, 0.7)
    assert list(found.labels) == ["b", "c"]
    assert found.boxes.tolist() == [[1, 2, 3, 4], [1, 1, 5, 6]]
    assert found.scores.tolist() == [0.7, 0.7]
    assert len(shapes_to_detections([], 1.0)) == 0


# --- parser: garbage --------------------------------------------------------------------------

grammar_pieces = st.sampled_from(
    [
        "<|object_ref_start|>",
        "<|object_ref_end|>",
        "<|box_start|>",
        "<|box_end|>",
        "<|im_end|>",
        "<|endoftext|>",
        "<|quad_start|>",
        ",",
        ", ",
        "None",
        "fuse",
        "<",
        ">",
        "<|",
        "|>",
        " ",
    ]
)
coordinate_pieces = st.integers(min_value=0, max_value=1500).map(lambda n: f"<{n}>")
answers = st.lists(
    st.one_of(grammar_pieces, coordinate_pieces, st.text(max_size=5)), max_size=60
).map("".join)


@given(
    answer=st.one_of(answers, st.text()), width=st.integers(1, 5000), height=st.integers(1, 5000)
)
def test_garbage_never_raises_and_never_leaves_the_image(
    answer: str, width: int, height: int
) -> None:
    for shape in parse_answer(answer, width, height):
        assert shape.kind in ("box", "point", "polygon")
        for x, y in shape.vertices:
            assert 0.0 <= x <= width
            assert 0.0 <= y <= height
        box = shape.box
        if box is not None:
            assert box[0] < box[2] and box[1] < box[3]


#: Two different bins, smaller first: one side of a valid box.
spans = st.lists(st.integers(0, MAX_BIN), min_size=2, max_size=2, unique=True).map(sorted)


@given(
    boxes=st.lists(
        st.tuples(spans, spans).map(lambda xy: (xy[0][0], xy[1][0], xy[0][1], xy[1][1])),
        min_size=1,
        max_size=8,
    ),
    width=st.integers(28, 4000),
    height=st.integers(28, 4000),
)
def test_well_formed_answers_are_read_completely(
    boxes: list[tuple[int, int, int, int]], width: int, height: int
) -> None:
    body = ",".join(bins_to_tokens(box) for box in boxes)
    answer = f"<|object_ref_start|>fuse<|object_ref_end|><|box_start|>{body}<|box_end|><|im_end|>"
    shapes = parse_answer(answer, width, height)
    assert len(shapes) == len(boxes)
    for shape, box in zip(shapes, boxes, strict=True):
        assert shape.box == pytest.approx(
            (
                box[0] / 999 * width,
                box[1] / 999 * height,
                box[2] / 999 * width,
                box[3] / 999 * height,
            )
        )


def test_parser_rejects_an_impossible_image_size() -> None:
    with pytest.raises(ValueError):
        parse_answer(OBSERVED, 0, 10)


def test_visual_prompt_is_valid_json_inside() -> None:
    prompt = visual_prompting_prompt([(1, 2, 3, 4)])
    inner = prompt.removeprefix("Given reference boxes ").split(" indicating")[0]
    assert json.loads(inner) == {"object_1": ["<1><2><3><4>"]}

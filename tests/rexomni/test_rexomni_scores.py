"""Box scores from token probabilities, on tiny models whose answers are forced."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import torch

from benchmarks.harness.tiny_rexomni import WIRED_DETECTION_ANSWER
from sld.pages.tiling import Tile
from sld.rexomni.images import model_image
from sld.rexomni.inprocess import load_rexomni
from sld.rexomni.parser import parse_answer
from sld.rexomni.prompts import chat_text
from sld.rexomni.queries import Answer, Query, TokenScore
from sld.settings import Settings
from sld.symbols.detectors.rexomni import RexOmniDetector


def _tile() -> Tile:
    pixels = np.full((200, 300), 255, dtype=np.uint8)
    pixels[120, 20:280] = 0
    return Tile(index=0, x0=0, y0=0, image=pixels)


def test_token_logprobs_are_the_models_own_probabilities(wired_detection_rexomni: Path) -> None:
    model = load_rexomni(str(wired_detection_rexomni), device="cpu", max_new_tokens=40)
    query = Query(model_image(_tile().image), "Detect fuse symbol.")
    (answer,) = model.generate([query])
    assert answer.text == WIRED_DETECTION_ANSWER
    ids = model.tokenizer.encode(answer.text, add_special_tokens=False)
    assert len(answer.tokens) == len(ids)
    # Teacher forcing the same answer gives the same probabilities, token by token.
    inputs = model.processor(
        text=[chat_text(query.prompt) + answer.text], images=[query.image], return_tensors="pt"
    )
    with torch.no_grad():
        logits = model.model(**inputs).logits[0]
    log_probs = torch.log_softmax(logits.float(), dim=-1)
    start = inputs["input_ids"].shape[1] - len(ids)
    expected = [float(log_probs[start + k - 1, token]) for k, token in enumerate(ids)]
    assert [t.logprob for t in answer.tokens] == pytest.approx(expected, abs=1e-4)


def test_a_less_sure_box_scores_lower(tmp_path: Path, wired_detection_rexomni: Path) -> None:
    model = load_rexomni(str(wired_detection_rexomni), device="cpu", max_new_tokens=40)
    tokenizer = model.tokenizer
    # Weaken the link to one coordinate of the second box: still the likeliest next token,
    # but no longer a sure one.
    trigger = tokenizer.encode(chat_text("x"), add_special_tokens=False)[-1]
    chain = [trigger, *tokenizer.encode(WIRED_DETECTION_ANSWER, add_special_tokens=False)]
    weakened = tokenizer.convert_tokens_to_ids("<550>")
    position = next(i for i, (_, b) in enumerate(itertools.pairwise(chain)) if b == weakened)
    with torch.no_grad():
        model.model.get_output_embeddings().weight[weakened, position] = 0.6
    detector = RexOmniDetector(model.generate, Settings().rexomni_phrases)
    (found,) = detector.detect([_tile()])
    assert list(found.labels) == ["fuse", "fuse"]
    sure, unsure = found.scores
    assert sure > 0.9
    assert 0 < unsure < 0.2
    # The weak token's probability is what sets the second box's score apart.
    (answer,) = model.generate([Query(model_image(_tile().image), "Detect fuse symbol.")])
    weak = next(t for t in answer.tokens if t.text == "<550>")
    assert unsure == pytest.approx(sure * np.exp(weak.logprob), rel=0.05)


def test_shape_scores_multiply_label_and_coordinate_tokens_only() -> None:
    tokens = (
        TokenScore("<|object_ref_start|>", -5.0),
        TokenScore("T1", -0.1),
        TokenScore("<|object_ref_end|>", -5.0),
        TokenScore("<|box_start|>", -5.0),
        TokenScore("<1><2>", -0.2),
        TokenScore("<3><4>", -0.3),
        TokenScore(",", -5.0),
        TokenScore("<5><6><7><8>", -0.4),
        TokenScore("<|box_end|>", -5.0),
    )
    answer = Answer("".join(t.text for t in tokens), tokens)
    first, second = parse_answer(answer.text, 999, 999, answer.tokens)
    assert first.score == pytest.approx(np.exp(-0.6))
    assert second.score == pytest.approx(np.exp(-0.5))
    assert parse_answer(answer.text, 999, 999)[0].score is None
    with pytest.raises(ValueError, match="join"):
        Answer("something else", tokens)

"""The tokenizer of a Rex-Omni checkpoint under transformers 5: coordinate ids restored, checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from transformers import AutoTokenizer

from benchmarks.harness.tiny_rexomni import QWEN_ADDED_TOKENS
from sld.rexomni.inprocess import load_rexomni, load_tokenizer
from sld.rexomni.vocabulary import (
    TokenizerMismatchError,
    check_coordinate_tokens,
    restore_declared_token_ids,
)


def _ordinary_size(folder: Path) -> int:
    return len(json.loads((folder / "vocab.json").read_text(encoding="utf-8")))


def test_tiny_checkpoint_has_the_real_file_layout(tiny_rexomni: Path) -> None:
    names = {path.name for path in tiny_rexomni.iterdir()}
    assert "tokenizer.json" not in names
    assert {"vocab.json", "merges.txt", "tokenizer_config.json", "config.json"} <= names
    vocabulary = json.loads((tiny_rexomni / "vocab.json").read_text(encoding="utf-8"))
    declared = json.loads((tiny_rexomni / "tokenizer_config.json").read_text(encoding="utf-8"))
    ordinary = len(vocabulary)
    first = ordinary - 1000
    string_at = {token_id: string for string, token_id in vocabulary.items()}
    # Like Rex-Omni: ordinary BPE strings sit at the ids the coordinate tokens are declared on.
    assert declared["added_tokens_decoder"][str(first)]["content"] == "<0>"
    assert declared["added_tokens_decoder"][str(ordinary - 1)]["content"] == "<999>"
    assert declared["added_tokens_decoder"][str(ordinary)]["content"] == "<|endoftext|>"
    assert string_at[first] != "<0>"
    # The legacy (transformers 4.x) config layout, as the checkpoint ships it.
    config = json.loads((tiny_rexomni / "config.json").read_text(encoding="utf-8"))
    assert config["rope_scaling"]["type"] == "mrope"
    assert "text_config" not in config


def test_transformers_5_alone_renumbers_the_coordinate_tokens(tiny_rexomni: Path) -> None:
    """What transformers 5.23 does with the slow-tokenizer files: the reason for the restore."""
    tokenizer = AutoTokenizer.from_pretrained(str(tiny_rexomni))
    ordinary = _ordinary_size(tiny_rexomni)
    assert tokenizer.convert_tokens_to_ids("<0>") == ordinary  # appended, not ordinary - 1000
    assert tokenizer.convert_tokens_to_ids("<|endoftext|>") == ordinary + 1000
    # Still 1000 ids before <|endoftext|>, but not those the model's embedding rows were
    # trained on: every declared id moved, which the check reports.
    with pytest.raises(TokenizerMismatchError, match="1022 added tokens do not have the ids"):
        check_coordinate_tokens(tokenizer)


def test_loaded_tokenizer_maps_coordinates_like_the_slow_tokenizer(tiny_rexomni: Path) -> None:
    tokenizer = load_tokenizer(str(tiny_rexomni))
    ordinary = _ordinary_size(tiny_rexomni)
    first = ordinary - 1000
    assert check_coordinate_tokens(tokenizer) == first
    assert [tokenizer.convert_tokens_to_ids(f"<{k}>") for k in (0, 1, 999)] == [
        first,
        first + 1,
        first + 999,
    ]
    for offset, (token, _) in enumerate(QWEN_ADDED_TOKENS):
        assert tokenizer.convert_tokens_to_ids(token) == ordinary + offset
    assert len(tokenizer) == ordinary + len(QWEN_ADDED_TOKENS)
    assert tokenizer.padding_side == "left"
    answer = "<|object_ref_start|>fuse<|object_ref_end|><|box_start|><1><22><333><999><|box_end|>"
    ids = tokenizer.encode(answer, add_special_tokens=False)
    assert tokenizer.decode(ids, skip_special_tokens=False) == answer
    assert tokenizer.decode(ids, skip_special_tokens=True) == "fuse"
    text = "transformer T1 500KVA 13.8kV-480V breaker CB-3"
    assert tokenizer.decode(tokenizer.encode(text, add_special_tokens=False)) == text
    assert restore_declared_token_ids(tokenizer) == 0  # already right: nothing to do


def test_misplaced_coordinate_tokens_are_refused_with_the_cause(misplaced_rexomni: Path) -> None:
    with pytest.raises(TokenizerMismatchError) as caught:
        load_tokenizer(str(misplaced_rexomni))
    message = str(caught.value)
    assert "just before <|endoftext|>" in message
    assert "150643..151642" in message
    assert "<0> -> " in message
    assert "wrong coordinates" in message


def test_model_loading_stops_at_a_misplaced_tokenizer(misplaced_rexomni: Path) -> None:
    with pytest.raises(TokenizerMismatchError):
        load_rexomni(str(misplaced_rexomni), device="cpu")

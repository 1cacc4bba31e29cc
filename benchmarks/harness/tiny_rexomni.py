"""A tiny random Rex-Omni-shaped checkpoint, built locally, for tests and benchmarks.

Model hubs may be out of reach, and the real model needs a GPU. This writes a folder in the file
layout of IDEA-Research/Rex-Omni: a Qwen2.5-VL model (here 2 text layers of width 64 and 2
vision blocks, about 0.3 M parameters) with a config.json in the transformers 4.x layout the
checkpoint ships, and a byte-level BPE tokenizer trained here with the `tokenizers` library and
saved as slow-tokenizer files only (vocab.json, merges.txt, tokenizer_config.json, no
tokenizer.json). As in the real checkpoint, the coordinate tokens `<0>`..`<999>` are declared on
the last 1000 ordinary ids, just before `<|endoftext|>`, over ordinary BPE strings, so loading
goes through the same conversion as the real one.

`answer=` wires the weights (attention and MLP outputs zeroed, embeddings and output head set
as a chain) so that greedy decoding writes that answer for any image and prompt: a model whose
output is known, to test generation, decoding, parsing and mapping end to end.
"""

from __future__ import annotations

import itertools
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sld.rexomni.prompts import chat_text
from sld.rexomni.vocabulary import COORDINATE_COUNT, coordinate_token

#: Qwen2.5-VL's added tokens, in id order from `<|endoftext|>`; True where the token is special.
QWEN_ADDED_TOKENS: tuple[tuple[str, bool], ...] = (
    ("<|endoftext|>", True),
    ("<|im_start|>", True),
    ("<|im_end|>", True),
    ("<|object_ref_start|>", True),
    ("<|object_ref_end|>", True),
    ("<|box_start|>", True),
    ("<|box_end|>", True),
    ("<|quad_start|>", True),
    ("<|quad_end|>", True),
    ("<|vision_start|>", True),
    ("<|vision_end|>", True),
    ("<|vision_pad|>", True),
    ("<|image_pad|>", True),
    ("<|video_pad|>", True),
    ("<tool_call>", False),
    ("</tool_call>", False),
    ("<|fim_prefix|>", False),
    ("<|fim_middle|>", False),
    ("<|fim_suffix|>", False),
    ("<|fim_pad|>", False),
    ("<|repo_name|>", False),
    ("<|file_sep|>", False),
)

#: Answers for wired checkpoints (`answer=`): two fuse boxes, and one text line.
WIRED_DETECTION_ANSWER = (
    "<|object_ref_start|>fuse symbol<|object_ref_end|>"
    "<|box_start|><100><200><300><400>,<500><550><600><700><|box_end|><|im_end|>"
)
WIRED_OCR_ANSWER = (
    "<|object_ref_start|>480V 3PH<|object_ref_end|>"
    "<|box_start|><50><60><400><120><|box_end|><|im_end|>"
)
#: Ordinary vocabulary size to train; the coordinate tokens cover its last 1000 ids.
TINY_BPE_VOCABULARY = 1500
TINY_HIDDEN = 64


@dataclass(frozen=True)
class Dimensions:
    """The sizes of a Qwen2.5-VL model: its language model, then its vision encoder."""

    hidden: int
    intermediate: int
    layers: int
    heads: int
    kv_heads: int
    #: The three 3-D rotary sections; they sum to half the head size (hidden / heads).
    mrope_section: tuple[int, int, int]
    tie_embeddings: bool
    vision_depth: int
    vision_hidden: int
    vision_intermediate: int
    vision_heads: int
    vision_full_attention: tuple[int, ...]
    #: Embedding rows; 0 pads the tokenizer's size to a multiple of 64.
    vocab_rows: int = 0


TINY = Dimensions(
    hidden=TINY_HIDDEN,
    intermediate=128,
    layers=2,
    heads=4,
    kv_heads=2,
    mrope_section=(2, 3, 3),
    tie_embeddings=False,
    vision_depth=2,
    vision_hidden=32,
    vision_intermediate=64,
    vision_heads=2,
    vision_full_attention=(1,),
)
#: Qwen2.5-VL-3B's sizes (its config.json), which Rex-Omni keeps: with random weights it costs
#: what the real model costs per token, to time the model path where the weights cannot be had.
QWEN25_VL_3B = Dimensions(
    hidden=2048,
    intermediate=11008,
    layers=36,
    heads=16,
    kv_heads=2,
    mrope_section=(16, 24, 24),
    tie_embeddings=True,
    vision_depth=32,
    vision_hidden=1280,
    vision_intermediate=3420,
    vision_heads=16,
    vision_full_attention=(7, 15, 23, 31),
    vocab_rows=151936,
)
#: Upstream's image processor settings (Qwen2.5-VL defaults; the pixel budget is set at load).
PREPROCESSOR_CONFIG: dict[str, Any] = {
    "do_convert_rgb": True,
    "do_normalize": True,
    "do_rescale": True,
    "do_resize": True,
    "image_mean": [0.48145466, 0.4578275, 0.40821073],
    "image_std": [0.26862954, 0.26130258, 0.27577711],
    "image_processor_type": "Qwen2VLImageProcessor",
    "max_pixels": 12845056,
    "merge_size": 2,
    "min_pixels": 3136,
    "patch_size": 14,
    "processor_class": "Qwen2_5_VLProcessor",
    "resample": 3,
    "rescale_factor": 0.00392156862745098,
    "temporal_patch_size": 2,
}

_WORDS = (
    "transformer",
    "breaker",
    "circuit",
    "fuse",
    "motor",
    "generator",
    "switch",
    "disconnect",
    "busbar",
    "panel",
    "feeder",
    "relay",
    "meter",
    "load",
    "line",
    "ground",
    "detect",
    "symbol",
    "text",
    "output",
    "bounding",
    "box",
    "format",
    "reference",
    "objects",
    "image",
    "similar",
    "recognize",
    "assistant",
    "helpful",
    "system",
    "user",
)


def _training_corpus(lines: int = 3000, seed: int = 0) -> list[str]:
    """Words of the prompts and the domain, numbers and made-up syllables, for BPE merges."""
    rng = random.Random(seed)
    syllables = [a + b for a in "bcdfgklmnprstvz" for b in "aeiou"]
    corpus = []
    for _ in range(lines):
        words = []
        for _ in range(12):
            kind = rng.random()
            if kind < 0.4:
                words.append(rng.choice(_WORDS))
            elif kind < 0.6:
                words.append(f"{rng.randint(0, 99999)}{rng.choice(['V', 'kV', 'A', 'KVA', 'HP'])}")
            else:
                words.append("".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))))
        corpus.append(" ".join(words))
    return corpus


def write_tokenizer(folder: Path, *, misplace_coordinates: bool = False) -> int:
    """Train the byte-level BPE and write the slow-tokenizer files; returns the vocabulary size.

    With `misplace_coordinates`, `<0>`..`<999>` are declared after the special tokens (as a
    plain `add_tokens` would put them) instead of on the last ordinary ids.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=TINY_BPE_VOCABULARY,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(_training_corpus(), trainer)
    ordinary = tokenizer.get_vocab_size()
    if ordinary < COORDINATE_COUNT + 300:
        raise RuntimeError(f"tiny BPE vocabulary too small: {ordinary}")
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer.model.save(str(folder))  # vocab.json and merges.txt

    added: dict[int, dict[str, Any]] = {}
    first_coordinate = (
        ordinary + len(QWEN_ADDED_TOKENS) if misplace_coordinates else ordinary - COORDINATE_COUNT
    )
    for value in range(COORDINATE_COUNT):
        added[first_coordinate + value] = _added_token(coordinate_token(value), special=True)
    for offset, (content, special) in enumerate(QWEN_ADDED_TOKENS):
        added[ordinary + offset] = _added_token(content, special=special)
    config = {
        "add_prefix_space": False,
        "added_tokens_decoder": {str(i): token for i, token in sorted(added.items())},
        "additional_special_tokens": [t for t, special in QWEN_ADDED_TOKENS[1:14] if special],
        "bos_token": None,
        "clean_up_tokenization_spaces": False,
        "eos_token": "<|im_end|>",
        "errors": "replace",
        "model_max_length": 131072,
        "pad_token": "<|endoftext|>",
        "split_special_tokens": False,
        "tokenizer_class": "Qwen2Tokenizer",
        "unk_token": None,
    }
    _write_json(folder / "tokenizer_config.json", config)
    _write_json(
        folder / "added_tokens.json", {token["content"]: i for i, token in sorted(added.items())}
    )
    _write_json(
        folder / "special_tokens_map.json",
        {
            "additional_special_tokens": config["additional_special_tokens"],
            "eos_token": config["eos_token"],
            "pad_token": config["pad_token"],
        },
    )
    return ordinary


def _added_token(content: str, *, special: bool) -> dict[str, Any]:
    return {
        "content": content,
        "lstrip": False,
        "normalized": False,
        "rstrip": False,
        "single_word": False,
        "special": special,
    }


def _write_json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _legacy_config(ordinary: int, vocab_size: int, size: Dimensions = TINY) -> dict[str, Any]:
    """config.json in the transformers 4.x layout that Qwen2.5-VL checkpoints ship."""
    return {
        "architectures": ["Qwen2_5_VLForConditionalGeneration"],
        "attention_dropout": 0.0,
        "bos_token_id": ordinary,
        "eos_token_id": ordinary + 2,
        "vision_start_token_id": ordinary + 9,
        "vision_end_token_id": ordinary + 10,
        "vision_token_id": ordinary + 11,
        "image_token_id": ordinary + 12,
        "video_token_id": ordinary + 13,
        "hidden_act": "silu",
        "hidden_size": size.hidden,
        "initializer_range": 0.02,
        "intermediate_size": size.intermediate,
        "max_position_embeddings": 32768,
        "max_window_layers": size.layers,
        "model_type": "qwen2_5_vl",
        "num_attention_heads": size.heads,
        "num_hidden_layers": size.layers,
        "num_key_value_heads": size.kv_heads,
        "rms_norm_eps": 1e-06,
        "rope_theta": 1000000.0,
        "sliding_window": 32768,
        "tie_word_embeddings": size.tie_embeddings,
        "torch_dtype": "float32" if size == TINY else "bfloat16",
        "use_cache": True,
        "use_sliding_window": False,
        "vision_config": {
            "depth": size.vision_depth,
            "hidden_act": "silu",
            "hidden_size": size.vision_hidden,
            "intermediate_size": size.vision_intermediate,
            "num_heads": size.vision_heads,
            "in_chans": 3,
            "out_hidden_size": size.hidden,
            "patch_size": 14,
            "spatial_merge_size": 2,
            "spatial_patch_size": 14,
            "window_size": 112,
            "fullatt_block_indexes": list(size.vision_full_attention),
            "tokens_per_second": 2,
            "temporal_patch_size": 2,
        },
        "rope_scaling": {"type": "mrope", "mrope_section": list(size.mrope_section)},
        "vocab_size": vocab_size,
    }


def build_tiny_rexomni(
    folder: Path,
    *,
    answer: str | None = None,
    misplace_coordinates: bool = False,
    seed: int = 0,
) -> Path:
    """Write a tiny random Rex-Omni-shaped checkpoint to `folder` and return the folder."""
    return build_random_rexomni(
        folder, answer=answer, misplace_coordinates=misplace_coordinates, seed=seed
    )


def build_random_rexomni(
    folder: Path,
    *,
    size: Dimensions = TINY,
    device: str = "cpu",
    answer: str | None = None,
    misplace_coordinates: bool = False,
    seed: int = 0,
) -> Path:
    """Write a random Rex-Omni-shaped checkpoint of `size` to `folder` and return the folder.

    A model the size of the real one is built on `device` in bf16 (on a CPU in float32 it would
    take minutes and 15 GB); the tokenizer is the tiny one either way, so prompts tokenise a
    little longer than with Qwen's, which is noise beside a tile's 1,300 image tokens.
    """
    import torch
    from transformers import AutoConfig, AutoTokenizer, Qwen2_5_VLForConditionalGeneration

    from sld.rexomni.vocabulary import restore_declared_token_ids

    folder = Path(folder)
    ordinary = write_tokenizer(folder, misplace_coordinates=misplace_coordinates)
    highest_id = (
        ordinary + len(QWEN_ADDED_TOKENS) + (COORDINATE_COUNT if misplace_coordinates else 0)
    )
    vocab_size = size.vocab_rows or -(-highest_id // 64) * 64  # padded like Qwen's 151936 rows
    config_path = folder / "config.json"
    _write_json(config_path, _legacy_config(ordinary, vocab_size, size))
    _write_json(folder / "preprocessor_config.json", PREPROCESSOR_CONFIG)
    _write_json(
        folder / "generation_config.json",
        {
            "bos_token_id": ordinary,
            "eos_token_id": [ordinary + 2, ordinary],
            "pad_token_id": ordinary,
        },
    )
    legacy = config_path.read_text(encoding="utf-8")
    config = AutoConfig.from_pretrained(str(folder))
    torch.manual_seed(seed)
    dtype = torch.float32 if size == TINY else torch.bfloat16
    default_dtype = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        with torch.device(device):
            model: Any = Qwen2_5_VLForConditionalGeneration(config)
    finally:
        torch.set_default_dtype(default_dtype)
    if answer is not None:
        tokenizer = AutoTokenizer.from_pretrained(str(folder))
        restore_declared_token_ids(tokenizer)
        _wire_answer(model, tokenizer, answer)
    model.save_pretrained(str(folder))
    # save_pretrained writes the 5.x config layout; keep the checkpoint's own layout.
    config_path.write_text(legacy, encoding="utf-8")
    return folder


def _wire_answer(model: Any, tokenizer: Any, answer: str) -> None:
    """Make greedy decoding write `answer` whatever the image and prompt.

    With the attention and MLP outputs at zero, the hidden state at a position is the embedding
    of its token, so the output head acts as a next-token table: each token of the chain gets
    its own embedding direction, and the head maps that direction to the next token.
    """
    import torch

    trigger = tokenizer.encode(chat_text("x"), add_special_tokens=False)[-1]
    chain = [trigger, *tokenizer.encode(answer, add_special_tokens=False)]
    hidden = model.config.text_config.hidden_size
    if len(set(chain)) != len(chain) or len(chain) > hidden:
        raise ValueError(f"answer needs {len(chain)} distinct tokens (at most {hidden})")
    with torch.no_grad():
        for layer in model.model.language_model.layers:
            layer.self_attn.o_proj.weight.zero_()
            layer.mlp.down_proj.weight.zero_()
        embeddings = model.get_input_embeddings().weight
        head = model.get_output_embeddings().weight
        for position, (token, following) in enumerate(itertools.pairwise(chain)):
            direction = torch.zeros(hidden)
            direction[position] = 1.0
            embeddings[token] = direction
            head[following, position] = 10.0

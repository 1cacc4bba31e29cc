"""Rex-Omni's coordinate tokens: put them back where the model expects them, and check that.

Rex-Omni writes each coordinate as one token `<0>`..`<999>`. It adds no new ids for them: it
reuses the last 1000 ordinary ids of the Qwen2.5 vocabulary, the ones just before
`<|endoftext|>` (150643..151642). The checkpoint ships slow-tokenizer files only (vocab.json
with the old BPE strings at those ids, merges.txt, and tokenizer_config.json declaring `<k>` at
id 150643 + k). A slow tokenizer lets a declared added token override the vocabulary entry.

transformers 5 has no slow tokenizers: it converts those files to a fast tokenizer and appends
every declared token after the vocabulary instead, so `<0>` becomes 151643 and every special
token moves as well. The model would then read and write nonsense, silently.
`restore_declared_token_ids` gives the declared tokens their declared ids again (the old BPE
string at such an id is dropped, as the slow tokenizer's decoder effectively did), and
`check_coordinate_tokens` refuses to run a tokenizer where the result is still wrong.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from tokenizers import Tokenizer

from sld.rexomni.decoding import END_OF_TEXT

log = logging.getLogger(__name__)

COORDINATE_COUNT = 1000
#: Special tokens the prompts and the answer grammar rely on.
MARKER_TOKENS = (
    "<|im_start|>",
    "<|im_end|>",
    "<|object_ref_start|>",
    "<|object_ref_end|>",
    "<|box_start|>",
    "<|box_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|image_pad|>",
)
#: The ids of the released checkpoint, for messages.
RELEASED_FIRST_COORDINATE_ID = 150643
RELEASED_END_OF_TEXT_ID = 151643


class TokenizerMismatchError(RuntimeError):
    """The tokenizer does not map Rex-Omni's coordinate or marker tokens as the model expects."""


def coordinate_token(value: int) -> str:
    return f"<{value}>"


def declared_token_ids(tokenizer: Any) -> dict[str, int]:
    """Added tokens and the ids tokenizer_config.json declares for them (content -> id)."""
    declared = tokenizer.init_kwargs.get("added_tokens_decoder") or {}
    return {str(token): int(token_id) for token_id, token in declared.items()}


def _token_id(tokenizer: Any, token: str) -> int | None:
    token_id = tokenizer.convert_tokens_to_ids(token)
    return None if token_id is None else int(token_id)


def _drop_merges(merges: list[Any], removed: set[str]) -> list[Any]:
    """Merges that neither use nor produce a string taken out of the vocabulary."""
    kept = []
    for merge in merges:
        left, right = merge.split(" ", 1) if isinstance(merge, str) else merge
        if left not in removed and right not in removed and left + right not in removed:
            kept.append(merge)
    return kept


def restore_declared_token_ids(tokenizer: Any) -> int:
    """Give every added token the id tokenizer_config.json declares; returns how many moved.

    A no-op for tokenizers that already agree with their declaration (a tokenizer.json saved
    correctly, an ordinary Qwen checkpoint). Works on the serialised fast tokenizer: the BPE
    vocabulary entry at a declared id is renamed to the declared token, merges that need the
    old string are dropped, and the added tokens are re-registered in id order.
    """
    declared = declared_token_ids(tokenizer)
    moved = [
        token for token, token_id in declared.items() if _token_id(tokenizer, token) != token_id
    ]
    if not moved:
        return 0
    backend = tokenizer.backend_tokenizer
    state = json.loads(backend.to_str())
    model = state["model"]
    if model.get("type") != "BPE":
        log.warning("cannot restore token ids of a %s tokenizer", model.get("type"))
        return 0
    vocabulary: dict[str, int] = model["vocab"]
    string_at = {token_id: string for string, token_id in vocabulary.items()}
    removed: set[str] = set()
    for token, token_id in declared.items():
        old = string_at.get(token_id)
        if old is None or old == token:
            continue
        removed.add(old)
        del vocabulary[old]
        if token in vocabulary:
            removed.add(token)
            del string_at[vocabulary.pop(token)]
        vocabulary[token] = token_id
        string_at[token_id] = token
    model["merges"] = _drop_merges(model["merges"], removed)
    for entry in state["added_tokens"]:
        entry["id"] = declared.get(entry["content"], entry["id"])
    state["added_tokens"].sort(key=lambda entry: entry["id"])
    restored = Tokenizer.from_str(json.dumps(state))
    restored.encode_special_tokens = backend.encode_special_tokens
    tokenizer._tokenizer = restored
    log.info(
        "restored the ids of %d added tokens declared in tokenizer_config.json of %s",
        len(moved),
        tokenizer.name_or_path,
    )
    return len(moved)


def _mismatch(tokenizer: Any, problem: str) -> TokenizerMismatchError:
    return TokenizerMismatchError(
        f"The tokenizer of {tokenizer.name_or_path!r} does not map Rex-Omni's tokens the way the "
        f"model was trained: {problem}. Rex-Omni writes each coordinate as one token <0>..<999>, "
        f"which must be the 1000 ids just before {END_OF_TEXT} "
        f"({RELEASED_FIRST_COORDINATE_ID}..{RELEASED_END_OF_TEXT_ID - 1} in "
        "IDEA-Research/Rex-Omni) "
        "and decode back to the same strings. With another mapping the model reads and writes "
        "wrong coordinates, so it is not run. Likely causes: the checkpoint is not Rex-Omni, or "
        "its tokenizer files were re-saved by a tool that renumbered the added tokens. Use the "
        "original tokenizer files (vocab.json, merges.txt, tokenizer_config.json)."
    )


def _first_few(items: list[str]) -> str:
    return ", ".join(items[:3]) + (f" and {len(items) - 3} more" if len(items) > 3 else "")


def check_coordinate_tokens(tokenizer: Any, embedding_rows: int | None = None) -> int:
    """Refuse a tokenizer that would garble coordinates; returns the id of `<0>`.

    Checks that the added tokens have the ids tokenizer_config.json declares (the model's
    embedding rows follow those), that `<0>`..`<999>` are the 1000 ids just before
    `<|endoftext|>`, that those ids
    decode to the same strings and that a coordinate string encodes to them, that the marker
    tokens exist, and (given the model's embedding size) that every id has an embedding row.
    """
    moved = [
        f"{token} -> {_token_id(tokenizer, token)} (declared {token_id})"
        for token, token_id in declared_token_ids(tokenizer).items()
        if _token_id(tokenizer, token) != token_id
    ]
    if moved:
        raise _mismatch(
            tokenizer,
            f"{len(moved)} added tokens do not have the ids tokenizer_config.json declares "
            f"({_first_few(moved)}); transformers 5 renumbers them unless they are restored",
        )
    end_of_text = _token_id(tokenizer, END_OF_TEXT)
    if end_of_text is None or end_of_text < COORDINATE_COUNT:
        raise _mismatch(tokenizer, f"it has no {END_OF_TEXT} token")
    first = end_of_text - COORDINATE_COUNT
    wrong = []
    for value in range(COORDINATE_COUNT):
        found = _token_id(tokenizer, coordinate_token(value))
        if found != first + value:
            wrong.append(f"{coordinate_token(value)} -> {found}")
    if wrong:
        raise _mismatch(
            tokenizer,
            f"{len(wrong)} coordinate tokens are not at ids {first}..{end_of_text - 1} "
            f"({_first_few(wrong)})",
        )
    ids = list(range(first, end_of_text))
    expected = "".join(coordinate_token(value) for value in range(COORDINATE_COUNT))
    decoded = tokenizer.decode(ids, skip_special_tokens=False, clean_up_tokenization_spaces=False)
    if decoded != expected:
        raise _mismatch(tokenizer, f"ids {first}..{end_of_text - 1} decode to {decoded[:60]!r}...")
    sample = coordinate_token(0) + coordinate_token(COORDINATE_COUNT - 1)
    encoded = list(tokenizer.encode(sample, add_special_tokens=False))
    if encoded != [first, end_of_text - 1]:
        raise _mismatch(tokenizer, f"{sample!r} encodes to {encoded}")
    missing = [token for token in MARKER_TOKENS if _token_id(tokenizer, token) is None]
    if missing:
        raise _mismatch(tokenizer, f"it lacks the special tokens {', '.join(missing)}")
    if embedding_rows is not None:
        highest = max(_token_id(tokenizer, token) or 0 for token in MARKER_TOKENS)
        if highest >= embedding_rows:
            raise _mismatch(
                tokenizer,
                f"token id {highest} has no row in the model's {embedding_rows} embeddings",
            )
    return first

"""Rex-Omni in this process, through transformers: loading, batching and greedy generation.

Follows upstream's inference wrapper where it matters for the answers: bf16 on a GPU, the
upstream pixel budget, left padding for batches, greedy decoding with repetition penalty 1.05
(it still acts under greedy decoding), and decoding with the special tokens kept (without them
the boxes vanish). Each answer keeps its tokens with the log-probability the model gave them
before the penalty (`ChosenTokenLogprobs`), the raw material of the box scores.

Two deliberate differences: no torchvision (the Qwen2.5-VL processor wants
it only for video, so an image-only processor is built from the tokenizer and the PIL image
processor), and the tokenizer's reused coordinate ids are restored and checked on load (see
`vocabulary.py`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import torch
from transformers import (
    AutoTokenizer,
    GenerationConfig,
    LogitsProcessor,
    LogitsProcessorList,
    Qwen2_5_VLForConditionalGeneration,
    Qwen2_5_VLProcessor,
    RepetitionPenaltyLogitsProcessor,
)
from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil
from transformers.utils.import_utils import is_flash_attn_2_available

from sld.rexomni.decoding import END_OF_TEXT, END_OF_TURN, REPETITION_PENALTY
from sld.rexomni.images import MAX_PIXELS, MIN_PIXELS
from sld.rexomni.prompts import CHAT_TEMPLATE, chat_text
from sld.rexomni.queries import Answer, Query, TokenScore
from sld.rexomni.vocabulary import (
    TokenizerMismatchError,
    check_coordinate_tokens,
    restore_declared_token_ids,
)

log = logging.getLogger(__name__)

DEFAULT_MODEL = "IDEA-Research/Rex-Omni"


class ImageOnlyQwenProcessor(Qwen2_5_VLProcessor):
    """The Qwen2.5-VL processor without its video processor, which needs torchvision.

    The processor's attributes are read from this `__init__`'s parameters, so leaving out
    `video_processor` here is what makes it image-only. It still expands `<|image_pad|>` to
    the image's patch count and returns `mm_token_type_ids`, which the model needs for its
    3-D rotary positions.
    """

    def __init__(self, image_processor: Any, tokenizer: Any, chat_template: str | None = None):
        super().__init__(  # type: ignore[no-untyped-call]
            image_processor=image_processor, tokenizer=tokenizer, chat_template=chat_template
        )


def resolve_device(device: str) -> str:
    """`auto` -> `cuda` when a GPU is visible, else `cpu`."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def load_tokenizer(name_or_path: str) -> Any:
    """The checkpoint's tokenizer with Rex-Omni's coordinate ids restored and checked.

    Raises `TokenizerMismatchError` (with the cause) when the coordinate tokens are not where
    the model expects them.
    """
    tokenizer = AutoTokenizer.from_pretrained(name_or_path)
    restore_declared_token_ids(tokenizer)
    check_coordinate_tokens(tokenizer)
    tokenizer.padding_side = "left"
    return tokenizer


class ChosenTokenLogprobs(LogitsProcessor):
    """Records the log-probability of each generated token under the model's own logits.

    Placed before the repetition penalty, it sees the raw logits of every step; the token a step
    chose is known at the next call (the last input id), so only one step's distribution is
    held at a time, not the whole (steps x vocabulary) score history.
    """

    def __init__(self) -> None:
        self._previous: torch.Tensor | None = None
        self._chosen: list[torch.Tensor] = []

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        if self._previous is not None:
            self._chosen.append(self._previous.gather(1, input_ids[:, -1:])[:, 0])
        self._previous = torch.log_softmax(scores.float(), dim=-1)
        return scores

    def logprobs(self, new_tokens: torch.Tensor) -> torch.Tensor:
        """(batch, new tokens) log-probabilities, given the generated ids (batch, new tokens)."""
        chosen = list(self._chosen)
        if self._previous is not None and len(chosen) < new_tokens.shape[1]:
            chosen.append(
                self._previous.gather(1, new_tokens[:, len(chosen) : len(chosen) + 1])[:, 0]
            )
        if not chosen:
            return torch.zeros(new_tokens.shape, dtype=torch.float32)
        return torch.stack(chosen, dim=1).cpu()


def token_texts(tokenizer: Any, ids: Sequence[int]) -> list[str] | None:
    """The text each token adds to the decoded answer, or None if that cannot be told.

    One token at a time is exact for whole characters; a character split over byte tokens
    (e.g. "Ø") is given to the token that completes it.
    """
    options = {"skip_special_tokens": False, "clean_up_tokenization_spaces": False}
    whole = tokenizer.decode(list(ids), **options)
    pieces = [tokenizer.decode([token], **options) for token in ids]
    if "".join(pieces) == whole:
        return pieces
    pieces, done = [], ""
    for end in range(1, len(ids) + 1):
        text = tokenizer.decode(list(ids[:end]), **options).rstrip("\ufffd")
        if not text.startswith(done):
            return None
        pieces.append(text[len(done) :])
        done = text
    return pieces if done == whole else None


class RexOmniInProcess:
    """A loaded Rex-Omni: turns queries into raw answers, `batch_size` images per generate()."""

    def __init__(
        self,
        model: Any,
        processor: ImageOnlyQwenProcessor,
        *,
        batch_size: int = 4,
        max_new_tokens: int = 1024,
    ) -> None:
        self.model = model
        self.processor = processor
        self.tokenizer = processor.tokenizer
        self.batch_size = batch_size
        end_ids = [self.tokenizer.convert_tokens_to_ids(t) for t in (END_OF_TURN, END_OF_TEXT)]
        # The repetition penalty is applied as a processor after the log-probability recorder.
        self.generation_config = GenerationConfig(  # type: ignore[no-untyped-call]
            do_sample=False,
            max_new_tokens=max_new_tokens,
            eos_token_id=end_ids,
            pad_token_id=self.tokenizer.convert_tokens_to_ids(END_OF_TEXT),
        )

    @property
    def device(self) -> torch.device:
        return torch.device(self.model.device)

    def generate(self, queries: Sequence[Query]) -> list[Answer]:
        answers: list[Answer] = []
        for start in range(0, len(queries), self.batch_size):
            answers.extend(self._generate_batch(queries[start : start + self.batch_size]))
        return answers

    def _generate_batch(self, queries: Sequence[Query]) -> list[Answer]:
        inputs = self.processor(
            text=[chat_text(query.prompt) for query in queries],
            images=[query.image for query in queries],
            padding=True,
            return_tensors="pt",
        ).to(self.device)
        inputs["pixel_values"] = inputs["pixel_values"].to(self.model.dtype)
        recorder = ChosenTokenLogprobs()
        processors = LogitsProcessorList(
            [recorder, RepetitionPenaltyLogitsProcessor(REPETITION_PENALTY)]
        )
        started = time.perf_counter()
        with torch.inference_mode():
            output = self.model.generate(
                **inputs, generation_config=self.generation_config, logits_processor=processors
            )
        new_tokens = output[:, inputs["input_ids"].shape[1] :]
        log.debug(
            "generated %d x %d tokens in %.2f s", *new_tokens.shape, time.perf_counter() - started
        )
        logprobs = recorder.logprobs(new_tokens).tolist()
        texts: list[str] = self.tokenizer.batch_decode(
            new_tokens, skip_special_tokens=False, clean_up_tokenization_spaces=False
        )
        answers = []
        for ids, row_logprobs, text in zip(new_tokens.tolist(), logprobs, texts, strict=True):
            pieces = token_texts(self.tokenizer, ids)
            tokens = (
                ()
                if pieces is None
                else tuple(TokenScore(p, lp) for p, lp in zip(pieces, row_logprobs, strict=True))
            )
            answers.append(Answer(text, tokens))
        return answers


def load_rexomni(
    name_or_path: str = DEFAULT_MODEL,
    *,
    device: str = "auto",
    batch_size: int = 4,
    max_new_tokens: int = 1024,
    max_pixels: int = MAX_PIXELS,
    dtype: torch.dtype | None = None,
) -> RexOmniInProcess:
    """Load Rex-Omni from a hub id or a local folder: bf16 on CUDA, float32 on CPU (or `dtype`,
    e.g. float32 master weights for training).

    The tokenizer is checked before the weights are read, so a wrong checkpoint fails fast.
    """
    device = resolve_device(device)
    on_gpu = device.startswith("cuda")
    started = time.perf_counter()
    tokenizer = load_tokenizer(name_or_path)
    image_processor = Qwen2VLImageProcessorPil.from_pretrained(
        name_or_path, min_pixels=MIN_PIXELS, max_pixels=max_pixels
    )
    attention = "flash_attention_2" if on_gpu and is_flash_attn_2_available() else "sdpa"
    model_class: Any = Qwen2_5_VLForConditionalGeneration
    model = model_class.from_pretrained(
        name_or_path,
        dtype=dtype or (torch.bfloat16 if on_gpu else torch.float32),
        attn_implementation=attention,
    )
    model = model.to(device).eval()
    check_coordinate_tokens(tokenizer, embedding_rows=model.get_input_embeddings().num_embeddings)
    image_pad = tokenizer.convert_tokens_to_ids("<|image_pad|>")
    if model.config.image_token_id != image_pad:
        raise TokenizerMismatchError(
            f"{name_or_path}: the model's image token id {model.config.image_token_id} is not "
            f"the tokenizer's <|image_pad|> ({image_pad}); tokenizer and weights do not match"
        )
    log.info(
        "loaded %s on %s (%s, %s attention) in %.1f s",
        name_or_path,
        device,
        model.dtype,
        attention,
        time.perf_counter() - started,
    )
    processor = ImageOnlyQwenProcessor(
        image_processor=image_processor, tokenizer=tokenizer, chat_template=CHAT_TEMPLATE
    )
    return RexOmniInProcess(model, processor, batch_size=batch_size, max_new_tokens=max_new_tokens)

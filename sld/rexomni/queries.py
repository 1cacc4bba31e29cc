"""The seam between prompting and parsing: a query is an image and a prompt, an answer is text.

Detectors and readers build queries and parse answers; a backend (`inprocess`, `server`, or a
test's fake) only turns queries into answers. Keeping that seam a plain function makes the
backends interchangeable and lets tests feed known model outputs through the real parsing and
mapping code.

An answer may carry its generated tokens with the log-probability the model gave each: Rex-Omni
states no confidence, so the probability of a box's own tokens is the only score it has
(`parser.parse_answer` turns them into one per shape). A backend that cannot tell leaves them
out, and the shapes get the configured constant score.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PIL import Image


@dataclass(frozen=True)
class Query:
    """One image with one prompt. Answers are decoded in the pixels of this image."""

    image: Image.Image
    prompt: str

    @property
    def width(self) -> int:
        return int(self.image.width)

    @property
    def height(self) -> int:
        return int(self.image.height)


@dataclass(frozen=True)
class TokenScore:
    """One generated token: its text and the natural log of the probability it had."""

    text: str
    logprob: float


@dataclass(frozen=True)
class Answer:
    """The model's raw answer (special tokens kept) and, when known, its tokens in order.

    When `tokens` is not empty their texts join to `text` exactly.
    """

    text: str
    tokens: tuple[TokenScore, ...] = ()

    def __post_init__(self) -> None:
        if self.tokens and "".join(token.text for token in self.tokens) != self.text:
            raise ValueError("an answer's tokens must join to its text")


#: Turns queries into the model's answers, one per query, in order.
GenerateFn = Callable[[Sequence[Query]], list[Answer]]

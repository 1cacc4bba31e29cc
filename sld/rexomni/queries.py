"""The seam between prompting and parsing: a query is an image and a prompt, an answer is text.

Detectors and readers build queries and parse answers; a backend (`inprocess`, `server`, or a
test's fake) only turns queries into answers. Keeping that seam a plain function makes the
backends interchangeable and lets tests feed known model outputs through the real parsing and
mapping code.
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


#: Turns queries into the model's raw answers (special tokens kept), one per query, in order.
GenerateFn = Callable[[Sequence[Query]], list[str]]

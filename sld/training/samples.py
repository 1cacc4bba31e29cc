"""A training sample: one image and prompt as inference sends them, and the answer to teach.

The sample keeps its truth as pixel boxes on its own image (`Target`); the answer text is
derived from them with `sld.rexomni.answers`, so the TSV rows, the SFT labels and the GRPO
rewards all come from one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image

from sld.rexomni.answers import answer_text
from sld.rexomni.coords import box_to_bins
from sld.training import TASKS, Task

__all__ = ["TASKS", "PixelBox", "Sample", "Target", "Task", "rounded_box"]

#: A box in the sample image's pixels, x0, y0, x1, y1.
PixelBox = tuple[float, float, float, float]


def rounded_box(box: Sequence[float]) -> PixelBox:
    """A pixel box rounded to 1/100 pixel, so it survives JSON unchanged."""
    x0, y0, x1, y1 = (round(float(value), 2) for value in box)
    return (x0, y0, x1, y1)


@dataclass(frozen=True)
class Target:
    """One group of the answer: its label and boxes (none: the label is absent, a negative)."""

    label: str
    boxes: tuple[PixelBox, ...] = ()


@dataclass(frozen=True)
class Sample:
    """One query with its answer. `image` is exactly what the model is given."""

    task: Task
    image: Image.Image
    prompt: str
    targets: tuple[Target, ...]
    #: Where it came from, for people: `file#page/tile`.
    origin: str = ""

    @property
    def width(self) -> int:
        return int(self.image.width)

    @property
    def height(self) -> int:
        return int(self.image.height)

    @property
    def answer(self) -> str:
        """The answer in Rex-Omni's grammar, boxes as bins of this image, closed by `<|im_end|>`."""
        return answer_text(
            [
                (target.label, [box_to_bins(box, self.width, self.height) for box in target.boxes])
                for target in self.targets
            ]
        )

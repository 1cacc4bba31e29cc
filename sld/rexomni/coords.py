"""Rex-Omni's coordinate bins: one token `<0>`..`<999>` per coordinate, relative to the image.

Decoding divides by 999 (not 1000) and multiplies by the size of the image the caller gave the
model, before any resizing by the processor: the bins are relative, so the processor's resize
does not matter. Encoding truncates with `int()` like upstream's training targets, so a
round trip lands at most one bin below the original value.
"""

from __future__ import annotations

from collections.abc import Sequence

#: Highest bin; bins run 0..MAX_BIN inclusive.
MAX_BIN = 999

#: A box as four bins, x0, y0, x1, y1.
BinBox = tuple[int, int, int, int]


def bin_to_pixels(value: int, size: float) -> float:
    """Bin -> pixels along an axis of `size` pixels: `value / 999 * size`."""
    return value / MAX_BIN * size


def pixels_to_bin(value: float, size: float) -> int:
    """Pixels -> bin along an axis of `size` pixels: `int(value / size * 999)`, clamped."""
    if size <= 0:
        raise ValueError(f"image side must be positive, got {size}")
    relative = min(max(value / size, 0.0), 1.0)
    return min(max(int(relative * MAX_BIN), 0), MAX_BIN)


def box_to_bins(box: Sequence[float], width: float, height: float) -> BinBox:
    """A pixel box `[x0, y0, x1, y1]` on a `width` x `height` image as four bins."""
    x0, y0, x1, y1 = box
    return (
        pixels_to_bin(x0, width),
        pixels_to_bin(y0, height),
        pixels_to_bin(x1, width),
        pixels_to_bin(y1, height),
    )


def bins_to_tokens(bins: Sequence[int]) -> str:
    """Bins as the model writes them: `<12><34><56><78>`."""
    for value in bins:
        if not 0 <= value <= MAX_BIN:
            raise ValueError(f"coordinate bin out of range 0..{MAX_BIN}: {value}")
    return "".join(f"<{value}>" for value in bins)

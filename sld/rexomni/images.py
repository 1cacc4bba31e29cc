"""Tiles and crops as the images Rex-Omni is given.

Qwen2.5-VL's processor refuses images with a side under 28 pixels or an aspect ratio above 200,
and a page raster is grey. `model_image` pads such an image with paper on the right and bottom
(its pixel coordinates stay the same) and converts it to RGB. `fit_pixel_budget` is the
processor's resize rule, for a client that resizes before sending (the server backend).
"""

from __future__ import annotations

import base64
import io
import math

import numpy as np
from numpy.typing import NDArray
from PIL import Image

#: Qwen2.5-VL sees 28 x 28 pixel patches (14-pixel patches merged 2 x 2).
PATCH = 28
#: Upstream's pixel budget per image: 16 to 2560 patches.
MIN_PIXELS = 16 * PATCH * PATCH
MAX_PIXELS = 2560 * PATCH * PATCH
MAX_ASPECT = 200
PAPER = 255


def model_image(grey: NDArray[np.uint8]) -> Image.Image:
    """An RGB image of a grey raster, padded with paper where the processor needs it."""
    height, width = grey.shape
    target_w = max(width, PATCH, math.ceil(height / MAX_ASPECT))
    target_h = max(height, PATCH, math.ceil(width / MAX_ASPECT))
    if (target_w, target_h) != (width, height):
        canvas = np.full((target_h, target_w), PAPER, dtype=np.uint8)
        canvas[:height, :width] = grey
        grey = canvas
    return Image.fromarray(np.ascontiguousarray(grey), mode="L").convert("RGB")


def fit_pixel_budget(
    width: int, height: int, min_pixels: int = MIN_PIXELS, max_pixels: int = MAX_PIXELS
) -> tuple[int, int]:
    """The size Qwen2-VL's processor resizes an image to: sides in multiples of 28, area in budget.

    Each side is rounded to a multiple of 28; above `max_pixels` both are scaled down and
    floored, below `min_pixels` scaled up and ceiled (the rule of transformers' `smart_resize`).
    """
    new_h = round(height / PATCH) * PATCH
    new_w = round(width / PATCH) * PATCH
    if new_h * new_w > max_pixels:
        beta = math.sqrt(height * width / max_pixels)
        new_h = max(PATCH, math.floor(height / beta / PATCH) * PATCH)
        new_w = max(PATCH, math.floor(width / beta / PATCH) * PATCH)
    elif new_h * new_w < min_pixels:
        beta = math.sqrt(min_pixels / (height * width))
        new_h = math.ceil(height * beta / PATCH) * PATCH
        new_w = math.ceil(width * beta / PATCH) * PATCH
    return new_w, new_h


def png_data_url(image: Image.Image) -> str:
    """The image as a `data:image/png;base64,...` URL (lossless: line art suffers from JPEG)."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False, compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")

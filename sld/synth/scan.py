"""The scanned variant of a sheet: the vector page printed and scanned, with no text layer.

Rasterised with pypdfium2, then a slight rotation about the page centre, blur, paper tone and
uneven lighting, noise, speckles and dirt, a contrast change and JPEG compression; the image is
embedded in a PDF page of the same size. Ground-truth boxes go through the same rotation (the
box of the rotated corners), so they still hold their ink.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import cv2
import numpy as np
import pypdfium2 as pdfium
from numpy.typing import NDArray
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from sld.synth.symbols import Box, Point

#: Most pixels a scan of one page may have (an A1 sheet at 150 dpi is about 17 million).
_MAX_PIXELS = 18_000_000


@dataclass(frozen=True)
class ScanParams:
    dpi: float
    angle: float
    blur: float
    noise: float
    paper: float
    ink: float
    speckles: int
    jpeg_quality: int


def random_params(rng: np.random.Generator, width_pt: float, height_pt: float) -> ScanParams:
    dpi = float(rng.choice([150, 200, 200, 200, 250, 300]))
    area_in = (width_pt / 72) * (height_pt / 72)
    dpi = max(150.0, min(dpi, math.sqrt(_MAX_PIXELS / area_in)))
    sign = 1.0 if rng.random() < 0.5 else -1.0
    return ScanParams(
        dpi=dpi,
        angle=sign * float(rng.uniform(0.3, 1.0)),
        blur=float(rng.uniform(0.4, 1.1)),
        noise=float(rng.uniform(3.0, 10.0)),
        paper=float(rng.uniform(222, 250)),
        ink=float(rng.uniform(15, 70)),
        speckles=int(rng.integers(40, 400)),
        jpeg_quality=int(rng.integers(50, 86)),
    )


class Rotation:
    """The scan's rotation about the page centre, in page points (y down)."""

    def __init__(self, angle: float, width: float, height: float) -> None:
        # Positive angles turn the page counter-clockwise as seen, like OpenCV's.
        self.matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
        self.width = width
        self.height = height

    def point(self, point: Point) -> Point:
        x, y = point
        m = self.matrix
        return (float(m[0, 0] * x + m[0, 1] * y + m[0, 2]), float(m[1, 0] * x + m[1, 1] * y + m[1, 2]))

    def box(self, box: Box) -> Box:
        """The box of the rotated corners, clipped to the page."""
        x0, y0, x1, y1 = box
        corners = [self.point(p) for p in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
        xs = [p[0] for p in corners]
        ys = [p[1] for p in corners]
        return (
            max(0.0, min(xs)),
            max(0.0, min(ys)),
            min(self.width, max(xs)),
            min(self.height, max(ys)),
        )


def _degrade(image: NDArray[np.uint8], params: ScanParams, rng: np.random.Generator,
             ) -> NDArray[np.uint8]:
    h, w = image.shape
    blurred = cv2.GaussianBlur(image, (0, 0), params.blur)
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), params.angle, 1.0)
    rotated = cv2.warpAffine(blurred, matrix, (w, h), flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    tone = rotated.astype(np.float32) * ((params.paper - params.ink) / 255.0) + params.ink
    # Uneven lighting: a gentle gradient across the page.
    gx, gy = rng.uniform(-10, 10, size=2)
    ramp_x = np.linspace(-0.5, 0.5, w, dtype=np.float32) * np.float32(gx)
    ramp_y = np.linspace(-0.5, 0.5, h, dtype=np.float32)[:, None] * np.float32(gy)
    tone += ramp_x[None, :]
    tone += ramp_y
    small = rng.standard_normal((h // 2 + 1, w // 2 + 1), dtype=np.float32) * np.float32(params.noise)
    tone += cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST)
    out = np.clip(tone, 0, 255).astype(np.uint8)
    scale = params.dpi / 150.0
    for _ in range(params.speckles):
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        radius = max(1, int(rng.uniform(0.5, 2.0) * scale))
        shade = int(rng.uniform(params.ink, params.paper - 60))
        cv2.circle(out, (x, y), radius, shade, -1)
    for _ in range(int(rng.integers(0, 4))):
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        axes = (int(rng.uniform(3, 14) * scale), int(rng.uniform(2, 8) * scale))
        shade = int(rng.uniform(params.paper - 70, params.paper - 25))
        cv2.ellipse(out, (x, y), axes, float(rng.uniform(0, 180)), 0, 360, shade, -1)
    return out


def scan_pages(pdf_bytes: bytes, rng: np.random.Generator,
               ) -> tuple[bytes, list[Rotation], list[ScanParams]]:
    """The scanned PDF of every page, with each page's rotation and scan parameters."""
    pdf = pdfium.PdfDocument(pdf_bytes)
    buffer = io.BytesIO()
    canvas: Canvas | None = None
    rotations: list[Rotation] = []
    used: list[ScanParams] = []
    try:
        for page in pdf:
            width, height = page.get_size()
            params = random_params(rng, width, height)
            bitmap = page.render(scale=params.dpi / 72.0, grayscale=True)
            image = bitmap.to_numpy()
            if image.ndim == 3:
                image = image[:, :, 0]
            scanned = _degrade(np.ascontiguousarray(image), params, rng)
            ok, jpeg = cv2.imencode(".jpg", scanned, [cv2.IMWRITE_JPEG_QUALITY, params.jpeg_quality])
            if not ok:
                raise RuntimeError("JPEG encoding failed")
            if canvas is None:
                canvas = Canvas(buffer, pagesize=(width, height), invariant=1)
                canvas.setCreator("sld.synth scan")
            canvas.setPageSize((width, height))
            canvas.drawImage(ImageReader(io.BytesIO(jpeg.tobytes())), 0, 0, width, height)
            canvas.showPage()
            rotations.append(Rotation(params.angle, width, height))
            used.append(params)
    finally:
        pdf.close()
    assert canvas is not None
    canvas.save()
    return buffer.getvalue(), rotations, used

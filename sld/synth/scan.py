"""The scanned variant of a sheet: the vector page printed and scanned, with no text layer.

Rasterised with pypdfium2, then a slight rotation about the page centre, blur, paper tone and
uneven lighting, noise, speckles and dirt, a contrast change and JPEG compression; the image is
embedded in a PDF page of the same size. Ground-truth boxes go through the same rotation (the
box of the rotated corners), so they still hold their ink.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import pypdfium2 as pdfium
from numpy.typing import NDArray

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
        return (
            float(m[0, 0] * x + m[0, 1] * y + m[0, 2]),
            float(m[1, 0] * x + m[1, 1] * y + m[1, 2]),
        )

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


def _degrade(
    image: NDArray[np.uint8],
    params: ScanParams,
    rng: np.random.Generator,
) -> NDArray[np.uint8]:
    h, w = image.shape
    blurred = cv2.GaussianBlur(image, (0, 0), params.blur)
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), params.angle, 1.0)
    rotated = cv2.warpAffine(
        blurred,
        matrix,
        (w, h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=255,
    )
    # Paper tone and ink density (a contrast change), through a lookup table.
    lut = np.linspace(params.ink, params.paper, 256).astype(np.uint8)
    toned = cv2.LUT(rotated, lut)
    # Uneven lighting (a gentle gradient across the page) and sensor noise, at half resolution.
    hh, hw = h // 2 + 1, w // 2 + 1
    gx, gy = rng.uniform(-10, 10, size=2)
    field = rng.standard_normal((hh, hw), dtype=np.float32) * np.float32(params.noise)
    field += np.linspace(-0.5, 0.5, hw, dtype=np.float32)[None, :] * np.float32(gx)
    field += np.linspace(-0.5, 0.5, hh, dtype=np.float32)[:, None] * np.float32(gy)
    full = np.asarray(cv2.resize(field, (w, h), interpolation=cv2.INTER_NEAREST), np.float32)
    out = np.asarray(cv2.add(toned, full, dtype=cv2.CV_8U), dtype=np.uint8)
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


def image_pdf(pages: list[tuple[bytes, int, int, float, float]]) -> bytes:
    """A PDF whose pages each show one grey JPEG over the whole page, and nothing else.

    `pages` holds (jpeg, pixel width, pixel height, page width pt, page height pt). Written by
    hand so the JPEG goes in as it is (DCTDecode), with no re-encoding and no text layer.
    """
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids: list[str] = []
    for jpeg, px_w, px_h, width, height in pages:
        first = len(objects) + 1
        kids.append(f"{first} 0 R")
        page = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width:.2f} {height:.2f}] "
            f"/Resources << /XObject << /Scan {first + 2} 0 R >> >> /Contents {first + 1} 0 R >>"
        )
        content = f"q {width:.2f} 0 0 {height:.2f} 0 0 cm /Scan Do Q".encode()
        image = (
            (
                f"<< /Type /XObject /Subtype /Image /Width {px_w} /Height {px_h} "
                f"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode "
                f"/Length {len(jpeg)} >>\nstream\n"
            ).encode()
            + jpeg
            + b"\nendstream"
        )
        objects += [
            page.encode(),
            f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream",
            image,
        ]
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode()
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def scan_pages(
    pdf_bytes: bytes,
    rng: np.random.Generator,
) -> tuple[bytes, list[Rotation], list[ScanParams]]:
    """The scanned PDF of every page, with each page's rotation and scan parameters."""
    pdf = pdfium.PdfDocument(pdf_bytes)
    pages: list[tuple[bytes, int, int, float, float]] = []
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
            ok, jpeg = cv2.imencode(
                ".jpg", scanned, [cv2.IMWRITE_JPEG_QUALITY, params.jpeg_quality]
            )
            if not ok:
                raise RuntimeError("JPEG encoding failed")
            pages.append((jpeg.tobytes(), scanned.shape[1], scanned.shape[0], width, height))
            rotations.append(Rotation(params.angle, width, height))
            used.append(params)
    finally:
        pdf.close()
    return image_pdf(pages), rotations, used

"""Input files to `PageImage`s: PDF pages (poppler raster, pdfium text and vectors) and images.

`open_source` checks a file cheaply before any page is touched, so a wrong path, a text file
named `.pdf` or an encrypted drawing fails at once with a message that names the file and
says what to do. `load_page` then builds one page at a time, so a 200-page set never sits in
memory at once.

Heavy imports (pypdfium2, pdf2image, Pillow) happen inside the functions that need them: the
command line starts in well under a second on a blank page.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import NDArray

from sld.pages.page import PageImage
from sld.settings import Settings

if TYPE_CHECKING:
    import pypdfium2
    from PIL import Image

logger = logging.getLogger(__name__)

SourceKind = Literal["pdf", "image"]

#: DPI assumed for an image file that does not say its own (and no `image_dpi` setting).
DEFAULT_IMAGE_DPI = 200.0

#: Longest poppler may take to render one page before the page counts as failed.
RENDER_TIMEOUT_S = 300

#: A rendered page may differ from the page box by this many pixels (poppler rounds up).
SIZE_TOLERANCE_PX = 1.5

#: Leading bytes of the image formats read, checked instead of trusting the file's extension.
IMAGE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"II+\x00", "TIFF"),  # BigTIFF
    (b"MM\x00+", "TIFF"),
)

#: File-level DPI metadata outside this range is a placeholder, not a scan resolution.
PLAUSIBLE_DPI = (20.0, 10_000.0)

#: The largest image decoded, in pixels (an A0 sheet scanned at 600 dpi is 558 Mpx). Larger
#: images are refused before decoding: a small file can claim a size that fills any memory.
MAX_DECODED_PIXELS = 1_000_000_000

#: Pillow's own decompression-bomb limit is a process-wide setting; it is lifted while sld
#: decodes (sld checks `MAX_DECODED_PIXELS` itself), under this lock.
_PILLOW_LIMIT_LOCK = threading.Lock()


class InputError(Exception):
    """A problem with an input file: names the file, the page (1-based) and what to do."""

    def __init__(self, path: Path | str, problem: str, advice: str, page: int | None = None):
        self.path = str(path)
        #: 1-based page number, as a person counts, or None for the file as a whole.
        self.page = page
        self.problem = problem
        self.advice = advice
        where = self.path if page is None else f"{self.path}, page {page}"
        super().__init__(f"{where}: {problem}. {advice}")


@dataclass(frozen=True)
class SourceFile:
    """An input file that opened: what it is and how many pages it has."""

    #: The path as the user gave it (written into the result and every message).
    path: Path
    #: SHA-256 of the file's bytes, hex; identifies the drawing whatever its name.
    sha256: str
    page_count: int
    kind: SourceKind
    #: "PDF", "PNG", "JPEG" or "TIFF", from the file's first bytes.
    format: str
    size_bytes: int


def sniff_format(head: bytes) -> str | None:
    """The file format from its first bytes ("PDF", "PNG", "JPEG", "TIFF"), None if unknown.

    PDF readers accept the `%PDF-` header anywhere in the first kilobyte, so this does too.
    """
    if b"%PDF-" in head[:1024]:
        return "PDF"
    for magic, name in IMAGE_MAGIC:
        if head.startswith(magic):
            return name
    return None


def open_source(path: Path | str) -> SourceFile:
    """Check an input file and count its pages; raise `InputError` when it cannot be read."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such file", "Check the path and the current folder.")
    if path.is_dir():
        raise InputError(
            path, "is a folder, not a file", "Give the PDF or image files inside it instead."
        )
    try:
        sha256, head, size = _hash_file(path)
    except OSError as error:
        raise InputError(
            path, f"cannot be read ({error.strerror or error})", "Check the file's permissions."
        ) from error
    if size == 0:
        raise InputError(path, "is empty (0 bytes)", "Copy the drawing again; it may be cut off.")
    file_format = sniff_format(head)
    if file_format is None:
        raise InputError(
            path,
            f"is neither a PDF nor a PNG, JPEG or TIFF image (it starts with {head[:8]!r})",
            "Give the drawing as a PDF or as a PNG, JPEG or TIFF scan; the file extension "
            "does not matter, the content does.",
        )
    if file_format == "PDF":
        page_count = _count_pdf_pages(path)
        kind: SourceKind = "pdf"
    else:
        page_count = _count_image_frames(path)
        kind = "image"
    return SourceFile(
        path=path,
        sha256=sha256,
        page_count=page_count,
        kind=kind,
        format=file_format,
        size_bytes=size,
    )


def load_page(source: SourceFile, index: int, settings: Settings) -> PageImage:
    """Page `index` (0-based) of an opened source as a `PageImage`."""
    if not 0 <= index < source.page_count:
        raise InputError(
            source.path,
            f"has {source.page_count} page(s); there is no page {index + 1}",
            f"Choose pages from 1 to {source.page_count}.",
        )
    if source.kind == "pdf":
        return _load_pdf_page(source, index, settings)
    return _load_image_page(source, index, settings)


def load_pages(source: SourceFile, settings: Settings) -> Iterator[PageImage]:
    """Every page of the source, one at a time."""
    for index in range(source.page_count):
        yield load_page(source, index, settings)


# Checks up front -----------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, as the result's `source.sha256` records it."""
    return _hash_file(path)[0]


def _hash_file(path: Path) -> tuple[str, bytes, int]:
    digest = hashlib.sha256()
    size = 0
    head = b""
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            if not size:
                head = chunk[:1024]
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), head, size


def _open_pdf(path: Path) -> pypdfium2.PdfDocument:
    """The PDF opened with pdfium, its failures turned into messages a person can act on."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as error:
        code = getattr(error, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise InputError(
                path,
                "is encrypted and needs a password to open",
                "Save an unencrypted copy (for example `qpdf --decrypt --password=... "
                "in.pdf out.pdf`) and digitise that.",
            ) from error
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise InputError(
                path,
                "is protected by a security handler that PDFium does not support",
                "Save an unprotected copy from the program that made it, then digitise that.",
            ) from error
        if code == pdfium_c.FPDF_ERR_FORMAT and _has_empty_page_tree(path):
            raise InputError(
                path,
                "has no pages (its page tree is empty)",
                "Export the drawing again; the file holds no page to digitise.",
            ) from error
        raise InputError(
            path,
            f"is damaged or not a readable PDF ({error})",
            "Open it in a PDF viewer to check it; re-export it, or repair it with "
            "`qpdf in.pdf repaired.pdf`.",
        ) from error


def _has_empty_page_tree(path: Path) -> bool:
    """Whether the file's page tree has no kids: PDFium refuses such files as malformed."""
    return re.search(rb"/Kids\s*\[\s*\]", path.read_bytes()) is not None


def _count_pdf_pages(path: Path) -> int:
    from sld.pages.display import PDFIUM_LOCK

    with PDFIUM_LOCK:
        document = _open_pdf(path)
        try:
            page_count = len(document)
        finally:
            document.close()
    if page_count == 0:
        raise InputError(
            path, "has no pages", "Export the drawing again; the file holds no page to digitise."
        )
    return page_count


@contextmanager
def _sizes_checked_by_sld() -> Iterator[None]:
    """Pillow's decompression-bomb check switched off, for sld's own.

    Pillow refuses images above about 179 Mpx (and warns above 89 Mpx) before sld could reduce
    them to `SLD_MAX_PAGE_PIXELS`; sld refuses only what is over `MAX_DECODED_PIXELS`.
    """
    from PIL import Image

    with _PILLOW_LIMIT_LOCK:
        saved = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = None
        try:
            yield
        finally:
            Image.MAX_IMAGE_PIXELS = saved


def _check_decoded_size(path: Path, size: tuple[int, int], page: int | None = None) -> None:
    width, height = size
    if width * height > MAX_DECODED_PIXELS:
        raise InputError(
            path,
            f"is {width} x {height} px ({width * height / 1e6:.0f} Mpx), more than sld decodes "
            f"({MAX_DECODED_PIXELS / 1e6:.0f} Mpx)",
            "Scan or export it at a lower resolution, or cut it into sheets.",
            page=page,
        )


def _count_image_frames(path: Path) -> int:
    from PIL import Image, UnidentifiedImageError

    try:
        with _sizes_checked_by_sld(), Image.open(path) as image:
            _check_decoded_size(path, image.size)
            return int(getattr(image, "n_frames", 1))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise InputError(
            path,
            f"is damaged or not a readable image ({error})",
            "Open it in an image viewer to check it; export or scan it again.",
        ) from error


# PDF pages -----------------------------------------------------------------------------------


def capped_dpi(width_pt: float, height_pt: float, dpi: float, max_pixels: int) -> float:
    """The DPI to render at: `dpi`, or lower so the raster stays within `max_pixels`."""

    def pixels(resolution: float) -> int:
        return math.ceil(width_pt * resolution / 72) * math.ceil(height_pt * resolution / 72)

    if pixels(dpi) <= max_pixels:
        return float(dpi)
    lower = math.floor(72 * math.sqrt(max_pixels / (width_pt * height_pt)) * 100) / 100
    while lower > 0.01 and pixels(lower) > max_pixels:
        lower = round(lower - 0.01, 2)
    return lower


def render_pdf_page(path: Path, index: int, dpi: float) -> NDArray[np.uint8]:
    """Page `index` rendered grey by poppler (through pdf2image), in the displayed orientation.

    Poppler is told to use the crop box, as PDF viewers and pdfium do; by default it would
    render the media box, and the text layer would no longer line up with the raster.
    """
    from pdf2image import convert_from_path
    from pdf2image.exceptions import (
        PDFPageCountError,
        PDFPopplerTimeoutError,
        PopplerNotInstalledError,
    )

    page = index + 1
    try:
        with _sizes_checked_by_sld():  # the page is already within SLD_MAX_PAGE_PIXELS
            images = convert_from_path(
                path,
                dpi=dpi,  # type: ignore[arg-type]  # pdftoppm takes a fractional resolution
                first_page=page,
                last_page=page,
                grayscale=True,
                use_cropbox=True,
                timeout=RENDER_TIMEOUT_S,
            )
            grey = np.array(images[0].convert("L"), dtype=np.uint8) if images else None
    except PopplerNotInstalledError as error:
        raise RuntimeError(
            "poppler is not installed: install poppler-utils (e.g. `apt install poppler-utils`)"
        ) from error
    except PDFPageCountError as error:
        raise InputError(
            path, f"poppler could not read the file ({error})", "Re-export or repair the PDF."
        ) from error
    except PDFPopplerTimeoutError as error:
        raise InputError(
            path,
            f"took longer than {RENDER_TIMEOUT_S} s to render",
            "Lower the resolution (--dpi / SLD_DPI) or simplify the page.",
            page=page,
        ) from error
    if grey is None:
        raise InputError(
            path,
            "poppler rendered no image for this page",
            "Check that the page shows in a PDF viewer; re-export the PDF.",
            page=page,
        )
    return grey


def _load_pdf_page(source: SourceFile, index: int, settings: Settings) -> PageImage:
    import pypdfium2 as pdfium

    from sld.pages.display import PDFIUM_LOCK, display_matrix, displayed_size, odd_page_box
    from sld.pages.text_layer import read_words
    from sld.pages.vector_paths import read_vectors

    page_number = index + 1
    started = time.perf_counter()
    with PDFIUM_LOCK:
        document = _open_pdf(source.path)
        try:
            page = document[index]
            rotation = page.get_rotation()
            box = page.get_bbox()
            odd_box = odd_page_box(
                page.get_mediabox(fallback_ok=False), page.get_cropbox(fallback_ok=False), box
            )
            if odd_box:
                logger.warning("%s, page %d: %s", source.path, page_number, odd_box)
            width_pt, height_pt = displayed_size(box, rotation)
            if width_pt <= 0 or height_pt <= 0:
                raise InputError(
                    source.path,
                    f"has an empty page box {[round(value, 1) for value in box]}",
                    "Re-export the PDF with a proper page size.",
                    page=page_number,
                )
            to_display = display_matrix(box, rotation)
            words = read_words(page, to_display, rotation)
            text_done = time.perf_counter()
            vector = read_vectors(page, to_display, (width_pt, height_pt))
            vector_done = time.perf_counter()
            page.close()
        except pdfium.PdfiumError as error:
            raise InputError(
                source.path,
                f"PDFium could not read the page ({error})",
                "Check that the page shows in a PDF viewer; re-export the PDF.",
                page=page_number,
            ) from error
        finally:
            document.close()

    dpi = capped_dpi(width_pt, height_pt, settings.dpi, settings.max_page_pixels)
    if dpi < settings.dpi:
        logger.warning(
            "%s, page %d: rendered at %.2f dpi instead of %d: the %.0f x %.0f pt sheet would "
            "pass SLD_MAX_PAGE_PIXELS (%d) (raise it for finer detail, at the cost of memory)",
            source.path,
            page_number,
            dpi,
            settings.dpi,
            width_pt,
            height_pt,
            settings.max_page_pixels,
        )
    image = render_pdf_page(source.path, index, dpi)
    rendered = time.perf_counter()
    _check_raster_size(source.path, page_number, image, width_pt, height_pt, dpi)
    logger.debug(
        "%s, page %d: text %.3f s (%d words), vectors %.3f s (%s), render %.3f s (%dx%d px)",
        source.path,
        page_number,
        text_done - started,
        len(words),
        vector_done - text_done,
        "scan" if vector is None else f"{len(vector.segments)} segments",
        rendered - vector_done,
        image.shape[1],
        image.shape[0],
    )
    return PageImage(
        source=str(source.path),
        index=index,
        width_pt=width_pt,
        height_pt=height_pt,
        dpi=dpi,
        image=image,
        words=words,
        vector=vector,
    )


def _check_raster_size(
    path: Path,
    page: int,
    image: NDArray[np.uint8],
    width_pt: float,
    height_pt: float,
    dpi: float,
) -> None:
    """The raster must be the page box at `dpi`, or pixels and points would not line up."""
    expected_width = width_pt * dpi / 72
    expected_height = height_pt * dpi / 72
    height_px, width_px = image.shape
    if (
        abs(width_px - expected_width) > SIZE_TOLERANCE_PX
        or abs(height_px - expected_height) > SIZE_TOLERANCE_PX
    ):
        raise InputError(
            path,
            f"poppler rendered {width_px} x {height_px} px, but the page box "
            f"({width_pt:.1f} x {height_pt:.1f} pt) at {dpi:g} dpi is "
            f"{expected_width:.0f} x {expected_height:.0f} px",
            "The page's boxes or rotation are malformed; re-export the PDF.",
            page=page,
        )


# Image files ---------------------------------------------------------------------------------


def _load_image_page(source: SourceFile, index: int, settings: Settings) -> PageImage:
    """An image page, grey, reduced to `SLD_MAX_PAGE_PIXELS` when it is larger.

    A JPEG far over the cap is decoded at 1/2, 1/4 or 1/8 scale straight away (libjpeg's scaled
    decoding, through Pillow's `draft`); other images are decoded whole. Either way the page is
    made grey and reduced before it becomes an array, so a 250 Mpx scan is held about once.
    """
    from PIL import Image, ImageOps

    page_number = index + 1
    cap = settings.max_page_pixels
    try:
        with _sizes_checked_by_sld(), Image.open(source.path) as opened:
            opened.seek(index)
            stored_width, stored_height = opened.size
            _check_decoded_size(source.path, opened.size, page_number)
            stated_dpi = _image_dpi(source.path, page_number, _file_dpi(opened), settings)
            if opened.format == "JPEG" and stored_width * stored_height > cap:
                shrink = math.sqrt(cap / (stored_width * stored_height))
                wanted = (math.ceil(stored_width * shrink), math.ceil(stored_height * shrink))
                opened.draft("L", wanted)
            decoded = opened.size[0] / stored_width
            ImageOps.exif_transpose(opened, in_place=True)
            grey = _grey(opened)
            # The decoded raster's own resolution, then square pixels under the pixel cap.
            dpi_x, dpi_y = stated_dpi[0] * decoded, stated_dpi[1] * decoded
            width_px, height_px = grey.size
            target_width, target_height = width_px, round(height_px * dpi_x / dpi_y)
            if target_width * target_height > cap:
                shrink = math.sqrt(cap / (target_width * target_height))
                target_width = max(1, math.floor(target_width * shrink))
                target_height = max(1, math.floor(target_height * shrink))
            if (target_width, target_height) != grey.size:
                grey = grey.resize((target_width, target_height), Image.Resampling.BOX)
            image = np.asarray(grey, dtype=np.uint8)
    except (OSError, ValueError, EOFError, Image.DecompressionBombError) as error:
        raise InputError(
            source.path,
            f"the image could not be decoded ({error})",
            "Open it in an image viewer to check it; export or scan it again.",
            page=page_number,
        ) from error

    dpi = dpi_x * target_width / width_px
    if dpi < stated_dpi[0] * 0.999:
        logger.warning(
            "%s, page %d: the %d x %d px image is over SLD_MAX_PAGE_PIXELS (%d); read at "
            "%d x %d px, %.2f dpi instead of %.4g (raise the cap for finer detail, at the cost "
            "of memory)",
            source.path,
            page_number,
            stored_width,
            stored_height,
            cap,
            target_width,
            target_height,
            dpi,
            stated_dpi[0],
        )
    return PageImage.from_raster(image, dpi, str(source.path), index)


def _image_dpi(
    path: Path, page: int, file_dpi: tuple[float, float] | None, settings: Settings
) -> tuple[float, float]:
    """The resolution of an image page: `SLD_IMAGE_DPI`, else the file's, else the default."""
    if settings.image_dpi is not None:
        return float(settings.image_dpi), float(settings.image_dpi)
    if file_dpi is not None:
        return file_dpi
    logger.info(
        "%s, page %d: the image does not say its resolution; assuming %g dpi "
        "(set SLD_IMAGE_DPI to the scan's resolution for true sizes)",
        path,
        page,
        DEFAULT_IMAGE_DPI,
    )
    return DEFAULT_IMAGE_DPI, DEFAULT_IMAGE_DPI


def _file_dpi(image: Image.Image) -> tuple[float, float] | None:
    """The resolution the image file states, if it states a believable one."""
    stated = image.info.get("dpi")
    if not stated:
        return None
    try:
        dpi_x, dpi_y = (float(value) for value in stated)
    except (TypeError, ValueError):
        return None
    low, high = PLAUSIBLE_DPI
    if not (low <= dpi_x <= high and low <= dpi_y <= high):
        return None
    return dpi_x, dpi_y


def _grey(image: Image.Image) -> Image.Image:
    """The image in grey levels (mode L), 255 = paper; transparent areas count as paper."""
    from PIL import Image

    if image.mode.startswith("I;16"):
        return Image.fromarray(np.asarray(np.asarray(image, dtype=np.uint16) >> 8, dtype=np.uint8))
    if image.mode in ("I", "F"):
        values = np.asarray(image, dtype=np.float64)
        top = float(values.max()) if values.size else 0.0
        if top > 255:
            values = values * (255.0 / top)
        return Image.fromarray(np.asarray(np.clip(values, 0, 255), dtype=np.uint8))
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(paper, rgba)
    return image if image.mode == "L" else image.convert("L")

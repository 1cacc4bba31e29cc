"""`auto`: the PDF text layer where a page has one, OCR where it does not; and `none`.

The choice is made per page (a set of drawings can mix exported and scanned sheets) and
logged per page, so nobody has to guess which engine read a result.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sld.detections import Detections
from sld.pages.page import PageImage
from sld.registry import TEXT_READERS, load_factory
from sld.settings import Settings
from sld.text.engines import TextReader
from sld.text.engines.pdf_text import PdfTextReader

logger = logging.getLogger(__name__)

#: The registry name of the engine `auto` uses on pages without a text layer.
OCR_ENGINE = "rapidocr"


@dataclass
class AutoReader:
    """pdf-text on pages with a text layer, the OCR engine (loaded on first need) elsewhere."""

    settings: Settings
    name: str = field(default="auto")
    pdf_text: PdfTextReader = field(default_factory=PdfTextReader)
    _ocr: TextReader | None = field(default=None, init=False, repr=False)

    def read(self, page: PageImage) -> Detections:
        if page.has_text_layer:
            logger.info(
                "%s: reading its PDF text layer (%s, %d words)",
                page.where,
                self.pdf_text.name,
                len(page.words),
            )
            return self.pdf_text.read(page)
        logger.info("%s: no text layer, reading the raster with OCR (%s)", page.where, OCR_ENGINE)
        return self._ocr_reader().read(page)

    def _ocr_reader(self) -> TextReader:
        if self._ocr is None:
            factory = load_factory(TEXT_READERS, "text engine", OCR_ENGINE)
            self._ocr = factory(self.settings)  # type: ignore[assignment]
        assert self._ocr is not None
        return self._ocr


@dataclass
class NoTextReader:
    """Reads nothing (`--ocr none`): for runs that want symbols only, or to save time."""

    name: str = field(default="none")

    def read(self, page: PageImage) -> Detections:
        del page
        return Detections()


def create(settings: Settings) -> AutoReader:
    """Registry factory (`auto`)."""
    return AutoReader(settings=settings)


def create_none(settings: Settings) -> NoTextReader:
    """Registry factory (`none`)."""
    del settings
    return NoTextReader()

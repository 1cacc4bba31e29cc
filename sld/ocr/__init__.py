"""Text engines: the `TextReader` protocol and the registry that picks one by name.

A reader answers in page points with one entry per label line (label = the text read).
`auto` takes the PDF text layer where the page has one and OCR where it does not, and says so
in the log: no silent fallback.
"""

from __future__ import annotations

from typing import Protocol

from sld.detect import load_factory
from sld.detections import Detections
from sld.page import PageImage
from sld.settings import Settings


class TextReader(Protocol):
    """Reads the text lines of a page. Boxes in page points; labels are the texts."""

    name: str

    def read(self, page: PageImage) -> Detections: ...


#: Engine name -> "module:factory". The factory takes the settings and returns a reader.
TEXT_READERS: dict[str, str] = {
    "pdf-text": "sld.ocr.pdf_text:create",
    "rapidocr": "sld.ocr.rapid:create",
    "auto": "sld.ocr.auto:create",
    "none": "sld.ocr.auto:create_none",
    "rex-omni": "sld.ocr.rexomni:create",
    "rex-omni-server": "sld.ocr.rexomni:create_server",
}


def create_text_reader(settings: Settings) -> TextReader:
    reader: TextReader = load_factory(TEXT_READERS, "text engine", settings.ocr)(settings)  # type: ignore[assignment]
    return reader

"""Text engines: the `TextReader` protocol, and the reader that `SLD_OCR` chooses.

A reader answers in page points with one entry per label line (label = the text read).
`auto` takes the PDF text layer where the page has one and OCR where it does not, and says so
in the log: no silent fallback. A new engine is a module here with a factory
`create(settings)`, registered in `sld.registry.TEXT_READERS` under the name `SLD_OCR` takes.
"""

from __future__ import annotations

from typing import Protocol, cast

from sld.detections import Detections
from sld.pages.page import PageImage
from sld.registry import TEXT_READERS, shared_backend
from sld.settings import Settings


class TextReader(Protocol):
    """Reads the text lines of a page. Boxes in page points; labels are the texts."""

    name: str

    def read(self, page: PageImage) -> Detections: ...


def text_reader_for(settings: Settings) -> TextReader:
    """The reader `SLD_OCR` names (see `sld.registry.TEXT_READERS`), created on first use for
    these settings and then reused."""
    return cast(TextReader, shared_backend(TEXT_READERS, "text engine", settings.ocr, settings))

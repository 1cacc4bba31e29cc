"""The same drawing at another scale: every page of a PDF drawn `factor` times larger.

A drawing office that draws a one-line on A0 instead of A3 draws the same symbols, wires and
lettering larger; this makes such a sheet from any PDF (its pages placed as form XObjects,
scaled), so the vector paths and the text layer scale with it.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium


def scale_pdf(source: Path, factor: float, target: Path) -> Path:
    """Write `source` with every page `factor` times larger to `target`; return `target`."""
    original = pdfium.PdfDocument(source)
    scaled = pdfium.PdfDocument.new()
    try:
        for index in range(len(original)):
            width, height = original.get_page_size(index)
            drawing = original.page_as_xobject(index, scaled).as_pageobject()
            drawing.transform(pdfium.PdfMatrix().scale(factor, factor))
            page = scaled.new_page(width * factor, height * factor)
            page.insert_obj(drawing)
            page.gen_content()
        scaled.save(target)
    finally:
        scaled.close()
        original.close()
    return target

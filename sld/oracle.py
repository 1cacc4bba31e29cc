"""Digitising a page with the ground-truth component boxes as the detections ("oracle detection").

Reading text, linking labels, naming and rating components can be measured before a symbol
detector exists, and apart from its mistakes: the true boxes stand in for the detector's, and
every other stage runs as the pipeline runs it (text reader, conductors, linking, graph,
assembly). The figures this gives are labelled "oracle detection" wherever they are reported.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from sld import stages
from sld.detections import Detections
from sld.document import Document, Page, Source
from sld.page import PageImage
from sld.raster import open_source
from sld.settings import Settings


@dataclass(frozen=True)
class OraclePage:
    """One page digitised with true boxes, with the intermediate values the stages passed."""

    page: PageImage
    symbols: Detections
    texts: Detections
    links: list[int | None]
    result: Page
    #: Seconds spent reading the text of the page.
    text_seconds: float


def true_symbols(truth: Page) -> Detections:
    """The ground-truth components of a page as detections (score 1, label = type)."""
    return Detections.from_lists(
        [component.bbox for component in truth.components],
        [1.0] * len(truth.components),
        [component.type for component in truth.components],
    )


def digitise_page_with_truth(
    page: PageImage, truth: Page, settings: Settings, texts: Detections | None = None
) -> OraclePage:
    """The pipeline's stages for one page, the detector replaced by the true component boxes.

    `texts` may be given to skip reading (e.g. to try linking alone on lines read once).
    """
    started = time.perf_counter()
    if texts is None:
        texts = stages.read_text(page, settings)
    text_seconds = time.perf_counter() - started
    symbols = true_symbols(truth)
    ids = stages.component_ids(page.index, symbols)
    conductors = stages.trace_conductors(page, symbols, texts)
    links = stages.link(page, symbols, texts, conductors)
    graph = stages.build_graph(page, symbols, ids, texts, links, conductors)
    result = stages.assemble_page(page, symbols, ids, texts, links, graph)
    return OraclePage(page, symbols, texts, links, result, text_seconds)


def digitise_with_truth(path: Path, truth: Document, settings: Settings) -> list[OraclePage]:
    """Every page of `path` digitised with the true boxes of `truth` (pages paired by index)."""
    source = open_source(path)
    truth_pages = {page.index: page for page in truth.pages}
    return [
        digitise_page_with_truth(
            stages.rasterise(source, index, settings), truth_pages[index], settings
        )
        for index in range(source.page_count)
    ]


def as_document(path: Path, truth: Document, pages: list[OraclePage]) -> Document:
    """The result document of an oracle run, ready for `sld.evaluate.evaluate_document`."""
    return Document(
        source=Source(path=str(path), sha256=truth.source.sha256, page_count=len(pages)),
        pages=[page.result for page in pages],
    )

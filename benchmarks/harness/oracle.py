"""The pipeline's stages run on ground truth instead of the detector ("oracle detection").

Two depths, so each stage can be measured apart from the mistakes of the ones before it:

- `digitise_page_with_truth`: the true component boxes stand in for the symbol detector; the
  text reader, linking, conductors, graph and assembly run as the pipeline runs them. Text,
  linking and rating figures are measured this way.
- `run_oracle` / `digitise_with_oracle`: symbols, text lines and label links all come from the
  ground-truth page, so every connection error is the connectivity stages' own.

Figures made this way are labelled "oracle detection" wherever they are reported, never passed
off as end-to-end ones.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from sld import stages
from sld.connectivity import graph as page_graph
from sld.connectivity.conductors import Conductors, extract_conductors
from sld.detections import Detections
from sld.document import Document, Page, Source
from sld.evaluate import Counts
from sld.pages.page import PageImage
from sld.pages.raster import load_page, open_source
from sld.pipeline import connect_page
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
    digitised = connect_page(page, symbols, texts, settings)
    return OraclePage(page, symbols, texts, digitised.links, digitised.result, text_seconds)


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


@dataclass(frozen=True)
class OracleInputs:
    """What the detection, text and linking stages would hand on, taken from ground truth."""

    symbols: Detections
    component_ids: list[str]
    texts: Detections
    links: list[int | None]


def oracle_inputs(truth: Page) -> OracleInputs:
    symbols = Detections.from_lists(
        [c.bbox for c in truth.components],
        [1.0] * len(truth.components),
        [c.type for c in truth.components],
    )
    ids = [c.id for c in truth.components]
    position = {component_id: index for index, component_id in enumerate(ids)}
    texts = Detections.from_lists(
        [t.bbox for t in truth.texts], [1.0] * len(truth.texts), [t.text for t in truth.texts]
    )
    links = [None if t.component_id is None else position[t.component_id] for t in truth.texts]
    return OracleInputs(symbols=symbols, component_ids=ids, texts=texts, links=links)


@dataclass(frozen=True)
class OracleRun:
    """The graph of one page and how long its two stages took (seconds)."""

    graph: nx.Graph
    conductors: Conductors
    conductor_seconds: float
    graph_seconds: float

    @property
    def seconds(self) -> float:
        return self.conductor_seconds + self.graph_seconds


def run_oracle(page: PageImage, truth: Page, crossings_connect: bool = False) -> OracleRun:
    """Conductors and graph of `page` with the symbols and texts of `truth`."""
    given = oracle_inputs(truth)
    started = time.perf_counter()
    conductors = extract_conductors(page, given.symbols, given.texts)
    traced = time.perf_counter()
    graph = page_graph.build_page_graph(
        page,
        given.symbols,
        given.component_ids,
        conductors,
        given.texts,
        given.links,
        crossings_connect=crossings_connect,
    )
    done = time.perf_counter()
    return OracleRun(graph, conductors, traced - started, done - traced)


def compare_pairs(
    truth: list[tuple[str, str]] | list[list[str]], predicted: list[tuple[str, str]]
) -> Counts:
    """Unordered component pairs compared as sets."""
    expected = {frozenset(pair) for pair in truth}
    found = {frozenset(pair) for pair in predicted}
    return Counts(tp=len(expected & found), fp=len(found - expected), fn=len(expected - found))


def digitise_with_oracle(
    pdf: Path, truth: Document, settings: Settings | None = None
) -> tuple[Document, list[nx.Graph]]:
    """The result document and page graphs of `pdf` as the pipeline makes them, with the
    detection, text and linking stages replaced by `truth` (oracle detection)."""
    settings = settings or Settings()
    source = open_source(pdf)
    pages, graphs = [], []
    for page_truth in truth.pages:
        page = load_page(source, page_truth.index, settings)
        given = oracle_inputs(page_truth)
        run = run_oracle(page, page_truth, settings.crossings_connect)
        pages.append(
            stages.assemble_page(
                page, given.symbols, given.component_ids, given.texts, given.links, run.graph
            )
        )
        graphs.append(run.graph)
    document = Document(
        source=Source(path=str(pdf), sha256=source.sha256, page_count=source.page_count),
        pages=pages,
    )
    return document, graphs

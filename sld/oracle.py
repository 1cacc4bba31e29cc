"""The connectivity stages run on ground-truth symbols and texts ("oracle detection").

Tests and benchmarks use this to measure the conductor and graph stages alone: the symbol boxes,
text lines and label links come from a ground-truth page (the synthetic generator's, or one
converted from another source), so every connection error is the connectivity stage's own.
Figures made this way are oracle-detection figures, not end-to-end ones.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from sld import graph as page_graph
from sld import wiring
from sld.detections import Detections
from sld.document import Document, Page, Source
from sld.page import PageImage
from sld.settings import Settings


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
    conductors: wiring.Conductors
    conductor_seconds: float
    graph_seconds: float

    @property
    def seconds(self) -> float:
        return self.conductor_seconds + self.graph_seconds


def run_oracle(page: PageImage, truth: Page, crossings_connect: bool = False) -> OracleRun:
    """Conductors and graph of `page` with the symbols and texts of `truth`."""
    given = oracle_inputs(truth)
    started = time.perf_counter()
    conductors = wiring.extract_conductors(page, given.symbols, given.texts)
    traced = time.perf_counter()
    graph = page_graph.build_page_graph(
        page,
        given.symbols,
        given.component_ids,
        given.texts,
        given.links,
        conductors,
        crossings_connect=crossings_connect,
    )
    done = time.perf_counter()
    return OracleRun(graph, conductors, traced - started, done - traced)


@dataclass(frozen=True)
class PairCounts:
    """Connection pairs: true positives, false positives, false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: PairCounts) -> PairCounts:
        return PairCounts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        total = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / total if total else 1.0


def compare_pairs(
    truth: list[tuple[str, str]] | list[list[str]], predicted: list[tuple[str, str]]
) -> PairCounts:
    """Unordered component pairs compared as sets."""
    expected = {frozenset(pair) for pair in truth}
    found = {frozenset(pair) for pair in predicted}
    return PairCounts(tp=len(expected & found), fp=len(found - expected), fn=len(expected - found))


def digitise_with_oracle(
    pdf: Path, truth: Document, settings: Settings | None = None
) -> tuple[Document, list[nx.Graph]]:
    """The result document and page graphs of `pdf` as the pipeline makes them, with the
    detection, text and linking stages replaced by `truth` (oracle detection)."""
    from sld.raster import load_page, open_source
    from sld.stages import assemble_page

    settings = settings or Settings()
    source = open_source(pdf)
    pages, graphs = [], []
    for page_truth in truth.pages:
        page = load_page(source, page_truth.index, settings)
        given = oracle_inputs(page_truth)
        run = run_oracle(page, page_truth, settings.crossings_connect)
        pages.append(
            assemble_page(
                page, given.symbols, given.component_ids, given.texts, given.links, run.graph
            )
        )
        graphs.append(run.graph)
    document = Document(
        source=Source(path=str(pdf), sha256=source.sha256, page_count=source.page_count),
        pages=pages,
    )
    return document, graphs

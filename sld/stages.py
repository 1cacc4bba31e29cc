"""The stages of digitising one page, as plain functions over typed values.

Each stage is a unit that Prefect can wrap as a task (see `pipelines/`), and that the library
and its tests call directly. Each is a thin call into the package that does the work
(`sld.pages`, `sld.text`, `sld.symbols`, `sld.connectivity`, `sld.store`); backends (detector,
text reader) are created once per process per configuration and reused across pages and files.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from pathlib import Path

import networkx as nx
import numpy as np

from sld.connectivity import graph as page_graph
from sld.connectivity.conductors import Conductors, extract_conductors
from sld.detections import Detections
from sld.document import CORE_TYPES, UNCLASSIFIED, Component, Document, Page, Text
from sld.pages.page import PageImage
from sld.pages.raster import SourceFile, load_page
from sld.settings import Settings
from sld.store import Provenance, open_database, result_settings, save_document
from sld.symbols.detectors import detect_page
from sld.symbols.merge import TileDetections, merge_page
from sld.text import linking
from sld.text.engines import text_reader_for
from sld.text.ratings import (
    designation_type,
    parse_designation,
    read_label_lines,
)

log = logging.getLogger(__name__)


# --- the stages ------------------------------------------------------------------------------


def rasterise(source: SourceFile, index: int, settings: Settings) -> PageImage:
    """The page as a grey raster, with its text layer and vector geometry where the PDF has them."""
    return load_page(source, index, settings)


def read_text(page: PageImage, settings: Settings) -> Detections:
    """Text lines of the page in points (label = text)."""
    return text_reader_for(settings).read(page)


def detect(page: PageImage, texts: Detections, settings: Settings) -> TileDetections:
    """Run the symbol detector on the page's inked tiles; boxes come back in page points."""
    return detect_page(page, texts, settings)


def merge(found: TileDetections, settings: Settings) -> Detections:
    """One box per symbol: NMS across tiles and removal of fragments cut by tile borders."""
    return merge_page(found, settings)


def trace_conductors(page: PageImage, symbols: Detections, texts: Detections) -> Conductors:
    """The wires and buses of the page (vector strokes, or lines found in the raster)."""
    return extract_conductors(page, symbols, texts)


def link(
    page: PageImage, symbols: Detections, texts: Detections, conductors: Conductors
) -> list[int | None]:
    """For each text line, the index of the symbol it labels (None: labels no component)."""
    walls = np.concatenate([conductors.segments, conductors.walls])
    return linking.link_texts(page, symbols, texts, walls)


def name_by_designation(
    symbols: Detections, texts: Detections, links: list[int | None]
) -> Detections:
    """Devices that no exemplar explained (type `symbol`) named by their own label, where its
    designation names one core type outright (`sld.text.ratings.designation_type`: "CB-3" a
    breaker, "T1" a transformer; "Q1" or "F2" name nothing, several types share those letters)
    and that type is one the device's shape came closest to (`Detections.resembles`).

    Why both: another office draws a breaker otherwise, so its shape may fall short of every
    exemplar, while its tag follows a convention that offices share; but a tag alone misleads
    ("T2" also marks a type 2 surge arrester, an OCR misreading turns a title-block cell into
    "t022"). A device that its drawing named keeps that name whatever its label says."""
    labels = list(symbols.labels)
    order = _label_order(symbols, texts)
    for index, lines in _label_lines(len(symbols), texts, links, order).items():
        if labels[index] != UNCLASSIFIED:
            continue  # named by its drawing: its labels are read once, by `assemble_page`
        names = [name for name in map(parse_designation, lines) if name]
        named = designation_type(names[0]) if names else None
        if named in CORE_TYPES and named in symbols.resembles[index]:
            labels[index] = named
    return replace(symbols, labels=np.asarray(labels, dtype=object))


def build_graph(
    page: PageImage,
    symbols: Detections,
    component_ids: list[str],
    texts: Detections,
    links: list[int | None],
    conductors: Conductors,
    settings: Settings,
) -> nx.Graph:
    """The page's connectivity graph: components, buses, junctions and off-page terminals."""
    return page_graph.build_page_graph(
        page,
        symbols,
        component_ids,
        conductors,
        texts,
        links,
        crossings_connect=settings.crossings_connect,
    )


def check_store(settings: Settings) -> None:
    """Reach the database and check its revision before any page is read, so that an
    unreachable server or an old schema costs one clear error, not a digitised file."""
    open_database(settings.database_url).dispose()


def save(document: Document, graphs: list[nx.Graph], settings: Settings, json_path: Path) -> None:
    """Replace the document's rows in the database (one transaction), then write the JSON.

    The JSON is written from the result just committed, atomically, and the database records its
    path and SHA-256: a crash between the two leaves rows whose JSON is missing or older, which
    the recorded hash shows, never a JSON that the database does not hold.
    """
    provenance = Provenance(
        settings=result_settings(settings),
        json_path=str(json_path.resolve()),
        json_sha256=hashlib.sha256(document.to_json().encode("utf-8")).hexdigest(),
    )
    engine = open_database(settings.database_url)
    try:
        save_document(
            engine,
            document,
            graphs,
            detector=settings.detector,
            ocr=settings.ocr,
            provenance=provenance,
        )
    finally:
        engine.dispose()
    document.write(json_path)


# --- assembling the result --------------------------------------------------------------------


def _reading_order(boxes: np.ndarray) -> list[int]:
    """Indices sorted top to bottom, then left to right, so ids are stable across runs."""
    return sorted(
        range(len(boxes)), key=lambda i: (round(float(boxes[i][1]), 1), float(boxes[i][0]))
    )


def component_ids(page_index: int, symbols: Detections) -> list[str]:
    """The result id of each symbol ("p0-c3"), numbered in reading order."""
    ids = [""] * len(symbols)
    for number, index in enumerate(_reading_order(symbols.boxes)):
        ids[index] = f"p{page_index}-c{number}"
    return ids


def _box(values: np.ndarray) -> tuple[float, float, float, float]:
    return (float(values[0]), float(values[1]), float(values[2]), float(values[3]))


def _label_order(symbols: Detections, texts: Detections) -> list[int]:
    """The page's texts in reading order, less the letters drawn inside symbols ("M", "3~"):
    those are part of the symbols, not texts of the page."""
    marks = linking.symbol_marks(symbols, texts)
    return [index for index in _reading_order(texts.boxes) if not marks[index]]


def _label_lines(
    count: int, texts: Detections, links: list[int | None], order: list[int]
) -> dict[int, list[str]]:
    """For each of `count` symbols, the text lines linked to it, in `order` (`_label_order`)."""
    lines: dict[int, list[str]] = {index: [] for index in range(count)}
    for text_index in order:
        target = links[text_index]
        if target is not None:
            lines[target].append(str(texts.labels[text_index]))
    return lines


def detection_page(page: PageImage, symbols: Detections) -> Page:
    """The result page with the components alone (no texts, names or connections): what the
    detection benchmarks score, apart from the later stages."""
    ids = component_ids(page.index, symbols)
    no_texts = Detections.from_lists([], [], [])
    return assemble_page(page, symbols, ids, no_texts, [], nx.Graph())


def assemble_page(
    page: PageImage,
    symbols: Detections,
    ids: list[str],
    texts: Detections,
    links: list[int | None],
    graph: nx.Graph,
) -> Page:
    """The result `Page`: components named and rated from their linked label lines."""
    text_order = _label_order(symbols, texts)
    labels_of = _label_lines(len(symbols), texts, links, text_order)
    components = []
    for index in _reading_order(symbols.boxes):
        kind = str(symbols.labels[index])
        name, ratings = read_label_lines(labels_of[index], kind)
        components.append(
            Component(
                id=ids[index],
                type=kind,
                bbox=_box(symbols.boxes[index]),
                score=float(np.clip(symbols.scores[index], 0.0, 1.0)),
                name=name,
                ratings=ratings,
            )
        )

    result_texts = []
    for number, index in enumerate(text_order):
        target = links[index]
        result_texts.append(
            Text(
                id=f"p{page.index}-t{number}",
                text=str(texts.labels[index]),
                bbox=_box(texts.boxes[index]),
                score=float(np.clip(texts.scores[index], 0.0, 1.0)),
                component_id=None if target is None else ids[target],
            )
        )

    return Page(
        index=page.index,
        width=page.width_pt,
        height=page.height_pt,
        components=components,
        texts=result_texts,
        connections=page_graph.component_connections(graph),
    )

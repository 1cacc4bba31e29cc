"""The connections of a corrected page, derived again from its drawing.

A person who adds, deletes, moves or retypes a component changes where the wires end, so the
page's conductors are traced again against the corrected boxes and its graph built again, with
the labels linked as the person left them (the linking stage is not run: their links win). The
stages are the pipeline's own (`sld.stages`), so a corrected page is connected exactly as a
digitised one would be.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import networkx as nx

from sld import stages
from sld.connectivity.graph import component_connections
from sld.detections import Detections
from sld.document import Document, Page
from sld.pages.page import PageImage
from sld.pages.raster import InputError, open_source
from sld.settings import Settings


def reconnect_pages(
    document: Document,
    pages: set[int],
    drawing: Path,
    settings: Settings,
    graphs: Sequence[nx.Graph],
) -> list[nx.Graph]:
    """Connections (in `document`, changed in place) and graphs of `pages` derived again from
    `drawing`; the other pages keep their graph from `graphs` (one per page, or none), with the
    component nodes' names and types brought up to date.

    InputError when `drawing` is missing or is not the file the result was made from.
    """
    opened = open_source(drawing) if pages else None
    if opened is not None and opened.sha256 != document.source.sha256:
        raise InputError(
            drawing,
            "is not the drawing this result was made from (its sha256 differs)",
            "Give the drawing that was digitised with --source.",
        )
    result = []
    for position, page in enumerate(document.pages):
        if opened is not None and page.index in pages:
            graph = _connect(page, stages.rasterise(opened, page.index, settings), settings)
            page.connections = component_connections(graph)
        else:
            graph = graphs[position] if position < len(graphs) else nx.Graph(page_index=page.index)
        result.append(_named(graph, page))
    return result


def _connect(page: Page, image: PageImage, settings: Settings) -> nx.Graph:
    symbols = Detections.from_lists(
        [c.bbox for c in page.components],
        [c.score for c in page.components],
        [c.type for c in page.components],
    )
    ids = [c.id for c in page.components]
    texts = Detections.from_lists(
        [t.bbox for t in page.texts], [t.score for t in page.texts], [t.text for t in page.texts]
    )
    position = {component_id: index for index, component_id in enumerate(ids)}
    links = [None if t.component_id is None else position[t.component_id] for t in page.texts]
    conductors = stages.trace_conductors(image, symbols, texts)
    return stages.build_graph(image, symbols, ids, texts, links, conductors, settings)


def _named(graph: nx.Graph, page: Page) -> nx.Graph:
    """The graph's component nodes carry the names and types the person left."""
    for component in page.components:
        if component.id not in graph:
            continue
        data = graph.nodes[component.id]
        data["type"] = component.type
        if component.name:
            data["label"] = component.name
        else:
            data.pop("label", None)
    return graph

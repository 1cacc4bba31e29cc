"""powsybl substation diagrams: SVG drawings with their exact graph, as PDFs with ground truth.

powsybl-single-line-diagram (RTE's diagram renderer) writes an SVG and, beside it, the graph it
drew: nodes (breakers, disconnectors, loads, generators, transformers, busbar sections and
fictitious junction nodes) and the wires between them. This module

1. renders the SVG to PDF with headless Chromium (the SVGs style their strokes through CSS
   custom properties, which only a browser engine resolves), on a page exactly the SVG's size:
   one SVG unit is one CSS pixel, 0.75 point;
2. asks the same browser for each component's box (the union of the bounding boxes of its
   drawn shapes, its label text left out), so the boxes are exactly where the PDF draws them;
3. converts the powsybl graph into a result `Page`: components with those boxes, and the
   connections the graph implies (pairs of components joined through wires, busbars and
   fictitious nodes only), in the same projection the result format uses.

The data (`powsybl_sld_generated`, MPL-2.0) is in `tests/realdata/`; `SLD_POWSYBL_DIR` points
elsewhere.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from sld.document import Component, Page, Text
from sld.evaluate import Counts
from sld.geometry import FloatArray

#: The drawings and their ground truth: name -> (SVG file, graph file).
CASES: dict[str, tuple[str, str]] = {
    "TestSldClassVl": ("TestSldClassVl.svg", "TestSldClassVlMetadata.json"),
    "TestSldClassSubstation": ("TestSldClassSubstation.svg", "TestSldClassSubstationMetadata.json"),
    "TestCase11SubstationGraphH": (
        "TestCase11SubstationGraphHNone.svg",
        "TestCase11SubstationGraphH.json",
    ),
}

#: powsybl component types that are components in the result; every other node (busbar
#: sections, fictitious nodes, transformer legs, line ends) is part of the conductors.
COMPONENT_TYPES: dict[str, str] = {
    "BREAKER": "circuit_breaker",
    "DISCONNECTOR": "disconnect_switch",
    "LOAD_BREAK_SWITCH": "disconnect_switch",
    "GENERATOR": "generator",
    "LOAD": "load",
    "TWO_WINDINGS_TRANSFORMER": "transformer",
    "THREE_WINDINGS_TRANSFORMER": "transformer",
    "CAPACITOR": "capacitor",
    "INDUCTOR": "inductor",
}

#: CSS pixels (SVG units) to PDF points.
POINTS_PER_UNIT = 0.75
#: Component boxes are grown by this much (SVG units): the shapes' geometry without their
#: stroke, and wires end on the stroke's outer edge.
BOX_PADDING = 1.0
#: The powsybl drawings in this repository (MPL-2.0, see its LICENSE.txt), used when
#: `SLD_POWSYBL_DIR` is not set.
REPOSITORY_DATA = Path(__file__).resolve().parents[2] / "tests/realdata/powsybl_sld_generated"

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
)


def find_chromium() -> str | None:
    """The Chromium (or Chrome) executable: `SLD_CHROMIUM`, else the first on PATH."""
    given = os.environ.get("SLD_CHROMIUM")
    if given:
        return given
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def data_dir() -> Path | None:
    """The folder with the powsybl drawings, or None when it is not found."""
    given = os.environ.get("SLD_POWSYBL_DIR")
    if given:
        return Path(given)
    if (REPOSITORY_DATA / "LICENSE.txt").exists():
        return REPOSITORY_DATA
    return None


def svg_id(node_id: str) -> str:
    """The SVG element id powsybl gives a graph node: "id" + the id, every character that is
    not a letter or digit written as _<code>_ ("a-b" -> "ida_45_b")."""
    return "id" + "".join(c if c.isascii() and c.isalnum() else f"_{ord(c)}_" for c in node_id)


# --- ground truth -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PowsyblGraph:
    """A diagram's graph: node kind (powsybl componentType) by SVG id, and the wires."""

    kinds: dict[str, str]
    wires: list[tuple[str, str]]

    def components(self) -> list[str]:
        return [node for node, kind in self.kinds.items() if kind in COMPONENT_TYPES]


def read_graph(path: Path) -> PowsyblGraph:
    """The graph of a metadata file (`nodes`, `wires`) or of a graph dump (`voltageLevels`)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if "wires" in data:
        kinds = {
            node["id"]: node["componentType"] for node in data["nodes"] if "componentType" in node
        }
        wires = [(wire["nodeId1"], wire["nodeId2"]) for wire in data["wires"]]
        return PowsyblGraph(kinds, wires)
    kinds = {}
    wires = []
    levels = data.get("voltageLevels", [])
    for holder in [data, *levels]:
        for node in [*holder.get("nodes", []), *holder.get("multitermNodes", [])]:
            kinds[svg_id(node["id"])] = node["componentType"]
        for edge in holder.get("edges", []):
            wires.append((svg_id(edge["node1"]), svg_id(edge["node2"])))
        for group in [*holder.get("twtEdges", []), *holder.get("lineEdges", [])]:
            for edge in group.get("nodes", []):
                wires.append((svg_id(edge["node1"]), svg_id(edge["node2"])))
    return PowsyblGraph(kinds, wires)


def truth_connections(graph: PowsyblGraph, ids: dict[str, str]) -> list[tuple[str, str]]:
    """Component pairs (result ids, via `ids`: SVG id -> result id) joined through non-component
    nodes only, as in the result format."""
    from sld.connectivity.graph import component_connections

    projected = nx.Graph()
    for node in graph.kinds:
        projected.add_node(ids.get(node, node), kind="component" if node in ids else "other")
    for a, b in graph.wires:
        projected.add_edge(ids.get(a, a), ids.get(b, b))
    for node in projected.nodes:
        projected.nodes[node].setdefault("kind", "other")
    return component_connections(projected)


# --- rendering --------------------------------------------------------------------------------

_BOX_SCRIPT = """
<script>
const boxes = {};
for (const group of document.querySelectorAll("g[id]")) {
  let box = null;
  for (const shape of group.querySelectorAll("path,circle,rect,line,polygon,polyline,ellipse")) {
    const r = shape.getBoundingClientRect();
    box = box === null ? [r.left, r.top, r.right, r.bottom]
      : [Math.min(box[0], r.left), Math.min(box[1], r.top),
         Math.max(box[2], r.right), Math.max(box[3], r.bottom)];
  }
  if (box !== null) boxes[group.id] = box;
}
const out = document.createElement("pre");
out.id = "sld-boxes";
out.textContent = JSON.stringify(boxes);
document.body.appendChild(out);
</script>
"""


def page_html(svg: str, with_boxes: bool = False) -> str:
    """An HTML page exactly the SVG's size (no margins) showing it at one unit per CSS pixel."""
    found = re.search(r'viewBox="\s*[-\d.]+\s+[-\d.]+\s+([\d.]+)\s+([\d.]+)\s*"', svg)
    if found is None:
        raise ValueError("the SVG has no viewBox to size the page by")
    width, height = found.groups()
    body = svg[svg.index("<svg") :]
    body = re.sub(r"<svg\b", f'<svg width="{width}" height="{height}"', body, count=1)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><style>'
        f"@page {{ size: {width}px {height}px; margin: 0 }} "
        "html, body { margin: 0; padding: 0 } svg { display: block }"
        f"</style></head><body>{body}{_BOX_SCRIPT if with_boxes else ''}</body></html>"
    )


@dataclass(frozen=True)
class Rendered:
    """A powsybl SVG printed to PDF, with the boxes (SVG units) of its groups."""

    pdf: Path
    boxes: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)


def _run_chromium(chromium: str, arguments: list[str], profile: Path) -> str:
    command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *arguments]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{chromium} failed ({done.returncode}): {done.stderr.strip()[-400:]}")
    return done.stdout


def render(svg_path: Path, pdf_path: Path, chromium: str) -> Rendered:
    """Print `svg_path` to `pdf_path` and measure its component groups, with Chromium."""
    svg = svg_path.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="sld-chromium-") as scratch:
        folder = Path(scratch)
        page = folder / "page.html"
        page.write_text(page_html(svg), encoding="utf-8")
        _run_chromium(
            chromium, [f"--print-to-pdf={pdf_path.resolve()}", page.as_uri()], folder / "p1"
        )
        measured = folder / "measured.html"
        measured.write_text(page_html(svg, with_boxes=True), encoding="utf-8")
        dom = _run_chromium(chromium, ["--dump-dom", measured.as_uri()], folder / "p2")
    found = re.search(r'<pre id="sld-boxes">(.*?)</pre>', dom, re.S)
    if found is None or not pdf_path.exists():
        raise RuntimeError(f"Chromium did not render {svg_path}")
    raw: dict[str, list[float]] = json.loads(found.group(1).replace("&quot;", '"'))
    boxes = {key: (v[0], v[1], v[2], v[3]) for key, v in raw.items()}
    return Rendered(pdf=pdf_path, boxes=boxes)


# --- the case as a result page ----------------------------------------------------------------


@dataclass(frozen=True)
class PowsyblCase:
    """A rendered diagram: its PDF, the ground-truth page and the SVG id of each component."""

    name: str
    pdf: Path
    truth: Page
    svg_ids: dict[str, str]


def truth_page(
    graph: PowsyblGraph, boxes: dict[str, tuple[float, float, float, float]], size: FloatArray
) -> tuple[Page, dict[str, str]]:
    """The ground truth as a result page (no texts yet) and result id -> SVG id."""
    components: list[Component] = []
    svg_ids: dict[str, str] = {}
    ids: dict[str, str] = {}
    for node in graph.components():
        if node not in boxes:
            continue
        x0, y0, x1, y1 = boxes[node]
        result_id = f"p0-c{len(components)}"
        ids[node] = result_id
        svg_ids[result_id] = node
        components.append(
            Component(
                id=result_id,
                type=COMPONENT_TYPES[graph.kinds[node]],
                bbox=(
                    round((x0 - BOX_PADDING) * POINTS_PER_UNIT, 2),
                    round((y0 - BOX_PADDING) * POINTS_PER_UNIT, 2),
                    round((x1 + BOX_PADDING) * POINTS_PER_UNIT, 2),
                    round((y1 + BOX_PADDING) * POINTS_PER_UNIT, 2),
                ),
                score=1.0,
            )
        )
    page = Page(
        index=0,
        width=float(size[0]),
        height=float(size[1]),
        components=components,
        texts=[],
        connections=truth_connections(graph, ids),
    )
    return page, svg_ids


def prepare_case(name: str, folder: Path, chromium: str, source: Path | None = None) -> PowsyblCase:
    """Render case `name` into `folder` and build its ground truth (texts: the PDF's own text
    layer, linked to no component, as a text reader would hand them on)."""
    from sld.pages.raster import load_page, open_source
    from sld.settings import Settings
    from sld.text.engines.pdf_text import PdfTextReader

    source = source or data_dir()
    if source is None:
        raise FileNotFoundError("the powsybl drawings were not found; set SLD_POWSYBL_DIR")
    svg_name, graph_name = CASES[name]
    rendered = render(source / svg_name, folder / f"{name}.pdf", chromium)
    page = load_page(open_source(rendered.pdf), 0, Settings())
    graph = read_graph(source / graph_name)
    truth, svg_ids = truth_page(graph, rendered.boxes, np.asarray([page.width_pt, page.height_pt]))
    lines = PdfTextReader().read(page)
    texts = [
        Text(
            id=f"p0-t{number}",
            text=str(label),
            bbox=(float(box[0]), float(box[1]), float(box[2]), float(box[3])),
            score=1.0,
            component_id=None,
        )
        for number, (box, _, label) in enumerate(lines)
        if box[2] > box[0] and box[3] > box[1]
    ]
    truth = truth.model_copy(update={"texts": texts})
    return PowsyblCase(name=name, pdf=rendered.pdf, truth=truth, svg_ids=svg_ids)


@dataclass(frozen=True)
class PowsyblScore:
    """Connection counts of one diagram, read from its PDF and from a 200 dpi raster of it with
    the true boxes (oracle), and end to end after each round of `score_with_exemplars`."""

    name: str
    components: int
    truth_pairs: int
    vector: dict[str, Any]
    raster: dict[str, Any]
    with_exemplars: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "components": self.components,
            "truth_pairs": self.truth_pairs,
            "vector": self.vector,
            "raster": self.raster,
            "with_exemplars": self.with_exemplars,
        }


def _counts_dict(counts: Counts, seconds: float) -> dict[str, Any]:
    return {**counts.to_dict(digits=4), "seconds": round(seconds, 3)}


def score_case(case: PowsyblCase, folder: Path) -> PowsyblScore:
    """Connections of the case's graph (oracle boxes) against its ground truth."""
    import pypdfium2 as pdfium

    from benchmarks.harness.oracle import compare_pairs, run_oracle
    from sld.connectivity.graph import component_connections
    from sld.pages.raster import load_page, open_source
    from sld.settings import Settings

    settings = Settings()
    vector_page = load_page(open_source(case.pdf), 0, settings)
    vector = run_oracle(vector_page, case.truth)
    vector_counts = compare_pairs(case.truth.connections, component_connections(vector.graph))

    document = pdfium.PdfDocument(case.pdf)
    try:
        image = document[0].render(scale=200 / 72, grayscale=True).to_pil()
    finally:
        document.close()
    png = folder / f"{case.name}.png"
    image.save(png, dpi=(200, 200))
    raster_page = load_page(open_source(png), 0, settings)
    raster = run_oracle(raster_page, case.truth)
    raster_counts = compare_pairs(case.truth.connections, component_connections(raster.graph))
    return PowsyblScore(
        name=case.name,
        components=len(case.truth.components),
        truth_pairs=len(case.truth.connections),
        vector=_counts_dict(vector_counts, vector.seconds),
        raster=_counts_dict(raster_counts, raster.seconds),
        with_exemplars=score_with_exemplars(case, folder),
    )


#: Rounds of the exemplar workflow in `score_with_exemplars` (first pass, then corrections).
EXEMPLAR_ROUNDS = 3


def score_with_exemplars(
    case: PowsyblCase, folder: Path, rounds: int = EXEMPLAR_ROUNDS
) -> list[dict[str, Any]]:
    """End to end, the way a user meets a new drawing style, scored after each round.

    Round 1: one exemplar of each component type, the first of its type, is cut from the diagram
    with `add_from_drawing` (what `sld symbols add` runs) into a fresh library. Each later round
    looks at the result as a user would and corrects it: the first missed component of each type
    is cut as a further exemplar (a second drawing of the type), and the first false detection
    of each predicted type that touches no true component is cut as `not_a_symbol` (a
    look-alike, such as powsybl's power-flow arrows), upright: as drawn here, never turned.
    Every round digitises the PDF with the whole pipeline and `sld.evaluate` scores it
    (components matched at IoU >= 0.5, connections through them).
    """
    from sld.document import Document, Source
    from sld.evaluate import evaluate_document
    from sld.geometry import as_boxes, iou_matrix
    from sld.pages.raster import open_source
    from sld.pipeline import digitise_page
    from sld.settings import Settings
    from sld.symbols.library import NOT_A_SYMBOL, DuplicateExemplarError, add_from_drawing

    settings = Settings(symbol_library=folder / f"{case.name}-library")
    source = open_source(case.pdf)
    described = Source(path=str(case.pdf), sha256=source.sha256, page_count=1)
    truth = case.truth.components
    cuts: dict[str, tuple[float, float, float, float]] = {}
    for component in truth:
        cuts.setdefault(component.type, component.bbox)
    report: list[dict[str, Any]] = []
    for round_number in range(1, rounds + 1):
        for key, bbox in cuts.items():
            try:
                add_from_drawing(
                    settings,
                    key.split("#")[0],
                    case.pdf,
                    1,
                    bbox,
                    standard="powsybl",
                    name=f"{case.name}-{key.replace('#', '-')}-r{round_number}",
                    rotatable=not key.startswith(NOT_A_SYMBOL),
                    licence="MPL-2.0 (powsybl-single-line-diagram test data)",
                )
            except DuplicateExemplarError:
                continue  # that drawing is in the library already: it needs no second copy
        started = time.perf_counter()
        result = digitise_page(source, 0, settings).result
        seconds = time.perf_counter() - started
        scores = evaluate_document(
            Document(source=described, pages=[case.truth]),
            Document(source=described, pages=[result]),
        )
        report.append(
            {
                "round": round_number,
                "exemplars_added": sorted(cuts),
                "detection": sum(scores.detection.values(), Counts()).to_dict(digits=4),
                "connections": _counts_dict(scores.connections, seconds),
            }
        )
        overlap = iou_matrix(
            as_boxes([c.bbox for c in truth]), as_boxes([c.bbox for c in result.components])
        )
        same_type = [[t.type == p.type for p in result.components] for t in truth]
        found = (overlap >= 0.5) & np.asarray(same_type, dtype=bool).reshape(overlap.shape)
        cuts = {}
        for index, component in enumerate(truth):
            if not found[index].any():
                cuts.setdefault(f"{component.type}#missed", component.bbox)
        for index, component in enumerate(result.components):
            # A box that touches a true component is a poor box, not a look-alike.
            if not (overlap[:, index] > 0).any():
                cuts.setdefault(f"{NOT_A_SYMBOL}#{component.type}", component.bbox)
        if not cuts:
            break
    return report


def score_all(folder: Path, chromium: str | None = None) -> dict[str, PowsyblScore]:
    """Render and score every case into `folder`."""
    chromium = chromium or find_chromium()
    if chromium is None:
        raise FileNotFoundError("Chromium was not found (install Debian's chromium)")
    return {name: score_case(prepare_case(name, folder, chromium), folder) for name in CASES}

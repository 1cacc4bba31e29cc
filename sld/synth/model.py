"""What one generated sheet holds, as drawn: the single value that rendering and ground truth share.

The layout fills a `Sheet`; `render.py` draws exactly these items on a PDF page and `truth.py`
writes exactly these items as ground truth, so the two can never disagree. Coordinates are PDF
points on the displayed page, origin top-left, y down.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sld.synth.labels import RatingValue
from sld.synth.symbols import Box, Placement, Point, SymbolGeometry

NodeKind = Literal["component", "bus", "junction", "offpage", "source"]


@dataclass
class SymbolItem:
    """A drawn component."""

    id: str
    placement: Placement
    geometry: SymbolGeometry
    name: str | None
    ratings: dict[str, RatingValue]

    @property
    def type(self) -> str:
        return self.placement.variant.type


@dataclass
class WireItem:
    """A conductor (or busbar) stroke, as a polyline."""

    points: list[Point]
    width: float
    bus: bool = False


@dataclass
class DotItem:
    """A filled junction dot."""

    x: float
    y: float
    r: float


@dataclass
class TextItem:
    """One drawn line of text, with its box as the text layer reports it."""

    id: str
    text: str
    font: str
    size: float
    #: Baseline start on the page.
    x: float
    y: float
    #: Reading direction, degrees counter-clockwise: 0 or 90.
    angle: int
    bbox: Box
    component_id: str | None
    #: What the text is: label, bus, title, note, zone, cable, offpage, source.
    role: str


@dataclass
class FrameLine:
    """A stroke of the drawing frame, title block or notes box (not a conductor)."""

    x0: float
    y0: float
    x1: float
    y1: float
    width: float


@dataclass
class GraphNode:
    id: str
    kind: NodeKind
    x: float
    y: float
    name: str | None = None
    #: For off-page connectors: the drawing or sheet the conductor continues on.
    target: str | None = None


@dataclass
class Sheet:
    """One page of a generated drawing."""

    index: int
    width: float
    height: float
    standard: str
    #: The drawing number in the title block (off-page connectors refer to it).
    drawing_number: str = ""
    symbols: list[SymbolItem] = field(default_factory=list)
    wires: list[WireItem] = field(default_factory=list)
    dots: list[DotItem] = field(default_factory=list)
    texts: list[TextItem] = field(default_factory=list)
    frame: list[FrameLine] = field(default_factory=list)
    #: Arrow heads of off-page connectors and sources (filled triangles), page points.
    arrows: list[tuple[Point, Point, Point]] = field(default_factory=list)
    nodes: dict[str, GraphNode] = field(default_factory=dict)
    edges: list[tuple[str, str]] = field(default_factory=list)

"""Small hand-made drawings for the connectivity tests: a few symbols, wires, dots and labels.

A `Drawing` records what it draws (symbol boxes, text boxes) so a test can hand the stages the
same detections a perfect detector would, and writes itself as a vector PDF or as a PNG scan
of that PDF (to exercise the raster path on the same geometry). Coordinates are PDF points,
origin top-left, y down, like the rest of the project.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from reportlab.pdfbase.pdfmetrics import getAscentDescent, stringWidth
from reportlab.pdfgen.canvas import Canvas

from sld.detections import Detections
from sld.pages.page import PageImage
from sld.pages.raster import load_page, open_source
from sld.settings import Settings

Box = tuple[float, float, float, float]
FONT = "Helvetica"

#: Each drawing is read as a vector PDF and as a PNG of it.
BOTH = pytest.mark.parametrize("kind", ["vector", "raster"])


@dataclass
class Drawing:
    width: float = 420.0
    height: float = 300.0
    line_width: float = 0.8
    _commands: list[tuple[str, tuple[object, ...]]] = field(default_factory=list)
    symbols: list[tuple[str, Box]] = field(default_factory=list)
    texts: list[tuple[str, Box]] = field(default_factory=list)

    # -- what can be drawn -------------------------------------------------------------------

    def breaker(self, x: float, y: float, size: float = 10.0, kind: str = "circuit_breaker") -> int:
        """A square symbol centred on (x, y); returns its index among the symbols."""
        half = size / 2
        box = (x - half, y - half, x + half, y + half)
        self._commands.append(("rect", (box, self.line_width)))
        self.symbols.append((kind, box))
        return len(self.symbols) - 1

    def disconnector_on(self, x: float, y: float, size: float = 8.0) -> int:
        """A heavy cross centred on (x, y), drawn over whatever line passes there."""
        half = size / 2
        box = (x - half, y - half, x + half, y + half)
        self._commands.append(("line", (((x - half, y - half), (x + half, y + half)), 2.0)))
        self._commands.append(("line", (((x + half, y - half), (x - half, y + half)), 2.0)))
        self.symbols.append(("disconnect_switch", box))
        return len(self.symbols) - 1

    def current_transformer(self, x: float, y: float) -> int:
        """A loop drawn over a straight conductor (the conductor passes through its box)."""
        box = (x - 4.0, y - 8.0, x + 4.0, y + 8.0)
        self._commands.append(("circle", (x, y, 4.0, self.line_width)))
        self.symbols.append(("current_transformer", box))
        return len(self.symbols) - 1

    def circle(self, x: float, y: float, radius: float) -> None:
        """An outline circle that stands for nothing (a balloon, an enclosure)."""
        self._commands.append(("circle", (x, y, radius, self.line_width)))

    def wire(self, *points: tuple[float, float], width: float | None = None) -> None:
        self._commands.append(("line", (points, width or self.line_width)))

    def dashed(self, *points: tuple[float, float]) -> None:
        """A dashed line (an enclosure's side, a mechanical link), drawn with a dash pattern."""
        self._commands.append(("dashed", (points, self.line_width)))

    def dot(self, x: float, y: float, radius: float = 2.0) -> None:
        self._commands.append(("dot", (x, y, radius)))

    def arrow(self, x: float, tip_y: float, size: float = 6.0) -> None:
        """A filled arrow head pointing down with its tip at (x, tip_y)."""
        self._commands.append(("arrow", (x, tip_y, size)))

    def text(self, line: str, x: float, baseline: float, size: float = 7.0) -> int:
        ascent, _ = getAscentDescent(FONT, size)
        box = (x, baseline - ascent, x + stringWidth(line, FONT, size), baseline + 1.0)
        self._commands.append(("text", (line, x, baseline, size)))
        self.texts.append((line, box))
        return len(self.texts) - 1

    # -- what the stages get -----------------------------------------------------------------

    def symbol_detections(self) -> Detections:
        return Detections.from_lists(
            [box for _, box in self.symbols],
            [1.0] * len(self.symbols),
            [k for k, _ in self.symbols],
        )

    def text_detections(self) -> Detections:
        return Detections.from_lists(
            [box for _, box in self.texts], [1.0] * len(self.texts), [t for t, _ in self.texts]
        )

    def component_ids(self) -> list[str]:
        return [f"p0-c{index}" for index in range(len(self.symbols))]

    # -- files -------------------------------------------------------------------------------

    def pdf_bytes(self) -> bytes:
        buffer = io.BytesIO()
        canvas = Canvas(buffer, pagesize=(self.width, self.height), invariant=1)
        h = self.height
        canvas.setLineCap(1)
        for command, arguments in self._commands:
            if command == "rect":
                (x0, y0, x1, y1), width = arguments  # type: ignore[misc]
                canvas.setLineWidth(width)
                canvas.rect(x0, h - y1, x1 - x0, y1 - y0, stroke=1, fill=0)
            elif command == "circle":
                x, y, r, width = arguments  # type: ignore[misc]
                canvas.setLineWidth(width)
                canvas.circle(x, h - y, r, stroke=1, fill=0)
            elif command == "line":
                points, width = arguments  # type: ignore[misc]
                canvas.setLineWidth(width)
                path = canvas.beginPath()
                path.moveTo(points[0][0], h - points[0][1])
                for x, y in points[1:]:
                    path.lineTo(x, h - y)
                canvas.drawPath(path, stroke=1, fill=0)
            elif command == "dashed":
                points, width = arguments  # type: ignore[misc]
                canvas.setLineWidth(width)
                canvas.setDash(4, 3)
                path = canvas.beginPath()
                path.moveTo(points[0][0], h - points[0][1])
                for x, y in points[1:]:
                    path.lineTo(x, h - y)
                canvas.drawPath(path, stroke=1, fill=0)
                canvas.setDash()
            elif command == "dot":
                x, y, r = arguments  # type: ignore[misc]
                canvas.circle(x, h - y, r, stroke=0, fill=1)
            elif command == "arrow":
                x, tip, size = arguments  # type: ignore[misc]
                path = canvas.beginPath()
                path.moveTo(x - size / 2, h - (tip - size))
                path.lineTo(x + size / 2, h - (tip - size))
                path.lineTo(x, h - tip)
                path.close()
                canvas.drawPath(path, stroke=0, fill=1)
            elif command == "text":
                line, x, baseline, size = arguments  # type: ignore[misc]
                canvas.setFont(FONT, size)
                canvas.drawString(x, h - baseline, line)
        canvas.showPage()
        canvas.save()
        return buffer.getvalue()

    def page(self, kind: str, folder: Path) -> PageImage:
        """The drawing as a "vector" PDF page or a "raster" PNG page."""
        return self.vector_page(folder) if kind == "vector" else self.raster_page(folder)

    def vector_page(self, folder: Path) -> PageImage:
        path = folder / "drawing.pdf"
        path.write_bytes(self.pdf_bytes())
        return load_page(open_source(path), 0, Settings())

    def raster_page(self, folder: Path, dpi: float = 200.0) -> PageImage:
        """The drawing printed to a PNG (no vector layer, no text layer)."""
        document = pdfium.PdfDocument(self.pdf_bytes())
        try:
            image = document[0].render(scale=dpi / 72.0, grayscale=True).to_pil()
        finally:
            document.close()
        path = folder / "drawing.png"
        image.save(path, dpi=(dpi, dpi))
        return load_page(open_source(path), 0, Settings())

"""Draws a `Sheet` on a reportlab canvas: the vector PDF with a real text layer."""

from __future__ import annotations

import io

from reportlab.pdfgen.canvas import Canvas

from sld.synth.model import Sheet
from sld.synth.symbols import draw_symbol


def draw_sheet(canvas: Canvas, sheet: Sheet) -> None:
    """Draw one sheet on the canvas's current page (set to the sheet's size)."""
    height = sheet.height
    canvas.setPageSize((sheet.width, height))
    canvas.setStrokeGray(0)
    canvas.setFillGray(0)
    canvas.setLineJoin(1)
    canvas.setLineCap(0)
    for line in sheet.frame:
        canvas.setLineWidth(line.width)
        canvas.line(line.x0, height - line.y0, line.x1, height - line.y1)
    # Conductors: round caps so that separately drawn wires meet cleanly at tees and corners.
    for wire in sheet.wires:
        canvas.setLineCap(0 if wire.bus else 1)
        canvas.setLineWidth(wire.width)
        path = canvas.beginPath()
        x, y = wire.points[0]
        path.moveTo(x, height - y)
        for x, y in wire.points[1:]:
            path.lineTo(x, height - y)
        canvas.drawPath(path, stroke=1, fill=0)
    canvas.setLineCap(0)
    for dot in sheet.dots:
        canvas.circle(dot.x, height - dot.y, dot.r, stroke=0, fill=1)
    for triangle in sheet.arrows:
        path = canvas.beginPath()
        path.moveTo(triangle[0][0], height - triangle[0][1])
        for x, y in triangle[1:]:
            path.lineTo(x, height - y)
        path.close()
        canvas.drawPath(path, stroke=0, fill=1)
    for symbol in sheet.symbols:
        draw_symbol(canvas, symbol.placement, height)
    for text in sheet.texts:
        canvas.saveState()
        canvas.translate(text.x, height - text.y)
        if text.angle:
            canvas.rotate(text.angle)
        canvas.setFont(text.font, text.size)
        canvas.drawString(0, 0, text.text)
        canvas.restoreState()


def render_pdf(sheets: list[Sheet], title: str) -> bytes:
    """A vector PDF of the sheets, one page each; the same sheets give the same bytes."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(sheets[0].width, sheets[0].height), invariant=1)
    canvas.setTitle(title)
    canvas.setCreator("sld.synth")
    for sheet in sheets:
        draw_sheet(canvas, sheet)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()

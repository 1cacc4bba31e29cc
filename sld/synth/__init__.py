"""Synthetic single-line diagrams (SLDs) with exact ground truth.

The project's test, demo, benchmark and training data. `generate_set(out_dir, count, seed)` writes
for each i `sld-{seed}-{i:03d}.pdf` (a vector PDF with a real text layer), its ground truth
`sld-{seed}-{i:03d}.json` (a `sld.document.Document`, exactly the result format),
`sld-{seed}-{i:03d}.graph.json` (the full graph), and with `scans=True` the same three for
`sld-{seed}-{i:03d}-scan` (the page printed and scanned: a JPEG in a PDF, no text layer). The same
seed gives the same bytes.

What a sheet holds: a landscape page (mostly A3; also A2, A1, ANSI B, ANSI D, A4) with a border,
often a grid frame with zone numbers and letters, a title block and a notes block; one sources-to-
loads diagram in ONE drawing standard (IEC 60617 or ANSI/IEEE 315; `style="mixed"` picks one per
document): utility incomers (or "FROM DWG ..." on later pages) and generators above a main bus (one
section, or two joined by a tie breaker); 3-10 feeders dropping from it, each a chain such as
breaker -> disconnect/fuse -> load (motor, generator, load arrow, capacitor, transformer + load,
off-page arrow "TO ...") or a transformer/breaker feeding a sub-bus with 2-4 feeders of its own;
tees with horizontal side branches through rotated components (some crossing a neighbour's wire
without connection); labels, bus names and cable tags. `pages` > 1 makes multi-page drawings whose
pages are linked by off-page connectors ("TO DWG E-102" / "FROM SHEET 1").

Ground-truth conventions (contracts for the detector, OCR/linking and connectivity work):

- Coordinates: PDF points on the displayed page, origin top-left, y down; all boxes on the page.
- Ids: components "p{page}-c{n}", texts "p{page}-t{n}"; in the graph also buses "p{page}-b{n}",
  junctions "p{page}-j{n}", off-page connectors "p{page}-o{n}", incoming sources "p{page}-s{n}".
- Component `bbox`: the symbol's body box, covering every stroke it draws (half the stroke width
  included; straight leads have butt caps, so the box ends exactly at the terminal points along the
  conductor). Wires attach at terminal points on that box's edge (for round symbols such as motors,
  within half a stroke inside it). Junction dots, wires and labels are not part of a component.
- Component `type`: one of `CORE_TYPES`, or for the distractors `current_transformer`, `ground`,
  `capacitor`, `meter`, `surge_arrester`, `load_arrow` (drawn, in the truth, not scored). `score` is
  1.0. `name` is the designation as written in the label (T1, TX-1, CB-3, 52-1, Q1, QF2, M2, MTR-3,
  G1, GEN-1, F4, FU-2, DS-1, SW-1, 89-1, ...), or null when the label has none (ground).
- Component `ratings`: the union over its label lines of the values the shared conventions assign
  to what was written. Values are drawn first and then spelled ("500KVA", "2.5 MVA",
  "13.8kV-480Y/277V" -> [13800, 480], "13800/480V", "100AF/80AT" -> current_a 80, "80AT", "5.75%Z",
  "3PH"/"3Ø"/"3~", "4P", "60HZ"); fragments with no key ("42kAIC", "100AF" alone, "Dyn11",
  "DRAWOUT", "1780 RPM") are written but give no rating. A label never states one key twice.
- Texts: one entry per drawn line (label lines, bus names, title block cells, notes, zone marks,
  incomer and off-page texts, cable tags), `score` 1.0. `bbox` is what a text layer reports: the
  union of the glyph ink boxes of the line (pypdfium2's character boxes agree within about 0.7 pt;
  tests check 1 pt). Lines read left to right, or bottom to top (90°) for rotated labels and some
  cable tags. `component_id` is the component the line labels; null for everything else.
  Only upright standard fonts are used (Helvetica, Times, Courier and their bold faces), 5-9 pt for
  the diagram; letters inside symbols (M, G, 3~, V, A) are strokes and never in the text layer.
- Text never overlaps a symbol body, a wire, a junction dot or another text.
- Connections: unordered pairs [a, b] (a before b in id order, list sorted) of components joined by
  a conductor path that passes through no other component: every pair of components touching one
  net (a bus section, a junction, a wire) is listed, so a bus with five feeders connects each pair
  of the components touching it. Pairs are per page; pages are joined only in the graph file. Every
  component is in at least one pair.
- Graph file (networkx node-link JSON: `nodes`, `edges`): nodes carry `kind` (component, bus,
  junction, offpage, source), `page`, `x`, `y`, and `name` (designations, bus names, the incomer or
  off-page text); components add `type`, `variant` ("type/standard/variant"), `bbox`, `ratings`;
  off-page connectors add `target` (the drawing they continue on). Edges are conductors
  (`kind: "conductor"`) or `kind: "offpage"` links between a "TO" connector and its "FROM" partner
  on another page. A horizontal run that crosses a wire without a dot adds no node.
- Scans: the vector page rendered at 150-300 dpi grey, rotated 0.3-1.0° about the page centre,
  blurred, toned, lit unevenly, noised, speckled and JPEG-compressed (quality 50-85). Every box in
  the scan's truth is the box of the rotated corners of the vector box (clipped to the page); all
  else (ids, texts, names, ratings, connections) is unchanged. Graph positions are rotated too.

The symbol catalogue is reusable: `SYMBOL_VARIANTS` lists every (type, standard, variant) drawn;
`draw_symbol(canvas, Placement(...), page_height)` draws one on a reportlab canvas (scale, quarter
turns, mirror, stroke width) and returns its body box and terminals, `symbol_geometry` computes
those without drawing, and `render_symbol_png` rasterises one exactly as the sheets draw it.
"""

from sld.synth.generate import generate_set, make_sheets
from sld.synth.symbols import (
    PROPORTION_VARIANTS,
    SYMBOL_VARIANTS,
    Placement,
    SymbolGeometry,
    SymbolVariant,
    draw_symbol,
    render_symbol_png,
    symbol_geometry,
    symbol_variant,
)

__all__ = [
    "PROPORTION_VARIANTS",
    "SYMBOL_VARIANTS",
    "Placement",
    "SymbolGeometry",
    "SymbolVariant",
    "draw_symbol",
    "generate_set",
    "make_sheets",
    "render_symbol_png",
    "symbol_geometry",
    "symbol_variant",
]

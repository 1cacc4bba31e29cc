"""The built-in exemplars, rendered from the synthetic-drawing symbol catalogue.

One exemplar per (type, standard, variant) of `sld.synth.SYMBOL_VARIANTS`, and of the same
drawings at the other proportions offices give them (`sld.synth.PROPORTION_VARIANTS`: a
transformer's circles closer or further apart, three or five winding turns, wider and slimmer
fuse bodies, an S fuse with three bends), cut to the symbol's body box (the result format's
box: no leads): the six core types in IEC 60617 and ANSI/IEEE 315 drawings, several variants
each, and the distractor types (current transformer, ground, capacitor, meter, surge
arrester, load arrow). Each is drawn exactly as the synthetic sheets draw it, at drawing scale
`SCALE` (the middle of what A3 sheets use) and `LINE_WIDTH`, rasterised at `DPI`. Exemplars
cut from real drawings live beside them in the same folders, with their source and licence in
their metadata.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from sld.symbols.library import ExemplarInfo, save_exemplar
from sld.synth import PROPORTION_VARIANTS, SYMBOL_VARIANTS, render_symbol_png

SCALE = 1.25
LINE_WIDTH = 1.0
DPI = 300.0
LICENCE = "Apache-2.0 (drawn by this project)"


def render_builtin(folder: Path) -> list[Path]:
    """Write every catalogue variant and its other proportions into `folder` (replacing
    earlier renders); JSON paths."""
    written = []
    for variant in (*SYMBOL_VARIANTS, *PROPORTION_VARIANTS):
        drawn, body, terminals = render_symbol_png(
            variant, SCALE, DPI, line_width=LINE_WIDTH, margin=0.0
        )
        # The exemplar is the body alone, as the result format boxes a symbol; the terminals
        # move to where the leads meet its box.
        x0, y0 = max(0, math.floor(body[0])), max(0, math.floor(body[1]))
        x1, y1 = min(drawn.shape[1], math.ceil(body[2])), min(drawn.shape[0], math.ceil(body[3]))
        image = np.ascontiguousarray(drawn[y0:y1, x0:x1])
        terminals = {
            name: (min(max(x, x0), x1) - x0, min(max(y, y0), y1) - y0)
            for name, (x, y) in terminals.items()
        }
        info = ExemplarInfo(
            type=variant.type,
            standard=variant.standard,
            variant=variant.variant,
            source=(
                f"rendered from the sld.synth symbol catalogue ({variant.key}) at drawing "
                f"scale {SCALE}, line width {LINE_WIDTH} pt"
            ),
            licence=LICENCE,
            dpi=DPI,
            drawing_scale=SCALE,
            terminals=[(round(x, 2), round(y, 2)) for x, y in terminals.values()],
            rotatable=variant.rotatable,
            letters=variant.letters,
            image="",
        )
        name = f"{variant.standard}-{variant.variant}".replace("_", "-")
        written.append(save_exemplar(folder, name, info, image))
    return written

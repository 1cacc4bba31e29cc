"""Make the README's picture: an input sheet beside `sld render` of its result.

    python docs/example_image.py            # writes docs/images/example.png

The sheet is generated (seed 42), digitised with the default settings into a temporary
database, and the two halves are cut to the same region so details stay legible.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from PIL import Image

from sld.pages.raster import load_page, open_source
from sld.pipeline import digitise_file
from sld.review.render import draw_result
from sld.settings import Settings
from sld.synth import generate_set

OUT = Path(__file__).parent / "images" / "example.png"
#: The part of the A3 sheet shown, as fractions of its width and height (left, top, right, bottom).
REGION = (0.03, 0.04, 0.50, 0.78)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="sld-example-") as folder:
        work = Path(folder)
        pdf = generate_set(work, count=1, seed=42, scans=False)[0]
        settings = Settings(database_url=f"sqlite:///{work / 'x.db'}", output_dir=work / "out")
        document = digitise_file(pdf, settings).document
        page = load_page(open_source(pdf), 0, Settings(dpi=110))
    height, width = page.image.shape
    left, top, right, bottom = (
        round(REGION[0] * width),
        round(REGION[1] * height),
        round(REGION[2] * width),
        round(REGION[3] * height),
    )
    sheet = Image.fromarray(page.image).convert("RGB").crop((left, top, right, bottom))
    result = draw_result(page, document.pages[0]).crop((left, top, right, bottom))
    gap = 12
    both = Image.new("RGB", (sheet.width * 2 + gap, sheet.height), "white")
    both.paste(sheet, (0, 0))
    both.paste(result, (sheet.width + gap, 0))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    both.save(OUT, optimize=True)
    print(f"wrote {OUT} ({both.width}x{both.height})")


if __name__ == "__main__":
    main()

"""The review page of a result: one self-contained HTML file a person checks and corrects it in.

`sld report DOC` writes it, and so does `sld digitise` beside every JSON result
(`out/plant.json` -> `out/plant.report.html`). It opens offline from a file:// URL: the page
images are data URLs, the script and style are inline (`assets/`), nothing is fetched. It shows
each page with the components boxed by type, the texts, the lines from labels to their
components and, on request, the connections; hovering or clicking shows an item; a table lists
every component with its ratings. What a person should look at first is marked (`check_first`).
Corrections made on the page are downloaded as a file for `sld corrections apply`
(`corrections.py` says why a file).

Strings from a drawing reach the page only as JSON inside a `<script type="application/json">`
(with `<`, `>` and `&` written as `\\u003c`... so no text can close the element) and are put in
the document with `textContent`; a Content-Security-Policy with a fresh nonce per file lets only
the page's own script and style run, so even markup that slipped through would execute nothing.
"""

from __future__ import annotations

import base64
import html
import io
import json
import logging
import secrets
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from PIL import Image

from sld import __version__
from sld.document import CORE_TYPES, UNCLASSIFIED, Document, Page, Ratings
from sld.pages.page import PageImage
from sld.pages.raster import load_page, open_source
from sld.review.render import OTHER_COLOUR, TYPE_COLOURS
from sld.settings import Settings
from sld.store import ReviewState
from sld.symbols.library import NOT_A_SYMBOL, library_folders
from sld.text.ratings import parse_designation, parse_ratings

log = logging.getLogger(__name__)

SUFFIX = ".report.html"
#: The colour of devices that no exemplar explains: always worth a look.
UNCLASSIFIED_COLOUR = (230, 0, 126)
#: Colours for types outside the core six, chosen by a stable hash of the type's name.
PALETTE: tuple[tuple[int, int, int], ...] = (
    (23, 190, 207),
    (188, 189, 34),
    (57, 59, 121),
    (132, 60, 57),
    (99, 121, 57),
    (123, 65, 115),
    (0, 128, 128),
    (205, 92, 0),
)

REASON_LOW_SCORE = "low score"
REASON_UNCLASSIFIED = "type symbol: no exemplar explains it"
REASON_UNCONNECTED = "no connection"
REASON_UNLINKED_LABEL = "reads as a label but labels nothing"


def report_path(result_json: Path) -> Path:
    """`out/plant.json` -> `out/plant.report.html`."""
    return result_json.with_name(result_json.stem + SUFFIX)


@dataclass(frozen=True)
class CheckFirst:
    """Why each component and text deserves a look before the rest (empty: no reason)."""

    components: dict[str, list[str]] = field(default_factory=dict)
    texts: dict[str, list[str]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.components) + len(self.texts)


def check_first(page: Page, low_score: float) -> CheckFirst:
    """A low score, the type `symbol`, a component with no connection, and a text that reads
    as a designation or a rating but labels nothing."""
    connected = {component_id for pair in page.connections for component_id in pair}
    components: dict[str, list[str]] = {}
    for component in page.components:
        reasons = []
        if component.score < low_score:
            reasons.append(f"{REASON_LOW_SCORE} ({component.score:.2f})")
        if component.type == UNCLASSIFIED:
            reasons.append(REASON_UNCLASSIFIED)
        if component.id not in connected:
            reasons.append(REASON_UNCONNECTED)
        if reasons:
            components[component.id] = reasons
    texts = {
        text.id: [REASON_UNLINKED_LABEL]
        for text in page.texts
        if text.component_id is None
        and (parse_designation(text.text) or not parse_ratings(text.text).is_empty())
    }
    return CheckFirst(components, texts)


#: A PNG this small is kept without trying WebP (a line drawing: 50-150 KB at 150 dpi).
SMALL_PNG = 256_000


def _encoded(picture: Image.Image, kind: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, kind, **options)
    return buffer.getvalue()


def page_picture(image: PageImage) -> str:
    """The page raster as a data URL: PNG, lossless, which keeps hairlines sharp and is small
    for line drawings; WebP at quality 80 where that is less than half the PNG (scans, whose
    noise PNG cannot compress: about a tenth of it there)."""
    picture = Image.fromarray(image.image)
    kind, data = "png", _encoded(picture, "PNG")
    if len(data) > SMALL_PNG:
        webp = _encoded(picture, "WEBP", quality=80, method=4)
        if 2 * len(webp) < len(data):
            kind, data = "webp", webp
    return f"data:image/{kind};base64," + base64.b64encode(data).decode("ascii")


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def type_colour(component_type: str) -> str:
    """The colour a type is boxed in: the core types as `sld render` draws them."""
    if component_type in TYPE_COLOURS:
        return _hex(TYPE_COLOURS[component_type])
    if component_type == UNCLASSIFIED:
        return _hex(UNCLASSIFIED_COLOUR)
    return _hex(PALETTE[zlib.crc32(component_type.encode("utf-8")) % len(PALETTE)])


def known_types(document: Document, settings: Settings) -> list[str]:
    """What a box can be retyped to: the core types, the library's types, those in the result."""
    types = set(CORE_TYPES) | {UNCLASSIFIED}
    for folder in library_folders(settings):
        if folder.is_dir():
            types |= {p.name for p in folder.iterdir() if p.is_dir() and p.name != NOT_A_SYMBOL}
    types |= {c.type for page in document.pages for c in page.components}
    return sorted(types)


def _script_json(data: Any) -> str:
    """JSON that is safe inside a <script> element: no `<`, `>` or `&` can end or open markup."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


def _asset(name: str) -> str:
    return resources.files("sld.review").joinpath("assets", name).read_text(encoding="utf-8")


def render_report(
    document: Document,
    pictures: dict[int, str],
    settings: Settings,
    state: ReviewState | None = None,
) -> str:
    """The review page's HTML: `pictures` maps page index to the page's image as a data URL
    (a page without one is drawn on white)."""
    state = state or ReviewState()
    checks = [check_first(page, settings.review_low_score) for page in document.pages]
    types = known_types(document, settings)
    reviewed_at: datetime | None = state.reviewed_at
    data = {
        "document": document.model_dump(mode="json"),
        "fingerprint": document.fingerprint(),
        "stem": Path(document.source.path).stem,
        "pictures": {str(index): url for index, url in pictures.items()},
        "check": {
            "components": {k: v for c in checks for k, v in c.components.items()},
            "texts": {k: v for c in checks for k, v in c.texts.items()},
        },
        "types": types,
        "colours": {t: type_colour(t) for t in types},
        "otherColour": _hex(OTHER_COLOUR),
        "lowScore": settings.review_low_score,
        "ratingKeys": list(Ratings.model_fields),
        "review": {
            "reviewedAt": reviewed_at.isoformat(timespec="minutes") if reviewed_at else None,
            "reviewedBy": state.reviewed_by,
            "acceptedPages": {str(index): by for index, by in state.accepted_pages.items()},
        },
        "sldVersion": __version__,
    }
    nonce = secrets.token_urlsafe(18)
    page = _asset("report.html")
    for marker, value in (
        ("@@NONCE@@", nonce),
        ("@@TITLE@@", html.escape(Path(document.source.path).name)),
        ("@@STYLE@@", _asset("report.css")),
        ("@@SCRIPT@@", _asset("report.js")),
    ):
        page = page.replace(marker, value)
    # The data goes in last, so that nothing in it is taken for a marker.
    return page.replace("@@DATA@@", _script_json(data))


def page_pictures(document: Document, drawing: Path, settings: Settings) -> dict[int, str]:
    """Each page of `drawing` rendered at `settings.report_dpi`, as data URLs by page index."""
    opened = open_source(drawing)
    at_report_dpi = settings.model_copy(update={"dpi": settings.report_dpi})
    return {
        page.index: page_picture(load_page(opened, page.index, at_report_dpi))
        for page in document.pages
        if page.index < opened.page_count
    }


def write_report(
    document: Document,
    out: Path,
    settings: Settings,
    *,
    drawing: Path | None = None,
    state: ReviewState | None = None,
) -> Path:
    """Write the review page of `document` to `out` (atomically); the drawing is the result's
    `source.path` unless given. InputError when the drawing cannot be opened."""
    pictures = page_pictures(document, drawing or Path(document.source.path), settings)
    text = render_report(document, pictures, settings, state)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(out)
    return out


def write_report_beside(
    document: Document, json_path: Path, settings: Settings, drawing: Path
) -> Path | None:
    """The review page beside a result that `sld digitise` wrote, when `settings.report` is on.

    The result is saved before this runs, so a failure here is logged and nothing is lost.
    """
    if not settings.report:
        return None
    try:
        return write_report(document, report_path(json_path), settings, drawing=drawing)
    except Exception:  # the result is safe; one missing review page must not fail the file
        log.warning("could not write the review page of %s", json_path, exc_info=True)
        return None

"""`--learn`: the boxes a person added or retyped become exemplars of the user's symbol library.

They are cut with `sld.symbols.library.add_from_drawing`, exactly as `sld symbols add` cuts a
box, so the next run finds the other symbols drawn that way. A drawing usually repeats one
symbol many times; cutting every box a person drew would fill the library with copies and slow
the detector down for nothing. So of the boxes of one type, those of about the same size
(`SAME_SIZE`, either way round, since the matcher turns exemplars) count as one look, and only
the first of each look is cut. Boxes left as `symbol` (a device with no type) teach nothing.
"""

from __future__ import annotations

from pathlib import Path

from sld.document import UNCLASSIFIED, Component, Document
from sld.settings import Settings
from sld.symbols.library import add_from_drawing

#: Two boxes of one type whose sides differ by less than this fraction are taken as one look.
SAME_SIZE = 0.15


def _size(component: Component) -> tuple[float, float]:
    x0, y0, x1, y1 = component.bbox
    return tuple(sorted((x1 - x0, y1 - y0)))  # type: ignore[return-value]


def _same_look(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return all(abs(p - q) <= SAME_SIZE * max(p, q) for p, q in zip(a, b, strict=True))


def exemplars_to_cut(
    document: Document, taught: list[tuple[int, str]]
) -> list[tuple[int, Component]]:
    """The (page index, component) of each box to cut: one per type and look, in page order."""
    by_id = {(page.index, c.id): c for page in document.pages for c in page.components}
    chosen: list[tuple[int, Component]] = []
    for page_index, component_id in taught:
        component = by_id.get((page_index, component_id))
        if component is None or component.type == UNCLASSIFIED:  # nothing to teach
            continue
        size = _size(component)
        if any(c.type == component.type and _same_look(_size(c), size) for _, c in chosen):
            continue
        chosen.append((page_index, component))
    return chosen


def learn_exemplars(
    document: Document, taught: list[tuple[int, str]], drawing: Path, settings: Settings
) -> list[Path]:
    """Cut the taught boxes out of `drawing` into `settings.symbol_library`; the JSON files
    written. ValueError when no user library is set: the built-in one is not written to."""
    if settings.symbol_library is None:
        raise ValueError(
            "--learn needs a user symbol library to write into: give --library FOLDER or set "
            "SLD_SYMBOL_LIBRARY (the same folder the next `sld digitise` reads)"
        )
    written = []
    for page_index, component in exemplars_to_cut(document, taught):
        written.append(
            add_from_drawing(
                settings,
                component.type,
                drawing,
                page_index + 1,
                component.bbox,
                variant="review",
                name=f"{drawing.stem}-p{page_index + 1}-{component.id}",
                licence="the drawing's owner",
            )
        )
    return written

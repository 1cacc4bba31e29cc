"""Labelled pages to learn from: synthetic sheets with their ground truth, or stored documents.

A labelled page is the page as the pipeline rasterises it (`sld.pages`, the same settings as a
run) and a `sld.document.Page` that is right about it. The truth is read, never recomputed:
for `sld synth` output it is the result-format ground truth the generator wrote beside each
drawing (`X.json` beside `X.pdf`), so a change of the box convention there reaches training
as is. For the database it is the stored result of a document a person checked
(`sld.store.load_document`); the drawing itself must still be at its stored path.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from sld.document import Document, Page
from sld.pages.page import PageImage
from sld.pages.raster import load_page, open_source
from sld.settings import Settings
from sld.store import DocumentKey, load_document, stored_documents

DRAWING_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")


class NoLabelledPagesError(ValueError):
    """The sources named hold nothing to learn from; the message says why."""


@dataclass(frozen=True)
class LabelledPage:
    """A rasterised page and the truth about it, in points."""

    image: PageImage
    truth: Page


def ground_truth_pairs(folder: Path) -> list[tuple[Path, Path]]:
    """(drawing, ground truth) pairs of a `sld synth` folder: `X.pdf` with `X.json` beside it."""
    if not folder.is_dir():
        raise NoLabelledPagesError(f"{folder}: no such folder")
    pairs = []
    for drawing in sorted(folder.iterdir()):
        truth = drawing.with_suffix(".json")
        if drawing.suffix.lower() in DRAWING_SUFFIXES and truth.is_file():
            pairs.append((drawing, truth))
    if not pairs:
        raise NoLabelledPagesError(
            f"{folder}: no drawing with its ground truth beside it (X.pdf with X.json, as "
            "`sld synth` writes them)"
        )
    return pairs


def _pages(drawing: Path, truth: Document, settings: Settings) -> Iterator[LabelledPage]:
    source = open_source(drawing)
    if source.page_count != len(truth.pages):
        raise NoLabelledPagesError(
            f"{drawing} has {source.page_count} page(s) but its truth {len(truth.pages)}"
        )
    for page in truth.pages:
        yield LabelledPage(load_page(source, page.index, settings), page)


def pages_from_folder(folder: Path, settings: Settings) -> Iterator[LabelledPage]:
    """Every page of every drawing in `folder` that has its ground truth beside it."""
    for drawing, truth in ground_truth_pairs(folder):
        yield from _pages(drawing, Document.read(truth), settings)


def reviewed_document_ids(engine: Engine) -> list[int]:
    """Ids of the stored documents whose stored result a person reviewed (`sld corrections
    apply` sets `documents.reviewed_at`; digitising the file again clears it).

    Raises `NoLabelledPagesError` when there is none: then the documents to learn from must be
    reviewed first, or named.
    """
    reviewed = stored_documents(engine, reviewed_only=True)
    if not reviewed:
        raise NoLabelledPagesError(
            "no document in this database has been reviewed (documents.reviewed_at is unset "
            "everywhere): review one (sld report, then sld corrections apply), or name the "
            "checked documents with --document ID_OR_PATH"
        )
    return reviewed


def pages_from_database(
    engine: Engine, keys: Sequence[DocumentKey], settings: Settings
) -> Iterator[LabelledPage]:
    """The pages of the stored documents `keys` (ids or source paths), with the stored result
    as their truth."""
    for key in keys:
        document = load_document(engine, key)
        yield from _pages(Path(document.source.path), document, settings)

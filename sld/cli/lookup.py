"""Finding a digitised drawing again from what a user types, whatever folder they are in.

A result records its drawing's resolved absolute path (results made before that record the path
as it was typed, often relative to a folder the user has since left) and the drawing's SHA-256.
The lookups try what the user typed, then the same file by resolved path, then by content:

- `find_drawing`: the drawing of a result JSON (`sld render`): the recorded path (a relative one
  from the current folder, else from the result's folder and each folder above it); then, for a
  project folder moved or copied as a whole, the recorded path's last parts below the result's
  folder and each folder above it; every candidate checked by content hash.
- `find_document_id`: a stored document (`sld graph export`): by id, by the path as stored, by
  the resolved path, then by the SHA-256 of the file the user names.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from sld.cli.errors import UserError
from sld.document import Document


def _same_content(path: Path, sha256: str) -> bool:
    from sld.pages.raster import file_sha256

    try:
        return path.is_file() and file_sha256(path) == sha256
    except OSError:
        return False


def find_drawing(result_path: Path, document: Document) -> Path:
    """The drawing that `document` (read from `result_path`) was made from; `UserError` when it
    is nowhere to be found with the same content."""
    recorded = Path(document.source.path)
    folder = result_path.resolve().parent
    bases = (folder, *folder.parents)
    if recorded.is_absolute():
        named = [recorded]
        tails = [Path(*recorded.parts[start:]) for start in range(len(recorded.parts) - 1, 0, -1)]
        moved = [base / tail for base in bases for tail in tails]
    else:
        named = [recorded, *(base / recorded for base in bases)]
        moved = []
    for candidate in dict.fromkeys([*named, *moved]):
        if _same_content(candidate, document.source.sha256):
            return candidate
    changed = [str(c) for c in named if c.is_file()]
    why = f" ({changed[0]} has changed since)" if changed else ""
    raise UserError(
        f"{result_path}: cannot find the drawing it was made from, {recorded}, from "
        f"{Path.cwd()} or from the result's folder{why}. Give the drawing with --source FILE"
    )


def find_document_id(engine: Engine, typed: str) -> int:
    """The id of the stored document that `typed` names: an id, or any path to the same file."""
    from sld.pages.raster import file_sha256
    from sld.store import stored_sources

    if typed.isdigit():
        return int(typed)
    stored = stored_sources(engine)
    for document in stored:
        if document.path == typed:
            return document.id
    wanted = Path(typed).resolve()
    for document in stored:
        if Path(document.path).resolve() == wanted:
            return document.id
    if wanted.is_file():
        sha256 = file_sha256(wanted)
        for document in stored:
            if document.sha256 == sha256:
                return document.id
        reason = "its content matches no stored document"
    else:
        reason = "no stored document has that path, and there is no such file here"
    raise UserError(
        f"{typed}: {reason}. Digitise it first, or list what is stored with "
        '`sld query "SELECT id, path FROM documents"` and give the id'
    )

"""`generate_set`: synthetic single-line diagrams with exact ground truth, written to a folder."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sld.document import Document
from sld.synth.frame import pick_project, random_title
from sld.synth.labels import Standard
from sld.synth.model import Sheet
from sld.synth.render import render_pdf
from sld.synth.scan import scan_pages
from sld.synth.sheet import SheetRequest, build_sheet, pick_page
from sld.synth.symbols import house_style
from sld.synth.topology import OffPageLinks
from sld.synth.truth import document, graph_json

STYLES = ("iec", "ansi", "mixed")


@dataclass(frozen=True)
class Generated:
    """One generated drawing in memory: its sheets, the vector PDF and its ground truth."""

    sheets: list[Sheet]
    pdf: bytes
    truth: Document


def make_sheets(
    seed: int, number: int, style: str = "mixed", pages: int = 1, house: int | None = None
) -> list[Sheet]:
    """The sheets of drawing `number` of the set `seed`; every page its own diagram.

    `house`: draw every symbol type one way, that of house style `house` (`house_style`).
    """
    if style not in STYLES:
        raise ValueError(f"style must be one of {STYLES}, got {style!r}")
    if pages < 1:
        raise ValueError("pages must be at least 1")
    rng = random.Random(f"sld.synth/{seed}/{number}")
    standard: Standard = rng.choice(["iec", "ansi"]) if style == "mixed" else style  # type: ignore[assignment]
    _, page = pick_page(rng)
    project, company = pick_project(rng)
    series = rng.choice(["E-", "E", "EL-", "E-0"])
    first = rng.choice([1, 2, 3, 5]) * 100 + 1
    drawings = [f"{series}{first + k}" for k in range(pages)]
    symbols = None if house is None else house_style(house, standard)
    sheets: list[Sheet] = []
    for k in range(pages):
        title = random_title(rng, drawings[k], k + 1, pages, project, company)
        links = OffPageLinks(
            from_drawing=drawings[k - 1] if k else None,
            from_text=rng.choice([f"FROM DWG {drawings[k - 1]}", f"FROM SHEET {k}"]) if k else None,
            to_drawing=drawings[k + 1] if k + 1 < pages else None,
            to_text=(
                rng.choice(
                    [
                        f"TO DWG {drawings[k + 1]}",
                        f"TO SHEET {k + 2}",
                        f"CONT. ON {drawings[k + 1]}",
                    ]
                )
                if k + 1 < pages
                else None
            ),
        )
        sheets.append(build_sheet(rng, SheetRequest(k, standard, page, title, links, symbols)))
    return sheets


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def generate_set(
    out_dir: Path,
    count: int,
    seed: int,
    *,
    style: str = "mixed",
    scans: bool = True,
    pages: int = 1,
    house: int | None = None,
) -> list[Path]:
    """Write `count` synthetic drawings with ground truth to `out_dir`; return the PDF paths.

    For each i: `sld-{seed}-{i:03d}.pdf` (vector, text layer), `.json` (the ground-truth
    `Document`), `.graph.json` (the full graph, node-link form) and, when `scans`, the same three
    for `sld-{seed}-{i:03d}-scan` (a raster-only PDF). Same arguments, same bytes. With `house`,
    every drawing draws each symbol type one way (one drawing office's set); without, each symbol
    picks its own drawing.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for number in range(count):
        stem = f"sld-{seed}-{number:03d}"
        sheets = make_sheets(seed, number, style, pages, house)
        pdf = render_pdf(sheets, f"Single line diagram {stem}")
        pdf_path = out_dir / f"{stem}.pdf"
        pdf_path.write_bytes(pdf)
        document(sheets, pdf_path.name, _sha256(pdf)).write(out_dir / f"{stem}.json")
        _write_json(out_dir / f"{stem}.graph.json", graph_json(sheets))
        written.append(pdf_path)
        if scans:
            scan_rng = np.random.default_rng([seed, number])
            scan, rotations, _ = scan_pages(pdf, scan_rng)
            scan_path = out_dir / f"{stem}-scan.pdf"
            scan_path.write_bytes(scan)
            box_maps = [r.box for r in rotations]
            point_maps = [r.point for r in rotations]
            document(sheets, scan_path.name, _sha256(scan), box_maps).write(
                out_dir / f"{stem}-scan.json"
            )
            _write_json(
                out_dir / f"{stem}-scan.graph.json", graph_json(sheets, box_maps, point_maps)
            )
    return written

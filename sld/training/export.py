"""`sld train export`: labelled pages in, Rex-Omni training files out.

The pages are rasterised with the run's settings (DPI, tile size and overlap, phrases), and
those settings are written to `export.json` beside the TSV files: a model trained on these
tiles should be run with the same ones. The same seed gives the same files.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sld.settings import Settings
from sld.training.samples import Task
from sld.training.sources import LabelledPage, NoLabelledPagesError
from sld.training.tasks import TaskMix, page_samples
from sld.training.tsv import TsvWriter

MANIFEST_FILE = "export.json"

#: Called after each page with (pages done, samples written so far).
Progress = Callable[[int, int], None]


def export_samples(
    pages: Iterable[LabelledPage],
    out: Path,
    settings: Settings,
    mix: TaskMix,
    *,
    seed: int = 0,
    sources: list[str] | None = None,
    on_page: Progress | None = None,
) -> dict[Task, int]:
    """Write the samples of `pages` to `out`; returns the number of samples per task."""
    rng = random.Random(seed)
    pages_done = 0
    with TsvWriter(out) as writer:
        for page in pages:
            for sample in page_samples(page, settings, mix, rng):
                writer.write(sample)
            pages_done += 1
            if on_page is not None:
                on_page(pages_done, sum(writer.counts.values()))
        counts = dict(writer.counts)
    if not pages_done:
        raise NoLabelledPagesError("no labelled pages to export")
    manifest: dict[str, Any] = {
        "samples": counts,
        "pages": pages_done,
        "seed": seed,
        "sources": sources or [],
        "settings": {
            "dpi": settings.dpi,
            "tile_size": settings.tile_size,
            "tile_overlap": settings.tile_overlap,
            "rexomni_max_pixels": settings.rexomni_max_pixels,
            "rexomni_phrases": dict(mix.phrases),
        },
        "mix": {key: value for key, value in asdict(mix).items() if key != "phrases"},
    }
    (out / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return counts

"""Set-level labelling: the devices no exemplar explains, grouped by shape across a set.

"Show one breaker, find all breakers", for a whole set of drawings: `sld symbols suggest`
digitises the set's pages as detection does, keeps the candidates that came out as `symbol`
(devices the library does not explain), and groups them by shape: two candidates are drawn the
same way when their canonical strokes agree (`classify.ShapeIndex`, the same comparison that
names candidates, so a group is exactly what one exemplar cut from it will find), in any
quarter turn and mirrored. Each group keeps where its members are and the member most like the
others as its example; `sld symbols add TYPE --group ID` cuts that example into the library.
Naming the few largest groups labels most of a set.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from sld.pages.ink import Binary
from sld.pages.raster import load_page, open_source
from sld.settings import Settings
from sld.symbols.classify import group_by_shape

GROUPS_FILE = "groups.json"


@dataclass(frozen=True)
class Sighting:
    """One unexplained device: which drawing, page (from 1), tight box in points, score."""

    source: str
    page: int
    box: tuple[float, float, float, float]
    score: float


@dataclass
class SymbolGroup:
    """Devices drawn the same way; `example` indexes the member most like the others."""

    id: int
    members: list[Sighting]
    example: int = 0

    @property
    def count(self) -> int:
        return len(self.members)


def unexplained(paths: list[Path], settings: Settings) -> list[tuple[Sighting, Binary]]:
    """The devices of type `symbol` on every page of the drawings, with their strokes."""
    from sld.document import UNCLASSIFIED
    from sld.symbols.detectors import detector_for
    from sld.symbols.detectors.template import TemplateDetector
    from sld.text.engines import text_reader_for

    detector = detector_for(settings.model_copy(update={"detector": "template"}))
    assert isinstance(detector, TemplateDetector)
    found: list[tuple[Sighting, Binary]] = []
    for path in paths:
        source = open_source(path)
        for index in range(source.page_count):
            page = load_page(source, index, settings)
            texts = text_reader_for(settings).read(page)
            labels = [str(label) for label in texts.labels]
            for seen in detector.examine(page.image, texts.boxes * page.scale, labels, page.dpi):
                if seen.placement is None or seen.placement.type != UNCLASSIFIED:
                    continue
                box = tuple(round(value / page.scale, 2) for value in seen.box)
                sighting = Sighting(str(path), index + 1, box, round(seen.placement.score, 3))  # type: ignore[arg-type]
                found.append((sighting, seen.crop))
    return found


def group_sightings(found: list[tuple[Sighting, Binary]]) -> list[SymbolGroup]:
    """The sightings grouped by shape (`classify.group_by_shape`), largest groups first,
    numbered from 1."""
    groups = [
        SymbolGroup(id=number, members=[found[i][0] for i in members])
        for number, members in enumerate(group_by_shape([mask for _, mask in found]), 1)
    ]
    return groups


def write_groups(groups: list[SymbolGroup], folder: Path, settings: Settings) -> Path:
    """`groups.json` and one example crop PNG per group into `folder`; the JSON's path."""
    folder.mkdir(parents=True, exist_ok=True)
    records = []
    for group in groups:
        example = group.members[group.example]
        crop = folder / f"group-{group.id:03d}.png"
        _save_crop(example, crop, settings)
        records.append(
            {
                "id": group.id,
                "count": group.count,
                "example": asdict(example),
                "crop": crop.name,
                "members": [asdict(member) for member in group.members],
            }
        )
    path = folder / GROUPS_FILE
    path.write_text(json.dumps({"groups": records}, indent=1) + "\n", encoding="utf-8")
    return path


def _save_crop(sighting: Sighting, path: Path, settings: Settings) -> None:
    """The example as the page shows it, with a margin of a third of its size."""
    page = load_page(open_source(Path(sighting.source)), sighting.page - 1, settings)
    x0, y0, x1, y1 = sighting.box
    margin = max(x1 - x0, y1 - y0) / 3
    scale = page.scale
    height, width = page.image.shape
    left, top = max(0, int((x0 - margin) * scale)), max(0, int((y0 - margin) * scale))
    right = min(width, int(np.ceil((x1 + margin) * scale)))
    bottom = min(height, int(np.ceil((y1 + margin) * scale)))
    Image.fromarray(page.image[top:bottom, left:right]).save(path)


def read_group(path: Path, group_id: int) -> Sighting:
    """The example of group `group_id` in a `groups.json` written by `write_groups`."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for record in data["groups"]:
        if record["id"] == group_id:
            example = record["example"]
            return Sighting(
                example["source"], int(example["page"]), tuple(example["box"]), example["score"]
            )
    known = ", ".join(str(r["id"]) for r in data["groups"]) or "none"
    raise ValueError(f"{path} has no group {group_id} (groups: {known})")

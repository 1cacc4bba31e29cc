"""The reference-symbol library: exemplar images with what they show, read from folders.

A library is a folder with one sub-folder per component type; each exemplar is a PNG (grey,
cropped to the symbol's tight box as the result format draws it: the body's strokes, no leads)
and a JSON file of the same name with its metadata (`ExemplarInfo`). `thresholds.json`
at the top holds the score threshold of each type, chosen on calibration drawings
(`sld symbols calibrate`). Exemplars of the type `not_a_symbol` show what must not be taken
for a symbol.

Two folders take part in a run: the built-in library (`models/symbols/` of the source tree,
or `Settings.symbol_builtin_library`) and, when `Settings.symbol_library` is set, the user's
own folder. `sld symbols add` writes into the user's folder when there is one, else into the
built-in one. Nothing is cached across runs: an exemplar added now takes part in the next run.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image
from pydantic import BaseModel, ConfigDict, Field

from sld.settings import Settings

#: The built-in library, at the root of the source tree (the project is installed editable).
BUILTIN_LIBRARY = Path(__file__).resolve().parents[2] / "models" / "symbols"
THRESHOLDS_FILE = "thresholds.json"
#: The threshold of a type that calibration has not seen (a user's own type).
DEFAULT_THRESHOLD = 0.85
#: Exemplars of this type are look-alikes that are not components (a wire's break mark, a
#: dimension arrow): matched like the others, so that they win their places, never reported.
NOT_A_SYMBOL = "not_a_symbol"

_NAME = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")


class ExemplarInfo(BaseModel):
    """What an exemplar shows and where it came from: the JSON file beside its image."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(description="Component type, snake_case (circuit_breaker, motor, ...)")
    standard: str = Field(description="Drawing standard: iec, ansi, or free text (e.g. user)")
    variant: str = Field(description="Which drawing of the type, e.g. square, drawout, coils")
    source: str = Field(description="Where the image came from (file and page, or generator)")
    licence: str = Field(description="Licence of the image")
    dpi: float = Field(gt=0, description="Pixels per inch of the image")
    drawing_scale: float | None = Field(
        default=None, description="Scale of the symbol on its drawing, when known (synthetic)"
    )
    unit_pt: float | None = Field(
        default=None,
        description="The lettering unit (points) of the drawing it was cut from, when known: a "
        "symbol drawn at another size relative to its drawing's lettering is another symbol",
    )
    terminals: list[tuple[float, float]] = Field(
        default_factory=list,
        description="Where conductors attach, in image pixels on the image border (the sides "
        "of the tight box where the leads were)",
    )
    rotatable: bool = Field(
        default=True, description="May appear turned by quarter turns or mirrored on a drawing"
    )
    letters: str = Field(
        default="",
        description="The letters drawn inside that tell the type from its look-alikes (the M of "
        "a motor): such an exemplar names only candidates whose inside reads them",
    )
    image: str = Field(description="File name of the PNG beside this JSON file")


@dataclass(frozen=True)
class Exemplar:
    """One reference symbol: its grey image (255 = paper) and its metadata."""

    name: str
    info: ExemplarInfo
    image: NDArray[np.uint8]
    folder: Path

    @property
    def type(self) -> str:
        return self.info.type

    @property
    def size_pt(self) -> tuple[float, float]:
        """Width and height of the symbol on its drawing, in points."""
        height, width = self.image.shape
        return width * 72.0 / self.info.dpi, height * 72.0 / self.info.dpi


def builtin_folder(settings: Settings) -> Path:
    return settings.symbol_builtin_library or BUILTIN_LIBRARY


def library_folders(settings: Settings) -> list[Path]:
    """The folders a run reads: the built-in library, then the user's folder if set."""
    folders = [builtin_folder(settings)]
    if settings.symbol_library is not None:
        folders.append(settings.symbol_library)
    return folders


def target_folder(settings: Settings) -> Path:
    """Where `sld symbols add` writes: the user's folder if set, else the built-in library."""
    return settings.symbol_library or builtin_folder(settings)


def load_folder(folder: Path) -> list[Exemplar]:
    """Every exemplar in a library folder, in name order. A missing folder holds none."""
    exemplars = []
    for meta_path in sorted(folder.glob("*/*.json")):
        info = ExemplarInfo.model_validate_json(meta_path.read_text(encoding="utf-8"))
        with Image.open(meta_path.parent / info.image) as opened:
            image = np.array(opened.convert("L"), dtype=np.uint8)
        exemplars.append(Exemplar(name=meta_path.stem, info=info, image=image, folder=folder))
    return exemplars


def load_library(settings: Settings) -> list[Exemplar]:
    """The exemplars of every folder that takes part in a run."""
    return [exemplar for folder in library_folders(settings) for exemplar in load_folder(folder)]


def library_signature(settings: Settings) -> tuple[tuple[str, int], ...]:
    """Names and modification times of the library's files: changes when an exemplar is added."""
    entries = []
    for folder in library_folders(settings):
        for path in sorted(folder.glob("*/*.json")) + sorted(folder.glob(THRESHOLDS_FILE)):
            entries.append((str(path), path.stat().st_mtime_ns))
    return tuple(entries)


def load_thresholds(settings: Settings) -> dict[str, float]:
    """Score threshold per type: the user's folder overrides the built-in one."""
    chosen: dict[str, float] = {}
    for folder in library_folders(settings):
        path = folder / THRESHOLDS_FILE
        if path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
            chosen.update({str(k): float(v) for k, v in data["thresholds"].items()})
    return chosen


def threshold_for(component_type: str, thresholds: dict[str, float], settings: Settings) -> float:
    if settings.symbol_threshold is not None:
        return settings.symbol_threshold
    return thresholds.get(component_type, DEFAULT_THRESHOLD)


def save_thresholds(folder: Path, thresholds: dict[str, float], about: dict[str, object]) -> Path:
    """Write `thresholds.json`: the values and how they were chosen."""
    path = folder / THRESHOLDS_FILE
    folder.mkdir(parents=True, exist_ok=True)
    data = {"about": about, "thresholds": {k: round(v, 4) for k, v in sorted(thresholds.items())}}
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return path


def free_name(folder: Path, component_type: str, stem: str) -> str:
    """`stem`, or `stem-2`, `stem-3`, ... whichever is not yet taken in the type's folder."""
    stem = re.sub(r"[^a-z0-9_\-]+", "-", stem.lower()).strip("-") or "exemplar"
    name, number = stem, 1
    while (folder / component_type / f"{name}.json").exists():
        number += 1
        name = f"{stem}-{number}"
    return name


class DuplicateExemplarError(ValueError):
    """The exemplar to add is already in the library, pixel for pixel."""


def same_exemplar(folder: Path, component_type: str, image: NDArray[np.uint8]) -> Path | None:
    """The JSON file of an exemplar of `component_type` in `folder` with exactly this image."""
    for meta_path in sorted((folder / component_type).glob("*.json")):
        info = ExemplarInfo.model_validate_json(meta_path.read_text(encoding="utf-8"))
        with Image.open(meta_path.parent / info.image) as opened:
            existing = np.asarray(opened.convert("L"), dtype=np.uint8)
        if existing.shape == image.shape and np.array_equal(existing, image):
            return meta_path
    return None


def save_exemplar(folder: Path, name: str, info: ExemplarInfo, image: NDArray[np.uint8]) -> Path:
    """Write the exemplar's PNG and JSON into `folder/<type>/`; returns the JSON path."""
    if not _NAME.match(info.type):
        raise ValueError(f"type must be snake_case letters and digits, got {info.type!r}")
    if not _NAME.match(name):
        raise ValueError(f"exemplar name must be lower-case letters, digits, - and _: {name!r}")
    type_folder = folder / info.type
    type_folder.mkdir(parents=True, exist_ok=True)
    image_name = f"{name}.png"
    Image.fromarray(image).save(type_folder / image_name, optimize=True)
    info = info.model_copy(update={"image": image_name})
    meta_path = type_folder / f"{name}.json"
    meta_path.write_text(info.model_dump_json(indent=1) + "\n", encoding="utf-8")
    return meta_path


def add_from_drawing(
    settings: Settings,
    component_type: str,
    source: Path,
    page_number: int,
    bbox_pt: tuple[float, float, float, float],
    *,
    standard: str = "user",
    variant: str = "",
    name: str | None = None,
    rotatable: bool = True,
    letters: str = "",
    licence: str = "the drawing's owner",
) -> Path:
    """Cut `bbox_pt` (points) out of page `page_number` (from 1) of a drawing and save it as an
    exemplar of `component_type` in the library `sld symbols add` writes to. Returns its JSON.

    Raises `DuplicateExemplarError` when the library holds the same image already (the same
    box cut from the same page again), so that an exemplar is never counted twice."""
    from sld.pages.raster import load_page, open_source
    from sld.symbols.crop import cut_exemplar
    from sld.text.engines import text_reader_for

    opened = open_source(source)
    if not 1 <= page_number <= opened.page_count:
        raise ValueError(
            f"{source} has {opened.page_count} page(s); there is no page {page_number}"
        )
    page = load_page(opened, page_number - 1, settings)
    crop = cut_exemplar(page, bbox_pt, text_reader_for(settings).read(page))
    folder = target_folder(settings)
    existing = same_exemplar(folder, component_type, crop.image)
    if existing is not None:
        raise DuplicateExemplarError(
            f"this {component_type} exemplar is already in the library as {existing}; nothing "
            "was added (delete that .json and its .png first to cut it again)"
        )
    stem = name or f"{source.stem}-p{page_number}"
    box = ",".join(f"{value:g}" for value in bbox_pt)
    tight = ",".join(f"{value:.1f}" for value in crop.box_pt)
    info = ExemplarInfo(
        type=component_type,
        standard=standard,
        variant=variant or "user",
        source=(
            f"{source.name}, page {page_number}, box {box} pt, cut to {tight} pt (sld symbols add)"
        ),
        licence=licence,
        dpi=crop.dpi,
        unit_pt=None if crop.unit_pt is None else round(crop.unit_pt, 3),
        terminals=[(round(x, 2), round(y, 2)) for x, y in crop.terminals],
        rotatable=rotatable,
        letters=letters,
        image="",
    )
    saved = save_exemplar(folder, free_name(folder, component_type, stem), info, crop.image)
    if crop.pole is not None:
        # One pole of a multi-pole device too: the same type drawn with fewer poles.
        pole_info = info.model_copy(
            update={
                "source": info.source + "; one of its poles",
                "terminals": [(round(x, 2), round(y, 2)) for x, y in crop.pole.terminals],
            }
        )
        pole_name = free_name(folder, component_type, f"{saved.stem}-pole")
        save_exemplar(folder, pole_name, pole_info, crop.pole.image)
    return saved

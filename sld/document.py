"""The document result (schema_version 1): what every stage produces and every consumer reads.

The shape is fixed by the project's result-format spec. These models are the one definition of it:
the JSON files, the JSON Schema in `schemas/`, the database rows and the evaluation all derive from
them. Coordinates are PDF points on the displayed page, origin top-left, y downwards.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_serializer
from pydantic.json_schema import SkipJsonSchema

SCHEMA_VERSION: Literal[1] = 1

#: The type of a device that no exemplar explains (the result format allows it).
UNCLASSIFIED = "symbol"

#: The component types the evaluation scores. The symbol library may define more (snake_case).
CORE_TYPES: tuple[str, ...] = (
    "transformer",
    "circuit_breaker",
    "disconnect_switch",
    "fuse",
    "motor",
    "generator",
)

BBox = Annotated[
    tuple[float, float, float, float],
    Field(description="[x0, y0, x1, y1] in PDF points, top-left origin, x0 < x1, y0 < y1"),
]


def _check_bbox(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = box
    if not (x0 < x1 and y0 < y1):
        raise ValueError(f"bbox must satisfy x0 < x1 and y0 < y1, got {list(box)}")
    return box


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Ratings(_Model):
    """Normalised ratings parsed from a component's labels; SI base units unless the key says."""

    voltage_v: list[float] | SkipJsonSchema[None] = Field(
        default=None, description="Voltages in volts, primary first"
    )
    current_a: float | SkipJsonSchema[None] = None
    power_kva: float | SkipJsonSchema[None] = None
    power_kw: float | SkipJsonSchema[None] = None
    power_hp: float | SkipJsonSchema[None] = None
    impedance_pct: float | SkipJsonSchema[None] = None
    frequency_hz: float | SkipJsonSchema[None] = None
    poles: int | SkipJsonSchema[None] = None
    phases: int | SkipJsonSchema[None] = None

    @model_serializer(mode="wrap")
    def _drop_unknown(self, handler: Any) -> dict[str, Any]:
        """Absent keys mean unknown: never write a null rating."""
        data: dict[str, Any] = handler(self)
        return {key: value for key, value in data.items() if value is not None}

    def is_empty(self) -> bool:
        return not self.model_dump()


class Component(_Model):
    id: str = Field(description="Unique within the document, e.g. 'p0-c3'")
    type: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    bbox: BBox
    score: float = Field(ge=0.0, le=1.0)
    name: str | None = Field(default=None, description="Designation read from its label")
    ratings: Ratings = Field(default_factory=Ratings)

    _bbox_order = field_validator("bbox")(_check_bbox)


class Text(_Model):
    id: str = Field(description="Unique within the document, e.g. 'p0-t7'")
    text: str
    bbox: BBox
    score: float = Field(ge=0.0, le=1.0)
    component_id: str | None = None

    _bbox_order = field_validator("bbox")(_check_bbox)


class Page(_Model):
    index: int = Field(ge=0)
    width: float = Field(gt=0, description="Displayed page width in points")
    height: float = Field(gt=0, description="Displayed page height in points")
    components: list[Component] = Field(default_factory=list)
    texts: list[Text] = Field(default_factory=list)
    connections: list[tuple[str, str]] = Field(
        default_factory=list, description="Unordered pairs of component ids joined by a conductor"
    )


class Source(_Model):
    path: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    page_count: int = Field(ge=0)


class Document(_Model):
    schema_version: Literal[1] = SCHEMA_VERSION
    source: Source
    pages: list[Page] = Field(default_factory=list)

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"

    def fingerprint(self) -> str:
        """The sha256 of the result's JSON: names one result of a file, so that corrections
        made on it are never applied to another (a re-digitised or already corrected one)."""
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()

    def write(self, path: Path) -> None:
        """Write atomically, so a crash never leaves half a result behind."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(self.to_json(), encoding="utf-8")
        partial.replace(path)

    @classmethod
    def read(cls, path: Path) -> Document:
        return cls.model_validate_json(path.read_text(encoding="utf-8"))


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the result, as checked in at `schemas/document.schema.json`."""
    schema = Document.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://github.com/sld-project/sld/schemas/document.schema.json"
    return schema


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"

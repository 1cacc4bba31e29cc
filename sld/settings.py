"""Typed settings: `SLD_*` environment variables, with defaults that run offline on a laptop.

Every backend choice is a setting, never a code edit. The CLI's flags override these for one run.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pydantic_settings
from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SLD_", extra="ignore")

    # Where results go.
    database_url: str = Field(
        default="sqlite:///sld.db", description="SQLAlchemy URL of the result database"
    )
    output_dir: Path = Field(default=Path("out"), description="Folder for the JSON results")

    # The drop folder (sld.inbox): when a file counts as complete, and how long a claim lasts.
    inbox_settle_s: float = Field(
        default=5.0,
        ge=0,
        description="A dropped file is taken once it has not changed (written, renamed) for this "
        "many seconds",
    )
    inbox_lease_s: float = Field(
        default=120.0,
        gt=0,
        description="A claim whose worker has not renewed it for this many seconds is taken back "
        "(its worker died); workers renew every tenth of it",
    )
    inbox_max_claims: int = Field(
        default=32,
        ge=0,
        description="Files in processing/ at most, running or waiting for a worker (0: no "
        "limit); a scan leaves the rest in the inbox for the next one, so that the Prefect "
        "server's queue stays short. Give it at least what the workers finish between two scans",
    )

    # Rasterisation.
    dpi: int = Field(default=200, ge=36, le=1200, description="Rasterisation resolution")
    max_page_pixels: int = Field(
        default=120_000_000,
        ge=1_000_000,
        description="Pixel cap per page; huge sheets are rendered at a lower DPI to stay under it",
    )
    image_dpi: float | None = Field(
        default=None,
        gt=0,
        description="DPI of image inputs (PNG/JPEG/TIFF); default: the file's own, else 200",
    )

    # Pages of one document at once.
    page_workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Pages of one document digitised at once, in threads; pays with a model "
        "server, costs a page's memory each",
    )

    # Tiling.
    tile_size: int = Field(default=1024, ge=128, description="Tile side in pixels")
    tile_overlap: int = Field(
        default=256, ge=0, description="Tile overlap in pixels; keep it above the largest symbol"
    )

    # Backends.
    detector: str = Field(default="template", description="Symbol detector backend")
    ocr: str = Field(
        default="auto",
        description="Text engine: auto (PDF text layer, else rapidocr), pdf-text, rapidocr, none",
    )
    symbol_library: Path | None = Field(
        default=None, description="A user's own folder of reference symbols, used with the built-in"
    )

    # Merging.
    nms_iou: float = Field(default=0.5, gt=0, le=1, description="IoU above which boxes merge")
    partial_containment: float = Field(
        default=0.8,
        gt=0,
        le=1,
        description="A box this much inside a larger same-type box is a tile-border fragment",
    )

    # Zero-shot model backends: rex-omni (in process), rex-omni-server (vLLM), grounding-dino.
    rexomni_model: str = Field(
        default="IDEA-Research/Rex-Omni",
        description="Rex-Omni checkpoint: a Hugging Face hub id or a local folder",
    )
    rexomni_device: str = Field(
        default="auto",
        description="torch device of rex-omni and grounding-dino: auto, cpu, cuda, cuda:1, ...",
    )
    rexomni_batch_size: int = Field(default=4, ge=1, description="Tiles per generate() call")
    rexomni_max_new_tokens: int = Field(
        default=1024, ge=16, description="Cap on tokens generated per tile (stops runaway boxes)"
    )
    rexomni_max_pixels: int = Field(
        default=2560 * 28 * 28,
        ge=16 * 28 * 28,
        description="Pixel budget of one model image (upstream: 2560 x 28 x 28)",
    )
    rexomni_mode: str = Field(
        default="text",
        pattern="^(text|visual)$",
        description="text: a phrase per symbol type; visual: reference symbols beside the tile",
    )
    rexomni_phrases: dict[str, str] = Field(
        default_factory=lambda: {
            "transformer": "transformer symbol",
            "circuit_breaker": "circuit breaker symbol",
            "disconnect_switch": "disconnect switch symbol",
            "fuse": "fuse symbol",
            "motor": "motor symbol",
            "generator": "generator symbol",
        },
        description="Component type -> phrase for the zero-shot detectors (JSON in the env)",
    )
    rexomni_score: float = Field(
        default=1.0,
        gt=0,
        le=1,
        description="Score of a Rex-Omni box when the backend reports no token probabilities",
    )
    rexomni_ocr_granularity: str = Field(
        default="text line",
        pattern="^(text line|word)$",
        description="What the rex-omni text reader asks for: 'text line' or 'word'",
    )
    rexomni_server_url: str = Field(
        default="http://localhost:8000/v1",
        description="Base URL of the OpenAI-compatible server (vLLM) for rex-omni-server",
    )
    rexomni_server_model: str = Field(
        default="IDEA-Research/Rex-Omni", description="Model name the server was started with"
    )
    rexomni_server_api_key: str | None = Field(
        default=None, description="Bearer token, when the server was started with --api-key"
    )
    rexomni_server_concurrency: int = Field(
        default=4, ge=1, description="Requests in flight at once from one process"
    )
    rexomni_server_timeout_s: float = Field(
        default=120.0, gt=0, description="Time-out of one request to the server, in seconds"
    )
    rexomni_server_retries: int = Field(
        default=3, ge=0, description="Retries after a time-out, a lost connection, 429 or 5xx"
    )
    grounding_dino_model: str = Field(
        default="IDEA-Research/grounding-dino-tiny",
        description="Grounding DINO checkpoint: a hub id or a local folder",
    )
    grounding_dino_box_threshold: float = Field(
        default=0.3, gt=0, lt=1, description="Grounding DINO box score threshold"
    )
    grounding_dino_text_threshold: float = Field(
        default=0.25, gt=0, lt=1, description="Grounding DINO threshold for the label words"
    )

    # OCR tiling (the rapidocr reader): text is found on a reduced copy of each tile and read at
    # full resolution, so OCR tiles can be larger than detection tiles.
    ocr_tile_size: int = Field(default=4096, ge=256, description="OCR tile side in pixels")
    ocr_tile_overlap: int = Field(
        default=512, ge=0, description="OCR tile overlap in pixels; keep it above a label line"
    )

    # Symbol matching (the `template` detector and its reference-symbol library).
    symbol_builtin_library: Path | None = Field(
        default=None,
        description="Folder of the built-in reference symbols; default: models/symbols/ of the "
        "source tree",
    )
    symbol_threshold: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="One score threshold for every type instead of the calibrated per-type ones",
    )

    # Connectivity.
    crossings_connect: bool = Field(
        default=False,
        description="Conductors that cross without a junction dot are joined (for drawings that "
        "use that convention; by default only a dot or a tee joins)",
    )

    # Review (the report beside each result, `sld report`).
    report: bool = Field(
        default=True,
        description="Write the review page (<name>.report.html) beside each JSON result",
    )
    report_dpi: int = Field(
        default=150, ge=36, le=600, description="Resolution of the drawing in the review page"
    )
    review_low_score: float = Field(
        default=0.8,
        ge=0,
        le=1,
        description="Components scored below this are marked 'check first' on the review page",
    )


class SettingsError(ValueError):
    """A setting whose value cannot be used; the message names the variable (or the command-line
    value) and says why, in one line, so the command line can print it as it is."""


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with the non-None `overrides` (CLI flags) on top.

    Raises `SettingsError` with one line per bad value instead of pydantic's report, which
    spans many lines and names fields, not the `SLD_*` variables a user sets.
    """
    chosen = {key: value for key, value in overrides.items() if value is not None}
    try:
        return Settings(**chosen)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = [_explain(problem, chosen) for problem in error.errors()]
        raise SettingsError(
            "; ".join(problems) + ". `sld settings` lists what each one takes"
        ) from None
    except pydantic_settings.SettingsError as error:
        # Raised for a value that must be JSON (a dict or list setting) and is not.
        field = re.search(r'field "(\w+)"', str(error))
        name = f"SLD_{field.group(1).upper()}" if field else "an SLD_* variable"
        raise SettingsError(f"{name} is not valid JSON ({error.__cause__ or error})") from None


def _explain(problem: Any, chosen: dict[str, object]) -> str:
    """One pydantic error as `SLD_DPI=10: Input should be ...`."""
    field = str(problem["loc"][0]) if problem["loc"] else ""
    value = problem.get("input")
    if field in chosen:
        return f"{value!r} given for {field.replace('_', ' ')}: {problem['msg']}"
    return f"SLD_{field.upper()}={value}: {problem['msg']}"

"""Typed settings: `SLD_*` environment variables, with defaults that run offline on a laptop.

Every backend choice is a setting, never a code edit. The CLI's flags override these for one run.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SLD_", extra="ignore")

    # Where results go.
    database_url: str = Field(
        default="sqlite:///sld.db", description="SQLAlchemy URL of the result database"
    )
    output_dir: Path = Field(default=Path("out"), description="Folder for the JSON results")

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

    # Connectivity.
    crossings_connect: bool = Field(
        default=False,
        description="Conductors that cross without a junction dot are joined (for drawings that "
        "use that convention; by default only a dot or a tee joins)",
    )


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with the non-None `overrides` (CLI flags) on top."""
    chosen = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**chosen)  # type: ignore[arg-type]

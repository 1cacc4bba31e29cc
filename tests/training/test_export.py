"""`sld train export`: tiles as inference cuts and asks them, written in upstream's TSV layout."""

from __future__ import annotations

import base64
import io
import json
import random
from pathlib import Path

import numpy as np
from PIL import Image

from sld.document import Document
from sld.pages.tiling import make_tiles
from sld.rexomni.prompts import VISUAL_PROMPT_KEY, detection_prompt, ocr_box_prompt
from sld.rexomni.visual import STRIP_MARGIN
from sld.settings import Settings
from sld.symbols.detectors.rexomni import text_query
from sld.training.export import MANIFEST_FILE, export_samples
from sld.training.sources import pages_from_folder
from sld.training.tasks import TaskMix, page_samples
from sld.training.tsv import TsvSamples


def _written(folder: Path, settings: Settings, seed: int) -> list:  # type: ignore[type-arg]
    mix = TaskMix(phrases=settings.rexomni_phrases)
    rng = random.Random(seed)
    return [
        s
        for page in pages_from_folder(folder, settings)
        for s in page_samples(page, settings, mix, rng)
    ]


def test_reading_back_gives_the_images_prompts_and_boxes_that_went_in(
    synth_folder: Path, exported: Path, settings: Settings
) -> None:
    written = _written(synth_folder, settings, seed=3)
    read = list(TsvSamples(exported))
    by_task = sorted(written, key=lambda s: ["detection", "visual_prompting", "ocr"].index(s.task))
    assert len(read) == len(written) > 0
    for before, after in zip(by_task, read, strict=True):
        assert after.task == before.task and after.origin == before.origin
        assert after.prompt == before.prompt
        assert after.targets == before.targets
        assert after.answer == before.answer
        assert np.array_equal(np.asarray(after.image), np.asarray(before.image))
    assert {s.task for s in read} == {"detection", "visual_prompting", "ocr"}


def test_files_follow_upstreams_reader_field_by_field(exported: Path) -> None:
    """Read as `GroundingTSVDataset.load_image_and_anno` reads: lineidx -> annotation -> image."""
    offsets = [
        int(line) for line in (exported / "detection.annotations.tsv.lineidx").read_text().split()
    ]
    with (
        (exported / "detection.annotations.tsv").open() as annotations,
        (exported / "images.tsv").open() as images,
    ):
        for offset in offsets:
            annotations.seek(offset)
            image_offset, row = annotations.readline().strip().split("\t")
            images.seek(int(image_offset))
            own_offset, encoded = images.readline().strip().split("\t")
            assert int(own_offset) == int(image_offset)
            image = Image.open(io.BytesIO(base64.b64decode(encoded))).convert("RGB")
            data = json.loads(row)
            assert image.size == (data["width"], data["height"])
            for entry in data["boxes"]:
                assert set(entry) == {"bbox", "phrase"}
                assert entry["bbox"] is None or (
                    len(entry["bbox"]) == 4
                    and 0 <= entry["bbox"][0] < entry["bbox"][2] <= image.width
                )


def test_detection_boxes_are_the_truth_in_tile_pixels(
    synth_folder: Path, exported: Path, settings: Settings
) -> None:
    truth = Document.read(synth_folder / "sld-41-000.json").pages[0]
    page = next(pages_from_folder(synth_folder, settings)).image
    tiles = {
        tile.index: tile for tile in make_tiles(page, settings.tile_size, settings.tile_overlap)
    }
    phrase_type = {phrase: kind for kind, phrase in settings.rexomni_phrases.items()}
    checked = 0
    for sample in TsvSamples(exported, ("detection",)):
        tile = tiles[int(sample.origin.rsplit("/", 1)[1])]
        for target in sample.targets:
            expected = []
            for component in truth.components:
                if component.type != phrase_type[target.label]:
                    continue
                x0, y0, x1, y1 = (np.asarray(component.bbox) * page.scale) - [tile.x0, tile.y0] * 2
                if x0 >= 0 and y0 >= 0 and x1 <= tile.width and y1 <= tile.height:
                    expected.append((x0, y0, x1, y1))
            inside = [
                b
                for b in target.boxes
                if b[0] > 0 and b[1] > 0 and b[2] < tile.width and b[3] < tile.height
            ]
            np.testing.assert_allclose(sorted(inside), sorted(expected), atol=0.006)
            checked += len(expected)
    assert checked > 5


def test_prompts_are_the_inference_prompts(
    exported: Path, synth_folder: Path, settings: Settings
) -> None:
    page = next(pages_from_folder(synth_folder, settings)).image
    tiles = {t.index: t for t in make_tiles(page, settings.tile_size, settings.tile_overlap)}
    phrases = list(settings.rexomni_phrases.values())
    full = 0
    for sample in TsvSamples(exported):
        tile = tiles[int(sample.origin.rsplit("/", 1)[1])]
        if sample.task == "detection":
            assert sample.prompt == detection_prompt([t.label for t in sample.targets])
            if [t.label for t in sample.targets] == phrases:
                full += 1
                query = text_query(tile.image, phrases)  # what the detector sends for this tile
                assert sample.prompt == query.prompt
                assert np.array_equal(np.asarray(sample.image), np.asarray(query.image))
            else:
                negatives = [t for t in sample.targets if not t.boxes]
                assert len(negatives) <= 3
        elif sample.task == "ocr":
            assert sample.prompt == ocr_box_prompt("text line")
            assert all(len(t.boxes) == 1 for t in sample.targets)
        else:
            # The tile on the left, the exemplar strip on the right, its boxes in the answer.
            image = np.asarray(sample.image.convert("L"))
            assert np.array_equal(image[:, : tile.width], tile.image)
            (target,) = sample.targets
            assert target.label == VISUAL_PROMPT_KEY
            in_strip = [b for b in target.boxes if b[0] >= tile.width + STRIP_MARGIN - 1]
            assert in_strip and sample.prompt.count("><") >= 3 * len(in_strip)
    assert full > 0


def test_the_same_seed_writes_the_same_files(
    tmp_path: Path, synth_folder: Path, exported: Path, settings: Settings
) -> None:
    mix = TaskMix(phrases=settings.rexomni_phrases)
    export_samples(pages_from_folder(synth_folder, settings), tmp_path, settings, mix, seed=3)
    for name in ("images.tsv", "detection.annotations.tsv", "ocr.annotations.tsv.lineidx"):
        assert (tmp_path / name).read_bytes() == (exported / name).read_bytes()
    manifest = json.loads((tmp_path / MANIFEST_FILE).read_text())
    assert manifest["settings"]["tile_size"] == settings.tile_size
    assert sum(manifest["samples"].values()) == len(TsvSamples(tmp_path))

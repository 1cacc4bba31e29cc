"""Rex-Omni's training files: an images TSV, an annotations TSV and its line index.

The layout is the one upstream's reader expects (`finetuning/dataset/tsv_dataset.py`,
`GroundingTSVDataset.load_image_and_anno`, IDEA-Research/Rex-Omni):

- `images.tsv`: one line per distinct image (the samples of one tile share it),
  `<byte offset of this line>\\t<base64 image file>`. The reader decodes any format PIL
  opens; this writer uses PNG, lossless (upstream's converter re-encodes as JPEG, which
  smears line art).
- `<task>.annotations.tsv`: one line per sample, `<byte offset of its image line>\\t<JSON>`.
- `<task>.annotations.tsv.lineidx`: one line per sample, the byte offset of its annotation
  line (the reader `seek()`s to it).

The JSON carries upstream's grounding fields, `{"boxes": [{"bbox": [x0, y0, x1, y1],
"phrase": ...}]}` in absolute pixels of the image, with `"bbox": null` for a phrase that is
absent (upstream's negatives, PR #139), so a detection file also feeds upstream's own
`GroundingTSVDataset`. Beside them it keeps what `sld` trains from: `task`, `prompt`,
`answer`, `targets` (label and boxes per answer group, in answer order), `width`, `height`,
`origin`.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from PIL import Image

from sld.training.samples import TASKS, Sample, Target, Task, rounded_box

IMAGES_FILE = "images.tsv"


def annotations_file(task: Task) -> str:
    return f"{task}.annotations.tsv"


def lineidx_file(task: Task) -> str:
    return f"{task}.annotations.tsv.lineidx"


def encode_png(image: Image.Image) -> str:
    """Base64 PNG; an RGB image whose channels are equal (a grey tile) is stored as grey,
    which is lossless and a third of the size."""
    if image.mode == "RGB":
        red, green, blue = image.split()
        if red.tobytes() == green.tobytes() == blue.tobytes():
            image = red
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=6)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def decode_image(text: str) -> Image.Image:
    """An image from its base64 text (a `b'...'` wrapper tolerated, as upstream does)."""
    if text.startswith("b'"):
        text = text[2:-1]
    with Image.open(io.BytesIO(base64.b64decode(text))) as image:
        return image.convert("RGB")


def annotation(sample: Sample) -> dict[str, Any]:
    """The JSON of one sample's annotation line."""
    boxes: list[dict[str, Any]] = []
    for target in sample.targets:
        if target.boxes:
            boxes.extend({"bbox": list(box), "phrase": target.label} for box in target.boxes)
        else:
            boxes.append({"bbox": None, "phrase": target.label})
    return {
        "boxes": boxes,
        "task": sample.task,
        "prompt": sample.prompt,
        "answer": sample.answer,
        "targets": [
            {"label": target.label, "boxes": [list(box) for box in target.boxes]}
            for target in sample.targets
        ],
        "width": sample.width,
        "height": sample.height,
        "origin": sample.origin,
    }


def sample_from(image: Image.Image, data: dict[str, Any]) -> Sample:
    """The sample an annotation line and its image describe."""
    if image.size != (data["width"], data["height"]):
        raise ValueError(
            f"image is {image.size[0]} x {image.size[1]} but its annotation says "
            f"{data['width']} x {data['height']} ({data.get('origin', '')})"
        )
    targets = tuple(
        Target(str(target["label"]), tuple(rounded_box(box) for box in target["boxes"]))
        for target in data["targets"]
    )
    sample = Sample(data["task"], image, str(data["prompt"]), targets, str(data.get("origin", "")))
    if sample.answer != data["answer"]:
        raise ValueError(f"the answer of {sample.origin} does not match its targets")
    return sample


class TsvWriter:
    """Appends samples to the three files in `folder`; use as a context manager."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self._images = (folder / IMAGES_FILE).open("wb")
        self._annotations = {task: (folder / annotations_file(task)).open("wb") for task in TASKS}
        self._lineidx = {task: (folder / lineidx_file(task)).open("wb") for task in TASKS}
        self.counts: dict[Task, int] = dict.fromkeys(TASKS, 0)
        #: Image lines already written, by content: the samples of one tile share one line.
        self._written: dict[bytes, int] = {}

    def _image_offset(self, image: Image.Image) -> int:
        key = hashlib.sha256(f"{image.mode}{image.size}".encode() + image.tobytes()).digest()
        if key not in self._written:
            self._written[key] = self._images.tell()
            self._images.write(f"{self._written[key]}\t{encode_png(image)}\n".encode("ascii"))
        return self._written[key]

    def write(self, sample: Sample) -> None:
        image_offset = self._image_offset(sample.image)
        annotations = self._annotations[sample.task]
        offset = annotations.tell()
        row = json.dumps(annotation(sample), ensure_ascii=False, separators=(",", ":"))
        annotations.write(f"{image_offset}\t{row}\n".encode())
        self._lineidx[sample.task].write(f"{offset}\n".encode("ascii"))
        self.counts[sample.task] += 1

    def close(self) -> None:
        for handle in (self._images, *self._annotations.values(), *self._lineidx.values()):
            handle.close()

    def __enter__(self) -> TsvWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


class TsvSamples:
    """The samples of an export, read by seeking as upstream's reader does (random access).

    `tasks` picks the annotation files; samples are numbered task by task.
    """

    def __init__(self, folder: Path, tasks: tuple[Task, ...] = TASKS) -> None:
        self.folder = folder
        if not (folder / IMAGES_FILE).is_file():
            raise FileNotFoundError(
                f"{folder}: no {IMAGES_FILE} (make one with `sld train export`)"
            )
        self.index: list[tuple[Task, int]] = []
        for task in tasks:
            path = folder / lineidx_file(task)
            if path.is_file():
                lines = path.read_text(encoding="ascii").split()
                self.index.extend((task, int(offset)) for offset in lines)

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, position: int) -> Sample:
        task, offset = self.index[position]
        with (self.folder / annotations_file(task)).open("rb") as annotations:
            annotations.seek(offset)
            image_field, row = annotations.readline().decode("utf-8").rstrip("\n").split("\t", 1)
        with (self.folder / IMAGES_FILE).open("rb") as images:
            images.seek(int(image_field))
            image_line = images.readline().decode("ascii").rstrip("\n")
        image = decode_image(image_line.split("\t", 1)[1])
        return sample_from(image, json.loads(row))

    def __iter__(self) -> Iterator[Sample]:
        for position in range(len(self)):
            yield self[position]

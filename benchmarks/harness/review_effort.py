"""Review effort: the fewest corrections that make a result equal to its ground truth.

What a person would have to do on the review page, counted per action. "Equal" is what
`sld.evaluate` scores as right: every ground-truth component matched by a box of its type at
IoU >= 0.5, no other box, every label linked to the component ground truth gives it, every
designation as ground truth has it.

- Components are paired ignoring type, by an exact maximum-weight matching over pairs of boxes
  that overlap. A pair costs a `retype` when the types differ and a `move` when the IoU is below
  0.5; an unpaired box costs a `delete`, an unpaired ground-truth component an `add`. A pair is
  only allowed when it costs less than deleting one box and adding the other (2), and the
  matching maximises what pairing saves, so the count is the minimum.
- Labels: each ground-truth text is paired with the text read at its place (co-located, as the
  evaluation pairs them). Where the component it belongs to is not the one ground truth names
  (through the pairing above, or the box added for it), that is a `relink`; so is a text read
  where ground truth has none that is linked to something. Ground-truth texts that were never
  read cannot be fixed by these corrections: they are counted apart (`unread`), not as effort.
- Names: the corrections so far are applied with the real `apply_corrections` (a relinked label
  names its component by itself); each designation still wrong after that is a `rename`.

The corrections come out as a `CorrectionsFile`, exactly what the review page downloads, so a
benchmark can apply them with `sld corrections apply --learn` as a person would.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import networkx as nx
import numpy as np

from sld.document import Component, Document, Page
from sld.evaluate import IOU_THRESHOLD, co_located, match_pairs, normalise_text
from sld.geometry import as_boxes, iou_matrix
from sld.review.corrections import CorrectionsFile, apply_corrections

ACTIONS: tuple[str, ...] = ("delete", "add", "retype", "move", "relink", "rename")
#: When the made-up corrections are said to have been made.
WHEN = datetime(2026, 12, 1, tzinfo=UTC)


@dataclass
class Effort:
    """Corrections by action, the ground-truth items they are counted against, and the labels
    no correction can bring back."""

    corrections: Counter[str] = field(default_factory=Counter)
    items: int = 0
    unread: int = 0

    def __add__(self, other: Effort) -> Effort:
        return Effort(
            self.corrections + other.corrections,
            self.items + other.items,
            self.unread + other.unread,
        )

    @property
    def total(self) -> int:
        return sum(self.corrections.values())

    @property
    def per_100(self) -> float | None:
        return 100.0 * self.total / self.items if self.items else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "corrections": self.total,
            "per_100_items": None if self.per_100 is None else round(self.per_100, 1),
            "by_action": {action: self.corrections[action] for action in ACTIONS},
            "unread_labels": self.unread,
        }


def _pair_components(truth: list[Component], found: list[Component]) -> list[tuple[int, int]]:
    """(truth index, found index) pairs that save the most corrections in total."""
    if not truth or not found:
        return []
    iou = iou_matrix(as_boxes([c.bbox for c in truth]), as_boxes([c.bbox for c in found]))
    graph = nx.Graph()
    for i, j in zip(*np.nonzero(iou > 0), strict=True):
        cost = int(truth[i].type != found[j].type) + int(iou[i, j] < IOU_THRESHOLD)
        if cost < 2:
            # What pairing saves over delete + add, then the overlap, as exact integers.
            graph.add_edge(
                ("t", int(i)), ("f", int(j)), weight=(2 - cost) * 10**6 + round(iou[i, j] * 1000)
            )
    pairs = []
    for a, b in nx.max_weight_matching(graph):
        t, f = (a, b) if a[0] == "t" else (b, a)
        pairs.append((t[1], f[1]))
    return sorted(pairs)


@dataclass
class _PageWork:
    corrections: list[dict[str, Any]]
    #: Ground-truth component id -> its id in the corrected result (found, or added).
    owner: dict[str, str]
    unread: int


def _page_corrections(truth: Page, found: Page) -> _PageWork:
    """The component and label corrections of one page."""
    corrections: list[dict[str, Any]] = []
    at = {"page": found.index, "at": WHEN.isoformat()}
    pairs = _pair_components(truth.components, found.components)
    owner: dict[str, str] = {}  # ground-truth component id -> the found (or added) one
    for i, j in pairs:
        expected, got = truth.components[i], found.components[j]
        owner[expected.id] = got.id
        if expected.type != got.type:
            corrections.append(
                {**at, "action": "retype", "component_id": got.id, "type": expected.type}
            )
        iou = iou_matrix(as_boxes([expected.bbox]), as_boxes([got.bbox]))[0, 0]
        if iou < IOU_THRESHOLD:
            corrections.append(
                {**at, "action": "move", "component_id": got.id, "bbox": list(expected.bbox)}
            )
    paired_found = {j for _, j in pairs}
    deleted = set()
    for j, got in enumerate(found.components):
        if j not in paired_found:
            deleted.add(got.id)
            corrections.append({**at, "action": "delete", "component_id": got.id})
    paired_truth = {i for i, _ in pairs}
    added = 0
    for i, expected in enumerate(truth.components):
        if i not in paired_truth:
            new_id = f"p{found.index}-r{added}"
            added += 1
            owner[expected.id] = new_id
            corrections.append(
                {
                    **at,
                    "action": "add",
                    "component_id": new_id,
                    "type": expected.type,
                    "bbox": list(expected.bbox),
                }
            )
    text_pairs = []
    if truth.texts and found.texts:
        truth_boxes = as_boxes([t.bbox for t in truth.texts])
        found_boxes = as_boxes([t.bbox for t in found.texts])
        text_pairs = match_pairs(
            co_located(truth_boxes, found_boxes), iou_matrix(truth_boxes, found_boxes)
        )
    read = {j for _, j in text_pairs}
    # A deleted box lets go of its labels by itself.
    linked = {t.id: None if t.component_id in deleted else t.component_id for t in found.texts}
    for i, j in text_pairs:
        wanted = owner.get(truth.texts[i].component_id or "")
        if linked[found.texts[j].id] != wanted:
            corrections.append(
                {**at, "action": "relink", "text_id": found.texts[j].id, "component_id": wanted}
            )
    for j, text in enumerate(found.texts):
        if j not in read and linked[text.id] is not None:
            corrections.append({**at, "action": "relink", "text_id": text.id, "component_id": None})
    read_truth = {i for i, _ in text_pairs}
    unread = sum(1 for i, t in enumerate(truth.texts) if t.component_id and i not in read_truth)
    return _PageWork(corrections, owner, unread)


def _renames(
    truth: Document, corrected: Document, owners: dict[int, dict[str, str]]
) -> list[dict[str, Any]]:
    renames = []
    for truth_page, page in zip(truth.pages, corrected.pages, strict=True):
        names = {c.id: c.name for c in page.components}
        for expected in truth_page.components:
            got_id = owners[page.index].get(expected.id)
            if got_id is None:
                continue
            wanted = expected.name
            got = names.get(got_id)
            if normalise_text(wanted or "") != normalise_text(got or ""):
                renames.append(
                    {
                        "page": page.index,
                        "at": WHEN.isoformat(),
                        "action": "rename",
                        "component_id": got_id,
                        "name": wanted,
                    }
                )
    return renames


def corrections_to_truth(
    found: Document, truth: Document, reviewer: str = "benchmark"
) -> tuple[CorrectionsFile, Effort]:
    """The corrections that make `found` equal to `truth` (pages paired by index), and their
    count against truth's components and linked labels."""
    pages = {page.index: page for page in found.pages}
    corrections: list[dict[str, Any]] = []
    owners: dict[int, dict[str, str]] = {}
    effort = Effort()
    for truth_page in truth.pages:
        empty = Page(index=truth_page.index, width=truth_page.width, height=truth_page.height)
        work = _page_corrections(truth_page, pages.get(truth_page.index, empty))
        corrections += work.corrections
        owners[truth_page.index] = work.owner
        effort.unread += work.unread
        effort.items += len(truth_page.components)
        effort.items += sum(1 for t in truth_page.texts if t.component_id)
    document = {"path": found.source.path, "sha256": found.source.sha256}
    file = CorrectionsFile.model_validate(
        {
            "document": document,
            "result": found.fingerprint(),
            "reviewer": reviewer,
            "corrections": corrections,
        }
    )
    corrected = apply_corrections(found, file, reviewer).document
    renames = _renames(truth, corrected, owners)
    file = CorrectionsFile.model_validate(
        {**file.model_dump(mode="json"), "corrections": corrections + renames}
    )
    effort.corrections = Counter(c.action for c in file.corrections)
    return file, effort

"""Scoring a result against ground truth: the numbers every accuracy benchmark reports.

Ground truth and prediction are both `Document`s. Pages are paired by `index`; a page that only
one side has is scored against an empty page. Every metric is a count first (true positives,
false positives, false negatives, or correct/total), so documents add up by summing counts and
the rates are computed from the sums (micro averaging).

Matching
    Every match below is one-to-one, made per page: the largest possible set of pairs among the
    allowed ones (maximum cardinality) and, among those, the one with the largest total IoU.
    It is solved exactly with networkx's `max_weight_matching(maxcardinality=True)` on the
    bipartite graph of allowed pairs, one connected part at a time (most parts are a single
    pair, so this is fast). scipy is not a dependency of the project; networkx is, and unlike a
    greedy pass by IoU it never loses a true positive when one box overlaps two candidates.

Detection (per core type, and overall)
    A predicted component matches a ground-truth component of the same type when their boxes
    have IoU >= 0.5 (`IOU_THRESHOLD`). Matched pairs are true positives, unmatched predictions
    false positives, unmatched ground truth false negatives. Precision = TP / (TP + FP),
    recall = TP / (TP + FN), F1 = 2 TP / (2 TP + FP + FN); a rate whose denominator is 0 is
    undefined (None, shown as "-"). "Overall" sums the counts of the six `CORE_TYPES` (micro).
    Types outside the core vocabulary are matched the same way and reported apart ("other
    types"); they never enter the core scores.

Component match
    The union of the per-type detection matches over all types (core and other). Links, names,
    ratings and connections are scored through it, so a component of the wrong type or a box
    below the IoU threshold loses its links, name, ratings and connections too.

Confusion matrix
    Components of all types are matched again ignoring type (IoU >= 0.5, same matching rule).
    Each pair counts one in the cell (ground-truth type, predicted type); an unmatched
    ground-truth component counts in (its type, "missed"), an unmatched prediction in
    ("spurious", its type).

Devices (over the same match ignoring type)
    A ground-truth component of a core type is a found device when the match ignoring type
    paired it with a predicted component of any type (`symbol`, an unclassified device,
    included); unpaired it is a missed device. Device recall is what a detector that knows
    where devices are, but not yet what they are, achieves: the part a person still has to do
    is to name the types. Predicted components paired with nothing count as false positives.

Text
    Strings are normalised before comparing: Unicode NFKC, case-folded, whitespace runs
    collapsed to one space and removed next to punctuation, so "13.8KV - 480V" equals
    "13.8kv-480v" (`normalise_text`). Two boxes are "co-located" when the centre of either lies
    inside the other. Centre containment rather than IoU >= 0.5 because OCR boxes are padded
    and often span a little more or less than the text-layer line that ground truth records:
    a correct reading with a loose box would fail IoU 0.5 on a short label, yet never moves its
    centre off the true line. A predicted line matches a ground-truth line when the boxes are
    co-located and the normalised strings are equal; P/R/F1 as for detection.
    Character similarity: lines are matched again by co-location alone (ignoring the string);
    for each pair the similarity is 1 - Levenshtein(a, b) / max(len(a), len(b)) on the
    normalised strings (1.0 when both are empty). The report gives the mean over these pairs
    and their number, so near misses of OCR show up where the exact-match F1 would hide them.

Label links (over the text match)
    For each matched text pair: correct when the ground-truth line belongs to component G and
    the predicted line belongs to the predicted component that the component match paired
    with G, or when neither line belongs to a component; wrong otherwise. Reported as accuracy
    over the matched pairs whose ground-truth line is linked, and over all matched pairs.

Names
    Over component-matched pairs whose ground truth has a `name`: correct when the predicted
    name, normalised like text, equals it.

Ratings
    Over component-matched pairs, every key present in the ground-truth ratings is one case:
    correct when the prediction has the key with an equal value (relative tolerance 1e-3;
    lists must have the same length and agree element by element). Keys the prediction has
    and ground truth lacks are counted as spurious. Accuracy is also given per key.

Connections
    Only pairs of two core components are scored, as the core vocabulary is what the
    evaluation scores (`CORE_TYPES`): a ground-truth pair counts when both its components are
    of core types, a predicted pair when both its ends are, each end judged by the ground-truth
    component it is matched to or, unmatched, by its own predicted type. Predicted component
    ids are mapped to ground-truth ids through the component match. The unordered pairs of
    each page are compared as sets: a mapped predicted pair found in ground truth is a true
    positive, any other predicted pair (including one with an unmatched end) a false
    positive, a ground-truth pair not predicted a false negative. Ground truth that lists the
    pairs of other types too (`sld synth` does) is scored on its core pairs alone.

Folders
    `evaluate_folders` pairs `GT/X.json` with `PRED/X.json` by file stem. A ground truth
    without a prediction is scored against an empty document (everything missed) and listed;
    predictions without ground truth are listed and not scored. Documents whose stem ends with
    "-scan" form the "scan" group, the others the "vector" group; "all" holds both.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import networkx as nx
import numpy as np
from rapidfuzz.distance import Levenshtein

from sld.document import CORE_TYPES, Component, Document, Page, Text
from sld.geometry import BoolArray, FloatArray, as_boxes, iou_matrix

IOU_THRESHOLD = 0.5
RATING_RELATIVE_TOLERANCE = 1e-3
SCAN_SUFFIX = "-scan"
MISSED = "missed"
SPURIOUS = "spurious"

Group = Literal["vector", "scan"]
GROUPS: tuple[str, ...] = ("all", "vector", "scan")


# ---------------------------------------------------------------------------------------------
# Counts that add up across documents


@dataclass(frozen=True)
class Counts:
    """True positives, false positives and false negatives of one matching."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def support(self) -> int:
        """How many ground-truth items there were."""
        return self.tp + self.fn

    @property
    def precision(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    def to_dict(self, digits: int | None = None) -> dict[str, Any]:
        """The counts and rates; rates rounded to `digits` when given (None stays None)."""
        rates = {"precision": self.precision, "recall": self.recall, "f1": self.f1}
        if digits is not None:
            rates = {k: None if v is None else round(v, digits) for k, v in rates.items()}
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, **rates}


@dataclass(frozen=True)
class Accuracy:
    """How many of `total` cases were decided correctly."""

    correct: int = 0
    total: int = 0

    def __add__(self, other: Accuracy) -> Accuracy:
        return Accuracy(self.correct + other.correct, self.total + other.total)

    @property
    def value(self) -> float | None:
        return _ratio(self.correct, self.total)

    def to_dict(self) -> dict[str, Any]:
        return {"correct": self.correct, "total": self.total, "accuracy": self.value}


@dataclass(frozen=True)
class Similarity:
    """A sum of per-pair similarities and the number of pairs, so means add up correctly."""

    total: float = 0.0
    pairs: int = 0

    def __add__(self, other: Similarity) -> Similarity:
        return Similarity(self.total + other.total, self.pairs + other.pairs)

    @property
    def mean(self) -> float | None:
        return self.total / self.pairs if self.pairs else None

    def to_dict(self) -> dict[str, Any]:
        return {"mean": self.mean, "pairs": self.pairs}


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


_Summable = TypeVar("_Summable", Counts, Accuracy, int)


def _add_maps(a: Mapping[Any, _Summable], b: Mapping[Any, _Summable]) -> dict[Any, _Summable]:
    merged = dict(a)
    for key, value in b.items():
        merged[key] = merged[key] + value if key in merged else value
    return merged


@dataclass(frozen=True)
class DocumentScores:
    """The counts of one document, or the sum over several (`+`)."""

    #: Detection counts per component type, core and other types alike.
    detection: Mapping[str, Counts] = field(default_factory=dict)
    #: (ground-truth type or SPURIOUS, predicted type or MISSED) -> count.
    confusion: Mapping[tuple[str, str], int] = field(default_factory=dict)
    text: Counts = Counts()
    text_similarity: Similarity = Similarity()
    links_over_linked: Accuracy = Accuracy()
    links_over_all: Accuracy = Accuracy()
    names: Accuracy = Accuracy()
    ratings: Accuracy = Accuracy()
    ratings_per_key: Mapping[str, Accuracy] = field(default_factory=dict)
    spurious_rating_keys: int = 0
    connections: Counts = Counts()
    #: Core ground-truth components found as some component (any type), see "Devices".
    devices: Counts = Counts()

    def __add__(self, other: DocumentScores) -> DocumentScores:
        return DocumentScores(
            detection=_add_maps(self.detection, other.detection),
            confusion=_add_maps(self.confusion, other.confusion),
            text=self.text + other.text,
            text_similarity=self.text_similarity + other.text_similarity,
            links_over_linked=self.links_over_linked + other.links_over_linked,
            links_over_all=self.links_over_all + other.links_over_all,
            names=self.names + other.names,
            ratings=self.ratings + other.ratings,
            ratings_per_key=_add_maps(self.ratings_per_key, other.ratings_per_key),
            spurious_rating_keys=self.spurious_rating_keys + other.spurious_rating_keys,
            connections=self.connections + other.connections,
            devices=self.devices + other.devices,
        )

    def detection_of(self, component_type: str) -> Counts:
        return self.detection.get(component_type, Counts())

    @property
    def core_detection(self) -> Counts:
        """Micro sum over the core types: the headline detection score."""
        return sum((self.detection_of(t) for t in CORE_TYPES), Counts())

    @property
    def other_types(self) -> list[str]:
        return sorted(t for t in self.detection if t not in CORE_TYPES)

    def to_dict(self) -> dict[str, Any]:
        confusion: dict[str, dict[str, int]] = {}
        for (gt_type, pred_type), count in sorted(self.confusion.items()):
            confusion.setdefault(gt_type, {})[pred_type] = count
        return {
            "detection": {
                "overall": self.core_detection.to_dict(),
                "per_type": {t: self.detection_of(t).to_dict() for t in CORE_TYPES},
                "other_types": {t: self.detection[t].to_dict() for t in self.other_types},
            },
            "confusion": confusion,
            "text": self.text.to_dict(),
            "text_similarity": self.text_similarity.to_dict(),
            "links": {
                "over_linked": self.links_over_linked.to_dict(),
                "over_all": self.links_over_all.to_dict(),
            },
            "names": self.names.to_dict(),
            "ratings": {
                **self.ratings.to_dict(),
                "spurious_keys": self.spurious_rating_keys,
                "per_key": {k: v.to_dict() for k, v in sorted(self.ratings_per_key.items())},
            },
            "connections": self.connections.to_dict(),
            "devices": self.devices.to_dict(),
        }


@dataclass(frozen=True)
class DocumentResult:
    """One row of a folder evaluation: which file, its group, its scores."""

    stem: str
    group: Group
    prediction_found: bool
    scores: DocumentScores

    def to_dict(self) -> dict[str, Any]:
        return {
            "stem": self.stem,
            "group": self.group,
            "prediction_found": self.prediction_found,
            "scores": self.scores.to_dict(),
        }


@dataclass(frozen=True)
class EvaluationReport:
    documents: list[DocumentResult]
    #: Ground-truth stems that had no prediction file (scored as all missed).
    missing_predictions: list[str]
    #: Prediction stems that had no ground truth (not scored).
    unexpected_predictions: list[str]

    def total(self, group: str = "all") -> DocumentScores:
        """Summed counts over the documents of one group: "all", "vector" or "scan"."""
        rows = [d for d in self.documents if group in ("all", d.group)]
        return sum((d.scores for d in rows), DocumentScores())

    def count(self, group: str = "all") -> int:
        return sum(1 for d in self.documents if group in ("all", d.group))

    def to_dict(self) -> dict[str, Any]:
        return {
            "iou_threshold": IOU_THRESHOLD,
            "groups": {
                group: {"documents": self.count(group), **self.total(group).to_dict()}
                for group in GROUPS
            },
            "documents": [d.to_dict() for d in self.documents],
            "missing_predictions": self.missing_predictions,
            "unexpected_predictions": self.unexpected_predictions,
        }


# ---------------------------------------------------------------------------------------------
# Matching


def match_pairs(allowed: BoolArray, weight: FloatArray) -> list[tuple[int, int]]:
    """Optimal one-to-one matching of rows to columns among the `allowed` pairs.

    The most pairs possible, and among those the largest total `weight` (a value in [0, 1]).
    Returns `(row, column)` pairs sorted by row.
    """
    graph = nx.Graph()
    for row, column in zip(*np.nonzero(allowed), strict=True):
        # Integer weights keep networkx's blossom algorithm in exact arithmetic.
        graph.add_edge(
            ("row", int(row)), ("column", int(column)), weight=round(weight[row, column] * 1e6)
        )
    pairs: list[tuple[int, int]] = []
    for part in nx.connected_components(graph):
        for a, b in nx.max_weight_matching(graph.subgraph(part), maxcardinality=True):
            row_node, column_node = (a, b) if a[0] == "row" else (b, a)
            pairs.append((row_node[1], column_node[1]))
    return sorted(pairs)


def _boxes(items: Sequence[Component] | Sequence[Text]) -> FloatArray:
    return as_boxes([item.bbox for item in items])


def _match_by_iou(gt: Sequence[Component], pred: Sequence[Component]) -> list[tuple[int, int]]:
    if not gt or not pred:
        return []
    iou = iou_matrix(_boxes(gt), _boxes(pred))
    return match_pairs(iou >= IOU_THRESHOLD, iou)


def _centres(boxes: FloatArray) -> FloatArray:
    return np.stack([(boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2], axis=1)


def _centre_inside(centres: FloatArray, boxes: FloatArray) -> BoolArray:
    """`[i, j]`: centre i lies inside box j (edges included)."""
    x, y = centres[:, None, 0], centres[:, None, 1]
    inside = (
        (boxes[None, :, 0] <= x)
        & (x <= boxes[None, :, 2])
        & (boxes[None, :, 1] <= y)
        & (y <= boxes[None, :, 3])
    )
    return np.asarray(inside, dtype=np.bool_)


def co_located(gt_boxes: FloatArray, pred_boxes: FloatArray) -> BoolArray:
    """`[i, j]`: the centre of gt box i is inside pred box j, or the other way round."""
    gt_in_pred = _centre_inside(_centres(gt_boxes), pred_boxes)
    pred_in_gt = _centre_inside(_centres(pred_boxes), gt_boxes).T
    return np.asarray(gt_in_pred | pred_in_gt, dtype=np.bool_)


_SPACE = re.compile(r"\s+")
_SPACE_AROUND_PUNCTUATION = re.compile(r" ?([^\w\s]) ?")


def normalise_text(text: str) -> str:
    """The form in which two readings of a label are compared (see the module docstring)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    collapsed = _SPACE.sub(" ", folded).strip()
    return _SPACE_AROUND_PUNCTUATION.sub(r"\1", collapsed)


def edit_similarity(a: str, b: str) -> float:
    """1 - Levenshtein distance / length of the longer string; 1.0 for two empty strings."""
    return float(Levenshtein.normalized_similarity(a, b))


# ---------------------------------------------------------------------------------------------
# Scoring one page


def _detect(
    gt: Sequence[Component], pred: Sequence[Component]
) -> tuple[dict[str, Counts], list[tuple[int, int]]]:
    """Per-type detection counts and the component match (indices into `gt`, `pred`)."""
    counts: dict[str, Counts] = {}
    matches: list[tuple[int, int]] = []
    for component_type in sorted({c.type for c in gt} | {c.type for c in pred}):
        gt_indices = [i for i, c in enumerate(gt) if c.type == component_type]
        pred_indices = [j for j, c in enumerate(pred) if c.type == component_type]
        pairs = _match_by_iou([gt[i] for i in gt_indices], [pred[j] for j in pred_indices])
        matches += [(gt_indices[i], pred_indices[j]) for i, j in pairs]
        counts[component_type] = Counts(
            tp=len(pairs), fp=len(pred_indices) - len(pairs), fn=len(gt_indices) - len(pairs)
        )
    return counts, matches


def _confusion(
    gt: Sequence[Component], pred: Sequence[Component]
) -> tuple[Counter[tuple[str, str]], Counts]:
    """The confusion counts and the device counts, from one match ignoring type."""
    pairs = _match_by_iou(gt, pred)
    confusion: Counter[tuple[str, str]] = Counter((gt[i].type, pred[j].type) for i, j in pairs)
    matched_gt = {i for i, _ in pairs}
    matched_pred = {j for _, j in pairs}
    confusion.update((c.type, MISSED) for i, c in enumerate(gt) if i not in matched_gt)
    confusion.update((SPURIOUS, c.type) for j, c in enumerate(pred) if j not in matched_pred)
    core = [i for i, c in enumerate(gt) if c.type in CORE_TYPES]
    found = sum(1 for i in core if i in matched_gt)
    devices = Counts(tp=found, fp=len(pred) - len(matched_pred), fn=len(core) - found)
    return confusion, devices


def _ratings_equal(expected: Any, found: Any) -> bool:
    if isinstance(expected, list):
        return (
            isinstance(found, list)
            and len(found) == len(expected)
            and all(_ratings_equal(e, f) for e, f in zip(expected, found, strict=True))
        )
    if isinstance(found, list):
        return False
    return math.isclose(float(expected), float(found), rel_tol=RATING_RELATIVE_TOLERANCE)


@dataclass
class _PageTally:
    """Mutable counters while one page is scored; frozen into `DocumentScores` at the end."""

    names: Accuracy = Accuracy()
    ratings: Accuracy = Accuracy()
    ratings_per_key: dict[str, Accuracy] = field(default_factory=dict)
    spurious_rating_keys: int = 0

    def add_rating(self, key: str, correct: bool) -> None:
        case = Accuracy(int(correct), 1)
        self.ratings += case
        self.ratings_per_key[key] = self.ratings_per_key.get(key, Accuracy()) + case


def _score_components(pairs: Iterable[tuple[Component, Component]]) -> _PageTally:
    tally = _PageTally()
    for gt, pred in pairs:
        if gt.name is not None:
            same = pred.name is not None and normalise_text(pred.name) == normalise_text(gt.name)
            tally.names += Accuracy(int(same), 1)
        expected = gt.ratings.model_dump()
        found = pred.ratings.model_dump()
        for key, value in expected.items():
            tally.add_rating(key, key in found and _ratings_equal(value, found[key]))
        tally.spurious_rating_keys += sum(1 for key in found if key not in expected)
    return tally


def _score_texts(
    gt: Sequence[Text], pred: Sequence[Text], component_map: Mapping[str, str]
) -> tuple[Counts, Similarity, Accuracy, Accuracy]:
    """Text counts, character similarity, link accuracy over linked and over all matches."""
    if not gt or not pred:
        return Counts(fn=len(gt), fp=len(pred)), Similarity(), Accuracy(), Accuracy()
    gt_boxes, pred_boxes = _boxes(gt), _boxes(pred)
    located = co_located(gt_boxes, pred_boxes)
    iou = iou_matrix(gt_boxes, pred_boxes)
    gt_strings = [normalise_text(t.text) for t in gt]
    pred_strings = [normalise_text(t.text) for t in pred]
    same_string = np.array([[g == p for p in pred_strings] for g in gt_strings], dtype=np.bool_)

    matched = match_pairs(located & same_string, iou)
    counts = Counts(tp=len(matched), fp=len(pred) - len(matched), fn=len(gt) - len(matched))

    by_box = match_pairs(located, iou)
    similarity = Similarity(
        total=sum(edit_similarity(gt_strings[i], pred_strings[j]) for i, j in by_box),
        pairs=len(by_box),
    )

    over_linked, over_all = Accuracy(), Accuracy()
    for i, j in matched:
        gt_owner, pred_owner = gt[i].component_id, pred[j].component_id
        if gt_owner is None:
            correct = pred_owner is None
        else:
            correct = pred_owner is not None and component_map.get(pred_owner) == gt_owner
            over_linked += Accuracy(int(correct), 1)
        over_all += Accuracy(int(correct), 1)
    return counts, similarity, over_linked, over_all


def _score_connections(gt: Page, pred: Page, component_map: Mapping[str, str]) -> Counts:
    gt_types = {c.id: c.type for c in gt.components}
    pred_types = {c.id: c.type for c in pred.components}

    def core(pred_id: str) -> bool:
        mapped_id = component_map.get(pred_id)
        return (gt_types.get(mapped_id) if mapped_id else pred_types.get(pred_id)) in CORE_TYPES

    expected = {
        frozenset(pair)
        for pair in gt.connections
        if gt_types.get(pair[0]) in CORE_TYPES and gt_types.get(pair[1]) in CORE_TYPES
    }
    mapped: set[frozenset[str]] = set()
    unmapped: set[frozenset[str]] = set()
    for a, b in pred.connections:
        if not (core(a) and core(b)):
            continue
        if a in component_map and b in component_map:
            mapped.add(frozenset((component_map[a], component_map[b])))
        else:
            unmapped.add(frozenset((a, b)))
    tp = len(mapped & expected)
    return Counts(tp=tp, fp=len(mapped) - tp + len(unmapped), fn=len(expected) - tp)


def _evaluate_page(gt: Page, pred: Page) -> DocumentScores:
    detection, matches = _detect(gt.components, pred.components)
    component_pairs = [(gt.components[i], pred.components[j]) for i, j in matches]
    component_map = {p.id: g.id for g, p in component_pairs}
    tally = _score_components(component_pairs)
    text, similarity, over_linked, over_all = _score_texts(gt.texts, pred.texts, component_map)
    confusion, devices = _confusion(gt.components, pred.components)
    return DocumentScores(
        detection=detection,
        confusion=confusion,
        devices=devices,
        text=text,
        text_similarity=similarity,
        links_over_linked=over_linked,
        links_over_all=over_all,
        names=tally.names,
        ratings=tally.ratings,
        ratings_per_key=tally.ratings_per_key,
        spurious_rating_keys=tally.spurious_rating_keys,
        connections=_score_connections(gt, pred, component_map),
    )


# ---------------------------------------------------------------------------------------------
# Documents and folders


def evaluate_document(gt: Document, pred: Document) -> DocumentScores:
    """Score `pred` against ground truth `gt`, pages paired by index."""
    gt_pages = {page.index: page for page in gt.pages}
    pred_pages = {page.index: page for page in pred.pages}
    total = DocumentScores()
    for index in sorted(gt_pages.keys() | pred_pages.keys()):
        template = gt_pages.get(index) or pred_pages[index]
        empty = Page(index=index, width=template.width, height=template.height)
        total += _evaluate_page(gt_pages.get(index, empty), pred_pages.get(index, empty))
    return total


def group_of(stem: str) -> Group:
    """Scanned pages (file stem ending in "-scan") are scored apart from vector pages."""
    return "scan" if stem.endswith(SCAN_SUFFIX) else "vector"


def _read(path: Path) -> Document:
    try:
        return Document.read(path)
    except ValueError as error:  # pydantic's ValidationError is a ValueError
        raise ValueError(f"{path} is not a result document (schema_version 1): {error}") from error


def _result_files(folder: Path) -> dict[str, Path]:
    """`X.json` result files by stem, leaving out `X.graph.json` graph sidecars."""
    return {
        path.stem: path for path in folder.glob("*.json") if not path.name.endswith(".graph.json")
    }


def evaluate_folders(gt_dir: Path, pred_dir: Path) -> EvaluationReport:
    """Score every `gt_dir/X.json` against `pred_dir/X.json`.

    Every `*.json` in `gt_dir` must be a result document, except the generator's graph sidecars
    (`X.graph.json`); a file that is not raises ValueError naming it. A missing prediction is
    scored as an empty document and listed.
    """
    gt_paths = _result_files(gt_dir)
    pred_paths = _result_files(pred_dir)
    documents: list[DocumentResult] = []
    for stem in sorted(gt_paths):
        gt = _read(gt_paths[stem])
        pred_path = pred_paths.get(stem)
        pred = _read(pred_path) if pred_path is not None else Document(source=gt.source)
        documents.append(
            DocumentResult(
                stem=stem,
                group=group_of(stem),
                prediction_found=pred_path is not None,
                scores=evaluate_document(gt, pred),
            )
        )
    return EvaluationReport(
        documents=documents,
        missing_predictions=[d.stem for d in documents if not d.prediction_found],
        unexpected_predictions=sorted(pred_paths.keys() - gt_paths.keys()),
    )


# ---------------------------------------------------------------------------------------------
# Plain-text report


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Left-aligned first column, right-aligned others, widths from the content."""
    widths = [max(len(row[k]) for row in [header, *rows]) for k in range(len(header))]

    def line(row: Sequence[str]) -> str:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        return "  ".join(cells).rstrip()

    return [line(header), *(line(row) for row in rows)]


def _counts_row(label: str, counts: Counts) -> list[str]:
    return [
        label,
        _rate(counts.precision),
        _rate(counts.recall),
        _rate(counts.f1),
        str(counts.support),
        str(counts.tp),
        str(counts.fp),
        str(counts.fn),
    ]


def _summary_rows(report: EvaluationReport) -> list[list[str]]:
    totals = [report.total(group) for group in GROUPS]

    def row(label: str, values: Iterable[str]) -> list[str]:
        return [label, *values]

    return [
        row("documents", (str(report.count(g)) for g in GROUPS)),
        row("detection F1 (core)", (_rate(t.core_detection.f1) for t in totals)),
        row("text F1", (_rate(t.text.f1) for t in totals)),
        row("text char similarity", (_rate(t.text_similarity.mean) for t in totals)),
        row("links acc (linked gt)", (_rate(t.links_over_linked.value) for t in totals)),
        row("links acc (all matched)", (_rate(t.links_over_all.value) for t in totals)),
        row("names acc", (_rate(t.names.value) for t in totals)),
        row("ratings acc", (_rate(t.ratings.value) for t in totals)),
        row("ratings spurious keys", (str(t.spurious_rating_keys) for t in totals)),
        row("connections F1", (_rate(t.connections.f1) for t in totals)),
        row("device recall (core)", (_rate(t.devices.recall) for t in totals)),
    ]


def _confusion_lines(scores: DocumentScores) -> list[str]:
    """Rows are ground-truth types, columns predicted types; "." for an empty cell."""
    seen = {t for pair in scores.confusion for t in pair} - {MISSED, SPURIOUS}
    types = [*CORE_TYPES, *sorted(seen - set(CORE_TYPES))]
    header = ["gt \\ pred", *types, MISSED]
    rows = [
        [t, *(str(scores.confusion.get((t, p), ".")) for p in [*types, MISSED])]
        for t in [*types, SPURIOUS]
    ]
    rows[-1][-1] = ""
    return _table(header, rows)


def format_report(report: EvaluationReport) -> str:
    """A compact plain-text report: per-type detection, the other metrics, the confusion."""
    total = report.total("all")
    lines = [f"IoU threshold {IOU_THRESHOLD}; counts summed over documents (micro)."]
    if report.missing_predictions:
        lines.append(
            "Missing predictions (scored as all missed): " + ", ".join(report.missing_predictions)
        )
    if report.unexpected_predictions:
        lines.append(
            "Predictions without ground truth (not scored): "
            + ", ".join(report.unexpected_predictions)
        )

    header = ["type", "P", "R", "F1", "support", "tp", "fp", "fn"]
    rows = [_counts_row(t, total.detection_of(t)) for t in CORE_TYPES]
    rows.append(_counts_row("overall (core)", total.core_detection))
    rows += [_counts_row(f"{t} (other)", total.detection[t]) for t in total.other_types]
    rows.append(_counts_row("text lines", total.text))
    rows.append(_counts_row("connections (core)", total.connections))
    rows.append(_counts_row("devices (core, any type)", total.devices))
    lines += ["", "Detection, text and connections (all documents)", *_table(header, rows)]

    lines += ["", "Summary by page type", *_table(["metric", *GROUPS], _summary_rows(report))]
    lines.append(
        f"(char similarity over {total.text_similarity.pairs} co-located pairs; links over "
        f"{total.links_over_linked.total} linked / {total.links_over_all.total} matched texts; "
        f"names over {total.names.total}; ratings over {total.ratings.total} keys)"
    )
    if total.ratings_per_key:
        key_rows = [
            [key, _rate(acc.value), str(acc.total)]
            for key, acc in sorted(total.ratings_per_key.items())
        ]
        lines += ["", "Ratings per key", *_table(["key", "acc", "total"], key_rows)]

    lines += ["", "Confusion (types matched ignoring type, IoU >= 0.5)", *_confusion_lines(total)]

    document_rows = [
        [
            d.stem + ("" if d.prediction_found else " (missing)"),
            d.group,
            _rate(d.scores.core_detection.f1),
            _rate(d.scores.text.f1),
            _rate(d.scores.links_over_all.value),
            _rate(d.scores.names.value),
            _rate(d.scores.ratings.value),
            _rate(d.scores.connections.f1),
        ]
        for d in report.documents
    ]
    header = ["document", "group", "det F1", "text F1", "links", "names", "ratings", "conn F1"]
    lines += ["", "Per document", *_table(header, document_rows)]
    return "\n".join(lines) + "\n"

"""What the zero-shot detectors share: matching their labels to component types, text masking.

A zero-shot detector is asked for phrases ("circuit breaker symbol") and answers with labels
that may differ from them: Rex-Omni may echo a corrected or shortened phrase, Grounding DINO
gives the words whose score passed its threshold ("breaker"). Matching is tolerant but not
loose: exact (ignoring case, punctuation and underscores), then a close spelling, then the
label's words belonging to exactly one type's phrase. A label that matches nothing is dropped
by the caller rather than guessed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping

from sld.detections import Detections
from sld.geometry import containment_matrix
from sld.pages.tiling import Tile

#: Words that say nothing about which symbol is meant.
GENERIC_WORDS = frozenset({"symbol", "symbols", "a", "an", "the", "of", "electrical", "icon"})
#: A box this much inside one of the tile's text boxes is text, not a symbol.
TEXT_SHARE = 0.5
#: How alike (difflib ratio) a label must be to a phrase to count as a misspelling of it.
CLOSE_MATCH = 0.8

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """Lower case, words separated by single spaces (underscores and punctuation are gaps)."""
    return " ".join(_NOT_WORD.sub(" ", text.lower()).split())


def _singular(word: str) -> str:
    if word.endswith("ches") or word.endswith("shes"):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _words(text: str) -> frozenset[str]:
    return frozenset(_singular(word) for word in normalise(text).split()) - GENERIC_WORDS


class PhraseMatcher:
    """Maps a detector's label back to the component type whose phrase it answers."""

    def __init__(self, phrases: Mapping[str, str]) -> None:
        if not phrases:
            raise ValueError("no phrases: map at least one component type to a phrase")
        self.phrases = dict(phrases)
        self._exact: dict[str, str] = {}
        for component_type, phrase in phrases.items():
            for name in (phrase, component_type, " ".join(sorted(_words(phrase)))):
                self._exact.setdefault(normalise(name), component_type)
        self._words = {component_type: _words(phrase) for component_type, phrase in phrases.items()}

    def match(self, label: str) -> str | None:
        """The component type `label` stands for, or None when it is not one of the phrases."""
        key = normalise(label)
        if not key:
            return None
        if key in self._exact:
            return self._exact[key]
        close = difflib.get_close_matches(key, list(self._exact), n=1, cutoff=CLOSE_MATCH)
        if close:
            return self._exact[close[0]]
        words = _words(label)
        if not words:
            return None
        owners = [t for t, phrase_words in self._words.items() if words <= phrase_words]
        return owners[0] if len(owners) == 1 else None


def drop_boxes_on_text(found: Detections, tile: Tile) -> Detections:
    """The detections that do not lie mostly on the tile's text (labels are not symbols)."""
    if not len(found) or not len(tile.text_boxes):
        return found
    on_text = containment_matrix(found.boxes, tile.text_boxes).max(axis=1) > TEXT_SHARE
    return found[~on_text]

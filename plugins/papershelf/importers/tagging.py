"""Assign tags to a paper from the keyword rules in ``tags.yml``.

The rules are kept simple so a curator can predict them (whole words, the longest keyword
wins, title matches weigh more); all keywords form one pattern, so a text is scanned once
however large the vocabulary. Details: docs/architecture.md, "Tagging".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from papershelf.entries.model import Tag

TITLE_WEIGHT = 3
MIN_SCORE = 3
MAX_TAGS = 3
RELATIVE = 0.34  # a third of the best score, rounded up a hair
UNCATEGORIZED = "uncategorized"

_SEPARATOR = r"[\s-]+"
# The four non-ASCII letters that re.IGNORECASE equates with ASCII ones.
_CASE_TWINS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


@dataclass(frozen=True)
class Rules:
    """Every tag's keywords as one scanner, and which tags each keyword belongs to."""

    pattern: re.Pattern[str] | None
    owners: dict[str, tuple[str, ...]]
    order: dict[str, int]

    @property
    def tags(self) -> list[str]:
        """Tags that have at least one keyword, in vocabulary order."""
        found = {tag for owners in self.owners.values() for tag in owners}
        return sorted(found, key=self.order.__getitem__)

    def tags_of(self, matched: str) -> tuple[str, ...]:
        """The tags whose keyword the pattern matched as ``matched``."""
        owners = self.owners.get(normalise_keyword(matched))
        if owners is not None:
            return owners
        # Case pairs that casefold() does not unify (rare): ask each keyword.
        return tuple(
            dict.fromkeys(
                tag
                for keyword, tags in self.owners.items()
                if (single := keyword_pattern([keyword])) and single.fullmatch(matched)
                for tag in tags
            )
        )


@dataclass(frozen=True, slots=True, order=True)
class Score:
    """How well a tag fits a paper; ``rank`` sorts best first."""

    tag: str
    score: int
    first: int
    order: int

    @property
    def rank(self) -> tuple[int, int, int]:
        return (-self.score, self.first, self.order)


def normalise_keyword(text: str) -> str:
    """The identity of a keyword: case-folded, separators as single spaces."""
    return " ".join(re.split(_SEPARATOR, text.translate(_CASE_TWINS).casefold().strip()))


def keyword_pattern(keywords: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive, whole-word pattern matching the longest keyword at a place."""
    trie: dict[object, dict] = {}
    for keyword in keywords:
        node = trie
        for unit in _units(keyword):
            node = node.setdefault(unit, {})
        if node is not trie:
            node[None] = {}
    if not trie:
        return None
    return re.compile(r"(?<!\w)" + _trie_regex(trie) + r"(?!\w)", re.IGNORECASE)


_SEP = "<separator>"


def _units(keyword: str) -> list[str]:
    """Characters of a keyword, with ``_SEP`` for each run of spaces or hyphens."""
    units: list[str] = []
    for piece in re.split(_SEPARATOR, normalise_keyword(keyword)):
        if piece:
            if units:
                units.append(_SEP)
            units.extend(piece)
    return units


def _trie_regex(node: dict) -> str:
    """Alternatives per next character; ending here is tried last, so longer wins."""
    branches = [
        (_SEPARATOR if unit == _SEP else re.escape(unit)) + _trie_regex(child)
        for unit, child in sorted(
            ((u, c) for u, c in node.items() if u is not None), key=lambda item: str(item[0])
        )
    ]
    if None in node:
        branches.append("")
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def compile_rules(tags: Iterable[Tag]) -> Rules:
    """The scanner for a vocabulary; tags without keywords never match."""
    owners: dict[str, list[str]] = {}
    order: dict[str, int] = {}
    for position, tag in enumerate(tags):
        order[tag.id] = position
        for keyword in tag.keywords:
            key = normalise_keyword(keyword)
            if key and tag.id not in owners.setdefault(key, []):
                owners[key].append(tag.id)
    return Rules(
        keyword_pattern(owners),
        {key: tuple(ids) for key, ids in owners.items()},
        order,
    )


def score_tags(title: str, abstract: str, rules: Rules) -> list[Score]:
    """Every tag with at least one match, best first."""
    totals: dict[str, int] = {}
    first: dict[str, int] = {}
    if rules.pattern is not None:
        # Title positions come before any abstract position.
        for offset, text, weight in ((0, title, TITLE_WEIGHT), (len(title) + 1, abstract, 1)):
            for match in rules.pattern.finditer(text):
                for tag in rules.tags_of(match.group()):
                    totals[tag] = totals.get(tag, 0) + weight
                    first.setdefault(tag, offset + match.start())
    scores = [Score(tag, totals[tag], first[tag], rules.order[tag]) for tag in totals]
    return sorted(scores, key=lambda s: s.rank)


def assign_tags(title: str, abstract: str, rules: Rules) -> tuple[str, ...]:
    """The tags the rules give this paper (possibly none); see the module docstring."""
    scores = score_tags(title, abstract, rules)
    best = scores[0].score if scores else 0
    strong = [s.tag for s in scores if s.score >= MIN_SCORE and s.score >= RELATIVE * best]
    if not strong and scores:
        strong = [scores[0].tag]
    return tuple(strong[:MAX_TAGS])

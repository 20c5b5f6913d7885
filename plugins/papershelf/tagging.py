"""Assign tags to a paper from the keyword rules in ``tags.yml``.

Rules, kept simple so a curator can predict them:

- A keyword matches as a whole word or phrase, case-insensitively; inside a keyword a
  space or hyphen matches any run of spaces and hyphens ("pre-training" also matches
  "pre training"), so list "pretraining" separately if the closed form matters.
- A tag scores ``TITLE_WEIGHT`` (3) per keyword occurrence in the title and 1 per
  occurrence in the abstract. Overlapping keywords of one tag count once (the longest
  wins); a match inside a longer match of another tag does not count ("continual
  pre-training" scores for the tag listing that phrase, not for one listing only
  "pre-training"): the more specific phrase wins.
- A tag is kept when it scores at least ``MIN_SCORE`` (3: one title match, or three
  mentions in the abstract) and at least ``RELATIVE`` (a third) of the best tag's
  score, so a passing mention does not tag a paper about something else. If no tag
  gets there, the single best tag with any match is kept rather than none.
- At most ``MAX_TAGS`` (3) tags, best first: higher score, then earlier first match,
  then the order of ``tags.yml``.

A paper that matches no keyword at all gets no tags here; the importer then gives it
the ``uncategorized`` tag and warns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from papershelf.model import Tag

TITLE_WEIGHT = 3
MIN_SCORE = 3
MAX_TAGS = 3
RELATIVE = 0.34  # a third of the best score, rounded up a hair
UNCATEGORIZED = "uncategorized"


@dataclass(frozen=True, slots=True)
class Rule:
    """One tag's keywords compiled into a single whole-word pattern."""

    tag: str
    order: int
    pattern: re.Pattern[str]


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


def keyword_pattern(keywords: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive alternation, longest keyword first, on word boundaries."""
    parts = []
    for keyword in sorted({k.strip() for k in keywords if k.strip()}, key=lambda k: (-len(k), k)):
        pieces = [re.escape(piece) for piece in re.split(r"[\s-]+", keyword) if piece]
        if pieces:
            parts.append(r"[\s-]+".join(pieces))
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def compile_rules(tags: Iterable[Tag]) -> list[Rule]:
    """Rules for every tag that has keywords, in vocabulary order."""
    rules = []
    for order, tag in enumerate(tags):
        pattern = keyword_pattern(tag.keywords)
        if pattern is not None:
            rules.append(Rule(tag.id, order, pattern))
    return rules


def score_tags(title: str, abstract: str, rules: Iterable[Rule]) -> list[Score]:
    """Every tag with at least one counted match, best first."""
    rules = list(rules)
    title_hits = _counted_matches(title, rules)
    abstract_hits = _counted_matches(abstract, rules)
    scores = []
    for rule in rules:
        in_title = title_hits.get(rule.tag, [])
        in_abstract = abstract_hits.get(rule.tag, [])
        if not in_title and not in_abstract:
            continue
        # Title positions come before any abstract position.
        first = in_title[0] if in_title else len(title) + 1 + in_abstract[0]
        score = TITLE_WEIGHT * len(in_title) + len(in_abstract)
        scores.append(Score(rule.tag, score, first, rule.order))
    return sorted(scores, key=lambda s: s.rank)


def _counted_matches(text: str, rules: list[Rule]) -> dict[str, list[int]]:
    """Start positions of each tag's matches, minus those inside another tag's longer match.

    "continual pre-training" counts for the tag that lists that phrase, not also for
    a tag that only lists "pre-training": the more specific phrase wins.
    """
    spans = [
        (match.start(), match.end(), rule.tag)
        for rule in rules
        for match in rule.pattern.finditer(text)
    ]
    counted: dict[str, list[int]] = {}
    for start, end, tag in spans:
        inside_longer = any(
            other != tag and o_start <= start and end <= o_end and (o_end - o_start) > (end - start)
            for o_start, o_end, other in spans
        )
        if not inside_longer:
            counted.setdefault(tag, []).append(start)
    for positions in counted.values():
        positions.sort()
    return counted


def assign_tags(title: str, abstract: str, rules: Iterable[Rule]) -> tuple[str, ...]:
    """The tags the rules give this paper (possibly none); see the module docstring."""
    scores = score_tags(title, abstract, rules)
    best = scores[0].score if scores else 0
    strong = [s.tag for s in scores if s.score >= MIN_SCORE and s.score >= RELATIVE * best]
    if not strong and scores:
        strong = [scores[0].tag]
    return tuple(strong[:MAX_TAGS])

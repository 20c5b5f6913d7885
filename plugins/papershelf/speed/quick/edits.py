"""Which edits a quick build takes: what decides where a paper goes, the duplicate
check of new titles and keys, and the error that sends a build to mkdocs."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from papershelf.entries.model import Paper
from papershelf.site.citations import base_key
from papershelf.site.related import count_edit, same_terms
from papershelf.speed.snapshot import CITATION, identities

Edit = tuple[int, Paper, Paper]  # paper number, before, after


class NotQuickError(Exception):
    """This build needs mkdocs; the message says why (``papershelf build --verbose`` shows it)."""


def placement(paper: Paper) -> tuple[Any, ...]:
    """Everything of a paper that decides where it goes: its URL, its place in the
    list (dates, then slug), the lists it is on (tags, organisation) and its place in
    the most-voted orders. An edit that changes it moves the paper (:class:`Moves`).
    The rest (title, abstract, notes, authors, links) shows only in the pages that
    hold the paper; the title, arXiv id and DOI are also checked against every other
    entry for duplicates (:func:`check_identities`)."""
    return (
        paper.slug,
        paper.added,
        paper.published,
        paper.tags,
        paper.organization,
        paper.organization_id,
        paper.votes,
        str(paper.source),
    )


def new_citation_keys(
    known: Sequence[list[list[str]]], keys: Sequence[str], edits: Sequence[Edit]
) -> dict[int, str]:
    """The citation keys (papershelf.site.citations) of the edited papers after the
    edits, by paper number, when no other paper's key changes; else refuse the edits
    (the full build works every key out again). ``known``: the identities of every
    paper, ``keys``: their keys, by number.

    A paper's key changes with its first author, year or first title word. That is
    quick while no other paper shares its key's beginning, before or after; a new
    added date reorders papers that share one (the first added keeps the plain key)."""
    edited = {number for number, _, _ in edits}

    @functools.cache
    def counts() -> Counter[str]:  # the whole list's, only for edits that need them
        return Counter(key for keys_ in known for kind, key in keys_ if kind == CITATION)

    found: dict[int, str] = {}
    for number, old, new in edits:
        before, after = base_key(old), base_key(new)
        if before == after:  # most edits: the abstract, notes, links
            if old.added != new.added and counts()[before] > 1:
                raise NotQuickError(f"{new.source}: its citation key may change")
            found[number] = keys[number]
            continue
        others = (key for n, key in enumerate(keys) if n not in edited)
        if counts()[before] > 1 or counts()[after] > 0 or after in others:
            raise NotQuickError(f"{new.source}: its new citation key clashes with another")
        found[number] = after
    if len(set(found.values())) < len(found):
        raise NotQuickError("two edited papers now have the same citation key")
    return found


def related_frequencies(
    frequencies: Callable[[], dict[str, int]], count: int, edits: Sequence[Edit]
) -> dict[str, int] | None:
    """The terms' document frequencies (papershelf.site.related) after the edits, when no
    paper's related papers change; None when no edit changes a term (a title, an
    abstract or the tags). Else refuse the edits: every paper's related papers may
    change, which only the full build works out. ``frequencies``: the last build's, a
    copy (loaded only if needed); ``count``: how many papers the list has."""
    changed = [(old, new) for _, old, new in edits if not same_terms(old, new)]
    if not changed:
        return None
    found = frequencies()
    for old, new in changed:  # one at a time: each is checked on the list the last left
        if not count_edit(old, new, found, count):
            raise NotQuickError(f"{new.source}: the related papers may change")
    return found


def check_paths(on_paths: Sequence[int], edits: Sequence[Edit]) -> None:
    """Refuse edits of papers on a reading path: its feed shows them (titles, abstracts,
    dates), which only the full build writes."""
    listed = set(on_paths)
    for number, _, new in edits:
        if number in listed:
            raise NotQuickError(f"{new.source} is on a reading path")


def check_identities(known: Sequence[list[list[str]]], edits: Sequence[Edit]) -> None:
    """Refuse edits that make an entry the same paper as another (same title, arXiv
    id or DOI): the full build reports that clash with both files named."""
    edited = {number for number, _, _ in edits}
    if all(identities(old) == identities(new) for _, old, new in edits):
        return
    taken: dict[tuple[str, str], int] = {}
    for number, keys in enumerate(known):
        if number not in edited:
            taken.update(((kind, key), number) for kind, key in keys)
    for number, _, new in edits:
        for kind, key in identities(new):
            if taken.setdefault((kind, key), number) != number:
                raise NotQuickError(f"{new.source} now has the same {kind} as another entry")

"""Which edits a quick build takes: what decides where a paper goes, the duplicate
check of new titles and keys, and the error that sends a build to mkdocs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from papershelf.entries.model import Paper
from papershelf.speed.snapshot import identities

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

"""Where papers go after an edit that moves them, worked out from the snapshot alone.

:class:`Placement` stands in for a paper with the few fields the lists are made from, so a
quick build makes the new lists with the same ``build_catalog`` and ``plan_pages`` a full
build runs, without reading every entry. Details: docs/architecture.md, "Quick builds".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from papershelf.entries.model import Paper, Tag
from papershelf.site.catalog import Catalog, build_catalog

T = TypeVar("T")
Row = list[Any]  # slug, added and published days (ordinals), tags, organisation, its key, votes


def placement_row(paper: Paper) -> Row:
    """What decides the lists a paper is on and its place in them, as JSON."""
    return [
        paper.slug,
        paper.added.toordinal(),
        paper.published.toordinal() if paper.published else None,
        list(paper.tags),
        paper.organization,
        paper.org_key,
        paper.votes,
    ]


@dataclass(frozen=True, slots=True)
class Placement:
    """A paper as the lists see it (``build_catalog`` and ``plan_pages`` read only
    these fields of a list page's papers), with its number in the snapshot."""

    number: int
    slug: str
    added: date
    published: date | None
    tags: tuple[str, ...]
    organization: str | None
    org_key: str | None
    votes: int | None

    @classmethod
    def from_row(cls, number: int, row: Row) -> Placement:
        slug, added, published, tags, organization, org_key, votes = row
        return cls(
            number,
            slug,
            date.fromordinal(added),
            date.fromordinal(published) if published is not None else None,
            tuple(tags),
            organization,
            org_key,
            votes,
        )


def placed_catalog(rows: Sequence[Row], tags: dict[str, Tag]) -> Catalog:
    """The catalog of the papers placed as ``rows`` say (by paper number), made of
    :class:`Placement` papers."""
    placed: list[Any] = [Placement.from_row(number, row) for number, row in enumerate(rows)]
    return build_catalog(placed, tags, cite=False, related=0)


def moved_neighbours(before: Sequence[T], after: Sequence[T]) -> set[T]:
    """The items of ``after`` whose neighbour on either side differs from ``before``:
    papers in the list (by number, newest first) or months of the archive, whose pages
    link to their neighbours."""

    def neighbours(order: Sequence[T]) -> dict[T, tuple[T | None, T | None]]:
        padded = [None, *order, None]
        return {n: (padded[i], padded[i + 2]) for i, n in enumerate(order)}

    if list(before) == list(after):
        return set()
    old, new = neighbours(before), neighbours(after)
    return {n for n, pair in new.items() if old.get(n) != pair}

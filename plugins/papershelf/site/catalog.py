"""Indexes over the papers, built once per build in linear time.

Pure: no I/O and no mkdocs. Every page of the site reads from these dicts instead of
scanning the list, so a build stays linear in the number of papers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from papershelf.entries.collections import Collection
from papershelf.entries.model import Paper, Tag
from papershelf.site.citations import citation_keys
from papershelf.site.collections import paths_by_paper, reading_order
from papershelf.site.related import LIMIT, Relations, relations

# How a catalog gets its related papers: (papers, how many each) -> Relations.
Relate = Callable[[Sequence[Paper], int], Relations]


def newest_first_key(paper: Paper) -> tuple[int, int, str]:
    """Order of the list: added date, then published date, newest first; then slug."""
    published = paper.published.toordinal() if paper.published else 0
    return (-paper.added.toordinal(), -published, paper.slug)


def published_key(paper: Paper) -> tuple[int, str]:
    return (-(paper.published.toordinal() if paper.published else 0), paper.slug)


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def key(self) -> str:
        return f"{self.year:04d}/{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)


@dataclass
class Catalog:
    """The reading list and its indexes. Build it with :func:`build_catalog`."""

    papers: list[Paper]  # newest first (by added date)
    tags: dict[str, Tag]  # vocabulary order
    by_slug: dict[str, Paper] = field(default_factory=dict)
    position: dict[str, int] = field(default_factory=dict)
    by_tag: dict[str, list[Paper]] = field(default_factory=dict)
    by_year: dict[int, list[Paper]] = field(default_factory=dict)
    by_month: dict[Month, list[Paper]] = field(default_factory=dict)
    undated: list[Paper] = field(default_factory=list)
    by_org: dict[str, list[Paper]] = field(default_factory=dict)
    org_names: dict[str, str] = field(default_factory=dict)
    citation_keys: dict[str, str] = field(default_factory=dict)  # by slug (site.citations)
    # Reading paths (entries.collections), in the order of their index (by title), and
    # by paper slug the paths it is on (site.collections.paths_by_paper).
    collections: list[Collection] = field(default_factory=list)
    paths_of: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # By slug, the papers most alike, best first; and in how many papers each of
    # their terms is, for quick builds (site.related.Relations).
    related: dict[str, list[Paper]] = field(default_factory=dict)
    related_terms: dict[str, int] = field(default_factory=dict)

    def path_papers(self, collection: Collection) -> list[Paper]:
        """The papers of a reading path, in its order."""
        return [self.by_slug[slug] for slug in collection.slugs]

    def previous_and_next(self, paper: Paper) -> tuple[Paper | None, Paper | None]:
        """Neighbours in list order: (newer, older)."""
        index = self.position[paper.slug]
        newer = self.papers[index - 1] if index > 0 else None
        older = self.papers[index + 1] if index + 1 < len(self.papers) else None
        return newer, older

    def months_of(self, year: int) -> list[Month]:
        return sorted((m for m in self.by_month if m.year == year), key=lambda m: -m.month)

    def neighbour_months(self, month: Month) -> tuple[Month | None, Month | None]:
        """(earlier, later) month that has papers, for archive navigation."""
        ordered = self._months_ascending
        index = self._month_index[month]
        earlier = ordered[index - 1] if index > 0 else None
        later = ordered[index + 1] if index + 1 < len(ordered) else None
        return earlier, later

    def tags_by_size(self) -> list[Tag]:
        """Tags with the most papers first, then by title."""
        return sorted(self.tags.values(), key=lambda t: (-len(self.by_tag[t.id]), t.title))

    @property
    def years(self) -> list[int]:
        return sorted(self.by_year, reverse=True)

    def __post_init__(self) -> None:
        self._months_ascending = sorted(self.by_month, key=lambda m: (m.year, m.month))
        self._month_index = {m: i for i, m in enumerate(self._months_ascending)}


def build_catalog(
    papers: list[Paper],
    tags: dict[str, Tag],
    *,
    cite: bool = True,
    related: int = LIMIT,
    relate: Relate | None = None,
    collections: Iterable[Collection] = (),
) -> Catalog:
    """The catalog of ``papers``; with ``cite``, their citation keys, and up to
    ``related`` related papers of each (stand-ins for papers, papershelf.speed.placements,
    have no titles, authors or abstracts to make them of; ``relate`` works them out,
    site.related.relations unless told: serve keeps them between rebuilds,
    papershelf.speed.kept_relations); with the reading paths through them
    (``collections``, checked against the papers by papershelf.entries.collections)."""
    paths = reading_order(collections)
    ordered = sorted(papers, key=newest_first_key)
    related_papers, related_terms = _related(ordered, related, relate) if related > 0 else ({}, {})
    by_tag: dict[str, list[Paper]] = {tag: [] for tag in tags}
    by_org: dict[str, list[Paper]] = defaultdict(list)
    org_names: dict[str, str] = {}
    for paper in ordered:
        for tag in paper.tags:
            by_tag.setdefault(tag, []).append(paper)
        key = paper.org_key
        if key and paper.organization:
            by_org[key].append(paper)
            org_names.setdefault(key, paper.organization)

    by_year: dict[int, list[Paper]] = defaultdict(list)
    by_month: dict[Month, list[Paper]] = defaultdict(list)
    undated: list[Paper] = []
    for paper in sorted(papers, key=published_key):
        if paper.published is None:
            undated.append(paper)
            continue
        by_year[paper.published.year].append(paper)
        by_month[Month(paper.published.year, paper.published.month)].append(paper)

    return Catalog(
        papers=ordered,
        tags=dict(tags),
        by_slug={p.slug: p for p in ordered},
        position={p.slug: i for i, p in enumerate(ordered)},
        by_tag=by_tag,
        by_year=dict(by_year),
        by_month=dict(by_month),
        undated=undated,
        by_org=dict(sorted(by_org.items())),
        org_names=org_names,
        citation_keys=citation_keys(ordered) if cite else {},
        collections=paths,
        paths_of=paths_by_paper(paths),
        related=related_papers,
        related_terms=related_terms,
    )


def _related(
    papers: list[Paper], limit: int, relate: Relate | None
) -> tuple[dict[str, list[Paper]], dict[str, int]]:
    by_slug = {paper.slug: paper for paper in papers}
    found = (relate or _relations)(papers, limit)
    related = {slug: [by_slug[other] for other in others] for slug, others in found.related.items()}
    return related, found.frequencies


def _relations(papers: Sequence[Paper], limit: int) -> Relations:
    return relations(papers, limit=limit)

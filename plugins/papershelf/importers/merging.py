"""Decide what an import changes: fold duplicates, match existing entries, pick slugs.

Pure: records and existing Papers in, a :class:`Plan` out; the command line does the
reading and writing. A person's edits of an entry always win over an import.
Details: docs/architecture.md, "Merging".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date

from papershelf.entries.loader import display_path
from papershelf.entries.model import Paper
from papershelf.entries.slugs import slugify, title_key
from papershelf.importers.daily_papers import Record
from papershelf.importers.tagging import UNCATEGORIZED

SLUG_WORDS = 6
ABSTRACT_IDENTITY = 100  # characters an abstract needs to identify a paper on its own
FALLBACK_SLUG = "paper"

Tagger = Callable[[str, str], tuple[str, ...]]
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Conflict:
    """A disagreement the importer left for a person; ``where`` is a file or FILE:LINE."""

    where: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.message}"


@dataclass(frozen=True, slots=True)
class Candidate:
    """One paper of the import after folding its duplicate listings."""

    key: str
    record: Record
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NewPaper:
    paper: Paper
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Update:
    """New values for some fields of an existing entry, and why."""

    paper: Paper
    changes: dict[str, object]
    notes: tuple[str, ...]
    sources: tuple[str, ...]

    @property
    def updated(self) -> Paper:
        """The entry as it should read back after the change."""
        return replace(self.paper, **self.changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Plan:
    new: list[NewPaper]
    updates: list[Update]
    unchanged: list[Paper]
    conflicts: list[Conflict]

    @property
    def uncategorized(self) -> list[NewPaper]:
        return [n for n in self.new if n.paper.tags == (UNCATEGORIZED,)]


def fold_duplicates(records: Iterable[Record]) -> tuple[list[Candidate], list[Conflict]]:
    """One Candidate per title, in order of first appearance, plus disagreements."""
    groups: dict[str, list[Record]] = {}
    for record in records:
        groups.setdefault(title_key(record.title), []).append(record)
    candidates: list[Candidate] = []
    conflicts: list[Conflict] = []
    for key, group in groups.items():
        ranked = sorted(enumerate(group), key=lambda item: _rank(item[1], item[0]))
        best = [record for _, record in ranked]
        merged = _combine(best)
        candidates.append(Candidate(key, merged, tuple(r.source for r in group)))
        conflicts.extend(_disagreements(best, merged))
    return candidates, conflicts


def _rank(record: Record, index: int) -> tuple[bool, int, int]:
    votes = record.votes if record.votes is not None else -1
    return (record.published is None, -votes, index)


def _combine(ranked: list[Record]) -> Record:
    best = ranked[0]
    with_org = next((r for r in ranked if r.organization), None)
    votes = [r.votes for r in ranked if r.votes is not None]
    return replace(
        best,
        abstract=next((r.abstract for r in ranked if r.abstract), ""),
        author_count=next((r.author_count for r in ranked if r.author_count is not None), None),
        organization=with_org.organization if with_org else None,
        organization_id=with_org.organization_id if with_org else None,
        published=next((r.published for r in ranked if r.published is not None), None),
        votes=max(votes) if votes else None,
    )


def _disagreements(ranked: list[Record], merged: Record) -> list[Conflict]:
    conflicts = []
    for field in ("title", "abstract", "published", "author_count", "organization"):
        seen: dict[object, str] = {}
        for record in ranked:
            value = getattr(record, field)
            if value not in (None, ""):
                seen.setdefault(value, record.source)
        if len(seen) > 1:
            kept = getattr(merged, field)
            others = ", ".join(
                f"{_show(value)} ({source})" for value, source in seen.items() if value != kept
            )
            conflicts.append(
                Conflict(
                    seen[kept],
                    field,
                    f"listings of '{_short(merged.title)}' disagree; kept {_show(kept)}, "
                    f"not {others}",
                )
            )
    return conflicts


def plan_import(
    candidates: Iterable[Candidate],
    existing: Iterable[Paper],
    *,
    added: date,
    tagger: Tagger,
    taken_slugs: Iterable[str] = (),
    progress: Progress | None = None,
) -> Plan:
    """What the import does to the collection; see the module docstring for the rules."""
    existing = list(existing)
    by_key = {title_key(paper.title): paper for paper in existing}
    # A curator may fix a title's words; the untouched abstract still identifies it
    # (only abstracts long enough to be unique to one paper).
    by_abstract = {p.abstract: p for p in existing if len(p.abstract) >= ABSTRACT_IDENTITY}
    updates: list[Update] = []
    unchanged: list[Paper] = []
    conflicts: list[Conflict] = []
    fresh: list[Candidate] = []
    for candidate in candidates:
        paper = by_key.get(candidate.key)
        if paper is None and len(candidate.record.abstract) >= ABSTRACT_IDENTITY:
            paper = by_abstract.get(candidate.record.abstract)
        if paper is None:
            fresh.append(candidate)
            continue
        changes, notes, found = compare(paper, candidate.record)
        conflicts.extend(found)
        if changes:
            updates.append(Update(paper, changes, tuple(notes), candidate.sources))
        else:
            unchanged.append(paper)
    taken = set(taken_slugs) | {paper.slug for paper in existing}
    new: list[NewPaper] = []
    ordered = sorted(fresh, key=lambda c: (c.key, c.record.title))
    for done, candidate in enumerate(ordered, start=1):
        slug = unique_slug(candidate.record.title, taken)
        taken.add(slug)
        new.append(NewPaper(new_paper(candidate.record, slug, added, tagger), candidate.sources))
        if progress is not None:
            progress(done, len(ordered))
    new.sort(key=lambda n: n.paper.slug)
    updates.sort(key=lambda u: u.paper.slug)
    unchanged.sort(key=lambda p: p.slug)
    return Plan(new, updates, unchanged, conflicts)


def unique_slug(title: str, taken: set[str]) -> str:
    """A short slug from the title; ``-2``, ``-3``... when another paper has it."""
    base = slugify(title, max_words=SLUG_WORDS) or FALLBACK_SLUG
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def new_paper(record: Record, slug: str, added: date, tagger: Tagger) -> Paper:
    """A new entry for ``record``: tags from the rules, else ``uncategorized``."""
    tags = tagger(record.title, record.abstract) or (UNCATEGORIZED,)
    return Paper(
        slug=slug,
        title=record.title,
        added=added,
        tags=tags,
        author_count=record.author_count,
        organization=record.organization,
        organization_id=record.organization_id if record.organization else None,
        published=record.published,
        abstract=record.abstract,
        votes=record.votes,
    )


def compare(
    paper: Paper, record: Record, *, record_is: str = "the listing"
) -> tuple[dict[str, object], list[str], list[Conflict]]:
    """(fields to set, what changes in words, conflicts) for an existing entry;
    ``record_is`` names the record in conflicts ("the BibTeX entry")."""
    where = display_path(paper.source) if paper.source else paper.slug
    changes: dict[str, object] = {}
    notes: list[str] = []
    conflicts: list[Conflict] = []

    def differs(field: str, ours: object, theirs: object) -> None:
        conflicts.append(
            Conflict(
                where,
                field,
                f"the entry has {_show(ours)}, {record_is} ({record.source}) has "
                f"{_show(theirs)}; kept the entry's",
            )
        )

    def fill(field: str, value: object) -> None:
        changes[field] = value
        notes.append(f"{field} set to {_show(value)}")

    if paper.title != record.title:
        differs("title", paper.title, record.title)
    if record.abstract:
        if not paper.abstract:
            fill("abstract", record.abstract)
        elif paper.abstract != record.abstract:
            differs("abstract", paper.abstract, record.abstract)
    if record.published is not None:
        if paper.published is None:
            fill("published", record.published)
        elif paper.published != record.published:
            differs("published", paper.published, record.published)
    if record.author_count is not None:
        if paper.authors:
            if len(paper.authors) != record.author_count:
                differs("authors", f"{len(paper.authors)} names", record.author_count)
        elif paper.author_count is None:
            fill("author_count", record.author_count)
        elif paper.author_count != record.author_count:
            differs("author_count", paper.author_count, record.author_count)
    if record.organization:
        if not paper.organization:
            fill("organization", record.organization)
            if record.organization_id and not paper.organization_id:
                fill("organization_id", record.organization_id)
        elif paper.organization != record.organization:
            differs("organization", paper.organization, record.organization)
        elif record.organization_id and not paper.organization_id:
            fill("organization_id", record.organization_id)
        elif record.organization_id and paper.organization_id != record.organization_id:
            differs("organization_id", paper.organization_id, record.organization_id)
    if record.votes is not None and (paper.votes is None or record.votes > paper.votes):
        changes["votes"] = record.votes
        notes.append(
            f"votes set to {record.votes}"
            if paper.votes is None
            else f"votes {paper.votes} -> {record.votes}"
        )
    return changes, notes, conflicts


def _show(value: object) -> str:
    if isinstance(value, str):
        return f"'{_short(value)}'"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."

"""Decide what a BibTeX import changes: the rules of ``import daily-papers``, for the
fields a BibTeX entry has beyond a listing (names, links, keywords, notes).

Pure: records and existing Papers in, a :class:`papershelf.importers.merging.Plan` out.

- The same paper is the same title (normalised), arXiv id (any version) or DOI (any
  case), as ``papershelf validate`` sees duplicates, or the same long abstract.
- Entries of one paper in the import fold into one: the dated entry wins, then the
  first; fields it lacks come from the others; values that differ are conflicts.
- An existing entry only gets fields it lacks, as in ``merging.compare`` (abstract,
  published, author count, organisation), plus the names when it has neither names
  nor a count, and the links when it has none. Title, tags, its links, notes and
  ``added`` are never changed; any other disagreement is a conflict.
- New papers get the ``added`` date given, tags from the tagger (else
  ``uncategorized``) and a slug from the title, allocated in title order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import TypeVar

from papershelf.entries.loader import display_path, identity_keys
from papershelf.entries.model import Links, Paper
from papershelf.entries.schema import LINK_KINDS
from papershelf.entries.slugs import title_key
from papershelf.importers.bibtex import BibRecord
from papershelf.importers.daily_papers import Record
from papershelf.importers.merging import (
    ABSTRACT_IDENTITY,
    Conflict,
    NewPaper,
    Plan,
    Update,
    compare,
    unique_slug,
)
from papershelf.importers.tagging import UNCATEGORIZED

Tagger = Callable[[BibRecord], tuple[str, ...]]
Progress = Callable[[int, int], None]
Key = tuple[str, str]  # (kind, value), as entries.loader.identity_keys
Change = tuple[str, object, Conflict | None]  # (field, new value, or why not)
_FOLDED_FIELDS = (
    "title",
    "abstract",
    "published",
    "authors",
    "organization",
    *(f"links.{kind}" for kind in LINK_KINDS),
)
_T = TypeVar("_T")
RECORD_IS = "the BibTeX entry"  # how conflicts name the record


@dataclass(frozen=True, slots=True)
class BibCandidate:
    """One paper of the import after folding the entries that are the same paper."""

    key: str
    record: BibRecord
    sources: tuple[str, ...]


def record_keys(record: BibRecord) -> list[Key]:
    """What makes a record the same paper as another record or an entry."""
    paper = Paper(slug="", title=record.title, added=date.min, tags=(), links=record.links)
    return [key for key in identity_keys(paper) if key[0] != "slug"]


def fold_records(records: Iterable[BibRecord]) -> tuple[list[BibCandidate], list[Conflict]]:
    """One candidate per paper, in order of first appearance, plus disagreements."""
    groups = _same_paper_groups(list(records))
    candidates: list[BibCandidate] = []
    conflicts: list[Conflict] = []
    for group in groups:
        ranked = sorted(group, key=lambda record: record.published is None)  # stable
        merged = _combine(ranked)
        candidates.append(
            BibCandidate(title_key(merged.title), merged, tuple(r.source for r in group))
        )
        conflicts.extend(_disagreements(ranked, merged))
    return candidates, conflicts


def _same_paper_groups(records: list[BibRecord]) -> list[list[BibRecord]]:
    """Records linked by any shared key (a title here, a DOI there), in file order."""
    root = list(range(len(records)))

    def find(index: int) -> int:
        while root[index] != index:
            root[index] = root[root[index]]
            index = root[index]
        return index

    first_with: dict[Key, int] = {}
    for index, record in enumerate(records):
        for key in record_keys(record):
            a, b = find(index), find(first_with.setdefault(key, index))
            root[max(a, b)] = min(a, b)
    groups: dict[int, list[BibRecord]] = {}
    for index, record in enumerate(records):
        groups.setdefault(find(index), []).append(record)
    return list(groups.values())


def _combine(ranked: list[BibRecord]) -> BibRecord:
    best = ranked[0]
    named = next((r for r in ranked if r.authors), None)
    links = {kind: _first(getattr(r.links, kind) for r in ranked) for kind in LINK_KINDS}
    published = _first(r.published for r in ranked)
    return replace(
        best,
        authors=named.authors if named else (),
        authors_incomplete=named.authors_incomplete if named else False,
        author_count=None if named else _first(r.author_count for r in ranked),
        organization=_first(r.organization for r in ranked),
        published=published,
        date_without_day=published is None and any(r.date_without_day for r in ranked),
        abstract=_first(r.abstract for r in ranked) or "",
        links=Links(**{kind: value for kind, value in links.items() if value}),
        keywords=tuple(dict.fromkeys(k for r in ranked for k in r.keywords)),
        notes=_first(r.notes for r in ranked) or "",
    )


def _first(values: Iterable[_T | None]) -> _T | None:
    return next((value for value in values if value), None)


def _disagreements(ranked: list[BibRecord], merged: BibRecord) -> list[Conflict]:
    conflicts = []
    for name in _FOLDED_FIELDS:
        seen: dict[object, str] = {}
        for record in ranked:
            value = _value(record, name)
            if value not in (None, "", ()):
                seen.setdefault(value, record.source)
        kept = _value(merged, name)
        if len(seen) > 1 and kept in seen:
            others = ", ".join(
                f"{_show(value)} ({source})" for value, source in seen.items() if value != kept
            )
            conflicts.append(
                Conflict(
                    seen[kept],
                    name,
                    f"entries of '{_short(merged.title)}' disagree; kept {_show(kept)}, "
                    f"not {others}",
                )
            )
    return conflicts


def _value(record: BibRecord, name: str) -> object:
    """A field of a record by its entry name (``links.doi``)."""
    kind = name.removeprefix("links.")
    return getattr(record.links, kind) if kind != name else getattr(record, name)


def plan_bibtex_import(
    candidates: Iterable[BibCandidate],
    existing: Iterable[Paper],
    *,
    added: date,
    tagger: Tagger,
    taken_slugs: Iterable[str] = (),
    progress: Progress | None = None,
) -> Plan:
    """What the import does to the collection; see the module docstring for the rules."""
    existing = list(existing)
    index = _identity_index(existing)
    updates: list[Update] = []
    unchanged: list[Paper] = []
    conflicts: list[Conflict] = []
    fresh: list[BibCandidate] = []
    claimed: dict[str, str] = {}  # slug -> source of the candidate that matched it
    for candidate in candidates:
        record = candidate.record
        matches = _matches(record, index)
        if not matches:
            fresh.append(candidate)
            continue
        problem = _ambiguous(record, matches, claimed)
        if problem is not None:
            conflicts.append(problem)
            continue
        paper = matches[0]
        claimed[paper.slug] = record.source
        changes, notes, found = compare_record(paper, record)
        conflicts.extend(found)
        if changes:
            updates.append(Update(paper, changes, tuple(notes), candidate.sources))
        else:
            unchanged.append(paper)
    new = _new_papers(fresh, existing, added, tagger, taken_slugs, progress)
    updates.sort(key=lambda u: u.paper.slug)
    unchanged.sort(key=lambda p: p.slug)
    return Plan(new, updates, unchanged, conflicts)


def _identity_index(existing: list[Paper]) -> dict[Key, Paper]:
    index: dict[Key, Paper] = {}
    for paper in existing:
        for key in identity_keys(paper):
            if key[0] != "slug":
                index.setdefault(key, paper)
        # A curator may reword a title; an untouched long abstract still identifies it.
        if len(paper.abstract) >= ABSTRACT_IDENTITY:
            index.setdefault(("abstract", paper.abstract), paper)
    return index


def _matches(record: BibRecord, index: dict[Key, Paper]) -> list[Paper]:
    keys = record_keys(record)
    if len(record.abstract) >= ABSTRACT_IDENTITY:
        keys.append(("abstract", record.abstract))
    found = {paper.slug: paper for key in keys if (paper := index.get(key)) is not None}
    return list(found.values())


def _ambiguous(record: BibRecord, matches: list[Paper], claimed: dict[str, str]) -> Conflict | None:
    """Why a record matching existing entries cannot be merged into one, if it cannot."""
    if len(matches) > 1:
        shown = " and ".join(_where(paper) for paper in matches)
        return Conflict(
            record.source,
            "entry",
            f"'{_short(record.title)}' is the same paper as {shown} (same title, arXiv id "
            "or DOI); left out: merge those entries first",
        )
    paper = matches[0]
    if paper.slug in claimed:
        return Conflict(
            record.source,
            "entry",
            f"'{_short(record.title)}' is the same paper as {_where(paper)}, which the "
            f"entry at {claimed[paper.slug]} already updates; left out",
        )
    return None


def compare_record(
    paper: Paper, record: BibRecord
) -> tuple[dict[str, object], list[str], list[Conflict]]:
    """(fields to set, what changes in words, conflicts) for an existing entry."""
    listing = Record(
        title=record.title,
        abstract=record.abstract,
        source=record.source,
        author_count=record.author_count,
        organization=record.organization,
        published=record.published,
    )
    changes, notes, conflicts = compare(paper, listing, record_is=RECORD_IS)
    for field, value, conflict in (*_names(paper, record), *_links(paper, record)):
        if conflict is not None:
            conflicts.append(conflict)
        else:
            changes[field] = value
            notes.append(f"{field} set to {_show(value)}")
    return changes, notes, conflicts


def _names(paper: Paper, record: BibRecord) -> list[Change]:
    if not record.authors:
        return []
    if not paper.authors and paper.author_count is None:
        return [("authors", record.authors, None)]
    if paper.authors:
        ours = paper.authors
        if record.authors_incomplete:  # "and others": the names given start the list
            ours = ours[: len(record.authors)]
        if ours != record.authors:
            why = _differs(paper, record, "authors", paper.authors, record.authors)
            return [("authors", None, why)]
    elif not record.authors_incomplete and paper.author_count != len(record.authors):
        theirs = f"{len(record.authors)} names"
        why = _differs(paper, record, "author_count", paper.author_count, theirs)
        return [("author_count", None, why)]
    return []


def _links(paper: Paper, record: BibRecord) -> list[Change]:
    if record.links == Links():
        return []
    if paper.links == Links():
        return [("links", record.links, None)]
    found: list[Change] = []
    for kind in LINK_KINDS:
        ours, theirs = getattr(paper.links, kind), getattr(record.links, kind)
        if ours and theirs and _link_key(kind, ours) != _link_key(kind, theirs):
            why = _differs(paper, record, f"links.{kind}", ours, theirs)
            found.append((f"links.{kind}", None, why))
    return found


def _link_key(kind: str, value: str) -> str:
    """A link as duplicates are found: arXiv ids without version, DOIs in any case."""
    if kind not in ("arxiv", "doi"):
        return value
    paper = Paper(slug="", title="", added=date.min, tags=(), links=Links(**{kind: value}))
    return identity_keys(paper)[-1][1]


def _differs(paper: Paper, record: BibRecord, field: str, ours: object, theirs: object) -> Conflict:
    return Conflict(
        _where(paper),
        field,
        f"the entry has {_show(ours)}, {RECORD_IS} ({record.source}) has "
        f"{_show(theirs)}; kept the entry's",
    )


def _new_papers(
    fresh: list[BibCandidate],
    existing: list[Paper],
    added: date,
    tagger: Tagger,
    taken_slugs: Iterable[str],
    progress: Progress | None,
) -> list[NewPaper]:
    """New entries, slugs allocated in title order so file order does not matter."""
    taken = set(taken_slugs) | {paper.slug for paper in existing}
    new: list[NewPaper] = []
    ordered = sorted(fresh, key=lambda c: (c.key, c.record.title))
    for done, candidate in enumerate(ordered, start=1):
        slug = unique_slug(candidate.record.title, taken)
        taken.add(slug)
        new.append(NewPaper(new_paper(candidate.record, slug, added, tagger), candidate.sources))
        if progress is not None:
            progress(done, len(ordered))
    return sorted(new, key=lambda n: n.paper.slug)


def new_paper(record: BibRecord, slug: str, added: date, tagger: Tagger) -> Paper:
    """A new entry for ``record``: tags from the tagger, else ``uncategorized``."""
    return Paper(
        slug=slug,
        title=record.title,
        added=added,
        tags=tagger(record) or (UNCATEGORIZED,),
        authors=record.authors,
        author_count=None if record.authors else record.author_count,
        organization=record.organization,
        published=record.published,
        abstract=record.abstract,
        links=record.links,
        notes=record.notes,
    )


def _where(paper: Paper) -> str:
    return display_path(paper.source) if paper.source else paper.slug


def _show(value: object) -> str:
    if isinstance(value, tuple):
        return "'" + _short(", ".join(map(str, value))) + "'"
    if isinstance(value, Links):
        kinds = [kind for kind in LINK_KINDS if getattr(value, kind)]
        return ", ".join(f"{kind} {getattr(value, kind)}" for kind in kinds)
    if isinstance(value, str):
        return f"'{_short(value)}'"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."

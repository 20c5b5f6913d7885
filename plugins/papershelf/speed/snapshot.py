"""What a quick build needs from the last mkdocs build: the *build snapshot*, and reading it.

It holds the theme shells, every generated page's spec with papers as numbers, each
paper's placement and card, and stamps of the inputs, so that a quick build can rebuild
the pages of an edit without mkdocs (:class:`SnapshotReader`).
Details: docs/architecture.md, "The build snapshot".
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from papershelf.entries.loader import identity_keys
from papershelf.entries.model import Paper, Tag
from papershelf.site.catalog import Catalog, Month
from papershelf.site.citations import base_key
from papershelf.site.pages import Pager, PageSpec
from papershelf.speed.placements import Placement
from papershelf.speed.theme_shells import Shell

# 2: dependents in the meta table; 3: identities; 4: entry stats; 5: placements,
# page index, splits of the pages made through the theme, cards; 6: papers numbered
# by slug (papershelf.site.search.numbered), the list's order in the catalog;
# 8: citation keys among the identities; 10: shells and cards of compact templates
FORMAT = 10
CITATION = "citation key"  # the kind of a paper's base citation key in its identities
# The snapshot path the mkdocs build writes to, beside the state path it writes (build.py
# moves both into place).
SUFFIX = ".snapshot.sqlite"

Variant = tuple[bool, bool]
ShellKey = tuple[int, str]
# A card (papershelf.site.cards) of an entry file: its path, level and whether it shows
# the added date, the digest of the file's contents it was made from, its HTML.
Card = tuple[str, int, bool, str, str]


class SnapshotError(ValueError):
    """Something in a spec the snapshot cannot encode."""


def snapshot_path(state_path: Path) -> Path:
    return state_path.with_name(state_path.name + SUFFIX)


def encode(value: Any, number: Mapping[int, int], refs: set[int]) -> Any:
    """A spec context value as JSON; papers (or papershelf.speed.placements.Placement stand-ins)
    become their numbers (``number``: ``id(paper)`` -> number;
    collected in ``refs``), the catalog a marker. Lists and tuples stay distinct."""
    kind = type(value)
    if kind is Paper or kind is Placement:
        ref = number[id(value)]
        refs.add(ref)
        return {"$p": ref}
    if value is None or kind in (str, int, bool):
        return value
    if kind is list or kind is tuple:
        if value and type(value[0]) in (Paper, Placement):  # lists of papers hold only papers
            ids = [number[id(paper)] for paper in value]
            refs.update(ids)
            return {"$ps": ids} if kind is list else {"$pt": ids}
        items = [encode(item, number, refs) for item in value]
        return {"$l": items} if kind is list else {"$t": items}
    if kind is dict:
        if not all(type(key) is str for key in value):
            raise SnapshotError(f"a dict with keys that are not strings: {list(value)[:3]}")
        return {"$d": [[key, encode(item, number, refs)] for key, item in value.items()]}
    if isinstance(value, Catalog):
        return {"$catalog": 0}
    if kind is Pager:
        return {"$pager": [value.number, value.count, list(value.urls), value.total_items]}
    if kind is Month:
        return {"$month": [value.year, value.month]}
    if kind is Tag:
        return {"$tag": value.id}
    raise SnapshotError(f"cannot keep a {kind.__name__} in the snapshot")


def decode(
    value: Any,
    paper: Callable[[int], Any],
    catalog: Any,
    tags: Mapping[str, Tag],
) -> Any:
    """Inverse of :func:`encode`: ``paper(number)`` gives the paper of a number."""
    if not isinstance(value, dict):
        return value
    ((tag, inner),) = value.items()
    if tag == "$p":
        return paper(inner)
    if tag == "$ps":
        return [paper(ref) for ref in inner]
    if tag == "$pt":
        return tuple(paper(ref) for ref in inner)
    if tag == "$l":
        return [decode(item, paper, catalog, tags) for item in inner]
    if tag == "$t":
        return tuple(decode(item, paper, catalog, tags) for item in inner)
    if tag == "$d":
        return {key: decode(item, paper, catalog, tags) for key, item in inner}
    if tag == "$catalog":
        return catalog
    if tag == "$pager":
        number, count, urls, total = inner
        return Pager(number, count, tuple(urls), total)
    if tag == "$month":
        return Month(*inner)
    if tag == "$tag":
        return tags[inner]
    raise SnapshotError(f"unknown value in the snapshot: {tag}")


def encode_spec(spec: PageSpec, how: str, number: Mapping[int, int], refs: set[int]) -> str:
    """A spec as JSON; ``how`` its page is made: "shell" (papershelf.speed.theme_shells), "home"
    (the hand-written home page, then the list) or "theme" (through mkdocs)."""
    return json.dumps(
        [
            spec.url,
            spec.template,
            spec.title,
            spec.description,
            spec.kind,
            encode(spec.context, number, refs),
            list(spec.feed_tags),
            how,
            spec.group,
        ],
        ensure_ascii=False,
    )


def decode_spec(
    data: list[Any], paper: Callable[[int], Any], catalog: Any, tags: Mapping[str, Tag]
) -> tuple[PageSpec, str]:
    """A spec from its parsed JSON (:func:`encode_spec`), and how it is made."""
    url, template, title, description, kind, context, feed_tags, how, group = data
    spec = PageSpec(
        url=url,
        template=template,
        title=title,
        description=description,
        kind=kind,
        context=decode(context, paper, catalog, tags),
        feed_tags=tuple(feed_tags),
        group=group,
    )
    return spec, how


def identities(paper: Paper) -> list[list[str]]:
    """What the duplicate check compares (papershelf.entries.loader.identity_keys) but the
    slug, which a quick build keeps; and the paper's citation key before clashes are
    resolved (papershelf.site.citations.base_key), which a quick build keeps too
    (papershelf.speed.quick.edits.check_citation_keys)."""
    found = [[kind, key] for kind, key in identity_keys(paper) if kind != "slug"]
    found.append([CITATION, base_key(paper)])
    return found


def spec_papers(data: list[Any]) -> set[int]:
    """The numbers of the papers a kept spec holds (its parsed JSON, :func:`encode_spec`)."""
    found: set[int] = set()
    stack = [data[5]]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ((tag, inner),) = item.items()
            if tag == "$p":
                found.add(inner)
            elif tag in ("$ps", "$pt"):
                found.update(inner)
            elif tag in ("$l", "$t"):
                stack.extend(inner)
            elif tag == "$d":
                stack.extend(entry for _, entry in inner)
    return found


def holds_catalog(spec: PageSpec) -> bool:
    """Whether a page's template is given the whole catalog (its key then holds the
    parts of the catalog's shape the template reads, page_fingerprints.CATALOG_READS)."""
    return any(isinstance(value, Catalog) for value in spec.context.values())


def numbered_catalog(catalog: Catalog, number: Mapping[int, int]) -> dict[str, Any]:
    """Every list of the catalog as paper numbers (JSON), the whole list too."""

    def numbers(papers: Iterable[Paper]) -> list[int]:
        return [number[id(paper)] for paper in papers]

    return {
        "papers": numbers(catalog.papers),
        "by_tag": [[tag, numbers(papers)] for tag, papers in catalog.by_tag.items()],
        "by_year": [[year, numbers(papers)] for year, papers in catalog.by_year.items()],
        "by_month": [[m.year, m.month, numbers(papers)] for m, papers in catalog.by_month.items()],
        "undated": numbers(catalog.undated),
        "by_org": [[key, numbers(papers)] for key, papers in catalog.by_org.items()],
        "org_names": [[key, name] for key, name in catalog.org_names.items()],
        # by paper number (a catalog of stand-ins has none: Moves keeps the last ones)
        "citation_keys": [
            catalog.citation_keys[paper.slug]
            for paper in sorted(catalog.papers, key=lambda paper: number[id(paper)])
        ]
        if catalog.citation_keys
        else [],
        # the papers on a reading path (their feeds are not quick builds' to make)
        "on_paths": sorted(number[id(catalog.by_slug[slug])] for slug in catalog.paths_of),
    }


def catalog_from_numbered(data: Mapping[str, Any], tags: Mapping[str, Tag]) -> Catalog:
    """A catalog whose lists hold paper numbers: the same names and counts as the
    real one (enough for templates and for page_fingerprints.catalog_fingerprint)."""
    return Catalog(
        papers=list(data["papers"]),
        tags=dict(tags),
        by_tag={tag: list(papers) for tag, papers in data["by_tag"]},
        by_year={int(year): list(papers) for year, papers in data["by_year"]},
        by_month={Month(year, month): list(papers) for year, month, papers in data["by_month"]},
        undated=list(data["undated"]),
        by_org={key: list(papers) for key, papers in data["by_org"]},
        org_names=dict(data["org_names"]),
    )


def file_signatures(paths: Iterable[Path]) -> list[list[Any]]:
    """Name, size and time of every file under ``paths`` (files or folders; a missing
    one is recorded as missing): any change to a hand-written input shows."""
    found: list[list[Any]] = []
    for root in sorted(set(paths)):
        if not root.exists():
            found.append([str(root), -1, -1])
            continue
        files = [root] if root.is_file() else sorted(_walk(root))
        for path in files:
            try:
                info = path.stat()
            except OSError:
                found.append([str(path), -1, -1])
                continue
            found.append([str(path), info.st_size, info.st_mtime_ns])
    return found


def _walk(folder: Path) -> Iterator[Path]:
    for directory, subfolders, names in os.walk(folder):
        subfolders.sort()
        for name in names:
            yield Path(directory, name)


@dataclass
class Snapshot:
    """The snapshot's small parts (the meta table); pages and their papers stay in the
    database until asked for (:meth:`SnapshotReader.specs`)."""

    build_id: str
    watched: list[str]  # inputs of the hand-written pages (files or folders)
    watched_signatures: list[list[Any]]  # their size, time and digest
    options: dict[str, Any]  # the plugin's options
    site: dict[str, str]  # site_name, site_description (template globals)
    feed_site: dict[str, str]  # papershelf.site.feeds.Site fields
    newest: str  # the newest entry time of the site (feeds' updated when empty)
    # entry paths (the entry cache's keys) by paper number: by slug, as the search
    # index numbers papers (papershelf.site.search.numbered), so a paper keeps its number
    # when an edit moves it up or down the list
    paths: list[str]
    identities: list[list[list[str]]]  # per paper: [kind, key] of loader.identity_keys
    # per paper: size, time and content digest of its entry file when this site was
    # built (the entry cache is shared with other sites and `make serve`: it may hold
    # a later version)
    entries: list[list[Any]]
    catalog: dict[str, Any]  # numbered_catalog
    linked: list[str]  # papershelf.speed.theme_shells.shell_key's folders
    handwritten: list[str]  # URLs of the hand-written pages (they win over generated ones)
    # source paths in mkdocs' nav (papershelf.speed.shell_pages.nav_paths): generated pages there
    # go through the theme, the others are filled into shells (a new page too)
    nav: list[str]
    shells: dict[ShellKey, dict[Variant, Shell] | None] = field(default_factory=dict)
    # The pages made through the theme, by URL: the page before and after its body
    # (the home page "": before and after its list of recent additions).
    splits: dict[str, tuple[str, str]] = field(default_factory=dict)

    def newest_time(self) -> datetime:
        return datetime.fromisoformat(self.newest)


_META = (
    "build_id",
    "watched",
    "watched_signatures",
    "options",
    "site",
    "feed_site",
    "newest",
    "paths",
    "identities",
    "entries",
    "catalog",
    "linked",
    "handwritten",
    "nav",
)
# Large parts read only by a quick build whose edit moves a paper (SnapshotReader.part).
# search_files: what the build knows of the search index in the site
# (papershelf.speed.search_patch.known_files), so that a patch need not read every file of it.
# related_terms: in how many papers each term is (papershelf.site.related.Relations), read
# by a quick build whose edit changes a title or an abstract.
PARTS = (
    "dependents",
    "placements",
    "page_index",
    "catalog_pages",
    "search_files",
    "related_terms",
)


def _shells_to_json(shells: Mapping[ShellKey, Mapping[Variant, Shell] | None]) -> Any:
    rows = []
    for (levels, shared), variants in sorted(shells.items()):
        if variants is None:
            rows.append([levels, shared, None])
            continue
        rows.append(
            [
                levels,
                shared,
                [
                    [heading, described, list(shell.parts), list(shell.slots)]
                    for (heading, described), shell in sorted(variants.items())
                ],
            ]
        )
    return rows


def _shells_from_json(rows: Any) -> dict[ShellKey, dict[Variant, Shell] | None]:
    shells: dict[ShellKey, dict[Variant, Shell] | None] = {}
    for levels, shared, variants in rows:
        shells[(levels, shared)] = (
            None
            if variants is None
            else {
                (heading, described): Shell(tuple(parts), tuple(slots))
                for heading, described, parts, slots in variants
            }
        )
    return shells


def write_snapshot(
    location: Path,
    snapshot: Snapshot,
    specs: Iterable[tuple[PageSpec, str]],
    number: Mapping[int, int],
    placements: list[list[Any]],
    cards: Iterable[Card] = (),
    related_terms: Mapping[str, int] | None = None,
) -> None:
    """Write a whole snapshot to ``location`` (replaced in one step): ``specs`` are the
    pages and how each is made (:func:`encode_spec`); ``number``: ``id(paper)`` ->
    its number (papershelf.site.search.numbered); ``placements``: by paper number
    (papershelf.speed.placements.placement_row)."""
    location.parent.mkdir(parents=True, exist_ok=True)
    partial = location.with_name(f".{location.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    connection = sqlite3.connect(partial)
    try:
        connection.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
            "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
            "CREATE TABLE pages (number INTEGER PRIMARY KEY, spec TEXT NOT NULL);"
            "CREATE TABLE cards (path TEXT, level INTEGER, added INTEGER, digest TEXT,"
            " html TEXT);"
        )
        pages = []
        # Paper number -> the pages made from it: one JSON list, read at once by a
        # quick build (a table of 120,000 rows took half a second to write).
        dependents: list[list[int]] = [[] for _ in range(len(snapshot.paths))]
        page_index: list[list[str]] = []  # page number -> URL, group
        catalog_pages: list[int] = []
        for page, (spec, how) in enumerate(specs):
            refs: set[int] = set()
            pages.append((page, encode_spec(spec, how, number, refs)))
            page_index.append([spec.url, spec.group])
            if holds_catalog(spec):
                catalog_pages.append(page)
            for paper in refs:
                dependents[paper].append(page)
        meta = {name: getattr(snapshot, name) for name in _META}
        meta["format"] = FORMAT
        meta["shells"] = _shells_to_json(snapshot.shells)
        meta["splits"] = {url: list(split) for url, split in sorted(snapshot.splits.items())}
        meta["dependents"] = dependents
        meta["placements"] = placements
        meta["page_index"] = page_index
        meta["catalog_pages"] = catalog_pages
        meta["search_files"] = {}  # the index is written beside: SnapshotRecorder.search_written
        meta["related_terms"] = dict(related_terms or {})
        connection.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [(name, json.dumps(value, ensure_ascii=False)) for name, value in meta.items()],
        )
        connection.executemany("INSERT INTO pages VALUES (?, ?)", pages)
        # Rows of 1.3 kB: a table with an index made after them was three times as
        # quick to write as one keyed by path (WITHOUT ROWID).
        connection.executemany("INSERT INTO cards VALUES (?, ?, ?, ?, ?)", cards)
        connection.execute("CREATE INDEX cards_by_path ON cards (path)")
        connection.commit()
    finally:
        connection.close()
    partial.replace(location)


def update_snapshot(
    location: Path,
    *,
    values: Mapping[str, Any],
    pages: Mapping[int, str] | None = None,
    cards: Iterable[Card] = (),
    removed: Iterable[int] = (),
) -> None:
    """After a quick build, in one transaction: ``values``: meta values replaced
    (entry stats, identities, placements, dependents, the catalog, the newest date,
    the page index); ``pages``: specs of the pages planned again or new, by page
    number (:func:`encode_spec`); ``cards``: cards it made; ``removed``: numbers of
    pages that went. :class:`SnapshotError` if the snapshot cannot be updated (the caller then
    drops it)."""
    try:
        connection = sqlite3.connect(location)
        try:
            with connection:
                connection.executemany(
                    "UPDATE meta SET value = ? WHERE name = ?",
                    [
                        (json.dumps(value, ensure_ascii=False), name)
                        for name, value in values.items()
                    ],
                )
                connection.executemany(
                    "INSERT OR REPLACE INTO pages VALUES (?, ?)", list((pages or {}).items())
                )
                connection.executemany(
                    "DELETE FROM pages WHERE number = ?", [(page,) for page in removed]
                )
                cards = list(cards)
                connection.executemany(
                    "DELETE FROM cards WHERE path = ? AND level = ? AND added = ?",
                    [card[:3] for card in cards],
                )
                connection.executemany("INSERT INTO cards VALUES (?, ?, ?, ?, ?)", cards)
        finally:
            connection.close()
    except (sqlite3.Error, ValueError, TypeError) as error:
        raise SnapshotError(f"the snapshot could not be updated: {error}") from None


def _card(row: Any) -> Card:
    path, level, added, digest, html = row
    return (path, level, bool(added), digest, html)


class SnapshotReader:
    """An open snapshot: :attr:`snapshot` at once, pages on demand."""

    def __init__(self, location: Path) -> None:
        """Open the snapshot at ``location``; :class:`SnapshotError` if there is none usable."""
        self.parts: dict[str, Any] = {}
        if not location.is_file():
            raise SnapshotError(f"there is no {location.name}")
        try:
            # As a URI (read-only), with characters like "?" or "#" in the path escaped.
            uri = location.resolve().as_uri() + "?mode=ro"
            self.connection = sqlite3.connect(uri, uri=True)
        except sqlite3.Error as error:
            raise SnapshotError(str(error)) from None
        try:
            marks = ",".join("?" * len(PARTS))
            rows = dict(
                self.connection.execute(
                    f"SELECT name, value FROM meta WHERE name NOT IN ({marks})", PARTS
                )
            )
            meta = {name: json.loads(value) for name, value in rows.items()}
            if meta.get("format") != FORMAT:
                raise ValueError("a snapshot of another format")
            self.snapshot = Snapshot(
                **{name: meta[name] for name in _META},
                shells=_shells_from_json(meta["shells"]),
                splits={url: (before, after) for url, (before, after) in meta["splits"].items()},
            )
        except (sqlite3.Error, ValueError, KeyError, TypeError) as error:
            self.connection.close()
            raise SnapshotError(f"{location.name} cannot be read: {error}") from None

    def part(self, name: str) -> Any:
        """One of the large parts (:data:`PARTS`), parsed once (callers must not
        change it); :class:`SnapshotError` if the snapshot cannot say."""
        if name not in self.parts:
            try:
                (text,) = self.connection.execute(
                    "SELECT value FROM meta WHERE name = ?", (name,)
                ).fetchone()
                self.parts[name] = json.loads(text)
            except (sqlite3.Error, ValueError, TypeError) as error:
                raise SnapshotError(f"the snapshot cannot be read: {error}") from None
        return self.parts[name]

    def dependents(self, papers: Iterable[int]) -> dict[int, str]:
        """Page number -> kept spec (encoded) of the pages made from these papers;
        :class:`SnapshotError` if the snapshot cannot say."""
        lists = self.part("dependents")
        try:
            wanted = {page for paper in set(papers) for page in lists[paper]}
        except (TypeError, IndexError) as error:
            raise SnapshotError(f"the snapshot cannot be read: {error}") from None
        return self.pages(wanted)

    def pages(self, numbers: Iterable[int]) -> dict[int, str]:
        """Page number -> kept spec (encoded); :class:`SnapshotError` if one is missing."""
        wanted = set(numbers)
        found = dict(self._rows_in("SELECT number, spec FROM pages WHERE number IN ({})", wanted))
        if len(found) != len(wanted):
            raise SnapshotError("pages are missing from the snapshot")
        return found

    def cards(self, entries: Mapping[str, str]) -> list[Card]:
        """The cards of these entry files (path -> digest of their contents) made
        from those contents; :class:`SnapshotError` if the snapshot cannot say."""
        rows = self._rows_in("SELECT * FROM cards WHERE path IN ({})", entries)
        return [_card(row) for row in rows if entries[row[0]] == row[3]]

    def all_cards(self) -> list[Card]:
        try:
            return [_card(row) for row in self.connection.execute("SELECT * FROM cards")]
        except sqlite3.Error as error:
            raise SnapshotError(f"the snapshot cannot be read: {error}") from None

    def _rows_in(self, query: str, values: Iterable[Any]) -> list[Any]:
        """The rows of ``query`` whose ``IN ({})`` is these values, asked 500 at a
        time (SQLite bounds the parameters of a statement); :class:`SnapshotError` if the
        snapshot cannot say."""
        wanted = sorted(set(values))
        rows: list[Any] = []
        try:
            for start in range(0, len(wanted), 500):
                batch = wanted[start : start + 500]
                marks = ",".join("?" * len(batch))  # only "?" marks go into the query
                rows.extend(self.connection.execute(query.format(marks), batch))
        except sqlite3.Error as error:
            raise SnapshotError(f"the snapshot cannot be read: {error}") from None
        return rows

    def close(self) -> None:
        self.connection.close()

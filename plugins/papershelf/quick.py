"""The quick ``papershelf build``: an edit of a few entries, rebuilt without mkdocs.

Most edits of a reading list fix a title or an abstract, add notes, authors or a
code link. Such an edit moves no paper (:func:`placement` is unchanged): the pages
it changes are exactly the pages whose key holds the paper
(papershelf.pages.spec_key): its own page, its neighbours', the list pages it is
on, perhaps the home page; plus the feeds that list it and a few files of the
search index. Going through mkdocs for those costs seconds at 10,000 papers (its
start, its file list, the plan of every page); here they are rebuilt from the kit
the last mkdocs build left (papershelf.kit): the same body templates
(papershelf.rendering), the theme shells it cut (papershelf.shells) or the pages
it made through the theme cut around their body, the search index patched
(papershelf.search.patch_index).

An edit of a tag, the organisation, the votes or a date *moves* the paper between
lists, and the other papers of those lists shift on their pages. The new lists
are made from the kit's placements (papershelf.moves) and only their pages are
planned again (``plan_pages(groups=...)``); a page whose plan is unchanged and
holds no edited paper stays as it is.

Anything else raises :class:`NotQuickError` before a file is written, and the CLI runs
the mkdocs build as before: no kit or another build's kit, a hand-written input
touched, an entry added, removed, renamed or with a problem, an edit that changes
the order of the list (the numbers of papers in the kit, the search index and the
feeds) or adds or removes a list (a month, an organisation: pages outside the lists
planned again link to them), a page whose shell the kit lacks. A list that grows or
shrinks by a page is quick: the page is written or deleted and the sitemaps written
again.
Like every ``papershelf build``, the result is written beside the site and moved in
only when complete; ``tests/test_quick.py`` compares it byte for byte with a clean
build.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import jinja2
from markupsafe import escape

from papershelf.catalog import Catalog
from papershelf.entry_cache import (
    Entry,
    content_digest,
    default_location,
    read_papers,
    read_stats,
    salt,
    write_entries,
)
from papershelf.feeds import (
    FeedLinks,
    Site,
    entry_datetime,
    feed_links,
    feed_source,
    make_item,
    plan_feeds,
    render_feed,
)
from papershelf.incremental import (
    BuildState,
    Digester,
    entry_token,
    merge_into,
    site_stamp,
    staging_folder,
    write_outputs,
)
from papershelf.kit import (
    Card,
    Kit,
    KitError,
    KitReader,
    catalog_from_hollow,
    decode_spec,
    encode_spec,
    holds_catalog,
    hollow_catalog,
    identities,
    kit_path,
    spec_papers,
    stamp,
    update_kit,
)
from papershelf.loader import load_entry
from papershelf.model import Paper, Tag
from papershelf.moves import Placed, keeps_order, placed_catalog, placement_row
from papershelf.pages import (
    INDEX,
    PageSpec,
    Settings,
    catalog_shape,
    home_spec,
    list_groups,
    paper_spec,
    plan_pages,
    reads_changed,
    spec_key,
    tag_url,
)
from papershelf.rendering import TEMPLATES, BodyRenderer, compiled_templates
from papershelf.search import patch_index, write_patch
from papershelf.shells import HEAD_TEMPLATE, page_bytes, shell_key, variant
from papershelf.sitemaps import scoped_sitemaps
from papershelf.timing import stage
from papershelf.vocabulary import load_vocabulary

# More pages than this share of the site: not an edit of a few entries, build it all.
MOST_PAGES = 0.3


Edit = tuple[int, Paper, Paper]  # paper number, before, after


class NotQuickError(Exception):
    """This build needs mkdocs; the message says why (``papershelf build --verbose`` shows it)."""


@dataclass(frozen=True)
class Outcome:
    """What a quick build wrote."""

    entries: int  # entries whose contents changed
    pages: int
    feeds: int  # feed files
    search_patched: bool

    def __str__(self) -> str:
        if not self.entries:
            return "nothing changed"
        entries = f"{self.entries} entr{'y' if self.entries == 1 else 'ies'} changed"
        written = f"{self.pages} page{'s' if self.pages != 1 else ''}"
        written += f" and {self.feeds} feed file{'s' if self.feeds != 1 else ''} rewritten"
        return f"{entries}: {written}" + (", search index patched" if self.search_patched else "")


def placement(paper: Paper) -> tuple[Any, ...]:
    """Everything of a paper that decides where it goes: its URL, its place in the
    list (dates, then slug), the lists it is on (tags, organisation) and its place in
    the most-voted orders. An edit that changes it moves the paper (:class:`_Moves`).
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


def rebuild(config_file: Path, site_dir: Path, state_path: Path, state: BuildState) -> Outcome:
    """Rebuild ``site_dir`` after edits of a few entries, or raise :class:`NotQuickError`.

    ``state`` is the last build's, already checked by the CLI against mkdocs.yml,
    the installed versions and the site folder (build_tools/build.py). Updates the
    state and the entry cache when it succeeds."""
    if not state.kit:
        raise NotQuickError("the last build left no kit")
    try:
        reader = KitReader(kit_path(state_path))
    except KitError as error:
        raise NotQuickError(f"no usable kit ({error})") from None
    # A short run that makes few cycles: the cyclic collector would walk the lists
    # of 10,000 papers again and again (and in a forked helper, copy their memory).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _rebuild(reader, config_file, site_dir, state_path, state)
    except KitError as error:
        raise NotQuickError(str(error)) from None
    finally:
        reader.close()
        if collecting:
            gc.enable()


def _rebuild(
    reader: KitReader, config_file: Path, site_dir: Path, state_path: Path, state: BuildState
) -> Outcome:
    kit = reader.kit
    if kit.build_id != state.kit:
        raise NotQuickError("the kit is another build's")
    if stamp(Path(path) for path in kit.watched) != kit.surroundings:
        raise NotQuickError("a hand-written page, the vocabulary or a watched file changed")
    root = config_file.parent
    papers_dir = root / kit.options["papers_dir"]
    tags_file = root / kit.options["tags_file"]
    with stage("load"):
        entries = _Entries(default_location(root), salt(tags_file), kit)
        changed = entries.changed_files(papers_dir)
        if not changed:
            return Outcome(0, 0, 0, False)
        vocabulary, problems = load_vocabulary(tags_file)
        if problems:
            raise NotQuickError("the vocabulary has problems")
        edits = entries.edits(changed, vocabulary)
        if not edits:  # touched, not changed
            entries.save()
            _update_kit(state_path, state, {"entries": _changed(kit.entries, entries.built_now)})
            state.write(state_path)
            return Outcome(0, 0, 0, False)
        check_identities(kit.identities, edits)
    with stage("catalog"):
        moves = _Moves.of(reader, vocabulary.tags, edits)
    site = _SiteParts(kit, vocabulary.tags, reader, edits, entries, moves)
    with stage("pages"):
        outputs, pages = site.pages(state.pages)
    with stage("feeds"):
        feeds, feed_digests = site.feeds(state.feeds)
    staging = staging_folder(site_dir)
    try:
        with stage("search"):
            patched = site.search(site_dir, staging)
        with stage("write"):
            write_outputs(staging, {**outputs, **feeds, **site.sitemaps()})
            try:
                removed = sorted(site.removed)
                merge_into(staging, site_dir, removed, owned=("search",) if patched else ())
            except BaseException:
                state_path.unlink(missing_ok=True)  # a site half merged: the next build is full
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    with stage("state"):
        if site.added or site.removed:  # the sitemaps were written again
            state.stamp = site_stamp(site_dir)
        _remember(reader, state_path, state, entries, edits, moves, site, pages, feed_digests)
    return Outcome(len(edits), len(outputs), len(feeds), patched)


def _remember(
    reader: KitReader,
    state_path: Path,
    state: BuildState,
    entries: _Entries,
    edits: list[Edit],
    moves: _Moves | None,
    site: _SiteParts,
    pages: dict[str, str],
    feeds: dict[str, str],
) -> None:
    """The entry cache, the kit and the state after a quick build: what the next
    build compares with."""
    entries.save()
    kit = reader.kit
    values: dict[str, Any] = {"entries": _changed(kit.entries, entries.built_now)}
    renamed = {n: identities(new) for n, old, new in edits if identities(old) != identities(new)}
    if renamed:
        values["identities"] = _changed(kit.identities, renamed)
    if moves is not None:
        values["placements"] = moves.rows
        values["catalog"] = moves.hollow
        values["newest"] = moves.newest.isoformat()
    if site.dependents:
        values["dependents"] = _changed(reader.part("dependents"), site.dependents)
    if site.added or site.removed:
        values["page_index"] = site.page_index()
        gone = set(site.removed.values())
        shown = [page for page in reader.part("catalog_pages") if page not in gone]
        values["catalog_pages"] = [*shown, *site.added_with_catalog]
    removed = sorted(site.removed.values())
    _update_kit(state_path, state, values, site.kit_pages, site.kit_cards, removed)
    for url in site.removed:
        state.pages.pop(url, None)
    state.pages.update(pages)
    state.feeds.update(feeds)
    state.write(state_path)


def _changed(values: list[Any], changes: dict[int, Any]) -> list[Any]:
    """A copy of a list of the kit with the items at these indexes changed."""
    found = list(values)
    for index, value in changes.items():
        found[index] = value
    return found


def _update_kit(
    state_path: Path,
    state: BuildState,
    values: dict[str, Any],
    pages: dict[int, str] | None = None,
    cards: Sequence[Card] = (),
    removed: Sequence[int] = (),
) -> None:
    """The kit follows what this build was made from (papershelf.kit.update_kit); if
    it cannot, the state stops naming it, and the next build goes through mkdocs."""
    try:
        update_kit(kit_path(state_path), values=values, pages=pages, cards=cards, removed=removed)
    except KitError:
        state.kit = ""


@dataclass
class _Moves:
    """The lists after edits that move papers (papershelf.moves), and the groups of
    pages (papershelf.pages.PageSpec.group) they can change."""

    rows: list[Any]  # placements by paper number (papershelf.moves.placement_row)
    placed: Catalog  # of papershelf.moves.Placed
    hollow: dict[str, Any]  # papershelf.kit.hollow_catalog of it
    groups: set[str]
    newest: datetime

    @classmethod
    def of(cls, reader: KitReader, tags: dict[str, Tag], edits: list[Edit]) -> _Moves | None:
        """None when no edit moves its paper."""
        moved = [(old, new) for _, old, new in edits if placement(old) != placement(new)]
        if not moved:
            return None
        rows = list(reader.part("placements"))
        for number, _, new in edits:
            rows[number] = placement_row(new)
        placed = placed_catalog(rows, tags)
        if not keeps_order(placed):
            raise NotQuickError("an edit changes the order of the list")
        groups = {INDEX}
        for old, new in moved:
            groups |= list_groups(old) | list_groups(new)
        newest = reader.kit.newest_time()
        if any((old.added, old.published) != (new.added, new.published) for old, new in moved):
            newest = max(map(entry_datetime, placed.papers))  # type: ignore[arg-type]
        number = {id(paper): paper.number for paper in placed.papers}
        return cls(rows, placed, hollow_catalog(placed, number), groups, newest)


class _Entries:
    """The entry files as this site was built from them (the kit) and as they are
    now, and the entry cache for their papers: which files changed, their papers
    before and after, and the papers of the pages to rebuild.

    The entry cache is shared by every site built from the project and by ``make
    serve``, so it may hold a later version of an entry than this site was built
    from: a paper is read from it only when its digest is the one this site was
    built from (else the build goes through mkdocs, which compares page digests)."""

    def __init__(self, location: Path, cache_salt: str, kit: Kit) -> None:
        self.location = location
        self.salt = cache_salt
        stats = read_stats(location, cache_salt)
        if stats is None:
            raise NotQuickError("no entry cache")
        self.cached = stats
        self.paths: Sequence[str] = kit.paths
        self._numbers: dict[str, int] | None = None
        self.built = kit.entries  # by paper number: size, time, digest
        self.to_save: dict[str, Entry] = {}
        self.built_now: dict[int, list[Any]] = {}  # what this build is made from
        self.edited: dict[int, Paper] = {}

    def changed_files(self, papers_dir: Path) -> list[tuple[int, Path]]:
        """Entry files whose size or time differ from this site's last build (the
        same files as papershelf.loader.entry_files, without a Path object for each)."""
        folder = str(papers_dir)
        found: dict[str, tuple[int, int]] = {}
        try:
            with os.scandir(folder) as scan:
                for entry in scan:
                    if entry.is_file() and not entry.name.startswith("."):
                        info = entry.stat()  # entry.path: the folder joined with the name
                        found[entry.path] = (info.st_size, info.st_mtime_ns)
        except OSError as error:
            raise NotQuickError(f"cannot list {papers_dir}: {error}") from None
        if len(found) != len(self.paths) or found.keys() != set(self.paths):
            raise NotQuickError("entries were added, removed or renamed")
        return [
            (number, Path(path))
            for number, path in enumerate(self.paths)
            if found[path] != tuple(self.built[number][:2])
        ]

    def edits(self, changed: list[tuple[int, Path]], vocabulary: Any) -> list[Edit]:
        """Load the changed entries; refuse when one has problems (the full build
        reports them) or moves its paper (:func:`placement`)."""
        before = self.papers([number for number, _ in changed])
        found: list[Edit] = []
        for number, path in changed:
            try:
                info = path.stat()
                data = path.read_bytes()
            except OSError as error:
                raise NotQuickError(f"cannot read {path}: {error}") from None
            digest = content_digest(data)
            old = before[number]
            self.built_now[number] = [info.st_size, info.st_mtime_ns, digest]
            if digest == self.built[number][2]:  # touched (a checkout): same contents
                self.to_save[str(path)] = Entry(info.st_size, info.st_mtime_ns, digest, old)
                continue
            paper, problems = load_entry(path, vocabulary, data)
            if problems or paper is None:
                raise NotQuickError(f"{path} has problems")
            if paper.slug != old.slug:
                raise NotQuickError(f"the edit of {path} moves its page to another address")
            self.to_save[str(path)] = Entry(info.st_size, info.st_mtime_ns, digest, paper)
            if paper != old:
                found.append((number, old, paper))
                self.edited[number] = paper
        return found

    def papers(self, numbers: Iterable[int]) -> dict[int, Paper]:
        """The papers at these numbers: edited ones as they are now, the others as
        this site was built from them."""
        asked = set(numbers)
        wanted = sorted(asked - set(self.edited))
        paths = [self.paths[n] for n in wanted]
        for number, path in zip(wanted, paths, strict=True):
            cached = self.cached.get(path)
            if cached is None or cached[2] != self.built[number][2]:
                raise NotQuickError(f"the entry cache has another version of {path}")
        by_path = read_papers(self.location, self.salt, paths)
        if by_path is None or len(by_path) != len(set(paths)):
            raise NotQuickError("papers missing from the entry cache")
        found = {n: by_path[self.paths[n]] for n in wanted}
        found.update((n, paper) for n, paper in self.edited.items() if n in asked)
        return found

    def number(self, path: str) -> int:
        """The paper number of an entry file."""
        if self._numbers is None:
            self._numbers = {path: n for n, path in enumerate(self.paths)}
        return self._numbers[path]

    def digest(self, number: int) -> str:
        """The digest of an entry file's contents as this build makes it."""
        now = self.built_now.get(number)
        return now[2] if now is not None else self.built[number][2]

    def save(self) -> None:
        if self.to_save:
            write_entries(self.location, self.salt, self.to_save)


class _SiteParts:
    """Pages, feeds and search index of one quick build; and what the kit then
    needs to learn of its pages (:attr:`kit_pages`, :attr:`dependents`)."""

    def __init__(
        self,
        kit: Kit,
        tags: dict[str, Tag],
        reader: KitReader,
        edits: list[Edit],
        entries: _Entries,
        moves: _Moves | None,
    ) -> None:
        self.kit = kit
        self.tags = tags
        self.reader = reader
        self.edits = edits
        self.edited = {number for number, _, _ in edits}
        self.entries = entries
        self.moves = moves
        self.before: Catalog = catalog_from_hollow(kit.catalog, tags)
        self.catalog = self.before if moves is None else catalog_from_hollow(moves.hollow, tags)
        self.digester = Digester(self._token)
        self.linked = set(kit.linked)
        self.feed_site = Site(**kit.feed_site)
        self.kit_pages: dict[int, str] = {}  # page number -> its spec, when planned anew
        self.kit_cards: list[Card] = []  # the cards it made
        self.added: dict[int, list[str]] = {}  # new pages: number -> URL, group
        self.removed: dict[str, int] = {}  # pages that go: URL -> number
        self.added_with_catalog: list[int] = []  # new pages given the whole catalog
        self.dependents: dict[int, list[int]] = {}  # paper number -> its pages, if changed

    def pages(self, previous: dict[str, str]) -> tuple[dict[str, bytes], dict[str, str]]:
        """Files of the pages made from an edited paper or planned anew, and their
        new key digests."""
        # page number -> its spec as planned now and as kept in the kit (parsed; None
        # for a new page)
        made: dict[int, tuple[list[Any], list[Any] | None]] = {}
        for page, text in self.reader.dependents(self.edited).items():
            data = json.loads(text)
            made[page] = (data, data)
        with stage("pages: plan"):
            planned = self._planned() if self.moves is not None else {}
        made.update(planned)
        if len(made) > max(MOST_PAGES * len(previous), 100):
            raise NotQuickError("most pages changed")
        # After a move, list pages are made of stand-ins (their cards come from the
        # kit); the papers themselves are read for paper pages, and for cards the kit
        # lacks (edited papers).
        stand_ins: list[Any] = self.moves.placed.papers if self.moves is not None else []
        shown: set[int] = set()
        read: set[int] = set()
        for data, _ in made.values():
            numbers = spec_papers(data)
            shown |= numbers
            if not stand_ins or data[4] == "paper":
                read |= numbers
        with stage("pages: papers"):
            papers = self.entries.papers(read)
        number = {id(paper): n for n, paper in papers.items()}
        number.update((id(paper), paper.number) for paper in stand_ins)
        jobs: list[_Job] = []
        for page, (data, old) in sorted(made.items()):
            source = papers if not stand_ins or data[4] == "paper" else stand_ins
            spec, how = decode_spec(data, source.__getitem__, self.catalog, self.tags)
            spec = _fresh(spec)
            if page in planned:
                self._learn(page, old, encode_spec(spec, how, number, set()))
            jobs.append(_Job(spec, how, old))
        bodies = BodyRenderer()
        bodies.env.bytecode_cache = compiled_templates()
        bodies.start_build(self.catalog)
        bodies.cards.resolve = self._paper
        with stage("pages: cards"):
            given = [*papers.items(), *((n, stand_ins[n]) for n in shown if stand_ins)]
            self._give_cards(bodies, given)
        found = self._render(jobs, previous, bodies)
        self.kit_cards = []
        for (paper, level, added), html in bodies.cards.cards().items():
            if (paper, level, added) in bodies.cards.fresh:
                n = number[id(paper)]
                digest = self.entries.digest(n)
                self.kit_cards.append((self.entries.paths[n], level, added, digest, html))
        return found

    def page_index(self) -> list[list[str | None]]:
        """The kit's page index after this build: new pages at the end, the pages that
        went as [None, None] (their numbers stay with the others)."""
        index: list[list[str | None]] = list(self.reader.part("page_index"))
        for page in self.removed.values():
            index[page] = [None, None]
        index.extend(entry for _, entry in sorted(self.added.items()))
        return index

    def sitemaps(self) -> dict[str, bytes]:
        """The sitemaps, when pages came or went (they list every URL of the site)."""
        if not (self.added or self.removed):
            return {}
        urls = [*self.kit.handwritten, *(url for url, _ in self.page_index() if url is not None)]
        folders = ["", *(tag_url(tag) for tag in self.tags)]
        return scoped_sitemaps(urls, folders, self.feed_site.url)

    def _paper(self, paper: Any) -> Paper:
        """The paper a stand-in (papershelf.moves.Placed) stands for."""
        if type(paper) is not Placed:
            return paper
        return self.entries.papers([paper.number])[paper.number]

    def _token(self, paper: Any) -> bytes:
        """A paper in page and feed keys: its entry file (as the plugin has it)."""
        placed = type(paper) is Placed
        number = paper.number if placed else self.entries.number(str(paper.source))
        return entry_token(self.entries.paths[number], self.entries.digest(number))

    def _give_cards(self, bodies: BodyRenderer, papers: Iterable[tuple[int, Any]]) -> None:
        """The cards that the kit has of these papers (number, the paper or its
        stand-in), made from their entries as they are now."""
        holders: dict[str, list[Any]] = {}
        for n, paper in papers:
            holders.setdefault(self.entries.paths[n], []).append(paper)
        digests = {path: self.entries.digest(self.entries.number(path)) for path in holders}
        bodies.cards.give(
            {
                (paper, level, added): html
                for path, level, added, _, html in self.reader.cards(digests)
                for paper in holders[path]
            }
        )

    def _render(
        self, jobs: Sequence[_Job], previous: dict[str, str], bodies: BodyRenderer
    ) -> tuple[dict[str, bytes], dict[str, str]]:
        """The files of these pages that changed, and every one's key digest."""
        head = _Heads(feed_links(self.catalog, self.feed_site))
        token = catalog_shape(self.catalog)
        outputs: dict[str, bytes] = {}
        digests: dict[str, str] = {}
        for spec, how, old in jobs:
            file = f"{spec.url}index.html"
            if how == "home":  # not a page of mkdocs' file list: no key, always made
                outputs[file] = page_bytes(self._split(spec, old, how, bodies))
                continue
            digest = Digester.plain(spec_key(spec, token, self.digester.paper))
            digests[spec.url] = digest
            if previous.get(spec.url) == digest:
                continue
            if how == "shell":
                body = bodies.render(spec, self.catalog, self.kit.site)
                outputs[file] = page_bytes(self._page(spec, body, head))
            else:
                outputs[file] = page_bytes(self._split(spec, old, how, bodies))
        return outputs, digests

    def _planned(self) -> dict[int, tuple[list[Any], list[Any] | None]]:
        """After edits that move papers: the pages of the lists they left or joined,
        planned again from the new lists, whose plan changed or that hold an edited
        paper; and the pages given the whole catalog whose part of its shape changed.
        By page number: the spec as planned now and as kept in the kit (parsed,
        papershelf.kit.encode_spec)."""
        assert self.moves is not None
        moves, kit = self.moves, self.kit
        index: list[list[str]] = self.reader.part("page_index")
        old = {url: page for page, (url, group) in enumerate(index) if group in moves.groups}
        settings = Settings(kit.options["page_size"], kit.options["home_recent"])
        handwritten = set(kit.handwritten)
        specs = [
            spec
            for spec in plan_pages(
                moves.placed, settings, home="" not in handwritten, groups=moves.groups
            )
            if spec.url not in handwritten
        ]
        if "" in handwritten and "" in old:  # the recent additions under a hand-written home
            specs.append(home_spec(moves.placed, settings))
        texts = self.reader.pages(old.values())
        new = self._pages_come_and_go(specs, old, index, texts)
        number = {id(paper): paper.number for paper in moves.placed.papers}
        found: dict[int, tuple[list[Any], list[Any] | None]] = {}
        for spec in specs:
            page = old.get(spec.url)
            if page is None:  # a new page of a list: made like the list's other pages
                page = len(index) + len(self.added)
                self.added[page] = [spec.url, spec.group]
                if holds_catalog(spec):
                    self.added_with_catalog.append(page)
                found[page] = (json.loads(encode_spec(spec, new[spec.url], number, set())), None)
                continue
            text = texts[page]
            kept = json.loads(text)
            refs: set[int] = set()
            now = encode_spec(spec, kept[7], number, refs)
            if now != text or refs & self.edited or holds_catalog(spec):
                found[page] = (json.loads(now), kept)
        before, after = catalog_shape(self.before), catalog_shape(self.catalog)
        if before != after:
            shown = [page for page in self.reader.part("catalog_pages") if page not in found]
            for page, text in self.reader.pages(shown).items():
                kept = json.loads(text)
                if reads_changed(kept[1], before, after):
                    found[page] = (kept, kept)
        return found

    def _pages_come_and_go(
        self,
        specs: list[PageSpec],
        old: dict[str, int],
        index: list[list[str]],
        texts: dict[int, str],
    ) -> dict[str, str]:
        """When a list grows or shrinks by a page (the lists stay): the new pages'
        URLs and how each is made (as its list's other pages; kept in
        :attr:`removed` the pages that go). Lists that appear or go (a month, an
        organisation) change pages outside the lists planned again (the archive's
        neighbouring months): :class:`NotQuickError`."""
        now = {spec.url: spec.group for spec in specs}
        if now.keys() == old.keys():
            return {}
        if set(now.values()) != {index[page][1] for page in old.values()}:
            raise NotQuickError("an edit adds or removes a list (a month, an organisation)")
        how = {index[page][1]: json.loads(texts[page])[7] for page in old.values()}
        new = {url: how[group] for url, group in now.items() if url not in old}
        if any(made != "shell" for made in new.values()):
            raise NotQuickError("a list made through the theme grows by a page")
        self.removed = {url: page for url, page in old.items() if url not in now}
        for page in self.removed.values():
            self._learn(page, json.loads(texts[page]), None)
        return new

    def _learn(self, page: int, old: list[Any] | None, text: str | None) -> None:
        """Keep a page's new spec for the kit (None: the page goes), and which papers
        it now holds."""
        if text is not None:
            self.kit_pages[page] = text
        before = spec_papers(old) if old is not None else set()
        after = spec_papers(json.loads(text)) if text is not None else set()
        if before == after:
            return
        lists = self.reader.part("dependents")
        for paper in before - after:
            pages = self.dependents.get(paper, lists[paper])
            self.dependents[paper] = [other for other in pages if other != page]
        for paper in after - before:
            self.dependents[paper] = [*self.dependents.get(paper, lists[paper]), page]

    def _split(self, spec: PageSpec, data: list[Any] | None, how: str, bodies: BodyRenderer) -> str:
        """A page made through the theme, filled into the last build's output of it:
        its title, description and feeds must be the same."""
        split = self.kit.splits.get(spec.url)
        if data is None:
            raise NotQuickError(f"the new page {spec.url} goes through the theme")
        old_title, old_description, old_feed_tags = data[2], data[3], data[6]
        if split is None or (spec.title, spec.description, list(spec.feed_tags)) != (
            old_title,
            old_description,
            old_feed_tags,
        ):
            raise NotQuickError(f"the page {spec.url or 'home'} goes through the theme")
        body = bodies.render(spec, self.catalog, self.kit.site, standalone=how != "home")
        return split[0] + body + split[1]

    def _page(self, spec: PageSpec, body: str, heads: _Heads) -> str:
        description = str(escape(spec.description))
        variants = self.kit.shells.get(shell_key(spec.url, self.linked))
        shell = variants.get(variant(body, description)) if variants else None
        if shell is None:
            raise NotQuickError(f"the kit has no theme shell for {spec.url}")
        values = {
            "title": str(escape(spec.title)),
            "description": description,
            "url": spec.url,
            "body": body,
            "head": heads(spec.feed_tags),
        }
        return shell.fill(values)

    def feeds(self, previous: dict[str, str]) -> tuple[dict[str, bytes], dict[str, str]]:
        """Files of the feeds that list an edited paper or whose list changed, and
        their new digests."""
        length = self.kit.options["feed_length"]

        def lists(catalog: Catalog) -> dict[str, list[int]]:
            found = {"": catalog.papers[:length]}
            found.update((tag, papers[:length]) for tag, papers in catalog.by_tag.items())
            return found

        now, before = lists(self.catalog), lists(self.before)
        touched = {
            name: numbers
            for name, numbers in now.items()
            if self.edited & set(numbers) or numbers != before.get(name)
        }
        if not touched:
            return {}, {}
        papers = self.entries.papers(n for numbers in touched.values() for n in numbers)
        shown = Catalog(
            papers=[papers[n] for n in touched.get("", [])],
            tags=self.tags,
            by_tag={tag: [papers[n] for n in touched.get(tag, [])] for tag in self.tags},
        )
        site = self.feed_site
        newest = self.kit.newest_time() if self.moves is None else self.moves.newest
        folders = {"" if name == "" else f"tags/{name}/" for name in touched}
        files: dict[str, bytes] = {}
        digests: dict[str, str] = {}
        for feed in plan_feeds(shown, site, length):
            if feed.folder not in folders:
                continue
            source = feed_source(feed, site, self.tags, newest)
            digest = digests[feed.folder] = self.digester(source)
            if previous.get(feed.folder) == digest:
                continue
            items = [make_item(paper, site, self.tags) for paper in feed.papers]
            files.update(render_feed(feed, site, items, fallback=newest))
        return files, digests

    def search(self, site_dir: Path, staging: Path) -> bool:
        """The search index patched into ``staging``; False when the site has none."""
        if not self.kit.options.get("search_index", True):
            return False

        def papers_at(numbers: Sequence[int]) -> list[Paper]:
            found = self.entries.papers(numbers)
            return [found[n] for n in numbers]

        patch = patch_index(site_dir, self.edits, self.tags, papers_at)
        if patch is None:
            raise NotQuickError("the search index in the site cannot be patched")
        write_patch(patch, site_dir, staging)
        return True


class _Job(NamedTuple):
    """A page to make: its spec, how (papershelf.kit.encode_spec) and its kept spec."""

    spec: PageSpec
    how: str
    old: list[Any] | None  # None: a new page


class _Heads:
    """The feed links of a page's ``<head>`` (papershelf.shells.HEAD_TEMPLATE), as
    the theme renders them: a function of the site's feeds and the page's tags."""

    def __init__(self, feeds: dict[str, FeedLinks]) -> None:
        # mkdocs' theme environment: no autoescaping (the template escapes with |e).
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            auto_reload=False,
            bytecode_cache=compiled_templates(),
        )
        self.template = env.get_template(HEAD_TEMPLATE)
        self.feeds = feeds
        self.made: dict[tuple[str, ...], str] = {}

    def __call__(self, feed_tags: tuple[str, ...]) -> str:
        head = self.made.get(feed_tags)
        if head is None:
            context = {"papershelf_feeds": self.feeds, "papershelf_feed_tags": feed_tags}
            head = self.made[feed_tags] = self.template.render(context)
        return head


def _fresh(spec: PageSpec) -> PageSpec:
    """A paper page planned again from its paper: its description is made from the
    abstract, which may have changed (other pages' titles and descriptions are made
    from what :func:`placement` keeps)."""
    if spec.kind != "paper":
        return spec
    context = spec.context
    return paper_spec(context["paper"], context["newer"], context["older"])

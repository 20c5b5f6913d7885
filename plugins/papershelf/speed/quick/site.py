"""The pages, feeds, sitemaps and search index of a quick build (papershelf.speed.quick)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import jinja2
from markupsafe import escape

from papershelf.entries.model import Paper, Tag
from papershelf.site.catalog import Catalog
from papershelf.site.collections import INDEX_URL as COLLECTIONS_URL
from papershelf.site.exports import LIST_FILES, PaperExports, splice
from papershelf.site.feeds import (
    FeedLinks,
    Site,
    feed_links,
    feed_source,
    make_item,
    plan_feeds,
    render_feed,
)
from papershelf.site.head_meta import HeadMeta
from papershelf.site.pages import (
    COLLECTIONS,
    STATS,
    PageSpec,
    Settings,
    home_spec,
    paper_spec,
    paper_url,
    plan_pages,
    stats_spec_of,
    tag_url,
    with_neighbours,
)
from papershelf.site.rendering import TEMPLATES, BodyRenderer
from papershelf.site.search import invert
from papershelf.site.sitemaps import (
    list_lastmods,
    page_dates,
    paper_lastmod,
    paper_lastmods,
    site_sitemaps,
)
from papershelf.site.stats import Counts, count_papers
from papershelf.site.templating import compact
from papershelf.speed.build_state import MOST_PAGES, Digester, entry_fingerprint
from papershelf.speed.compiled_templates import compiled_templates
from papershelf.speed.page_fingerprints import catalog_fingerprint, page_fingerprint, reads_changed
from papershelf.speed.placements import Placement
from papershelf.speed.quick.edits import Edit, NotQuickError
from papershelf.speed.quick.entries import EntryVersions
from papershelf.speed.quick.moving import Moves
from papershelf.speed.search_patch import IndexPatch, known_files, patch_index, write_patch
from papershelf.speed.snapshot import (
    Card,
    Snapshot,
    SnapshotReader,
    catalog_from_numbered,
    decode,
    decode_spec,
    encode_spec,
    holds_catalog,
    spec_papers,
)
from papershelf.speed.theme_shells import HEAD_TEMPLATE, page_bytes, shell_key, variant
from papershelf.speed.timing import stage


class SiteParts:
    """Pages, feeds and search index of one quick build; and what the snapshot then
    needs to learn of its pages (:attr:`kit_pages`, :attr:`dependents`)."""

    def __init__(
        self,
        snapshot: Snapshot,
        tags: dict[str, Tag],
        reader: SnapshotReader,
        edits: list[Edit],
        entries: EntryVersions,
        moves: Moves | None,
        cite_keys: dict[int, str],
    ) -> None:
        self.snapshot = snapshot
        self.tags = tags
        self.reader = reader
        self.edits = edits
        self.edited = {number for number, _, _ in edits}
        # Every paper's citation key by number, the edited papers' as they are now
        # (papershelf.speed.quick.edits.new_citation_keys).
        self.citation_keys: list[str] = list(snapshot.catalog["citation_keys"])
        for number, key in cite_keys.items():
            self.citation_keys[number] = key
        self._key_of = {new.slug: cite_keys[number] for number, _, new in edits}
        self.entries = entries
        self.moves = moves
        self.before: Catalog = catalog_from_numbered(snapshot.catalog, tags)
        self.catalog = self.before if moves is None else catalog_from_numbered(moves.hollow, tags)
        self.digester = Digester(self._token)
        self.linked = set(snapshot.linked)
        self.feed_site = Site(**snapshot.feed_site)
        self.kit_pages: dict[int, str] = {}  # page number -> its spec, when planned anew
        self.kit_cards: list[Card] = []  # the cards it made
        self.added: dict[int, list[str]] = {}  # new pages: number -> URL, group
        self.removed: dict[str, int] = {}  # pages that go: URL -> number
        self.added_with_catalog: list[int] = []  # new pages given the whole catalog
        self.dependents: dict[int, list[int]] = {}  # paper number -> its pages, if changed
        self.search_patch: IndexPatch | None = None

    def pages(self, previous: dict[str, str]) -> tuple[dict[str, bytes], dict[str, str]]:
        """Files of the pages made from an edited paper or planned anew, and their
        new key digests."""
        # page number -> its spec as planned now and as kept in the snapshot (parsed; None
        # for a new page)
        made: dict[int, tuple[list[Any], list[Any] | None]] = {}
        for page, text in self.reader.dependents(self.edited).items():
            data = json.loads(text)
            made[page] = (data, data)
        with stage("pages: plan"):
            planned = self._planned() if self.moves is not None else {}
        made.update(planned)
        made.update(self._statistics())
        for page in self.removed.values():  # a page that goes (its list went) is not made:
            made.pop(page, None)  # its kept spec may name a list that is gone too
        if len(made) > max(MOST_PAGES * len(previous), 100):
            raise NotQuickError("most pages changed")
        # After a move, list pages are made of stand-ins (their cards come from the
        # snapshot); the papers themselves are read for paper pages, and for cards the snapshot
        # lacks (edited papers).
        stand_ins: list[Any] = self.moves.by_number if self.moves is not None else []

        def whole(data: list[Any]) -> bool:  # a page made of the papers themselves
            return not stand_ins or data[4] == "paper"

        shown: set[int] = set()
        read: set[int] = set()
        for data, _ in made.values():
            numbers = spec_papers(data)
            shown |= numbers
            if whole(data):
                read |= numbers
        with stage("pages: papers"):
            papers = self.entries.papers(read)
        number = {id(paper): n for n, paper in papers.items()}
        if self.moves is not None:
            number.update(self.moves.numbers)
        jobs: list[_Job] = []
        for page, (data, old) in sorted(made.items()):
            source = papers if whole(data) else stand_ins
            spec, how = decode_spec(data, source.__getitem__, self.catalog, self.tags)
            fresh = _fresh(spec, self._key_of)
            if page in planned:
                self._learn(page, old, encode_spec(fresh, how, number, set()))
            elif fresh is not spec and old is not None:
                # An edited paper's page planned again from the paper (its description,
                # its citation key): the snapshot keeps it as made, so that a later
                # build that makes the page from the snapshot (its neighbours or related
                # papers edited) makes it the same.
                text = encode_spec(fresh, how, number, set())
                if json.loads(text) != old:
                    self._learn(page, old, text)
            jobs.append(_Job(fresh, how, old))
        bodies = BodyRenderer()
        bodies.env.bytecode_cache = compiled_templates()
        bodies.start_build(self.catalog)
        bodies.cards.resolve = self._paper
        with stage("pages: cards"):
            given = [*papers.items(), *((n, stand_ins[n]) for n in shown if stand_ins)]
            self._give_cards(bodies, given)
        found = self._render(jobs, previous, bodies)
        self.kit_cards = []
        for (paper, level, added), html in bodies.cards.fresh.items():
            n = number[id(paper)]
            digest = self.entries.digest(n)
            self.kit_cards.append((self.entries.paths[n], level, added, digest, html))
        return found

    def page_index(self) -> list[list[str | None]]:
        """The snapshot's page index after this build: new pages at the end, the pages that
        went as [None, None] (their numbers stay with the others)."""
        index: list[list[str | None]] = list(self.reader.part("page_index"))
        for page in self.removed.values():
            index[page] = [None, None]
        index.extend(entry for _, entry in sorted(self.added.items()))
        return index

    def sitemaps(self) -> dict[str, bytes]:
        """The sitemaps, when pages came or went or a page's ``lastmod`` changed (they
        list every page of the site with the date of its papers); only an edit that
        moves a paper (its dates, its lists) can do either."""
        moves = self.moves
        if moves is None:
            return {}
        # Each paper's date by number, now and in the last build (the edited papers'
        # differ), and every list's from the catalogs of numbers, then and now: a few
        # hundredths of a second at 50,000 papers.
        now = [paper_lastmod(paper) for paper in moves.by_number]
        then = list(now)
        for number, old, _ in self.edits:
            then[number] = paper_lastmod(old)
        # The reading paths' pages are dated by their papers, which a quick build does
        # not edit (edits.check_paths): the catalogs of numbers do not hold the paths.
        on_paths = self.snapshot.catalog["on_paths"]
        paths = {COLLECTIONS: max(now[n] for n in on_paths)} if on_paths else {}
        lists = {**list_lastmods(self.catalog, now.__getitem__), **paths}
        changed = bool(self.added or self.removed) or then != now
        if not changed and lists == {**list_lastmods(self.before, then.__getitem__), **paths}:
            return {}
        listed: list[tuple[str, str | None]] = [(url, None) for url in self.snapshot.handwritten]
        listed.extend((url, group) for url, group in self.page_index() if url is not None)
        pages = page_dates(listed, {**lists, **paper_lastmods(moves.placed)})
        slugs = [
            url.removeprefix(COLLECTIONS_URL).strip("/")
            for url, group in listed
            if group == COLLECTIONS and url != COLLECTIONS_URL
        ]
        return site_sitemaps(pages, self.tags, self.feed_site.url, slugs)

    def _paper(self, paper: Any) -> Paper:
        """The paper a stand-in (papershelf.speed.placements.Placement) stands for."""
        if type(paper) is not Placement:
            return paper
        return self.entries.papers([paper.number])[paper.number]

    def _token(self, paper: Any) -> bytes:
        """A paper in page and feed keys: its entry file (as the plugin has it)."""
        placed = type(paper) is Placement
        number = paper.number if placed else self.entries.number(str(paper.source))
        return entry_fingerprint(self.entries.paths[number], self.entries.digest(number))

    def _give_cards(self, bodies: BodyRenderer, papers: Iterable[tuple[int, Any]]) -> None:
        """The cards that the snapshot has of these papers (number, the paper or its
        stand-in), made from their entries as they are now."""
        holders: dict[str, list[Any]] = {}
        digests: dict[str, str] = {}
        for n, paper in papers:
            path = self.entries.paths[n]
            holders.setdefault(path, []).append(paper)
            digests[path] = self.entries.digest(n)
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
        # The feeds' site is the one the plugin gives the meta (name, description, URL).
        meta = HeadMeta(bodies.env, self.feed_site, self.tags)
        token = catalog_fingerprint(self.catalog)
        outputs: dict[str, bytes] = {}
        digests: dict[str, str] = {}
        for spec, how, old in jobs:
            file = f"{spec.url}index.html"
            if how == "home":  # not a page of mkdocs' file list: no key, always made
                outputs[file] = page_bytes(self._split(spec, old, how, bodies, meta))
                continue
            digest = Digester.plain(page_fingerprint(spec, token, self.digester.paper))
            digests[spec.url] = digest
            if previous.get(spec.url) == digest:
                continue
            if how == "shell":
                body = bodies.render(spec, self.catalog, self.snapshot.site)
                outputs[file] = page_bytes(self._page(spec, body, head, meta(spec)))
            else:
                outputs[file] = page_bytes(self._split(spec, old, how, bodies, meta))
        return outputs, digests

    def _planned(self) -> dict[int, tuple[list[Any], list[Any] | None]]:
        """After edits that move papers: the pages of the lists they left or joined
        (and of the months beside a month that came or went) and of the papers whose
        neighbours changed, planned again from the new lists, whose plan changed or
        that hold an edited paper; and the pages given the whole catalog whose part of
        its shape changed.
        By page number: the spec as planned now and as kept in the snapshot (parsed,
        papershelf.speed.snapshot.encode_spec)."""
        assert self.moves is not None
        moves, snapshot = self.moves, self.snapshot
        index: list[list[str]] = self.reader.part("page_index")
        # The papers whose neighbours changed, by the URL of their page.
        moved = {paper_url(moves.by_number[n]): n for n in moves.neighbours}
        old = {
            url: page
            for page, (url, group) in enumerate(index)
            if group in moves.groups or url in moved
        }
        settings = Settings(snapshot.options["page_size"], snapshot.options["home_recent"])
        handwritten = set(snapshot.handwritten)
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
        kept_specs = {page: json.loads(text) for page, text in texts.items()}
        for url, n in sorted(moved.items()):
            if url in old:  # not under a hand-written page
                kept, _ = decode_spec(
                    kept_specs[old[url]], moves.by_number.__getitem__, self.catalog, self.tags
                )
                newer, older = moves.placed.previous_and_next(moves.by_number[n])
                specs.append(with_neighbours(kept, newer, older))
        new = self._pages_come_and_go(specs, old, kept_specs)
        number = moves.numbers
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
            kept = kept_specs[page]
            refs: set[int] = set()
            now = encode_spec(spec, kept[7], number, refs)
            if now != texts[page] or refs & self.edited or holds_catalog(spec):
                found[page] = (json.loads(now), kept)
        before, after = catalog_fingerprint(self.before), catalog_fingerprint(self.catalog)
        if before != after:
            shown = [page for page in self.reader.part("catalog_pages") if page not in found]
            for page, text in self.reader.pages(shown).items():
                kept = json.loads(text)
                if reads_changed(kept[1], before, after):
                    found[page] = (kept, kept)
        return found

    def _statistics(self) -> dict[int, tuple[list[Any], list[Any] | None]]:
        """The statistics page, when an edit changes what it counts: made from the counts
        its last spec keeps, changed by the edited papers (site.stats.Counts.edited)."""
        changes = [
            (old, new) for _, old, new in self.edits if count_papers([old]) != count_papers([new])
        ]
        if not changes:  # most edits: no need to read the page index
            return {}
        index: list[list[str]] = self.reader.part("page_index")
        pages = [page for page, (_, group) in enumerate(index) if group == STATS]
        if not pages:  # no page (a hand-written one at its address)
            return {}
        (page,) = pages
        kept = json.loads(self.reader.pages(pages)[page])
        context = decode(kept[5], lambda _: None, self.catalog, self.tags)
        counts = Counts.from_json(context["counts"])
        for old, new in changes:
            counts = counts.edited(old, new)
        spec = stats_spec_of(counts, self.tags, self.catalog.org_names)
        text = encode_spec(spec, kept[7], {}, set())
        self._learn(page, kept, text)
        return {page: (json.loads(text), kept)}

    def _pages_come_and_go(
        self,
        specs: list[PageSpec],
        old: dict[str, int],
        kept: dict[int, list[Any]],
    ) -> dict[str, str]:
        """When a list grows or shrinks by a page, or a list appears or goes (a month,
        an organisation): the new pages' URLs and how each is made, as the plugin
        decides it (a generated page in mkdocs' nav goes through the theme, the
        others are filled into shells; kept in :attr:`removed` the pages that go)."""
        now = {spec.url: spec for spec in specs}
        if now.keys() == old.keys():
            return {}
        nav = set(self.snapshot.nav)
        prerender = self.snapshot.options.get("prerender", True)
        new = {
            url: "shell" if prerender and spec.src_uri not in nav else "theme"
            for url, spec in now.items()
            if url not in old
        }
        if any(made != "shell" for made in new.values()):
            raise NotQuickError("a new page goes through the theme")
        self.removed = {url: page for url, page in old.items() if url not in now}
        for page in self.removed.values():
            self._learn(page, kept[page], None)
        return new

    def _learn(self, page: int, old: list[Any] | None, text: str | None) -> None:
        """Keep a page's new spec for the snapshot (None: the page goes), and which papers
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

    def _split(
        self,
        spec: PageSpec,
        data: list[Any] | None,
        how: str,
        bodies: BodyRenderer,
        meta: HeadMeta,
    ) -> str:
        """A page made through the theme, filled into the last build's output of it:
        its title, description, feeds and meta tags must be the same."""
        split = self.snapshot.splits.get(spec.url)
        if data is None:
            raise NotQuickError(f"the new page {spec.url} goes through the theme")
        old_title, old_description, old_feed_tags = data[2], data[3], data[6]
        if split is None or (spec.title, spec.description, list(spec.feed_tags)) != (
            old_title,
            old_description,
            old_feed_tags,
        ):
            raise NotQuickError(f"the page {spec.url or 'home'} goes through the theme")
        # A paper page's meta (papershelf.site.head_meta: authors, links...) can change
        # while its title and description stay. Its block starts with the head's only
        # citation_title tag and ends at its only "</script>" (the JSON escapes "<"), so
        # the new block is in the old head only if it is the old one. A list page's
        # meta is made of its title, description and URL, compared above.
        if meta(spec) not in split[0]:
            raise NotQuickError(f"the page {spec.url or 'home'} goes through the theme")
        body = bodies.render(spec, self.catalog, self.snapshot.site, standalone=how != "home")
        return split[0] + body + split[1]

    def _page(self, spec: PageSpec, body: str, heads: _Heads, meta: str) -> str:
        description = str(escape(spec.description))
        variants = self.snapshot.shells.get(shell_key(spec.url, self.linked))
        shell = variants.get(variant(body, description)) if variants else None
        if shell is None:
            raise NotQuickError(f"the snapshot has no theme shell for {spec.url}")
        values = {
            "title": str(escape(spec.title)),
            "description": description,
            "url": spec.url,
            "body": body,
            "head": heads(spec.feed_tags),
            "meta": meta,
        }
        return shell.fill(values)

    def feeds(self, previous: dict[str, str]) -> tuple[dict[str, bytes], dict[str, str]]:
        """Files of the feeds that list an edited paper or whose list changed, and
        their new digests."""
        length = self.snapshot.options["feed_length"]

        def lists(catalog: Catalog) -> dict[str, list[int]]:
            found = {"": catalog.papers[:length]}
            found.update((tag, papers[:length]) for tag, papers in catalog.by_tag.items())
            return found

        now, before = lists(self.catalog), lists(self.before)
        newest = self.snapshot.newest_time() if self.moves is None else self.moves.newest
        # An empty feed is dated by the newest paper of the whole site (feeds.render_all).
        newest_moved = newest != self.snapshot.newest_time()
        touched = {
            name: numbers
            for name, numbers in now.items()
            if self.edited & set(numbers)
            or numbers != before.get(name)
            or (newest_moved and not numbers)
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

    def exports(self, site_dir: Path) -> dict[str, bytes]:
        """The downloads an edit changes (papershelf.site.exports): the edited papers' own
        files and the lists they are on, before or after, with the edited papers' units
        replaced in the files the last build wrote."""
        keys = self.citation_keys
        edited = {number: new for number, _, new in self.edits}
        exports = PaperExports({new.slug: keys[n] for n, new in edited.items()}, self.feed_site.url)
        files: dict[str, bytes] = {}
        for new in edited.values():
            files.update(exports.own_files(new))
        units = {number: exports.units(new) for number, new in edited.items()}
        folders = {"": (self.before.papers, self.catalog.papers)}
        for _, old, new in self.edits:
            for tag in {*old.tags, *new.tags}:
                lists = self.before.by_tag.get(tag, []), self.catalog.by_tag.get(tag, [])
                folders[tag_url(tag)] = lists
        for folder, (before, after) in folders.items():
            if not after:  # the tag's downloads go: the full build removes them
                raise NotQuickError(f"the last paper left {folder}")
            was, now = sorted(before), sorted(after)
            for name in LIST_FILES:
                data = (site_dir / folder / name).read_bytes() if before else b""
                fresh = {n: unit.of(name, folder) for n, unit in units.items()}
                files[folder + name] = splice(name, data, was, now, fresh)
        return files

    def search(self, site_dir: Path, staging: Path) -> bool:
        """The search index patched into ``staging``; False when the site has none."""
        if not self.snapshot.options.get("search_index", True):
            return False

        def papers_at(numbers: Sequence[int]) -> list[Paper]:
            found = self.entries.papers(numbers)
            return [found[n] for n in numbers]

        ranks = invert(self.catalog.papers)  # by paper number: its place in the list
        known = self.reader.part("search_files")
        patch = patch_index(site_dir, self.edits, self.tags, papers_at, ranks, known)
        if patch is None:
            raise NotQuickError("the search index in the site cannot be patched")
        write_patch(patch, site_dir, staging)
        self.search_patch = patch
        return True

    def search_files(self, site_dir: Path) -> dict[str, Any] | None:
        """What the snapshot then knows of the index in the site
        (papershelf.speed.search_patch.known_files): None if it did not change."""
        patch = self.search_patch
        if patch is None or patch.folder == patch.previous_folder:
            return None
        return known_files(site_dir, patch.folder, patch.digests)


class _Job(NamedTuple):
    """A page to make: its spec, how (papershelf.speed.snapshot.encode_spec) and its kept spec."""

    spec: PageSpec
    how: str
    old: list[Any] | None  # None: a new page


class _Heads:
    """The feed links of a page's ``<head>`` (papershelf.speed.theme_shells.HEAD_TEMPLATE), as
    the theme renders them: a function of the site's feeds and the page's tags."""

    def __init__(self, feeds: dict[str, FeedLinks]) -> None:
        # mkdocs' theme environment: no autoescaping (the template escapes with |e),
        # compact as the plugin makes it (papershelf.site.templating.compact).
        env = compact(
            jinja2.Environment(
                loader=jinja2.FileSystemLoader(TEMPLATES),
                auto_reload=False,
                bytecode_cache=compiled_templates(),
            )
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


def _fresh(spec: PageSpec, keys: dict[str, str]) -> PageSpec:
    """A paper page planned again from its paper: its description is made from the
    abstract, which may have changed (other pages' titles and descriptions are made
    from what :func:`placement` keeps), and its citation key from ``keys`` (the edited
    papers', by slug)."""
    if spec.kind != "paper":
        return spec
    context = spec.context
    paper = context["paper"]
    key = keys.get(paper.slug, context["cite_key"])
    return paper_spec(
        paper,
        context["newer"],
        context["older"],
        key,
        related=context["related"],
        collections=context["collections"],
    )

"""The quick ``papershelf build``: an edit of what entries *say*, rebuilt without mkdocs.

Most edits of a reading list fix a title or an abstract, add notes, authors or a
code link. Such an edit moves no paper: the list order, the tag, archive and organisation pages
a paper is on, the feeds it is in and every URL stay as they were (:func:`placement`
is unchanged). The pages it changes are then exactly the pages whose key holds the
paper (papershelf.pages.spec_key): its own page, its neighbours', the list pages it
is on, perhaps the home page; plus the feeds that list it and a few files of the
search index. Going through mkdocs for those costs seconds at 10,000 papers (its
start, its file list, the plan of every page); here they are rebuilt from the kit
the last mkdocs build left (papershelf.kit): the same body templates
(papershelf.rendering), the theme shells it cut (papershelf.shells), the search
index patched (papershelf.search.patch_index).

Anything else raises :class:`NotQuickError` before a file is written, and the CLI runs
the mkdocs build as before: no kit or another build's kit, a hand-written input
touched, an entry added, removed, moved or with a problem, a page whose shell the
kit lacks. Like every ``papershelf build``, the result is written beside the site
and moved in only when complete; ``tests/test_quick.py`` compares it byte for byte
with a clean build.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    feed_links,
    feed_source,
    make_item,
    plan_feeds,
    render_feed,
)
from papershelf.incremental import (
    BuildState,
    Digester,
    merge_into,
    staging_folder,
    write_outputs,
)
from papershelf.kit import (
    Kit,
    KitError,
    KitReader,
    catalog_from_hollow,
    decode_spec,
    identities,
    kit_path,
    spec_papers,
    stamp,
    update_papers,
)
from papershelf.loader import load_entry
from papershelf.model import Paper, Tag
from papershelf.pages import PageSpec, catalog_shape, paper_spec, spec_key
from papershelf.rendering import TEMPLATES, BodyRenderer, compiled_templates
from papershelf.search import patch_index, write_patch
from papershelf.shells import HEAD_TEMPLATE, page_bytes, shell_key, variant
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
    the most-voted orders. A quick build needs it unchanged. The rest (title,
    abstract, notes, authors, links) shows only in the pages that hold the paper; the
    title, arXiv id and DOI are also checked against every other entry for
    duplicates (:func:`check_identities`)."""
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
    """Rebuild ``site_dir`` after content edits, or raise :class:`NotQuickError`.

    ``state`` is the last build's, already checked by the CLI against mkdocs.yml,
    the installed versions and the site folder (build_tools/build.py). Updates the
    state and the entry cache when it succeeds."""
    if not state.kit:
        raise NotQuickError("the last build left no kit")
    try:
        reader = KitReader(kit_path(state_path))
    except KitError as error:
        raise NotQuickError(f"no usable kit ({error})") from None
    try:
        return _rebuild(reader, config_file, site_dir, state_path, state)
    except KitError as error:
        raise NotQuickError(str(error)) from None
    finally:
        reader.close()


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
            _update_kit(state_path, state, entries.built_now, {})
            state.write(state_path)
            return Outcome(0, 0, 0, False)
        check_identities(kit.identities, edits)
    site = _SiteParts(kit, vocabulary.tags, reader, edits, entries)
    with stage("pages"):
        outputs, pages = site.pages(state.pages)
    with stage("feeds"):
        feeds, feed_digests = site.feeds(state.feeds)
    staging = staging_folder(site_dir)
    try:
        with stage("search"):
            patched = site.search(site_dir, staging)
        write_outputs(staging, {**outputs, **feeds})
        try:
            merge_into(staging, site_dir, (), owned=("search",) if patched else ())
        except BaseException:
            state_path.unlink(missing_ok=True)  # a site half merged: the next build is full
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    entries.save()
    renamed = {n: identities(new) for n, old, new in edits if identities(old) != identities(new)}
    _update_kit(state_path, state, entries.built_now, renamed)
    state.pages.update(pages)
    state.feeds.update(feed_digests)
    state.write(state_path)
    return Outcome(len(edits), len(outputs), len(feeds), patched)


def _update_kit(
    state_path: Path,
    state: BuildState,
    entries: dict[int, list[Any]],
    renamed: dict[int, list[list[str]]],
) -> None:
    """The kit follows what this build was made from; if it cannot, the state stops
    naming it, and the next build goes through mkdocs."""
    try:
        update_papers(kit_path(state_path), entries, renamed)
    except KitError:
        state.kit = ""


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
            if placement(paper) != placement(old):
                raise NotQuickError(f"the edit of {path} moves its paper")
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

    def save(self) -> None:
        if self.to_save:
            write_entries(self.location, self.salt, self.to_save)


class _SiteParts:
    """Pages, feeds and search index of one quick build."""

    def __init__(
        self,
        kit: Kit,
        tags: dict[str, Tag],
        reader: KitReader,
        edits: list[Edit],
        entries: _Entries,
    ) -> None:
        self.kit = kit
        self.tags = tags
        self.reader = reader
        self.edits = edits
        self.entries = entries
        self.catalog: Catalog = catalog_from_hollow(kit.catalog, tags)
        self.digester = Digester()
        self.linked = set(kit.linked)
        self.feed_site = Site(**kit.feed_site)

    def pages(self, previous: dict[str, str]) -> tuple[dict[str, bytes], dict[str, str]]:
        """Files of the pages made from an edited paper, and their new key digests."""
        kept = self.reader.dependents(number for number, _, _ in self.edits)
        if len(kept) > max(MOST_PAGES * len(previous), 100):
            raise NotQuickError("most pages changed")
        encoded = {page: json.loads(text) for page, text in kept.items()}
        numbers: set[int] = set()
        for spec in encoded.values():
            numbers |= spec_papers(spec)
        papers = self.entries.papers(numbers)
        specs = []
        for _, data in sorted(encoded.items()):
            spec, how = decode_spec(data, papers.__getitem__, self.catalog, self.tags)
            if how != "shell" and not (how == "home" and self.kit.home is not None):
                raise NotQuickError(f"the page {spec.url or 'home'} goes through the theme")
            specs.append(_fresh(spec))
        bodies = BodyRenderer()
        bodies.env.bytecode_cache = compiled_templates()
        bodies.start_build(self.catalog)
        token = catalog_shape(self.catalog)
        head = _Heads(feed_links(self.catalog, self.feed_site))
        outputs: dict[str, bytes] = {}
        digests: dict[str, str] = {}
        for spec in specs:
            if spec.url == "" and self.kit.home is not None:  # hand-written, then the list
                before, after = self.kit.home
                body = bodies.render(spec, self.catalog, self.kit.site, standalone=False)
                outputs["index.html"] = page_bytes(before + body + after)
                continue
            digest = Digester.plain(spec_key(spec, token, self.digester.paper))
            digests[spec.url] = digest
            if previous.get(spec.url) == digest:
                continue
            body = bodies.render(spec, self.catalog, self.kit.site)
            outputs[f"{spec.url}index.html"] = page_bytes(self._page(spec, body, head))
        return outputs, digests

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
        """Files of the feeds that list an edited paper, and their new digests."""
        length = self.kit.options["feed_length"]
        edited = {number for number, _, _ in self.edits}
        lists = {"": self.catalog.papers[:length]}
        lists.update((tag, papers[:length]) for tag, papers in self.catalog.by_tag.items())
        touched = {name: numbers for name, numbers in lists.items() if edited & set(numbers)}
        if not touched:
            return {}, {}
        papers = self.entries.papers(n for numbers in touched.values() for n in numbers)
        shown = Catalog(
            papers=[papers[n] for n in touched.get("", [])],
            tags=self.tags,
            by_tag={tag: [papers[n] for n in touched.get(tag, [])] for tag in self.tags},
        )
        site = self.feed_site
        newest = self.kit.newest_time()
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

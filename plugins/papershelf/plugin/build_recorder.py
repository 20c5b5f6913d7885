"""What a build is made of, kept for the builds after it.

* page fingerprints (papershelf.speed.page_fingerprints): a ``--dirty`` build writes
  only the pages whose fingerprint changed since the last build, kept in memory
  under ``mkdocs serve`` and in the build state of an incremental ``papershelf build``;
* the build state (papershelf.speed.build_state): digests of every page, of what all
  pages share and of every feed, for the next incremental ``papershelf build``;
* the snapshot (papershelf.speed.snapshot_recorder): what quick rebuilds need.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterable, Mapping
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from papershelf.entries.model import Paper
from papershelf.plugin.generated_pages import GeneratedPages
from papershelf.plugin.mkdocs_config import template_files
from papershelf.plugin.run_mode import RunMode
from papershelf.site.catalog import Catalog
from papershelf.site.feeds import Site
from papershelf.site.pages import PageSpec
from papershelf.site.publish import PAGE_FILES
from papershelf.speed.build_state import (
    FULL_BUILD_NEEDED,
    MOST_PAGES,
    BuildState,
    Digester,
    entry_fingerprint,
)
from papershelf.speed.entry_cache import Entry
from papershelf.speed.page_fingerprints import (
    PageFingerprints,
    catalog_fingerprint,
    page_fingerprint,
)
from papershelf.speed.search_patch import known_files
from papershelf.speed.shell_pages import others_read_pages
from papershelf.speed.snapshot_recorder import SnapshotRecorder, watched_inputs
from papershelf.speed.timing import stage


class BuildRecorder:
    """Page fingerprints, build state and snapshot of the builds of one mkdocs process."""

    def __init__(self, mode: RunMode) -> None:
        self.mode = mode
        self.entries: Mapping[str, Entry] = {}  # this build's entry files, by path
        self.digester = Digester(self._entry_fingerprint)
        self.snapshot: SnapshotRecorder | None = None  # papershelf build: for quick rebuilds
        self.previous_feeds: dict[str, str] | None = None  # incremental: the last build's
        self._catalog_key: Hashable = None
        # How page keys hold papers: the papers themselves, or digests (kept on disk).
        self.paper_fingerprint: Callable[[Paper], Hashable] | None = None
        self.keys = PageFingerprints()
        if mode.state_in is not None:  # an incremental papershelf build: keys as digests
            self.keys = PageFingerprints(digest=Digester.plain)
            self.paper_fingerprint = self.digester.paper
            state = BuildState.read(mode.state_in)
            if state is not None:
                self.keys.previous = dict(state.pages)
                self.keys.previous_build = tuple(state.shared)
                self.previous_feeds = state.feeds

    @property
    def feed_digest(self) -> Callable[[Hashable], str] | None:
        """How feeds are compared with the next build: by digest, kept in the state."""
        return self.digester if self.mode.state_out is not None else None

    def start_build(
        self,
        config: MkDocsConfig,
        papers_dir: Path,
        tags_file: Path,
        *,
        entries: Mapping[str, Entry],
        snapshot: bool,
        collections_dir: Path | None = None,
    ) -> None:
        """``entries``: the entry files the papers were loaded from (a paper in a key
        kept on disk is its entry file). With ``snapshot``, a ``papershelf build``
        records one: the hand-written inputs are stamped now, before mkdocs reads them."""
        self.entries = entries
        if self.mode.state_out is None or not snapshot:
            return
        self.snapshot = SnapshotRecorder(self.mode.state_out, self.mode.state_in, config)
        self.snapshot.watch(watched_inputs(config, papers_dir, tags_file, collections_dir))

    def start_pages(self, shared: tuple[Hashable, ...], catalog: Catalog, files: Files) -> None:
        """What every page of this build depends on: ``shared`` (site, feeds, page
        sizes), the templates, the vocabulary and the hand-written pages and files
        (``files`` before the generated pages are added: one added or deleted is a full
        build)."""
        own_files = tuple(sorted(file.dest_uri for file in files))
        self.keys.start((*shared, template_files(), catalog.tags, own_files))
        self._catalog_key = catalog_fingerprint(catalog)

    def more_shared(self, part: Hashable) -> None:
        """More that every page depends on, known later (the theme's shells)."""
        self.keys.extend(part)

    def track(self, spec: PageSpec, file: File) -> None:
        """In a ``--dirty`` build mkdocs writes the page only if its fingerprint changed."""
        url = spec.url
        self.keys.add(url, page_fingerprint(spec, self._catalog_key, self.paper_fingerprint))
        file.is_modified = functools.partial(self.keys.modified, url)  # type: ignore[method-assign]

    def require_incremental(
        self, config: MkDocsConfig, plugin: object, of: int | None = None
    ) -> None:
        """In an incremental ``papershelf build``, stop (asking for a full build) as soon
        as something every page depends on turns out to have changed (mkdocs has
        already decided which pages to read, and pages or feeds that are gone would
        stay), when most of the ``of`` pages changed (a clean build is faster), or
        when another plugin must see every page (material's search index)."""
        if not self.mode.partial_build:
            return
        keys = self.keys
        changed = keys.all_modified or others_read_pages(config.plugins, plugin)
        if of is not None and not changed:
            modified = sum(1 for url in keys.current if keys.modified(url))
            changed = modified > max(MOST_PAGES * of, 100)
        if changed:
            reason = "most pages, or what every page depends on, changed since the last build"
            site_dir = Path(config.site_dir)
            (site_dir / FULL_BUILD_NEEDED).write_text(reason + "\n", encoding="utf-8")
            raise PluginError(f"papershelf: {reason}; build again without --dirty")

    def pages_written(self, site_dir: Path) -> None:
        """The build wrote its pages: a ``--dirty`` one (over the last output) removes
        the pages that are gone, and its fingerprints are what the next compares with."""
        if self.mode.dirty:
            for url in self.keys.removed():
                for name in PAGE_FILES:  # with a paper's own downloads
                    (site_dir / url / name).unlink(missing_ok=True)
        self.keys.finish()

    def forget(self) -> None:
        """The build failed: the next one writes every page."""
        self.keys.forget()

    def write_state(
        self, catalog: Catalog, specs: Iterable[PageSpec], feed_digests: dict[str, str]
    ) -> None:
        """The digests the next incremental ``papershelf build`` compares with."""
        if self.mode.state_out is None:
            return
        with stage("state"):
            if self.mode.dirty:  # the keys are digests already
                pages = {url: str(digest) for url, digest in self.keys.current.items()}
                shared = [str(part) for part in self.keys.build]
            else:
                token, paper = catalog_fingerprint(catalog), self.digester.paper
                pages = {
                    spec.url: Digester.plain(page_fingerprint(spec, token, paper)) for spec in specs
                }
                shared = [Digester.plain(part) for part in self.keys.build]
            snapshot = self.snapshot
            state = BuildState(
                inputs="",
                shared=shared,
                pages=pages,
                feeds=feed_digests,
                snapshot=snapshot.build_id if snapshot is not None and snapshot.enabled else "",
            )
            state.write(self.mode.state_out)

    def write_snapshot(
        self,
        *,
        options: Mapping[str, Any],
        feed_site: Site,
        catalog: Catalog,
        pages: GeneratedPages[Any],
    ) -> None:
        """What quick rebuilds after this ``papershelf build`` need (papershelf.speed.snapshot)."""
        snapshot, shells = self.snapshot, pages.shells
        if snapshot is None or shells is None:
            return
        with stage("snapshot"):
            snapshot.write(
                options=dict(options),
                site=pages.site,
                feed_site=feed_site,
                catalog=catalog,
                entries=self.entries,
                specs=pages.snapshot_specs(),
                handwritten=pages.handwritten,
                linked=shells.linked,
                nav=pages.in_nav,
                shells=shells.made(),
                cards=pages.bodies.cards.cards(),
                dirty=self.mode.dirty,
            )

    def search_written(self, site_dir: Path, folder: str | None, digests: dict[str, str]) -> None:
        """Tell the snapshot which index is in the site (a quick rebuild's patch then reads
        only the files it changes)."""
        if self.snapshot is not None and folder is not None:
            self.snapshot.search_written(known_files(site_dir, folder, digests))

    def _entry_fingerprint(self, paper: Paper) -> bytes | None:
        """A paper in the keys kept on disk: its entry file (papershelf.speed.build_state
        .entry_fingerprint), as the quick rebuild has it without loading the paper."""
        entry = self.entries.get(str(paper.source))
        return entry_fingerprint(str(paper.source), entry.digest) if entry is not None else None

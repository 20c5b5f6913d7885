"""The mkdocs plugin: its hooks, in the order mkdocs' ``build()`` calls them.

Each hook hands off. How this process builds (:class:`RunMode`) is decided once, in
``on_startup``; when the garbage collector runs, by one policy (garbage_collection).

* ``on_config`` loads and validates every entry (entry_loader), failing before mkdocs
  empties the site folder, so a bad entry never destroys the last good site; builds
  the catalog, and starts the search index (search_writer: in a build, a forked
  helper writes it while this process makes the pages).
* ``on_files`` adds one generated page per PageSpec, outside the navigation
  (generated_pages); in a ``--dirty`` build each says whether it changed
  (build_recorder: page fingerprints).
* ``on_env`` renders the theme shells; in a build it forks a helper that writes half
  of the generated pages and does the work beside them (:meth:`side_work`:
  entry cache, feeds, build state), returning what it did.
* ``on_page_*`` render each page's body, or write the page from its shell.
* ``on_post_build`` writes the snapshot for quick rebuilds (build_recorder), waits for
  the helper and applies what it did (or does that work now), writes the sitemaps and
  puts the search index in.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from papershelf.plugin.build_recorder import BuildRecorder
from papershelf.plugin.config import PapershelfConfig
from papershelf.plugin.entry_loader import EntryLoader
from papershelf.plugin.export_writer import ExportWriter
from papershelf.plugin.feed_writer import FeedsWritten, FeedWriter
from papershelf.plugin.garbage_collection import GarbageCollection
from papershelf.plugin.generated_pages import GeneratedPages
from papershelf.plugin.mkdocs_config import (
    DirtyBuildWarningFilter,
    add_asset_files,
    feed_site,
    require_directory_urls,
    site_strings,
    use_templates_and_assets,
)
from papershelf.plugin.run_mode import RunMode
from papershelf.plugin.search_writer import SearchWriter
from papershelf.site.catalog import Catalog, build_catalog
from papershelf.site.feeds import Site, feed_links
from papershelf.site.pages import Settings
from papershelf.site.templating import compact
from papershelf.speed import timing
from papershelf.speed.kept_relations import KeptRelations
from papershelf.speed.shell_pages import can_fork
from papershelf.speed.timing import stage

log = logging.getLogger("mkdocs.plugins.papershelf")


@dataclass(frozen=True)
class SideWorkDone:
    """What :meth:`PapershelfPlugin.side_work` did, wherever it ran."""

    entries_saved: bool
    feeds: FeedsWritten | None


class PapershelfPlugin(BasePlugin[PapershelfConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.start_session(RunMode())  # a build run without on_startup (some tests)

    def start_session(self, mode: RunMode) -> None:
        """The parts that live as long as this process's builds (a single build, or
        every rebuild of ``mkdocs serve``)."""
        self.mode = mode
        self.collection = GarbageCollection(mode)
        self.entries = EntryLoader(mode)
        self.relations = KeptRelations()  # serve: kept while no edit can change them
        self.recorder = recorder = BuildRecorder(mode)
        self.feeds = FeedWriter(mode, recorder.feed_digest, recorder.previous_feeds)
        self.exports = ExportWriter(mode)
        self.search = SearchWriter(
            mode, written=recorder.search_written, after_background=self.collection.collect
        )
        self.pages: GeneratedPages[SideWorkDone] = GeneratedPages(keep=mode.serving)
        self.catalog: Catalog | None = None
        self.feed_site: Site | None = None
        self.nav: Any = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining on_startup also keeps this plugin (and its caches) across the
        # rebuilds of `mkdocs serve`.
        mode = RunMode.at_startup(command, dirty)
        if mode.timings is not None:  # papershelf bench measures this build
            timing.start(mode.timings)
        if mode.incremental or mode.serving:  # dirty builds on purpose: no news
            DirtyBuildWarningFilter.install()
        self.start_session(mode)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.collection.build_starts()
        require_directory_urls(config)
        self.feed_site = feed_site(config, self.config.feed_length)
        self.pages.use_compiled_templates(use_cache=self.config.cache)
        if self.mode.timings is not None:  # and mkdocs' page loop and the other plugins
            timing.instrument(config.plugins, skip="papershelf")
        root = Path(config.config_file_path).parent
        papers_dir, tags_file = root / self.config.papers_dir, root / self.config.tags_file
        paths_dir = root / self.config.collections_dir  # the reading paths
        with stage("load"), self.collection.paused():
            project = root if self.config.cache else None  # whose entry cache is used
            loaded, paths = self.entries.load(
                papers_dir, tags_file, project=project, collections_dir=paths_dir
            )
        with stage("catalog"):
            self.catalog = build_catalog(
                loaded.papers,
                loaded.vocabulary.tags,
                collections=paths,
                related=self.config.related_papers,
                relate=self.relations,
            )
        use_templates_and_assets(config)
        log.info("papershelf: %d papers, %d tags", len(loaded.papers), len(self.catalog.tags))
        known = self.entries.known()
        self.recorder.start_build(
            config,
            papers_dir,
            tags_file,
            entries=known,
            snapshot=self.config.cache,
            collections_dir=paths_dir,
        )
        self.search.start(self.catalog, Path(config.site_dir), enabled=self.config.search_index)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.catalog is not None and self.feed_site is not None
        settings = Settings(page_size=self.config.page_size, home_recent=self.config.home_recent)
        add_asset_files(files, config)
        self.pages.start_build(self.catalog, site_strings(config), self.feed_site)
        with stage("pages"):
            shared = (self.pages.site, self.feed_site, settings)
            self.recorder.start_pages(shared, self.catalog, files)
            track = self.recorder.track if self.mode.dirty else None
            self.pages.plan(files, config, settings, prerender=self.config.prerender, track=track)
            self.recorder.require_incremental(config, self, of=len(self.pages.specs))
        self.collection.freeze_build()  # what exists now lives until the build ends
        return files

    def on_nav(self, nav: Any, *, config: MkDocsConfig, files: Files) -> Any:
        self.nav = nav
        return nav

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        self.pages.set_title(page)
        return markdown

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        return self.pages.content(page, html, self.recorder.snapshot)

    def on_env(
        self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files
    ) -> jinja2.Environment:
        assert self.catalog is not None and self.feed_site is not None
        compact(env)  # every page of the theme, generated or hand-written, alike
        # Autodiscovery links in main.html: "" -> the site feeds, tag id -> its feeds.
        env.globals["papershelf_feeds"] = feed_links(self.catalog, self.feed_site)
        self.pages.use_compiled_templates(env, use_cache=self.config.cache)
        with stage("pages"):
            shells = self.pages.make_shells(env, config, self.nav, files)
            self.recorder.more_shared(shells.fingerprint())
            self.recorder.require_incremental(config, self)
            self.pages.start_writing(
                files,
                fork=can_fork(self.mode.command, config.plugins, self),
                side_work=functools.partial(self.side_work, Path(config.site_dir)),
                only_modified=self.mode.dirty,
            )
        return env

    @event_priority(50)  # before other plugins, which may read the body of the page
    def on_page_context(
        self, context: dict[str, Any], *, page: Page, config: MkDocsConfig, nav: Any
    ) -> dict[str, Any]:
        self.pages.page_context(page, context)
        return context

    @event_priority(-50)
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        return self.pages.page_done(page, output, self.recorder.snapshot)

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        assert self.catalog is not None and self.feed_site is not None
        site_dir = Path(config.site_dir)
        with self.collection.paused():  # while the helper, if any, writes its pages
            self.recorder.write_snapshot(
                options=self.config,
                feed_site=self.feed_site,
                catalog=self.catalog,
                pages=self.pages,
            )
        done = self.pages.finish_writing()  # what the helper did beside the pages
        self.recorder.pages_written(site_dir)
        if done is None:
            done = self.side_work(site_dir)
        elif done.entries_saved:
            self.entries.saved_elsewhere()
        self.feeds.remember(done.feeds)
        self.pages.write_sitemaps(site_dir, self.feed_site.url, only_if_changed=self.mode.dirty)
        self.pages.write_sprite(site_dir)
        with stage("search"):
            self.search.finish(self.catalog, site_dir, enabled=self.config.search_index)
        self.collection.build_ends()

    def on_build_error(self, *, error: Exception) -> None:
        self.collection.build_ends()
        self.recorder.forget()
        self.feeds.forget()
        self.exports.forget()
        with contextlib.suppress(PluginError):
            self.pages.finish_writing()
        self.search.abandon()

    def on_serve(self, server: Any, /, *, config: MkDocsConfig, builder: Any) -> Any:
        # A reading path's edit rebuilds the preview too (mkdocs.yml's `watch` cannot
        # name collections/: a list may have no such folder, and a missing one fails).
        paths_dir = Path(config.config_file_path).parent / self.config.collections_dir
        if paths_dir.is_dir():
            server.watch(str(paths_dir))
        return server

    def on_shutdown(self) -> None:
        self.entries.close()  # mkdocs serve saves the entry cache once, here
        self.search.close()

    def side_work(self, site_dir: Path) -> SideWorkDone:
        """What does not wait for the pages: save the entry cache, write the feeds, the
        downloads and the build state. In a build the helper that writes pages does it, in another
        process: it returns what it did, and :meth:`on_post_build` applies that here."""
        assert self.catalog is not None and self.feed_site is not None
        saved = self.entries.save()
        feeds = self.feeds.write(self.catalog, self.feed_site, self.config.feed_length, site_dir)
        self.exports.write(self.catalog, self.feed_site.url, site_dir)
        digests = feeds.digests if feeds is not None else {}
        self.recorder.write_state(self.catalog, self.pages.specs.values(), digests)
        return SideWorkDone(saved, feeds)

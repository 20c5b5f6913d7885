"""The mkdocs plugin: hooks that hand off to the loader, catalog, pages and feeds.

on_config loads and validates every entry (failing before mkdocs cleans site_dir, so
a bad entry never destroys the last good site), reusing unchanged entries from the
entry cache; on_files adds one generated page per PageSpec, outside the navigation;
on_env renders the theme shells of those pages (papershelf.speed.shell_pages) and, in a
build, forks a helper that writes half of them, the feeds and the entry cache;
on_page_context renders and writes each remaining page. The search index needs only
the catalog: in a build another forked helper, started at the end of on_config,
writes it (papershelf.site.search); on_post_build waits for both helpers. Under ``make serve``
(``mkdocs serve --dirty``) a rebuild rewrites only the pages an edit changed
(papershelf.speed.page_fingerprints).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Hashable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import escape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from papershelf.entries.loader import in_order, load_project
from papershelf.entries.model import Paper
from papershelf.plugin.config import PapershelfConfig
from papershelf.plugin.search_writer import BackgroundWork
from papershelf.site.catalog import Catalog, build_catalog
from papershelf.site.feeds import Feed, Site, feed_links, feed_source, render_all
from papershelf.site.pages import PageSpec, Settings, home_spec, plan_pages
from papershelf.site.rendering import TEMPLATES, BodyRenderer
from papershelf.site.search import build_index, install_index, write_index
from papershelf.site.sitemaps import site_sitemaps
from papershelf.speed.build_state import (
    FULL_BUILD_NEEDED,
    MOST_PAGES,
    STATE_IN,
    STATE_OUT,
    BuildState,
    Digester,
    entry_fingerprint,
    write_outputs,
)
from papershelf.speed.compiled_templates import InMemoryTemplateCode, compiled_templates
from papershelf.speed.entry_cache import EntryCache, default_location, validation_key
from papershelf.speed.forking import ForkedTask, ForkedTaskError, fork_allowed, in_two_processes
from papershelf.speed.page_fingerprints import (
    PageFingerprints,
    catalog_fingerprint,
    page_fingerprint,
)
from papershelf.speed.search_patch import known_files
from papershelf.speed.shell_pages import (
    PRERENDERED_TEMPLATE,
    GeneratedFiles,
    PageParts,
    ShellPageWriter,
    Shells,
    can_fork,
    nav_paths,
    others_read_pages,
)
from papershelf.speed.snapshot_recorder import SnapshotRecorder, watched_inputs
from papershelf.speed.timing import instrument, stage

log = logging.getLogger("mkdocs.plugins.papershelf")
ASSETS = Path(__file__).parent.parent / "assets"
# Stylesheet and script of the reading pages, served under assets/papershelf/.
ASSET_FILES = {"papershelf.css": "extra_css", "papershelf.js": "extra_javascript"}


def feed_site(config: MkDocsConfig, feed_length: int) -> Site:
    """The site as feeds see it; fails early (before site_dir is touched) without a
    ``site_url``, since feed readers need absolute links."""
    if not config.site_url:
        raise PluginError(
            f"papershelf: `site_url` is missing in {config.config_file_path}. Feeds need "
            "absolute links: add the address the site is published at, e.g. "
            "`site_url: https://example.org/papershelf/`"
        )
    if feed_length < 1:
        raise PluginError(
            f"papershelf: `feed_length` is {feed_length} in {config.config_file_path}; "
            "set it to 1 or more (the default is 50)"
        )
    return Site(
        url=config.site_url,
        name=config.site_name,
        description=config.site_description or "",
        language=str(config.theme.get("language") or "en"),
    )


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while loading: entries make no reference cycles,
    and collections that walk every object made so far grow with the list (a third
    of the load time at 10,000 papers, more at 50,000)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def template_files() -> tuple[tuple[str, int, int], ...]:
    """Name, size and time of every template file: a changed template rebuilds all."""
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        stat = path.stat()
        found.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(found)


def feed_inputs(catalog: Catalog, site: Site, length: int) -> Hashable:
    """What the feeds are made of: the newest papers of the site and of every tag."""
    tags = tuple((tag, tuple(catalog.by_tag.get(tag, [])[:length])) for tag in catalog.tags)
    return (site, length, tuple(catalog.tags.items()), tuple(catalog.papers[:length]), tags)


class DirtyBuildWarningFilter(logging.Filter):
    """Drops mkdocs' warning that a ``--dirty`` build may leave stale navigation: our
    incremental builds rebuild every page whose inputs changed (generated pages are
    outside the navigation), and under ``--strict`` that warning would abort them."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("A 'dirty' build is being performed")


class PapershelfPlugin(BasePlugin[PapershelfConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.catalog: Catalog | None = None
        self.specs: dict[str, PageSpec] = {}
        self.home: PageSpec | None = None
        self.bodies = BodyRenderer()
        self.env = self.bodies.env
        self.site: dict[str, str] = {}
        self.feed_site: Site | None = None
        self.nav: Any = None
        self.command: str | None = None
        self.dirty = False  # `mkdocs serve --dirty` (make serve): rewrite changed pages only
        self.keys = PageFingerprints()
        self.searcher: BackgroundWork | None = None
        self.indexer: ForkedTask | None = None  # writes the search index beside the pages
        self.index_staged: Path | None = None  # where it writes it
        self.feeds_made_from: Hashable = None
        # `mkdocs serve`: what each feed was made from in the last build, and in this one
        self.feeds_written: dict[str, Hashable] = {}
        self.feeds_writing: dict[str, Hashable] = {}
        self.sitemaps_written: tuple[str, ...] = ()
        self.page_urls: tuple[str, ...] = ()  # of the hand-written pages
        self.site_dir: Path | None = None
        self.generated = GeneratedFiles(keep=False)
        self.template_code: InMemoryTemplateCode | None = None
        self.entries_to_save: EntryCache | None = None
        self.side_work_done = False  # the helper saved the entries and wrote the feeds
        self.entries: EntryCache | None = None
        self.shell_writer: ShellPageWriter | None = None
        self.state_out: Path | None = None  # where this build's state goes (incremental)
        self.previous_feeds: dict[str, str] | None = None  # incremental: last build's
        self.feed_digests: dict[str, str] = {}
        self.digester = Digester(self.entry_fingerprint)
        # How page keys hold papers: the papers themselves, or digests (kept on disk).
        self.paper_fingerprint: Callable[[Paper], Hashable] | None = None
        self.snapshot: SnapshotRecorder | None = None  # papershelf build: for quick rebuilds
        self.shells: Shells | None = None
        self.in_nav: set[str] = set()  # paths in mkdocs' nav config

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining on_startup also keeps this plugin (and its caches) across the
        # rebuilds of `mkdocs serve`.
        self.command = command
        self.dirty = dirty
        if command == "build":  # papershelf build (build_tools/build.py) keeps a state
            self.state_out = Path(os.environ[STATE_OUT]) if os.environ.get(STATE_OUT) else None
            if dirty and os.environ.get(STATE_IN):
                self.keys = PageFingerprints(digest=Digester.plain)
                self.paper_fingerprint = self.digester.paper
                state = BuildState.read(Path(os.environ[STATE_IN]))
                if state is not None:
                    self.keys.previous = dict(state.pages)
                    self.keys.previous_build = tuple(state.shared)
                    self.previous_feeds = state.feeds
                logging.getLogger("mkdocs.commands.build").addFilter(DirtyBuildWarningFilter())
        if command == "serve":
            # Every `make serve` rebuild is a dirty one, and says so: no news to a curator.
            logging.getLogger("mkdocs.commands.build").addFilter(DirtyBuildWarningFilter())
            self.searcher = BackgroundWork("search index", self.after_serve_build)
            self.generated = GeneratedFiles(keep=True)
            self.template_code = InMemoryTemplateCode()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if self.dirty:
            # A rebuild that writes a few pages: no cyclic garbage collection until it
            # is done (collections walked every object of the list, a quarter of a
            # `make serve` rebuild at 10,000 papers); see :meth:`end_dirty_build`.
            gc.disable()
        if not config.use_directory_urls:
            raise PluginError("papershelf: set `use_directory_urls: true` in mkdocs.yml")
        self.feed_site = feed_site(config, self.config.feed_length)
        if self.env.bytecode_cache is None:
            self.env.bytecode_cache = self.template_code or self.compiled_templates()
        root = Path(config.config_file_path).parent
        instrument(config.plugins, skip="papershelf")  # only when benchmarking
        with stage("load"), collector_paused():
            tags_file = root / self.config.tags_file
            cache = self.entry_cache(root, tags_file)
            result = load_project(
                root / self.config.papers_dir,
                tags_file,
                cache=cache,
                parse_many=in_two_processes if fork_allowed(self.command) else in_order,
            )
            self.entries_to_save = cache if cache is not None and cache.changed else None
        if result.problems:
            lines = "\n".join(str(problem) for problem in result.problems)
            count = len(result.problems)
            raise PluginError(
                f"papershelf: {count} problem{'' if count == 1 else 's'} in the entries:\n{lines}"
            )
        self.site = {
            "site_name": config.site_name,
            "site_description": config.site_description or "",
        }
        with stage("catalog"):
            self.catalog = build_catalog(result.papers, result.vocabulary.tags)
        # Our overrides sit just above material's templates, below a user's custom_dir.
        position = 1 if config.theme.custom_dir else 0
        config.theme.dirs.insert(position, str(TEMPLATES))
        # The site's sitemap is ours (papershelf.site.sitemaps): mkdocs' dated every URL.
        config.theme.static_templates.discard("sitemap.xml")
        for name, option in ASSET_FILES.items():
            if f"assets/papershelf/{name}" not in config[option]:
                config[option].append(f"assets/papershelf/{name}")
        log.info("papershelf: %d papers, %d tags", len(result.papers), len(self.catalog.tags))
        if self.state_out is not None and self.config.cache:
            previous = os.environ.get(STATE_IN) if self.dirty else None
            self.snapshot = SnapshotRecorder(
                self.state_out, Path(previous) if previous else None, config
            )
            papers_dir = root / self.config.papers_dir
            self.snapshot.watch(watched_inputs(config, papers_dir, tags_file))
        self.start_search_index(config)
        return config

    def compiled_templates(self) -> jinja2.BytecodeCache | None:
        """Compiled templates from the user's cache folder; with PAPERSHELF_NO_CACHE
        (papershelf build --clean) compiled afresh, and written for later builds."""
        from papershelf.speed.entry_cache import caches_ignored

        return compiled_templates(read=not caches_ignored()) if self.config.cache else None

    def entry_cache(self, root: Path, tags_file: Path) -> EntryCache | None:
        """The entry cache: kept in memory across `mkdocs serve` rebuilds, read from
        the user's cache folder otherwise; a new one when the vocabulary or the
        validating code changed. With PAPERSHELF_NO_CACHE (papershelf build --clean)
        nothing is read: every entry is parsed, and the new cache replaces the old."""
        from papershelf.speed.entry_cache import caches_ignored

        if not self.config.cache:
            return None
        current = validation_key(tags_file)
        if caches_ignored():
            self.entries = EntryCache(current, default_location(root))
        elif self.entries is None or self.entries.validation_key != current:
            self.entries = EntryCache.open(default_location(root), current)
        return self.entries

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.catalog is not None
        settings = Settings(page_size=self.config.page_size, home_recent=self.config.home_recent)
        for name in ASSET_FILES:
            files.append(
                File.generated(config, f"assets/papershelf/{name}", abs_src_path=str(ASSETS / name))
            )
        # Hand-written pages and static files: one added or deleted is a full build.
        own_files = tuple(sorted(file.dest_uri for file in files))
        self.page_urls = tuple(
            "" if file.url == "./" else file.url for file in files.documentation_pages()
        )
        hand_written_home = files.get_file_from_path("index.md") is not None
        self.home = home_spec(self.catalog, settings) if hand_written_home else None
        self.specs = {}
        self.bodies.start_build(self.catalog)
        in_nav = self.in_nav = nav_paths(config.nav)
        with stage("pages"):
            shared = (self.site, self.feed_site, settings, template_files(), self.catalog.tags)
            self.keys.start((*shared, own_files))
            catalog_key = catalog_fingerprint(self.catalog)
            self.generated.start_build(config)
            existing = set(files.src_uris)
            hand_written = set(self.page_urls)  # tags/x.md has the URL of tags/x/index.md
            for spec in plan_pages(self.catalog, settings, home=not hand_written_home):
                if spec.src_uri in existing or spec.url in hand_written:
                    continue  # a hand-written page at a generated URL wins
                self.specs[spec.src_uri] = spec
                # Pages in the nav go through the theme: the navigation marks them active.
                fast = self.config.prerender and spec.src_uri not in in_nav
                file = self.generated.get(config, spec.src_uri, prerendered=fast)
                if self.dirty:
                    self.keys.add(
                        spec.url,
                        page_fingerprint(spec, catalog_key, self.paper_fingerprint),
                    )
                    file.is_modified = functools.partial(self.keys.modified, spec.url)  # type: ignore[method-assign]
                files.append(file)
            self.generated.keep_only(set(self.specs))
            self.require_incremental(config, of=len(self.specs))
            home = files.get_file_from_path("index.md")
            if self.dirty and home is not None:
                home.is_modified = lambda: True  # type: ignore[method-assign]  # recent additions
        # Everything made so far lives until the end of the build: keep the cyclic
        # garbage collector from walking it over and over (undone in on_post_build).
        gc.freeze()
        return files

    def on_nav(self, nav: Any, *, config: MkDocsConfig, files: Files) -> Any:
        self.nav = nav
        return nav

    def start_search_index(self, config: MkDocsConfig) -> None:
        """In a build, a forked helper writes the search index (about a second at 10,000
        papers) while this process makes the pages; on_post_build waits for it. It
        starts as soon as the catalog is known, before mkdocs empties the site folder,
        so it writes beside that folder and :meth:`finish_search` moves the index in."""
        if not (self.config.search_index and fork_allowed(self.command)):
            return
        site_dir = Path(config.site_dir).resolve()
        site_dir.parent.mkdir(parents=True, exist_ok=True)
        prefix = f".{site_dir.name.lstrip('.')}-search-"  # .gitignore: .site-*/
        staged = Path(tempfile.mkdtemp(prefix=prefix, dir=site_dir.parent))
        catalog = self.catalog
        assert catalog is not None

        def work() -> tuple[int, str | None, dict[str, str]]:
            with stage("search"):
                built = build_index(catalog)
                return write_index(staged, built.outputs), built.folder, built.digests

        self.indexer = ForkedTask(work, name="search")
        self.index_staged = staged

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        spec = self.specs.get(page.file.src_uri)
        if spec is not None:
            # mkdocs' theme templates do not autoescape: hand them escaped text.
            page.meta["title"] = escape(spec.title)
            page.meta["description"] = escape(spec.description)
        return markdown

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        spec = self.specs.get(page.file.src_uri)
        if spec is not None:
            if page.meta.get("template") == PRERENDERED_TEMPLATE:
                return ""  # rendered when built, one page at a time (papershelf.speed.shell_pages)
            body = self.render(spec)
            if self.snapshot is not None:
                self.snapshot.fragment(spec.url, body)
            return body
        if self.home is not None and page.is_homepage:
            fragment = self.render(self.home, standalone=False)
            if self.snapshot is not None:
                self.snapshot.fragment(self.home.url, fragment)
            return html + fragment
        return html

    @event_priority(50)  # before other plugins, which may read the body of the page
    def on_page_context(
        self, context: dict[str, Any], *, page: Page, config: MkDocsConfig, nav: Any
    ) -> dict[str, Any]:
        spec = self.specs.get(page.file.src_uri)
        context["papershelf_feed_tags"] = spec.feed_tags if spec else ()
        shell_writer = self.shell_writer
        if shell_writer is not None and shell_writer.handles(page.file.src_uri):
            with stage("pages"):
                page.content = shell_writer.build(page.file.src_uri) or ""
            context["papershelf_written"] = True  # mkdocs gets an empty page
        return context

    @event_priority(-50)
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        if self.shell_writer is not None and self.shell_writer.handles(page.file.src_uri):
            page.content = ""  # written already; bodies are not kept (memory)
        elif self.snapshot is not None:
            spec = self.specs.get(page.file.src_uri)
            if spec is not None:
                self.snapshot.page_written(spec.url, output)
            elif self.home is not None and page.is_homepage:
                self.snapshot.page_written(self.home.url, output)
        return output

    def on_env(
        self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files
    ) -> jinja2.Environment:
        # Autodiscovery links in main.html: "" -> the site feeds, tag id -> its feeds.
        assert self.catalog is not None and self.feed_site is not None
        env.globals["papershelf_feeds"] = feed_links(self.catalog, self.feed_site)
        if env.bytecode_cache is None:
            env.bytecode_cache = self.template_code or self.compiled_templates()
        with stage("pages"):
            shells = self.shells = Shells(env, config, self.nav, files)
            fork = can_fork(self.command, config.plugins, self)
            site_dir = Path(config.site_dir)

            def side_work() -> None:  # work that does not wait for the pages
                self.save_entries()
                self.write_feeds(site_dir)
                self.write_state()

            self.keys.extend(shells.fingerprint())
            self.require_incremental(config)
            wanted = None
            if self.dirty:
                wanted = lambda file: file.is_modified()  # noqa: E731
            self.shell_writer = ShellPageWriter(
                shells, files, self.page_parts, fork=fork, after=side_work, wanted=wanted
            )
            self.side_work_done = self.shell_writer.after_done  # then the helper did it
            for src_uri in self.shell_writer.fallbacks:  # no shell: through main.html
                file = files.get_file_from_path(src_uri)
                assert file is not None and file.page is not None
                file.page.content = self.render(self.specs[src_uri])
        return env

    def page_parts(self, src_uri: str) -> PageParts:
        """A prerendered page's own parts; its body is rendered now."""
        spec = self.specs[src_uri]
        title, description = str(escape(spec.title)), str(escape(spec.description))
        body = self.render(spec)
        return PageParts(spec.url, title, description, body, spec.feed_tags)

    def finish_pages(self) -> None:
        """Wait for the helper process that wrote half of the prerendered pages."""
        shell_writer, self.shell_writer = self.shell_writer, None
        if shell_writer is None:
            return
        try:
            with stage("pages: waiting for the helper"):
                shell_writer.finish()
        except ForkedTaskError as error:
            raise PluginError(f"papershelf: writing generated pages failed:\n{error}") from error

    def on_build_error(self, *, error: Exception) -> None:
        gc.unfreeze()
        self.end_dirty_build()
        self.keys.forget()
        self.feeds_made_from = None
        self.feeds_written = {}
        with contextlib.suppress(PluginError):
            self.finish_pages()
        with contextlib.suppress(PluginError):
            self.finish_search(install=False)

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        assert self.catalog is not None and self.feed_site is not None
        site_dir = self.site_dir = Path(config.site_dir)
        # While the helper, if any, writes its pages; with no collection, which would
        # walk every object of the build again and again (seconds at 50,000 papers).
        with collector_paused():
            self.write_snapshot()
        gc.unfreeze()
        self.finish_pages()
        if self.dirty:  # the previous output stays: remove pages that are gone
            for url in self.keys.removed():
                (site_dir / url / "index.html").unlink(missing_ok=True)
        self.keys.finish()
        if not self.side_work_done:
            if self.command != "serve":  # under serve: once, at shutdown
                self.save_entries()
            self.write_feeds(site_dir)
            self.write_state()
        urls = (*self.page_urls, *(spec.url for spec in self.specs.values()))
        if not self.dirty or urls != self.sitemaps_written:  # they list URLs only
            write_outputs(site_dir, self.sitemaps(urls))
            self.sitemaps_written = urls
        with stage("search"):
            if self.searcher is not None:  # mkdocs serve: search catches up in the background
                if self.config.search_index:
                    log.info("papershelf: updating the search index in the background")
                self.searcher.request()
            elif self.indexer is not None:
                self.finish_search()
            else:
                self.index_site()
        self.end_dirty_build()

    def write_feeds(self, site_dir: Path) -> None:
        """The feeds; on a dirty rebuild only if a feed's papers changed."""
        assert self.catalog is not None and self.feed_site is not None
        length = self.config.feed_length
        made_from = feed_inputs(self.catalog, self.feed_site, length)
        if self.dirty and made_from == self.feeds_made_from:
            return
        with stage("feeds"):
            self.feeds_writing = {}
            outputs = render_all(self.catalog, self.feed_site, length, wanted=self.feed_changed)
            write_outputs(site_dir, outputs)
        self.feeds_written = self.feeds_writing
        self.feeds_made_from = made_from
        log.info("papershelf: wrote %d feed files", len(outputs))

    def require_incremental(self, config: MkDocsConfig, of: int | None = None) -> None:
        """In an incremental ``papershelf build``, stop (asking for a full build) as soon
        as something every page depends on turns out to have changed (mkdocs has
        already decided which pages to read, and pages or feeds that are gone would
        stay), when most of the ``of`` pages changed (a clean build is faster), or
        when another plugin must see every page (material's search index)."""
        if not (self.dirty and self.command == "build"):
            return
        changed = self.keys.all_modified or others_read_pages(config.plugins, self)
        if of is not None and not changed:
            modified = sum(1 for url in self.keys.current if self.keys.modified(url))
            changed = modified > max(MOST_PAGES * of, 100)
        if changed:
            reason = "most pages, or what every page depends on, changed since the last build"
            site_dir = Path(config.site_dir)
            (site_dir / FULL_BUILD_NEEDED).write_text(reason + "\n", encoding="utf-8")
            raise PluginError(f"papershelf: {reason}; build again without --dirty")

    def write_state(self) -> None:
        """The digests the next incremental ``papershelf build`` compares with."""
        if self.state_out is None:
            return
        assert self.catalog is not None
        with stage("state"):
            if self.dirty:  # the keys are digests already (see on_startup)
                pages = {url: str(digest) for url, digest in self.keys.current.items()}
                shared = [str(part) for part in self.keys.build]
            else:
                token, paper = catalog_fingerprint(self.catalog), self.digester.paper
                pages = {
                    spec.url: Digester.plain(page_fingerprint(spec, token, paper))
                    for spec in self.specs.values()
                }
                shared = [Digester.plain(part) for part in self.keys.build]
            snapshot = (
                self.snapshot.build_id
                if self.snapshot is not None and self.snapshot.enabled
                else ""
            )
            state = BuildState(
                inputs="", shared=shared, pages=pages, feeds=self.feed_digests, snapshot=snapshot
            )
            state.write(self.state_out)

    def write_snapshot(self) -> None:
        """What quick rebuilds after this ``papershelf build`` need (papershelf.speed.snapshot)."""
        snapshot, shells = self.snapshot, self.shells
        if snapshot is None or shells is None:
            return
        assert self.catalog is not None and self.feed_site is not None
        with stage("snapshot"):
            snapshot.write(
                options=dict(self.config),
                site=self.site,
                feed_site=self.feed_site,
                catalog=self.catalog,
                entries=self.entries.entries if self.entries is not None else {},
                specs=self.snapshot_specs(),
                handwritten=self.page_urls,
                linked=shells.linked,
                nav=self.in_nav,
                shells=shells.made(),
                cards=self.bodies.cards.cards(),
                dirty=self.dirty,
            )

    def snapshot_specs(self) -> Iterator[tuple[PageSpec, str]]:
        """Every generated page and how it is made (papershelf.speed.snapshot.encode_spec)."""
        for spec in self.specs.values():
            shell = self.config.prerender and spec.src_uri not in self.in_nav
            yield spec, "shell" if shell else "theme"
        if self.home is not None:
            yield self.home, "home"

    def feed_changed(self, feed: Feed, updated_if_empty: datetime) -> bool:
        """Whether a feed must be written: always in a full build, else only if it is
        made from something else than last time (under ``mkdocs serve`` compared in
        memory; in an incremental ``papershelf build`` by digest, kept for the state)."""
        assert self.catalog is not None and self.feed_site is not None
        made_from = feed_source(feed, self.feed_site, self.catalog.tags, updated_if_empty)
        if self.state_out is None:
            self.feeds_writing[feed.folder] = made_from
            return not self.dirty or self.feeds_written.get(feed.folder) != made_from
        digest = self.feed_digests[feed.folder] = self.digester(made_from)
        previous = self.previous_feeds
        return previous is None or previous.get(feed.folder) != digest

    def entry_fingerprint(self, paper: Paper) -> bytes | None:
        """A paper in the keys kept on disk: its entry file (papershelf.speed.build_state
        .entry_fingerprint), as the quick rebuild has it without loading the paper."""
        entry = self.entries.entries.get(str(paper.source)) if self.entries is not None else None
        return entry_fingerprint(str(paper.source), entry.digest) if entry is not None else None

    def save_entries(self) -> None:
        entries, self.entries_to_save = self.entries_to_save, None
        if entries is not None:
            entries.save()

    def on_shutdown(self) -> None:
        # A build saved them in on_post_build, or its helper did (this process's copy
        # still says "changed" then): only `mkdocs serve` saves once, here.
        if self.command == "serve" and self.entries is not None and self.entries.changed:
            self.entries.save()
        if self.searcher is not None:
            self.searcher.wait(timeout=60)

    def sitemaps(self, urls: tuple[str, ...]) -> dict[str, bytes]:
        """The site's sitemap and one in every tag feed folder (papershelf.site.sitemaps)."""
        assert self.catalog is not None and self.feed_site is not None
        return site_sitemaps(urls, self.catalog.tags, self.feed_site.url)

    def end_dirty_build(self) -> None:
        """Collection back on; under ``mkdocs serve`` the collection itself runs after
        the search index, in the background (:meth:`after_serve_build`)."""
        if self.dirty:
            gc.enable()

    def after_serve_build(self) -> None:
        self.index_site()
        gc.collect()

    def index_site(self) -> None:
        assert self.site_dir is not None and self.catalog is not None
        self.index_for_search(self.catalog, self.site_dir)

    def index_for_search(self, catalog: Catalog, site_dir: Path) -> None:
        """Write the index the header search box reads, made from the catalog."""
        if not self.config.search_index:
            return
        built = build_index(catalog)
        written = write_index(site_dir, built.outputs)
        log.info("papershelf: search index written to search/ (%d files)", written)
        self.search_written(site_dir, built.folder, built.digests)

    def search_written(self, site_dir: Path, folder: str | None, digests: dict[str, str]) -> None:
        """Tell the snapshot which index is in the site (a quick rebuild's patch then reads
        only the files it changes)."""
        if self.snapshot is not None and folder is not None:
            self.snapshot.search_written(known_files(site_dir, folder, digests))

    def finish_search(self, *, install: bool = True) -> None:
        """Wait for the helper that writes the search index, and move it in."""
        indexer, self.indexer = self.indexer, None
        staged, self.index_staged = self.index_staged, None
        if indexer is None or staged is None:
            return
        try:
            written, folder, digests = indexer.join()
            if install and self.site_dir is not None:
                install_index(staged, self.site_dir)
                log.info("papershelf: search index written to search/ (%d files)", written)
                self.search_written(self.site_dir, folder, digests)
        except ForkedTaskError as error:
            raise PluginError(f"papershelf: writing the search index failed:\n{error}") from error
        finally:
            shutil.rmtree(staged, ignore_errors=True)

    def render(self, spec: PageSpec, *, standalone: bool = True) -> str:
        with stage("pages"):
            return self._render(spec, standalone=standalone)

    def _render(self, spec: PageSpec, *, standalone: bool) -> str:
        return self.bodies.render(spec, self.catalog, self.site, standalone=standalone)

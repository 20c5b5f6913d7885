"""The pages the plugin adds to a build: one per PageSpec (papershelf.site.pages).

They are planned in ``on_files`` as ``File.generated`` pages outside the navigation
(pages named in mkdocs' ``nav`` go through the theme, which marks them active). A
page's body is rendered when mkdocs builds it, never all bodies at once. From
``on_env`` most pages are put together from theme shells and written by the plugin
itself (papershelf.speed.shell_pages), half of them by a forked helper in a build.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, Generic, TypeVar

import jinja2
from markupsafe import escape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from papershelf.site.catalog import Catalog
from papershelf.site.feeds import Site
from papershelf.site.head_meta import HeadMeta
from papershelf.site.icons import SPRITE, sprite_file, sprite_icons
from papershelf.site.pages import PageSpec, Settings, home_spec, plan_pages
from papershelf.site.publish import remove_stale_shards
from papershelf.site.rendering import BodyRenderer, relative_root
from papershelf.site.sitemaps import page_dates, page_lastmods, site_sitemaps
from papershelf.speed.build_state import write_outputs
from papershelf.speed.compiled_templates import InMemoryTemplateCode, compiled_templates
from papershelf.speed.entry_cache import caches_ignored
from papershelf.speed.forking import ForkedTaskError
from papershelf.speed.shell_pages import (
    PRERENDERED_TEMPLATE,
    GeneratedFiles,
    PageParts,
    ShellPageWriter,
    Shells,
    nav_paths,
)
from papershelf.speed.snapshot_recorder import SnapshotRecorder
from papershelf.speed.timing import stage

# What the helper that writes pages also does beside them (see ShellPageWriter).
SideWork = TypeVar("SideWork")


class GeneratedPages(Generic[SideWork]):
    """The generated pages of the current build; under ``mkdocs serve`` (``keep``) their
    files and compiled templates are kept for the next rebuild."""

    def __init__(self, *, keep: bool) -> None:
        self.bodies = BodyRenderer()
        self.files = GeneratedFiles(keep=keep)
        self.template_code = InMemoryTemplateCode() if keep else None
        self.catalog: Catalog | None = None
        self.site: dict[str, str] = {}  # site name and description, as templates print them
        self.head_meta: HeadMeta | None = None  # each page's meta tags (site.head_meta)
        self.specs: dict[str, PageSpec] = {}  # by src_uri
        self.home: PageSpec | None = None  # recent additions, after a hand-written home page
        self.handwritten: tuple[str, ...] = ()  # URLs of the hand-written pages
        self.in_nav: set[str] = set()  # paths in mkdocs' nav config
        self.sitemap_pages: dict[str, date | None] | None = None  # what the sitemaps list
        self.prerender = True
        self.shells: Shells | None = None
        self.writer: ShellPageWriter[SideWork] | None = None
        self.icons: dict[str, str] = {}  # of the pages made through the theme (site.icons)

    def use_compiled_templates(
        self, env: jinja2.Environment | None = None, *, use_cache: bool
    ) -> None:
        """Compiled templates for ``env`` (mkdocs' theme; default: ours): kept in memory
        under ``mkdocs serve``, else in the user's cache folder (with
        PAPERSHELF_NO_CACHE, papershelf build --clean, compiled afresh and written for
        later builds)."""
        env = env or self.bodies.env
        if env.bytecode_cache is None:
            env.bytecode_cache = self.template_code or (
                compiled_templates(read=not caches_ignored()) if use_cache else None
            )

    def start_build(self, catalog: Catalog, site: dict[str, str], meta_site: Site) -> None:
        """``meta_site``: the site's name, description and URL as the head meta of pages
        give them (papershelf.site.head_meta; the feeds' site)."""
        self.catalog, self.site = catalog, site
        self.bodies.start_build(catalog)
        self.head_meta = HeadMeta(self.bodies.env, meta_site, catalog.tags)

    def plan(
        self,
        files: Files,
        config: MkDocsConfig,
        settings: Settings,
        *,
        prerender: bool,
        track: Callable[[PageSpec, File], None] | None,
    ) -> None:
        """Add a file for every page spec to ``files``. A hand-written page at a generated
        page's URL wins. ``track``: a ``--dirty`` build's, which makes each file say
        whether it must be written again."""
        assert self.catalog is not None
        self.prerender = prerender
        self.handwritten = tuple(
            "" if file.url == "./" else file.url for file in files.documentation_pages()
        )
        home_file = files.get_file_from_path("index.md")
        self.home = home_spec(self.catalog, settings) if home_file is not None else None
        self.in_nav = in_nav = nav_paths(config.nav)
        self.specs = specs = {}
        self.files.start_build(config)
        existing = set(files.src_uris)
        handwritten = set(self.handwritten)  # tags/x.md has the URL of tags/x/index.md
        for spec in plan_pages(self.catalog, settings, home=home_file is None):
            if spec.src_uri in existing or spec.url in handwritten:
                continue
            specs[spec.src_uri] = spec
            fast = prerender and spec.src_uri not in in_nav
            file = self.files.get(config, spec.src_uri, prerendered=fast)
            if track is not None:
                track(spec, file)
            files.append(file)
        self.files.keep_only(set(specs))
        home = files.get_file_from_path("index.md")  # hand-written or generated
        if track is not None and home is not None:  # it lists the recent additions
            home.is_modified = lambda: True  # type: ignore[method-assign]

    def write_sitemaps(self, site_dir: Path, site_url: str, *, only_if_changed: bool) -> None:
        """The site's sitemap and one in every tag's and reading path's feed folder
        (papershelf.site.sitemaps); they list every page, hand-written and generated,
        with the ``lastmod`` of the papers it shows, so a ``--dirty`` rebuild
        (``only_if_changed``) writes them only when pages came or went or a date changed."""
        assert self.catalog is not None
        listed: list[tuple[str, str | None]] = [(url, None) for url in self.handwritten]
        listed.extend((spec.url, spec.group) for spec in self.specs.values())
        if self.home is not None:  # the recent additions after a hand-written home page
            listed.append((self.home.url, self.home.group))
        pages = page_dates(listed, page_lastmods(self.catalog))
        if not only_if_changed or pages != self.sitemap_pages:
            paths = [path.slug for path in self.catalog.collections]
            sitemaps = site_sitemaps(pages, self.catalog.tags, site_url, paths)
            write_outputs(site_dir, sitemaps)
            remove_stale_shards(site_dir, sitemaps)  # a --dirty build writes into the site
            self.sitemap_pages = pages

    def set_title(self, page: Page) -> None:
        """A generated page's title and description (``on_page_markdown``), escaped:
        mkdocs' theme templates do not autoescape."""
        spec = self.specs.get(page.file.src_uri)
        if spec is not None:
            page.meta["title"] = escape(spec.title)
            page.meta["description"] = escape(spec.description)

    def content(self, page: Page, html: str, snapshot: SnapshotRecorder | None) -> str:
        """What mkdocs gets as a page's content (``on_page_content``): nothing for a
        page written from its shell (its body is rendered when it is built), a
        generated page's body, the recent additions after a hand-written home page;
        what the plugin made goes to the snapshot too."""
        spec = self.specs.get(page.file.src_uri)
        if spec is not None:
            if page.meta.get("template") == PRERENDERED_TEMPLATE:
                return ""
            body = self.render(spec)
            if snapshot is not None:
                snapshot.fragment(spec.url, body)
            return body
        if self.home is not None and page.is_homepage:
            fragment = self.render(self.home, standalone=False)
            if snapshot is not None:
                snapshot.fragment(self.home.url, fragment)
            return html + fragment
        return html

    def page_context(self, page: Page, context: dict[str, Any]) -> None:
        """mkdocs builds a page (``on_page_context``): its feed links, and a page written
        from its shell is written now (unless the helper does), its body left in
        ``page.content`` for other plugins, and mkdocs gets an empty page. A generated
        page the theme renders (and a hand-written home page, followed by the recent
        additions) gets its meta tags (main.html prints them)."""
        spec = self.specs.get(page.file.src_uri)
        context["papershelf_feed_tags"] = spec.feed_tags if spec else ()
        writer = self.writer
        if writer is not None and writer.handles(page.file.src_uri):
            with stage("pages"):
                page.content = writer.build(page.file.src_uri) or ""
            context["papershelf_written"] = True
            return
        if spec is None and page.is_homepage:
            spec = self.home
        if spec is not None and self.head_meta is not None:
            context["papershelf_head_meta"] = self.head_meta(spec)

    def page_done(self, page: Page, output: str, snapshot: SnapshotRecorder | None) -> str:
        """mkdocs made a page (``on_post_page``): drop the body of one written from its
        shell (memory); a generated page made through the theme gets its icons from the
        sprite, as the shells do, and the snapshot keeps it cut around the plugin's part.
        The page as it is written. Hand-written pages keep their icons inline: a
        ``--dirty`` build that made only some of them could not tell which icons the
        others use."""
        writer = self.writer
        if writer is not None and writer.handles(page.file.src_uri):
            page.content = ""
            return output
        spec = self.specs.get(page.file.src_uri)
        if spec is not None:
            output, icons = sprite_icons(output, relative_root(spec.url))
            self.icons.update(icons)
        if snapshot is not None:
            if spec is not None:
                snapshot.page_written(spec.url, output)
            elif self.home is not None and page.is_homepage:
                snapshot.page_written(self.home.url, output)
        return output

    def write_sprite(self, site_dir: Path) -> None:
        """The theme's icons of the pages made in this build (site.icons); a build that
        made none (a quick or ``--dirty`` one) keeps the sprite the last build wrote,
        since every generated page shows the same theme icons."""
        icons = {**self.icons, **(self.shells.icons if self.shells is not None else {})}
        if icons:
            write_outputs(site_dir, {SPRITE: sprite_file(icons)})
        self.icons = {}

    def render(self, spec: PageSpec, *, standalone: bool = True) -> str:
        with stage("pages"):
            return self._render(spec, standalone=standalone)

    def _render(self, spec: PageSpec, *, standalone: bool) -> str:
        return self.bodies.render(spec, self.catalog, self.site, standalone=standalone)

    def page_parts(self, src_uri: str) -> PageParts:
        """A page's own parts for its shell; its body and meta tags are rendered now."""
        spec = self.specs[src_uri]
        title, description = str(escape(spec.title)), str(escape(spec.description))
        body = self.render(spec)
        assert self.head_meta is not None
        meta = self.head_meta(spec)
        return PageParts(spec.url, title, description, body, spec.feed_tags, meta)

    def make_shells(
        self, env: jinja2.Environment, config: MkDocsConfig, nav: Any, files: Files
    ) -> Shells:
        self.shells = Shells(env, config, nav, files)
        return self.shells

    def start_writing(
        self,
        files: Files,
        *,
        fork: bool,
        side_work: Callable[[], SideWork],
        only_modified: bool,
    ) -> None:
        """Write pages from shells from now on (with ``fork``, half of them and
        ``side_work`` in a helper); pages whose shell cannot be made go through the theme."""
        assert self.shells is not None
        wanted = (lambda file: file.is_modified()) if only_modified else None
        self.writer = writer = ShellPageWriter(
            self.shells, files, self.page_parts, fork=fork, side_work=side_work, wanted=wanted
        )
        for src_uri in writer.fallbacks:  # no shell: through main.html
            file = files.get_file_from_path(src_uri)
            assert file is not None and file.page is not None
            file.page.content = self.render(self.specs[src_uri])

    def finish_writing(self) -> SideWork | None:
        """Wait for the helper that wrote half of the pages: what it did beside them, or
        None if no helper did that work (it is then still to do)."""
        writer, self.writer = self.writer, None
        if writer is None:
            return None
        try:
            with stage("pages: waiting for the helper"):
                return writer.finish()
        except ForkedTaskError as error:
            raise PluginError(f"papershelf: writing generated pages failed:\n{error}") from error

    def snapshot_specs(self) -> Iterator[tuple[PageSpec, str]]:
        """Every generated page and how it is made (papershelf.speed.snapshot.encode_spec)."""
        for spec in self.specs.values():
            shell = self.prerender and spec.src_uri not in self.in_nav
            yield spec, "shell" if shell else "theme"
        if self.home is not None:
            yield self.home, "home"

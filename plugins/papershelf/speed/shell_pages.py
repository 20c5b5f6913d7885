"""Generated pages without mkdocs' per-page cost: shared theme shells.

mkdocs renders every page through Markdown and the theme's ``main.html``; for
material that is about 2 ms a page (header, navigation, palette, scripts), so at
10,000 papers the theme alone took most of a build. Yet for generated pages outside
the navigation, that output differs from page to page only in a few places: the
title, the description, the URL (canonical link), the body, and the feed links and
the page's meta tags (papershelf.site.head_meta) in ``<head>``. The rest depends only
on where the page sits relative to the pages and files the theme links to
(:func:`shell_key`).

So the theme renders once per such position a *probe* page whose varying fields are
marker strings; :func:`split_shell` cuts that output at the markers, and a page is
the shell's text with its own values in between (:meth:`Shell.fill`). The markers
contain ``&``, ``<`` and a space, so a template that transformed a value instead of
printing it (``striptags``, ``urlencode``...) leaves a recognisable residue, and such
a shell is refused: those pages then go through the theme as usual. Tests build
sites both ways and compare them byte for byte.

Pages stay mkdocs pages (``File.generated``, outside the navigation), so the
sitemap, link validation, ``mkdocs serve`` and other plugins' ``on_page_context``
see them. The plugin renders a page's body when mkdocs builds it (never all bodies
in memory at once) and writes the page itself, so a forked helper process can
write half of them on the other core (:class:`ForkedTask`); mkdocs gets an empty page,
which also means other plugins' ``on_post_page`` sees nothing of these pages
(``papershelf.speed.forking``).
Other plugins' ``on_page_context`` sees the body in ``page.content`` (the helper is
then not used).
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urljoin, urlsplit

import jinja2
from markupsafe import escape
from mkdocs.commands.build import get_context
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from papershelf.site.icons import sprite_icons
from papershelf.site.rendering import relative_root
from papershelf.speed.forking import ForkedTask, fork_allowed
from papershelf.speed.theme_shells import (
    BODY_MARK,
    DESCRIPTION_MARK,
    HEAD_MARK,
    HEAD_TEMPLATE,
    META_MARK,
    PROBE,
    TITLE_MARK,
    Shell,
    ShellError,
    folders,
    shell_key,
    split_shell,
    variant,
    write_page,
)

log = logging.getLogger("mkdocs.plugins.papershelf")

_SideWork = TypeVar("_SideWork")  # what the work beside the pages returns (ShellPageWriter)

# The template of a prerendered page: empty once the plugin has written the page.
PRERENDERED_TEMPLATE = "papershelf/prerendered.html"


class PrerenderedPage(Page):
    """A generated page with no source file and no Markdown; its template is
    :data:`PRERENDERED_TEMPLATE` and the plugin writes it (see the module)."""

    def _set_canonical_url(self, base: str | None) -> None:
        # Worked out when read (by the sitemap), not for each of thousands of pages
        # when they are made: urljoin was a third of an incremental build's page setup.
        self._canonical_base = base

    @functools.cached_property
    def canonical_url(self) -> str | None:  # type: ignore[override]
        base = self._canonical_base
        if not base:
            return None
        return urljoin(base if base.endswith("/") else base + "/", self.url)

    @functools.cached_property
    def abs_url(self) -> str | None:  # type: ignore[override]
        canonical = self.canonical_url
        return urlsplit(canonical).path if canonical else None

    def read_source(self, config: MkDocsConfig) -> None:
        self.markdown = ""

    def render(self, config: MkDocsConfig, files: Files) -> None:
        self.content = ""

    def reset(self) -> None:
        """Fresh again for another build of ``mkdocs serve``, keeping what depends only
        on the file and the config (URL, canonical URL): making ten thousand pages
        anew took a third of a second per rebuild."""
        self.children = self.previous_page = self.next_page = None
        self.active = False
        self.markdown = None
        self._title_from_render = None
        self.content = None
        self.toc = []  # type: ignore[assignment]
        self.meta = {"template": PRERENDERED_TEMPLATE}
        self.__dict__.pop("present_anchor_ids", None)
        self.__dict__.pop("links_to_anchors", None)


def generated_page(config: MkDocsConfig, src_uri: str, *, prerendered: bool) -> File:
    """A ``File.generated`` page outside the navigation, with a prerendered page
    attached (mkdocs only creates a ``Page`` for files that have none)."""
    file = File.generated(config, src_uri, content="", inclusion=InclusionLevel.NOT_IN_NAV)
    if prerendered:
        page = PrerenderedPage(None, file, config)
        page.meta["template"] = PRERENDERED_TEMPLATE
    return file


class GeneratedFiles:
    """Prerendered files kept across the rebuilds of ``mkdocs serve`` (``keep``);
    each build gets them reset, or new ones when the config they depend on changed."""

    def __init__(self, *, keep: bool) -> None:
        self.keep = keep
        self._files: dict[str, File] = {}
        self._made_for: tuple[Any, ...] = ()

    def start_build(self, config: MkDocsConfig) -> None:
        made_for = tuple(
            config.get(name)
            for name in ("site_dir", "site_url", "use_directory_urls", "repo_url", "edit_uri")
        )
        if made_for != self._made_for:
            self._files, self._made_for = {}, made_for

    def get(self, config: MkDocsConfig, src_uri: str, *, prerendered: bool) -> File:
        if not (self.keep and prerendered):
            return generated_page(config, src_uri, prerendered=prerendered)
        file = self._files.get(src_uri)
        if file is None:
            file = self._files[src_uri] = generated_page(config, src_uri, prerendered=True)
        else:
            assert isinstance(file.page, PrerenderedPage)
            file.page.reset()
            file.__dict__.pop("is_modified", None)
        return file

    def keep_only(self, src_uris: set[str]) -> None:
        for src_uri in [uri for uri in self._files if uri not in src_uris]:
            del self._files[src_uri]


def nav_paths(nav: Any) -> set[str]:
    """Every file path named in mkdocs' ``nav`` config (those pages are rendered the
    usual way: the navigation marks them active)."""
    found: set[str] = set()
    stack = [nav]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.add(item.lstrip("/"))
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


@dataclass
class _Shells:
    """The shells at one position, one per variant, and the template context of the
    probe (for the feed links). material's templates branch on whether a body has its
    own ``<h1>`` (else it prints the title as heading) and whether a page has a
    description (else the site's), so each combination has its own shell."""

    probe: Page
    context: dict[str, Any]
    variants: dict[tuple[bool, bool], Shell]


class Shells:
    """The shells of one build, rendered before pages are built (see :func:`shell_key`)."""

    def __init__(
        self, env: jinja2.Environment, config: MkDocsConfig, nav: Any, files: Files
    ) -> None:
        self.env = env
        self.config = config
        self.nav = nav
        self.pages = files.documentation_pages()
        self.linked = {
            folder
            for file in files
            if not isinstance(file.page, PrerenderedPage)
            for folder in folders(file.url)
        }
        self._shells: dict[tuple[int, str], _Shells | None] = {}
        self.icons: dict[str, str] = {}  # the theme's icons in the shells (site.icons)
        self._heads: dict[tuple[tuple[int, str], tuple[str, ...]], str] = {}
        self._keys: dict[str, tuple[int, str]] = {}

    def key(self, url: str) -> tuple[int, str]:
        """:func:`shell_key`, worked out once per folder of pages."""
        if url in self.linked:
            return shell_key(url, self.linked)
        parent = url[: url.rstrip("/").rfind("/") + 1]
        key = self._keys.get(parent)
        if key is None:
            key = self._keys[parent] = shell_key(url, self.linked)
        return key

    def ready(self, url: str) -> bool:
        """Render the shell for pages like ``url`` (once); False if the theme's output
        cannot be cut into one: such pages must go through the theme."""
        key = self.key(url)
        if key not in self._shells:
            try:
                self._shells[key] = self._probe(*key)
            except ShellError as error:
                # Not a warning: the site is still right (and strict builds go on).
                log.info(
                    "papershelf: generated pages like %s go through the theme one by one "
                    "(slower): %s",
                    url,
                    error,
                )
                self._shells[key] = None
        return self._shells[key] is not None

    def made(self) -> dict[tuple[int, str], dict[tuple[bool, bool], Shell] | None]:
        """The shells made so far by position and variant (None: cannot be made)."""
        return {
            key: dict(shells.variants) if shells is not None else None
            for key, shells in self._shells.items()
        }

    def fingerprint(self) -> Hashable:
        """The shells made so far: pages built from other shells must be rewritten."""
        return tuple(
            (key, tuple(shells.variants[(True, True)].parts) if shells else None)
            for key, shells in sorted(self._shells.items())
        )

    def html(
        self,
        url: str,
        title: str,
        description: str,
        body: str,
        feed_tags: tuple[str, ...],
        meta: str = "",
    ) -> str:
        """The finished page at ``url`` (once :meth:`ready` said yes for it). ``title``
        and ``description`` are HTML-escaped text, as the theme prints them; ``meta``
        the page's meta tags (papershelf.site.head_meta), printed after the feed links."""
        key = self.key(url)
        shells = self._shells[key]
        assert shells is not None
        head = self._heads.get((key, feed_tags))
        if head is None:
            template = self.env.get_template(HEAD_TEMPLATE)
            head = template.render({**shells.context, "papershelf_feed_tags": feed_tags})
            self._heads[(key, feed_tags)] = head
        kind = variant(body, description)
        shell = shells.variants.get(kind)
        if shell is None:
            shell = shells.variants[kind] = self._render(shells, *kind)
        values = {"title": title, "description": description, "url": url, "body": body}
        return shell.fill({**values, "head": head, "meta": meta})

    def _probe(self, levels: int, shared: str) -> _Shells:
        url = shared + f"{PROBE}/" * (levels - shared.count("/"))
        probe = generated_page(self.config, f"{url}index.md", prerendered=True).page
        assert probe is not None
        probe.markdown = ""
        context = get_context(self.nav, self.pages, self.config, probe)
        context["papershelf_feed_tags"] = ()
        context["papershelf_head_meta"] = META_MARK
        shells = _Shells(probe, context, {})
        shells.variants[(True, True)] = self._render(shells, heading=True, described=True)
        return shells

    def _render(self, shells: _Shells, heading: bool, described: bool) -> Shell:
        probe, context = shells.probe, shells.context
        probe.meta = {"title": escape(TITLE_MARK), "description": ""}
        marks = {str(escape(TITLE_MARK)): "title", BODY_MARK: "body", HEAD_MARK: "head"}
        marks[probe.url] = "url"
        if described:
            probe.meta["description"] = escape(DESCRIPTION_MARK)
            marks[str(escape(DESCRIPTION_MARK))] = "description"
        probe.content = f"<h1>{BODY_MARK}</h1>" if heading else BODY_MARK
        head = self.env.get_template(HEAD_TEMPLATE).render(context)
        html = self.env.get_template("main.html").render(context)
        html, icons = sprite_icons(html, relative_root(probe.url))
        self.icons.update(icons)
        if not head.strip() or html.count(head) != 1:
            raise ShellError("the feed links in the page head could not be located")
        html = html.replace(head, HEAD_MARK).replace(probe.content, BODY_MARK)
        if META_MARK in html:  # a theme that does not print the meta has no such slot
            marks[META_MARK] = "meta"
        return split_shell(html, marks, once=("body", "head", "meta"))


class SkippedPagesFilter(logging.Filter):
    """Hides mkdocs' "Page skipped ... empty output" note for pages the plugin wrote."""

    def __init__(self, src_uris: Iterable[str]) -> None:
        super().__init__()
        self.notes = {f"Page skipped: '{uri}'. Generated empty output." for uri in src_uris}

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() not in self.notes


def others_read_pages(plugins: Any, me: object) -> bool:
    """Whether another plugin reads pages in ``on_page_context`` (material's search
    does): pages we write without mkdocs (in the helper, or not at all because they
    did not change) never reach it."""
    listeners = [inspect.unwrap(method) for method in plugins.events["page_context"]]
    return any(getattr(method, "__self__", None) is not me for method in listeners)


def can_fork(command: str | None, plugins: Any, me: object) -> bool:
    """Whether a helper may write pages: a build (``mkdocs serve`` runs threads, and
    forking them is unsafe) on a POSIX system, with no other plugin that reads pages."""
    return fork_allowed(command) and not others_read_pages(plugins, me)


@dataclass(frozen=True)
class PageParts:
    """What differs between prerendered pages; ``title`` and ``description`` are
    HTML-escaped, as the theme prints them; ``meta`` is the page's meta tags
    (papershelf.site.head_meta)."""

    url: str
    title: str
    description: str
    body: str
    feed_tags: tuple[str, ...]
    meta: str = ""


# Below this many pages a helper process costs more than it saves.
MIN_PAGES_TO_FORK = 1000
# The helper's share of the pages, spread evenly over them. It also runs the work
# beside the pages (feeds, downloads, entry cache) while this process goes through
# mkdocs' page loop: with half the pages this process waited 1.4 s for it at 10,000
# papers and 8.6 s at 50,000; with two fifths 0.6 and 3.1 s (cold builds 0.6 and 3 s
# faster).
HELPER_SHARE = (2, 5)


class ShellPageWriter(Generic[_SideWork]):
    """Puts together and writes the prerendered pages of one build.

    Made in ``on_env`` (after mkdocs read every page, before it builds them):
    renders the shells, sends pages whose shell could not be made back to the theme
    (:attr:`fallbacks`), and with ``fork`` starts a :class:`ForkedTask` that writes every
    other page while mkdocs goes on, then runs ``side_work`` (work that can be done
    beside the build, like saving the entry cache). :meth:`build` writes one of the
    remaining pages when mkdocs builds it; :meth:`finish` waits for the helper and
    returns what ``side_work`` returned there: the helper is another process, so what
    ``side_work`` changed in memory stays in it, and this process learns only the result.
    """

    def __init__(
        self,
        shells: Shells,
        files: Files,
        parts: Callable[[str], PageParts],
        *,
        fork: bool,
        side_work: Callable[[], _SideWork] | None = None,
        wanted: Callable[[File], bool] | None = None,
    ) -> None:
        self.shells = shells
        self.parts = parts
        self.fallbacks: list[str] = []
        self.paths: dict[str, str] = {}
        for file in shells.pages:
            page = file.page
            if not isinstance(page, PrerenderedPage):
                continue
            if page.meta.get("template") != PRERENDERED_TEMPLATE:
                continue
            if wanted is not None and not wanted(file):
                continue  # a dirty build: mkdocs keeps this page as it is
            if shells.ready(page.url):
                self.paths[file.src_uri] = file.abs_dest_path
            else:
                del page.meta["template"]
                self.fallbacks.append(file.src_uri)
        self._quiet = SkippedPagesFilter(self.paths)
        logging.getLogger("mkdocs.commands.build").addFilter(self._quiet)
        uris = list(self.paths)
        self.helper: ForkedTask | None = None
        self.mine = set(uris)
        if fork and len(uris) >= MIN_PAGES_TO_FORK:
            part, whole = HELPER_SHARE
            theirs = [uri for n, uri in enumerate(uris) if n * part % whole >= whole - part]
            self.mine = set(uris) - set(theirs)

            def work() -> _SideWork | None:
                self._write_all(theirs)
                return side_work() if side_work is not None else None

            self.helper = ForkedTask(work, name="pages")

    def handles(self, src_uri: str) -> bool:
        return src_uri in self.paths

    def build(self, src_uri: str) -> str | None:
        """Write the page unless the helper does; its body, or None."""
        return self._write(src_uri) if src_uri in self.mine else None

    def finish(self) -> _SideWork | None:
        """Wait for the helper (raises :class:`ForkedTaskError` if it failed): what
        ``side_work`` returned in it, or None when no helper ran (``side_work`` is then
        still to do)."""
        logging.getLogger("mkdocs.commands.build").removeFilter(self._quiet)
        helper, self.helper = self.helper, None
        return helper.join() if helper is not None else None

    def _write_all(self, uris: list[str]) -> None:
        for uri in uris:
            self._write(uri)

    def _write(self, src_uri: str) -> str:
        part = self.parts(src_uri)
        html = self.shells.html(
            part.url, part.title, part.description, part.body, part.feed_tags, part.meta
        )
        write_page(self.paths[src_uri], html)
        return part.body

"""Browser fixtures: build a small site once, serve it on 127.0.0.1, drive Chromium.

The fixture project has its own handful of papers (dated in several months, one
undated, one with hostile text) and inherits the real ``mkdocs.yml`` (theme, palette,
features, plugins) through mkdocs' ``INHERIT``, so the tests see the site readers get
without depending on the real list's contents.

Chromium is Debian's ``/usr/bin/chromium`` (``.ci/run`` installs it; set
``PAPERSHELF_CHROMIUM`` to use another build); when it is missing the tests fail with
that message rather than being skipped.
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Dialog,
    Page,
    Playwright,
    sync_playwright,
)

from build_tools.chromium import CHROMIUM, CHROMIUM_ARGS

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-output" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# The real configuration, minus what a throwaway project cannot have: its own pages,
# a small page size (so tag pages paginate), the local server as site_url (the feed
# links are absolute, and material fetches the sitemap beside each) and no repo_url
# (material would ask the GitHub API for stars, which an offline test machine cannot reach).
MKDOCS_YML = f"""\
INHERIT: {REPO / "mkdocs.yml"}
site_url: {{site_url}}
docs_dir: content
site_dir: site
repo_url: null
edit_uri: null
watch: []
plugins:
  - papershelf:
      papers_dir: papers
      tags_file: tags.yml
      page_size: 3
      home_recent: 5
nav:
  - Home: index.md
  - Tags: tags/index.md
  - Archive: archive/index.md
  - Organisations: orgs/index.md
  - About: about.md
"""

TAGS_YML = """\
agents:
  title: Agents & tools
  description: Language-model agents that plan & act.
reasoning:
  title: Reasoning
  description: Multi-step reasoning and chain-of-thought.
vision:
  title: Vision
  description: Seeing things.
"""

# Hostile text: every field a reader sees must come out as text, never as markup.
NASTY_TITLE = '<script>alert(1)</script> Tom & Jerry\'s "<b>bold</b>" agents'

PAPERS = {
    "zebrafish-navigation.yaml": """\
        title: Agents That Navigate Like Zebrafish
        authors: [Quetzalcoatl Okonkwo, Ada Lovelace]
        organization: DeepMind
        published: 2024-03-05
        added: 2025-02-01
        tags: [agents, reasoning]
        abstract: >-
          We study how larval zebrafish explore unfamiliar tanks and turn the observed
          strategy into a planning method for language-model agents that browse the web.
        links:
          arxiv: "2403.01234"
          code: https://github.com/example/zebrafish
          project: https://example.org/zebrafish/
          doi: 10.1000/zebra.1
        votes: 40
        """,
    "nasty-title.yaml": f"""\
        title: '{NASTY_TITLE.replace("'", "''")}'
        authors: ["Tom & Jerry", "<img src=x onerror=alert(2)>"]
        organization: R&D <Lab>
        published: 2024-03-20
        added: 2025-02-03
        tags: [agents]
        abstract: >-
          Ampersands & angle brackets <like this> must stay text; so must
          "quotes" and <script>alert(3)</script> in an abstract.
        votes: 5
        """,
    "long-context.yaml": """\
        title: Reasoning Over Very Long Contexts
        author_count: 12
        organization: Google
        published: 2024-01-10
        added: 2025-01-20
        tags: [reasoning]
        abstract: >-
          A study of multi-step reasoning when the relevant facts are spread over a
          million tokens of context.
        links:
          arxiv: "2401.05678"
        votes: 99
        """,
    "vision-transformer-study.yaml": """\
        title: A Careful Study of Vision Transformers
        authors: [Grace Hopper]
        published: 2023-12-01
        added: 2025-01-15
        tags: [vision]
        abstract: Vision transformers, measured carefully on many benchmarks.
        """,
    "undated-agent.yaml": """\
        title: An Agent Paper Without a Date
        author_count: 3
        added: 2025-01-10
        tags: [agents]
        abstract: Nobody recorded when this one was published.
        """,
    "agent-notes.md": """\
        ---
        title: Tool-Using Agents With Notes
        authors: [Alan Turing, Katherine Johnson, Dorothy Vaughan]
        organization: DeepMind
        published: 2024-01-25
        added: 2025-02-02
        tags: [agents, vision]
        abstract: >-
          Agents that call tools, see screenshots and write code.
        links:
          arxiv: "2401.09999"
        votes: 12
        ---
        Read section 4 first. A very long link that must wrap on a phone:
        <https://example.org/a/very/long/path/that/keeps/going/and/going/without/any/break/at/all>
        """,
    "long-word-title.yaml": """\
        title: Pneumonoultramicroscopicsilicovolcanoconiosisdetectionwithagentsandmorewordsjoined
        author_count: 1
        published: 2024-03-01
        added: 2025-01-05
        tags: [agents]
        abstract: A title with one very long word, to check that phones do not scroll sideways.
        """,
}

CONTENT = {
    "index.md": """\
        # Test shelf

        A small reading list for the browser tests. Browse by [tag](tags/index.md) or
        by [month](archive/index.md).
        """,
    "about.md": """\
        # About

        Built for the browser tests.
        """,
}


# A longer list for paging through search results: "Paper 1" to "Paper 25", one a day,
# every abstract with the word "common".
LONG_LIST = {
    f"paper-{n:02d}.yaml": f"""\
        title: Paper {n}
        organization: Lab
        added: 2025-01-{n:02d}
        tags: [agents]
        abstract: A common abstract, number {n}.
        """
    for n in range(1, 26)
}


def write_project(
    root: Path,
    site_url: str,
    papers: dict[str, str] = PAPERS,
    tags_yml: str = TAGS_YML,
    collections: dict[str, str] | None = None,
) -> None:
    """Write the fixture project into ``root``, to be published at ``site_url``; with
    ``collections``, reading paths (file name -> text) in collections/."""
    (root / "mkdocs.yml").write_text(MKDOCS_YML.format(site_url=site_url), encoding="utf-8")
    for name, text in (collections or {}).items():
        path = root / "collections" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    (root / "tags.yml").write_text(tags_yml, encoding="utf-8")
    for name, text in papers.items():
        path = root / "papers" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    for name, text in CONTENT.items():
        path = root / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass  # keep pytest output readable


@dataclass
class Site:
    """The built fixture site, served over HTTP."""

    root: Path
    base_url: str

    def url(self, path: str = "") -> str:
        return f"{self.base_url}/{path}"


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Build the fixture project once and serve ``site/`` on an ephemeral port."""
    yield from built_and_served(tmp_path_factory.mktemp("browser-project"), PAPERS)


@pytest.fixture(scope="session")
def long_list(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The fixture project with the 25 papers of ``LONG_LIST`` instead, served."""
    yield from built_and_served(tmp_path_factory.mktemp("browser-long-list"), LONG_LIST)


def mkdocs_build(root: Path) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` of the project in ``root``, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


def built_and_served(
    root: Path,
    papers: dict[str, str],
    tags_yml: str = TAGS_YML,
    collections: dict[str, str] | None = None,
) -> Iterator[Site]:
    """Write a project with ``papers`` (and ``tags_yml`` as its tags.yml, ``collections``
    as its reading paths) into ``root``, build it and serve its site."""
    # Bind first: the site is built for the address it will be served at.
    handler = functools.partial(_QuietHandler, directory=str(root / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    host, port = server.server_address[:2]
    base_url = f"http://{host}:{port}"
    write_project(root, f"{base_url}/", papers, tags_yml, collections)
    completed = mkdocs_build(root)
    if completed.returncode != 0:
        server.server_close()
        pytest.fail(f"the fixture site did not build:\n{completed.stdout}{completed.stderr}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(root=root / "site", base_url=base_url)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} not found: the browser tests need Debian's chromium "
            "(`apt-get install chromium`, as .ci/run does)"
        )
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        yield launched
    finally:
        launched.close()


@dataclass
class Console:
    """Console errors and uncaught exceptions seen by a page."""

    errors: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} ({message.location})")

    def on_page_error(self, error: Exception) -> None:
        self.errors.append(f"page error: {error}")

    def on_dialog(self, dialog: Dialog) -> None:
        # An alert() means entry text ran as script: record it, close it.
        self.errors.append(f"dialog opened: {dialog.message}")
        dialog.dismiss()


def _open_page(browser: Browser, viewport: dict[str, int]) -> Iterator[tuple[Page, Console]]:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    console = Console()
    page.on("console", console.on_console)
    page.on("pageerror", console.on_page_error)
    page.on("dialog", console.on_dialog)
    try:
        yield page, console
    finally:
        context.close()


@pytest.fixture
def desktop(browser: Browser) -> Iterator[tuple[Page, Console]]:
    """A fresh desktop-sized page (own context: no shared storage such as the palette)."""
    yield from _open_page(browser, DESKTOP)


@pytest.fixture
def phone(browser: Browser) -> Iterator[tuple[Page, Console]]:
    """A fresh 390 px wide page, the width of a common phone."""
    yield from _open_page(browser, PHONE)

"""`build_tools.first_view` in Chromium: a reader's first view of a small fixture site,
published (on paper) at an https address of its own under a path, measured from a
local server that Chromium reaches at that address."""

from __future__ import annotations

import gzip
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Playwright

from build_tools.first_view import FirstView, first_views, sample_pages
from tests.browser.conftest import PAPERS, mkdocs_build, write_project

PUBLISHED = "https://shelf.example.org/reading/"
EXTERNAL_IMAGE = "https://images.example.net/logo.png"


@dataclass
class Built:
    site: Path
    listener: socket.socket  # a local port the about page links to: nothing may reach it

    @property
    def trap(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}/escape.png"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """The fixture project built for ``PUBLISHED``; its about page shows an image of
    another host, one of a local port outside the site and one that does not exist."""
    root = tmp_path_factory.mktemp("first-view-project")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        result = Built(root / "site", listener)
        write_project(root, PUBLISHED, PAPERS)
        (root / "content" / "about.md").write_text(
            "# About\n\n"
            f"![A logo elsewhere]({EXTERNAL_IMAGE})\n\n"
            f'<img src="{result.trap}" alt="">\n\n'
            '<img src="no-such.png" alt="">\n',
            encoding="utf-8",
        )
        completed = mkdocs_build(root)
        assert completed.returncode == 0, completed.stdout + completed.stderr
        yield result


def gzipped(path: Path) -> int:
    """The size of a file as the server sends it to a browser (gzip -6)."""
    return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))


def bundle(view: FirstView) -> list[str]:
    return [path for path in view.by_resource if path.startswith("assets/javascripts/bundle.")]


def stylesheet(view: FirstView) -> list[str]:
    return [path for path in view.by_resource if path.startswith("assets/stylesheets/main.")]


def test_a_first_view_of_the_home_and_a_paper_page_counts_all_they_fetch(
    built: Built, playwright: Playwright
):
    pages = sample_pages(built.site)
    assert pages[0] == "" and pages[1].startswith("papers/")
    views = first_views(built.site, pages, playwright=playwright)
    assert [view.page for view in views] == pages
    for view in views:
        html = gzipped(built.site / view.page / "index.html")
        assert view.by_resource[view.page] == html
        assert view.requests >= 5 and view.transferred_bytes > html
        assert view.transferred_bytes == sum(view.by_resource.values())
        assert len(bundle(view)) == 1 and len(stylesheet(view)) == 1
        assert view.by_resource[bundle(view)[0]] == gzipped(built.site / bundle(view)[0])
        # Material reads the sitemap next to each <link rel=alternate> (the feeds, at
        # the published address): one URL, one download, the repeats from the cache
        # as on the real host. It is the sitemap index, a few hundred bytes.
        assert view.by_resource["sitemap.xml"] == gzipped(built.site / "sitemap.xml")
        assert view.not_found == () and view.blocked == ()


def test_a_missing_page_and_a_missing_image_are_counted_as_the_404_page(
    built: Built, playwright: Playwright
):
    missing, about = first_views(built.site, ["no-such-page/", "about/"], playwright=playwright)
    not_found = gzipped(built.site / "404.html")
    assert missing.not_found == ("no-such-page/",)
    assert missing.by_resource["no-such-page/"] == not_found
    # 404.html names its assets from the site's root (/reading/assets/...): they load.
    assert len(bundle(missing)) == 1 and len(stylesheet(missing)) == 1
    assert about.not_found == ("about/no-such.png",)
    assert about.by_resource["about/no-such.png"] == not_found


def test_no_request_leaves_the_machine(built: Built, playwright: Playwright):
    [about] = first_views(built.site, ["about/"], playwright=playwright)
    assert sorted(about.blocked) == sorted([EXTERNAL_IMAGE, built.trap])
    assert not any("example.net" in path or "escape" in path for path in about.by_resource)
    with pytest.raises(BlockingIOError):  # no connection waiting at the local port
        built.listener.accept()

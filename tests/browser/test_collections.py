"""A reading path in Chromium: its page renders numbered with the notes, is
accessible in both colour schemes, logs no console error (material fetches a sitemap
beside each advertised feed: the path's folder has one) and fits a phone."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import NASTY_TITLE, PAPERS, Console, Site, built_and_served
from tests.browser.test_accessibility import blocking_violations

LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosisdetectionwithagentsandmorewordsjoined"
COLLECTIONS = {
    "agents-from-zero.yml": """\
        title: Agents from zero & <beyond>
        description: >-
          Three papers to read in order, from the first agent that navigates to agents
          that use tools; <script>alert("description")</script> stays text.
        papers:
          - slug: zebrafish-navigation
            note: Read this first; it sets up the navigation problem every later paper uses.
          - slug: agent-notes
            note: Tools and screenshots; a very long link-like word follows to test wrapping
              https://example.org/a/very/long/path/that/keeps/going/and/going/without/any/break
          - slug: nasty-title
            note: '<img src=x onerror=alert(4)> Hostile text, shown as text.'
          - slug: long-word-title
            note: One very long word in the title.
        """,
    "vision-basics.yml": """\
        title: Vision basics
        description: A one-paper path.
        papers:
          - slug: vision-transformer-study
            note: Start here.
        """,
}
PATH_URL = "collections/agents-from-zero/"


@pytest.fixture(scope="module")
def paths_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The fixture project with two reading paths, built and served."""
    root = tmp_path_factory.mktemp("browser-paths")
    yield from built_and_served(root, PAPERS, collections=COLLECTIONS)


def test_a_reading_path_shows_its_papers_in_order_with_notes(
    paths_site: Site, desktop: tuple[Page, Console]
) -> None:
    page, console = desktop
    page.goto(paths_site.url(PATH_URL))
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_have_text("Agents from zero & <beyond>")
    steps = page.locator("ol.ps-path > li")
    expect(steps).to_have_count(4)
    expect(steps.locator(".ps-card__title")).to_have_text(
        [
            "Agents That Navigate Like Zebrafish",
            "Tool-Using Agents With Notes",
            NASTY_TITLE,
            LONG_WORD,
        ]
    )
    expect(steps.nth(0).locator(".ps-path__note")).to_have_text(
        "Read this first; it sets up the navigation problem every later paper uses."
    )
    expect(steps.nth(2).locator(".ps-path__note")).to_have_text(
        "<img src=x onerror=alert(4)> Hostile text, shown as text."
    )
    # The numbers a reader sees are the list's own, 1 to 4.
    markers = page.evaluate(
        "[...document.querySelectorAll('ol.ps-path > li')].map("
        "li => getComputedStyle(li).display + ':' + li.parentElement.start)"
    )
    assert markers == ["list-item:1"] * 4
    feeds = page.locator('link[rel="alternate"][type="application/atom+xml"]')
    hrefs = [link.get_attribute("href") or "" for link in feeds.all()]
    assert any(href.endswith(f"/{PATH_URL}atom.xml") for href in hrefs), hrefs
    rss = page.locator(".ps-subscribe a[type='application/rss+xml']")
    expect(rss).to_have_attribute("href", re.compile(f"/{PATH_URL}feed.xml$"))
    assert console.errors == []


def test_a_paper_page_leads_to_its_step_on_the_path(
    paths_site: Site, desktop: tuple[Page, Console]
) -> None:
    page, console = desktop
    page.goto(paths_site.url("papers/agent-notes/"))
    link = page.locator(".ps-onpaths a")
    expect(page.locator(".ps-onpaths li")).to_have_text("Agents from zero & <beyond>: step 2 of 4")
    link.click()
    expect(page).to_have_url(paths_site.url(f"{PATH_URL}#step-2"))
    expect(page.locator("#step-2 .ps-card__title")).to_have_text("Tool-Using Agents With Notes")
    page.goto(paths_site.url("collections/"))
    expect(page.locator(".ps-card__title")).to_have_text(
        ["Agents from zero & <beyond>", "Vision basics"]
    )
    assert console.errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", [PATH_URL, "collections/"])
def test_reading_path_pages_have_no_serious_accessibility_violations(
    paths_site: Site, desktop: tuple[Page, Console], scheme: str, path: str
) -> None:
    page, _ = desktop
    page.emulate_media(color_scheme=scheme)
    page.goto(paths_site.url(path))
    assert blocking_violations(page) == []


def test_reading_path_pages_fit_a_phone(paths_site: Site, phone: tuple[Page, Console]) -> None:
    page, console = phone
    wide = {}
    for path in (PATH_URL, "collections/", "papers/agent-notes/"):
        page.goto(paths_site.url(path))
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide[path] = width
    assert wide == {}, f"pages wider than the 390 px viewport: {wide}"
    assert console.errors == []

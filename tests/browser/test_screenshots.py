"""Screenshots of the main pages at desktop and phone width, for people to look at.

Written to test-output/screenshots/ (git-ignored; CI can keep them as an artifact).
The test checks that each image was written and that the page had no console errors
while it was taken; judging the looks is a person's job.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS, Console, Site

SHOTS = {
    "home": "",
    "paper": "papers/zebrafish-navigation/",
    "paper-hostile": "papers/nasty-title/",
    "tag": "tags/agents/",
    "tag-votes": "tags/agents/votes/",
    "tag-index": "tags/",
    "archive": "archive/",
    "archive-year": "archive/2024/",
    "archive-month": "archive/2024/03/",
    "org": "orgs/deepmind/",
    "org-index": "orgs/",
}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_of_the_main_pages(
    site: Site, browser: Browser, viewport: str, scheme: str
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme)
    page = context.new_page()
    console = Console()
    page.on("console", console.on_console)
    page.on("pageerror", console.on_page_error)
    try:
        for name, path in SHOTS.items():
            page.goto(site.url(path))
            page.wait_for_load_state("networkidle")
            target = SCREENSHOTS / f"{name}-{viewport}-{scheme}.png"
            page.screenshot(path=str(target), full_page=True)
            assert target.stat().st_size > 10_000, f"{target} looks empty"
        page.goto(site.url())
        page.locator("[data-ps-search-input]").fill("agents")
        page.locator(".md-search-result__item").first.wait_for()
        target = SCREENSHOTS / f"search-{viewport}-{scheme}.png"
        page.screenshot(path=str(target))
        assert target.stat().st_size > 10_000, f"{target} looks empty"
    finally:
        context.close()
    assert console.errors == []

"""axe-core on the main pages: no serious or critical violations, light and dark."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.browser.conftest import Console, Site

PAGES = {
    "home": "",
    "paper": "papers/zebrafish-navigation/",
    "paper with notes": "papers/agent-notes/",
    "tag": "tags/agents/",
    "tag by votes": "tags/agents/votes/",
    "tag index": "tags/",
    "archive": "archive/",
    "archive year": "archive/2024/",
    "archive month": "archive/2024/03/",
    "organisations": "orgs/",
}
BLOCKING = {"serious", "critical"}


def blocking_violations(page: Page) -> list[str]:
    """axe's serious and critical findings, one readable line per rule."""
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("name", list(PAGES))
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(
    site: Site, desktop: tuple[Page, Console], name: str, scheme: str
) -> None:
    page, _ = desktop
    page.emulate_media(color_scheme=scheme)  # the palette follows the system setting
    page.goto(site.url(PAGES[name]))
    expected = "slate" if scheme == "dark" else "default"
    assert page.locator("body").get_attribute("data-md-color-scheme") == expected
    assert blocking_violations(page) == []


def test_the_open_search_dialog_has_no_serious_violations(
    site: Site, desktop: tuple[Page, Console]
) -> None:
    page, _ = desktop
    page.goto(site.url())
    page.locator("[data-ps-search-input]").fill("agents")
    page.locator(".md-search-result__item").first.wait_for()
    assert blocking_violations(page) == []

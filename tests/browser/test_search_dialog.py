"""The header search dialog papershelf.js builds (the page carries only a template,
tests/site/test_search_markup.py): material's search markup with its accessible names,
its icons drawn from the sprite at any depth, and no search control without the script.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, PHONE, Console, Site

SPRITE = "assets/papershelf/icons.svg"
HINT = "Type to search titles, abstracts, authors, organisations and tags"

# The dialog as the page used to carry it (partials/papershelf-search.html), element by
# element: material's CSS styles it by these classes and this nesting, the search by
# the data-ps-search-* hooks. Icons are shown as "svg #<sprite id>".
OUTLINE_JS = """
dialog => {
  const lines = [];
  const walk = (el, depth) => {
    const pad = "  ".repeat(depth);
    if (el.localName === "svg") {
      const use = el.querySelector("use");
      lines.push(pad + "svg #" + (use ? use.getAttribute("href").split("#")[1] : "inline"));
      return;
    }
    const attributes = [...el.attributes].map(a => a.value ? `${a.name}=${a.value}` : a.name);
    lines.push(pad + [el.localName, ...attributes].join(" "));
    for (const child of el.children) walk(child, depth + 1);
  };
  walk(dialog, 0);
  return lines;
}
"""


def expected_outline(magnify: str, back: str, clear: str) -> list[str]:
    return [
        "div class=md-search ps-search role=dialog aria-label=Search",
        "  label class=md-search__overlay for=__search",
        "  div class=md-search__inner role=search",
        "    form class=md-search__form name=papershelf-search data-ps-search-form"
        " data-ps-mounted=true",
        "      input type=text class=md-search__input name=query aria-label=Search"
        " placeholder=Search autocapitalize=off autocorrect=off autocomplete=off"
        " spellcheck=false data-ps-search-input required",
        "      label class=md-search__icon md-icon for=__search",
        f"        svg #{magnify}",
        f"        svg #{back}",
        "      nav class=md-search__options aria-label=Search",
        "        button type=reset class=md-search__icon md-icon title=Clear"
        " aria-label=Clear tabindex=-1",
        f"          svg #{clear}",
        "    div class=md-search__output",
        "      div class=md-search__scrollwrap tabindex=0",
        "        div class=md-search-result data-ps-search-result",
        "          div class=md-search-result__meta aria-live=polite data-ps-search-meta",
        "          ol class=md-search-result__list data-ps-search-list",
        "          button type=button class=md-button ps-search-more data-ps-search-more hidden",
    ]


@pytest.mark.parametrize("path", ["", "papers/zebrafish-navigation/", "archive/2024/03/"])
def test_the_script_builds_the_search_dialog_with_its_accessible_names(
    site: Site, desktop: tuple[Page, Console], path: str
) -> None:
    page, console = desktop
    response = page.goto(site.url(path))
    assert response is not None
    source = response.text()
    assert "data-ps-search-list" not in source  # the page as served: no dialog...
    assert source.count("<template data-ps-search") == 1  # ...only where it goes

    # After the script ran: material's search dialog, in the header, with its names.
    dialog = page.locator(".md-header__inner > .md-search.ps-search")
    expect(dialog).to_have_count(1)
    expect(page.locator("template[data-ps-search]")).to_have_count(0)
    expect(page.get_by_role("dialog", name="Search")).to_have_count(1)
    search = dialog.get_by_role("search")
    box = search.get_by_role("textbox", name="Search")
    expect(box).to_be_visible()  # desktop: the search field is in the header
    expect(box).to_have_attribute("placeholder", "Search")
    expect(search.get_by_role("navigation", name="Search")).to_have_count(1)
    expect(search.get_by_role("button", name="Clear")).to_have_attribute("type", "reset")
    expect(dialog.locator("[data-ps-search-meta]")).to_have_text(HINT)
    expect(dialog.locator("[data-ps-search-meta]")).to_have_attribute("aria-live", "polite")
    expect(dialog.locator("[data-ps-search-list]")).to_be_empty()
    expect(dialog.locator("[data-ps-search-more]")).to_be_hidden()
    expect(dialog.locator("[data-ps-search-more]")).to_have_text("Show more results")

    # The same elements as the page used to carry, the icons from the sprite.
    outline = dialog.evaluate(OUTLINE_JS)
    expect(dialog.locator("svg")).to_have_count(3)
    if not path:  # hand-written: the theme's icons stay inline there (site.icons)
        expect(dialog.locator("use")).to_have_count(0)
        assert outline == expected_outline("inline", "inline", "inline")
        return
    hrefs = dialog.locator("use").evaluate_all(
        "uses => uses.map(use => new URL(use.getAttribute('href'), location.href).href)"
    )
    names = [href.split("#")[1] for href in hrefs]
    magnifier = page.locator('label.md-header__button[for="__search"] use').get_attribute("href")
    assert magnifier is not None and names[0] == magnifier.split("#")[1]
    assert outline == expected_outline(*names)
    sprite = page.request.get(site.url(SPRITE))
    assert sprite.ok
    for href, name in zip(hrefs, names, strict=True):
        assert href == site.url(f"{SPRITE}#{name}")  # relative to the page, at any depth
        assert f'<symbol id="{name}"' in sprite.text()
    page.wait_for_load_state("networkidle")
    assert console.errors == []


def test_the_phone_dialog_opens_with_its_back_and_clear_icons(
    site: Site, phone: tuple[Page, Console]
) -> None:
    page, console = phone
    page.goto(site.url("papers/zebrafish-navigation/"))
    button = page.locator('label.md-header__button[for="__search"]')
    expect(button).to_be_visible()
    dialog = page.get_by_role("dialog", name="Search")
    expect(page.locator("#__search")).not_to_be_checked()
    page.wait_for_timeout(400)  # material's debounced close after load (test_reading.py)
    button.click()
    expect(page.locator("#__search")).to_be_checked()
    expect(dialog.get_by_role("textbox", name="Search")).to_be_focused()
    back = dialog.locator('label.md-search__icon[for="__search"] svg').last
    expect(back).to_be_visible()  # the arrow that closes the dialog on a phone
    box = back.bounding_box()
    assert box is not None and box["width"] > 0 and box["height"] > 0
    dialog.get_by_role("textbox", name="Search").fill("zebrafish")
    clear = dialog.get_by_role("button", name="Clear")
    expect(clear).to_be_visible()
    clear.click()
    expect(dialog.get_by_role("textbox", name="Search")).to_have_value("")
    expect(dialog.locator("[data-ps-search-meta]")).to_have_text(HINT)
    back.click()
    expect(page.locator("#__search")).not_to_be_checked()
    assert console.errors == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_without_javascript_there_is_no_search_control(
    site: Site, browser: Browser, viewport: dict[str, int]
) -> None:
    context = browser.new_context(viewport=viewport, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site.url("papers/zebrafish-navigation/"))
        expect(page.locator('label.md-header__button[for="__search"]')).to_be_hidden()
        expect(page.get_by_role("textbox")).to_have_count(0)
        expect(page.get_by_role("dialog")).to_have_count(0)
        expect(page.locator("template[data-ps-search]")).to_be_hidden()
    finally:
        context.close()


def test_no_dead_search_button_when_the_search_script_does_not_load(
    site: Site, phone: tuple[Page, Console]
) -> None:
    """material's bundle ran (no more no-js), papershelf.js did not: no button either."""
    page, _ = phone
    page.route(re.compile(r".*/papershelf\.js$"), lambda route: route.abort())
    page.goto(site.url("papers/zebrafish-navigation/"))
    expect(page.locator("html")).to_have_class(re.compile(r"\bjs\b"))
    expect(page.locator(".md-search")).to_have_count(0)
    expect(page.locator('label.md-header__button[for="__search"]')).to_be_hidden()

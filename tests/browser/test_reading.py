"""The reading paths, proven in Chromium against the built fixture site.

Each test is what a reader does: open the home page, follow a tag chip, open a paper,
step through the archive, search, switch to dark mode, read on a phone.
"""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import NASTY_TITLE, REPO, Console, Site

ZEBRAFISH = "Agents That Navigate Like Zebrafish"


def site_description() -> str:
    """The description readers should see, read from the real mkdocs.yml."""
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    found = re.search(r"^site_description: (.+)$", text, re.MULTILINE)
    assert found, "mkdocs.yml has no site_description"
    return found.group(1).strip()


def titles(page: Page) -> Locator:
    """The paper cards' titles (use with expect, which waits for the page to load)."""
    return page.locator(".ps-card__title")


def test_home_loads_without_console_errors(site: Site, desktop: tuple[Page, Console]) -> None:
    page, console = desktop
    page.goto(site.url())
    page.wait_for_load_state("networkidle")
    expect(page).to_have_title("Papershelf")
    expect(page.locator('meta[name="description"]')).to_have_attribute(
        "content", site_description()
    )
    expect(page.locator(".md-header__topic").first).to_have_text("Papershelf")
    # Newest additions first; home_recent is 5 in the fixture project.
    expect(titles(page)).to_have_text(
        [
            NASTY_TITLE,
            "Tool-Using Agents With Notes",
            ZEBRAFISH,
            "Reasoning Over Very Long Contexts",
            "A Careful Study of Vision Transformers",
        ]
    )
    zebrafish = page.locator(".ps-card", has_text=ZEBRAFISH)
    expect(zebrafish.locator(".ps-card__meta")).to_contain_text("Added Feb 1, 2025")
    expect(zebrafish.locator(".ps-card__meta")).to_contain_text("DeepMind")
    expect(zebrafish.locator(".ps-card__meta")).to_contain_text("2 authors")
    expect(zebrafish.locator(".ps-votes")).to_have_text("▲ 40 votes")
    expect(zebrafish.locator(".ps-card__abstract")).to_contain_text("larval zebrafish")
    for entry_point in ("Tags", "Archive", "Organisations"):
        expect(
            page.locator(".ps-home__entry").get_by_role("link", name=entry_point)
        ).to_be_visible()
    assert console.errors == []


def test_hostile_entry_text_is_shown_as_text(site: Site, desktop: tuple[Page, Console]) -> None:
    page, console = desktop
    page.goto(site.url("papers/nasty-title/"))
    expect(page.locator("article.ps-paper h1")).to_have_text(NASTY_TITLE)
    expect(page.locator(".ps-paper__authors")).to_have_text(
        "Tom & Jerry, <img src=x onerror=alert(2)>"
    )
    expect(page.locator(".ps-facts")).to_contain_text("R&D <Lab>")
    expect(page.locator(".ps-abstract")).to_contain_text("<script>alert(3)</script>")
    assert page.locator(".md-content script, .md-content img[src='x'], .md-content b").count() == 0
    page.wait_for_load_state("networkidle")
    assert console.errors == []


def test_a_tag_chip_leads_to_the_tag_page(site: Site, desktop: tuple[Page, Console]) -> None:
    page, console = desktop
    page.goto(site.url())
    card = page.locator(".ps-card", has_text=ZEBRAFISH)
    card.locator(".ps-tags").get_by_role("link", name="Reasoning").click()
    expect(page).to_have_url(site.url("tags/reasoning/"))
    expect(page.locator("article h1, .md-content h1").first).to_have_text("Reasoning")
    expect(page.locator(".ps-lead")).to_have_text("Multi-step reasoning and chain-of-thought.")
    expect(titles(page)).to_have_text([ZEBRAFISH, "Reasoning Over Very Long Contexts"])
    assert console.errors == []


def test_tag_pages_paginate_newest_first_and_show_the_top_by_votes(
    site: Site, desktop: tuple[Page, Console]
) -> None:
    page, _ = desktop
    page.goto(site.url("tags/agents/"))
    expect(page.locator(".ps-listhead")).to_contain_text("5 papers, newest additions first.")
    expect(titles(page)).to_have_text([NASTY_TITLE, "Tool-Using Agents With Notes", ZEBRAFISH])
    sort = page.get_by_role("navigation", name="Sort order")
    expect(sort.get_by_role("link", name="Newest")).to_have_attribute("aria-current", "page")

    page.get_by_role("link", name="Next page →").click()
    expect(page).to_have_url(site.url("tags/agents/page/2/"))
    expect(page.locator(".ps-pager__position")).to_have_text("Page 2 of 2 (5 papers)")
    expect(titles(page)).to_have_count(2)

    # Most votes: the top page_size (3) papers on one page, which leads back to all.
    sort.get_by_role("link", name="Most votes").click()
    expect(page).to_have_url(site.url("tags/agents/votes/"))
    expect(page.locator(".ps-listhead p")).to_have_text(
        "Most votes: the top 3 of 5 papers. All 5, newest first."
    )
    expect(titles(page)).to_have_text([ZEBRAFISH, "Tool-Using Agents With Notes", NASTY_TITLE])
    expect(sort.get_by_role("link", name="Most votes")).to_have_attribute("aria-current", "page")
    expect(page.locator(".ps-pager")).to_have_count(0)
    page.locator(".ps-listhead").get_by_role("link", name="All 5, newest first").click()
    expect(page).to_have_url(site.url("tags/agents/"))


def test_the_tag_index_sorts_by_name_and_by_size(site: Site, desktop: tuple[Page, Console]) -> None:
    page, _ = desktop
    page.goto(site.url("tags/"))
    first_column = page.locator(".ps-tag-index tbody tr td:first-child")
    expect(first_column).to_have_text(["Agents & tools", "Reasoning", "Vision"])
    papers = page.get_by_role("button", name="Papers")
    papers.click()  # was largest first: now smallest first, ties by name
    expect(first_column).to_have_text(["Reasoning", "Vision", "Agents & tools"])
    expect(page.locator("th", has=papers)).to_have_attribute("aria-sort", "ascending")
    tag = page.get_by_role("button", name="Tag")
    tag.click()
    expect(first_column).to_have_text(["Agents & tools", "Reasoning", "Vision"])
    tag.click()
    expect(first_column).to_have_text(["Vision", "Reasoning", "Agents & tools"])
    expect(page.locator("th", has=tag)).to_have_attribute("aria-sort", "descending")


def test_a_paper_page_shows_links_abstract_and_neighbours(
    site: Site, desktop: tuple[Page, Console]
) -> None:
    page, console = desktop
    page.goto(site.url())
    page.locator(".ps-card__title").get_by_role("link", name=ZEBRAFISH).click()
    expect(page).to_have_url(site.url("papers/zebrafish-navigation/"))
    buttons = page.locator(".ps-links a")
    expect(buttons).to_have_text(["arXiv", "PDF", "Code", "Project page", "DOI"])
    expect(buttons.first).to_have_attribute("href", "https://arxiv.org/abs/2403.01234")
    expect(buttons.nth(1)).to_have_attribute("href", "https://arxiv.org/pdf/2403.01234")
    expect(buttons.nth(4)).to_have_attribute("href", "https://doi.org/10.1000/zebra.1")
    for button in buttons.all():
        expect(button).to_be_visible()
    expect(page.locator(".ps-abstract")).to_be_visible()
    expect(page.locator(".ps-abstract")).to_contain_text("larval zebrafish explore unfamiliar")
    expect(page.locator(".ps-paper__authors")).to_have_text("Quetzalcoatl Okonkwo, Ada Lovelace")
    expect(page.locator(".ps-facts dt")).to_have_text(
        ["Organisation", "Published", "Added", "Authors", "Votes"]
    )
    expect(page.locator(".ps-facts dd")).to_have_text(
        ["DeepMind", "Mar 5, 2024", "Feb 1, 2025", "2", "▲ 40"]
    )
    chips = page.locator(".ps-paper > .ps-tags a")
    expect(chips).to_have_text(["Agents & tools", "Reasoning"])

    neighbours = page.get_by_role("navigation", name="Previous and next paper")
    expect(neighbours.locator("a[rel=prev]")).to_contain_text("Tool-Using Agents With Notes")
    neighbours.locator("a[rel=next]").click()
    expect(page).to_have_url(site.url("papers/long-context/"))
    expect(page.locator(".ps-paper__authors")).to_have_text("12 authors")

    page.locator(".ps-facts").get_by_role("link", name="Google").click()
    expect(page).to_have_url(site.url("orgs/google/"))
    expect(titles(page)).to_have_text(["Reasoning Over Very Long Contexts"])
    assert console.errors == []


def test_the_archive_steps_from_month_to_month(site: Site, desktop: tuple[Page, Console]) -> None:
    page, console = desktop
    page.goto(site.url("archive/"))
    expect(page.locator("#y2024")).to_contain_text("2024 5")
    page.get_by_role("list", name="Months of 2024").get_by_role("link", name="March").click()
    expect(page).to_have_url(site.url("archive/2024/03/"))
    expect(page.locator(".md-content h1")).to_have_text("March 2024")
    expect(titles(page)).to_have_count(3)

    months = page.get_by_role("navigation", name="Months")
    months.locator("a[rel=prev]").click()
    expect(page.locator(".md-content h1")).to_have_text("January 2024")
    expect(titles(page)).to_have_text(  # newest publication first
        ["Tool-Using Agents With Notes", "Reasoning Over Very Long Contexts"]
    )
    months.locator("a[rel=prev]").click()
    expect(page.locator(".md-content h1")).to_have_text("December 2023")
    expect(months.locator("a[rel=prev]")).to_have_count(0)  # the earliest month
    months.locator("a[rel=next]").click()
    expect(page).to_have_url(site.url("archive/2024/01/"))

    # The year's page: its months with their counts, newest first, and no papers.
    months.get_by_role("link", name="All of 2024").click()
    expect(page).to_have_url(site.url("archive/2024/"))
    expect(page.locator(".md-content .ps-lead")).to_contain_text(
        "5 papers published in 2024, by month, newest first."
    )
    expect(titles(page)).to_have_count(0)
    expect(page.locator(".ps-pager")).to_have_count(0)
    year = page.get_by_role("list", name="Months of 2024").get_by_role("link")
    expect(year).to_have_text(["March 3", "January 2"])
    year.first.click()
    expect(page).to_have_url(site.url("archive/2024/03/"))

    page.goto(site.url("archive/"))
    page.get_by_role("link", name="1 without a known date").click()
    expect(page).to_have_url(site.url("archive/undated/"))
    expect(titles(page)).to_have_text(["An Agent Paper Without a Date"])
    assert console.errors == []


def search(page: Page, query: str) -> None:
    box = page.locator("[data-ps-search-input]")
    box.fill(query)
    expect(page.locator("[data-ps-search-meta]")).to_contain_text("matching paper")


def test_search_finds_a_paper_by_a_word_of_its_abstract(
    site: Site, desktop: tuple[Page, Console]
) -> None:
    page, console = desktop
    page.goto(site.url())
    page.locator("[data-ps-search-input]").click()
    search(page, "larval")  # only in the abstract
    expect(page.locator("[data-ps-search-meta]")).to_have_text("1 matching paper")
    result = page.locator(".md-search-result__item")
    expect(result).to_have_count(1)
    expect(result.locator(".ps-search-result__title")).to_have_text(ZEBRAFISH)
    expect(result.locator("mark")).to_have_text(["larval"])
    page.keyboard.press("Enter")  # the first result
    expect(page).to_have_url(site.url("papers/zebrafish-navigation/"))
    expect(page.locator("#__search")).not_to_be_checked()
    assert console.errors == []


def test_the_home_search_button_and_the_slash_key_open_the_search_box(
    site: Site, desktop: tuple[Page, Console]
) -> None:
    page, console = desktop
    page.goto(site.url())
    toggle = page.locator("#__search")
    box = page.locator("[data-ps-search-input]")
    page.get_by_role("button", name="Search papers").click()
    expect(toggle).to_be_checked()
    expect(box).to_be_focused()
    page.keyboard.press("Escape")
    expect(toggle).not_to_be_checked()
    expect(box).not_to_be_focused()
    page.keyboard.press("/")
    expect(box).to_be_focused()
    page.keyboard.type("Okonkwo")
    expect(page.locator(".ps-search-result__title")).to_have_text([ZEBRAFISH])
    page.keyboard.press("ArrowDown")
    expect(page.locator(".md-search-result__link").first).to_be_focused()
    assert console.errors == []


def test_search_covers_authors_organisations_and_tags(
    site: Site, desktop: tuple[Page, Console]
) -> None:
    page, _ = desktop
    page.goto(site.url("archive/"))
    search(page, "Okonkwo")
    expect(page.locator(".ps-search-result__title")).to_have_text([ZEBRAFISH])
    search(page, "DeepMind")
    titles = page.locator(".ps-search-result__title")
    expect(titles).to_have_count(2)
    assert sorted(titles.all_inner_texts()) == [ZEBRAFISH, "Tool-Using Agents With Notes"]
    search(page, "Vision")  # a tag title and a title word
    expect(page.locator(".ps-search-result__title")).to_have_count(2)


def test_search_results_show_hostile_titles_as_text(
    site: Site, desktop: tuple[Page, Console]
) -> None:
    page, console = desktop
    page.goto(site.url())
    search(page, "Jerry")
    expect(page.locator(".ps-search-result__title")).to_have_text([NASTY_TITLE])
    expect(page.locator(".ps-search-result__authors")).to_have_text(
        "Tom & Jerry, <img src=x onerror=alert(2)> · R&D <Lab>"
    )
    expect(page.locator(".md-search-result__teaser")).to_contain_text("<script>alert(3)</script>")
    expect(page.locator(".md-search-result mark")).to_have_text(["Jerry", "Jerry"])
    assert page.locator(".md-search-result img, .md-search-result script").count() == 0
    page.wait_for_load_state("networkidle")
    assert console.errors == []


def test_search_completes_the_word_being_typed(site: Site, desktop: tuple[Page, Console]) -> None:
    page, console = desktop
    page.goto(site.url())
    search(page, "zebra")
    result = page.locator(".md-search-result__item")
    expect(result.locator(".ps-search-result__title")).to_have_text([ZEBRAFISH])
    expect(result.locator(".ps-search-result__title mark")).to_have_text(["Zebrafish"])
    expect(result.locator(".md-search-result__teaser mark")).to_have_text(["zebrafish"])
    search(page, "zebrafish navigates agen")  # every word: the last as a beginning,
    # the others as words or by their stem ("navigates" finds "navigate")
    expect(result.locator(".ps-search-result__title")).to_have_text([ZEBRAFISH])
    assert console.errors == []


def test_title_author_and_tag_hits_rank_first_then_the_newest(
    site: Site, desktop: tuple[Page, Console]
) -> None:
    page, _ = desktop
    page.goto(site.url())
    search(page, "study")  # a title word of one paper, in two newer papers' abstracts
    expect(page.locator(".ps-search-result__title")).to_have_text(
        ["A Careful Study of Vision Transformers", ZEBRAFISH, "Reasoning Over Very Long Contexts"]
    )
    expect(page.locator("[data-ps-search-meta]")).to_have_text("3 matching papers")


def test_one_letter_words_count_only_alone(site: Site, desktop: tuple[Page, Console]) -> None:
    page, _ = desktop
    page.goto(site.url())
    search(page, "x")  # the whole word "x" (an author "<img src=x ...>"), not every x...
    expect(page.locator(".ps-search-result__title")).to_have_text([NASTY_TITLE])
    search(page, "larval x")  # ...and ignored next to longer words
    expect(page.locator(".ps-search-result__title")).to_have_text([ZEBRAFISH])


def test_a_word_nobody_used_fetches_nothing_missing(
    site: Site, desktop: tuple[Page, Console]
) -> None:
    page, console = desktop
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(site.url())
    page.locator("[data-ps-search-input]").fill("qqzzy")  # no shard starts with "qq"
    expect(page.locator("[data-ps-search-meta]")).to_have_text("No matching papers")
    expect(page.locator(".md-search-result__item")).to_have_count(0)
    page.wait_for_load_state("networkidle")
    assert failed == []
    assert console.errors == []


def test_search_says_so_when_there_is_no_index(site: Site, desktop: tuple[Page, Console]) -> None:
    page, _ = desktop
    page.route("**/search/index.json", lambda route: route.fulfill(status=404))
    page.goto(site.url())
    page.locator("[data-ps-search-input]").fill("zebrafish")
    expect(page.locator("[data-ps-search-meta]")).to_have_text(
        "Search is not available here (no search index was found)."
    )


def test_more_results_load_ten_at_a_time(long_list: Site, desktop: tuple[Page, Console]) -> None:
    page, console = desktop
    page.goto(long_list.url())
    search(page, "common")
    expect(page.locator("[data-ps-search-meta]")).to_have_text("25 matching papers")
    results = page.locator(".ps-search-result__title")
    expect(results).to_have_text([f"Paper {n}" for n in range(25, 15, -1)])  # newest first
    more = page.get_by_role("button", name="Show more results")
    more.click()
    expect(results).to_have_count(20)
    more.click()
    expect(results).to_have_text([f"Paper {n}" for n in range(25, 0, -1)])
    expect(more).to_be_hidden()
    search(page, "number 17")  # a new search starts from its first results again
    expect(results).to_have_text(["Paper 17"])
    expect(more).to_be_hidden()
    assert console.errors == []


def test_search_works_on_a_phone_after_following_a_link(
    site: Site, phone: tuple[Page, Console]
) -> None:
    page, console = phone
    page.goto(site.url())
    page.evaluate("window.__loadedBefore = true")
    page.get_by_role("link", name="Reasoning Over Very Long Contexts").click()
    expect(page).to_have_url(site.url("papers/long-context/"))
    expect(page.locator("article.ps-paper h1")).to_have_text("Reasoning Over Very Long Contexts")
    # A page load: mkdocs.yml leaves out navigation.instant, which fetched the whole
    # sitemap on every first view (docs/architecture.md, "Sitemaps").
    assert page.evaluate("window.__loadedBefore") is None
    # material closes the search 125 ms (debounced) after a location change; a reader
    # is never that fast, a test is: let that pass first.
    page.wait_for_timeout(400)
    toggle = page.locator("#__search")
    page.locator("label.md-header__button[for='__search']").click()
    box = page.locator("[data-ps-search-input]")
    expect(toggle).to_be_checked()
    expect(box).to_be_visible()
    expect(box).to_be_focused()
    search(page, "Lovelace")
    result = page.locator(".md-search-result__link")
    expect(result).to_have_count(1)
    expect(result).to_be_in_viewport()
    result.click()
    expect(page).to_have_url(site.url("papers/zebrafish-navigation/"))
    expect(page.locator("article.ps-paper h1")).to_have_text(ZEBRAFISH)
    expect(toggle).not_to_be_checked()  # the search overlay closed
    assert console.errors == []


def test_dark_mode_toggles_and_is_remembered(site: Site, desktop: tuple[Page, Console]) -> None:
    page, console = desktop
    page.goto(site.url())
    body = page.locator("body")
    expect(body).to_have_attribute("data-md-color-scheme", "default")
    light = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.locator("label[title='Switch to dark mode']").click()
    expect(body).to_have_attribute("data-md-color-scheme", "slate")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != light
    page.goto(site.url("tags/"))
    expect(body).to_have_attribute("data-md-color-scheme", "slate")
    # Pages at every depth read the choice under the site's one scope (theme-scope.js).
    page.goto(site.url("papers/zebrafish-navigation/"))
    expect(body).to_have_attribute("data-md-color-scheme", "slate")
    assert page.evaluate("__md_scope.href") == site.url()
    page.locator("label[title='Switch to light mode']").click()
    expect(body).to_have_attribute("data-md-color-scheme", "default")
    assert console.errors == []


MAIN_PAGES = [
    "",
    "papers/zebrafish-navigation/",
    "papers/long-word-title/",
    "papers/agent-notes/",
    "tags/",
    "tags/agents/",
    "archive/",
    "archive/2024/",
    "archive/2024/03/",
    "orgs/",
]


def test_a_phone_never_scrolls_sideways(site: Site, phone: tuple[Page, Console]) -> None:
    page, console = phone
    wide = {}
    for path in MAIN_PAGES:
        page.goto(site.url(path))
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide[path] = width
    assert wide == {}, f"pages wider than the 390 px viewport: {wide}"
    assert console.errors == []


def test_pages_advertise_their_feeds(site: Site, desktop: tuple[Page, Console]) -> None:
    page, _ = desktop
    # A tag page advertises its tag's feeds; a paper page the site's (its tags' feeds
    # are links in its text: each autodiscovery link costs a reader a sitemap request).
    for path, tag in [("", None), ("tags/agents/", "agents"), ("papers/agent-notes/", None)]:
        page.goto(site.url(path))
        for kind in ("application/rss+xml", "application/atom+xml"):
            links = page.locator(f'link[rel="alternate"][type="{kind}"]')
            hrefs = [link.get_attribute("href") or "" for link in links.all()]
            assert hrefs, f"no {kind} autodiscovery link on /{path}"
            if tag:
                assert any(tag in href for href in hrefs), (path, kind, hrefs)
    expect(page.locator('.ps-subscribe a[href$="tags/vision/feed.xml"]')).to_have_count(1)


def test_a_paper_page_cites_it_with_one_click_and_without_javascript(
    site: Site, desktop: tuple[Page, Console], browser: Browser
) -> None:
    page, console = desktop
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(site.url("papers/zebrafish-navigation/"))
    bibtex = page.locator(".ps-cite__bibtex")
    expect(bibtex).to_be_visible()
    expect(bibtex).to_contain_text("@misc{okonkwo2024")
    expect(bibtex).to_contain_text("eprint = {2403.01234}")
    page.get_by_role("button", name="Copy BibTeX").click()
    expect(page.locator(".ps-cite__status")).to_have_text("Copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == bibtex.inner_text()
    download = page.get_by_role("link", name="BibTeX", exact=True)
    resolved = download.evaluate("link => link.href")  # the attribute is relative
    assert resolved == site.url("papers/zebrafish-navigation/cite.bib")
    response = page.request.get(site.url("papers/zebrafish-navigation/cite.bib"))
    # The file is the citation the page shows (the abstract is on the page above it).
    assert response.ok and response.text().strip() == copied.strip()
    assert "abstract" not in copied
    assert console.errors == []

    # Without JavaScript the BibTeX is still there to select, and no button promises more.
    plain = browser.new_context(java_script_enabled=False).new_page()
    plain.goto(site.url("papers/zebrafish-navigation/"))
    expect(plain.locator(".ps-cite__bibtex")).to_contain_text("@misc{okonkwo2024")
    expect(plain.get_by_role("button", name="Copy BibTeX")).to_have_count(0)
    plain.context.close()

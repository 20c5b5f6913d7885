"""The list pages as rendered: each paper once per list (newest first, by tag; by
month), a tag's top papers by votes on one page, a year's page made of its months."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from papershelf.entries.model import Paper, Tag
from papershelf.plugin.generated_pages import GeneratedPages
from papershelf.site.catalog import Catalog, build_catalog
from papershelf.site.feeds import Site
from papershelf.site.pages import PageSpec, Settings, plan_pages

TAGS = {"agents": Tag("agents", "Agents", "About agents."), "vision": Tag("vision", "Vision", "")}
SETTINGS = Settings(page_size=3, home_recent=2)


def shelf() -> list[Paper]:
    """Eight agents papers (two also vision) over two years, votes with ties and gaps."""
    votes = [5, None, 40, 5, 0, 12, None, 40]
    published = [
        date(2024, 3, 2), date(2024, 3, 9), date(2024, 1, 5), date(2023, 12, 1),
        date(2024, 3, 20), date(2023, 11, 11), date(2024, 1, 30), date(2023, 12, 24),
    ]  # fmt: skip
    return [
        Paper(
            slug=f"p{n}",
            title=f"Paper {n}",
            added=date(2025, 1, 1 + n),
            published=published[n],
            tags=("agents", "vision") if n in (2, 5) else ("agents",),
            abstract=f"Abstract {n}.",
            votes=votes[n],
        )
        for n in range(8)
    ]


def rendered(catalog: Catalog) -> dict[str, tuple[PageSpec, str]]:
    pages = GeneratedPages(keep=False)
    site = Site(url="https://example.org/shelf/", name="Shelf", description="A shelf.")
    pages.start_build(catalog, {"site_name": site.name, "site_description": site.description}, site)
    return {spec.url: (spec, pages.render(spec)) for spec in plan_pages(catalog, SETTINGS)}


def card_links(html: str) -> list[str]:
    return re.findall(r'<h2 class="ps-card__title"><a href="[./]*papers/([^/]+)/"', html)


def test_the_votes_page_shows_the_top_papers_by_votes_without_a_pager():
    catalog = build_catalog(shelf(), TAGS)
    pages = rendered(catalog)
    spec, html = pages["tags/agents/votes/"]
    # 40, 40 (newer first), 12; then 5, 5, 0 and the unvoted, which a page of 3 leaves out.
    assert card_links(html) == ["p7", "p2", "p5"]
    assert "ps-pager" not in html and not [u for u in pages if "votes/page/" in u]
    assert "Most votes: the top 3 of 8 papers." in html
    assert 'href="../../../tags/agents/">All 8, newest first</a>' in html
    assert 'href="../../../tags/agents/votes/" aria-current="page">Most votes</a>' in html
    assert spec.title == "Agents, most votes: the top 3"
    # A tag with no more papers than a page: all of them, most votes first.
    spec, html = pages["tags/vision/votes/"]
    assert card_links(html) == ["p2", "p5"]  # 40, 12
    assert "2 papers, most votes first." in html and spec.title == "Vision, most votes first"


def test_every_paper_is_once_on_its_tags_newest_first_pages_and_its_month_pages():
    listing = shelf()
    catalog = build_catalog(listing, TAGS)
    pages = rendered(catalog)
    by_tag: dict[str, list[str]] = {tag: [] for tag in TAGS}
    by_month: list[str] = []
    for spec, html in pages.values():
        if spec.kind == "tag":
            by_tag[spec.context["tag"].id] += card_links(html)
        elif spec.kind == "archive-month":
            by_month += card_links(html)
    for tag, shown in by_tag.items():
        assert sorted(shown) == sorted(p.slug for p in listing if tag in p.tags)
    assert sorted(by_month) == sorted(p.slug for p in listing)
    assert "tags/agents/page/3/" in pages  # the newest-first list is paginated


def test_a_year_page_links_each_month_with_papers_and_its_count_and_shows_no_cards():
    listing = shelf()
    catalog = build_catalog(listing, TAGS)
    pages = rendered(catalog)
    assert [u for u in pages if re.fullmatch(r"archive/\d{4}/(page/\d+/)?", u)] == [
        "archive/2024/",
        "archive/2023/",
    ]
    for year, months in {
        2024: [("03", "March", 3), ("01", "January", 2)],
        2023: [("12", "December", 2), ("11", "November", 1)],
    }.items():
        _, html = pages[f"archive/{year}/"]
        assert card_links(html) == [] and "ps-pager" not in html
        links = re.findall(
            r'<a href="\.\./\.\./archive/(\d{4})/(\d\d)/">(\w+) <span class="ps-count">(\d+)</span>',
            html,
        )
        assert links == [(str(year), mm, name, str(n)) for mm, name, n in months]
        total = sum(n for _, _, n in months)
        assert f"{total} papers published in {year}, by month, newest first." in html


def test_a_year_page_changes_only_with_its_months_counts():
    before = shelf()
    same_month = [replace(p, published=date(2024, 3, 28)) if p.slug == "p0" else p for p in before]
    tagged = [replace(p, tags=("vision",)) if p.slug == "p0" else p for p in before]
    year = rendered(build_catalog(before, TAGS))["archive/2024/"]
    for after in (same_month, tagged):
        assert rendered(build_catalog(after, TAGS))["archive/2024/"] == year
    other = [replace(p, published=date(2024, 2, 1)) if p.slug == "p0" else p for p in before]
    _, html = rendered(build_catalog(other, TAGS))["archive/2024/"]
    assert "February" in html and html != year[1]

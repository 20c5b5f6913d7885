"""Page planning: which generated pages exist and how long lists are split."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from papershelf.entries.model import Paper, Tag
from papershelf.site.catalog import build_catalog
from papershelf.site.pages import Settings, plan_pages
from papershelf.site.rendering import relative_root

TAGS = {"agents": Tag("agents", "Agents", "a"), "vision": Tag("vision", "Vision", "v")}


def papers(count: int) -> list[Paper]:
    return [
        Paper(
            slug=f"p{i}",
            title=f"P{i}",
            added=date(2025, 1, 1 + i),
            published=date(2024, 1 + i % 2, 1),
            tags=("agents",),
            organization="Lab" if i == 0 else None,
        )
        for i in range(count)
    ]


def test_every_paper_tag_month_year_and_org_gets_a_page():
    catalog = build_catalog(papers(3), TAGS)
    urls = [spec.url for spec in plan_pages(catalog, Settings(page_size=50))]
    assert urls == [
        "",
        "papers/p2/", "papers/p1/", "papers/p0/",
        "tags/", "tags/agents/", "tags/agents/votes/", "tags/vision/",
        "archive/", "archive/2024/", "archive/2024/02/", "archive/2024/01/",
        "orgs/", "orgs/lab/",
        "collections/",
        "data/",
        "stats/",
    ]  # fmt: skip


def test_a_hand_written_home_page_is_not_planned():
    catalog = build_catalog(papers(1), TAGS)
    assert "" not in [spec.url for spec in plan_pages(catalog, Settings(), home=False)]


def test_long_lists_are_paginated_with_links_between_pages():
    catalog = build_catalog(papers(5), TAGS)
    specs = [s for s in plan_pages(catalog, Settings(page_size=2)) if s.kind == "tag"]
    agents = [s for s in specs if s.context["tag"].id == "agents"]
    assert [s.url for s in agents] == ["tags/agents/", "tags/agents/page/2/", "tags/agents/page/3/"]
    assert [[p.slug for p in s.context["papers"]] for s in agents] == [
        ["p4", "p3"],
        ["p2", "p1"],
        ["p0"],
    ]
    second = agents[1].context["pager"]
    assert (second.previous_url, second.next_url) == ("tags/agents/", "tags/agents/page/3/")
    assert agents[1].title == "Agents (page 2)"


def test_paper_pages_advertise_only_the_site_feeds():
    """A paper links its tags' feeds in its text; autodiscovery links cost a request
    each (mkdocs-material fetches a sitemap beside every one), so a paper page has the
    site's only (main.html always prints those)."""
    catalog = build_catalog(papers(1), TAGS)
    paper_spec = next(s for s in plan_pages(catalog, Settings()) if s.kind == "paper")
    assert paper_spec.feed_tags == ()


def test_relative_root_climbs_one_level_per_directory():
    assert relative_root("") == ""
    assert relative_root("papers/x/") == "../../"
    assert relative_root("tags/agents/page/2/") == "../../../../"


def test_tags_with_several_papers_also_get_a_page_of_their_top_papers_by_votes():
    listed = papers(5)
    votes = {"p0": 7, "p1": None, "p2": 30, "p3": 7, "p4": None}
    listed = [replace(p, votes=votes[p.slug]) for p in listed]
    catalog = build_catalog(listed, TAGS)
    specs = plan_pages(catalog, Settings(page_size=2))
    # One page, never paginated: the top page_size papers by votes.
    (top,) = [s for s in specs if s.kind == "tag-votes"]
    assert top.url == "tags/agents/votes/"
    assert not [s for s in specs if s.url.startswith("tags/agents/votes/page/")]
    assert [p.slug for p in top.context["papers"]] == ["p2", "p3"]
    assert "pager" not in top.context and top.context["total"] == 5
    assert top.title == "Agents, most votes: the top 2"
    newest = next(s for s in specs if s.url == "tags/agents/")
    assert newest.context["orders"] == {"newest": "tags/agents/", "votes": "tags/agents/votes/"}
    assert top.context["orders"] == newest.context["orders"]
    assert top.context["order"] == "votes" and newest.context["order"] == "newest"
    assert top.feed_tags == ("agents",) and top.group == newest.group == "tag:agents"
    # Every paper is still on the newest-first list, paginated.
    shown = [p.slug for s in specs if s.kind == "tag" for p in s.context["papers"]]
    assert sorted(shown) == ["p0", "p1", "p2", "p3", "p4"]


def test_the_votes_page_shows_min_page_size_and_tagged_papers_in_votes_order():
    """Most votes first; equal or missing votes (no votes counts as none) keep the
    newest-first order; a tag with no more papers than a page shows them all."""
    listed = papers(5)
    votes = {"p0": 7, "p1": None, "p2": 30, "p3": 7, "p4": 0}
    listed = [replace(p, votes=votes[p.slug]) for p in listed]
    catalog = build_catalog(listed, TAGS)
    order = ["p2", "p3", "p0", "p4", "p1"]
    for size in (1, 2, 4, 5, 50):
        (top,) = [s for s in plan_pages(catalog, Settings(page_size=size)) if s.kind == "tag-votes"]
        assert [p.slug for p in top.context["papers"]] == order[: min(size, 5)]
        whole = size >= 5
        title = "Agents, most votes first" if whole else f"Agents, most votes: the top {size}"
        assert top.title == title


def test_a_tag_with_one_paper_or_none_has_no_votes_order():
    catalog = build_catalog(papers(1), TAGS)
    specs = plan_pages(catalog, Settings())
    assert not [s for s in specs if s.kind == "tag-votes"]
    vision = next(s for s in specs if s.url == "tags/vision/")
    assert vision.context["orders"] == {"newest": "tags/vision/", "votes": None}


def test_a_year_page_lists_its_months_with_their_counts_and_no_papers():
    listed = papers(7)  # published January (even) and February (odd) 2024
    listed.append(replace(listed[0], slug="q", published=date(2023, 12, 5)))
    catalog = build_catalog(listed, TAGS)
    specs = plan_pages(catalog, Settings(page_size=2))
    years = [s for s in specs if s.kind == "archive-year"]
    assert [s.url for s in years] == ["archive/2024/", "archive/2023/"]  # one page each
    assert not [s for s in specs if s.url.startswith(("archive/2024/page/", "archive/2023/page/"))]
    y2024, y2023 = years
    # Newest month first, as the archive's index lists them, with their counts.
    assert [(m.key, n) for m, n in y2024.context["months"]] == [("2024/02", 3), ("2024/01", 4)]
    assert [(m.key, n) for m, n in y2023.context["months"]] == [("2023/12", 1)]
    assert (y2024.context["count"], y2023.context["count"]) == (7, 1)
    assert y2024.title == "2024" and y2024.group == "year:2024"
    for year in years:  # no papers, no pager, no catalog: just what it shows
        assert set(year.context) == {"year", "months", "count"}
    # Every paper is on a page of its month, which is still paginated.
    months = [s for s in specs if s.kind == "archive-month"]
    assert [s.url for s in months if s.url.startswith("archive/2024/01/")] == [
        "archive/2024/01/",
        "archive/2024/01/page/2/",
    ]
    shown = sorted(p.slug for s in months for p in s.context["papers"])
    assert shown == sorted(p.slug for p in listed)

"""The catalog: indexes built once, in the orders readers see."""

from __future__ import annotations

from datetime import date

from papershelf.entries.model import Paper, Tag
from papershelf.site.catalog import Month, build_catalog

TAGS = {
    "agents": Tag("agents", "Agents", "a"),
    "vision": Tag("vision", "Vision", "v"),
    "unused": Tag("unused", "Unused", "u"),
}


def paper(slug: str, added: str, published: str | None = None, tags=("agents",), **extra) -> Paper:
    return Paper(
        slug=slug,
        title=slug.title(),
        added=date.fromisoformat(added),
        published=date.fromisoformat(published) if published else None,
        tags=tuple(tags),
        **extra,
    )


def test_papers_are_newest_first_by_added_then_published_then_slug():
    papers = [
        paper("b", "2025-01-01", "2024-05-01"),
        paper("a", "2025-01-01", "2024-05-01"),
        paper("c", "2025-01-01", "2024-06-01"),
        paper("d", "2025-02-01"),
        paper("e", "2025-01-01"),
    ]
    catalog = build_catalog(papers, TAGS)
    assert [p.slug for p in catalog.papers] == ["d", "c", "a", "b", "e"]
    assert catalog.previous_and_next(catalog.by_slug["c"]) == (
        catalog.by_slug["d"],
        catalog.by_slug["a"],
    )
    assert catalog.previous_and_next(catalog.by_slug["d"])[0] is None
    assert catalog.previous_and_next(catalog.by_slug["e"])[1] is None


def test_tag_index_lists_every_vocabulary_tag_newest_first():
    papers = [
        paper("old", "2024-01-01", tags=("agents", "vision")),
        paper("new", "2025-01-01", tags=("agents",)),
    ]
    catalog = build_catalog(papers, TAGS)
    assert {tag: [p.slug for p in ps] for tag, ps in catalog.by_tag.items()} == {
        "agents": ["new", "old"],
        "vision": ["old"],
        "unused": [],
    }
    assert [t.id for t in catalog.tags_by_size()] == ["agents", "vision", "unused"]


def test_archive_groups_by_publication_month_and_keeps_undated_apart():
    papers = [
        paper("jan-a", "2025-03-01", "2024-01-05"),
        paper("jan-b", "2025-03-01", "2024-01-20"),
        paper("mar", "2025-03-01", "2024-03-02"),
        paper("old", "2025-03-01", "2019-12-31"),
        paper("undated", "2025-03-01"),
    ]
    catalog = build_catalog(papers, TAGS)
    assert catalog.years == [2024, 2019]
    assert [p.slug for p in catalog.by_year[2024]] == ["mar", "jan-b", "jan-a"]
    assert [p.slug for p in catalog.by_month[Month(2024, 1)]] == ["jan-b", "jan-a"]
    assert catalog.months_of(2024) == [Month(2024, 3), Month(2024, 1)]
    assert catalog.neighbour_months(Month(2024, 1)) == (Month(2019, 12), Month(2024, 3))
    assert catalog.neighbour_months(Month(2019, 12)) == (None, Month(2024, 1))
    assert [p.slug for p in catalog.undated] == ["undated"]
    assert Month(2024, 1).key == "2024/01"


def test_organisations_are_keyed_by_account_or_name():
    papers = [
        paper("a", "2025-01-01", organization="AI at Meta", organization_id="facebook"),
        paper("b", "2025-01-02", organization="AI at Meta", organization_id="facebook"),
        paper("c", "2025-01-03", organization="Tsinghua University"),
        paper("d", "2025-01-04"),
    ]
    catalog = build_catalog(papers, TAGS)
    assert {k: [p.slug for p in v] for k, v in catalog.by_org.items()} == {
        "facebook": ["b", "a"],
        "tsinghua-university": ["c"],
    }
    assert catalog.org_names == {
        "facebook": "AI at Meta",
        "tsinghua-university": "Tsinghua University",
    }


def test_building_the_catalog_is_linear_work_per_paper():
    """10,000 papers index in one pass: every paper is in exactly its tags' lists."""
    papers = [
        paper(f"p{i:05d}", f"2025-01-{i % 28 + 1:02d}", f"2020-{i % 12 + 1:02d}-01",
              tags=("agents", "vision") if i % 2 else ("agents",))
        for i in range(10_000)
    ]  # fmt: skip
    catalog = build_catalog(papers, TAGS)
    assert len(catalog.by_tag["agents"]) == 10_000
    assert len(catalog.by_tag["vision"]) == 5_000
    assert sum(len(v) for v in catalog.by_month.values()) == 10_000
    assert len(catalog.position) == 10_000

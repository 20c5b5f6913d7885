"""A real build's related papers: from a paper page a reader reaches the papers most
alike, and a paper alike to none shows no such section."""

from __future__ import annotations

import html5lib
import pytest

from tests.conftest import Project

HOSTILE = "Tree search </a><script>alert(1)</script> & planning"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Project:
    from tests.conftest import MKDOCS_YML, TAGS_YML

    project = Project(tmp_path_factory.mktemp("related"))
    project.write("tags.yml", TAGS_YML)
    project.write("mkdocs.yml", MKDOCS_YML.format(page_size=2))
    project.write("content/index.md", "# Shelf\n")
    abstract = "Monte Carlo tree search lets language agents plan with lookahead."
    for slug, title, published in (
        ("mcts-agents", "Tree search for language agents", "2024-05-02"),
        ("hostile", HOSTILE, "2023-01-09"),
        ("lookahead", "Lookahead planning with tree search", None),
    ):
        project.paper(
            slug,
            f'title: "{title}"\nadded: 2025-01-01\ntags: [agents]\nabstract: "{abstract}"\n'
            + (f"published: {published}\n" if published else ""),
        )
    project.paper(
        "glaciers",
        "title: Glacier melt from satellites\nadded: 2025-01-02\ntags: [vision]\n"
        "abstract: Sentinel imagery measures the retreat of alpine glaciers.\n",
    )
    result = project.build()
    assert result.returncode == 0, result.stderr
    return project


def related_links(html: str) -> list[tuple[str, str]]:
    """(href, text) of the links in the page's related-papers list, as a browser parses it."""
    document = html5lib.parse(html, namespaceHTMLElements=False)
    for element in document.iter("ul"):
        if "ps-related" in (element.get("class") or "").split():
            return [(a.get("href"), "".join(a.itertext())) for a in element.iter("a")]
    return []


def test_a_paper_page_links_the_papers_most_alike_never_itself(built: Project):
    links = related_links(built.html("papers/mcts-agents"))
    assert [href for href, _ in links] == [
        "../../papers/hostile/",
        "../../papers/lookahead/",
    ]  # a tie: by slug
    assert "Related papers" in built.html("papers/mcts-agents")


def test_related_titles_are_escaped(built: Project):
    page = built.html("papers/lookahead")
    assert "<script>alert(1)</script>" not in page
    assert ("../../papers/hostile/", HOSTILE) in related_links(page)


def test_a_paper_alike_to_none_has_no_related_section(built: Project):
    page = built.html("papers/glaciers")
    assert related_links(page) == [] and "Related papers" not in page

"""A real build's statistics page (stats/): the numbers of the fixture list in text and
in SVG charts, entry text escaped inside the SVG, an empty list, the same bytes twice."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import html5lib
import pytest

from tests.conftest import Project

HOSTILE_ORG = '<script>alert(1)</script> R&D "Lab"'
HOSTILE_TAG = "Agents <b>&</b> tools"
SVG = "{http://www.w3.org/2000/svg}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def write_list(project: Project) -> None:
    project.write(
        "tags.yml",
        f"""\
        agents:
          title: '{HOSTILE_TAG}'
          description: Agents.
        reasoning:
          title: Reasoning
          description: Thinking.
        vision:
          title: Vision
          description: Nobody yet.
        """,
    )
    project.paper(
        "hostile",
        f"""\
        title: A paper from a hostile lab
        authors: [Ada Lovelace]
        organization: '{HOSTILE_ORG}'
        published: 2024-01-15
        added: 2025-01-03
        tags: [agents, reasoning]
        links:
          arxiv: "2401.00001"
        votes: 120
        """,
    )
    project.paper(
        "counted",
        """\
        title: A paper with counted authors
        author_count: 12
        published: 2024-03-02
        added: 2025-03-09
        tags: [agents]
        votes: 7
        """,
    )
    project.paper(
        "bare",
        """\
        title: A bare paper
        added: 2025-03-10
        tags: [reasoning]
        """,
    )


@pytest.fixture
def built(project: Project) -> Project:
    write_list(project)
    result = project.build()
    assert result.returncode == 0, result.stderr
    return project


def body(html: str) -> ET.Element:
    """The page's article, parsed as a browser parses it (SVG elements namespaced)."""
    document = html5lib.parse(html)
    article = document.find(f".//{XHTML}article")
    assert article is not None
    return article


def text(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def rows(table: ET.Element) -> list[list[str]]:
    """A table's cells, row by row, as text."""
    return [[text(cell) for cell in row] for row in table.iter(f"{XHTML}tr")]


def test_the_stats_page_shows_the_lists_numbers_in_text_and_charts(built: Project):
    article = body(built.html("stats"))
    shown = text(article)
    assert "3 papers on the list, 2 tags in use and 1 organisation" in shown
    assert "1 paper without a date is not counted here" in shown
    charts = article.findall(f".//{SVG}svg")
    assert len(charts) == 6  # added, published, tags, organisations, votes, data quality
    for chart in charts:
        assert chart.get("role") == "img"
        [title] = chart.findall(f"{SVG}title")
        assert chart.get("aria-labelledby") == title.get("id") and text(title)
        assert chart.get("viewBox", "").startswith("0 0 ") and chart.get("width") == "100%"
    added = charts[0].findall(f".//{SVG}rect")
    assert [text(rect) for rect in added] == ["Jan 2025: 1", "Mar 2025: 2"]  # Feb: no column
    tables = article.findall(f".//{XHTML}table")
    assert len(tables) == 6
    assert rows(tables[0]) == [
        ["Month", "Papers"], ["Jan 2025", "1"], ["Feb 2025", "0"], ["Mar 2025", "2"]
    ]  # fmt: skip
    assert ["A link", "1", "33%"] in rows(tables[5])
    assert ["A publication date", "2", "67%"] in rows(tables[5])
    assert rows(tables[4])[1:3] == [["No votes recorded", "1"], ["0\u20139", "1"]]


def test_entry_text_in_the_charts_and_tables_stays_text(built: Project):
    html = built.html("stats")
    assert "<script>alert(1)</script>" not in html and "<b>&</b>" not in html
    article = body(html)
    assert article.find(f".//{XHTML}script") is None
    assert article.find(f".//{XHTML}b") is None
    labels = [text(label) for label in article.iter(f"{SVG}text")]
    assert HOSTILE_ORG in labels and HOSTILE_TAG in labels
    links = {text(a): a.get("href") for a in article.iter(f"{XHTML}a")}
    assert links[HOSTILE_TAG] == "../tags/agents/"
    assert links[HOSTILE_ORG].startswith("../orgs/")
    assert (built.site / links[HOSTILE_ORG].removeprefix("../") / "index.html").is_file()


def test_an_empty_list_has_a_stats_page_without_charts(project: Project):
    result = project.build()
    assert result.returncode == 0, result.stderr
    article = body(project.html("stats"))
    assert "No papers yet" in text(article)
    assert article.find(f".//{SVG}svg") is None


def test_two_builds_write_the_same_stats_page(built: Project):
    first = (built.site / "stats/index.html").read_bytes()
    result = built.build("--site-dir", "again")
    assert result.returncode == 0, result.stderr
    assert (built.root / "again/stats/index.html").read_bytes() == first

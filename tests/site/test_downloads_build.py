"""A real build's citations and downloads: the Cite block a researcher copies, the
files reference managers read, and the links that lead to them."""

from __future__ import annotations

import json

import bibtexparser
import html5lib
import pytest

from tests.conftest import Project

HOSTILE_TITLE = "Tülu 3 </code></pre><script>alert(1)</script> & 50%"


@pytest.fixture
def built(project: Project) -> Project:
    project.paper(
        "tulu",
        f"""\
        title: "{HOSTILE_TITLE}"
        authors: [Émile Zola, Ada Lovelace]
        published: 2024-11-22
        added: 2025-01-03
        tags: [agents, reasoning]
        abstract: An abstract.
        links:
          arxiv: "2411.15124"
        """,
    )
    project.paper(
        "counted",
        """\
        title: A paper with counted authors
        author_count: 12
        added: 2025-01-02
        tags: [agents]
        abstract: Counted.
        links:
          doi: 10.1000/xyz123
        """,
    )
    result = project.build()
    assert result.returncode == 0, result.stderr
    return project


def text_of(html: str, selector_class: str) -> str:
    """The text of the first element with this class, as a browser parses the page."""
    document = html5lib.parse(html, namespaceHTMLElements=False)
    for element in document.iter():
        if selector_class in (element.get("class") or "").split():
            return "".join(element.itertext())
    raise AssertionError(f"no .{selector_class} on the page")


def test_a_paper_page_shows_its_bibtex_as_text_a_bibtex_parser_reads(built: Project):
    page = built.html("papers/tulu")
    assert "<script>alert(1)</script>" not in page
    shown = text_of(page, "ps-cite__bibtex")
    [entry] = bibtexparser.parse_string(shown).entries
    assert entry.key == "zola2024tulu"
    assert (entry["eprint"], entry["archiveprefix"]) == ("2411.15124", "arXiv")
    # The file is the citation the page shows (the abstract is on the page).
    own_file = (built.site / "papers/tulu/cite.bib").read_text(encoding="utf-8")
    assert shown.strip() == own_file.strip()
    [own] = bibtexparser.parse_string(own_file).entries
    assert "abstract" not in entry.fields_dict and own.fields_dict == entry.fields_dict
    assert 'href="cite.bib" download="zola2024tulu.bib"' in page
    assert 'href="cite.json" download="zola2024tulu.json"' in page


def test_a_papers_own_csl_json_names_it_by_its_citation_key(built: Project):
    [item] = json.loads((built.site / "papers/tulu/cite.json").read_text(encoding="utf-8"))
    assert item["id"] == "zola2024tulu" and item["title"] == HOSTILE_TITLE
    assert item["author"][0] == {"family": "Zola", "given": "Émile"}
    [counted] = json.loads((built.site / "papers/counted/cite.json").read_text(encoding="utf-8"))
    assert "author" not in counted and counted["note"] == "12 authors"
    assert counted["DOI"] == "10.1000/xyz123"


def test_the_list_and_each_tag_with_papers_have_downloads_linked_from_their_pages(
    built: Project,
):
    site = built.site
    whole = bibtexparser.parse_string((site / "papers.bib").read_text(encoding="utf-8"))
    assert sorted(entry.key for entry in whole.entries) == ["anon2025paper", "zola2024tulu"]
    agents = json.loads((site / "tags/agents/papers.json").read_text(encoding="utf-8"))
    assert sorted(item["id"] for item in agents) == ["anon2025paper", "zola2024tulu"]
    reasoning = json.loads((site / "tags/reasoning/entries.json").read_text(encoding="utf-8"))
    assert [record["slug"] for record in reasoning] == ["tulu"]
    assert not (site / "tags/vision/papers.bib").exists()  # no papers: no downloads
    assert json.loads((site / "entries.schema.json").read_text(encoding="utf-8"))["type"] == "array"
    assert 'href="../../tags/agents/papers.bib"' in built.html("tags/agents")
    assert 'href="papers.bib"' in built.html("")
    data = built.html("data")
    assert 'href="../tags/reasoning/papers.bib"' in data
    assert "tags/vision/papers.bib" not in data

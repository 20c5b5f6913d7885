"""The head meta of generated pages (papershelf.site.head_meta), read the way its
consumers read it:

- the Highwire Press ``citation_*`` tags as Zotero's "Embedded Metadata" translator
  gathers them (:func:`zotero_item`, over html5lib's parse of the page);
- the JSON-LD as a linked-data consumer does: expanded by PyLD with schema.org's own
  context (tests/fixtures/schemaorg, served offline by :func:`schema_org_loader`);
- entry text that tries to leave an attribute or the script block stays text.

The pure function is checked alone, then on pages of real mkdocs builds: made from
theme shells and made through the theme (``prerender: false``).
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import html5lib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyld import jsonld

from papershelf.entries.model import Links, Paper, Tag
from papershelf.entries.text_rules import character_problem
from papershelf.site.catalog import build_catalog
from papershelf.site.feeds import Site
from papershelf.site.head_meta import head_meta
from papershelf.site.pages import PageSpec, Settings, plan_pages
from tests.conftest import MKDOCS_YML, TAGS_YML, Project

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SCHEMA = "http://schema.org/"  # schema.org's context maps its terms to http IRIs
SITE = Site(url="https://example.org/shelf/", name="Test shelf", description="A test reading list.")
TAGS = {
    "agents": Tag("agents", "Agents", "Language-model agents that act & plan."),
    "reasoning": Tag("reasoning", "Reasoning", "Multi-step reasoning."),
    "vision": Tag("vision", "Vision", "Seeing things."),
}

# Text that ends an attribute, a script block or a comment if it is not escaped.
HOSTILE_TITLE = (
    "Q&A </script><script>alert(1)</script> \"><img src=x onerror=alert(2)> <!-- 'quoted' — Über 🙂"
)
HOSTILE_AUTHORS = ('Zoë "><img src=x onerror=alert(3)>', "O'Neil </script><!--")
HOSTILE_ABSTRACT = "An abstract </SCRIPT><script>alert(4)</script> & <!-- more --> ü."
HOSTILE_DOI = '10.1234/a"><script>alert(5)</script>&<!--'
HOSTILE_ORGANISATION = "R&D <Lab>"

LINKED = Paper(
    slug="linked",
    title="Learning to Grasp in Clutter",
    added=date(2025, 1, 3),
    tags=("agents", "vision"),
    authors=("Ada Lovelace", "Alan Turing", "Grace Hopper"),
    organization="Example Lab",
    published=date(2024, 3, 5),
    abstract="We grasp things in clutter.",
    links=Links(
        arxiv="2403.01234", pdf="https://example.org/grasp.pdf?v=1&dl=1", doi="10.1145/3377811"
    ),
)
ARXIV_ONLY = Paper(
    slug="arxiv-only",
    title="An arXiv paper",
    added=date(2025, 1, 2),
    tags=("reasoning",),
    authors=("Émile Zola",),
    published=date(2023, 12, 1),
    links=Links(arxiv="2312.00001"),
)
COUNTED = Paper(
    slug="counted",
    title="Twelve authors, no names",
    added=date(2025, 1, 1),
    tags=("agents",),
    author_count=12,
    abstract="Only a count of authors is known.",
)
HOSTILE = Paper(
    slug="hostile",
    title=HOSTILE_TITLE,
    added=date(2025, 1, 4),
    tags=("agents",),
    authors=HOSTILE_AUTHORS,
    organization=HOSTILE_ORGANISATION,
    published=date(2024, 2, 29),
    abstract=HOSTILE_ABSTRACT,
    links=Links(doi=HOSTILE_DOI),
)
PAPERS = [LINKED, ARXIV_ONLY, COUNTED, HOSTILE]


def specs(papers: list[Paper]) -> dict[str, PageSpec]:
    catalog = build_catalog(papers, TAGS)
    return {spec.url: spec for spec in plan_pages(catalog, Settings(page_size=2, home_recent=5))}


def document(head: str) -> str:
    return f"<!doctype html><html><head><title>t</title>{head}</head><body></body></html>"


def parsed(html: str) -> Element:
    return html5lib.parse(html, namespaceHTMLElements=False)


def embedded_metadata(html: str) -> dict[str, list[str]]:
    """Every ``<meta>`` of the page by its name (else its property), contents in
    document order: what Zotero's "Embedded Metadata" translator gathers before it
    maps the tags it knows to fields."""
    found: dict[str, list[str]] = defaultdict(list)
    for meta in parsed(html).iter("meta"):
        key = meta.get("name") or meta.get("property")
        content = meta.get("content")
        if key and content is not None:
            found[key].append(content)
    return found


def twitter_card(html: str) -> dict[str, str | None]:
    """The card X's processor shows: each ``twitter:*`` property, else the OpenGraph
    one it falls back to (developer.x.com, "Cards markup reference")."""
    meta = embedded_metadata(html)

    def first(*names: str) -> str | None:
        return next((meta[name][0] for name in names if meta.get(name)), None)

    return {
        "card": first("twitter:card"),
        "title": first("twitter:title", "og:title"),
        "description": first("twitter:description", "og:description"),
    }


def zotero_item(html: str) -> dict[str, Any]:
    """The fields that translator takes from Highwire Press tags: the first title,
    every author in order, the first date it knows of, the DOI, the arXiv id and the
    PDF it attaches."""
    meta = embedded_metadata(html)

    def first(*names: str) -> str | None:
        return next((meta[name][0] for name in names if meta.get(name)), None)

    return {
        "title": first("citation_title"),
        "creators": list(meta.get("citation_author", [])),
        "date": first("citation_publication_date", "citation_date"),
        "DOI": first("citation_doi"),
        "arXiv": first("citation_arxiv_id"),
        "pdf": first("citation_pdf_url"),
        "url": first("citation_abstract_html_url"),
        "tags": list(meta.get("citation_keywords", [])),
    }


def json_ld_blocks(html: str) -> list[Any]:
    """The parsed JSON of every ``<script type="application/ld+json">`` of the page."""
    return [
        json.loads(script.text or "")
        for script in parsed(html).iter("script")
        if script.get("type") == "application/ld+json"
    ]


@functools.cache
def schema_org_context() -> Any:
    return json.loads((FIXTURES / "schemaorg/schemaorgcontext.jsonld").read_text("utf-8"))


def schema_org_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """A PyLD document loader that knows one document: schema.org's context."""
    assert url.rstrip("/") in ("https://schema.org", "http://schema.org"), url
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": schema_org_context(),
    }


def expanded_article(block: Any) -> dict[str, Any]:
    """The one node of a JSON-LD block, expanded with schema.org's context."""
    (node,) = jsonld.expand(block, {"documentLoader": schema_org_loader})
    return node


def values(node: dict[str, Any], term: str) -> list[Any]:
    return [item.get("@value", item.get("@id")) for item in node.get(SCHEMA + term, [])]


def identifiers(node: dict[str, Any]) -> dict[str, str]:
    return {
        values(item, "propertyID")[0]: values(item, "value")[0]
        for item in node.get(SCHEMA + "identifier", [])
    }


def check_article(html: str, paper: Paper, url: str) -> None:
    """The page's JSON-LD, expanded: a ScholarlyArticle saying what the entry says."""
    (block,) = json_ld_blocks(html)
    node = expanded_article(block)
    assert node["@type"] == [SCHEMA + "ScholarlyArticle"]
    assert values(node, "name") == values(node, "headline") == [paper.title]
    authors = node.get(SCHEMA + "author", [])
    assert all(author["@type"] == [SCHEMA + "Person"] for author in authors)
    assert [values(author, "name")[0] for author in authors] == list(paper.authors)
    published = [paper.published.isoformat()] if paper.published else []
    assert values(node, "datePublished") == published
    if published:  # typed by schema.org's context, as a date
        assert node[SCHEMA + "datePublished"][0]["@type"] == SCHEMA + "Date"
    assert values(node, "url") == [url]
    expected, same_as = {}, []
    if paper.links.arxiv:
        expected["arXiv"] = paper.links.arxiv
        same_as.append(f"https://arxiv.org/abs/{paper.links.arxiv}")
    if paper.links.doi:
        expected["DOI"] = paper.links.doi
        same_as.append(f"https://doi.org/{paper.links.doi}")
    assert identifiers(node) == expected
    assert values(node, "sameAs") == same_as
    assert values(node, "abstract") == []  # on the page, not again in its head


def check_zotero(html: str, paper: Paper, url: str, pdf: str | None) -> None:
    item = zotero_item(html)
    assert item["title"] == paper.title
    assert item["creators"] == list(paper.authors)  # in order; none made up from a count
    published = paper.published.strftime("%Y/%m/%d") if paper.published else None
    assert item["date"] == published
    assert (item["DOI"], item["arXiv"]) == (paper.links.doi, paper.links.arxiv)
    assert item["pdf"] == pdf
    assert item["url"] == url
    assert item["tags"] == [TAGS[tag].title for tag in paper.tags]


# The pure function.

PDFS = {
    "linked": "https://example.org/grasp.pdf?v=1&dl=1",  # the entry's own PDF link wins
    "arxiv-only": "https://arxiv.org/pdf/2312.00001",  # else arXiv's
    "counted": None,
    "hostile": None,
}


@pytest.mark.parametrize("paper", PAPERS, ids=lambda paper: paper.slug)
def test_a_paper_page_is_read_by_zotero_and_by_a_json_ld_consumer(paper: Paper):
    html = document(head_meta(specs(PAPERS)[f"papers/{paper.slug}/"], SITE, TAGS))
    url = f"https://example.org/shelf/papers/{paper.slug}/"
    check_zotero(html, paper, url, PDFS[paper.slug])
    check_article(html, paper, url)
    meta = embedded_metadata(html)
    assert meta["og:type"] == ["article"] and meta["og:title"] == [paper.title]
    assert meta["og:url"] == [url] and meta["og:site_name"] == ["Test shelf"]
    assert twitter_card(html)["card"] == "summary"
    assert twitter_card(html)["title"] == paper.title


def test_the_description_is_the_shortened_abstract_or_the_sites():
    long = Paper(
        slug="long", title="Long", added=date(2025, 1, 1), tags=("agents",), abstract="word " * 100
    )
    pages = specs([long, COUNTED, ARXIV_ONLY])
    meta = embedded_metadata(document(head_meta(pages["papers/long/"], SITE, TAGS)))
    (description,) = meta["og:description"]
    assert description.endswith("…") and len(description) <= 201
    assert (
        twitter_card(document(head_meta(pages["papers/long/"], SITE, TAGS)))["description"]
        == description
    )
    no_abstract = embedded_metadata(document(head_meta(pages["papers/arxiv-only/"], SITE, TAGS)))
    assert no_abstract["og:description"] == ["A test reading list."]  # as material's meta
    (block,) = json_ld_blocks(document(head_meta(pages["papers/long/"], SITE, TAGS)))
    assert "abstract" not in block  # the page shows it; the head stays small


def test_without_a_site_url_no_absolute_url_is_made_up():
    spec = specs(PAPERS)["papers/linked/"]
    html = document(head_meta(spec, Site(url="", name="Test shelf"), TAGS))
    meta = embedded_metadata(html)
    assert "og:url" not in meta and "citation_abstract_html_url" not in meta
    (block,) = json_ld_blocks(html)
    assert "url" not in block
    assert zotero_item(html)["pdf"] == PDFS["linked"]  # absolute already


@pytest.mark.parametrize(
    ("url", "title", "description"),
    [
        ("", "Test shelf", "A test reading list."),  # the front page: the site itself
        ("tags/agents/", "Agents", "Language-model agents that act & plan."),
        ("tags/agents/page/2/", "Agents (page 2)", "Language-model agents that act & plan."),
        ("tags/", "Tags", "Every tag of the reading list with its description."),
        ("archive/2024/03/", "March 2024", "Papers published in March 2024."),
        ("orgs/example-lab/", "Example Lab", "Papers from Example Lab."),
    ],
)
def test_list_pages_carry_open_graph_and_the_card(url: str, title: str, description: str):
    html = document(head_meta(specs(PAPERS)[url], SITE, TAGS))
    meta = embedded_metadata(html)
    assert meta == {
        "og:type": ["website"],
        "og:title": [title],
        "og:description": [description],
        "og:url": [f"https://example.org/shelf/{url}"],
        "og:site_name": ["Test shelf"],
        "twitter:card": ["summary"],  # its title and description are OpenGraph's
    }
    assert twitter_card(html) == {"card": "summary", "title": title, "description": description}
    assert json_ld_blocks(html) == []


def check_hostile(html: str, plain_html: str) -> None:
    """Hostile entry text is only text: the page parses, the values read back as
    written, the JSON-LD parses to the original text, and the head has no element
    more than a plain page's with the same tags (``plain_html``)."""
    meta = embedded_metadata(html)
    assert meta["citation_title"] == meta["og:title"] == [HOSTILE_TITLE]
    assert meta["citation_author"] == list(HOSTILE_AUTHORS)
    assert meta["citation_doi"] == [HOSTILE_DOI]
    (block,) = json_ld_blocks(html)
    assert block["name"] == HOSTILE_TITLE
    assert [author["name"] for author in block["author"]] == list(HOSTILE_AUTHORS)
    assert block["sourceOrganization"]["name"] == HOSTILE_ORGANISATION
    assert [item["value"] for item in block["identifier"]] == [HOSTILE_DOI]

    def shape(page: str) -> list[str]:  # the head's elements but <meta>, and its comments
        head = parsed(page).find("head")
        assert head is not None
        return sorted(
            element.tag if isinstance(element.tag, str) else "comment"
            for element in head.iter()
            if element.tag != "meta"
        )

    assert shape(html) == shape(plain_html)  # no <script>, <img> or comment more
    for meta_element in parsed(html).iter("meta"):
        assert set(meta_element.attrib) <= {"charset", "name", "property", "content"}
    assert "<img" not in html and "<!--" not in html.split("</head>")[0]


def test_hostile_text_stays_text():
    pages = specs(PAPERS)
    html = document(head_meta(pages["papers/hostile/"], SITE, TAGS))
    check_hostile(html, document(head_meta(pages["papers/counted/"], SITE, TAGS)))
    (script,) = [line for line in html.splitlines() if line.startswith("<script")]
    inside = script.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert not {"<", ">", "&"} & set(inside)  # \u003c \u003e \u0026 instead
    check_article(html, HOSTILE, "https://example.org/shelf/papers/hostile/")


# Text an entry may hold (papershelf.entries.text_rules), markup drawn often.
ENTRY_TEXT = (
    st.lists(
        st.one_of(
            st.characters(codec="utf-8"),
            st.sampled_from(["</script>", "<!--", "-->", '"', "'", "&", "<", ">", "\u2028", "é"]),
        ),
        min_size=1,
        max_size=20,
    )
    .map("".join)
    .filter(lambda text: text.strip() and character_problem(text, one_line=False) is None)
)


@settings(max_examples=150, deadline=None)
@given(title=ENTRY_TEXT, author=ENTRY_TEXT, abstract=ENTRY_TEXT)
def test_any_entry_text_reads_back_from_the_meta_and_the_json_ld(
    title: str, author: str, abstract: str
):
    paper = Paper(
        slug="any",
        title=title,
        added=date(2025, 1, 1),
        tags=("agents",),
        authors=(author,),
        abstract=abstract,
    )
    spec = PageSpec(
        url="papers/any/",
        template="papershelf/paper.html",
        title=title,
        description=abstract,
        kind="paper",
        context={"paper": paper},
    )
    html = document(head_meta(spec, SITE, TAGS))

    def as_read(text: str) -> str:  # HTML reads a carriage return as a line feed
        return text.replace("\r\n", "\n").replace("\r", "\n")

    meta = embedded_metadata(html)
    assert meta["citation_title"] == [as_read(title)]
    assert meta["citation_author"] == [as_read(author)]
    (block,) = json_ld_blocks(html)
    assert (block["name"], block["author"][0]["name"]) == (title, author)
    assert len(list(parsed(html).iter("script"))) == 1


# Pages of real builds.

ENTRIES = {
    "linked": """\
        title: Learning to Grasp in Clutter
        authors: [Ada Lovelace, Alan Turing, Grace Hopper]
        organization: Example Lab
        published: 2024-03-05
        added: 2025-01-03
        tags: [agents, vision]
        abstract: We grasp things in clutter.
        links:
          arxiv: "2403.01234"
          pdf: https://example.org/grasp.pdf?v=1&dl=1
          doi: 10.1145/3377811
        """,
    "arxiv-only": """\
        title: An arXiv paper
        authors: [Émile Zola]
        published: 2023-12-01
        added: 2025-01-02
        tags: [reasoning]
        links:
          arxiv: "2312.00001"
        """,
    "counted": """\
        title: Twelve authors, no names
        author_count: 12
        added: 2025-01-01
        tags: [agents]
        abstract: Only a count of authors is known.
        """,
    "hostile": f"""\
        title: {json.dumps(HOSTILE_TITLE, ensure_ascii=False)}
        authors: [{", ".join(json.dumps(name, ensure_ascii=False) for name in HOSTILE_AUTHORS)}]
        organization: {json.dumps(HOSTILE_ORGANISATION)}
        published: 2024-02-29
        added: 2025-01-04
        tags: [agents]
        abstract: {json.dumps(HOSTILE_ABSTRACT, ensure_ascii=False)}
        links:
          doi: {json.dumps(HOSTILE_DOI)}
        """,
}


@pytest.fixture(scope="module", params=[True, False], ids=["shells", "theme"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small site built by mkdocs, its generated pages made from theme shells or
    each through the theme."""
    project = Project(tmp_path_factory.mktemp("head-meta"))
    project.write("tags.yml", TAGS_YML)
    prerender = "      prerender: false\n" if not request.param else ""
    config = MKDOCS_YML.format(page_size=2).replace("  - search\n", "")
    project.write("mkdocs.yml", config.replace("home_recent: 5\n", "home_recent: 5\n" + prerender))
    project.write("content/index.md", "# Test shelf\n\nHand-written intro.\n")
    project.write("content/about.md", "# About\n\nA hand-written page.\n")
    for slug, text in ENTRIES.items():
        project.paper(slug, text)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=project.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return project.site


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("paper", PAPERS, ids=lambda paper: paper.slug)
def test_built_paper_pages_are_read_by_zotero_and_by_a_json_ld_consumer(site: Path, paper: Paper):
    html = page(site, f"papers/{paper.slug}")
    url = f"https://example.org/shelf/papers/{paper.slug}/"
    check_zotero(html, paper, url, PDFS[paper.slug])
    check_article(html, paper, url)
    head = html.split("</head>")[0]
    assert head.count('<meta name="citation_title"') == 1  # in the head, once
    assert head.count('<meta property="og:type" content="article">') == 1


def test_built_pages_keep_hostile_text_as_text(site: Path):
    check_hostile(page(site, "papers/hostile"), page(site, "papers/counted"))


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("", "Test shelf"),  # hand-written, followed by the recent additions
        ("tags/", "Tags"),  # in the nav: through the theme
        ("tags/agents/", "Agents"),
        ("tags/agents/votes/", "Agents, most votes: the top 2"),  # page_size 2
        ("archive/2024/", "2024"),
        ("orgs/example-lab/", "Example Lab"),
    ],
)
def test_built_list_pages_carry_open_graph_and_the_card(site: Path, url: str, title: str):
    html = page(site, url)
    meta = embedded_metadata(html)
    assert meta["og:type"] == ["website"]
    assert meta["og:title"] == [title] and twitter_card(html)["title"] == title
    assert meta["og:url"] == [f"https://example.org/shelf/{url}"]
    assert meta["og:site_name"] == ["Test shelf"] and meta["twitter:card"] == ["summary"]
    assert len(meta["og:description"]) == 1 and twitter_card(html)["description"]
    assert "citation_title" not in meta and json_ld_blocks(html) == []


def test_hand_written_pages_other_than_the_home_page_have_none(site: Path):
    assert "og:type" not in embedded_metadata(page(site, "about"))

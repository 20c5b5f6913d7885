"""Reading paths in a real mkdocs build of a small list with two paths: numbered pages
with the curators' notes, the index, paper pages naming their paths, feeds that parse
and pass the W3C validator, hostile text shown as text; and lists without paths."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import feedparser
import html5lib
import pytest

from tests.conftest import REPOSITORY, Project, curator_checkout

SITE_URL = "https://example.org/shelf/"
# The W3C Feed Validation Service's code, beside the repository (not a dependency of
# the project: /work/shared/tools/README.md).
CHECK_FEED = Path(
    os.environ.get("PAPERSHELF_CHECK_FEED", REPOSITORY.parent / "shared/tools/check_feed.py")
)
HOSTILE = '<script>alert("path")</script> Tom & Jerry\'s "<b>path</b>"'

FIRST_STEPS = """\
title: First steps with agents & tools
description: A short path from the first agent papers to today's methods, in 3 steps.
papers:
  - slug: plain-3
    note: Read this first; it defines the setting.
  - slug: plain-1
    note: The method most later papers compare with.
  - slug: plain-2
    note: Where the field went next — “ideas” worth knowing.
"""

HOSTILE_PATH = f"""\
title: '{HOSTILE.replace("'", "''")}'
description: '<img src=x onerror=alert(1)> & a description'
papers:
  - slug: nasty
    note: '<script>alert("note")</script> & read <b>this</b>'
  - slug: plain-1
    note: Plain note.
"""


def write_shelf(project: Project) -> None:
    """Four papers (one hostile) and two reading paths."""
    for day in range(1, 4):
        project.paper(
            f"plain-{day}",
            f"""\
            title: Plain paper {day}
            author_count: 2
            published: 2024-01-1{day}
            added: 2025-01-0{day}
            tags: [agents]
            abstract: Plain abstract {day}.
            """,
        )
    project.paper(
        "nasty",
        f"""\
        title: '{HOSTILE.replace("'", "''")}'
        added: 2025-01-05
        tags: [vision]
        abstract: An abstract.
        """,
    )
    project.write("collections/first-steps.yml", FIRST_STEPS)
    project.write("collections/hostile.yml", HOSTILE_PATH)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    from tests.conftest import MKDOCS_YML, TAGS_YML

    project = Project(tmp_path_factory.mktemp("paths"))
    project.write("tags.yml", TAGS_YML)
    project.write("mkdocs.yml", MKDOCS_YML.format(page_size=2))
    project.write("content/index.md", "# Test shelf\n")
    write_shelf(project)
    result = project.build()
    assert result.returncode == 0, result.stderr
    yield project


def parse(page: str):
    return html5lib.parse(page, namespaceHTMLElements=False)


def by_class(document, name: str) -> list:
    return [e for e in document.iter() if name in (e.get("class") or "").split()]


def text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def test_a_path_page_lists_its_papers_numbered_in_order_with_their_notes(built: Project):
    document = parse(built.html("collections/first-steps"))
    [steps] = by_class(document, "ps-path")
    assert steps.tag == "ol"
    items = [child for child in steps if child.tag == "li"]
    assert [item.get("id") for item in items] == ["step-1", "step-2", "step-3"]
    titles = [text(by_class(item, "ps-card__title")[0]) for item in items]
    assert titles == ["Plain paper 3", "Plain paper 1", "Plain paper 2"]
    notes = [text(by_class(item, "ps-path__note")[0]) for item in items]
    assert notes == [
        "Read this first; it defines the setting.",
        "The method most later papers compare with.",
        "Where the field went next — “ideas” worth knowing.",
    ]
    links = [a.get("href") for item in items for a in by_class(item, "ps-card__title")[0].iter("a")]
    assert links == ["../../papers/plain-3/", "../../papers/plain-1/", "../../papers/plain-2/"]
    page = built.html("collections/first-steps")
    assert "<h1>First steps with agents &amp; tools</h1>" in page
    assert 'href="../../collections/first-steps/feed.xml"' in page  # subscribe block
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Test shelf: First steps with'
        ' agents &amp; tools (reading path) (Atom)"'
        ' href="https://example.org/shelf/collections/first-steps/atom.xml">'
    ) in page


def test_the_index_lists_every_path_by_title(built: Project):
    document = parse(built.html("collections"))
    cards = by_class(document, "ps-card")
    assert [text(by_class(card, "ps-card__title")[0]) for card in cards] == [
        '<script>alert("path")</script> Tom & Jerry\'s "<b>path</b>"',
        "First steps with agents & tools",
    ]
    assert [text(by_class(card, "ps-card__meta")[0]) for card in cards] == ["2 papers", "3 papers"]
    hrefs = [by_class(card, "ps-card__title")[0].find("a").get("href") for card in cards]
    assert hrefs == ["../collections/hostile/", "../collections/first-steps/"]


def test_a_paper_page_names_its_paths_and_its_step(built: Project):
    document = parse(built.html("papers/plain-1"))
    [paths] = by_class(document, "ps-onpaths")
    assert [text(li) for li in paths.iter("li")] == [
        '<script>alert("path")</script> Tom & Jerry\'s "<b>path</b>": step 2 of 2',
        "First steps with agents & tools: step 2 of 3",
    ]
    assert [a.get("href") for a in paths.iter("a")] == [
        "../../collections/hostile/#step-2",
        "../../collections/first-steps/#step-2",
    ]
    [one] = by_class(parse(built.html("papers/plain-2")), "ps-onpaths")
    assert [text(li) for li in one.iter("li")] == ["First steps with agents & tools: step 3 of 3"]


def test_hostile_path_text_is_shown_as_text(built: Project):
    for url in ("collections/hostile", "collections", "papers/plain-1", "papers/nasty"):
        page = built.html(url)
        assert "<script>alert(" not in page, url
        assert "<img src=x" not in page and "<b>path</b>" not in page, url
    page = built.html("collections/hostile")
    assert (
        "&lt;script&gt;alert(&#34;note&#34;)&lt;/script&gt; &amp; read &lt;b&gt;this&lt;/b&gt;"
        in (page)
    )


def test_each_path_has_rss_atom_and_json_feeds_in_path_order(built: Project):
    for slug, expected in (
        ("first-steps", ["plain-3", "plain-1", "plain-2"]),
        ("hostile", ["nasty", "plain-1"]),
    ):
        folder = built.site / "collections" / slug
        for name, version in (("feed.xml", "rss20"), ("atom.xml", "atom10")):
            parsed = feedparser.parse((folder / name).read_bytes())
            assert not parsed.bozo, (slug, name, parsed.get("bozo_exception"))
            assert parsed.version == version
            assert [e.link for e in parsed.entries] == [
                f"{SITE_URL}papers/{paper}/" for paper in expected
            ]
        document = json.loads((folder / "feed.json").read_text(encoding="utf-8"))
        assert [item["url"] for item in document["items"]] == [
            f"{SITE_URL}papers/{paper}/" for paper in expected
        ]
        assert (folder / "sitemap.xml").is_file()  # material asks for it beside the feeds
    hostile = feedparser.parse((built.site / "collections/hostile/atom.xml").read_bytes())
    assert hostile.feed.title == f"Test shelf: {HOSTILE} (reading path)"
    content = hostile.entries[0].content[0].value
    assert (
        "&lt;script&gt;alert(&quot;note&quot;)&lt;/script&gt; &amp; read &lt;b&gt;this" in content
    )


@pytest.mark.skipif(not CHECK_FEED.is_file(), reason=f"no W3C feed validator at {CHECK_FEED}")
def test_path_feeds_pass_the_w3c_feed_validator(built: Project):
    """No error and no warning (hostile titles aside: the validator warns about any
    title that looks like HTML, as it does for the site feed of such a paper)."""
    folder = built.site / "collections" / "first-steps"
    feeds = [str(folder / "feed.xml"), str(folder / "atom.xml")]
    site = ["--site-dir", str(built.site), "--site-url", SITE_URL]
    result = subprocess.run(
        [sys.executable, str(CHECK_FEED), *site, *feeds],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "2/2 feeds valid"


def test_an_invalid_path_fails_the_build_with_every_problem_and_keeps_the_site(project: Project):
    write_shelf(project)
    assert project.build().returncode == 0
    before = project.html("collections/first-steps")
    project.write(
        "collections/first-steps.yml",
        FIRST_STEPS.replace("slug: plain-1", "slug: plain1").replace(
            "    note: Read this first; it defines the setting.\n", ""
        ),
    )
    result = project.build()
    assert result.returncode != 0
    assert "papershelf: 2 problems in the entries and reading paths:" in result.stderr
    assert (
        "collections/first-steps.yml:4: papers.note: every paper on a path needs a note"
        " (add `note: ...`)"
    ) in result.stderr
    assert (
        "collections/first-steps.yml:5: papers.slug: no paper 'plain1' on the list"
        " (did you mean 'plain-1'?)"
    ) in result.stderr
    assert project.html("collections/first-steps") == before


def test_a_list_without_a_collections_folder_builds_and_says_how_to_add_a_path(tmp_path: Path):
    checkout = curator_checkout(tmp_path, "robotics:\n  title: Robotics\n  description: R.\n")
    assert not (checkout.root / "collections").exists()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q"],
        cwd=checkout.root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stderr
    page = checkout.html("collections")
    assert "No reading paths yet." in page
    assert "papershelf new collection &lt;slug&gt;" in page
    home = " ".join(checkout.html("").split())
    assert 'href="collections/" class="md-tabs__link"> Reading paths </a>' in home  # in the nav

"""The quick `papershelf build`: an edit of a few entries is rebuilt without mkdocs
(what they say, the lists they are on and their place in them, when the set of
papers and of lists stays), and the site is byte for byte the one a clean build
makes; anything else goes through mkdocs as before."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable

import pytest

from build_tools.cli import main
from papershelf.speed.build_state import state_location
from papershelf.speed.snapshot import snapshot_path
from tests.conftest import Project
from tests.site_builds import clean_build, run_build, tree

# Dozens of real builds, each compared with a clean one: left out of `make test-fast`.
pytestmark = pytest.mark.slow

MKDOCS_YML = """\
site_name: Test shelf
site_url: https://example.org/shelf/
site_description: A test reading list.
docs_dir: content
theme:
  name: material
plugins:
  - papershelf:
      page_size: 2
      home_recent: 3
      feed_length: 3
nav:
  - Home: index.md
  - Tags: tags/index.md
  - Archive: archive/index.md
  - About: about.md
"""

PAPERS = {
    "alpha": (
        "title: Alpha agents\nadded: 2025-03-01\npublished: 2025-02-20\ntags: [agents]\n"
        "authors: [Ada Lovelace, Alan Turing]\norganization: Lab One\nvotes: 12\n"
        "abstract: Alpha studies agents that plan.\n"
    ),
    "beta": (
        "title: Beta reasoning\nadded: 2025-02-01\npublished: 2025-01-10\n"
        "tags: [reasoning, agents]\nauthor_count: 7\nabstract: Beta reasons in steps.\n"
    ),
    "gamma": (
        "title: Gamma vision\nadded: 2025-01-15\ntags: [vision]\norganization: Lab Two\n"
        "links:\n  arxiv: '2501.00001'\nabstract: Gamma sees things.\nvotes: 3\n"
    ),
    "delta": (
        "title: Delta planning\nadded: 2024-12-01\npublished: 2024-11-05\ntags: [agents]\n"
        "abstract: Delta plans ahead.\n"
    ),
    "epsilon": (
        "title: Epsilon steps\nadded: 2024-11-01\npublished: 2024-10-01\n"
        "tags: [reasoning]\nabstract: Epsilon takes small steps.\n"
    ),
    "zeta": (
        "title: Zeta agents\nadded: 2024-10-01\npublished: 2024-09-09\n"
        "tags: [agents, vision]\norganization: Lab One\nabstract: Zeta is the oldest.\n"
    ),
}


def build(project: Project, monkeypatch: pytest.MonkeyPatch, capfd, *args: str) -> str:
    """Run `papershelf build`; everything it printed."""
    return run_build(project, monkeypatch, capfd, *args)


def edit(project: Project, slug: str, old: str, new: str) -> None:
    path = project.papers / f"{slug}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def shelf(
    project: Project, monkeypatch: pytest.MonkeyPatch, capfd, request: pytest.FixtureRequest
) -> Project:
    """Seven papers built. A test marked ``without_related`` builds them without related
    papers (``related_papers: 0``): on so short a list every tag and most words tell
    papers apart, so an edit that moves a paper or retitles it could change related
    papers and is built in full (test_an_edit_that_changes_related_papers_is_built_in_full);
    those tests are of what a quick build does to the lists."""
    config = MKDOCS_YML
    if request.node.get_closest_marker("without_related"):
        config = config.replace(
            "      feed_length: 3\n", "      feed_length: 3\n      related_papers: 0\n"
        )
    project.write("mkdocs.yml", config)
    project.write("content/about.md", "# About\n\nA hand-written page.\n")
    for slug, text in PAPERS.items():
        project.paper(slug, text)
    project.paper("theta", THETA_MD, suffix=".md")
    assert "site built in site/" in build(project, monkeypatch, capfd)
    return project


# A Markdown entry: its notes are the body after the front matter.
THETA_MD = (
    "---\ntitle: Theta notes\nadded: 2024-09-01\ntags: [vision]\nabstract: Theta has notes.\n---\n"
    "These notes are *Markdown*.\n"
)


def edit_md(project: Project, old: str, new: str) -> None:
    path = project.papers / "theta.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# Edits that change no paper's related papers (papershelf.site.related): the words they
# add or remove are in no other paper (those an edit gives another paper in common
# are test_an_edit_that_changes_related_papers_is_built_in_full).
CONTENT_EDITS: dict[str, Callable[[Project], None]] = {
    "abstract of the newest paper (home, feeds)": lambda p: edit(
        p,
        "alpha",
        "Alpha studies agents that plan.",
        "Alpha studies agents that plan & act <fast>.",
    ),
    "abstract of the oldest paper": lambda p: edit(
        p, "zeta", "Zeta is the oldest.", "Zeta is still the oldest, with a new word (quokka)."
    ),
    "authors": lambda p: edit(p, "alpha", "Alan Turing]", "Alan Turing, Grace Hopper]"),
    "author count to names": lambda p: edit(p, "beta", "author_count: 7", "authors: [Émile Zola]"),
    "notes added": lambda p: edit(
        p, "delta", "abstract:", "notes: 'Read with *care*: <script>x</script> 🙂'\nabstract:"
    ),
    "code and pdf links": lambda p: edit(
        p,
        "gamma",
        "links:\n",
        "links:\n  code: https://example.org/code\n  pdf: https://example.org/g.pdf\n",
    ),
    "title": lambda p: edit(p, "beta", "Beta reasoning", "Beta reasoning, retitled & <em>"),
    "arXiv id": lambda p: edit(p, "gamma", "2501.00001", "2501.00002"),
    "notes of a Markdown entry": lambda p: edit_md(
        p, "These notes are *Markdown*.", "Edited notes with a [link](https://example.org/)."
    ),
    "several entries at once": lambda p: (
        edit(p, "beta", "Beta reasons in steps.", "Beta reasons in many steps."),
        edit(
            p,
            "epsilon",
            "Epsilon takes small steps.",
            "Epsilon takes small steps — маленькие шаги.",
        ),
    ),
}


@pytest.mark.parametrize("change", CONTENT_EDITS.values(), ids=CONTENT_EDITS.keys())
def test_a_content_edit_is_rebuilt_without_mkdocs_and_gives_the_clean_site(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd, change
):
    change(shelf)
    out = build(shelf, monkeypatch, capfd)
    assert "site updated in site/ without mkdocs" in out, out
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)


def test_an_edit_that_changes_related_papers_is_built_in_full(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    # "agents" is in two papers' titles: more of it in an abstract changes the vectors
    # every paper is compared by, so any paper's related papers may change.
    edit(shelf, "alpha", "Alpha studies agents that plan.", "Alpha studies agents, agents.")
    out = build(shelf, monkeypatch, capfd, "--verbose")
    assert "without mkdocs" not in out and "related papers may change" in out, out
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)


def test_an_edit_seen_in_the_head_of_a_page_made_through_the_theme_gives_the_clean_site(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    """With ``prerender: false`` paper pages are made through the theme, and the
    snapshot keeps them cut around their body. Authors show in the head's meta
    (papershelf.site.head_meta) while title and description stay: that head is not
    reused."""
    option = "      feed_length: 3\n"
    shelf.write("mkdocs.yml", MKDOCS_YML.replace(option, option + "      prerender: false\n"))
    build(shelf, monkeypatch, capfd)
    edit(shelf, "alpha", "Alan Turing]", "Alan Turing, Grace Hopper]")
    build(shelf, monkeypatch, capfd)
    page = (shelf.site / "papers/alpha/index.html").read_text(encoding="utf-8")
    assert '<meta name="citation_author" content="Grace Hopper">' in page
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)


def test_only_the_pages_and_feeds_that_show_the_paper_are_rewritten(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    before = {path: (shelf.site / path).stat().st_mtime_ns for path in tree(shelf.site)}
    edit(shelf, "zeta", "Zeta is the oldest.", "Zeta, edited.")
    build(shelf, monkeypatch, capfd)
    after = {path: (shelf.site / path).stat().st_mtime_ns for path in tree(shelf.site)}
    rewritten = {path for path in after if after[path] != before.get(path)}
    pages = {path for path in rewritten if path.endswith("index.html")}
    assert "papers/zeta/index.html" in pages
    assert "papers/epsilon/index.html" in pages  # its neighbour links to it
    assert "papers/alpha/index.html" in pages  # zeta is one of its related papers
    assert "tags/reasoning/index.html" not in pages  # not one of zeta's lists
    assert "index.html" not in pages  # zeta is not among the recent additions
    assert "tags/index.html" not in pages and "about/index.html" not in pages
    assert "tags/vision/feed.xml" in rewritten  # zeta is one of its newest three
    assert "feed.xml" not in rewritten and "tags/reasoning/feed.xml" not in rewritten
    assert "sitemap.xml" not in rewritten


def test_the_search_index_finds_the_new_words(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    edit(shelf, "gamma", "Gamma sees things.", "Gamma sees axolotls.")
    assert "without mkdocs" in build(shelf, monkeypatch, capfd)
    index = b"".join(data for path, data in tree(shelf.site).items() if path.startswith("search/"))
    assert b"axolotls" in index


@pytest.mark.without_related
def test_an_edit_undone_and_then_another_change_still_give_the_clean_site(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    """The state the quick build leaves is right for the builds after it."""
    edit(shelf, "beta", "Beta reasons in steps.", "Beta, edited once.")
    assert "without mkdocs" in build(shelf, monkeypatch, capfd)
    edit(shelf, "beta", "Beta, edited once.", "Beta reasons in steps.")
    assert "without mkdocs" in build(shelf, monkeypatch, capfd)
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)
    shelf.paper("eta", PAPERS["delta"].replace("Delta", "Eta").replace("2024-12-01", "2025-04-01"))
    out = build(shelf, monkeypatch, capfd)
    assert "site updated in site/" in out and "without mkdocs" not in out
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)
    edit(shelf, "eta", "Eta plans ahead.", "Eta plans further ahead.")
    assert "without mkdocs" in build(shelf, monkeypatch, capfd)
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)


def test_a_touched_entry_with_the_same_contents_changes_nothing(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    before = tree(shelf.site)
    path = shelf.papers / "alpha.yaml"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert "without mkdocs: nothing changed" in build(shelf, monkeypatch, capfd)
    assert tree(shelf.site) == before


MOVING_EDITS: dict[str, Callable[[Project], None]] = {
    "a tag added": lambda p: edit(p, "delta", "tags: [agents]", "tags: [agents, vision]"),
    "a tag replaced": lambda p: edit(p, "delta", "tags: [agents]", "tags: [vision]"),
    "tags reordered": lambda p: edit(p, "zeta", "tags: [agents, vision]", "tags: [vision, agents]"),
    "votes": lambda p: edit(p, "gamma", "votes: 3", "votes: 30"),
    "votes removed": lambda p: edit(p, "alpha", "votes: 12\n", ""),
    "votes given": lambda p: edit(p, "delta", "abstract:", "votes: 5\nabstract:"),
    "organisation moved to another that is listed": lambda p: edit(
        p, "zeta", "organization: Lab One", "organization: Lab Two"
    ),
    "organisation name spelled otherwise": lambda p: edit(
        p, "alpha", "organization: Lab One", "organization: LAB ONE"
    ),
    "published date within its month": lambda p: edit(
        p, "delta", "published: 2024-11-05", "published: 2024-11-28"
    ),
    "published dates swapped between months": lambda p: (
        edit(p, "delta", "published: 2024-11-05", "published: 2024-10-20"),
        edit(p, "epsilon", "published: 2024-10-01", "published: 2024-11-02"),
    ),
    "added date that keeps the order": lambda p: edit(
        p, "zeta", "added: 2024-10-01", "added: 2024-10-15"
    ),
    "added date of the newest paper (feeds' dates)": lambda p: edit(
        p, "alpha", "added: 2025-03-01", "added: 2025-03-09"
    ),
    "added date that moves the oldest paper to the top of the list": lambda p: edit(
        p, "zeta", "added: 2024-10-01", "added: 2025-05-01"
    ),
    "added date that moves the newest paper down the list": lambda p: edit(
        p, "alpha", "added: 2025-03-01", "added: 2024-11-15"
    ),
    "added dates of two neighbours swapped": lambda p: (
        edit(p, "beta", "added: 2025-02-01", "added: 2025-01-10"),
        edit(p, "gamma", "added: 2025-01-15", "added: 2025-02-01"),
    ),
    "added date and a tag at once": lambda p: edit(
        p,
        "delta",
        "added: 2024-12-01\npublished: 2024-11-05\ntags: [agents]",
        "added: 2025-04-01\npublished: 2024-11-05\ntags: [vision]",
    ),
    "a new organisation (a new list)": lambda p: edit(p, "alpha", "Lab One", "Lab Three"),
    "the only paper of an organisation leaves it (the list goes)": lambda p: edit(
        p, "gamma", "organization: Lab Two\n", ""
    ),
    "a date in a month without papers (a new month between others)": lambda p: edit(
        p, "gamma", "added: 2025-01-15", "added: 2025-01-15\npublished: 2024-12-30"
    ),
    "the only paper of a month moves to another (the month goes)": lambda p: edit(
        p, "epsilon", "published: 2024-10-01", "published: 2024-11-20"
    ),
    "a date in a year without papers (a new year and month)": lambda p: edit(
        p, "gamma", "added: 2025-01-15", "added: 2025-01-15\npublished: 2023-05-01"
    ),
    "the papers of a year move to another (the year goes; its page is not made)": lambda p: (
        edit(p, "alpha", "published: 2025-02-20", "published: 2024-02-20"),
        edit(p, "beta", "published: 2025-01-10", "published: 2024-01-10"),
    ),
    "a tag list grows by a page": lambda p: edit(
        p, "gamma", "tags: [vision]", "tags: [vision, agents]"
    ),
    "a tag list shrinks by a page": lambda p: edit(
        p, "zeta", "tags: [agents, vision]", "tags: [agents]"
    ),
    "a tag outgrows a page (its votes page shows the top papers only)": lambda p: edit(
        p, "delta", "tags: [agents]", "tags: [agents, reasoning]"
    ),
    "a tag's last paper but one leaves (its votes page goes)": lambda p: edit(
        p, "epsilon", "tags: [reasoning]", "tags: [agents]"
    ),
    "a tag that gives its list a later date (sitemaps' lastmod)": lambda p: edit(
        p, "alpha", "tags: [agents]", "tags: [agents, vision]"
    ),
    "a tag and the abstract at once": lambda p: edit(
        p,
        "beta",
        "tags: [reasoning, agents]\nauthor_count: 7\nabstract: Beta reasons in steps.",
        "tags: [reasoning, vision]\nauthor_count: 7\nabstract: Beta looks, then reasons.",
    ),
}


@pytest.mark.without_related
@pytest.mark.parametrize("change", MOVING_EDITS.values(), ids=MOVING_EDITS.keys())
def test_an_edit_that_moves_a_paper_is_rebuilt_without_mkdocs_and_gives_the_clean_site(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd, change
):
    """Tags, votes, the organisation and dates decide which lists a paper is on and
    where; the tag, archive and organisation pages and the navigation's index pages
    (made through the theme) change with them."""
    change(shelf)
    out = build(shelf, monkeypatch, capfd, "--verbose")
    assert "site updated in site/ without mkdocs" in out, out
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)


@pytest.mark.without_related
def test_pages_that_come_and_go_are_in_the_sitemaps_and_the_next_builds(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    """A list that grows or shrinks by a page: the page is written or deleted, the
    sitemaps list it or not, and the builds after know it."""
    edit(shelf, "gamma", "tags: [vision]", "tags: [vision, agents]")  # agents: 3 pages
    assert "without mkdocs" in build(shelf, monkeypatch, capfd)
    assert "tags/agents/page/3/" in (shelf.site / "sitemap-1.xml").read_text()
    assert "without mkdocs: nothing changed" in build(shelf, monkeypatch, capfd)
    edit(shelf, "gamma", "Gamma sees things.", "Gamma sees agents too.")  # on the new page
    assert "without mkdocs" in build(shelf, monkeypatch, capfd)
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)
    edit(shelf, "gamma", "tags: [vision, agents]", "tags: [vision]")  # the page goes
    assert "without mkdocs" in build(shelf, monkeypatch, capfd)
    assert not (shelf.site / "tags/agents/page/3").exists()
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)
    edit(shelf, "gamma", "tags: [vision]", "tags: [vision, agents]")  # and comes back
    assert "without mkdocs" in build(shelf, monkeypatch, capfd)
    shelf.write("content/about.md", "# About\n\nEdited.\n")  # then through mkdocs
    assert "without mkdocs" not in build(shelf, monkeypatch, capfd)
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)


@pytest.mark.without_related
def test_a_date_edit_writes_the_sitemaps_with_the_new_lastmods_and_the_next_builds_know_it(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    """The sitemaps date each page by its papers: an edit that changes a page's date
    writes them again (no page came or went), one that changes none leaves them."""
    sitemap = shelf.site / "sitemap.xml"  # the index of the shards, written with them
    urls = shelf.site / "sitemap-1.xml"  # the one shard of a short list
    assert "<lastmod>2025-03-01</lastmod>" in urls.read_text()  # alpha, the newest
    written = sitemap.stat().st_mtime_ns
    edit(shelf, "delta", "tags: [agents]", "tags: [agents, vision]")  # vision's date stays
    assert "without mkdocs" in build(shelf, monkeypatch, capfd)
    assert sitemap.stat().st_mtime_ns == written
    edit(shelf, "alpha", "added: 2025-03-01", "added: 2025-03-09")
    assert "without mkdocs" in build(shelf, monkeypatch, capfd)
    assert sitemap.stat().st_mtime_ns != written
    text = urls.read_text()
    assert "/papers/alpha/</loc><lastmod>2025-03-09</lastmod>" in text
    assert "/shelf/</loc><lastmod>2025-03-09</lastmod>" in text  # the home page lists it
    assert "/about/</loc></url>" in text  # hand-written: no date
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)
    edit(shelf, "alpha", "added: 2025-03-09", "added: 2025-03-01")  # and back, quick again:
    assert "without mkdocs" in build(shelf, monkeypatch, capfd)  # the state knows the sitemap
    assert "<lastmod>2025-03-09</lastmod>" not in urls.read_text()
    assert "without mkdocs: nothing changed" in build(shelf, monkeypatch, capfd)
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)


@pytest.mark.without_related
def test_after_a_move_the_kit_knows_the_pages_the_paper_is_on_now(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    """Quick builds after a quick move, and mkdocs builds after them, still give the
    clean site: the snapshot and the state follow each move."""
    edit(shelf, "delta", "tags: [agents]", "tags: [vision]")
    assert "without mkdocs" in build(shelf, monkeypatch, capfd)
    edit(shelf, "delta", "Delta plans ahead.", "Delta now plans for vision.")  # on vision pages
    assert "without mkdocs" in build(shelf, monkeypatch, capfd)
    assert "Delta now plans for vision." in shelf.html("tags/vision/")
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)
    edit(shelf, "delta", "tags: [vision]", "tags: [agents]")
    edit(shelf, "gamma", "votes: 3", "votes: 300")
    assert "without mkdocs" in build(shelf, monkeypatch, capfd)
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)
    shelf.paper("eta", PAPERS["delta"].replace("Delta", "Eta").replace("2024-12-01", "2025-04-01"))
    assert "without mkdocs" not in build(shelf, monkeypatch, capfd)  # a new entry: mkdocs
    edit(shelf, "eta", "abstract:", "votes: 9\nabstract:")
    assert "without mkdocs" in build(shelf, monkeypatch, capfd)
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)


@pytest.mark.without_related
def test_a_date_that_changes_the_months_counts_rebuilds_every_page_that_shows_them(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    """The archive's pages show papers per month: pages of other years, outside the
    lists the paper left or joined, change with them."""
    iota = PAPERS["delta"].replace("Delta", "Iota").replace("2024-11-05", "2024-11-20")
    shelf.paper("iota", iota.replace("2024-12-01", "2024-11-30"))
    build(shelf, monkeypatch, capfd)
    edit(shelf, "delta", "published: 2024-11-05", "published: 2024-10-20")  # 11 -> 10
    out = build(shelf, monkeypatch, capfd, "--verbose")
    assert "site updated in site/ without mkdocs" in out, out
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)


@pytest.mark.without_related
def test_cards_the_kit_lacks_are_made_from_the_papers(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    """List pages after a move are made of stand-ins whose cards come from the snapshot; a
    card it does not have is made from the paper itself."""
    location = snapshot_path(state_location(shelf.root, shelf.site))
    with contextlib.closing(sqlite3.connect(location)) as snapshot, snapshot:
        assert snapshot.execute("DELETE FROM cards").rowcount > 0
    edit(shelf, "delta", "tags: [agents]", "tags: [agents, vision]")
    assert "without mkdocs" in build(shelf, monkeypatch, capfd)
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)
    with contextlib.closing(sqlite3.connect(location)) as snapshot:  # and kept for next time
        assert snapshot.execute("SELECT count(*) FROM cards").fetchone()[0] > 0


def test_an_incremental_mkdocs_build_keeps_one_card_per_entry_and_kind(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    """It keeps the last snapshot's cards of the entries it did not show, and adds those it
    made: each once."""
    shelf.paper("eta", PAPERS["delta"].replace("Delta", "Eta").replace("2024-12-01", "2025-04-01"))
    assert "without mkdocs" not in build(shelf, monkeypatch, capfd)
    location = snapshot_path(state_location(shelf.root, shelf.site))
    with contextlib.closing(sqlite3.connect(location)) as snapshot:
        rows = snapshot.execute("SELECT path, level, added FROM cards").fetchall()
    assert rows and len(rows) == len(set(rows))
    assert str(shelf.papers / "eta.yaml") in {path for path, _, _ in rows}


@pytest.mark.without_related
def test_a_move_rewrites_only_the_pages_of_the_lists_it_changes(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    before = {path: (shelf.site / path).stat().st_mtime_ns for path in tree(shelf.site)}
    edit(shelf, "delta", "tags: [agents]", "tags: [agents, vision]")
    build(shelf, monkeypatch, capfd)
    after = {path: (shelf.site / path).stat().st_mtime_ns for path in tree(shelf.site)}
    rewritten = {path for path in after if after[path] != before.get(path)}
    pages = {path for path in rewritten if path.endswith("index.html")}
    assert {"papers/delta/index.html", "tags/vision/index.html", "tags/index.html"} <= pages
    assert "tags/reasoning/index.html" not in pages and "orgs/lab-one/index.html" not in pages
    assert "archive/2024/11/index.html" in pages  # delta's card shows its tags
    # The years' pages show their months' counts, which a tag leaves alone.
    assert "archive/2024/index.html" not in pages and "archive/2025/index.html" not in pages
    assert "tags/vision/feed.xml" in rewritten and "tags/reasoning/feed.xml" not in rewritten
    assert "sitemap.xml" not in rewritten


OTHER_CHANGES: dict[str, Callable[[Project], None]] = {
    "a new entry": lambda p: p.paper("eta", PAPERS["delta"].replace("Delta", "Eta")),
    "a deleted entry": lambda p: (p.papers / "epsilon.yaml").unlink(),
    "a hand-written page": lambda p: p.write("content/about.md", "# About\n\nEdited.\n"),
    "the vocabulary": lambda p: p.write(
        "tags.yml", (p.root / "tags.yml").read_text().replace("Seeing things.", "Sight.")
    ),
}


@pytest.mark.parametrize("change", OTHER_CHANGES.values(), ids=OTHER_CHANGES.keys())
def test_other_changes_go_through_mkdocs_and_give_the_clean_site(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd, change
):
    change(shelf)
    out = build(shelf, monkeypatch, capfd, "--verbose")
    assert "without mkdocs" not in out
    assert "papershelf: building " in out  # --verbose says why
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)


def test_an_entry_with_a_problem_is_reported_by_the_full_build_and_the_site_stays(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    before = tree(shelf.site)
    edit(shelf, "alpha", "abstract: Alpha", "abstract: [not, text]\nx: Alpha")
    monkeypatch.chdir(shelf.root)
    assert main(["build", "--quiet"]) == 1
    out, err = capfd.readouterr()
    assert "alpha.yaml" in out + err
    assert tree(shelf.site) == before


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda snapshot: snapshot.unlink(), id="missing"),
        pytest.param(lambda snapshot: snapshot.write_bytes(b"not a database" * 100), id="corrupt"),
        pytest.param(
            lambda snapshot: snapshot.write_bytes(snapshot.read_bytes()[:4096]), id="truncated"
        ),
    ],
)
def test_without_a_usable_kit_the_build_goes_through_mkdocs(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd, spoil
):
    spoil(snapshot_path(state_location(shelf.root, shelf.site)))
    edit(shelf, "alpha", "Alpha studies agents that plan.", "Alpha, edited.")
    out = build(shelf, monkeypatch, capfd, "--verbose")
    assert "building with mkdocs: no usable snapshot" in out
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)
    edit(shelf, "alpha", "Alpha, edited.", "Alpha, edited again.")
    assert "without mkdocs" in build(shelf, monkeypatch, capfd)  # that build left one


def test_another_plugin_in_the_build_means_no_quick_builds(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    shelf.write("mkdocs.yml", MKDOCS_YML.replace("plugins:\n", "plugins:\n  - search\n"))
    build(shelf, monkeypatch, capfd)
    edit(shelf, "alpha", "Alpha studies agents that plan.", "Alpha, edited.")
    out = build(shelf, monkeypatch, capfd, "--verbose")
    assert "without mkdocs" not in out
    assert b"Alpha, edited." in (shelf.site / "search/search_index.json").read_bytes()


def test_a_changed_environment_variable_that_mkdocs_yml_reads_builds_everything(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    shelf.write(
        "mkdocs.yml",
        MKDOCS_YML.replace(
            "site_url: https://example.org/shelf/",
            'site_url: !ENV [PAPERSHELF_TEST_URL, "https://example.org/shelf/"]',
        ),
    )
    build(shelf, monkeypatch, capfd)
    monkeypatch.setenv("PAPERSHELF_TEST_URL", "https://example.net/moved/")
    edit(shelf, "alpha", "Alpha studies agents that plan.", "Alpha, edited.")
    out = build(shelf, monkeypatch, capfd, "--verbose")
    assert "building everything: mkdocs.yml or an installed version changed" in out
    assert b"https://example.net/moved/papers/alpha/" in (shelf.site / "feed.xml").read_bytes()


def test_the_quick_path_does_not_load_mkdocs():
    """Its point is to skip mkdocs' start: importing the build command and the quick
    build must not import mkdocs (the data layer never does)."""
    import subprocess
    import sys

    code = (
        "import sys, build_tools.build, papershelf.speed.quick; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('mkdocs', 'material')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_title_that_another_entry_has_is_reported_by_the_full_build(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    before = tree(shelf.site)
    edit(shelf, "delta", "title: Delta planning", "title: Alpha Agents")  # alpha's, any case
    monkeypatch.chdir(shelf.root)
    assert main(["build", "--verbose"]) == 1
    out, err = capfd.readouterr()
    assert "building with mkdocs: " in out and "same title as another entry" in out
    assert "alpha.yaml:1: title: same title as papers/delta.yaml" in out + err  # added later
    assert tree(shelf.site) == before


def test_an_added_date_in_the_future_is_reported_by_the_full_build_and_the_site_stays(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    """The loader refuses an ``added`` date after today (papershelf.entries.loader.future_added):
    a quick build, which loads only the edited entry, must not take it."""
    before = tree(shelf.site)
    edit(shelf, "alpha", "added: 2025-03-01", "added: 2999-03-01")
    monkeypatch.chdir(shelf.root)
    assert main(["build", "--verbose"]) == 1
    out, err = capfd.readouterr()
    assert "building with mkdocs: " in out and "in the future" in out
    assert "2999-03-01 is in the future" in out + err
    assert tree(shelf.site) == before


@pytest.mark.without_related
def test_titles_can_be_swapped_in_two_quick_builds(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    """The snapshot follows the titles a quick build changed (for the duplicate check)."""
    edit(shelf, "alpha", "title: Alpha agents", "title: Alpha, renamed")
    assert "without mkdocs" in build(shelf, monkeypatch, capfd)
    edit(shelf, "beta", "title: Beta reasoning", "title: Alpha agents")
    assert "without mkdocs" in build(shelf, monkeypatch, capfd)
    edit(shelf, "gamma", "title: Gamma vision", "title: Alpha, renamed")
    monkeypatch.chdir(shelf.root)
    assert main(["build"]) == 1  # now a clash: reported by the full build
    capfd.readouterr()
    edit(shelf, "gamma", "title: Alpha, renamed", "title: Gamma vision")
    build(shelf, monkeypatch, capfd)
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)


def test_another_site_built_from_the_edited_entries_first_does_not_hide_the_edit(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    """The entry cache is shared by every site of the project and `make serve`: this
    site's last build, not the cache, says what changed."""
    edit(shelf, "alpha", "Alpha studies agents that plan.", "Alpha, edited elsewhere first.")
    expected = clean_build(shelf, monkeypatch, capfd)  # another site; the cache moves on
    out = build(shelf, monkeypatch, capfd, "--verbose")
    assert "Alpha, edited elsewhere first." in shelf.html("papers/alpha/")
    assert tree(shelf.site) == expected
    assert "the entry cache has another version" in out  # so mkdocs built it
    edit(shelf, "alpha", "Alpha, edited elsewhere first.", "Alpha, edited again.")
    assert "without mkdocs" in build(shelf, monkeypatch, capfd)
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)


@pytest.mark.without_related
def test_the_kit_knows_the_search_index_so_a_patch_reads_only_what_it_changes(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    import json

    from papershelf.speed import search_patch as search

    def known() -> dict:
        with contextlib.closing(
            sqlite3.connect(snapshot_path(state_location(shelf.root, shelf.site)))
        ) as snapshot:
            (text,) = snapshot.execute(
                "SELECT value FROM meta WHERE name = 'search_files'"
            ).fetchone()
        return json.loads(text)

    def folder() -> str:
        return json.loads((shelf.site / "search/index.json").read_bytes())["folder"]

    files = sorted(p for p in (shelf.site / "search" / folder()).rglob("*") if p.is_file())
    assert known()["folder"] == folder() and len(known()["files"]) == len(files)
    read: list[str] = []
    real_read = search._read

    def counting_read(path):
        read.append(str(path))
        return real_read(path)

    monkeypatch.setattr(search, "_read", counting_read)
    steps = [
        ("Alpha studies agents that plan.", "Alpha plans (quokka)."),
        ("Alpha plans (quokka).", "Alpha plans (quokka, again)."),
    ]
    for old, new in steps:  # the second patch starts from what the first recorded
        before = folder()
        edit(shelf, "alpha", old, new)
        read.clear()
        assert "without mkdocs" in build(shelf, monkeypatch, capfd)
        assert folder() != before and known()["folder"] == folder()
        of_index = [path for path in read if f"search/{before}/" in path]
        assert 0 < len(of_index) < len(files) / 2, of_index
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)


def test_an_edit_that_makes_a_citation_key_clash_builds_everything_and_gives_the_clean_site(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    # epsilon's key becomes delta's, anon2024delta: epsilon, added first, keeps it and
    # delta's own page and files become anon2024deltab, which only a full build works
    # out (papershelf.speed.quick.edits.new_citation_keys).
    edit(shelf, "epsilon", "Epsilon steps", "Delta steps")
    out = build(shelf, monkeypatch, capfd, "-v")
    assert "without mkdocs" not in out and "citation key" in out, out
    delta = (shelf.site / "papers/delta/cite.bib").read_text(encoding="utf-8")
    assert delta.startswith("@misc{anon2024deltab,")
    assert "anon2024deltab" in shelf.html("papers/delta/")
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)
    edit(shelf, "epsilon", "Delta steps", "Epsilon steps")  # and back: keys move again
    assert "without mkdocs" not in build(shelf, monkeypatch, capfd)
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)

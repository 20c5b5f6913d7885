"""A curator's own list builds, whatever its size and shape: empty, one paper, papers
without organisation, date or authors, tags nobody uses yet, a one-tag vocabulary.

Each test starts from a fresh clone's site files (mkdocs.yml, content/, the guide) with
its own papers and tags.yml, as a curator who forked the repository has them.
"""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import pytest
from mkdocs.config import load_config

from build_tools.cli import main
from tests.conftest import Project, curator_checkout
from tests.site_builds import clean_build, run_build, tree

# Builds several curators' lists from fresh checkouts: left out of `make test-fast`.
pytestmark = pytest.mark.slow

ONE_TAG = "robotics:\n  title: Robotics\n  description: Robots that learn.\n"
WITH_UNUSED_TAG = ONE_TAG + "swarms:\n  title: Swarms\n  description: Many small robots.\n"

LINKED = """\
title: Learning to Grasp in Clutter
authors: [Ada Lovelace, Alan Turing]
organization: Example Lab
published: 2025-03-02
added: 2026-11-01
tags: [robotics]
abstract: We grasp things in clutter.
links:
  arxiv: "2503.01234"
"""
NO_ORGANISATION = """\
title: Walking Robots That Never Fall
author_count: 3
published: 2024-12-30
added: 2026-11-02
tags: [robotics]
"""
BARE = """\
title: Sim to Real, Again & Again
added: 2026-11-03
tags: [robotics]
"""


def nav_urls(root: Path) -> list[str]:
    """Directory URLs of every page mkdocs.yml's nav names."""
    config = load_config(str(root / "mkdocs.yml"))
    found: list[str] = []

    def walk(items: list) -> None:
        for item in items:
            value = next(iter(item.values())) if isinstance(item, dict) else item
            if isinstance(value, list):
                walk(value)
            elif not re.match(r"https?://", value):
                found.append(re.sub(r"(index)?\.md$", "", value))

    walk(config["nav"])
    return found


def built(project: Project, monkeypatch, capfd) -> Path:
    run_build(project, monkeypatch, capfd)
    return project.site


def assert_every_nav_page_exists(project: Project) -> None:
    urls = nav_urls(project.root)
    assert "orgs/" in urls and "tags/" in urls  # the shipped nav, which a fork keeps
    for url in urls:
        assert (project.site / url / "index.html").is_file(), url


def test_an_empty_list_builds_strictly_with_every_page_of_the_nav(tmp_path, monkeypatch, capfd):
    project = curator_checkout(tmp_path, ONE_TAG)
    site = built(project, monkeypatch, capfd)
    assert_every_nav_page_exists(project)
    assert "No organisations yet — set <code>organization:</code> on a paper" in project.html(
        "orgs"
    )
    assert "No papers yet." in project.html("archive")
    assert "0 papers · 1 tag · 0 years" in project.html("")
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo and feed.entries == []


def test_a_single_paper_without_organisation_date_or_authors_builds(tmp_path, monkeypatch, capfd):
    project = curator_checkout(tmp_path, ONE_TAG)
    project.paper("sim-to-real", BARE)
    built(project, monkeypatch, capfd)
    assert_every_nav_page_exists(project)
    assert "No organisations yet" in project.html("orgs")
    assert "Sim to Real, Again &amp; Again" in project.html("archive/undated")


def test_three_papers_one_without_organisation_and_a_tag_nobody_uses(tmp_path, monkeypatch, capfd):
    project = curator_checkout(tmp_path, WITH_UNUSED_TAG)
    project.paper("grasping-in-clutter", LINKED)
    project.paper("walking-robots", NO_ORGANISATION)
    project.paper("sim-to-real", BARE, suffix=".yaml")
    site = built(project, monkeypatch, capfd)
    assert_every_nav_page_exists(project)

    orgs = project.html("orgs")
    assert 'href="../orgs/example-lab/">Example Lab' in orgs
    assert "No organisations yet" not in orgs

    # A tag nobody uses yet gets what every tag gets: a row in the index, a page that
    # says it is empty, feeds to subscribe to, a place in the sitemap.
    index = project.html("tags")
    assert re.search(r'href="../tags/swarms/">Swarms</a></td>\s*<td data-value="0">0</td>', index)
    assert "No papers are tagged Swarms yet." in project.html("tags/swarms")
    for name in ("feed.xml", "atom.xml"):
        feed = feedparser.parse((site / "tags/swarms" / name).read_bytes())
        assert not feed.bozo and feed.entries == []
    assert "/tags/swarms/</loc>" in (site / "sitemap-1.xml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("slug", "entry", "expected"),
    [
        ("grasping-in-clutter", LINKED, ["https://arxiv.org/abs/2503.01234"]),
        (
            "walking-robots",
            NO_ORGANISATION,
            [
                "https://arxiv.org/search/?searchtype=title&amp;query=Walking+Robots+That+Never+Fall",
                "https://www.semanticscholar.org/search?q=Walking+Robots+That+Never+Fall",
                "https://scholar.google.com/scholar?q=%22Walking+Robots+That+Never+Fall%22",
            ],
        ),
    ],
)
def test_every_paper_page_and_card_offers_a_way_to_the_paper(
    tmp_path, monkeypatch, capfd, slug, entry, expected
):
    project = curator_checkout(tmp_path, ONE_TAG)
    project.paper(slug, entry)
    built(project, monkeypatch, capfd)
    page = project.html(f"papers/{slug}")
    for url in expected:
        assert f'href="{url}"' in page
    if entry is NO_ORGANISATION:
        assert "No link to this paper yet: search for its title." in page
        assert ">Search arXiv</a>" in page and ">Search Google Scholar</a>" in page
    # The card on the home page and on the tag page: one click to the text, too.
    for url in ("", "tags/robotics"):
        card = project.html(url).split('class="ps-card"')[1]
        assert f'href="{expected[-1]}"' in card


def test_removing_the_last_organisation_keeps_the_index_and_matches_a_clean_build(
    tmp_path, monkeypatch, capfd
):
    project = curator_checkout(tmp_path, ONE_TAG)
    project.paper("grasping-in-clutter", LINKED)
    built(project, monkeypatch, capfd)
    project.paper("grasping-in-clutter", LINKED.replace("organization: Example Lab\n", ""))
    run_build(project, monkeypatch, capfd)
    assert "No organisations yet" in project.html("orgs")
    assert not (project.site / "orgs/example-lab").exists()
    assert tree(project.site) == clean_build(project, monkeypatch, capfd)


def test_no_test_reads_the_shipped_list():
    """Tests are about the tool: a checkout whose papers/ and tags.yml are a curator's
    own must pass them, so none reads the repository's papers/ or tags.yml."""
    shipped = re.compile(r"(ROOT|REPO|REPOSITORY)\s*/\s*[\"'](papers|tags\.yml)[\"']")
    tests = Path(__file__).parents[1]
    readers = [
        str(path.relative_to(tests))
        for path in sorted(tests.rglob("*.py"))
        if shipped.search(path.read_text(encoding="utf-8"))
    ]
    assert readers == []


def test_a_quick_build_dates_the_feeds_of_unused_tags_as_a_clean_build_does(
    tmp_path, monkeypatch, capfd
):
    """An empty feed is dated by the newest paper of the list: when an edit changes
    that date, the empty feeds follow, in a quick build too."""
    project = curator_checkout(tmp_path, WITH_UNUSED_TAG)
    project.paper("grasping-in-clutter", LINKED)
    project.paper("walking-robots", NO_ORGANISATION)
    built(project, monkeypatch, capfd)
    project.paper("walking-robots", NO_ORGANISATION.replace("2026-11-02", "2026-11-20"))
    out = run_build(project, monkeypatch, capfd)
    assert "without mkdocs" in out
    assert "<updated>2026-11-20" in (project.site / "tags/swarms/atom.xml").read_text()
    assert tree(project.site) == clean_build(project, monkeypatch, capfd)


def test_an_added_date_in_the_future_fails_a_quick_build_as_it_fails_a_clean_one(
    tmp_path, monkeypatch, capfd
):
    project = curator_checkout(tmp_path, ONE_TAG)
    project.paper("walking-robots", NO_ORGANISATION)
    built(project, monkeypatch, capfd)
    before = tree(project.site)
    project.paper("walking-robots", NO_ORGANISATION.replace("2026-11-02", "2999-01-01"))
    assert main(["build"]) == 1
    err = capfd.readouterr().err
    assert "papers/walking-robots.yaml:4: added: 2999-01-01 is in the future" in err
    assert tree(project.site) == before

"""``papershelf list --json``: a stable JSON shape that scripts and tests rely on."""

from __future__ import annotations

import json

import pytest

from build_tools import cli

KEYS = {
    "slug",
    "title",
    "published",
    "added",
    "authors",
    "author_count",
    "organization",
    "votes",
    "tags",
    "abstract",
}

FULL = """\
title: "Zeta: <b>bold</b> & \\"quoted\\" — TÜLU"
authors: [Ada Lovelace, Alan Turing]
organization: AI at Meta
organization_id: facebook
published: 2024-06-04
added: 2026-11-26
tags: [agents, reasoning]
abstract: Uses < and > & "quotes".
links:
  arxiv: "2401.00001"
votes: 7
"""
COUNT_ONLY = """\
title: Alpha
author_count: 5
added: 2025-01-02
tags: [reasoning]
"""
MINIMAL = """\
title: Mu
added: 2025-01-03
tags: [vision]
"""


@pytest.fixture
def shelf(project, monkeypatch):
    monkeypatch.chdir(project.root)
    return project


def list_json(capsys, *argv: str) -> tuple[int, list[dict[str, object]]]:
    code = cli.main(["list", "--json", *argv])
    out = capsys.readouterr().out
    return code, json.loads(out) if code == 0 else []


def test_exact_keys_types_and_order_by_slug(shelf, capsys):
    shelf.paper("zeta", FULL)
    shelf.paper("alpha", COUNT_ONLY)
    shelf.paper("mu", f"---\n{MINIMAL}---\nNotes.\n", suffix=".md")
    code, papers = list_json(capsys)
    assert code == 0
    assert [p["slug"] for p in papers] == ["alpha", "mu", "zeta"]
    assert all(set(p) == KEYS for p in papers)
    alpha, mu, zeta = papers
    assert alpha == {
        "slug": "alpha",
        "title": "Alpha",
        "published": None,
        "added": "2025-01-02",
        "authors": [],
        "author_count": 5,
        "organization": None,
        "votes": None,
        "tags": ["reasoning"],
        "abstract": "",
    }
    assert mu["author_count"] is None
    assert zeta == {
        "slug": "zeta",
        "title": 'Zeta: <b>bold</b> & "quoted" — TÜLU',
        "published": "2024-06-04",
        "added": "2026-11-26",
        "authors": ["Ada Lovelace", "Alan Turing"],
        "author_count": 2,  # the number of names when the names are listed
        "organization": "AI at Meta",
        "votes": 7,
        "tags": ["agents", "reasoning"],
        "abstract": 'Uses < and > & "quotes".',
    }


def test_aliases_are_listed_as_canonical_tag_ids(shelf, capsys):
    shelf.paper("one", "title: One\nadded: 2025-01-02\ntags: [llm-agents]\n")
    _, [paper] = list_json(capsys)
    assert paper["tags"] == ["agents"]


def test_papers_option_and_empty_folder(shelf, capsys, tmp_path):
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "beta.yaml").write_text(MINIMAL, encoding="utf-8")
    code, papers = list_json(capsys, "--papers", str(other))
    assert (code, [p["slug"] for p in papers]) == (0, ["beta"])
    code, papers = list_json(capsys)
    assert (code, papers) == (0, [])


def test_invalid_entries_fail_with_the_problems_and_no_json(shelf, capsys):
    shelf.paper("bad", "title: Bad\nadded: 2025-13-01\ntags: [agents]\n")
    code = cli.main(["list", "--json"])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == ""
    assert captured.err == (
        "papers/bad.yaml:2: added: '2025-13-01' is not a valid date "
        "(use YYYY-MM-DD with a real day, e.g. 2024-02-29)\n"
    )


def test_plain_listing_without_json(shelf, capsys):
    shelf.paper("alpha", COUNT_ONLY)
    assert cli.main(["list"]) == 0
    assert capsys.readouterr().out == "alpha\t2025-01-02\tAlpha\n"

"""Search index (papershelf.search): which pages Pagefind reads, and its failures.

Finding papers through the search box is proven in Chromium (tests/browser/); these
tests cover the build side.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from papershelf import search
from papershelf.search import SearchIndexError, build_search_index, pagefind_command
from tests.conftest import Project


def test_only_paper_pages_are_read_when_there_are_some(tmp_path: Path):
    (tmp_path / "papers" / "x").mkdir(parents=True)
    command = pagefind_command(tmp_path)
    assert command[1:] == [
        "--site", str(tmp_path), "--output-subdir", "pagefind",
        "--glob", "papers/**/*.html", "--silent",
    ]  # fmt: skip
    assert Path(command[0]).name in {"pagefind", "pagefind_extended"}


def test_a_list_without_papers_indexes_every_page(tmp_path: Path):
    assert "--glob" not in pagefind_command(tmp_path)


def test_a_failing_indexer_is_reported_with_its_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    fails = [sys.executable, "-c", "import sys; print('no html here'); sys.exit(3)"]
    monkeypatch.setattr(search, "pagefind_command", lambda site: fails)
    with pytest.raises(SearchIndexError) as raised:
        build_search_index(tmp_path)
    assert str(raised.value) == f"Pagefind failed to index {tmp_path} (exit 3): no html here"


def test_an_indexer_that_writes_nothing_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(search, "pagefind_command", lambda site: [sys.executable, "-c", ""])
    with pytest.raises(SearchIndexError, match="Pagefind wrote no index into"):
        build_search_index(tmp_path)


def test_a_build_writes_the_index_even_for_an_empty_list(project: Project):
    result = project.build()
    assert result.returncode == 0, result.stderr
    assert (project.site / "pagefind" / "pagefind.js").is_file()
    assert (project.site / "pagefind" / "pagefind-entry.json").is_file()


def test_paper_pages_mark_what_is_indexed(project: Project):
    project.paper(
        "one",
        """\
        title: One
        authors: [Ada Lovelace]
        organization: Lab
        added: 2025-01-02
        tags: [agents]
        abstract: Searchable words.
        links:
          arxiv: "2401.00001"
        """,
    )
    project.paper("two", "title: Two\nadded: 2025-01-01\ntags: [agents]\n")
    result = project.build()
    assert result.returncode == 0, result.stderr
    page = project.html("papers/one")
    assert '<article class="ps-paper" data-pagefind-body>' in page
    assert '<p class="ps-links" data-pagefind-ignore>' in page
    assert 'aria-label="Previous and next paper" data-pagefind-ignore>' in page
    assert "data-pagefind-body" not in project.html("tags/agents")
    assert len(list((project.site / "pagefind" / "fragment").iterdir())) == 2


def test_the_search_index_can_be_switched_off(project: Project):
    config = project.root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("      home_recent: 5\n", "      home_recent: 5\n      search_index: false\n"),
        encoding="utf-8",
    )
    result = project.build()
    assert result.returncode == 0, result.stderr
    assert not (project.site / "pagefind").exists()

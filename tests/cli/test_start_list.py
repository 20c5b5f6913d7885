"""`papershelf start-list`: a fork's reading list cleared for the curator's own, only
when git can bring the deleted papers back (or when told --yes)."""

from __future__ import annotations

import subprocess

import pytest

from build_tools.cli import main
from papershelf.entries.loader import load_project
from tests.conftest import Project, curator_checkout
from tests.site_builds import run_build

SHIPPED_TAGS = "robotics:\n  title: Robotics\n  description: Robots.\n"
ENTRY = "title: A Shipped Paper\nadded: 2026-01-02\ntags: [robotics]\n"


def git(project: Project, *args: str) -> None:
    subprocess.run(["git", *args], cwd=project.root, check=True, capture_output=True)


@pytest.fixture
def fork(tmp_path, monkeypatch) -> Project:
    """A fresh fork: the shipped site files, papers and vocabulary, all committed."""
    project = curator_checkout(tmp_path, SHIPPED_TAGS)
    project.paper("a-shipped-paper", ENTRY)
    project.paper("another-one", ENTRY.replace("A Shipped", "Another"), suffix=".md")
    (project.papers / "another-one.md").write_text(
        "---\n" + ENTRY.replace("A Shipped", "Another") + "---\nNotes.\n"
    )
    project.write(
        "collections/shipped-path.yml",
        "title: A shipped path\ndescription: Two papers.\npapers:\n"
        "  - slug: a-shipped-paper\n    note: First.\n  - slug: another-one\n    note: Then.\n",
    )
    git(project, "init", "-q")
    git(project, "-c", "user.name=T", "-c", "user.email=t@example.org", "add", ".")
    git(project, "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-qm", "fork")
    monkeypatch.chdir(project.root)
    return project


def test_on_a_clean_fork_it_clears_the_papers_and_leaves_a_list_that_builds(
    fork: Project, monkeypatch, capfd
):
    assert main(["start-list"]) == 0
    out = capfd.readouterr().out
    assert "removed 2 entries from papers/ and wrote a starter tags.yml" in out
    assert "removed 1 reading path from collections/" in out  # it named the deleted papers
    assert list((fork.root / "collections").iterdir()) == []
    assert "content/index.md" in out  # the next steps
    assert sorted(p.name for p in fork.papers.iterdir()) == [".gitkeep"]
    result = load_project(fork.papers, fork.tags_file)
    assert result.problems == [] and result.papers == []
    assert "uncategorized" in result.vocabulary.tags  # what the importer falls back to
    run_build(fork, monkeypatch, capfd)
    assert "No papers yet." in fork.html("archive")


def test_it_refuses_to_delete_uncommitted_work(fork: Project, capfd):
    fork.paper("my-draft", ENTRY.replace("A Shipped", "My Draft"))
    assert main(["start-list"]) == 1
    err = capfd.readouterr().err
    assert "uncommitted changes" in err and "--yes" in err
    assert (fork.papers / "my-draft.yaml").is_file()
    assert fork.tags_file.read_text() == SHIPPED_TAGS


def test_without_git_it_asks_for_yes_and_then_clears(tmp_path, monkeypatch, capfd):
    project = curator_checkout(tmp_path, SHIPPED_TAGS)
    project.paper("a-shipped-paper", ENTRY)
    monkeypatch.chdir(project.root)
    assert main(["start-list"]) == 1
    assert "not a git work tree" in capfd.readouterr().err
    assert (project.papers / "a-shipped-paper.yaml").is_file()
    assert main(["start-list", "--yes"]) == 0
    assert not (project.papers / "a-shipped-paper.yaml").exists()

"""`papershelf build`: a failed build leaves the previous site exactly as it was."""

from __future__ import annotations

import pytest

from build_tools.cli import main
from tests.conftest import Project


def build_in(project: Project, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.chdir(project.root)
    return main(["build", "--quiet"])


def test_a_good_build_replaces_the_site_and_leaves_no_temporary_folders(
    project: Project, monkeypatch: pytest.MonkeyPatch
):
    project.paper("one", "title: One\nadded: 2025-01-02\ntags: [agents]\n")
    assert build_in(project, monkeypatch) == 0
    assert (project.site / "papers/one/index.html").is_file()
    project.paper("two", "title: Two\nadded: 2025-01-03\ntags: [agents]\n")
    assert build_in(project, monkeypatch) == 0
    assert (project.site / "papers/two/index.html").is_file()
    assert sorted(p.name for p in project.root.iterdir() if p.name.startswith(".site")) == []


def test_a_failed_build_keeps_the_last_good_site(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys
):
    project.paper("one", "title: One\nadded: 2025-01-02\ntags: [agents]\n")
    assert build_in(project, monkeypatch) == 0
    before = {
        path.relative_to(project.site): path.read_bytes()
        for path in project.site.rglob("*")
        if path.is_file()
    }
    project.paper("two", "title: Two\nadded: not-a-date\ntags: [agents]\n")
    assert build_in(project, monkeypatch) == 1
    after = {
        path.relative_to(project.site): path.read_bytes()
        for path in project.site.rglob("*")
        if path.is_file()
    }
    assert after == before
    assert "build failed; site was left unchanged" in capsys.readouterr().err
    assert [p.name for p in project.root.iterdir() if p.name.startswith(".site")] == []

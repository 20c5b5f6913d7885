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


def test_a_build_says_in_a_few_lines_what_it_made_and_how_to_view_it(
    project: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    project.paper("one", "title: One\nadded: 2025-01-02\ntags: [agents]\n")
    project.paper("two", "title: Two\nadded: 2025-01-03\ntags: [vision]\n")
    monkeypatch.chdir(project.root)
    monkeypatch.delenv("NO_MKDOCS_2_WARNING", raising=False)
    assert main(["build"]) == 0
    out, err = capfd.readouterr()
    assert out.splitlines() == [
        # 9 generated pages: 2 papers, 3 tags, the undated archive and the tag, archive
        # and organisation indexes; 4 feeds: the site's and one per tag of tags.yml.
        "site built in site/: 2 papers, 9 generated pages, 4 feeds (RSS, Atom and JSON Feed each)",
        "view it with `make serve`, or `python3 -m http.server -d site` and http://localhost:8000/",
    ]
    # mkdocs' progress lines and Material's end-of-life banner stay out of the way.
    assert err == ""


def test_a_failed_build_shows_the_problems_and_nothing_else(
    project: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    project.paper("one", "title: One\nadded: 2025-01-02\ntags: [agentz]\n")
    monkeypatch.chdir(project.root)
    assert main(["build"]) == 1
    out, err = capfd.readouterr()
    assert out == ""
    assert "papers/one.yaml:3: tags: unknown tag 'agentz'" in err
    assert "INFO" not in err and "end of life" not in err
    assert err.splitlines()[-1] == "build failed; site was left unchanged"

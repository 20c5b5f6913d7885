"""`papershelf build` after an edit: only what changed is rebuilt, the result is the
site a clean build makes, and a failure still leaves the last site untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from build_tools.cli import main
from papershelf.speed.build_state import state_location
from papershelf.speed.snapshot import snapshot_path
from tests.conftest import Project
from tests.site_builds import clean_build, run_build, tree

# Pairs of real builds after edits: left out of `make test-fast`.
pytestmark = pytest.mark.slow

# The test project without material's search plugin (which must see every page, so
# with it every build is a full one: see the last test).
MKDOCS_YML = """\
site_name: Test shelf
site_url: https://example.org/shelf/
docs_dir: content
theme:
  name: material
plugins:
  - papershelf:
      page_size: 2
      home_recent: 5
"""

ONE = "title: One\nadded: 2025-01-02\ntags: [agents]\nabstract: First abstract.\n"
TWO = "title: Two\nadded: 2025-01-03\ntags: [reasoning]\nabstract: Second abstract.\n"
THREE = "title: Three\nadded: 2025-01-04\ntags: [vision]\nabstract: Third abstract.\n"


def times(site: Path) -> dict[str, int]:
    return {
        str(path.relative_to(site)): path.stat().st_mtime_ns
        for path in site.rglob("*")
        if path.is_file()
    }


def build(project: Project, monkeypatch: pytest.MonkeyPatch, capfd, *args: str) -> str:
    """Run `papershelf build`; its report line ("site built" or "site updated")."""
    out = run_build(project, monkeypatch, capfd, *args)
    return next(line for line in out.splitlines() if line.startswith("site "))


@pytest.fixture
def shelf(project: Project, monkeypatch: pytest.MonkeyPatch, capfd) -> Project:
    project.write("mkdocs.yml", MKDOCS_YML)
    project.paper("one", ONE)
    project.paper("two", TWO)
    project.paper("three", THREE)
    assert build(project, monkeypatch, capfd).startswith("site built in site/")
    return project


def test_an_edit_rewrites_only_the_pages_it_changes_and_gives_the_clean_site(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    before = times(shelf.site)
    # Without the snapshot of the last build the edit goes through mkdocs (tests/speed/test_quick.py:
    # with it, without mkdocs). The date moves "one" past "two".
    snapshot_path(state_location(shelf.root, shelf.site)).unlink()
    edited = ONE.replace("2025-01-02", "2025-01-03").replace("First abstract.", "Edited & more.")
    shelf.paper("one", edited)

    line = build(shelf, monkeypatch, capfd)
    assert line.startswith("site updated in site/") and "without mkdocs" not in line

    assert "Edited &amp; more." in shelf.html("papers/one/")
    after = times(shelf.site)
    unchanged = {path for path in before if after.get(path) == before[path]}
    assert "tags/reasoning/index.html" in unchanged  # "two" moved, its card did not change
    assert "tags/vision/index.html" in unchanged
    assert "papers/one/index.html" not in unchanged
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)


def test_an_added_paper_and_a_deleted_one_give_the_clean_site(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    shelf.paper("four", THREE.replace("Three", "Four").replace("2025-01-04", "2025-01-05"))
    assert build(shelf, monkeypatch, capfd).startswith("site updated")
    assert (shelf.site / "papers/four/index.html").is_file()
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)

    (shelf.papers / "two.yaml").unlink()
    assert build(shelf, monkeypatch, capfd).startswith("site updated")
    assert not (shelf.site / "papers/two").exists()
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)


def test_a_second_build_without_changes_rewrites_no_page(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    before = times(shelf.site)
    assert build(shelf, monkeypatch, capfd).startswith("site updated")
    after = times(shelf.site)
    rewritten = sorted(path for path in after if after[path] != before.get(path))
    pages = [path for path in rewritten if path.startswith(("papers/", "tags/", "archive/"))]
    assert [path for path in pages if path.endswith("index.html")] == []


def test_a_failed_incremental_build_leaves_the_site_and_the_next_build_is_right(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    before = tree(shelf.site)
    shelf.paper("one", ONE.replace("2025-01-02", "not-a-date"))
    monkeypatch.chdir(shelf.root)
    assert main(["build", "--quiet"]) == 1
    out, err = capfd.readouterr()
    assert "one.yaml" in out + err and "build failed; site was left unchanged" in err
    assert tree(shelf.site) == before
    assert not [p for p in shelf.root.iterdir() if p.name.startswith(".site")]

    shelf.paper("one", ONE.replace("First abstract.", "Fixed."))
    assert build(shelf, monkeypatch, capfd).startswith("site updated")
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda p: p.write("mkdocs.yml", MKDOCS_YML + "\n# edited\n"), id="mkdocs.yml"),
        pytest.param(
            lambda p: p.write(
                "tags.yml",
                (p.root / "tags.yml").read_text()
                + "\nnew:\n  title: New\n  description: A new tag.\n",
            ),
            id="tags.yml",
        ),
        pytest.param(lambda p: p.write("content/about.md", "# About\n"), id="a new page"),
        pytest.param(lambda p: (p.site / "sitemap.xml").unlink(), id="site touched"),
    ],
)
def test_a_change_every_page_may_depend_on_builds_everything(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd, change
):
    change(shelf)
    assert build(shelf, monkeypatch, capfd).startswith("site built in site/")
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)
    assert build(shelf, monkeypatch, capfd).startswith("site updated")  # and then again not


def test_clean_builds_everything(shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd):
    assert build(shelf, monkeypatch, capfd, "--clean").startswith("site built")


def test_with_a_plugin_that_must_see_every_page_every_build_is_full(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    shelf.write("mkdocs.yml", MKDOCS_YML.replace("plugins:\n", "plugins:\n  - search\n"))
    assert build(shelf, monkeypatch, capfd).startswith("site built")
    shelf.paper("one", ONE.replace("First abstract.", "Searchable edit."))
    assert build(shelf, monkeypatch, capfd).startswith("site built")
    assert b"Searchable edit." in (shelf.site / "search/search_index.json").read_bytes()


def test_an_edit_of_an_inherited_configuration_builds_everything(
    project: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    project.write("base.yml", "site_name: Base shelf\n")
    project.write(
        "mkdocs.yml", "INHERIT: base.yml\n" + MKDOCS_YML.replace("site_name: Test shelf\n", "")
    )
    project.paper("one", ONE)
    assert build(project, monkeypatch, capfd).startswith("site built")
    project.write("base.yml", "site_name: Renamed shelf\n")
    project.paper("one", ONE.replace("First abstract.", "Edited."))  # a quick edit otherwise
    assert build(project, monkeypatch, capfd).startswith("site built")
    assert "Renamed shelf" in project.html("papers/one/")
    assert tree(project.site) == clean_build(project, monkeypatch, capfd)

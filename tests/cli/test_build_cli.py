"""`papershelf build`: a failed build leaves the previous site exactly as it was, one
build runs at a time, and it says what it did in a few lines."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from build_tools.build import lock_location
from build_tools.cli import main
from build_tools.lock import build_lock
from papershelf.site.publish import PublishError, publish
from tests.conftest import Project, curator_checkout

# Real builds, some of them concurrent: left out of `make test-fast`.
pytestmark = pytest.mark.slow


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
        # 12 generated pages: 2 papers, 3 tags, the undated archive, the tag, archive,
        # organisation and reading path indexes, the data and statistics pages; 4 feeds:
        # the site's and one per tag.
        "site built in site/: 2 papers, 12 generated pages, 4 feeds (RSS, Atom and JSON Feed each)",
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


def tree_of(folder: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) under ``folder``."""
    return {
        str(path.relative_to(folder)): path.read_bytes() if path.is_file() else None
        for path in folder.rglob("*")
    }


def test_a_failed_move_into_the_site_puts_the_previous_site_back_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd
):
    """A folder where the build writes a page: the publish fails part-way and every
    file it had already moved in is put back, with one line that names the path."""
    project = curator_checkout(tmp_path, "agents:\n  title: Agents\n  description: A.\n")
    project.paper("one", "title: One\nadded: 2025-01-02\ntags: [agents]\n")
    project.paper("two", "title: Two\nadded: 2025-01-03\ntags: [agents]\n")
    assert build_in(project, monkeypatch) == 0
    project.paper("two", "title: Two, edited\nadded: 2025-01-03\ntags: [agents]\n")
    obstacle = project.site / "papers/two/index.html"
    obstacle.unlink()
    (obstacle / "in-the-way").mkdir(parents=True)  # a folder where the page must go
    before = tree_of(project.site)
    capfd.readouterr()
    assert main(["build"]) == 1
    out, err = capfd.readouterr()
    assert tree_of(project.site) == before
    assert "Traceback" not in out + err
    [line] = [line for line in err.splitlines() if line.startswith("build failed")]
    assert str(obstacle) in line and "left unchanged" in line
    assert [p.name for p in project.root.iterdir() if p.name.startswith(".")] == []
    shutil.rmtree(obstacle)  # the obstacle gone, the next build works
    assert build_in(project, monkeypatch) == 0
    assert "Two, edited" in project.html("papers/two")


def test_a_publish_that_fails_at_any_step_leaves_the_old_site(tmp_path: Path, monkeypatch):
    """Fault injection: the n-th rename of a publish fails, for every n."""
    site, staging = tmp_path / "site", tmp_path / "staging"

    def lay_out() -> None:
        for folder in (site, staging):
            if folder.exists():
                shutil.rmtree(folder)
        for path, text in {
            "index.html": "old home",
            "papers/a/index.html": "old a",
            "papers/gone/index.html": "gone",
            "search/x1/terms.json": "old terms",
            "search/index.json": "old manifest",
        }.items():
            (site / path).parent.mkdir(parents=True, exist_ok=True)
            (site / path).write_text(text)
        for path, text in {
            "index.html": "new home",
            "papers/a/index.html": "new a",
            "papers/b/index.html": "new b",
            "search/x2/terms.json": "new terms",
            "search/index.json": "new manifest",
        }.items():
            (staging / path).parent.mkdir(parents=True, exist_ok=True)
            (staging / path).write_text(text)

    lay_out()
    before = tree_of(site)
    real_replace = Path.replace
    failures = 0
    for failing in range(1, 40):
        lay_out()
        calls = 0

        def replace(self: Path, target, failing=failing):
            nonlocal calls
            calls += 1
            if calls == failing:
                raise OSError(28, "No space left on device", str(target))
            return real_replace(self, target)

        monkeypatch.setattr(Path, "replace", replace)
        try:
            publish(staging, site, ["papers/gone/"], owned=("search",))
        except PublishError as error:
            failures += 1
            assert "No space left on device" in str(error)
            assert tree_of(site) == before, failing
        else:
            monkeypatch.setattr(Path, "replace", real_replace)
            assert (site / "papers/b/index.html").read_text() == "new b"
            assert not (site / "papers/gone").exists() and not (site / "search/x1").exists()
            break
        finally:
            monkeypatch.setattr(Path, "replace", real_replace)
            assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert failures >= 8  # every step of this publish was made to fail once


def test_a_second_build_while_one_runs_says_so_and_changes_nothing(
    project: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    project.paper("one", "title: One\nadded: 2025-01-02\ntags: [agents]\n")
    assert build_in(project, monkeypatch) == 0
    before = tree_of(project.site)
    project.paper("one", "title: One, edited\nadded: 2025-01-02\ntags: [agents]\n")
    capfd.readouterr()
    with build_lock(lock_location(project.root)):  # as a running build holds it
        assert main(["build"]) == 1
    err = capfd.readouterr().err
    assert f"another papershelf build is running (pid {os.getpid()})" in err
    assert tree_of(project.site) == before
    # A killed build's lock file is no lock: the kernel released it with the process.
    assert build_in(project, monkeypatch) == 0
    assert "One, edited" in project.html("papers/one")


def test_builds_started_together_never_crash_and_leave_a_whole_site(project: Project):
    project.paper("one", "title: One\nadded: 2025-01-02\ntags: [agents]\n")
    command = [sys.executable, "-m", "build_tools.cli", "build"]
    environment = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    runs = [
        subprocess.Popen(
            command, cwd=project.root, env=environment, stderr=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    results = [(run.returncode, run.communicate(timeout=120)[1]) for run in runs]
    results = [(run.returncode, err) for run, (_, err) in zip(runs, results, strict=True)]
    for code, err in results:
        assert "Traceback" not in err
        assert code == 0 or "another papershelf build is running (pid " in err
    assert any(code == 0 for code, _ in results)
    assert build_in(project, monkeypatch=pytest.MonkeyPatch()) == 0
    assert (project.site / "papers/one/index.html").is_file()


def test_staging_folders_of_killed_builds_are_swept(
    project: Project, monkeypatch: pytest.MonkeyPatch
):
    project.paper("one", "title: One\nadded: 2025-01-02\ntags: [agents]\n")
    for leftover in (".site-new-abc123", ".site-old-def456"):
        (project.root / leftover / "papers").mkdir(parents=True)
        (project.root / leftover / "papers/x.html").write_text("half a build")
    assert build_in(project, monkeypatch) == 0
    assert [p.name for p in project.root.iterdir() if p.name.startswith(".")] == []


def test_a_file_named_like_the_site_is_never_replaced(
    project: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    project.paper("one", "title: One\nadded: 2025-01-02\ntags: [agents]\n")
    project.site.write_text("my notes\n")
    monkeypatch.chdir(project.root)
    assert main(["build"]) == 1
    assert "site is a file, not a folder" in capfd.readouterr().err
    assert project.site.read_text() == "my notes\n"


def test_a_build_warns_when_the_site_nears_the_github_pages_limit(
    project: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    """The limit is 1 GB; here it is made small enough for a two-paper site to pass
    80 % of it, and in GitHub Actions the warning is an annotation too."""
    import build_tools.site_size as site_size

    project.paper("one", "title: One\nadded: 2025-01-02\ntags: [agents]\n")
    monkeypatch.chdir(project.root)
    assert main(["build", "--quiet"]) == 0
    assert "GitHub Pages" not in capfd.readouterr().err  # a small site: no warning
    size = site_size.site_bytes(project.site)
    monkeypatch.setattr(site_size, "PAGES_LIMIT_BYTES", size + size // 10)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    project.paper("two", "title: Two\nadded: 2025-01-03\ntags: [vision]\n")
    assert main(["build", "--quiet"]) == 0
    out, err = capfd.readouterr()
    assert "warning: the site is" in err and "of GitHub Pages' 1 GB limit" in err
    assert "(largest: theme assets" in err  # two papers: the theme is most of it
    assert "::warning title=papershelf build::the site is" in out

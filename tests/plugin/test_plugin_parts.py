"""The plugin's parts (papershelf.plugin): the run mode decided once, one garbage
collection policy, and forked work that returns what it did instead of changing the
plugin in a process that then ends."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from papershelf.plugin.feed_writer import FeedWriter
from papershelf.plugin.garbage_collection import GarbageCollection
from papershelf.plugin.generated_pages import GeneratedPages
from papershelf.plugin.hooks import SideWorkDone
from papershelf.plugin.run_mode import RunMode
from papershelf.site.catalog import build_catalog
from papershelf.site.feeds import Site
from papershelf.speed import shell_pages
from papershelf.speed.build_state import STATE_IN, STATE_OUT, BuildState
from papershelf.speed.timing import ENV_VAR
from tests.conftest import Project


def test_the_run_mode_is_read_once_from_the_command_and_the_environment(tmp_path: Path):
    environ = {STATE_OUT: str(tmp_path / "new.json"), STATE_IN: str(tmp_path / "old.json")}
    incremental = RunMode.at_startup("build", True, environ)
    assert incremental.incremental and incremental.partial_build and incremental.forks
    assert incremental.state_out == tmp_path / "new.json"
    assert incremental.state_in == tmp_path / "old.json"
    full = RunMode.at_startup("build", False, environ)  # no --dirty: the last state is unused
    assert full.state_in is None and not full.incremental and not full.partial_build
    assert full.state_out == tmp_path / "new.json"
    serve = RunMode.at_startup("serve", True, {**environ, ENV_VAR: str(tmp_path / "t.json")})
    assert serve.serving and serve.rebuilds_in_memory and not serve.forks
    assert serve.state_in is None and serve.state_out is None  # papershelf build's only
    assert serve.timings == tmp_path / "t.json"
    assert RunMode.at_startup("build", False, {}).timings is None
    assert not RunMode().forks and not RunMode().serving  # a build without on_startup


def test_a_dirty_build_runs_without_collection_until_it_ends():
    was_enabled = gc.isenabled()
    gc.enable()
    try:
        policy = GarbageCollection(RunMode(command="serve", dirty=True))
        policy.build_starts()
        assert not gc.isenabled()
        with policy.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # paused() restores what it found
        policy.freeze_build()
        assert gc.get_freeze_count() > 0
        policy.build_ends()
        assert gc.isenabled() and gc.get_freeze_count() == 0

        full = GarbageCollection(RunMode(command="build"))
        full.build_starts()
        assert gc.isenabled()
        with full.paused():
            assert not gc.isenabled()
        assert gc.isenabled()
        full.build_ends()
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        if not was_enabled:
            gc.disable()


def test_writing_feeds_changes_nothing_in_the_writer_until_the_result_is_applied(
    tmp_path: Path,
):
    """The feeds may be written in a forked helper: the writer learns what was written
    only from the result, which the process that goes on applies."""
    from datetime import date

    from papershelf.entries.model import Paper, Tag

    tags = {"agents": Tag("agents", "Agents", "a")}
    papers = [Paper(slug="one", title="One", added=date(2024, 1, 2), tags=("agents",))]
    catalog = build_catalog(papers, tags)
    site = Site(url="https://example.org/", name="S", description="", language="en")
    writer = FeedWriter(RunMode(command="serve", dirty=True), None, None)
    first = writer.write(catalog, site, 10, tmp_path)
    assert first is not None and first.files == 6 and first.sources
    again = writer.write(catalog, site, 10, tmp_path)  # nothing applied: all again
    assert again is not None and again.files == 6
    writer.remember(first)
    assert writer.write(catalog, site, 10, tmp_path) is None  # same inputs: nothing to do
    writer.forget()  # a failed build: the next one writes every feed
    assert writer.write(catalog, site, 10, tmp_path) is not None

    built = FeedWriter(RunMode(command="build"), None, None).write(catalog, site, 10, tmp_path)
    assert built is not None and built.sources == {} and built.made_from is None  # not kept


def build_in_process(project: Project, site: str) -> Path:
    config = load_config(str(project.root / "mkdocs.yml"), site_dir=str(project.root / site))
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    return project.root / site


@pytest.fixture
def forked_project(project: Project) -> Project:
    config = project.root / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - search\n", ""))  # it reads pages
    for n in range(6):
        project.paper(f"paper-{n}", f"title: Paper {n}\nadded: 2024-01-0{n + 1}\ntags: [agents]\n")
    return project


def test_the_helper_returns_what_it_did_beside_the_pages_and_the_build_applies_it(
    forked_project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    monkeypatch.setattr(shell_pages, "MIN_PAGES_TO_FORK", 1)
    monkeypatch.setenv(STATE_OUT, str(tmp_path / "state.json"))
    forks: list[str] = []
    real_task = shell_pages.ForkedTask

    def counting_task(work, name="helper"):
        forks.append(name)
        return real_task(work, name)

    monkeypatch.setattr(shell_pages, "ForkedTask", counting_task)
    returned: list[object] = []
    real_finish = GeneratedPages.finish_writing

    def finish_writing(self):
        returned.append(real_finish(self))
        return returned[-1]

    monkeypatch.setattr(GeneratedPages, "finish_writing", finish_writing)
    site = build_in_process(forked_project, "forked")
    assert forks == ["pages"]
    [done] = returned  # what the helper did, sent back to this process
    assert isinstance(done, SideWorkDone)
    assert done.entries_saved  # a first build: every entry went into the cache
    assert done.feeds is not None and done.feeds.files == len(list(site.rglob("feed.xml"))) * 3
    state = BuildState.read(tmp_path / "state.json")  # written by the helper
    assert state is not None and state.feeds == done.feeds.digests


def test_without_a_helper_the_build_does_that_work_itself(
    forked_project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    monkeypatch.setattr(shell_pages, "ForkedTask", pytest.fail)  # too few pages to fork
    monkeypatch.setenv(STATE_OUT, str(tmp_path / "state.json"))
    site = build_in_process(forked_project, "alone")
    assert (site / "feed.xml").is_file() and (site / "tags/agents/feed.xml").is_file()
    state = BuildState.read(tmp_path / "state.json")
    assert state is not None and {"", "tags/agents/"} <= set(state.feeds)
    assert "papers/paper-0/" in state.pages

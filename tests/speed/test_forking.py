"""Loading with a forked helper gives exactly what loading alone gives."""

from __future__ import annotations

from pathlib import Path

from build_tools import synthetic
from papershelf.entries import loader
from papershelf.speed import forking
from papershelf.speed.entry_cache import EntryCache, validation_key


def test_a_helper_parses_half_of_the_entries_with_the_same_result(tmp_path: Path, monkeypatch):
    project = synthetic.generate(tmp_path, 41, seed=5)
    (project.papers_dir / "broken.yaml").write_text("title: Broken\nadded: never\ntags: [agents]\n")
    alone = loader.load_project(project.papers_dir, project.tags_file)
    monkeypatch.setattr(forking, "MIN_ITEMS_TO_FORK", 1)
    forked = []

    def spy(work, items, name):
        forked.append(len(items))
        return forking.in_two_processes(work, items, name)

    cache = EntryCache(validation_key(project.tags_file))
    together = loader.load_project(
        project.papers_dir, project.tags_file, cache=cache, parse_many=spy
    )
    assert forked == [42]
    assert together.papers == alone.papers
    assert together.problems == alone.problems and together.problems
    assert len(cache.entries) == 41  # the helper's papers are cached too

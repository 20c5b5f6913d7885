"""The entry cache: unchanged files are not parsed again, and nothing stale survives."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from papershelf import entry_cache
from papershelf.entry_cache import EntryCache, default_location, paper_from_json, paper_to_json
from papershelf.loader import load_project
from papershelf.model import Links, Paper

TAGS = "agents:\n  title: Agents\n  description: About agents.\n"


def entry(title: str) -> str:
    return f"title: {title}\nadded: 2025-01-02\ntags: [agents]\n"


@pytest.fixture
def shelf(tmp_path: Path) -> Path:
    (tmp_path / "papers").mkdir()
    (tmp_path / "tags.yml").write_text(TAGS)
    for slug in ("one", "two", "three"):
        (tmp_path / "papers" / f"{slug}.yaml").write_text(entry(slug.title()))
    return tmp_path


def load(shelf: Path, cache: EntryCache):
    return load_project(shelf / "papers", shelf / "tags.yml", cache=cache)


def open_cache(shelf: Path) -> EntryCache:
    return EntryCache.open(shelf / "cache.json", entry_cache.salt(shelf / "tags.yml"))


def test_every_field_of_a_paper_survives_the_cache():
    full = Paper(
        slug="s",
        title="T & <t>",
        added=date(2025, 1, 2),
        tags=("a", "b"),
        authors=("Ana", "Bo"),
        author_count=None,
        organization="Org",
        organization_id="org",
        published=date(2024, 12, 31),
        abstract="Abstract ✓",
        links=Links(arxiv="2401.00001", pdf=None, code="https://c", project=None, doi="10.1/x"),
        votes=0,
        notes="**n**",
        source=Path("/p/s.yaml"),
    )
    assert paper_from_json(json.loads(json.dumps(paper_to_json(full)))) == full
    assert paper_from_json(json.loads(json.dumps(paper_to_json(full)))).source == full.source


def test_a_second_load_reuses_every_unchanged_entry(shelf: Path):
    first = open_cache(shelf)
    papers = load(shelf, first).papers
    assert first.hits == 0
    first.save()
    second = open_cache(shelf)
    again = load(shelf, second)
    assert second.hits == 3
    assert sorted(p.slug for p in again.papers) == sorted(p.slug for p in papers)
    assert again.papers == papers


def test_an_edited_entry_is_parsed_again(shelf: Path):
    cache = open_cache(shelf)
    load(shelf, cache)
    path = shelf / "papers" / "two.yaml"
    path.write_text(entry("Two, edited"))
    os.utime(path, ns=(1, 1))  # even with an old time: the contents differ
    result = load(shelf, cache)
    assert cache.hits == 2
    assert {p.title for p in result.papers} == {"One", "Two, edited", "Three"}


def test_a_touched_but_unchanged_entry_is_reused(shelf: Path):
    cache = open_cache(shelf)
    load(shelf, cache)
    os.utime(shelf / "papers" / "two.yaml", ns=(5, 5))
    load(shelf, cache)
    assert cache.hits == 3


def test_entries_with_problems_are_checked_every_time(shelf: Path):
    (shelf / "papers" / "bad.yaml").write_text("title: Bad\nadded: soon\ntags: [agents]\n")
    cache = open_cache(shelf)
    assert any("bad.yaml" in p.path for p in load(shelf, cache).problems)
    assert any("bad.yaml" in p.path for p in load(shelf, cache).problems)
    assert all("bad" not in key for key in cache.entries)


def test_deleted_entries_are_forgotten(shelf: Path):
    cache = open_cache(shelf)
    load(shelf, cache)
    (shelf / "papers" / "three.yaml").unlink()
    assert {p.slug for p in load(shelf, cache).papers} == {"one", "two"}
    assert len(cache.entries) == 2


def test_another_vocabulary_makes_a_new_cache(shelf: Path):
    cache = open_cache(shelf)
    load(shelf, cache)
    cache.save()
    (shelf / "tags.yml").write_text(TAGS + "vision:\n  title: Vision\n  description: Seeing.\n")
    assert open_cache(shelf).entries == {}


def test_an_unreadable_cache_is_an_empty_cache(shelf: Path):
    (shelf / "cache.json").write_text('{"salt": "x", "entries": [')
    assert open_cache(shelf).entries == {}
    salt = entry_cache.salt(shelf / "tags.yml")
    bad = {"salt": salt, "entries": {"p": {"size": 1, "mtime_ns": 1, "digest": "d", "paper": {}}}}
    (shelf / "cache.json").write_text(json.dumps(bad))
    assert open_cache(shelf).entries == {}


def test_the_cache_lives_in_the_user_cache_folder_not_in_the_project(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    location = default_location(tmp_path / "project")
    assert location.is_relative_to(tmp_path / "user-cache" / "papershelf")
    assert location.parent.name.startswith("project-")

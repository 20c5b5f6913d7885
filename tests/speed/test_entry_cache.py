"""The entry cache: unchanged files are not parsed again, and nothing stale survives."""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest

from papershelf.entries.loader import LoadResult, load_project
from papershelf.entries.model import Links, Paper
from papershelf.speed import entry_cache
from papershelf.speed.entry_cache import (
    NO_CACHE,
    Entry,
    EntryCache,
    caches_ignored,
    default_location,
    paper_from_json,
    paper_to_json,
    read_papers,
    read_stats,
    write_entries,
)

TAGS = "agents:\n  title: Agents\n  description: About agents.\n"
OTHER_SALT = "0" * 32


def entry(title: str) -> str:
    return f"title: {title}\nadded: 2025-01-02\ntags: [agents]\n"


@pytest.fixture
def shelf(tmp_path: Path) -> Path:
    (tmp_path / "papers").mkdir()
    (tmp_path / "tags.yml").write_text(TAGS)
    for slug in ("one", "two", "three"):
        (tmp_path / "papers" / f"{slug}.yaml").write_text(entry(slug.title()))
    return tmp_path


def load(shelf: Path, cache: EntryCache) -> LoadResult:
    return load_project(shelf / "papers", shelf / "tags.yml", cache=cache)


def location(shelf: Path) -> Path:
    return shelf / "cache.sqlite"


def validation_key(shelf: Path) -> str:
    return entry_cache.validation_key(shelf / "tags.yml")


def open_cache(shelf: Path) -> EntryCache:
    return EntryCache.open(location(shelf), validation_key(shelf))


def saved(shelf: Path) -> EntryCache:
    """A cache of the three entries, saved."""
    cache = open_cache(shelf)
    load(shelf, cache)
    cache.save()
    return cache


def key(shelf: Path, slug: str) -> str:
    return str(shelf / "papers" / f"{slug}.yaml")


def rows(shelf: Path) -> dict[str, tuple]:
    """What another process would read: path -> (rowid, size, mtime_ns, digest, paper)."""
    with closing(sqlite3.connect(location(shelf))) as db:
        found = db.execute("SELECT path, rowid, size, mtime_ns, digest, paper FROM entries")
        return {path: tuple(rest) for path, *rest in found}


def execute(shelf: Path, sql: str, *parameters: object) -> None:
    with closing(sqlite3.connect(location(shelf))) as db, db:
        db.execute(sql, parameters)


def small_paper(slug: str) -> Paper:
    return Paper(slug=slug, title=slug.title(), added=date(2025, 1, 2), tags=("agents",))


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


def test_a_save_deletes_the_rows_of_forgotten_entries(shelf: Path):
    cache = saved(shelf)
    (shelf / "papers" / "three.yaml").unlink()
    load(shelf, cache)
    cache.save()
    assert set(rows(shelf)) == {key(shelf, "one"), key(shelf, "two")}


def test_a_save_writes_only_the_rows_that_changed(shelf: Path):
    cache = saved(shelf)
    # Marks another process would see rewritten if the save wrote every row.
    execute(shelf, "UPDATE entries SET digest = 'untouched' WHERE path = ?", key(shelf, "one"))
    before = rows(shelf)
    (shelf / "papers" / "two.yaml").write_text(entry("Two, edited"))
    load(shelf, cache)
    cache.save()
    after = rows(shelf)
    assert after[key(shelf, "one")] == before[key(shelf, "one")]
    assert after[key(shelf, "three")] == before[key(shelf, "three")]
    assert after[key(shelf, "two")][0] == before[key(shelf, "two")][0]  # same row, updated
    assert "Two, edited" in after[key(shelf, "two")][4]
    assert not cache.changed


def test_a_touched_entry_is_saved_with_its_new_time(shelf: Path):
    cache = saved(shelf)
    os.utime(shelf / "papers" / "two.yaml", ns=(5, 5))
    load(shelf, cache)
    cache.save()
    assert rows(shelf)[key(shelf, "two")][2] == 5
    again = open_cache(shelf)
    paper = cache.entries[key(shelf, "two")].paper
    assert again.lookup(shelf / "papers" / "two.yaml") == (paper, None)
    assert not again.changed  # the same contents, size and time: nothing to save


def test_a_cache_made_without_opening_replaces_what_was_saved(shelf: Path):
    saved(shelf)
    fresh = EntryCache(validation_key(shelf), location(shelf))
    fresh.store(shelf / "papers" / "one.yaml", b"", small_paper("one"))
    fresh.save()
    assert set(rows(shelf)) == {key(shelf, "one")}


def test_another_vocabulary_makes_a_new_cache(shelf: Path):
    saved(shelf)
    (shelf / "tags.yml").write_text(TAGS + "vision:\n  title: Vision\n  description: Seeing.\n")
    assert open_cache(shelf).entries == {}


def test_a_cache_of_another_salt_is_replaced_on_save(shelf: Path):
    old = saved(shelf)
    cache = EntryCache.open(location(shelf), OTHER_SALT)
    assert cache.entries == {}
    cache.store(shelf / "papers" / "one.yaml", b"", small_paper("one"))
    cache.save()
    assert read_stats(location(shelf), old.validation_key) is None
    assert set(read_stats(location(shelf), OTHER_SALT) or {}) == {key(shelf, "one")}


def test_an_unreadable_cache_is_an_empty_cache_and_is_replaced(shelf: Path):
    location(shelf).write_bytes(b"not a database, " * 512)
    cache = open_cache(shelf)
    assert cache.entries == {}
    assert read_stats(location(shelf), cache.validation_key) is None
    assert read_papers(location(shelf), cache.validation_key, [key(shelf, "one")]) is None
    load(shelf, cache)
    cache.save()
    assert len(open_cache(shelf).entries) == 3


def test_a_damaged_row_is_left_out_parsed_again_and_rewritten(shelf: Path, capsys):
    saved(shelf)
    execute(shelf, "UPDATE entries SET paper = '{}' WHERE path = ?", key(shelf, "two"))
    cache = open_cache(shelf)
    assert set(cache.entries) == {key(shelf, "one"), key(shelf, "three")}
    assert capsys.readouterr().err == (
        f"papershelf: the entry cache at {location(shelf)} had 1 damaged entry, parsed again\n"
    )
    assert read_papers(location(shelf), cache.validation_key, [key(shelf, "two")]) == {}
    assert {p.title for p in load(shelf, cache).papers} == {"One", "Two", "Three"}
    assert cache.hits == 2
    cache.save()
    assert len(open_cache(shelf).entries) == 3
    assert capsys.readouterr().err == ""


def test_a_failed_save_writes_nothing_and_is_tried_again(shelf: Path, monkeypatch):
    cache = saved(shelf)
    before = rows(shelf)
    (shelf / "papers" / "two.yaml").write_text(entry("Two, edited"))
    (shelf / "papers" / "three.yaml").unlink()
    load(shelf, cache)
    upsert = entry_cache._upsert

    def upsert_then_fail(db: sqlite3.Connection, new: list) -> None:
        upsert(db, new)
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(entry_cache, "_upsert", upsert_then_fail)
    cache.save()  # no exception: a cache is never worth failing a build for
    assert rows(shelf) == before and cache.changed
    monkeypatch.setattr(entry_cache, "_upsert", upsert)
    cache.save()
    assert set(rows(shelf)) == {key(shelf, "one"), key(shelf, "two")}


def test_a_busy_cache_is_given_up_quietly_and_saved_later(shelf: Path, monkeypatch):
    cache = saved(shelf)
    (shelf / "papers" / "two.yaml").write_text(entry("Two, edited"))
    load(shelf, cache)
    monkeypatch.setattr(entry_cache, "BUSY_TIMEOUT", 0.05)
    with closing(sqlite3.connect(location(shelf), isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")  # another process in the middle of a save
        cache.save()
        assert cache.changed
        assert read_stats(location(shelf), cache.validation_key) is None
        other.execute("ROLLBACK")
    cache.save()
    assert "Two, edited" in rows(shelf)[key(shelf, "two")][4]


def test_a_reader_sees_a_save_whole_or_not_at_all(shelf: Path):
    cache = saved(shelf)
    with closing(sqlite3.connect(location(shelf), isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        other.execute("DELETE FROM entries")
        assert len(read_stats(location(shelf), cache.validation_key) or {}) == 3
        other.execute("COMMIT")
    assert read_stats(location(shelf), cache.validation_key) == {}


def test_a_forked_child_can_save_the_cache(shelf: Path):
    cache = saved(shelf)
    (shelf / "papers" / "two.yaml").write_text(entry("Two, edited"))
    load(shelf, cache)
    assert len(read_stats(location(shelf), cache.validation_key) or {}) == 3  # the parent used it
    pid = os.fork()
    if pid == 0:  # the child: like papershelf.speed.forking.ForkedTask, never returns
        status = 1
        try:
            cache.save()
            status = 0 if not cache.changed else 2
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert open_cache(shelf).entries == cache.entries
    assert "Two, edited" in rows(shelf)[key(shelf, "two")][4]
    cache.save()  # the parent still has the changes: saving them again is harmless
    assert open_cache(shelf).entries == cache.entries


def test_the_old_json_cache_is_removed_on_save(shelf: Path):
    old = shelf / "entries.json"
    old.write_text('{"validation_key": "x", "entries": {}}')
    saved(shelf)
    assert not old.exists()


def test_stats_are_read_without_the_papers(shelf: Path):
    cache = saved(shelf)
    stats = read_stats(location(shelf), cache.validation_key)
    assert stats == {
        path: (entry.size, entry.mtime_ns, entry.digest) for path, entry in cache.entries.items()
    }


def test_papers_are_read_by_path_and_missing_ones_are_absent(shelf: Path):
    cache = saved(shelf)
    wanted = [key(shelf, "one"), key(shelf, "three"), key(shelf, "nowhere"), key(shelf, "one")]
    papers = read_papers(location(shelf), cache.validation_key, wanted)
    assert papers == {
        key(shelf, "one"): cache.entries[key(shelf, "one")].paper,
        key(shelf, "three"): cache.entries[key(shelf, "three")].paper,
    }


def test_papers_are_read_in_batches_of_any_number(shelf: Path):
    cache = saved(shelf)
    many = {f"/p/{n:04}.yaml": Entry(n, n, f"d{n}", small_paper(f"p{n}")) for n in range(1200)}
    assert write_entries(location(shelf), cache.validation_key, many)
    papers = read_papers(location(shelf), cache.validation_key, [*many, "/p/missing.yaml"])
    assert papers == {path: item.paper for path, item in many.items()}


def test_written_entries_are_added_or_replaced_and_others_left_alone(shelf: Path):
    cache = saved(shelf)
    before = rows(shelf)
    edited = Entry(7, 8, "new digest", small_paper("two-edited"))
    new = Entry(1, 2, "digest", small_paper("four"))
    changes = {key(shelf, "two"): edited, key(shelf, "four"): new}
    assert write_entries(location(shelf), cache.validation_key, changes)
    stats = read_stats(location(shelf), cache.validation_key) or {}
    assert stats[key(shelf, "two")] == (7, 8, "new digest")
    assert stats[key(shelf, "four")] == (1, 2, "digest")
    assert rows(shelf)[key(shelf, "one")] == before[key(shelf, "one")]
    again = open_cache(shelf)
    assert again.entries[key(shelf, "four")] == new
    assert again.entries[key(shelf, "two")] == edited


def test_partial_access_needs_a_cache_of_the_same_salt(shelf: Path):
    new = {"/p/a.yaml": Entry(1, 1, "d", small_paper("a"))}
    missing = shelf / "nowhere" / "cache.sqlite"
    assert read_stats(missing, validation_key(shelf)) is None
    assert read_papers(missing, validation_key(shelf), ["/p/a.yaml"]) is None
    assert not write_entries(missing, validation_key(shelf), new)
    assert not missing.parent.exists()
    saved(shelf)
    before = rows(shelf)
    assert read_stats(location(shelf), OTHER_SALT) is None
    assert read_papers(location(shelf), OTHER_SALT, [key(shelf, "one")]) is None
    assert not write_entries(location(shelf), OTHER_SALT, new)
    assert rows(shelf) == before


def test_the_cache_lives_in_the_user_cache_folder_not_in_the_project(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    location = default_location(tmp_path / "project")
    assert location.is_relative_to(tmp_path / "user-cache" / "papershelf")
    assert location.parent.name.startswith("project-")
    assert location.name == "entries.sqlite"


# Caches are hints, never truth: what the cache holds is used only when it is the
# entry file as it is now, stored as it was written.

UNREADABLE = "was unreadable and is rebuilt"


def titles(result: LoadResult) -> set[str]:
    return {paper.title for paper in result.papers}


def notices(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("papershelf: the entry cache")]


def test_an_edit_that_keeps_size_and_time_is_seen(shelf: Path):
    saved(shelf)
    path = shelf / "papers" / "two.yaml"
    before = path.stat()
    path.write_text(entry("Owt"))  # as long as "Two"
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # touch -r, a checkout
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    cache = open_cache(shelf)
    assert titles(load(shelf, cache)) == {"One", "Owt", "Three"}
    assert cache.hits == 2
    cache.save()
    assert open_cache(shelf).entries[key(shelf, "two")].paper.title == "Owt"


def test_a_changed_byte_in_a_stored_row_is_never_served(shelf: Path, capsys):
    saved(shelf)
    data = location(shelf).read_bytes()
    assert data.count(b'"Three"') == 1
    location(shelf).write_bytes(data.replace(b'"Three"', b'"Thre!"'))  # still valid JSON
    cache = open_cache(shelf)
    assert key(shelf, "three") not in cache.entries
    assert titles(load(shelf, cache)) == {"One", "Two", "Three"}
    assert len(notices(capsys.readouterr().err)) == 1
    cache.save()
    assert b'"Thre!"' not in location(shelf).read_bytes()
    assert len(open_cache(shelf).entries) == 3
    assert capsys.readouterr().err == ""


def test_a_row_changed_into_another_valid_paper_is_left_out(shelf: Path):
    """What the quick build reads (read_papers) is checked too."""
    saved(shelf)
    execute(
        shelf,
        "UPDATE entries SET paper = replace(paper, 'Two', 'Owt') WHERE path = ?",
        key(shelf, "two"),
    )
    wanted = [key(shelf, "one"), key(shelf, "two")]
    assert set(read_papers(location(shelf), validation_key(shelf), wanted) or {}) == {
        key(shelf, "one")
    }
    assert key(shelf, "two") not in open_cache(shelf).entries


@pytest.mark.parametrize("column", ["digest", "path"])
def test_a_row_with_another_digest_or_path_is_left_out(shelf: Path, column: str):
    saved(shelf)
    execute(
        shelf, f"UPDATE entries SET {column} = {column} || 'x' WHERE path = ?", key(shelf, "two")
    )
    cache = open_cache(shelf)
    assert set(cache.entries) == {key(shelf, "one"), key(shelf, "three")}
    assert titles(load(shelf, cache)) == {"One", "Two", "Three"}


def test_a_row_with_text_for_a_number_is_left_out(shelf: Path):
    saved(shelf)
    execute(shelf, "UPDATE entries SET size = 'x' WHERE path = ?", key(shelf, "two"))
    assert set(open_cache(shelf).entries) == {key(shelf, "one"), key(shelf, "three")}


def _garbage(data: bytes) -> bytes:
    return b"not a database, " * (len(data) // 16)


def _bad_header(data: bytes) -> bytes:
    return b"SQLite format 2\0" + data[16:]


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 3]


def _other_schema(data: bytes) -> bytes:
    return data  # made below: the same validation_key and format, a table without seals


def _not_ours(data: bytes) -> bytes:
    return data  # made below: a SQLite database with other tables


@pytest.mark.parametrize(
    "damage",
    [_garbage, _bad_header, _truncated, _other_schema, _not_ours],
    ids=lambda f: f.__name__,
)
def test_an_unreadable_database_is_said_once_and_rebuilt(shelf: Path, capsys, damage):
    saved(shelf)
    where = location(shelf)
    where.write_bytes(damage(where.read_bytes()))
    if damage is _other_schema:
        execute(shelf, "ALTER TABLE entries DROP COLUMN seal")
    elif damage is _not_ours:
        execute(shelf, "DROP TABLE meta")
    capsys.readouterr()
    cache = open_cache(shelf)
    [notice] = notices(capsys.readouterr().err)
    assert notice.startswith(f"papershelf: the entry cache at {where} {UNREADABLE} (")
    assert notice.endswith(")")
    assert cache.entries == {}
    assert titles(load(shelf, cache)) == {"One", "Two", "Three"}
    cache.save()
    again = open_cache(shelf)
    assert len(again.entries) == 3
    assert capsys.readouterr().err == ""


def test_an_unreadable_database_is_replaced_even_without_entries(tmp_path: Path, capsys):
    where = tmp_path / "cache.sqlite"
    where.write_bytes(b"\0garbage" * 100)
    (tmp_path / "tags.yml").write_text(TAGS)
    cache = EntryCache.open(where, entry_cache.validation_key(tmp_path / "tags.yml"))
    assert len(notices(capsys.readouterr().err)) == 1
    cache.save()
    EntryCache.open(where, cache.validation_key)
    assert capsys.readouterr().err == ""


def test_a_new_empty_database_is_not_news(shelf: Path, capsys):
    location(shelf).write_bytes(b"")
    assert open_cache(shelf).entries == {}
    assert capsys.readouterr().err == ""


def test_a_busy_database_is_neither_news_nor_thrown_away(shelf: Path, capsys, monkeypatch):
    saved(shelf)
    monkeypatch.setattr(entry_cache, "BUSY_TIMEOUT", 0.05)
    with closing(sqlite3.connect(location(shelf), isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")  # another process in the middle of a save
        assert open_cache(shelf).entries == {}
        other.execute("ROLLBACK")
    assert capsys.readouterr().err == ""
    assert len(open_cache(shelf).entries) == 3


def test_any_damaged_byte_gives_the_real_entries(shelf: Path, capsys):
    """One byte of the database changed, here and there over the whole file: the
    entries are always the files' (never an exception), and one save heals it."""
    saved(shelf)
    where = location(shelf)
    current = validation_key(shelf)  # once: other work on the validating code must not change it
    good = where.read_bytes()
    # Every 5th byte in use (most of the file is empty pages: zeros), and the first
    # bytes of every page (headers).
    used = [n for n in range(len(good)) if good[n]]
    pages = range(0, len(good), entry_cache.PAGE_SIZE)
    positions = sorted({*used[::5], *(page + n for page in pages for n in range(0, 108, 3))})
    assert len(positions) > 300
    for position in positions:
        damaged = bytearray(good)
        damaged[position] ^= 0x5A
        where.write_bytes(bytes(damaged))
        cache = EntryCache.open(where, current)
        assert titles(load(shelf, cache)) == {"One", "Two", "Three"}, position
        cache.save()
        assert len(EntryCache.open(where, current).entries) == 3, position
    capsys.readouterr()


def test_no_cache_is_read_when_the_environment_says_so(monkeypatch):
    for value, ignored in (("", False), ("0", False), ("1", True), ("yes", True)):
        monkeypatch.setenv(NO_CACHE, value)
        assert caches_ignored() is ignored
    monkeypatch.delenv(NO_CACHE)
    assert not caches_ignored()
    assert NO_CACHE == "PAPERSHELF_NO_CACHE"

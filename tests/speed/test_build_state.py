"""Incremental builds: the state a build leaves, digests of page keys, and moving a
staged build into the site (papershelf.speed.build_state). The command that uses them is
specified in test_build_incremental.py."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from papershelf.entries.model import Paper
from papershelf.site.publish import publish
from papershelf.speed.build_state import (
    FULL_BUILD_NEEDED,
    BuildState,
    Digester,
    removed_pages,
    site_signature,
)


def paper(slug: str = "a", abstract: str = "Words.") -> Paper:
    return Paper(slug=slug, title="A & <b>", added=date(2025, 1, 2), tags=("x",), abstract=abstract)


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_equal_keys_give_equal_digests_in_any_process_and_any_object_sharing():
    one, other = Digester(), Digester()
    title = "".join(["Ti", "tle"])  # an equal string that is another object
    first = ("paper.html", "Title", ("Title", "Title"), (paper(),))
    second = ("paper.html", title, (title, "Title"), (paper(),))
    assert one(first) == other(second)
    assert Digester.plain(("t", one.paper(paper()))) == Digester.plain(("t", other.paper(paper())))


def test_any_change_to_a_paper_changes_the_digest():
    digest = Digester()
    assert digest((paper(),)) != digest((paper(abstract="Other words."),))
    assert digest.paper(paper()) != digest.paper(paper(slug="b"))


def test_the_state_round_trips_and_a_damaged_state_is_no_state(tmp_path: Path):
    state = BuildState("in", ["s1", "s2"], {"papers/a/": "d1"}, {"": "f1"}, [10, 20])
    location = tmp_path / "cache" / "site.json"
    state.write(location)
    assert BuildState.read(location) == state
    assert [p.name for p in location.parent.iterdir()] == ["site.json"]  # no temporary left
    for damaged in ("{", '{"format": 1}', '{"format": 99}', "[]", '{"format": 1, "pages": 3}'):
        location.write_text(damaged, encoding="utf-8")
        assert BuildState.read(location) is None
    assert BuildState.read(tmp_path / "missing.json") is None


def test_removed_pages():
    previous = {"a/": "1", "b/": "2", "gone/": "3"}
    current = {"a/": "1", "b/": "changed", "new/": "4"}
    assert removed_pages(previous, current) == ["gone/"]


def test_the_site_stamp_follows_the_sitemap(tmp_path: Path):
    assert site_signature(tmp_path) == []
    sitemap = write(tmp_path, "sitemap.xml", "<urlset/>")
    stamp = site_signature(tmp_path)
    assert stamp == [sitemap.stat().st_size, sitemap.stat().st_mtime_ns]


def test_merging_moves_staged_files_in_and_removes_pages_that_are_gone(tmp_path: Path):
    site, staging = tmp_path / "site", tmp_path / "staging"
    write(site, "papers/a/index.html", "old a")
    write(site, "papers/b/index.html", "b stays")
    write(site, "papers/gone/index.html", "gone")
    write(site, "tags/x/page/2/index.html", "gone too")
    write(site, "tags/x/feed.xml", "feed")
    write(site, "search/old-shard.json", "stale")
    write(site, "search/index.json", "old manifest")
    write(staging, "papers/a/index.html", "new a")
    write(staging, "papers/new/index.html", "new")
    write(staging, "search/index.json", "manifest")
    write(staging, "search/new-shard.json", "shard")
    write(staging, FULL_BUILD_NEEDED, "never moved")

    moved = publish(staging, site, ["papers/gone/", "tags/x/page/2/"], owned=["search"])

    files = {
        str(path.relative_to(site)): path.read_text(encoding="utf-8")
        for path in site.rglob("*")
        if path.is_file()
    }
    assert files == {
        "papers/a/index.html": "new a",
        "papers/b/index.html": "b stays",
        "papers/new/index.html": "new",
        "tags/x/feed.xml": "feed",
        "search/index.json": "manifest",
        "search/new-shard.json": "shard",
    }
    assert moved == 4
    assert not (site / "papers/gone").exists()
    assert not (site / "tags/x/page").exists()  # emptied folders go, up to a folder in use


def test_an_owned_folder_that_was_not_staged_is_left_alone(tmp_path: Path):
    site, staging = tmp_path / "site", tmp_path / "staging"
    write(site, "search/index.json", "kept")
    write(staging, "papers/a/index.html", "a")
    publish(staging, site, [], owned=["search"])
    assert (site / "search/index.json").read_text(encoding="utf-8") == "kept"


def test_index_folders_named_by_their_contents_are_kept_moved_or_dropped_whole(tmp_path: Path):
    site, staging = tmp_path / "site", tmp_path / "staging"
    write(site, "search/index.json", "old manifest")
    write(site, "search/0123/terms/a.json", "an earlier index")
    same = write(site, "search/4567/terms/b.json", "this index")
    write(staging, "search/index.json", "manifest")
    write(staging, "search/4567/terms/b.json", "this index")
    write(staging, "search/89ab/terms/c.json", "a new index")

    publish(staging, site, [], owned=["search"])

    files = sorted(str(path.relative_to(site)) for path in site.rglob("*") if path.is_file())
    assert files == ["search/4567/terms/b.json", "search/89ab/terms/c.json", "search/index.json"]
    assert (site / "search/index.json").read_text(encoding="utf-8") == "manifest"
    assert same.stat().st_ino == (site / "search/4567/terms/b.json").stat().st_ino  # untouched

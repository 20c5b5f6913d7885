"""Real builds over damaged caches: the entry cache and the compiled templates in the
user's cache folder are hints, never the truth. Whatever they hold, `papershelf
build` (quick, through mkdocs, or --clean) makes the site of the files as they are,
says so in one line when a cache was unreadable, and leaves healed caches behind."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from platformdirs import user_cache_dir

from build_tools.cli import main
from papershelf.speed import entry_cache
from papershelf.speed.build_state import state_location
from papershelf.speed.compiled_templates import CheckedBytecodeCache
from papershelf.speed.entry_cache import NO_CACHE, EntryCache, default_location
from papershelf.speed.snapshot import snapshot_path
from tests.conftest import Project
from tests.site_builds import clean_build, tree

# Real builds over damaged caches: left out of `make test-fast`.
pytestmark = pytest.mark.slow

# Without material's search plugin, so that an edit can be a quick build (as in
# tests/speed/test_build_incremental.py).
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
NO_LINK = b"No link to this paper yet"  # in papershelf/paper.html: no entry has links


def build(project: Project, monkeypatch: pytest.MonkeyPatch, capfd, *args: str) -> tuple[str, str]:
    """Run `papershelf build`; what it printed on stdout and on stderr."""
    monkeypatch.chdir(project.root)
    capfd.readouterr()
    code = main(["build", *args])
    out, err = capfd.readouterr()
    assert code == 0, out + err
    return out, err


def entry_notices(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("papershelf: the entry cache")]


def site_bytes(site: Path) -> bytes:
    return b"\n".join(tree(site).values())


def code_files() -> list[Path]:
    folder = Path(user_cache_dir("papershelf")) / "templates"
    return sorted(path for path in folder.iterdir() if path.is_file())


def current_salt(project: Project) -> str:
    return entry_cache.validation_key(project.tags_file)


@pytest.fixture
def shelf(project: Project, monkeypatch: pytest.MonkeyPatch, capfd, tmp_path_factory) -> Project:
    """Three papers, built once, with caches of their own (damaged by the tests)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))
    monkeypatch.delenv(NO_CACHE, raising=False)
    project.write("mkdocs.yml", MKDOCS_YML)
    project.paper("one", ONE)
    project.paper("two", TWO)
    project.paper("three", THREE)
    out, _ = build(project, monkeypatch, capfd)
    assert "site built in site/" in out
    assert default_location(project.root).is_file()
    assert code_files()
    return project


@pytest.mark.parametrize("how", ["clean", "quick"])
def test_a_damaged_row_of_the_entry_cache_never_reaches_the_site(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd, how: str
):
    database = default_location(shelf.root)
    data = database.read_bytes()
    assert data.count(b'"Two"') == 1
    database.write_bytes(data.replace(b'"Two"', b'"Twx"'))  # one byte, still valid JSON
    if how == "clean":
        _, err = build(shelf, monkeypatch, capfd, "--clean")
    else:  # the quick build reads the neighbours of "one" ("two") from the cache
        shelf.paper("one", ONE.replace("title: One", "title: One, edited"))
        _, err = build(shelf, monkeypatch, capfd)
        assert "One, edited" in shelf.html("papers/one/")
    assert len(entry_notices(err)) <= 1
    assert b"Twx" not in site_bytes(shelf.site)
    assert "<h1>Two</h1>" in shelf.html("papers/two/")
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)
    assert b'"Twx"' not in database.read_bytes()  # healed


@pytest.mark.parametrize("how", ["quick", "mkdocs", "clean"])
def test_an_edit_that_keeps_size_and_time_is_built(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd, how: str
):
    path = shelf.papers / "two.yaml"
    before = path.stat()
    path.write_text(TWO.replace("Second abstract.", "Edited abstract."))  # as long
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # touch -r, a checkout
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    if how == "mkdocs":  # without the snapshot of the last build, through mkdocs --dirty
        snapshot_path(state_location(shelf.root, shelf.site)).unlink()
    out, _ = build(shelf, monkeypatch, capfd, *(["--clean"] if how == "clean" else []))
    if how == "quick":
        assert "without mkdocs: 1 entry changed" in out
    assert "Edited abstract." in shelf.html("papers/two/")
    assert b"Second abstract." not in site_bytes(shelf.site)
    assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)


def _garbage(data: bytes) -> bytes:
    return b"not a database, " * (len(data) // 16)


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 3]


@pytest.mark.parametrize("damage", [_garbage, _truncated], ids=["garbage", "truncated"])
def test_an_unreadable_entry_cache_is_said_once_and_rebuilt(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd, damage
):
    database = default_location(shelf.root)
    expected = tree(shelf.site)
    database.write_bytes(damage(database.read_bytes()))
    _, err = build(shelf, monkeypatch, capfd)  # not quick (no cache): through mkdocs
    [notice] = entry_notices(err)
    assert notice.startswith(f"papershelf: the entry cache at {database} was unreadable")
    assert "and is rebuilt (" in notice
    assert tree(shelf.site) == expected
    assert len(EntryCache.open(database, current_salt(shelf)).entries) == 3
    _, err = build(shelf, monkeypatch, capfd, "--clean")
    assert entry_notices(err) == []
    assert tree(shelf.site) == expected


def test_an_unreadable_entry_cache_never_fails_a_clean_build(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    database = default_location(shelf.root)
    expected = tree(shelf.site)
    database.write_bytes(_garbage(database.read_bytes()))
    _, err = build(shelf, monkeypatch, capfd, "--clean")
    assert len(entry_notices(err)) <= 1  # none when --clean reads no cache
    assert tree(shelf.site) == expected
    assert len(EntryCache.open(database, current_salt(shelf)).entries) == 3


def _flip_middle(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]


def _flip_near_end(data: bytes) -> bytes:
    at = max(0, len(data) - 40)
    return data[:at] + bytes([data[at] ^ 0x08]) + data[at + 1 :]


def _cut(data: bytes) -> bytes:
    return data[: len(data) * 2 // 3]


def _noise(data: bytes) -> bytes:
    return bytes((n * 131 + 7) % 256 for n in range(len(data)))


DAMAGES = [_flip_middle, _flip_near_end, _cut, _noise]


@pytest.mark.parametrize("how", ["clean", "quick"])
def test_damaged_compiled_templates_are_compiled_again_and_replaced(
    shelf: Project, monkeypatch: pytest.MonkeyPatch, capfd, how: str
):
    expected = tree(shelf.site)
    damaged: dict[Path, bytes] = {}
    for number, path in enumerate(code_files()):
        damaged[path] = DAMAGES[number % len(DAMAGES)](path.read_bytes())
        path.write_bytes(damaged[path])
    if how == "clean":
        build(shelf, monkeypatch, capfd, "--clean")
        assert tree(shelf.site) == expected
    else:  # the page templates of the quick build, then the theme's
        shelf.paper("one", ONE.replace("First abstract.", "First abstract, edited."))
        out, _ = build(shelf, monkeypatch, capfd)
        assert "without mkdocs" in out
        assert "First abstract, edited." in shelf.html("papers/one/")
        assert tree(shelf.site) == clean_build(shelf, monkeypatch, capfd)
    still = [
        path.name for path, data in damaged.items() if path.exists() and path.read_bytes() == data
    ]
    assert still == []  # each one replaced (or gone, if no build needed it)
    # And the next build runs the healed code.
    build(shelf, monkeypatch, capfd, "--clean", "--site-dir", "again")
    assert tree(shelf.root / "again") == tree(shelf.site)


def _forge_entry(project: Project) -> None:
    """The row of two.yaml made to hold another title, sealed as if written so."""
    database = default_location(project.root)
    cache = EntryCache.open(database, current_salt(project))
    entry = cache.entries[str(project.papers / "two.yaml")]
    entry.paper = replace(entry.paper, title="Forged")
    assert entry_cache.write_entries(
        database, cache.validation_key, {str(project.papers / "two.yaml"): entry}
    )


def _forge_code() -> Path:
    """papershelf/paper.html's code made to say another sentence, sealed as if
    compiled so."""
    [path] = [path for path in code_files() if NO_LINK in path.read_bytes()]
    sealed = path.read_bytes()
    head = len(CheckedBytecodeCache.MAGIC) + CheckedBytecodeCache.DIGEST_SIZE
    code = sealed[head:].replace(NO_LINK, NO_LINK.replace(b"No link", b"No lXnk"))
    key = path.name.removeprefix("__papershelf_").removesuffix(".code")
    cache = CheckedBytecodeCache(path.parent)
    path.write_bytes(CheckedBytecodeCache.MAGIC + cache._digest(key, code) + code)
    return path


@pytest.mark.parametrize("how", ["clean", "environment"])
def test_clean_builds_read_neither_cache(shelf: Project, monkeypatch, capfd, how: str):
    """`papershelf build --clean` (PAPERSHELF_NO_CACHE in mkdocs' environment): even
    caches that look right are not read, and both are written anew for later builds."""
    _forge_entry(shelf)
    forged_code = _forge_code()
    # What a build that reads the caches makes of them: they are hints, trusted
    # when their seals match (and the entry file's digest, here unchanged).
    assert shelf.build().returncode == 0
    assert "<h1>Forged</h1>" in shelf.html("papers/two/")
    assert "No lXnk" in shelf.html("papers/two/")

    if how == "clean":
        build(shelf, monkeypatch, capfd, "--clean")
    else:
        monkeypatch.setenv(NO_CACHE, "1")
        result = shelf.build()
        assert result.returncode == 0, result.stderr
        monkeypatch.delenv(NO_CACHE)
    assert "<h1>Two</h1>" in shelf.html("papers/two/")
    assert NO_LINK.decode() in shelf.html("papers/two/")
    assert b"Forged" not in site_bytes(shelf.site) and b"No lXnk" not in site_bytes(shelf.site)
    # Written anew: a build that reads them gets the truth.
    assert b"No lXnk" not in forged_code.read_bytes()
    assert b"Forged" not in default_location(shelf.root).read_bytes()
    assert shelf.build().returncode == 0
    assert "<h1>Two</h1>" in shelf.html("papers/two/")
    assert NO_LINK.decode() in shelf.html("papers/two/")

"""Compiled templates kept in the user's cache folder (papershelf.site.rendering
.compiled_templates) are a hint: a damaged file is never run, is deleted, and the
template is compiled again from source and written anew."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import jinja2
import jinja2.bccache
import pytest

from papershelf.speed.compiled_templates import CheckedBytecodeCache, compiled_templates

TEMPLATE = """\
{% macro greet(who) %}<b>Hello {{ who }}</b>{% endmacro %}
{% block body %}<p>Zebra crossing: {{ greet(name) }} and {{ items | join(", ") }}.</p>{% endblock %}
"""
RENDERED = "<p>Zebra crossing: <b>Hello Ana</b> and 1, 2.</p>"


@pytest.fixture
def user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private user cache folder; the compiled templates go to its ``templates``."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "page.html").write_text(TEMPLATE)
    return tmp_path


def code_folder(user_cache: Path) -> Path:
    return user_cache / "user-cache" / "papershelf" / "templates"


def code_files(user_cache: Path) -> list[Path]:
    return sorted(path for path in code_folder(user_cache).iterdir() if path.is_file())


class Counted(jinja2.Environment):
    compiled = 0

    def compile(self, *args, **kwargs):  # type: ignore[override]
        Counted.compiled += 1
        return super().compile(*args, **kwargs)


def render(user_cache: Path, cache: jinja2.BytecodeCache | None = None) -> str:
    """A new environment (a new build), as the plugin makes it."""
    env = Counted(
        loader=jinja2.FileSystemLoader(str(user_cache / "source")),
        autoescape=True,
        bytecode_cache=cache or compiled_templates(),
    )
    return env.get_template("page.html").render(name="Ana", items=[1, 2]).strip()


def compiles(user_cache: Path, cache: jinja2.BytecodeCache | None = None) -> tuple[str, int]:
    """What a new build renders, and how many templates it compiled."""
    before = Counted.compiled
    return render(user_cache, cache), Counted.compiled - before


def the_code_file(user_cache: Path) -> Path:
    assert render(user_cache) == RENDERED
    [path] = code_files(user_cache)
    return path


def test_a_second_build_runs_the_compiled_code(user_cache: Path):
    assert compiles(user_cache) == (RENDERED, 1)
    assert compiles(user_cache) == (RENDERED, 0)


def test_a_changed_character_of_the_code_is_never_run(user_cache: Path):
    path = the_code_file(user_cache)
    data = path.read_bytes()
    assert data.count(b"Zebra crossing") == 1  # a string constant of the code
    path.write_bytes(data.replace(b"Zebra crossing", b"Zebra cr0ssing"))
    assert compiles(user_cache) == (RENDERED, 1)
    assert b"cr0ssing" not in path.read_bytes()  # written anew
    assert compiles(user_cache) == (RENDERED, 0)


def _flip_middle(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]


def _flip_last(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 0x01])


def _flip_in_header(data: bytes) -> bytes:
    return bytes([data[0] ^ 0x20]) + data[1:]


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _nearly_empty(data: bytes) -> bytes:
    return data[:10]


def _empty(data: bytes) -> bytes:
    return b""


def _garbage(data: bytes) -> bytes:
    return bytes((n * 131 + 7) % 256 for n in range(len(data)))


def _appended(data: bytes) -> bytes:
    return data + b"\0"


DAMAGES: list[Callable[[bytes], bytes]] = [
    _flip_middle,
    _flip_last,
    _flip_in_header,
    _truncated,
    _nearly_empty,
    _empty,
    _garbage,
    _appended,
]


@pytest.mark.parametrize("damage", DAMAGES, ids=lambda f: f.__name__.strip("_"))
def test_a_damaged_file_is_compiled_again_and_replaced(user_cache: Path, damage):
    path = the_code_file(user_cache)
    good = path.read_bytes()
    damaged = damage(good)
    path.write_bytes(damaged)
    assert compiles(user_cache) == (RENDERED, 1)
    assert path.read_bytes() == good  # healed: the same code, sealed again
    assert compiles(user_cache) == (RENDERED, 0)


def test_damaged_code_never_reaches_pickle_or_marshal(user_cache: Path, monkeypatch):
    """Jinja unpickles the header and unmarshals the code it reads; marshal data
    that was damaged can crash the interpreter. Nothing unchecked gets there."""
    path = the_code_file(user_cache)
    good = path.read_bytes()
    loaded: list[int] = []
    load = jinja2.bccache.Bucket.load_bytecode

    def spy(bucket: jinja2.bccache.Bucket, file) -> None:
        loaded.append(1)
        load(bucket, file)

    monkeypatch.setattr(jinja2.bccache.Bucket, "load_bytecode", spy)
    for damage in DAMAGES:
        path.write_bytes(damage(good))
        assert compiles(user_cache) == (RENDERED, 1)
    assert loaded == []
    assert compiles(user_cache) == (RENDERED, 0)
    assert loaded == [1]


def test_any_changed_byte_is_caught(user_cache: Path):
    """Every byte of the file, changed in turn: never run, never a crash."""
    path = the_code_file(user_cache)
    good = path.read_bytes()
    for position in range(0, len(good), max(1, len(good) // 400)):
        damaged = bytearray(good)
        damaged[position] ^= 0x41
        path.write_bytes(bytes(damaged))
        assert compiles(user_cache) == (RENDERED, 1), position
        assert path.read_bytes() == good, position


def test_the_code_of_another_template_is_not_taken(user_cache: Path):
    """A file under another template's name (copied, or a name mixed up) is not
    run: jinja compares the source checksum, and the seal covers the name."""
    path = the_code_file(user_cache)
    (user_cache / "source" / "other.html").write_text(TEMPLATE.replace("Zebra", "Horse"))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(user_cache / "source")),
        bytecode_cache=compiled_templates(),
    )
    assert "Horse" in env.get_template("other.html").render(name="Bo", items=[])
    [other] = [p for p in code_files(user_cache) if p != path]
    other.write_bytes(path.read_bytes())
    fresh = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(user_cache / "source")),
        bytecode_cache=compiled_templates(),
    )
    assert "Horse" in fresh.get_template("other.html").render(name="Bo", items=[])


def test_an_edited_template_is_compiled_again(user_cache: Path):
    the_code_file(user_cache)
    (user_cache / "source" / "page.html").write_text(TEMPLATE.replace("Zebra", "Horse"))
    assert compiles(user_cache) == (RENDERED.replace("Zebra", "Horse"), 1)
    assert compiles(user_cache) == (RENDERED.replace("Zebra", "Horse"), 0)


def test_a_cache_that_must_not_be_read_only_writes(user_cache: Path):
    """papershelf build --clean: templates compiled afresh, written for later builds."""
    path = the_code_file(user_cache)
    good = path.read_bytes()
    path.write_bytes(good.replace(b"Zebra crossing", b"Zebra cr0ssing"))
    assert compiles(user_cache, compiled_templates(read=False)) == (RENDERED, 1)
    assert path.read_bytes() == good
    assert compiles(user_cache, compiled_templates(read=False)) == (RENDERED, 1)
    assert compiles(user_cache) == (RENDERED, 0)


def test_a_folder_that_cannot_be_written_only_makes_builds_slower(user_cache: Path):
    cache = compiled_templates()
    assert cache is not None
    code_folder(user_cache).rmdir()  # gone after the cache was made: no file written
    assert compiles(user_cache, cache) == (RENDERED, 1)
    assert not code_folder(user_cache).exists()


def test_files_written_unsealed_are_never_read(user_cache: Path):
    """Files jinja's own cache wrote (before papershelf sealed them) stay unread."""
    plain = jinja2.FileSystemBytecodeCache(str(code_folder(user_cache)))
    code_folder(user_cache).mkdir(parents=True)
    assert compiles(user_cache, plain) == (RENDERED, 1)
    [unsealed] = code_files(user_cache)
    unsealed.write_bytes(unsealed.read_bytes().replace(b"Zebra crossing", b"Zebra cr0ssing"))
    assert compiles(user_cache) == (RENDERED, 1)


def test_the_cache_is_the_checked_one(user_cache: Path):
    cache = compiled_templates()
    assert isinstance(cache, CheckedBytecodeCache) and cache.read
    assert compiled_templates(read=False).read is False  # type: ignore[union-attr]

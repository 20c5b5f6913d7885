"""Validated entries kept between builds, keyed by the bytes of each file.

Parsing and checking 10,000 entries takes about two seconds; a rebuild after one
edit should not pay that again. An entry is looked up by its path: when the file's
size and modification time are unchanged it is reused at once; otherwise its bytes
are hashed and, when the hash still matches, reused too (a ``git checkout`` touches
times, not contents). Only entries without problems are kept, so every problem is
always reported fresh. Everything is thrown away when the vocabulary or the code
that validates entries changes (:func:`salt`).

The cache is JSON in the user's cache folder, outside the project: a pull request
cannot ship a cache file that a CI build would then trust instead of validating the
entries. In ``mkdocs serve`` the same object lives on between rebuilds.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import Any

from papershelf.model import Links, Paper

FORMAT = 2  # 2: papers as lists of field values
# Modules whose code decides what a Paper looks like.
_VALIDATING_MODULES = ("model", "schema", "strict_yaml", "loader", "vocabulary", "slugs")


def salt(tags_file: Path) -> str:
    """Changes whenever a cached Paper might no longer be what loading would give."""
    digest = hashlib.blake2b(f"papershelf-entries-{FORMAT}".encode(), digest_size=16)
    package = Path(__file__).parent
    for module in _VALIDATING_MODULES:
        digest.update((package / f"{module}.py").read_bytes())
    digest.update(tags_file.read_bytes() if tags_file.is_file() else b"")
    return digest.hexdigest()


def default_location(project_root: Path) -> Path:
    """``<user cache>/papershelf/<project>-<hash of its path>/entries.json``."""
    from platformdirs import user_cache_dir

    root = project_root.resolve()
    tag = hashlib.blake2b(str(root).encode(), digest_size=8).hexdigest()
    return Path(user_cache_dir("papershelf")) / f"{root.name}-{tag}" / "entries.json"


@dataclass
class Entry:
    size: int
    mtime_ns: int
    digest: str
    paper: Paper


def content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class EntryCache:
    """Path -> validated Paper, valid for one :func:`salt`."""

    def __init__(self, salt: str, location: Path | None = None) -> None:
        self.salt = salt
        self.location = location
        self.entries: dict[str, Entry] = {}
        self.changed = False
        self.hits = 0

    @classmethod
    def open(cls, location: Path, salt: str) -> EntryCache:
        """The cache saved at ``location``, or an empty one (missing, other salt,
        unreadable: a cache is never worth failing a build for)."""
        cache = cls(salt, location)
        try:
            saved = json.loads(location.read_text(encoding="utf-8"))
            if saved.get("salt") == salt:
                for path, item in saved["entries"].items():
                    paper = paper_from_json(item["paper"])
                    cache.entries[path] = Entry(
                        item["size"], item["mtime_ns"], item["digest"], paper
                    )
        except (OSError, ValueError, KeyError, TypeError):
            cache.entries.clear()
        return cache

    def lookup(self, path: Path) -> tuple[Paper | None, bytes | None]:
        """(the cached Paper, None) when ``path`` is unchanged, else (None, its bytes)
        for the caller to load and :meth:`store`."""
        key = str(path)
        entry = self.entries.get(key)
        try:
            stat = path.stat()
        except OSError:
            return None, None
        if entry is not None and (entry.size, entry.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            self.hits += 1
            return entry.paper, None
        data = path.read_bytes()
        if entry is not None and entry.digest == content_digest(data):
            entry.size, entry.mtime_ns = stat.st_size, stat.st_mtime_ns
            self.changed = True
            self.hits += 1
            return entry.paper, None
        return None, data

    def store(self, path: Path, data: bytes, paper: Paper) -> None:
        stat = path.stat()
        self.entries[str(path)] = Entry(stat.st_size, stat.st_mtime_ns, content_digest(data), paper)
        self.changed = True

    def keep_only(self, paths: set[str]) -> None:
        """Forget entries whose file is gone."""
        for key in [key for key in self.entries if key not in paths]:
            del self.entries[key]
            self.changed = True

    def save(self) -> None:
        """Write the cache (atomically) if anything changed; errors are ignored."""
        if self.location is None or not self.changed:
            return
        entries = {
            path: {
                "size": entry.size,
                "mtime_ns": entry.mtime_ns,
                "digest": entry.digest,
                "paper": paper_to_json(entry.paper),
            }
            for path, entry in self.entries.items()
        }
        text = json.dumps({"salt": self.salt, "entries": entries}, ensure_ascii=False)
        try:
            self.location.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.location.with_name(f".{self.location.name}.{os.getpid()}")
            temporary.write_text(text, encoding="utf-8")
            temporary.replace(self.location)
            self.changed = False
        except OSError:
            pass


def _field_codecs() -> list[tuple[str, Callable[[Any], Any], Callable[[Any], Any]]]:
    """(name, encode, decode) for each field of Paper, from its declared type. Made
    once: a generic walk over every value made saving and loading 10,000 entries
    take a second of every incremental build. A field of a type not listed here
    fails loudly (add it)."""

    def same(value: Any) -> Any:
        return value

    def optional(
        encode: Callable[[Any], Any], decode: Callable[[Any], Any]
    ) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
        return (
            lambda value: None if value is None else encode(value),
            lambda value: None if value is None else decode(value),
        )

    def links_to(value: Links) -> list[Any]:
        return [getattr(value, name) for name in LINK_FIELDS]

    def links_from(value: list[Any]) -> Links:
        if len(value) != len(LINK_FIELDS):
            raise ValueError("cached links have other fields than Links")
        return Links(*value)

    plain = (same, same)
    codecs: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
        "str": plain,
        "int": plain,
        "str | None": plain,
        "int | None": plain,
        "tuple[str, ...]": (list, tuple),
        "date": (date.isoformat, date.fromisoformat),
        "date | None": optional(date.isoformat, date.fromisoformat),
        "Path | None": optional(str, Path),
        "Links": (links_to, links_from),
    }
    return [(f.name, *codecs[str(f.type)]) for f in fields(Paper)]


LINK_FIELDS = tuple(field.name for field in fields(Links))
_CODECS = _field_codecs()


def paper_to_json(paper: Paper) -> list[Any]:
    """Every field of the Paper, in declaration order."""
    return [encode(getattr(paper, name)) for name, encode, _ in _CODECS]


def paper_from_json(item: list[Any]) -> Paper:
    if not isinstance(item, list) or len(item) != len(_CODECS):
        raise ValueError("cached paper has other fields than Paper")
    return Paper(*[decode(value) for (_, _, decode), value in zip(_CODECS, item, strict=True)])

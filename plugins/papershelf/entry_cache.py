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
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import Any

from papershelf.model import Links, Paper

FORMAT = 1
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


def paper_to_json(paper: Paper) -> dict[str, Any]:
    """Every field of the Paper, whatever fields it gains later (see :func:`_encode`)."""
    return {field.name: _encode(getattr(paper, field.name)) for field in fields(Paper)}


def paper_from_json(item: dict[str, Any]) -> Paper:
    if set(item) != {field.name for field in fields(Paper)}:
        raise ValueError("cached paper has other fields than Paper")
    return Paper(**{name: _decode(value) for name, value in item.items()})


def _encode(value: Any) -> Any:
    """JSON for field values: scalars as they are, the rest as [kind, payload]."""
    if value is None or isinstance(value, str | int):
        return value
    if isinstance(value, date):
        return ["date", value.isoformat()]
    if isinstance(value, tuple):
        return ["tuple", [_encode(item) for item in value]]
    if isinstance(value, Path):
        return ["path", str(value)]
    if isinstance(value, Links):
        return ["links", {field.name: getattr(value, field.name) for field in fields(Links)}]
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _decode(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    kind, payload = value
    if kind == "date":
        return date.fromisoformat(payload)
    if kind == "tuple":
        return tuple(_decode(item) for item in payload)
    if kind == "path":
        return Path(payload)
    if kind == "links":
        return Links(**payload)
    raise ValueError(f"unknown cached value kind {kind!r}")

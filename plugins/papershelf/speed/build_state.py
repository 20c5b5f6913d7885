"""Incremental ``papershelf build``: what the last build made each page from, as digests.

With it the next build of the same site writes only the pages whose digest changed,
still into a staging folder; anything unexpected means a full build.
Details: docs/architecture.md, "Build state".
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import tempfile
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from papershelf.entries.model import Paper
from papershelf.site.publish import FULL_BUILD_NEEDED as FULL_BUILD_NEEDED  # the CLI's name

FORMAT = 1
# Environment of the mkdocs process that `papershelf build` runs (build_tools/build.py).
STATE_IN = "PAPERSHELF_STATE_IN"  # the last build's state: build only what changed
STATE_OUT = "PAPERSHELF_STATE_OUT"  # where to write this build's state
# An incremental or quick build that would change more than this share of the pages
# (and more than 100) builds everything instead: a clean build is faster then.
MOST_PAGES = 0.3


class _DigestPickler(pickle.Pickler):
    """Pickles a key with each paper replaced by its digest (see :class:`Digester`)."""

    def __init__(self, out: io.BytesIO, paper: Callable[[Paper], bytes]) -> None:
        super().__init__(out, protocol=5)
        self.paper = paper

    def persistent_id(self, obj: Any) -> bytes | None:
        return self.paper(obj) if type(obj) is Paper else None


def paper_digest(paper: Paper) -> bytes:
    """Every field of a paper (repr is exact for its strings, dates, ints and tuples)."""
    return hashlib.blake2b(repr(paper).encode(), digest_size=16).digest()


def entry_fingerprint(path: str, digest: str) -> bytes:
    """A paper as the entry file it was loaded from: its path and the digest of its
    contents. Loading is a function of those (the vocabulary and papershelf's code
    are part of every page's key or the build's), and a quick rebuild has the digests
    without loading the papers (papershelf.speed.quick)."""
    return hashlib.blake2b(f"{path}\0{digest}".encode(), digest_size=16).digest()


class Digester:
    """Digests of keys; papers shared by many keys are digested once. ``token``: what
    stands for a paper (:func:`entry_fingerprint`; else a digest of its fields)."""

    def __init__(self, token: Callable[[Any], bytes | None] | None = None) -> None:
        self._papers: dict[int, tuple[Paper, bytes]] = {}
        self._token = token

    def __call__(self, key: Hashable) -> str:
        """Digest of any key, papers anywhere in it included."""
        return _digest(key, lambda out: _DigestPickler(out, self.paper))

    def paper(self, paper: Paper) -> bytes:
        known = self._papers.get(id(paper))
        if known is None:  # the paper is kept with it: its id cannot be reused
            token = self._token(paper) if self._token is not None else None
            known = self._papers[id(paper)] = (paper, token or paper_digest(paper))
        return known[1]

    @staticmethod
    def plain(key: Hashable) -> str:
        """Digest of a key without papers (papers replaced by :meth:`paper`): no
        Python call per object pickled, three times faster on page keys."""
        return _digest(key, lambda out: pickle.Pickler(out, protocol=5))


def _digest(key: Hashable, pickler: Callable[[io.BytesIO], pickle.Pickler]) -> str:
    """blake2b of ``key`` pickled in ``fast`` mode: no memo, so equal values give equal
    bytes whatever objects they happen to share."""
    out = io.BytesIO()
    writer = pickler(out)
    writer.fast = True
    writer.dump(key)
    return hashlib.blake2b(out.getvalue(), digest_size=16).hexdigest()


@dataclass
class BuildState:
    """What one build produced: see the module docstring."""

    inputs: str  # digest of what the CLI checks before it builds (build_tools/build.py)
    shared: list[str]  # digests of what every page is made from (page_fingerprints)
    pages: dict[str, str] = field(default_factory=dict)  # URL -> digest of its key
    feeds: dict[str, str] = field(default_factory=dict)  # feed folder -> digest
    stamp: list[int] = field(default_factory=list)  # site/sitemap.xml: size, mtime_ns
    snapshot: str = (
        ""  # id of the snapshot this build left for quick rebuilds (papershelf.speed.snapshot)
    )

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "inputs": self.inputs,
                "shared": self.shared,
                "pages": self.pages,
                "feeds": self.feeds,
                "stamp": self.stamp,
                "snapshot": self.snapshot,
            },
            sort_keys=True,
        )

    @classmethod
    def read(cls, path: Path) -> BuildState | None:
        """The state at ``path``, or None if there is none usable (a state is never
        worth failing a build for: the build is then a full one)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                return None
            pages, feeds = _digests(data["pages"]), _digests(data["feeds"])
            stamp = [int(n) for n in data.get("stamp", [])]
            shared = [str(part) for part in data["shared"]]
            snapshot = str(data.get("snapshot", ""))
            return cls(str(data["inputs"]), shared, pages, feeds, stamp, snapshot)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write(self, path: Path) -> None:
        """Atomically (a reader never sees half a state)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_text(self.to_json(), encoding="utf-8")
        temporary.replace(path)


def _digests(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValueError("not a mapping of names to digests")
    return value


def state_location(project_root: Path, site_dir: Path) -> Path:
    """``<user cache>/papershelf/<project>-<hash>/site-<hash of the site path>.json``."""
    from papershelf.speed.entry_cache import default_location

    tag = hashlib.blake2b(str(site_dir.resolve()).encode(), digest_size=8).hexdigest()
    return default_location(project_root).parent / f"site-{tag}.json"


def site_signature(site_dir: Path) -> list[int]:
    """Size and time of the sitemap every build writes last-but-one: another tool that
    rebuilt or replaced the site changes it."""
    try:
        stat = (site_dir / "sitemap.xml").stat()
    except OSError:
        return []
    return [stat.st_size, stat.st_mtime_ns]


def write_outputs(site_dir: Path, outputs: Mapping[str, bytes]) -> None:
    """Write generated files (path relative to the site root -> bytes) into site_dir."""
    for relative, data in outputs.items():
        path = site_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def staging_folder(site_dir: Path) -> Path:
    """A new empty folder beside ``site_dir`` (same file system: its files are moved
    into the site by renames), hidden and named after it (.gitignore: .site-*/)."""
    return Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-new-", dir=site_dir.parent))


def removed_pages(previous: Iterable[str], current: Mapping[str, str]) -> list[str]:
    return sorted(set(previous) - set(current))

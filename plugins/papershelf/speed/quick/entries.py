"""The entry files as a site was built from them and as they are now (papershelf.speed.quick)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from papershelf.entries.loader import load_entry
from papershelf.entries.model import Paper
from papershelf.speed.entry_cache import (
    Entry,
    content_digest,
    read_entry_file,
    read_papers,
    read_stats,
    write_entries,
)
from papershelf.speed.quick.edits import Edit, NotQuickError
from papershelf.speed.snapshot import Snapshot


class EntryVersions:
    """The entry files as this site was built from them (the snapshot) and as they are
    now, and the entry cache for their papers: which files changed, their papers
    before and after, and the papers of the pages to rebuild.

    The entry cache is shared by every site built from the project and by ``make
    serve``, so it may hold a later version of an entry than this site was built
    from: a paper is read from it only when its digest is the one this site was
    built from (else the build goes through mkdocs, which compares page digests)."""

    def __init__(self, location: Path, cache_salt: str, snapshot: Snapshot) -> None:
        self.location = location
        self.validation_key = cache_salt
        stats = read_stats(location, cache_salt)
        if stats is None:
            raise NotQuickError("no entry cache")
        self.cached = stats
        self.paths: Sequence[str] = snapshot.paths
        self._numbers: dict[str, int] | None = None
        self.built = snapshot.entries  # by paper number: size, time, digest
        self.to_save: dict[str, Entry] = {}
        self.built_now: dict[int, list[Any]] = {}  # what this build is made from
        self.edited: dict[int, Paper] = {}

    def changed_files(self, papers_dir: Path) -> list[tuple[int, Path]]:
        """Entry files whose contents, size or time differ from this site's last build
        (the same files as papershelf.entries.loader.entry_files, without a Path object for
        each). Every file is read and hashed: an edit may keep both size and time
        (``touch -r``, a checkout, a restored backup); 0.1 s at 10,000 entries."""
        folder = str(papers_dir)
        try:
            with os.scandir(folder) as scan:  # entry.path: the folder joined with the name
                found = {e.path for e in scan if e.is_file() and not e.name.startswith(".")}
        except OSError as error:
            raise NotQuickError(f"cannot list {papers_dir}: {error}") from None
        if len(found) != len(self.paths) or found != set(self.paths):
            raise NotQuickError("entries were added, removed or renamed")
        changed: list[tuple[int, Path]] = []
        for number, path in enumerate(self.paths):
            try:
                data, size, mtime_ns = read_entry_file(path)
            except OSError as error:
                raise NotQuickError(f"cannot read {path}: {error}") from None
            size_then, mtime_then, digest_then = self.built[number][:3]
            if (size, mtime_ns) != (size_then, mtime_then) or content_digest(data) != digest_then:
                changed.append((number, Path(path)))
        return changed

    def edits(self, changed: list[tuple[int, Path]], vocabulary: Any) -> list[Edit]:
        """Load the changed entries; refuse when one has problems (the full build
        reports them) or moves its paper (:func:`placement`)."""
        before = self.papers([number for number, _ in changed])
        found: list[Edit] = []
        for number, path in changed:
            try:
                info = path.stat()
                data = path.read_bytes()
            except OSError as error:
                raise NotQuickError(f"cannot read {path}: {error}") from None
            digest = content_digest(data)
            old = before[number]
            self.built_now[number] = [info.st_size, info.st_mtime_ns, digest]
            if digest == self.built[number][2]:  # touched (a checkout): same contents
                self.to_save[str(path)] = Entry(info.st_size, info.st_mtime_ns, digest, old)
                continue
            paper, problems = load_entry(path, vocabulary, data)
            if problems or paper is None:
                raise NotQuickError(f"{path} has problems")
            if paper.slug != old.slug:
                raise NotQuickError(f"the edit of {path} moves its page to another address")
            self.to_save[str(path)] = Entry(info.st_size, info.st_mtime_ns, digest, paper)
            if paper != old:
                found.append((number, old, paper))
                self.edited[number] = paper
        return found

    def papers(self, numbers: Iterable[int]) -> dict[int, Paper]:
        """The papers at these numbers: edited ones as they are now, the others as
        this site was built from them."""
        asked = set(numbers)
        wanted = sorted(asked - set(self.edited))
        paths = [self.paths[n] for n in wanted]
        for number, path in zip(wanted, paths, strict=True):
            cached = self.cached.get(path)
            if cached is None or cached[2] != self.built[number][2]:
                raise NotQuickError(f"the entry cache has another version of {path}")
        by_path = read_papers(self.location, self.validation_key, paths)
        if by_path is None or len(by_path) != len(set(paths)):
            raise NotQuickError("papers missing from the entry cache")
        found = {n: by_path[self.paths[n]] for n in wanted}
        found.update((n, paper) for n, paper in self.edited.items() if n in asked)
        return found

    def number(self, path: str) -> int:
        """The paper number of an entry file."""
        if self._numbers is None:
            self._numbers = {path: n for n, path in enumerate(self.paths)}
        return self._numbers[path]

    def digest(self, number: int) -> str:
        """The digest of an entry file's contents as this build makes it."""
        now = self.built_now.get(number)
        return now[2] if now is not None else self.built[number][2]

    def save(self) -> None:
        if self.to_save:
            write_entries(self.location, self.validation_key, self.to_save)

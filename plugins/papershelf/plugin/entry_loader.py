"""Every entry of a build, loaded and validated through the entry cache, and the
reading paths through them."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from mkdocs.exceptions import PluginError

from papershelf.entries.collections import Collection, entry_slugs, load_collections
from papershelf.entries.loader import LoadResult, in_order, load_project
from papershelf.plugin.run_mode import RunMode
from papershelf.speed.entry_cache import (
    Entry,
    EntryCache,
    caches_ignored,
    default_location,
    validation_key,
)
from papershelf.speed.forking import in_two_processes


class EntryLoader:
    """Loads the entries of each build (the parsing forked in two in a build). The
    entry cache is kept in memory across ``mkdocs serve`` rebuilds and saved when it
    shuts down; a build saves it at its end, or its helper does (:meth:`save`)."""

    def __init__(self, mode: RunMode) -> None:
        self.parse_many = in_two_processes if mode.forks else in_order
        self.saved_at_shutdown = mode.serving
        self.cache: EntryCache | None = None
        self._unsaved: EntryCache | None = None  # this build's changes

    def load(
        self,
        papers_dir: Path,
        tags_file: Path,
        *,
        project: Path | None,
        collections_dir: Path | None = None,
    ) -> tuple[LoadResult, list[Collection]]:
        """The papers and vocabulary, and the reading paths in ``collections_dir`` (none
        without it or when it is missing); a PluginError lists every problem of every
        entry and path (raised before mkdocs empties the site folder: a bad entry never
        destroys the last good site). With the ``project`` folder, through its entry
        cache."""
        cache = self._cache(project, tags_file) if project is not None else None
        result = load_project(papers_dir, tags_file, cache=cache, parse_many=self.parse_many)
        self._unsaved = cache if cache is not None and cache.changed else None
        collections, path_problems = (
            load_collections(collections_dir, entry_slugs(papers_dir))
            if collections_dir is not None
            else ([], [])
        )
        problems = [*result.problems, *path_problems]
        if problems:
            lines = "\n".join(str(problem) for problem in problems)
            count = len(problems)
            where = "the entries" if not path_problems else "the entries and reading paths"
            raise PluginError(
                f"papershelf: {count} problem{'' if count == 1 else 's'} in {where}:\n{lines}"
            )
        return result, collections

    def known(self) -> Mapping[str, Entry]:
        """The entry files of the last load, by path (size, time, digest)."""
        return self.cache.entries if self.cache is not None else {}

    def save(self) -> bool:
        """Save what this build changed (not under ``mkdocs serve``: see :meth:`close`);
        whether anything was saved. May run in a forked helper: the caller then tells
        this process with :meth:`saved_elsewhere`."""
        unsaved, self._unsaved = self._unsaved, None
        if unsaved is None or self.saved_at_shutdown:
            return False
        unsaved.save()
        return True

    def saved_elsewhere(self) -> None:
        self._unsaved = None

    def close(self) -> None:
        if self.saved_at_shutdown and self.cache is not None and self.cache.changed:
            self.cache.save()

    def _cache(self, root: Path, tags_file: Path) -> EntryCache:
        """The cache in memory if it still fits, else read from the user's cache folder;
        a new one when the vocabulary or the validating code changed. With
        PAPERSHELF_NO_CACHE (papershelf build --clean) nothing is read: every entry is
        parsed, and the new cache replaces the old."""
        current = validation_key(tags_file)
        if caches_ignored():
            self.cache = EntryCache(current, default_location(root))
        elif self.cache is None or self.cache.validation_key != current:
            self.cache = EntryCache.open(default_location(root), current)
        return self.cache

"""The feeds of a build (papershelf.site.feeds); in a rebuild only those that changed.

Feed readers fetch every feed of a site again and again: an unchanged feed should keep
its file. A ``--dirty`` rebuild writes only the feeds made from something else than
last time, compared in memory under ``mkdocs serve`` and by digest (kept in the build
state) in an incremental ``papershelf build``.

The feeds may be written in a forked helper (papershelf.speed.shell_pages): so
:meth:`FeedWriter.write` changes nothing in the writer and returns what it did
(:class:`FeedsWritten`), and the process that goes on applies it with
:meth:`FeedWriter.remember`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from papershelf.plugin.run_mode import RunMode
from papershelf.site.catalog import Catalog
from papershelf.site.feeds import Feed, Site, feed_source, render_all
from papershelf.speed.build_state import write_outputs
from papershelf.speed.timing import stage

log = logging.getLogger("mkdocs.plugins.papershelf")


def feed_inputs(catalog: Catalog, site: Site, length: int) -> Hashable:
    """What the feeds are made of: the newest papers of the site and of every tag, and
    every reading path with its papers."""
    tags = tuple((tag, tuple(catalog.by_tag.get(tag, [])[:length])) for tag in catalog.tags)
    paths = tuple((path, tuple(catalog.path_papers(path))) for path in catalog.collections)
    return (site, length, tuple(catalog.tags.items()), tuple(catalog.papers[:length]), tags, paths)


@dataclass(frozen=True)
class FeedsWritten:
    """What :meth:`FeedWriter.write` did: ``digests`` (feed folder -> digest of what it
    is made from) go into the build state; under ``mkdocs serve`` the next rebuild
    compares with ``made_from`` and ``sources`` (not kept otherwise: they hold papers,
    and a helper would send them back for nothing)."""

    files: int
    digests: dict[str, str] = field(default_factory=dict)
    made_from: Hashable = None
    sources: dict[str, Hashable] = field(default_factory=dict)


class FeedWriter:
    """Writes the feeds of each build: all of them, or in a ``--dirty`` rebuild those
    made from something else than in the last build (``previous_digests``: the last
    build's state; ``digest`` makes them for this build's state)."""

    def __init__(
        self,
        mode: RunMode,
        digest: Callable[[Hashable], str] | None,
        previous_digests: Mapping[str, str] | None,
    ) -> None:
        self.dirty = mode.dirty
        self.in_memory = mode.rebuilds_in_memory  # compared with the last rebuild
        self.digest = digest
        self.previous_digests = previous_digests
        self.last = FeedsWritten(files=0)  # under mkdocs serve: the last rebuild's

    def write(
        self, catalog: Catalog, site: Site, length: int, site_dir: Path
    ) -> FeedsWritten | None:
        """Write the feeds that changed; None when none can have (the inputs of every
        feed are those of the last rebuild)."""
        made_from = feed_inputs(catalog, site, length) if self.in_memory else None
        if self.dirty and made_from is not None and made_from == self.last.made_from:
            return None
        digests: dict[str, str] = {}
        sources: dict[str, Hashable] = {}
        last_sources = self.last.sources

        def changed(feed: Feed, updated_if_empty: datetime) -> bool:
            source = feed_source(feed, site, catalog.tags, updated_if_empty)
            if self.digest is not None:
                digest = digests[feed.folder] = self.digest(source)
                previous = self.previous_digests
                return previous is None or previous.get(feed.folder) != digest
            if self.in_memory:
                sources[feed.folder] = source
            return not self.dirty or last_sources.get(feed.folder) != source

        with stage("feeds"):
            outputs = render_all(catalog, site, length, wanted=changed)
            write_outputs(site_dir, outputs)
        log.info("papershelf: wrote %d feed files", len(outputs))
        return FeedsWritten(len(outputs), digests, made_from, sources)

    def remember(self, written: FeedsWritten | None) -> None:
        """What the next rebuild compares with."""
        if written is not None and self.in_memory:
            self.last = written

    def forget(self) -> None:
        """After a failed build: the next one writes every feed."""
        self.last = FeedsWritten(files=0)

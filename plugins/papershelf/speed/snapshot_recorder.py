"""The mkdocs side of the snapshot (papershelf.speed.snapshot): what a ``papershelf build`` records
for the quick rebuilds after it. Only the plugin calls this."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig

from papershelf.entries.model import Paper
from papershelf.site.catalog import Catalog
from papershelf.site.feeds import EMPTY_SITE_UPDATED, Site, entry_datetime
from papershelf.site.pages import PageSpec
from papershelf.site.search import numbered
from papershelf.speed.placements import placement_row
from papershelf.speed.snapshot import (
    Card,
    ShellKey,
    Snapshot,
    SnapshotError,
    SnapshotReader,
    Variant,
    file_signatures,
    identities,
    numbered_catalog,
    snapshot_path,
    update_snapshot,
    write_snapshot,
)
from papershelf.speed.theme_shells import Shell

log = logging.getLogger("mkdocs.plugins.papershelf")
PACKAGE = Path(__file__).parent.parent  # all of papershelf


def entry_stat(entries: Mapping[str, Any], paper: Paper) -> list[Any] | None:
    """Size, time and digest of the entry file a paper was loaded from in this build
    (``entries``: the entry cache's, papershelf.speed.entry_cache.Entry by path)."""
    entry = entries.get(str(paper.source))
    return None if entry is None else [entry.size, entry.mtime_ns, entry.digest]


def watched_inputs(
    config: MkDocsConfig, papers_dir: Path, tags_file: Path, collections_dir: Path | None = None
) -> list[Path]:
    """What hand-written pages are made from, besides mkdocs.yml and the installed
    packages (both checked by the CLI): the docs folder, theme overrides, the
    vocabulary, the reading paths (a quick build does not make their pages, feeds or
    the paper pages that name them: any change is a full build) and everything under
    ``watch`` (as ``mkdocs serve`` sees it), but not the entries (compared one by one)
    nor papershelf's own templates (its code)."""
    found = [Path(config.docs_dir).resolve(), tags_file.resolve()]
    if collections_dir is not None:
        found.append(collections_dir.resolve())
    if config.theme.custom_dir:
        found.append(Path(config.theme.custom_dir).resolve())
    for path in config.watch:
        resolved = Path(path).resolve()
        if resolved == papers_dir.resolve() or resolved.is_relative_to(PACKAGE):
            continue
        found.append(resolved)
    return sorted(set(found))


class SnapshotRecorder:
    """Collects the snapshot during one build and writes it at the end.

    Recording is off (no snapshot, so rebuilds go through mkdocs) when another plugin
    takes part in the build: the quick rebuild could not run it."""

    def __init__(self, state_out: Path, previous_state: Path | None, config: MkDocsConfig) -> None:
        self.location = snapshot_path(state_out)
        self.previous = snapshot_path(previous_state) if previous_state is not None else None
        self.build_id = os.urandom(8).hex()
        others = [name for name in config.plugins if name != "papershelf"]
        self.enabled = not others
        if others:
            log.info("papershelf: plugins %s take part: no quick rebuilds", ", ".join(others))
        self.watched: list[Path] = []
        self.watched_signatures: list[list[Any]] = []
        self.fragments: dict[str, str] = {}  # by URL: what the plugin made of a page
        self.splits: dict[str, tuple[str, str]] = {}
        self.made: set[str] = set()  # URLs of the pages made through the theme

    def watch(self, paths: list[Path]) -> None:
        """Stamp the hand-written inputs before mkdocs reads them."""
        self.watched = paths
        self.watched_signatures = file_signatures(paths)

    def fragment(self, url: str, body: str) -> None:
        """What the plugin made of a page that goes through the theme: a generated
        page's body, or the recent additions after a hand-written home page."""
        self.fragments[url] = body

    def page_written(self, url: str, output: str) -> None:
        """A page as mkdocs wrote it: kept cut around the plugin's part of it, when
        that part is there once."""
        fragment = self.fragments.pop(url, None)
        if fragment and output.count(fragment) == 1:
            before, after = output.split(fragment)
            self.splits[url] = (before, after)

    def search_written(self, known: Mapping[str, Any]) -> None:
        """The search index this build put in the site (papershelf.speed.search_patch.known_files),
        told to the snapshot when the index is in place (after the snapshot was written)."""
        if not self.location.is_file():
            return
        try:
            update_snapshot(self.location, values={"search_files": known})
        except SnapshotError as error:
            log.info("papershelf: the snapshot does not know the search index: %s", error)

    def _last_kit(
        self, digests: Mapping[str, str]
    ) -> tuple[
        dict[ShellKey, dict[Variant, Shell] | None],
        dict[str, tuple[str, str]],
        dict[tuple[str, int, bool], Card],
    ]:
        """What a ``--dirty`` build keeps of the last snapshot: its shells, the splits of the
        pages it did not make again, and the cards of entries with the same contents
        (``digests``: entry path -> digest of its contents now), by path, level, added."""
        if self.previous is None:
            return {}, {}, {}
        try:
            reader = SnapshotReader(self.previous)
        except SnapshotError:
            return {}, {}, {}
        try:
            splits = {
                url: split for url, split in reader.snapshot.splits.items() if url not in self.made
            }
            cards = {
                card[:3]: card for card in reader.all_cards() if digests.get(card[0]) == card[3]
            }
            return dict(reader.snapshot.shells), splits, cards
        except SnapshotError:
            return {}, {}, {}
        finally:
            reader.close()

    def write(
        self,
        *,
        options: Mapping[str, Any],
        site: dict[str, str],
        feed_site: Site,
        catalog: Catalog,
        entries: Mapping[str, Any],
        specs: Iterable[tuple[PageSpec, str]],
        handwritten: Iterable[str],
        linked: Iterable[str],
        nav: Iterable[str],
        shells: Mapping[tuple[int, str], Mapping[tuple[bool, bool], Shell] | None],
        cards: Mapping[tuple[Paper, int, bool], str],
        dirty: bool,
    ) -> bool:
        """Write the snapshot; False (and no snapshot) if a spec holds what it cannot keep.
        A ``--dirty`` build made only the shells its pages needed, and went through
        the theme only for the pages that changed: the other shells and splits come
        from the last snapshot (same theme and site, or the build would not be dirty; a
        page not made again is made from what it was made from before), and so do
        the cards of the entries it did not show (same contents, same card)."""
        self.location.unlink(missing_ok=True)
        if not self.enabled:
            return False
        # Papers are numbered as the search index numbers them (by slug): an edit
        # that moves a paper up or down the list keeps every number.
        papers = numbered(catalog.papers)
        stats = [entry_stat(entries, paper) for paper in papers]
        digests = {
            str(paper.source): stat[2]
            for paper, stat in zip(papers, stats, strict=True)
            if stat is not None
        }
        kept, splits, made_cards = self._last_kit(digests) if dirty else ({}, {}, {})
        for (paper, level, added), html in cards.items():
            path = str(paper.source)
            if path in digests:
                made_cards[(path, level, added)] = (path, level, added, digests[path], html)
        splits.update(self.splits)
        specs = list(specs)
        through_theme = {spec.url for spec, how in specs if how != "shell"}
        for key, variants in shells.items():
            if variants is None:
                kept[key] = None
            else:
                kept[key] = {**(kept.get(key) or {}), **variants}
        newest = max(map(entry_datetime, catalog.papers), default=EMPTY_SITE_UPDATED)
        number = {id(paper): n for n, paper in enumerate(papers)}
        snapshot = Snapshot(
            build_id=self.build_id,
            watched=[str(path) for path in self.watched],
            watched_signatures=self.watched_signatures,
            options=dict(options),
            site=dict(site),
            feed_site=asdict(feed_site),
            newest=newest.isoformat(),
            paths=[str(paper.source) for paper in papers],
            identities=[identities(paper) for paper in papers],
            entries=stats,
            catalog=numbered_catalog(catalog, number),
            linked=sorted(linked),
            handwritten=sorted(handwritten),
            nav=sorted(nav),
            shells=kept,
            splits={url: split for url, split in splits.items() if url in through_theme},
        )
        try:
            if any(stat is None for stat in snapshot.entries):
                raise SnapshotError("an entry is missing from the entry cache")
            placements = [placement_row(paper) for paper in papers]
            write_snapshot(
                self.location,
                snapshot,
                specs,
                number,
                placements,
                made_cards.values(),
                related_terms=catalog.related_terms,
            )
        except SnapshotError as error:
            log.info("papershelf: no quick rebuilds after this build: %s", error)
            self.location.unlink(missing_ok=True)
            return False
        return True

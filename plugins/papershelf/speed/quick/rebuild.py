"""A quick build from start to end: see papershelf.speed.quick."""

from __future__ import annotations

import gc
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from papershelf.entries.loader import future_added
from papershelf.entries.vocabulary import load_vocabulary
from papershelf.site.publish import publish
from papershelf.speed.build_state import (
    BuildState,
    site_signature,
    staging_folder,
    write_outputs,
)
from papershelf.speed.entry_cache import default_location, validation_key
from papershelf.speed.quick.edits import (
    Edit,
    NotQuickError,
    check_identities,
    check_paths,
    new_citation_keys,
    related_frequencies,
)
from papershelf.speed.quick.entries import EntryVersions
from papershelf.speed.quick.moving import Moves
from papershelf.speed.quick.site import SiteParts
from papershelf.speed.snapshot import (
    Card,
    SnapshotError,
    SnapshotReader,
    file_signatures,
    identities,
    snapshot_path,
    update_snapshot,
)
from papershelf.speed.timing import stage


@dataclass(frozen=True)
class Outcome:
    """What a quick build wrote."""

    entries: int  # entries whose contents changed
    pages: int
    feeds: int  # feed files
    search_patched: bool

    def __str__(self) -> str:
        if not self.entries:
            return "nothing changed"
        entries = f"{self.entries} entr{'y' if self.entries == 1 else 'ies'} changed"
        written = f"{self.pages} page{'s' if self.pages != 1 else ''}"
        written += f" and {self.feeds} feed file{'s' if self.feeds != 1 else ''} rewritten"
        return f"{entries}: {written}" + (", search index patched" if self.search_patched else "")


def rebuild(config_file: Path, site_dir: Path, state_path: Path, state: BuildState) -> Outcome:
    """Rebuild ``site_dir`` after edits of a few entries, or raise :class:`NotQuickError`.

    ``state`` is the last build's, already checked by the CLI against mkdocs.yml,
    the installed versions and the site folder (build_tools/build.py). Updates the
    state and the entry cache when it succeeds."""
    if not state.snapshot:
        raise NotQuickError("the last build left no snapshot")
    try:
        reader = SnapshotReader(snapshot_path(state_path))
    except SnapshotError as error:
        raise NotQuickError(f"no usable snapshot ({error})") from None
    # A short run that makes few cycles: the cyclic collector would walk the lists
    # of 10,000 papers again and again (and in a forked helper, copy their memory).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _rebuild(reader, config_file, site_dir, state_path, state)
    except SnapshotError as error:
        raise NotQuickError(str(error)) from None
    finally:
        reader.close()
        if collecting:
            gc.enable()


def _rebuild(
    reader: SnapshotReader, config_file: Path, site_dir: Path, state_path: Path, state: BuildState
) -> Outcome:
    snapshot = reader.snapshot
    if snapshot.build_id != state.snapshot:
        raise NotQuickError("the snapshot is another build's")
    if file_signatures(Path(path) for path in snapshot.watched) != snapshot.watched_signatures:
        raise NotQuickError("a hand-written page, the vocabulary or a watched file changed")
    root = config_file.parent
    papers_dir = root / snapshot.options["papers_dir"]
    tags_file = root / snapshot.options["tags_file"]
    with stage("load"):
        entries = EntryVersions(default_location(root), validation_key(tags_file), snapshot)
        changed = entries.changed_files(papers_dir)
        if not changed:
            return Outcome(0, 0, 0, False)
        vocabulary, problems = load_vocabulary(tags_file)
        if problems:
            raise NotQuickError("the vocabulary has problems")
        edits = entries.edits(changed, vocabulary)
        if not edits:  # touched, not changed
            entries.save()
            _update_kit(
                state_path, state, {"entries": _changed(snapshot.entries, entries.built_now)}
            )
            state.write(state_path)
            return Outcome(0, 0, 0, False)
        check_identities(snapshot.identities, edits)
        cite_keys = new_citation_keys(snapshot.identities, snapshot.catalog["citation_keys"], edits)
        check_paths(snapshot.catalog["on_paths"], edits)
        frequencies = None
        if snapshot.options.get("related_papers", 0) > 0:
            count = len(snapshot.catalog["papers"])
            frequencies = related_frequencies(
                lambda: dict(reader.part("related_terms")), count, edits
            )
        # The checks of the whole list (papershelf.entries.loader.load_project) that the edited
        # entries alone can fail; the full build reports them.
        if future_added((new for _, _, new in edits), date.today()):
            raise NotQuickError("an added date is in the future")
    with stage("catalog"):
        moves = Moves.of(reader, vocabulary.tags, edits)
    site = SiteParts(snapshot, vocabulary.tags, reader, edits, entries, moves, cite_keys)
    with stage("pages"):
        outputs, pages = site.pages(state.pages)
    with stage("feeds"):
        feeds, feed_digests = site.feeds(state.feeds)
    with stage("exports"):
        try:
            downloads = site.exports(site_dir)
        except (OSError, ValueError) as error:  # a download missing or changed by hand
            raise NotQuickError(f"the downloads cannot be patched: {error}") from None
    staging = staging_folder(site_dir)
    try:
        with stage("search"):
            patched = site.search(site_dir, staging)
        with stage("write"):
            sitemaps = site.sitemaps()
            write_outputs(staging, {**outputs, **feeds, **downloads, **sitemaps})
            try:
                removed = sorted(site.removed)
                publish(staging, site_dir, removed, owned=("search",) if patched else ())
            except BaseException:
                state_path.unlink(missing_ok=True)  # a site half merged: the next build is full
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    with stage("state"):
        if sitemaps:  # written again
            state.stamp = site_signature(site_dir)
        searched = site.search_files(site_dir)
        _remember(
            reader,
            state_path,
            state,
            entries,
            edits,
            moves,
            site,
            pages,
            feed_digests,
            searched,
            frequencies,
        )
    return Outcome(len(edits), len(outputs), len(feeds), patched)


def _remember(
    reader: SnapshotReader,
    state_path: Path,
    state: BuildState,
    entries: EntryVersions,
    edits: list[Edit],
    moves: Moves | None,
    site: SiteParts,
    pages: dict[str, str],
    feeds: dict[str, str],
    searched: dict[str, Any] | None,
    frequencies: dict[str, int] | None,
) -> None:
    """The entry cache, the snapshot and the state after a quick build: what the next
    build compares with (``frequencies``: the terms' for related papers, if changed)."""
    entries.save()
    snapshot = reader.snapshot
    values: dict[str, Any] = {"entries": _changed(snapshot.entries, entries.built_now)}
    renamed = {n: identities(new) for n, old, new in edits if identities(old) != identities(new)}
    if renamed:
        values["identities"] = _changed(snapshot.identities, renamed)
    if moves is not None:
        values["placements"] = moves.rows
        values["catalog"] = moves.hollow
        values["newest"] = moves.newest.isoformat()
    if site.citation_keys != snapshot.catalog["citation_keys"]:
        values["catalog"] = {**values.get("catalog", snapshot.catalog)}
        values["catalog"]["citation_keys"] = site.citation_keys
    if searched is not None:
        values["search_files"] = searched
    if frequencies is not None:
        values["related_terms"] = frequencies
    if site.dependents:
        values["dependents"] = _changed(reader.part("dependents"), site.dependents)
    if site.added or site.removed:
        values["page_index"] = site.page_index()
        gone = set(site.removed.values())
        shown = [page for page in reader.part("catalog_pages") if page not in gone]
        values["catalog_pages"] = [*shown, *site.added_with_catalog]
    removed = sorted(site.removed.values())
    _update_kit(state_path, state, values, site.kit_pages, site.kit_cards, removed)
    for url in site.removed:
        state.pages.pop(url, None)
    state.pages.update(pages)
    state.feeds.update(feeds)
    state.write(state_path)


def _changed(values: list[Any], changes: dict[int, Any]) -> list[Any]:
    """A copy of a list of the snapshot with the items at these indexes changed."""
    found = list(values)
    for index, value in changes.items():
        found[index] = value
    return found


def _update_kit(
    state_path: Path,
    state: BuildState,
    values: dict[str, Any],
    pages: dict[int, str] | None = None,
    cards: Sequence[Card] = (),
    removed: Sequence[int] = (),
) -> None:
    """The snapshot follows what this build was made from (snapshot.update_snapshot);
    if it cannot, the state stops naming it, and the next build goes through mkdocs."""
    try:
        update_snapshot(
            snapshot_path(state_path), values=values, pages=pages, cards=cards, removed=removed
        )
    except SnapshotError:
        state.snapshot = ""

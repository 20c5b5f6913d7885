"""Publishing a staged build into ``site/``: all of it or none of it.

A move can fail part-way, and a site left half old and half new is worse than either: every
step is undone if a later one fails, and the error says which path failed and why.
Details: docs/architecture.md, "Publishing a build".
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterable
from pathlib import Path

from papershelf.site.exports import PAPER_BIBTEX, PAPER_CSL_JSON

# Written into the staging folder when an incremental build finds it must build
# everything after all: never published.
FULL_BUILD_NEEDED = ".papershelf-full-build-needed"
STAGING_PREFIX = "-new-"  # .site-new-XXXX: a build's staging folder
BACKUP_PREFIX = "-old-"  # .site-old-XXXX: what a publication replaced, until it is done
# The files of a page's folder that go with the page: a paper's own downloads too, and
# the feeds and folder sitemap of a reading path or tag that is gone (site.feeds' RSS_FILE,
# ATOM_FILE, JSON_FILE and site.sitemaps' SITEMAP_FILE, named here so that a build
# does not import them: tests/site/test_collection_pages.py checks they are the same).
FOLDER_FEEDS = ("feed.xml", "atom.xml", "feed.json", "sitemap.xml")
PAGE_FILES = ("index.html", PAPER_BIBTEX, PAPER_CSL_JSON, *FOLDER_FEEDS)
# The site's sitemap index and the glob of its shards (site.sitemaps' SITEMAP_FILE and
# SHARD_GLOB, named here too; tests/site/test_sitemaps.py checks). A build that writes
# the index writes every shard it lists: a shard it did not write is stale and goes
# (the list shrank), so the site is the one a clean build makes.
SITEMAP_INDEX = "sitemap.xml"
SITEMAP_SHARDS = "sitemap-[0-9]*.xml"


class PublishError(Exception):
    """The staged build could not be moved into the site; the site is as it was."""


class Publication:
    """Steps that change ``site``, each with its undo; :meth:`rollback` undoes them."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self._backup: Path | None = None
        self._undo: list[Callable[[], None]] = []

    def _aside(self) -> Path:
        """A fresh name in the backup folder (beside the site: same file system)."""
        if self._backup is None:
            self._backup = Path(
                tempfile.mkdtemp(prefix=f".{self.site.name}{BACKUP_PREFIX}", dir=self.site.parent)
            )
        return self._backup / str(len(self._undo))

    def make_folders(self, folder: Path) -> None:
        """``folder`` and its missing parents; a file in the way is an error."""
        missing = []
        while not folder.is_dir():
            missing.append(folder)
            folder = folder.parent
        for made in reversed(missing):
            made.mkdir()
            self._undo.append(made.rmdir)

    def move_file(self, source: Path, target: Path) -> None:
        """``source`` replaces ``target`` in one rename: a reader sees either file."""
        if target.is_dir() and not target.is_symlink():
            raise IsADirectoryError(21, "a folder is where a file should go", str(target))
        if target.exists() or target.is_symlink():
            kept = self._aside()
            try:
                os.link(target, kept, follow_symlinks=False)
            except OSError:  # no hard links here: a copy does as well
                shutil.copy2(target, kept, follow_symlinks=False)
            source.replace(target)
            self._undo.append(lambda: kept.replace(target))
        else:
            source.replace(target)
            self._undo.append(lambda: target.unlink(missing_ok=True))

    def move_folder(self, source: Path, target: Path) -> None:
        """A whole staged folder where there was none."""
        source.replace(target)
        self._undo.append(lambda: shutil.rmtree(target, ignore_errors=True))

    def remove(self, path: Path) -> None:
        """Move a file or folder out of the site, to be deleted when all went well."""
        kept = self._aside()
        path.replace(kept)
        self._undo.append(lambda: kept.replace(path))

    def rollback(self) -> None:
        """Undo every step, newest first; what cannot be undone is left to the next
        full build (the caller forgets the build state)."""
        for step in reversed(self._undo):
            with contextlib.suppress(OSError):
                step()
        self._undo.clear()
        self._discard_backup()

    def commit(self) -> None:
        self._undo.clear()
        self._discard_backup()

    def _discard_backup(self) -> None:
        if self._backup is not None:
            shutil.rmtree(self._backup, ignore_errors=True)
            self._backup = None


def publish(
    staging: Path,
    site: Path,
    removed: Iterable[str],
    *,
    owned: Iterable[str] = (),
    whole: Iterable[str] = (),
) -> int:
    """Move every staged file into ``site``, then delete the pages of ``removed`` URLs
    (with the files of their folder, :data:`PAGE_FILES`) and the folders they leave
    empty; all or nothing (:class:`PublishError`). The ``owned`` folders are written
    whole by every build (the search index: files, and folders named by the hash of
    their contents): they are merged entry by entry, a staged folder whose name the
    site already has is the same and stays, and entries that were not staged go. So do
    files of the site matching a ``whole`` pattern (written by every build) that were
    not staged, and the sitemap shards that were not staged with a staged sitemap index
    (:data:`SITEMAP_SHARDS`). Returns the number of entries moved."""
    publication = Publication(site)
    try:
        moved = _merge(publication, staging, site, removed, owned, whole)
    except OSError as error:
        publication.rollback()
        raise PublishError(_explain(error, site)) from None
    publication.commit()
    return moved


def _merge(
    publication: Publication,
    staging: Path,
    site: Path,
    removed: Iterable[str],
    owned: Iterable[str],
    whole: Iterable[str],
) -> int:
    owned_names = {name for name in owned if (staging / name).is_dir()}
    patterns = list(whole)
    if (staging / SITEMAP_INDEX).is_file():  # with every shard it lists
        patterns.append(SITEMAP_SHARDS)
    stale = [  # before the staged files move in
        path
        for pattern in patterns
        for path in sorted(site.glob(pattern))
        if path.is_file() and not (staging / path.relative_to(site)).exists()
    ]
    moved = 0
    for folder, subfolders, names in os.walk(staging):
        relative = Path(folder).relative_to(staging)
        if relative == Path():
            subfolders[:] = [name for name in subfolders if name not in owned_names]
        target = site / relative
        publication.make_folders(target)
        for name in sorted(names):
            if relative == Path() and name == FULL_BUILD_NEEDED:
                continue
            publication.move_file(Path(folder) / name, target / name)
            moved += 1
    for name in sorted(owned_names):
        source, target = staging / name, site / name
        publication.make_folders(target)
        staged = {entry.name for entry in source.iterdir()}
        for entry in sorted(source.iterdir(), key=lambda entry: entry.is_file()):
            destination = target / entry.name
            if entry.is_dir() and destination.is_dir():
                continue  # same name, same contents
            if entry.is_dir():
                if destination.exists():
                    publication.remove(destination)
                publication.move_folder(entry, destination)
            else:
                publication.move_file(entry, destination)  # folders first, manifests last
            moved += 1
        for entry in sorted(target.iterdir()):
            if entry.name not in staged:
                publication.remove(entry)
    for path in stale:
        publication.remove(path)
    for url in removed:
        page = site / url / "index.html"
        for name in PAGE_FILES:
            if (page.parent / name).exists():
                publication.remove(page.parent / name)
        folder = page.parent
        while folder != site and folder.is_dir() and not any(folder.iterdir()):
            publication.remove(folder)
            folder = folder.parent
    return moved


def remove_stale_shards(site: Path, written: Collection[str]) -> list[Path]:
    """After sitemaps were written straight into ``site`` (a ``--dirty`` mkdocs build,
    ``make serve``; ``written``: the names, relative to the site): if the index was
    among them, the shards (:data:`SITEMAP_SHARDS`) that were not. The removed files."""
    if SITEMAP_INDEX not in written:
        return []
    stale = [
        path
        for path in sorted(site.glob(SITEMAP_SHARDS))
        if path.name not in written and path.is_file()
    ]
    for path in stale:
        path.unlink()
    return stale


def swap_in(staging: Path, site: Path) -> None:
    """Replace ``site`` by the complete ``staging`` folder with two renames (a reader
    never sees a mix); if the second fails the old site is put back."""
    old = None
    try:
        if site.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{site.name}{BACKUP_PREFIX}", dir=site.parent))
            old.rmdir()
            site.rename(old)
        try:
            staging.rename(site)
        except OSError:
            if old is not None:
                old.rename(site)
                old = None
            raise
    except OSError as error:
        raise PublishError(_explain(error, site)) from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def sweep_leftovers(site: Path) -> list[Path]:
    """Staging and backup folders of builds that were killed (``kill -9``, power cut):
    only ever called while holding the build lock, so none is in use."""
    found = []
    for prefix in (STAGING_PREFIX, BACKUP_PREFIX):
        for path in sorted(site.parent.glob(f".{site.name}{prefix}*")):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
                found.append(path)
    return found


def _explain(error: OSError, site: Path) -> str:
    where = error.filename or site
    cause = error.strerror or type(error).__name__
    return f"could not move the new pages into {site}: {where}: {cause}"

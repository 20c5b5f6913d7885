"""Where a built site's bytes go, and whether it still fits its host.

GitHub Pages publishes a site of at most 1 GB; a reading list of tens of thousands of
papers gets near that, and the deploy fails only after the build. So ``papershelf
build`` warns when a site passes :data:`WARN_SHARE` of the limit, and ``papershelf
bench`` reports the bytes by kind of file and per paper (:func:`bytes_by_kind`), which
is what the size budget of docs/performance.md is measured with.

Sizes are the files' bytes, not disk blocks. What the deploy sends is reported beside
them (:func:`pages_artifact`): actions/upload-pages-artifact puts the site in a tar
(a 512-byte header per file and folder, each file padded to 512 bytes) and
actions/upload-artifact zips that; deploy-pages compares the zipped size with 1 GB
(a warning: "Deployment might fail"), while GitHub documents 1 GB for the site.
"""

from __future__ import annotations

import os
import tarfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

# https://docs.github.com/en/pages/getting-started-with-github-pages/github-pages-limits
PAGES_LIMIT_BYTES = 1_000_000_000
WARN_SHARE = 0.8
PAGES_LIMIT_NAME = "GitHub Pages' 1 GB limit for a published site"

FEED_NAMES = frozenset(("feed.xml", "atom.xml", "feed.json"))
DOWNLOAD_NAMES = frozenset(("papers.bib", "papers.json", "entries.json", "entries.schema.json"))


@dataclass
class Share:
    """Files and bytes of one kind."""

    files: int = 0
    bytes: int = 0


def walk(site: Path) -> Iterator[tuple[str, int]]:
    """(site-relative path with "/", size) of every file, by os.scandir (one stat a
    file, as the directory listing gives it)."""
    stack = [("", os.fspath(site))]
    while stack:
        prefix, folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((f"{prefix}{entry.name}/", entry.path))
                elif entry.is_file(follow_symlinks=False):
                    yield prefix + entry.name, entry.stat(follow_symlinks=False).st_size


def kind_of(path: str) -> str:
    """The kind of a site file, by where Papershelf puts it."""
    parts = path.split("/")
    name, top = parts[-1], parts[0] if len(parts) > 1 else ""
    if top == "papers":
        return "paper pages" if name.endswith(".html") else "paper downloads"
    if top == "search":
        return "search index"
    if name.startswith("sitemap") or top == "sitemaps":
        return "sitemaps"
    if name in FEED_NAMES:
        return "feeds"
    if name in DOWNLOAD_NAMES or name.endswith(".bib"):
        return "list downloads"
    if top == "assets":
        return "theme assets"
    if name.endswith(".html"):
        lists = {"tags": "tag pages", "archive": "archive pages", "orgs": "organisation pages"}
        return lists.get(top, "other pages")
    return "other"


def bytes_by_kind(site: Path) -> dict[str, Share]:
    """Files and bytes of the site by :func:`kind_of`, largest first."""
    return tally(walk(site))


def tally(files: Iterable[tuple[str, int]]) -> dict[str, Share]:
    """Files and bytes by :func:`kind_of` of (path, size) pairs (:func:`walk`), largest
    first, then by name."""
    shares: dict[str, Share] = {}
    for path, size in files:
        share = shares.setdefault(kind_of(path), Share())
        share.files += 1
        share.bytes += size
    return dict(sorted(shares.items(), key=lambda item: (-item[1].bytes, item[0])))


def site_bytes(site: Path) -> int:
    return sum(size for _, size in walk(site))


def size_warning(
    size: int,
    limit: int | None = None,
    share: float = WARN_SHARE,
    kinds: Mapping[str, Share] | None = None,
) -> str | None:
    """A warning line when ``size`` passes ``share`` of ``limit`` (default
    :data:`PAGES_LIMIT_BYTES`); else None. ``kinds`` (:func:`tally`): the line names
    the three largest, so the curator sees where the space goes."""
    limit = PAGES_LIMIT_BYTES if limit is None else limit
    if size < share * limit:
        return None
    verdict = "over" if size > limit else f"{size / limit:.0%} of"
    largest = ""
    if kinds:
        named = [f"{name} {kind.bytes / 1e6:,.0f} MB" for name, kind in list(kinds.items())[:3]]
        largest = f" (largest: {', '.join(named)})"
    return (
        f"warning: the site is {size / 1e6:,.0f} MB{largest}, {verdict} {PAGES_LIMIT_NAME}: "
        "a deploy to GitHub Pages fails above it. See docs/performance.md, "
        '"Output size", for what takes the space and how to make it smaller.'
    )


# actions/upload-artifact's default zip compression level (deflate, as zlib's 6).
ARTIFACT_COMPRESSION = 6
# actions/deploy-pages warns ("Deployment might fail") above this many zipped bytes.
DEPLOY_WARNING_BYTES = 1 << 30


@dataclass(frozen=True)
class PagesArtifact:
    """What a GitHub Pages deploy uploads for a site."""

    tar_bytes: int  # upload-pages-artifact's tar
    zipped_bytes: int  # that tar deflated, about what upload-artifact stores


class _CountingDeflater:
    """A write-only file that counts the bytes written and their deflated size."""

    def __init__(self, level: int) -> None:
        self.written = 0
        self.deflated = 0
        self._deflater = zlib.compressobj(level)

    def write(self, data: bytes) -> int:
        self.written += len(data)
        self.deflated += len(self._deflater.compress(data))
        return len(data)

    def close(self) -> None:
        self.deflated += len(self._deflater.flush())


def pages_artifact(site: Path, level: int = ARTIFACT_COMPRESSION) -> PagesArtifact:
    """The tar of ``site`` as upload-pages-artifact makes it (GNU format, folders
    included) and its deflated size, streamed: nothing is written. Reads every file,
    so the benchmark reports it and builds do not."""
    sink = _CountingDeflater(level)
    with tarfile.open(fileobj=sink, mode="w|", format=tarfile.GNU_FORMAT) as archive:
        archive.add(site, arcname=".")
    sink.close()
    return PagesArtifact(tar_bytes=sink.written, zipped_bytes=sink.deflated)

"""Reading paths on the site: their addresses, and the paths each paper is on.

Pure, no I/O. The paths themselves are loaded and checked by
papershelf.entries.collections; what pages get of them is plain data (str, int, lists
and dicts), which the build snapshot can keep (papershelf.speed.snapshot).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from papershelf.entries.collections import Collection

INDEX_URL = "collections/"


def collection_url(slug: str) -> str:
    """A path's page, and the folder of its feeds."""
    return f"{INDEX_URL}{slug}/"


def collection_feed_key(slug: str) -> str:
    """A path's key among the feeds pages advertise (papershelf.site.feeds.feed_links,
    PageSpec.feed_tags): a tag id holds no ``/``, so it is never one."""
    return f"{INDEX_URL}{slug}"


def paths_by_paper(collections: Iterable[Collection]) -> dict[str, list[dict[str, Any]]]:
    """Paper slug -> the paths it is on, in the order given: for each its ``url``,
    ``title``, and the paper's ``step`` of its ``steps``."""
    found: dict[str, list[dict[str, Any]]] = {}
    for collection in collections:
        steps = len(collection.items)
        for step, item in enumerate(collection.items, start=1):
            found.setdefault(item.slug, []).append(
                {
                    "url": collection_url(collection.slug),
                    "title": collection.title,
                    "step": step,
                    "steps": steps,
                }
            )
    return found


def reading_order(collections: Iterable[Collection]) -> list[Collection]:
    """The order of the collections index (and of a paper's paths): by title, then slug."""
    return sorted(collections, key=lambda c: (c.title.casefold(), c.title, c.slug))

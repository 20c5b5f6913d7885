"""Sitemaps: the site's own, and small ones in the folders of tag and reading-path feeds.

Ours list the URLs sorted, each page made from entries with a ``lastmod`` taken from
the entries' dates (never the build time), so the same input gives the same files. The
site's ``sitemap.xml`` is an index of shards of at most 50,000 URLs (``sitemap-1.xml``,
...), small whatever the list's size: mkdocs-material fetches it on a reader's first
view. The folder sitemaps answer material's requests for ``tags/<id>/sitemap.xml``.
Pure: the catalog and URLs in, bytes out. Details: docs/architecture.md, "Sitemaps".
"""

from __future__ import annotations

import bisect
import gzip
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from papershelf.site.catalog import Catalog
from papershelf.site.collections import collection_url
from papershelf.site.pages import (
    COLLECTIONS,
    INDEX,
    STATS,
    UNDATED,
    month_group,
    org_group,
    paper_group,
    tag_group,
    tag_url,
    year_group,
)

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SITEMAP_FILE = "sitemap.xml"  # the site's (an index) and each folder's (a urlset)
# The site's URLs are listed in shards at the site root (a sitemap lists only URLs under
# its own folder): sitemap-1.xml, sitemap-2.xml, ... Every build that writes the index
# writes every shard it lists, so a shard it does not list is stale (site.publish,
# whose SITEMAP_SHARDS is this glob, removes it; tests/site/test_sitemaps.py checks).
SHARD_GLOB = "sitemap-[0-9]*.xml"
# sitemaps.org: at most 50,000 URLs (and 50 MB; ours take a few) in one sitemap.
MAX_URLS = 50_000
# As xml.etree writes it (ElementTree.tostring with encoding="utf-8").
XML_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"


def shard_name(number: int) -> str:
    """The site root's ``number``-th sitemap (from 1), listed by the index."""
    return f"sitemap-{number}.xml"


def paper_lastmod(paper: Any) -> date:
    """The latest of a paper's dates: added, and published when known (a paper may be
    added before it is published). ``paper``: a Paper, or a stand-in with those two
    fields (papershelf.speed.placements.Placement)."""
    published = paper.published
    return published if published is not None and published > paper.added else paper.added


def list_lastmods(
    catalog: Catalog, lastmod: Callable[[Any], date] = paper_lastmod
) -> dict[str, date]:
    """The ``lastmod`` of every list of papers, by group (papershelf.site.pages.PageSpec.group;
    paper pages are :func:`paper_lastmods`): the latest date among its papers; a list
    without papers has none. One date for all pages of a list: a paper that comes, goes
    or moves on a list shifts the pages after it, and the votes order shows the same
    papers. The index group (home page, tag, archive and organisation indexes) is the
    whole list, whose counts they show.

    ``lastmod``: a paper's date; a quick build passes its own for a catalog that holds
    paper numbers. Linear: one call per paper on a list (a paper is on five or so)."""
    lists: list[tuple[str, list[Any]]] = [(INDEX, catalog.papers), (UNDATED, catalog.undated)]
    lists.extend((tag_group(tag), papers) for tag, papers in catalog.by_tag.items())
    lists.extend((year_group(year), papers) for year, papers in catalog.by_year.items())
    lists.extend((month_group(month), papers) for month, papers in catalog.by_month.items())
    lists.extend((org_group(key), papers) for key, papers in catalog.by_org.items())
    # The reading paths' pages are one group: every paper on any path.
    on_paths = [paper for path in catalog.collections for paper in catalog.path_papers(path)]
    lists.append((COLLECTIONS, on_paths))
    dates = {group: max(map(lastmod, papers)) for group, papers in lists if papers}
    if INDEX in dates:  # the statistics page counts every paper, as the index pages do
        dates[STATS] = dates[INDEX]
    return dates


def paper_lastmods(catalog: Catalog) -> dict[str, date]:
    """The ``lastmod`` of every paper page, by group: the paper's :func:`paper_lastmod`."""
    return {paper_group(paper.slug): paper_lastmod(paper) for paper in catalog.papers}


def page_lastmods(catalog: Catalog) -> dict[str, date]:
    """The ``lastmod`` of every group of pages made from entries (lists and papers)."""
    return {**list_lastmods(catalog), **paper_lastmods(catalog)}


def page_dates(
    pages: Iterable[tuple[str, str | None]], lastmods: Mapping[str, date]
) -> dict[str, date | None]:
    """URL -> ``lastmod`` of the site's pages, given as (URL, group): a hand-written page
    (group None) or a page whose list has no papers has none, since no date is known.
    A URL given twice (a hand-written home page, then its recent additions) keeps the
    latest date given for it."""
    dated: dict[str, date | None] = {}
    for url, group in pages:
        day = lastmods.get(group) if group is not None else None
        if day is None:
            dated.setdefault(url, None)
        else:
            known = dated.get(url)
            if known is None or day > known:
                dated[url] = day
    return dated


def scoped_sitemaps(
    pages: Mapping[str, date | None],
    folders: Iterable[str],
    site_url: str,
    *,
    limit: int | None = None,
) -> dict[str, bytes]:
    """The sitemaps of ``folders`` ("" is the site root), listing the pages (site-root
    relative directory URLs -> ``lastmod`` or None) inside each, in sorted order.

    A folder's ``folder + "sitemap.xml"`` lists its pages. The site root's are split
    into shards of at most ``limit`` URLs (default :data:`MAX_URLS`), named by
    :func:`shard_name` in order, and its ``sitemap.xml`` is their index, each shard dated
    by the latest ``lastmod`` of its URLs (none if it has none), with ``sitemap.xml.gz``
    its gzip: mkdocs-material fetches the root ``sitemap.xml`` on a reader's first view,
    and an index stays small however long the list grows (a line per shard).

    Each ``<url>`` is written once as text, and a sitemap joins its run of them: the
    bytes ``xml.etree`` gives (tests/site/test_sitemaps.py compares them) in half its
    time, which at 50,000 papers (60,000 URLs) was most of a second."""
    limit = MAX_URLS if limit is None else limit
    if limit < 1:
        raise ValueError(f"a sitemap holds at least one URL, not {limit}")
    urls = sorted(pages)
    root_url = escape(site_url.rstrip("/") + "/")
    days: dict[date, str] = {}  # a few hundred distinct dates for thousands of pages
    entries: list[str] = []
    for url in urls:
        day = pages[url]
        if day is None:
            entries.append(f"<url><loc>{root_url}{escape(url)}</loc></url>")
            continue
        text = days.get(day)
        if text is None:
            text = days[day] = day.isoformat()  # W3C date: YYYY-MM-DD
        entries.append(f"<url><loc>{root_url}{escape(url)}</loc><lastmod>{text}</lastmod></url>")
    sitemaps: dict[str, bytes] = {}
    for folder in sorted(set(folders)):
        if not folder:  # the shards first, then the index that lists them
            starts = range(0, len(urls), limit)
            for number, first in enumerate(starts, start=1):
                sitemaps[shard_name(number)] = _document("urlset", entries[first : first + limit])
            shards = [urls[first : first + limit] for first in starts]
            sitemaps[SITEMAP_FILE] = site_index(shards, pages, root_url)
            sitemaps[SITEMAP_FILE + ".gz"] = gzip.compress(sitemaps[SITEMAP_FILE], mtime=0)
            continue
        first = bisect.bisect_left(urls, folder)
        last = first
        while last < len(urls) and urls[last].startswith(folder):
            last += 1  # sorted: the folder's URLs are one run
        sitemaps[folder + SITEMAP_FILE] = _document("urlset", entries[first:last])
    return sitemaps


def site_index(shards: list[list[str]], pages: Mapping[str, date | None], root_url: str) -> bytes:
    """The sitemap index of the site root: a ``<sitemap>`` for each shard (its URLs, in
    order: the first is :func:`shard_name` 1), dated by the latest ``lastmod`` of its
    URLs. ``root_url``: the site's URL, XML-escaped, with its slash."""
    listed = []
    for number, urls in enumerate(shards, start=1):
        dates = [day for day in map(pages.__getitem__, urls) if day is not None]
        lastmod = f"<lastmod>{max(dates).isoformat()}</lastmod>" if dates else ""
        listed.append(f"<sitemap><loc>{root_url}{shard_name(number)}</loc>{lastmod}</sitemap>")
    return _document("sitemapindex", listed)


def _document(tag: str, elements: list[str]) -> bytes:
    """An XML document of ``elements`` (text) in a ``tag`` of the sitemaps.org namespace."""
    body = "".join(elements)
    start = f'<{tag} xmlns="{SITEMAP_NS}"'
    document = XML_DECLARATION + (f"{start}>{body}</{tag}>" if body else f"{start} />")
    return document.encode("utf-8", "xmlcharrefreplace")


def site_sitemaps(
    pages: Mapping[str, date | None],
    tags: Iterable[str],
    site_url: str,
    collections: Iterable[str] = (),
    *,
    limit: int | None = None,
) -> dict[str, bytes]:
    """The site's sitemap index and shards (of at most ``limit`` URLs, default
    :data:`MAX_URLS`) and a sitemap in the feed folder of every tag (ids) and reading
    path (``collections``: slugs); ``pages``: URL -> ``lastmod`` (:func:`page_dates`)."""
    folders = ["", *(tag_url(tag) for tag in tags), *map(collection_url, collections)]
    return scoped_sitemaps(pages, folders, site_url, limit=limit)

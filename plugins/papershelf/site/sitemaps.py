"""Sitemaps: the site's own, and small ones in the folders of tag feeds.

The site's ``sitemap.xml`` is written here rather than by mkdocs' template, which
stamped every URL with the build date (so the same input gave different files every
day, and every page claimed to have changed) and rendered one template loop per page
on every build, a fifth of an incremental rebuild at 10,000 papers. Ours lists the
URLs alone, sorted; ``sitemap.xml.gz`` is its gzip with no timestamp.

Folder sitemaps are a workaround for mkdocs-material: its bundle (9.8.1, its
"alternate" integration) fetches ``sitemap.xml`` next to every ``<link
rel="alternate">`` of a page, as if each were another language of the site. Tag
feeds live in ``tags/<id>/`` and tag and paper pages advertise them with such links,
so each of those pages requested ``tags/<id>/sitemap.xml`` and got a 404: a wasted
request and an error in the reader's console (the same code is reported upstream in
zensical, material's successor, as issue 908). A sitemap may list the URLs under its
own folder (sitemaps.org), so each tag folder gets a true one: the tag's own pages.

Pure: URLs in, bytes out.
"""

from __future__ import annotations

import bisect
import gzip
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from papershelf.site.pages import tag_url

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SITEMAP_FILE = "sitemap.xml"


def scoped_sitemaps(
    page_urls: Iterable[str], folders: Iterable[str], site_url: str
) -> dict[str, bytes]:
    """``{folder + "sitemap.xml": xml}`` for each folder ("" is the site root, which
    also gets ``sitemap.xml.gz``), listing the pages (site-root relative directory
    URLs) inside it, in sorted order."""
    urls = sorted(set(page_urls))
    root_url = site_url.rstrip("/") + "/"
    sitemaps: dict[str, bytes] = {}
    for folder in sorted(set(folders)):
        urlset = ET.Element("urlset", xmlns=SITEMAP_NS)
        first = bisect.bisect_left(urls, folder)
        for url in urls[first:]:
            if not url.startswith(folder):
                break  # sorted: the folder's URLs are one run
            ET.SubElement(ET.SubElement(urlset, "url"), "loc").text = root_url + url
        sitemaps[folder + SITEMAP_FILE] = ET.tostring(
            urlset, encoding="utf-8", xml_declaration=True
        )
    if SITEMAP_FILE in sitemaps:
        sitemaps[SITEMAP_FILE + ".gz"] = gzip.compress(sitemaps[SITEMAP_FILE], mtime=0)
    return sitemaps


def site_sitemaps(page_urls: Iterable[str], tags: Iterable[str], site_url: str) -> dict[str, bytes]:
    """The site's sitemap and one in the feed folder of every tag (ids)."""
    folders = ["", *(tag_url(tag) for tag in tags)]
    return scoped_sitemaps(page_urls, folders, site_url)

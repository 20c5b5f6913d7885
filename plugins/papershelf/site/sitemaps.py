"""Sitemaps: the site's own, and small ones in the folders of tag feeds.

Ours list the URLs alone, sorted, so the same input gives the same files; the folder
sitemaps answer mkdocs-material's requests for ``tags/<id>/sitemap.xml``. Pure: URLs in,
bytes out. Details: docs/architecture.md, "Sitemaps".
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

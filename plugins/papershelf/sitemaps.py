"""Small sitemaps in the folders of tag feeds: a workaround for mkdocs-material.

material's bundle (9.8.1, its "alternate" integration) fetches ``sitemap.xml`` next to
every ``<link rel="alternate">`` of a page, as if each were another language of the
site. Tag feeds live in ``tags/<id>/`` and tag and paper pages advertise them with
such links, so each of those pages requested ``tags/<id>/sitemap.xml`` and got a 404:
a wasted request and an error in the reader's console (the same code is reported
upstream in zensical, material's successor, as issue 908).

A sitemap may list the URLs under its own folder (sitemaps.org), so each tag folder
gets a true one: the tag's own pages. Pure: URLs in, bytes out.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SITEMAP_FILE = "sitemap.xml"


def scoped_sitemaps(
    page_urls: Iterable[str], folders: Iterable[str], site_url: str
) -> dict[str, bytes]:
    """``{folder + "sitemap.xml": xml}`` for each non-root folder, listing the pages
    (site-root relative directory URLs) inside it, in sorted order."""
    urls = sorted(set(page_urls))
    root_url = site_url.rstrip("/") + "/"
    sitemaps: dict[str, bytes] = {}
    for folder in sorted(set(folders)):
        if not folder:
            continue  # the site root has mkdocs' own sitemap.xml
        urlset = ET.Element("urlset", xmlns=SITEMAP_NS)
        for url in urls:
            if url.startswith(folder):
                ET.SubElement(ET.SubElement(urlset, "url"), "loc").text = root_url + url
        sitemaps[folder + SITEMAP_FILE] = ET.tostring(
            urlset, encoding="utf-8", xml_declaration=True
        )
    return sitemaps

"""The site's sitemap, and folder sitemaps for tag feed folders (workaround for
material's alternate links)."""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET

from papershelf.site.sitemaps import SITEMAP_NS, scoped_sitemaps


def locs(data: bytes) -> list[str]:
    return [loc.text or "" for loc in ET.fromstring(data).iter(f"{{{SITEMAP_NS}}}loc")]


def test_each_folder_lists_only_its_own_pages_in_order():
    urls = ["tags/b/", "tags/a/page/2/", "tags/a/", "papers/x/", "tags/a/votes/", "tags/ab/"]
    maps = scoped_sitemaps(urls, ["tags/a/", "tags/b/"], "https://example.org/shelf")
    assert sorted(maps) == ["tags/a/sitemap.xml", "tags/b/sitemap.xml"]
    assert locs(maps["tags/a/sitemap.xml"]) == [
        "https://example.org/shelf/tags/a/",
        "https://example.org/shelf/tags/a/page/2/",
        "https://example.org/shelf/tags/a/votes/",
    ]
    assert locs(maps["tags/b/sitemap.xml"]) == ["https://example.org/shelf/tags/b/"]
    assert maps["tags/b/sitemap.xml"].startswith(b"<?xml version='1.0' encoding='utf-8'?>")


def test_urls_are_xml_escaped():
    maps = scoped_sitemaps(["tags/a&b/"], ["tags/a&b/"], "https://example.org/")
    assert b"tags/a&amp;b/" in maps["tags/a&b/sitemap.xml"]
    assert locs(maps["tags/a&b/sitemap.xml"]) == ["https://example.org/tags/a&b/"]


def test_the_site_sitemap_lists_every_page_sorted_without_dates_and_a_stable_gzip():
    urls = ["tags/b/", "", "papers/x/", "about/"]
    maps = scoped_sitemaps(urls, ["", "tags/b/"], "https://example.org/shelf/")
    assert sorted(maps) == ["sitemap.xml", "sitemap.xml.gz", "tags/b/sitemap.xml"]
    assert locs(maps["sitemap.xml"]) == [
        "https://example.org/shelf/",
        "https://example.org/shelf/about/",
        "https://example.org/shelf/papers/x/",
        "https://example.org/shelf/tags/b/",
    ]
    assert b"lastmod" not in maps["sitemap.xml"]  # a build date is not a change date
    assert gzip.decompress(maps["sitemap.xml.gz"]) == maps["sitemap.xml"]
    assert scoped_sitemaps(urls, [""], "https://example.org/shelf/") == {
        name: data for name, data in maps.items() if not name.startswith("tags/")
    }

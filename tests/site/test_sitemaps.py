"""The site's sitemap, and folder sitemaps for tag feed folders (workaround for
material's alternate links); each page made from entries dated by its papers."""

from __future__ import annotations

import dataclasses
import gzip
import re
import xml.etree.ElementTree as ET
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import pytest

from papershelf.entries.model import Paper, Tag
from papershelf.site.catalog import Catalog, build_catalog
from papershelf.site.pages import INDEX, PageSpec, Settings, home_spec, plan_pages
from papershelf.site.sitemaps import (
    SITEMAP_NS,
    list_lastmods,
    page_dates,
    page_lastmods,
    paper_lastmod,
    scoped_sitemaps,
    site_sitemaps,
)


def locs(data: bytes) -> list[str]:
    return [loc.text or "" for loc in ET.fromstring(data).iter(f"{{{SITEMAP_NS}}}loc")]


def test_each_folder_lists_only_its_own_pages_in_order():
    urls = ["tags/b/", "tags/a/page/2/", "tags/a/", "papers/x/", "tags/a/votes/", "tags/ab/"]
    maps = scoped_sitemaps(dict.fromkeys(urls), ["tags/a/", "tags/b/"], "https://example.org/shelf")
    assert sorted(maps) == ["tags/a/sitemap.xml", "tags/b/sitemap.xml"]
    assert locs(maps["tags/a/sitemap.xml"]) == [
        "https://example.org/shelf/tags/a/",
        "https://example.org/shelf/tags/a/page/2/",
        "https://example.org/shelf/tags/a/votes/",
    ]
    assert locs(maps["tags/b/sitemap.xml"]) == ["https://example.org/shelf/tags/b/"]
    assert maps["tags/b/sitemap.xml"].startswith(b"<?xml version='1.0' encoding='utf-8'?>")


def test_urls_are_xml_escaped():
    maps = scoped_sitemaps({"tags/a&b/": None}, ["tags/a&b/"], "https://example.org/")
    assert b"tags/a&amp;b/" in maps["tags/a&b/sitemap.xml"]
    assert locs(maps["tags/a&b/sitemap.xml"]) == ["https://example.org/tags/a&b/"]


def test_the_site_sitemap_lists_every_page_sorted_without_dates_and_a_stable_gzip():
    urls = dict.fromkeys(["tags/b/", "", "papers/x/", "about/"])  # no dates known
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


# --- lastmod: the dates of the papers a page shows -------------------------------------

SITE = "https://example.org/shelf/"
TAGS = {
    "agents": Tag("agents", "Agents", "a"),
    "vision": Tag("vision", "Vision", "v"),
    "unused": Tag("unused", "Unused", "u"),
}
HANDWRITTEN = ("", "about/", "contributing/")  # content/*.md: index.md, about.md, ...


def paper(slug: str, added: str, published: str | None, tags: tuple[str, ...], **extra) -> Paper:
    return Paper(
        slug=slug,
        title=slug.title(),
        added=date.fromisoformat(added),
        published=date.fromisoformat(published) if published else None,
        tags=tags,
        **extra,
    )


PAPERS = [
    # Published after it was added: its latest date is the published one.
    paper("early", "2024-03-01", "2024-06-30", ("agents",), organization="Lab One", votes=9),
    paper("mid", "2024-05-10", "2024-04-02", ("agents", "vision"), organization="Lab One"),
    paper("late", "2024-07-20", "2023-12-24", ("agents",), votes=3),
    paper("undated", "2024-02-02", None, ("vision",), organization="Lab Two"),
    paper("old", "2023-11-11", "2023-12-01", ("agents",)),
]


def site_pages(papers: list[Paper], *, page_size: int = 2) -> dict[str, date | None]:
    """URL -> lastmod as the plugin gives them: hand-written pages (the home page
    among them, followed by the recent additions) and every generated page."""
    catalog = build_catalog(papers, TAGS)
    settings = Settings(page_size=page_size, home_recent=2)
    specs = plan_pages(catalog, settings, home=False)
    listed: list[tuple[str, str | None]] = [(url, None) for url in HANDWRITTEN]
    listed += [(spec.url, spec.group) for spec in specs]
    listed.append(("", home_spec(catalog, settings).group))
    return page_dates(listed, page_lastmods(catalog))


def index_urls(papers: list[Paper]) -> set[str]:
    """The home page and the index pages: the whole list's date (there may be more
    of them than this test names)."""
    specs = plan_pages(build_catalog(papers, TAGS), Settings(page_size=2, home_recent=2))
    return {spec.url for spec in specs if spec.group == INDEX}


def sitemaps_org_entries(data: bytes, site_url: str, folder: str = "") -> dict[str, str | None]:
    """The sitemap's ``loc -> lastmod``, checked against the sitemaps.org protocol:
    UTF-8 XML with the declaration, a ``urlset`` in the protocol's namespace holding
    1 to 50,000 ``url`` elements of at most 50 MB in all, each a ``loc`` (an absolute
    http(s) URL under the sitemap's own folder, under 2,048 characters, given once) and
    at most one ``lastmod`` after it in W3C date form (here YYYY-MM-DD)."""
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    data.decode("utf-8")  # UTF-8, strictly
    assert len(data) <= 50 * 1024 * 1024
    root = ET.fromstring(data)  # well-formed
    ns = f"{{{SITEMAP_NS}}}"
    assert root.tag == f"{ns}urlset" and not root.attrib
    assert 1 <= len(root) <= 50_000
    found: dict[str, str | None] = {}
    for url in root:
        assert url.tag == f"{ns}url" and not (url.text or "").strip()
        names = [child.tag.removeprefix(ns) for child in url]
        assert names in (["loc"], ["loc", "lastmod"]), names
        loc = url[0].text or ""
        assert loc.startswith(site_url + folder) and len(loc) < 2048
        assert urlsplit(loc).scheme in ("http", "https") and loc.strip() == loc
        assert loc not in found
        lastmod = url[1].text if len(url) == 2 else None
        if lastmod is not None:
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", lastmod), lastmod
            date.fromisoformat(lastmod)
        found[loc] = lastmod
    return found


def test_each_page_is_dated_by_the_latest_date_of_its_papers():
    pages = site_pages(PAPERS)
    maps = site_sitemaps(pages, TAGS, SITE)
    dates = {
        loc.removeprefix(SITE): lastmod
        for loc, lastmod in sitemaps_org_entries(maps["sitemap.xml"], SITE).items()
    }
    newest = "2024-07-20"  # "late" added; "early" published 2024-06-30
    indexes = index_urls(PAPERS)
    assert {"", "tags/", "archive/", "orgs/"} <= indexes
    # The home page (also after its hand-written text, for its recent additions) and
    # the tag, archive and organisation indexes: the whole list's latest date.
    assert {url: dates[url] for url in indexes} == dict.fromkeys(indexes, newest)
    assert {url: day for url, day in dates.items() if url not in indexes} == {
        # Hand-written: no date known.
        "about/": None,
        "contributing/": None,
        # A paper: the latest of added and published.
        "papers/early/": "2024-06-30",
        "papers/mid/": "2024-05-10",
        "papers/late/": "2024-07-20",
        "papers/undated/": "2024-02-02",
        "papers/old/": "2023-12-01",
        # Lists: every page of a list, in both orders, has the latest date on it.
        "tags/agents/": newest,
        "tags/agents/page/2/": newest,
        "tags/agents/votes/": newest,
        "tags/agents/votes/page/2/": newest,
        "tags/vision/": "2024-05-10",
        "tags/vision/votes/": "2024-05-10",
        "tags/unused/": None,  # no papers: no date
        "archive/2024/": "2024-06-30",
        "archive/2024/04/": "2024-05-10",
        "archive/2024/06/": "2024-06-30",
        "archive/2023/": "2024-07-20",  # "late": published in 2023, added later
        "archive/2023/12/": "2024-07-20",
        "archive/undated/": "2024-02-02",
        "orgs/lab-one/": "2024-06-30",
        "orgs/lab-two/": "2024-02-02",
        "stats/": newest,  # the statistics page counts every paper
        "collections/": None,  # no reading paths: no papers, no date
    }
    for tag in TAGS:  # the folder sitemaps: the same entries, their folder's only
        folder = f"tags/{tag}/"
        entries = sitemaps_org_entries(maps[f"{folder}sitemap.xml"], SITE, folder)
        assert {loc.removeprefix(SITE): d for loc, d in entries.items()} == {
            url: d for url, d in dates.items() if url.startswith(folder)
        }
    assert gzip.decompress(maps["sitemap.xml.gz"]) == maps["sitemap.xml"]


def test_a_date_edit_changes_the_dates_of_its_page_and_its_lists_only():
    before = site_pages(PAPERS)
    moved = [
        dataclasses.replace(p, published=date(2024, 8, 15)) if p.slug == "old" else p
        for p in PAPERS
    ]
    after = site_pages(moved)
    changed = {url for url in after.keys() | before.keys() if before.get(url) != after.get(url)}
    # "old" moves from December 2023 to August 2024 (a new month, a later year page),
    # and is now the newest date of the whole list (the index pages).
    assert changed == index_urls(moved) | {
        "papers/old/",
        "tags/agents/",  # every page of the list, in both orders
        "tags/agents/page/2/",
        "tags/agents/votes/",
        "tags/agents/votes/page/2/",
        "archive/2024/",
        "archive/2024/page/2/",  # a page that comes
        "archive/2024/08/",  # and a month
        "stats/",  # the statistics page: the whole list's date
    }
    assert after["papers/old/"] == after["tags/agents/"] == date(2024, 8, 15)
    assert after["archive/2023/"] == before["archive/2023/"]  # "late" still dates it
    assert after["orgs/lab-one/"] == before["orgs/lab-one/"]  # "old" is not on it


def test_dates_come_from_the_entries_never_from_the_clock():
    """Every lastmod is a date of an entry, and the same list (in any order) gives the
    same bytes."""
    first = site_sitemaps(site_pages(PAPERS), TAGS, SITE)
    assert first == site_sitemaps(site_pages(list(reversed(PAPERS))), TAGS, SITE)
    entry_dates = {str(day) for p in PAPERS for day in (p.added, p.published) if day}
    lastmods = set(sitemaps_org_entries(first["sitemap.xml"], SITE).values()) - {None}
    assert lastmods <= entry_dates


def test_a_url_listed_twice_keeps_its_date_and_hand_written_pages_have_none():
    lastmods = {"index": date(2024, 1, 2), "tag:x": date(2024, 1, 1)}
    pages = [("", None), ("about/", None), ("", "index"), ("tags/x/", "tag:x"), ("", None)]
    assert page_dates(pages, lastmods) == {
        "": date(2024, 1, 2),
        "about/": None,
        "tags/x/": date(2024, 1, 1),
    }
    assert page_dates([("tags/y/", "tag:y")], lastmods) == {"tags/y/": None}  # no papers


def test_a_catalog_of_paper_numbers_gives_the_same_list_dates():
    """A quick build dates the last build's lists from the snapshot: a catalog holding
    paper numbers, and each number's date."""
    catalog = build_catalog(PAPERS, TAGS)
    number = {id(p): n for n, p in enumerate(catalog.papers)}

    def numbers(papers: list[Paper]) -> list[int]:
        return [number[id(p)] for p in papers]

    numbered = Catalog(
        papers=numbers(catalog.papers),  # type: ignore[arg-type]
        tags=TAGS,
        by_tag={tag: numbers(papers) for tag, papers in catalog.by_tag.items()},  # type: ignore[misc]
        by_year={year: numbers(papers) for year, papers in catalog.by_year.items()},  # type: ignore[misc]
        by_month={month: numbers(papers) for month, papers in catalog.by_month.items()},  # type: ignore[misc]
        undated=numbers(catalog.undated),  # type: ignore[arg-type]
        by_org={key: numbers(papers) for key, papers in catalog.by_org.items()},  # type: ignore[misc]
    )
    days = [paper_lastmod(p) for p in catalog.papers]
    calls: list[Any] = []

    def lastmod(n: int) -> date:
        calls.append(n)
        return days[n]

    assert list_lastmods(numbered, lastmod) == list_lastmods(catalog)
    lists = [catalog.papers, catalog.undated, *catalog.by_tag.values()]
    lists += [*catalog.by_year.values(), *catalog.by_month.values(), *catalog.by_org.values()]
    assert len(calls) == sum(map(len, lists))  # linear: once per paper on a list


@pytest.mark.parametrize(
    "urls",
    [
        {"tags/a&b<c>/": date(2024, 2, 29), "": None, "papers/é/": date(1999, 12, 31)},
        {"papers/x/": None},
        {f"papers/p{n}/": date(2020, 1, 1 + n % 28) for n in range(300)},
    ],
)
def test_the_text_is_what_xml_etree_writes(urls: dict[str, date | None]):
    """The sitemaps are joined as text (fast): the bytes of an ElementTree."""
    maps = scoped_sitemaps(urls, ["", "tags/", "papers/"], SITE)
    for name in ("sitemap.xml", "tags/sitemap.xml", "papers/sitemap.xml"):
        folder = name.removesuffix("sitemap.xml")
        urlset = ET.Element("urlset", xmlns=SITEMAP_NS)
        for url in sorted(u for u in urls if u.startswith(folder)):
            entry = ET.SubElement(urlset, "url")
            ET.SubElement(entry, "loc").text = SITE + url
            if urls[url] is not None:
                ET.SubElement(entry, "lastmod").text = urls[url].isoformat()  # type: ignore[union-attr]
        assert maps[name] == ET.tostring(urlset, encoding="utf-8", xml_declaration=True)


def test_specs_name_the_group_each_page_is_dated_by():
    """Every generated page is dated through its group (PageSpec.group): none is
    left without one."""
    catalog = build_catalog(PAPERS, TAGS)
    specs: list[PageSpec] = plan_pages(catalog, Settings(page_size=2, home_recent=2))
    lastmods = page_lastmods(catalog)
    assert all(spec.group for spec in specs)
    undated = {spec.url for spec in specs if spec.group not in lastmods}
    assert undated == {"tags/unused/", "collections/"}  # no papers, no reading paths

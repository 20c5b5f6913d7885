"""The site's sitemap, and folder sitemaps for tag feed folders (workaround for
material's alternate links); each page made from entries dated by its papers."""

from __future__ import annotations

import dataclasses
import gzip
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from papershelf.entries.model import Paper, Tag
from papershelf.site.catalog import Catalog, build_catalog
from papershelf.site.pages import INDEX, PageSpec, Settings, home_spec, plan_pages
from papershelf.site.sitemaps import (
    MAX_URLS,
    SITEMAP_NS,
    list_lastmods,
    page_dates,
    page_lastmods,
    paper_lastmod,
    scoped_sitemaps,
    shard_name,
    site_sitemaps,
)


def locs(data: bytes) -> list[str]:
    return [loc.text or "" for loc in ET.fromstring(data).iter(f"{{{SITEMAP_NS}}}loc")]


def shards(maps: dict[str, bytes]) -> list[str]:
    """The names of the site's sitemap shards among ``maps``, in order."""
    found = [name for name in maps if re.fullmatch(r"sitemap-\d+\.xml", name)]
    return sorted(found, key=lambda name: int(name[len("sitemap-") : -len(".xml")]))


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
    assert list(maps) == ["sitemap-1.xml", "sitemap.xml", "sitemap.xml.gz", "tags/b/sitemap.xml"]
    # The root is an index of the shards (written before it), the shards list the pages.
    assert locs(maps["sitemap.xml"]) == ["https://example.org/shelf/sitemap-1.xml"]
    assert locs(maps["sitemap-1.xml"]) == [
        "https://example.org/shelf/",
        "https://example.org/shelf/about/",
        "https://example.org/shelf/papers/x/",
        "https://example.org/shelf/tags/b/",
    ]
    for name in ("sitemap.xml", "sitemap-1.xml"):
        assert b"lastmod" not in maps[name]  # a build date is not a change date
    assert gzip.decompress(maps["sitemap.xml.gz"]) == maps["sitemap.xml"]
    assert maps["sitemap.xml.gz"][4:8] == b"\0\0\0\0"  # no timestamp in the gzip header
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


def sitemaps_org_site(
    maps: dict[str, bytes], site_url: str, limit: int = MAX_URLS
) -> dict[str, str | None]:
    """The site's sitemap (its index and every shard it lists, each checked against the
    sitemaps.org protocol) as ``loc -> lastmod``. Every URL is in exactly one shard,
    the shards hold at most ``limit`` URLs each, all full but the last, and in order
    they list the URLs sorted; each shard is dated in the index by its latest
    ``lastmod``, and the root has no other shard."""
    listed = sitemaps_org_index(maps["sitemap.xml"], site_url)
    names = [loc.removeprefix(site_url) for loc in listed]
    assert names == [shard_name(n) for n in range(1, len(names) + 1)]
    assert shards(maps) == names  # no shard that the index does not list
    assert gzip.decompress(maps["sitemap.xml.gz"]) == maps["sitemap.xml"]
    found: dict[str, str | None] = {}
    for number, (name, lastmod) in enumerate(zip(names, listed.values(), strict=True), 1):
        entries = sitemaps_org_entries(maps[name], site_url, limit=limit)
        assert len(entries) == limit or number == len(names), name  # full but the last
        assert not found.keys() & entries.keys()  # exactly one shard for each URL
        assert list(found) + list(entries) == sorted([*found, *entries])  # in order
        assert lastmod == max(filter(None, entries.values()), default=None), name
        found.update(entries)
    return found


def sitemaps_org_index(data: bytes, site_url: str) -> dict[str, str | None]:
    """The sitemap index's ``loc -> lastmod``, checked against the sitemaps.org protocol:
    UTF-8 XML with the declaration, a ``sitemapindex`` in the protocol's namespace holding
    1 to 50,000 ``sitemap`` elements of at most 50 MB in all, each a ``loc`` (an absolute
    http(s) URL on the index's own site, here at its root: a sitemap lists only URLs
    under its own folder) and at most one ``lastmod`` after it in W3C date form."""
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    data.decode("utf-8")
    assert len(data) <= 50 * 1024 * 1024
    root = ET.fromstring(data)
    ns = f"{{{SITEMAP_NS}}}"
    assert root.tag == f"{ns}sitemapindex" and not root.attrib
    assert 1 <= len(root) <= 50_000
    found: dict[str, str | None] = {}
    for sitemap in root:
        assert sitemap.tag == f"{ns}sitemap" and not (sitemap.text or "").strip()
        names = [child.tag.removeprefix(ns) for child in sitemap]
        assert names in (["loc"], ["loc", "lastmod"]), names
        loc = sitemap[0].text or ""
        assert loc.startswith(site_url) and "/" not in loc.removeprefix(site_url)
        assert urlsplit(loc).scheme in ("http", "https") and loc.strip() == loc
        assert loc not in found
        lastmod = sitemap[1].text if len(sitemap) == 2 else None
        if lastmod is not None:
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", lastmod), lastmod
            date.fromisoformat(lastmod)
        found[loc] = lastmod
    return found


def sitemaps_org_entries(
    data: bytes, site_url: str, folder: str = "", limit: int = MAX_URLS
) -> dict[str, str | None]:
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
    assert 1 <= len(root) <= min(limit, 50_000)
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
        loc.removeprefix(SITE): lastmod for loc, lastmod in sitemaps_org_site(maps, SITE).items()
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
        # Lists: every page of a list, in both orders (the votes order is one page
        # of the top papers), has the latest date on it.
        "tags/agents/": newest,
        "tags/agents/page/2/": newest,
        "tags/agents/votes/": newest,
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
    # One shard: the index dates it by the newest page.
    assert sitemaps_org_index(maps["sitemap.xml"], SITE) == {f"{SITE}sitemap-1.xml": newest}


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
        "archive/2024/",  # one page: its months
        "archive/2024/08/",  # a month that comes
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
    lastmods = set(sitemaps_org_site(first, SITE).values()) - {None}
    assert lastmods <= entry_dates
    split = site_sitemaps(site_pages(PAPERS), TAGS, SITE, limit=3)
    assert split == site_sitemaps(site_pages(list(reversed(PAPERS))), TAGS, SITE, limit=3)
    assert set(sitemaps_org_index(split["sitemap.xml"], SITE).values()) - {None} <= entry_dates


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

    def urlset(listed: list[str]) -> bytes:
        element = ET.Element("urlset", xmlns=SITEMAP_NS)
        for url in listed:
            entry = ET.SubElement(element, "url")
            ET.SubElement(entry, "loc").text = SITE + url
            if urls[url] is not None:
                ET.SubElement(entry, "lastmod").text = urls[url].isoformat()  # type: ignore[union-attr]
        return ET.tostring(element, encoding="utf-8", xml_declaration=True)

    for limit in (MAX_URLS, 7, 1):
        maps = scoped_sitemaps(urls, ["", "tags/", "papers/"], SITE, limit=limit)
        for folder in ("tags/", "papers/"):
            listed = sorted(u for u in urls if u.startswith(folder))
            assert maps[f"{folder}sitemap.xml"] == urlset(listed)
        everything = sorted(urls)
        index = ET.Element("sitemapindex", xmlns=SITEMAP_NS)
        for number, first in enumerate(range(0, len(everything), limit), 1):
            listed = everything[first : first + limit]
            assert maps[shard_name(number)] == urlset(listed)
            sitemap = ET.SubElement(index, "sitemap")
            ET.SubElement(sitemap, "loc").text = SITE + shard_name(number)
            dates = [urls[url] for url in listed if urls[url] is not None]
            if dates:
                ET.SubElement(sitemap, "lastmod").text = max(dates).isoformat()  # type: ignore[type-var]
        assert maps["sitemap.xml"] == ET.tostring(index, encoding="utf-8", xml_declaration=True)
        assert len(shards(maps)) == -(-len(urls) // limit)


def test_specs_name_the_group_each_page_is_dated_by():
    """Every generated page is dated through its group (PageSpec.group): none is
    left without one."""
    catalog = build_catalog(PAPERS, TAGS)
    specs: list[PageSpec] = plan_pages(catalog, Settings(page_size=2, home_recent=2))
    lastmods = page_lastmods(catalog)
    assert all(spec.group for spec in specs)
    undated = {spec.url for spec in specs if spec.group not in lastmods}
    assert undated == {"tags/unused/", "collections/"}  # no papers, no reading paths


# --- the site's sitemap: an index of shards --------------------------------------------


def numbered(count: int) -> dict[str, date | None]:
    """``count`` paper pages, dated but for every seventh."""
    return {
        f"papers/p{n:06}/": None if n % 7 == 0 else date(2020, 1 + n % 12, 1 + n % 28)
        for n in range(count)
    }


@pytest.mark.parametrize("count", [1, 4, 5, 6, 10, 11, 23])
def test_the_root_is_an_index_of_shards_split_at_the_limit(count: int):
    """At most ``limit`` URLs a shard, every URL in exactly one, in order; the index
    lists each shard once, dated by its newest page."""
    pages = numbered(count)
    maps = scoped_sitemaps(pages, [""], SITE, limit=5)
    entries = sitemaps_org_site(maps, SITE, limit=5)
    assert list(entries) == [SITE + url for url in sorted(pages)]
    assert entries == {SITE + url: day and day.isoformat() for url, day in pages.items()}
    assert len(shards(maps)) == -(-count // 5)
    assert sorted(maps) == sorted([*shards(maps), "sitemap.xml", "sitemap.xml.gz"])


def test_a_shard_is_dated_by_its_newest_page_or_not_at_all():
    pages: dict[str, date | None] = {"a/": None, "b/": None, "c/": date(2024, 5, 1), "d/": None}
    pages |= {"e/": date(2023, 1, 2), "f/": date(2024, 12, 31)}
    maps = scoped_sitemaps(pages, [""], SITE, limit=2)
    assert sitemaps_org_index(maps["sitemap.xml"], SITE) == {
        f"{SITE}sitemap-1.xml": None,  # a/ and b/: hand-written, no date known
        f"{SITE}sitemap-2.xml": "2024-05-01",
        f"{SITE}sitemap-3.xml": "2024-12-31",
    }
    sitemaps_org_site(maps, SITE, limit=2)


def test_the_protocols_limit_splits_a_long_list_and_the_index_stays_small():
    """sitemaps.org allows 50,000 URLs in a sitemap: a list over that gets a second
    shard, and the index (what mkdocs-material fetches) grows by a line per shard,
    not with the list."""
    assert MAX_URLS == 50_000
    short = scoped_sitemaps(numbered(10), [""], SITE)
    long = scoped_sitemaps(numbered(MAX_URLS + 1), [""], SITE)
    entries = sitemaps_org_site(long, SITE)
    assert len(entries) == MAX_URLS + 1 and shards(long) == ["sitemap-1.xml", "sitemap-2.xml"]
    assert len(locs(long["sitemap-2.xml"])) == 1
    line = len(f"<sitemap><loc>{SITE}sitemap-2.xml</loc><lastmod>2020-12-28</lastmod></sitemap>")
    assert len(long["sitemap.xml"]) == len(short["sitemap.xml"]) + line
    assert len(long["sitemap.xml"]) < 400
    assert len(scoped_sitemaps(numbered(MAX_URLS), [""], SITE)["sitemap.xml"]) < 300


def test_the_default_limit_is_read_when_the_sitemaps_are_made(monkeypatch: pytest.MonkeyPatch):
    """Tests of whole builds lower it (tests/site/test_sitemaps_builds.py)."""
    import papershelf.site.sitemaps as sitemaps

    monkeypatch.setattr(sitemaps, "MAX_URLS", 2)
    assert shards(site_sitemaps(numbered(5), [], SITE)) == [shard_name(n) for n in (1, 2, 3)]
    with pytest.raises(ValueError):
        scoped_sitemaps(numbered(5), [""], SITE, limit=0)


def test_the_publisher_names_the_shards_as_the_sitemaps_do():
    """site.publish removes stale shards by a glob it names itself (a build does not
    import the sitemaps): the same as theirs, matching every shard and nothing else
    the sitemaps write."""
    from fnmatch import fnmatchcase

    from papershelf.site.publish import SITEMAP_INDEX, SITEMAP_SHARDS
    from papershelf.site.sitemaps import SHARD_GLOB, SITEMAP_FILE

    assert (SITEMAP_INDEX, SITEMAP_SHARDS) == (SITEMAP_FILE, SHARD_GLOB)
    maps = site_sitemaps(numbered(12), TAGS, SITE, limit=1)
    matched = sorted(name for name in maps if fnmatchcase(name, SHARD_GLOB))
    assert matched == sorted(shards(maps)) and len(matched) == 12
    assert not fnmatchcase("sitemap-notes.xml", SHARD_GLOB)


def write_site(root: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)


def files_of(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file()
    }


def test_publishing_a_staged_index_removes_the_shards_it_does_not_list(tmp_path: Path):
    """An incremental or quick build publishes the sitemaps whole or not at all: with
    a staged index, a shard of the site that was not staged is stale (the list
    shrank) and goes, as it would from a clean build; without one, all stay."""
    from papershelf.site.publish import publish

    site, staging = tmp_path / "site", tmp_path / "staging"
    before = scoped_sitemaps(numbered(7), ["", "papers/"], SITE, limit=2)  # four shards
    others = {"sitemap-notes.xml": b"a curator's own", "papers/p000001/index.html": b"page"}
    write_site(site, {**before, **others})
    after = scoped_sitemaps(numbered(4), ["", "papers/"], SITE, limit=2)  # two shards
    write_site(staging, after)
    publish(staging, site, [])
    assert files_of(site) == {**after, **others}
    sitemaps_org_site(files_of(site), SITE, limit=2)

    write_site(staging, {"papers/p000001/index.html": b"edited"})  # sitemaps unchanged
    publish(staging, site, [])
    assert files_of(site) == {**after, **others, "papers/p000001/index.html": b"edited"}


def test_sitemaps_written_into_the_site_leave_no_stale_shard(tmp_path: Path):
    """A ``--dirty`` mkdocs build writes the sitemaps straight into the site."""
    from papershelf.site.publish import remove_stale_shards

    before = scoped_sitemaps(numbered(9), [""], SITE, limit=2)
    write_site(tmp_path, {**before, "sitemap-notes.xml": b"kept"})
    after = scoped_sitemaps(numbered(3), [""], SITE, limit=2)
    write_site(tmp_path, after)
    assert remove_stale_shards(tmp_path, ["sitemap-1.xml"]) == []  # no index: not whole
    assert remove_stale_shards(tmp_path, after) == [tmp_path / shard_name(n) for n in (3, 4, 5)]
    assert files_of(tmp_path) == {**after, "sitemap-notes.xml": b"kept"}

"""Reading paths on the site, without mkdocs: the catalog's paths, the pages planned
for them, their feeds and sitemaps (papershelf.site.collections and its callers)."""

from __future__ import annotations

import json
from datetime import date

import feedparser

from papershelf.entries.collections import Collection, PathItem
from papershelf.entries.model import Paper, Tag
from papershelf.site.catalog import build_catalog
from papershelf.site.collections import collection_feed_key, paths_by_paper
from papershelf.site.feeds import Site, feed_links, plan_feeds, render_all
from papershelf.site.pages import COLLECTIONS, Settings, plan_pages
from papershelf.site.publish import FOLDER_FEEDS
from papershelf.site.sitemaps import page_lastmods, site_sitemaps
from papershelf.speed.page_fingerprints import catalog_fingerprint, page_fingerprint
from papershelf.speed.snapshot import encode_spec

SITE = Site(url="https://example.org/shelf/", name="Shelf", description="A list.")
TAGS = {"agents": Tag("agents", "Agents", "About agents.")}


def paper(n: int) -> Paper:
    return Paper(
        slug=f"p{n}",
        title=f"Paper {n}",
        added=date(2025, 1, n),
        published=date(2024, 6, n),
        tags=("agents",),
        abstract=f"Abstract {n}.",
    )


PAPERS = [paper(n) for n in range(1, 6)]
ZEBRA = Collection(
    "zebra",
    "Zebra path",
    "Last by title.",
    (PathItem("p2", "Second paper first."), PathItem("p5", "Then the newest.")),
)
ALPHA = Collection(
    "alpha",
    "Alpha <path> & more",
    "First by title: <b>escaped</b>.",
    (PathItem("p5", "Start <here> & now."), PathItem("p1", "The oldest."), PathItem("p3", "c")),
)


def catalog(*paths: Collection):
    return build_catalog(PAPERS, TAGS, collections=paths)


def test_the_catalog_orders_paths_by_title_and_knows_the_paths_of_each_paper():
    shelf = catalog(ZEBRA, ALPHA)
    assert [path.slug for path in shelf.collections] == ["alpha", "zebra"]
    assert [p.slug for p in shelf.path_papers(ALPHA)] == ["p5", "p1", "p3"]
    assert shelf.paths_of["p5"] == [
        {"url": "collections/alpha/", "title": "Alpha <path> & more", "step": 1, "steps": 3},
        {"url": "collections/zebra/", "title": "Zebra path", "step": 2, "steps": 2},
    ]
    assert "p4" not in shelf.paths_of
    assert paths_by_paper([]) == {} and catalog().collections == []


def test_the_index_and_every_path_get_a_page_in_the_collections_group():
    specs = [s for s in plan_pages(catalog(ZEBRA, ALPHA), Settings()) if s.group == COLLECTIONS]
    assert [(s.url, s.kind, s.template) for s in specs] == [
        ("collections/", "collection-index", "papershelf/collection-index.html"),
        ("collections/alpha/", "collection", "papershelf/collection.html"),
        ("collections/zebra/", "collection", "papershelf/collection.html"),
    ]
    index, alpha, _ = specs
    assert [path["slug"] for path in index.context["paths"]] == ["alpha", "zebra"]
    assert index.context["paths"][0]["count"] == 3
    assert alpha.title == "Alpha <path> & more"  # escaped where printed
    assert alpha.context["path"]["notes"] == ["Start <here> & now.", "The oldest.", "c"]
    assert [p.slug for p in alpha.context["papers"]] == ["p5", "p1", "p3"]
    assert alpha.feed_tags == (collection_feed_key("alpha"),)


def test_a_list_without_paths_still_has_the_index():
    specs = [s for s in plan_pages(catalog(), Settings()) if s.group == COLLECTIONS]
    assert [(s.url, s.context) for s in specs] == [("collections/", {"paths": []})]
    assert plan_pages(catalog(ALPHA), Settings(), groups={"index"}) == [
        s for s in plan_pages(catalog(ALPHA), Settings()) if s.group == "index"
    ]


def test_paper_pages_name_the_paths_they_are_on():
    specs = {s.url: s for s in plan_pages(catalog(ZEBRA, ALPHA), Settings()) if s.kind == "paper"}
    assert specs["papers/p1/"].context["collections"] == [
        {"url": "collections/alpha/", "title": "Alpha <path> & more", "step": 2, "steps": 3}
    ]
    assert specs["papers/p4/"].context["collections"] == []


def test_the_pages_can_be_kept_in_the_snapshot_and_fingerprinted():
    """Plain data and papers only: the build snapshot encodes every spec, and a page's
    key changes with its path's notes."""
    shelf = catalog(ALPHA)
    specs = plan_pages(shelf, Settings())
    number = {id(p): n for n, p in enumerate(shelf.papers)}
    for spec in specs:
        json.loads(encode_spec(spec, "shell", number, set()))
    token = catalog_fingerprint(shelf)
    edited = Collection(ALPHA.slug, ALPHA.title, ALPHA.description, (PathItem("p5", "New."),))

    def key(path: Collection) -> object:
        [spec] = [s for s in plan_pages(catalog(path), Settings()) if s.url == "collections/alpha/"]
        return page_fingerprint(spec, token)

    assert key(ALPHA) == key(ALPHA) != key(edited)


def test_each_path_has_feeds_of_its_papers_in_its_order_with_its_notes():
    files = render_all(catalog(ZEBRA, ALPHA), SITE, length=1)
    assert {name for name in files if name.startswith("collections/")} == {
        f"collections/{slug}/{name}"
        for slug in ("alpha", "zebra")
        for name in ("feed.xml", "atom.xml", "feed.json")
    }
    for name in ("feed.xml", "atom.xml"):
        parsed = feedparser.parse(files[f"collections/alpha/{name}"])
        assert not parsed.bozo, parsed.bozo_exception
        assert parsed.feed.title == "Shelf: Alpha <path> & more (reading path)"
        # The whole path (not cut to the feed length), in the path's order.
        assert [e.link for e in parsed.entries] == [
            f"https://example.org/shelf/papers/{slug}/" for slug in ("p5", "p1", "p3")
        ]
        first = parsed.entries[0].content[0].value
        assert "<strong>Reading path note:</strong> Start &lt;here&gt; &amp; now." in first
    document = json.loads(files["collections/alpha/feed.json"])
    assert document["home_page_url"] == "https://example.org/shelf/collections/alpha/"
    # The site feed's item of the same paper carries no note.
    site_item = json.loads(files["feed.json"])["items"][0]
    assert "Reading path note" not in site_item["content_html"]


def test_path_feeds_are_dated_by_their_papers_never_the_clock():
    first = render_all(catalog(ALPHA), SITE, 50)
    assert first == render_all(catalog(ALPHA), SITE, 50)
    atom = feedparser.parse(first["collections/alpha/atom.xml"])
    assert atom.feed.updated.startswith("2025-01-05")  # its newest paper, p5


def test_pages_advertise_a_paths_feeds_by_its_key():
    links = feed_links(catalog(ALPHA), SITE)
    assert links["collections/alpha"].atom == "https://example.org/shelf/collections/alpha/atom.xml"
    assert links["agents"].rss == "https://example.org/shelf/tags/agents/feed.xml"
    assert [f.folder for f in plan_feeds(catalog(ALPHA), SITE, 5)] == [
        "",
        "tags/agents/",
        "collections/alpha/",
    ]


def test_paths_are_dated_and_get_folder_sitemaps():
    shelf = catalog(ZEBRA)
    assert page_lastmods(shelf)[COLLECTIONS] == date(2025, 1, 5)
    assert COLLECTIONS not in page_lastmods(catalog())
    pages = {"collections/": date(2025, 1, 5), "collections/zebra/": date(2025, 1, 5)}
    maps = site_sitemaps(pages, TAGS, SITE.url, ["zebra"])
    assert b"collections/zebra/</loc>" in maps["collections/zebra/sitemap.xml"]


def test_a_removed_paths_feeds_go_with_its_page():
    """An incremental build deletes a removed page's folder files (site.publish): the
    names there are those the feeds and sitemaps are written as."""
    from papershelf.site.feeds import ATOM_FILE, JSON_FILE, RSS_FILE
    from papershelf.site.sitemaps import SITEMAP_FILE

    assert FOLDER_FEEDS == (RSS_FILE, ATOM_FILE, JSON_FILE, SITEMAP_FILE)

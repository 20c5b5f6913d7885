"""Unit tests of papershelf.site.feeds: papers in, RSS/Atom/JSON bytes out, no mkdocs."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser

import feedparser
import pytest

from papershelf.entries.model import Links, Paper, Tag
from papershelf.site.catalog import Catalog, build_catalog
from papershelf.site.feeds import (
    EMPTY_SITE_UPDATED,
    Site,
    entry_datetime,
    feed_links,
    plan_feeds,
    render_all,
)

SITE = Site(url="https://example.org/shelf/", name="Test & shelf", description="A <test> list.")
ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"

NASTY_TITLE = "Q&A: <script>alert(\"t\")</script> “curly” 'single' 🤖 注意力 Внимание"
NASTY_ABSTRACT = "We show a < b & c > d, <b>bold</b>, <script>alert(1)</script>, </s> 🧪 注意力."
NASTY_AUTHORS = ("Ada & Bob", 'Zoë "Z" <z@example.org>', "李雷")

TAGS = {
    "agents": Tag("agents", "Agents & <Planning>", "Agents that act & plan."),
    "vision": Tag("vision", "Vision", "Seeing things."),
    "empty": Tag("empty", "Empty", "No papers here."),
}


def paper(slug: str, added: date, **fields: object) -> Paper:
    fields.setdefault("title", slug.replace("-", " ").title())
    fields.setdefault("tags", ("agents",))
    return Paper(slug=slug, added=added, **fields)


def nasty() -> Paper:
    return paper(
        "nasty",
        date(2025, 3, 1),
        title=NASTY_TITLE,
        abstract=NASTY_ABSTRACT,
        authors=NASTY_AUTHORS,
        published=date(2024, 12, 24),
        links=Links(arxiv="2401.00001", code="https://github.com/x/y?a=1&b=2"),
        notes="See [the other](../other/), [a section](#s) and [a site](https://e.org/).\n\n"
        "<script>alert(2)</script>",
    )


def catalog(*papers: Paper) -> Catalog:
    return build_catalog(list(papers), TAGS)


def standard() -> Catalog:
    return catalog(
        nasty(),
        paper("other", date(2025, 2, 1), tags=("agents", "vision"), author_count=3),
        paper("older", date(2025, 1, 1), tags=("vision",), published=date(2020, 5, 1)),
    )


def parse(data: bytes) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


class Hrefs(HTMLParser):
    """Collects every href/src of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.urls += [value or "" for name, value in attrs if name in {"href", "src"}]


def html_urls(fragment: str) -> Hrefs:
    collector = Hrefs()
    collector.feed(fragment)
    return collector


# --- order, length, ids -----------------------------------------------------------


def test_entries_are_newest_first_by_added_then_published_then_slug() -> None:
    papers = [
        paper("b-same-day", date(2025, 1, 5), published=date(2024, 1, 1)),
        paper("a-same-day", date(2025, 1, 5), published=date(2024, 1, 1)),
        paper("newer-publication", date(2025, 1, 5), published=date(2024, 6, 1)),
        paper("newest", date(2025, 1, 9)),
        paper("oldest", date(2024, 12, 1), published=date(2030, 1, 1)),
    ]
    files = render_all(catalog(*reversed(papers)), SITE, 50)
    expected = ["newest", "newer-publication", "a-same-day", "b-same-day", "oldest"]
    for name in ("feed.xml", "atom.xml"):
        slugs = [e.link.rstrip("/").rsplit("/", 1)[1] for e in parse(files[name]).entries]
        assert slugs == expected, name
    items = json.loads(files["feed.json"])["items"]
    assert [item["url"].rstrip("/").rsplit("/", 1)[1] for item in items] == expected


def test_feed_length_bounds_site_and_tag_feeds() -> None:
    papers = [paper(f"p{i:02d}", date(2025, 1, 1 + i)) for i in range(12)]
    files = render_all(catalog(*papers), SITE, 5)
    for name in ("feed.xml", "atom.xml", "tags/agents/feed.xml", "tags/agents/atom.xml"):
        entries = parse(files[name]).entries
        assert len(entries) == 5, name
        assert entries[0].link == "https://example.org/shelf/papers/p11/"
    assert len(json.loads(files["feed.json"])["items"]) == 5


def test_every_tag_has_its_feeds_with_only_its_papers() -> None:
    files = render_all(standard(), SITE, 50)
    expected_files = {
        f"{folder}{name}"
        for folder in ("", "tags/agents/", "tags/vision/", "tags/empty/")
        for name in ("feed.xml", "atom.xml", "feed.json")
    }
    assert set(files) == expected_files
    vision = parse(files["tags/vision/atom.xml"])
    assert [e.id for e in vision.entries] == [
        "https://example.org/shelf/papers/other/",
        "https://example.org/shelf/papers/older/",
    ]
    assert vision.feed.title == "Test & shelf: Vision"
    assert vision.feed.subtitle == "Seeing things."
    assert parse(files["tags/empty/feed.xml"]).entries == []


def test_ids_are_absolute_paper_urls_shared_by_rss_atom_and_json() -> None:
    files = render_all(standard(), SITE, 50)
    url = "https://example.org/shelf/papers/nasty/"
    rss_item = parse(files["feed.xml"]).entries[0]
    atom_entry = parse(files["atom.xml"]).entries[0]
    assert rss_item.id == atom_entry.id == url
    guid = ET.fromstring(files["feed.xml"]).find("channel/item/guid")
    assert guid is not None and guid.get("isPermaLink") == "true"  # the id is the page
    assert rss_item.link == atom_entry.link == url
    assert json.loads(files["feed.json"])["items"][0]["id"] == url


def test_editing_notes_changes_content_but_not_id_or_dates() -> None:
    before = render_all(catalog(nasty()), SITE, 50)
    edited = Paper(**{**_fields(nasty()), "notes": "Completely rewritten notes."})
    after = render_all(catalog(edited), SITE, 50)
    for name in ("feed.xml", "atom.xml"):
        old, new = parse(before[name]).entries[0], parse(after[name]).entries[0]
        assert old.id == new.id
        assert old.published == new.published
        assert "Completely rewritten notes." not in old.content[0].value
        assert "Completely rewritten notes." in new.content[0].value
        assert "the other" not in new.content[0].value
    assert before["feed.xml"] != after["feed.xml"]


def _fields(p: Paper) -> dict[str, object]:
    return {name: getattr(p, name) for name in p.__dataclass_fields__}


# --- dates --------------------------------------------------------------------------


def test_entry_dates_are_utc_instants_early_on_the_added_day() -> None:
    for added in (date(2025, 1, 1), date(2025, 12, 31)):
        for published in (None, date(1850, 1, 1), date(2017, 6, 12), date(2200, 1, 1)):
            moment = entry_datetime(paper("x", added, published=published))
            assert moment.tzinfo is UTC
            assert moment.date() == added
            # A build on the added day, ten minutes after midnight or later, never
            # dates an entry in its future.
            assert moment < datetime.combine(added, datetime.min.time(), UTC) + timedelta(
                minutes=10
            )


def test_entry_dates_are_distinct_for_papers_added_the_same_day() -> None:
    day = date(2025, 1, 6)
    papers = [paper(f"paper-{i}", day, published=date(2024, 1, 1 + i % 20)) for i in range(60)]
    papers += [paper(f"undated-{i}", day) for i in range(60)]
    moments = [entry_datetime(p) for p in papers]
    assert len(set(moments)) == len(moments)
    # A later publication date gives a later time, as in the list order.
    assert entry_datetime(papers[1]) > entry_datetime(papers[0])


def test_entry_date_depends_on_the_paper_alone() -> None:
    moment = entry_datetime(nasty())
    assert entry_datetime(Paper(**{**_fields(nasty()), "notes": "", "abstract": ""})) == moment


def test_feed_updated_is_newest_entry_never_build_time() -> None:
    files = render_all(standard(), SITE, 50)
    newest = entry_datetime(nasty())
    atom = ET.fromstring(files["atom.xml"])
    assert atom.findtext(f"{ATOM}updated") == newest.isoformat()
    channel = ET.fromstring(files["feed.xml"]).find("channel")
    assert channel is not None
    last_build = parsedate_to_datetime(channel.findtext("lastBuildDate") or "")
    assert last_build == newest.replace(microsecond=0)
    assert channel.findtext("lastBuildDate", "").endswith(" +0000")
    # The vision feed's newest entry is "other", not the site's newest paper.
    vision = ET.fromstring(files["tags/vision/atom.xml"])
    assert (
        vision.findtext(f"{ATOM}updated") == entry_datetime(standard().by_slug["other"]).isoformat()
    )
    assert str(datetime.now(UTC).year) not in files["feed.xml"].decode()


def test_empty_tag_feed_is_dated_by_the_newest_paper_of_the_site() -> None:
    files = render_all(standard(), SITE, 50)
    atom = ET.fromstring(files["tags/empty/atom.xml"])
    assert atom.findtext(f"{ATOM}updated") == entry_datetime(nasty()).isoformat()
    assert atom.find(f"{ATOM}entry") is None


def test_empty_site_gets_a_fixed_date() -> None:
    files = render_all(catalog(), SITE, 50)
    atom = ET.fromstring(files["atom.xml"])
    assert atom.findtext(f"{ATOM}updated") == EMPTY_SITE_UPDATED.isoformat()
    assert render_all(catalog(), SITE, 50) == files
    # Feed validators call a date before 1990 implausible (W3C: a warning).
    assert atom.findtext(f"{ATOM}updated") >= "1990-01-01"
    rss = ET.fromstring(files["feed.xml"])
    assert rss.findtext("channel/lastBuildDate").endswith(" 2000 00:00:00 +0000")


def test_pub_dates_parse_with_timezone_in_both_formats() -> None:
    files = render_all(standard(), SITE, 50)
    rss = parse(files["feed.xml"]).entries[0]
    atom = parse(files["atom.xml"]).entries[0]
    assert re.fullmatch(r"Sat, 01 Mar 2025 \d\d:\d\d:\d\d \+0000", rss.published)
    assert re.fullmatch(r"2025-03-01T\d\d:\d\d:\d\d(\.\d+)?\+00:00", atom.updated)
    assert rss.published_parsed[:3] == atom.updated_parsed[:3] == (2025, 3, 1)


def test_rendering_twice_is_byte_identical() -> None:
    assert render_all(standard(), SITE, 50) == render_all(standard(), SITE, 50)


# --- escaping and content -------------------------------------------------------------


def test_nasty_text_survives_rss() -> None:
    item = parse(render_all(standard(), SITE, 50)["feed.xml"]).entries[0]
    assert item.title == NASTY_TITLE
    # description is HTML (RSS convention): the abstract escaped once, shown verbatim.
    assert html.unescape(item.summary) == NASTY_ABSTRACT
    assert len(item.authors) == len(NASTY_AUTHORS)  # exact text: see the dc:creator test
    assert [t.term for t in item.tags] == ["Agents & <Planning>"]


def test_nasty_text_survives_atom() -> None:
    entry = parse(render_all(standard(), SITE, 50)["atom.xml"]).entries[0]
    assert entry.title == NASTY_TITLE
    assert html.unescape(entry.summary) == NASTY_ABSTRACT
    assert [a["name"] for a in entry.authors] == list(NASTY_AUTHORS)
    assert [(t.term, t.label) for t in entry.tags] == [("agents", "Agents & <Planning>")]


def test_content_html_escapes_entry_text_and_drops_scripts() -> None:
    files = render_all(standard(), SITE, 50)
    content = parse(files["atom.xml"]).entries[0].content[0]
    assert content.type == "text/html"
    parsed = html_urls(content.value)
    assert "script" not in parsed.tags
    assert html.escape(NASTY_ABSTRACT, quote=False) in content.value
    assert "Ada &amp; Bob" in content.value
    assert "alert(2)" not in content.value  # the notes' raw <script> is sanitised away
    item = json.loads(files["feed.json"])["items"][0]
    assert item["title"] == NASTY_TITLE
    assert item["summary"] == NASTY_ABSTRACT
    assert "<script>" not in item["content_html"]


def test_rss_plain_text_uses_hex_character_references() -> None:
    data = render_all(standard(), SITE, 50)["feed.xml"]
    assert b"Q&#x26;A: &#x3C;script&gt;" in data  # RSS Best Practices Profile
    assert b"&amp;" not in data
    assert b"&lt;" not in data
    assert b"<![CDATA[" not in render_all(standard(), SITE, 50)["atom.xml"]
    assert b"<![CDATA[" not in data


def test_rss_names_are_dc_creators_never_author_elements() -> None:
    channel = ET.fromstring(render_all(standard(), SITE, 50)["feed.xml"]).find("channel")
    assert channel is not None
    item = channel.findall("item")[0]
    assert item.find("author") is None
    assert [e.text for e in item.findall(f"{DC}creator")] == list(NASTY_AUTHORS)


def test_control_characters_never_reach_the_xml() -> None:
    bad_tags = {"agents": Tag("agents", "Agents\x0b\x85", "Bad\x00 description")}
    files = render_all(build_catalog([paper("p", date(2025, 1, 1))], bad_tags), SITE, 50)
    for name in ("feed.xml", "atom.xml", "tags/agents/feed.xml", "tags/agents/atom.xml"):
        assert parse(files[name]).feed.title  # well-formed
        assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xc2[\x80-\x9f]", files[name])


def test_content_links_are_absolute() -> None:
    files = render_all(standard(), SITE, 50)
    content = parse(files["atom.xml"]).entries[0].content[0].value
    urls = html_urls(content).urls
    assert "https://example.org/shelf/papers/other/" in urls  # notes' ../other/
    assert "https://example.org/shelf/papers/nasty/#s" in urls  # notes' #s
    assert "https://example.org/shelf/tags/agents/" in urls
    assert "https://arxiv.org/abs/2401.00001" in urls
    assert "https://github.com/x/y?a=1&b=2" in urls
    assert all(url.startswith("https://") for url in urls), urls


def test_absolute_links_do_not_let_unsafe_schemes_back_in() -> None:
    notes = "[js](javascript:alert(1)) [data](data:text/html,x) [mail](mailto:a@b.c) [up](../../x)"
    entry = paper("p", date(2025, 1, 1), notes=notes)
    content = parse(render_all(catalog(entry), SITE, 50)["atom.xml"]).entries[0].content[0].value
    urls = html_urls(content).urls
    assert "mailto:a@b.c" in urls
    assert "https://example.org/shelf/x" in urls
    assert not [url for url in urls if url.startswith(("javascript:", "data:"))]
    assert "javascript:" not in content


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml"])
def test_no_relative_urls_anywhere(name: str) -> None:
    data = render_all(standard(), SITE, 50)[name].decode()
    text = html.unescape(html.unescape(data))  # XML escaping, then HTML escaping
    attributes = re.findall(r'(?:href|src|url|link)"?\s*[=:]\s*"([^"]*)"', text)
    elements = re.findall(r"<(?:link|id|guid)>([^<]*)<", text)
    assert len(attributes) + len(elements) > 10
    for url in attributes + elements:
        assert url.startswith("https://"), url


def test_no_relative_urls_in_json_feed() -> None:
    document = json.loads(render_all(standard(), SITE, 50)["feed.json"])
    urls = [document["home_page_url"], document["feed_url"]]
    for item in document["items"]:
        urls += [item["id"], item["url"], *html_urls(item["content_html"]).urls]
    assert len(urls) > 10
    for url in urls:
        assert url.startswith("https://"), url


# --- required elements per RSS 2.0 and RFC 4287 -----------------------------------------


def test_rss_has_required_channel_and_item_elements() -> None:
    root = ET.fromstring(render_all(standard(), SITE, 50)["feed.xml"])
    assert root.tag == "rss"
    assert root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    assert channel.findtext("title") == "Test & shelf"
    assert channel.findtext("link") == "https://example.org/shelf/"
    assert channel.findtext("description") == "A <test> list."
    assert channel.findtext("language") == "en"
    assert channel.findtext("generator") == "Papershelf"
    self_link = channel.find(f"{ATOM}link")
    assert self_link is not None
    assert self_link.attrib == {
        "href": "https://example.org/shelf/feed.xml",
        "rel": "self",
        "type": "application/rss+xml",
    }
    items = channel.findall("item")
    assert len(items) == 3
    for item in items:
        guid = item.find("guid")
        assert guid is not None and guid.text and guid.get("isPermaLink") == "true"
        assert item.findtext("title")
        assert item.findtext("link") == guid.text
        assert item.findtext("pubDate")
        assert item.find(f"{CONTENT}encoded") is not None or item.findtext("description")


def test_atom_has_required_feed_and_entry_elements() -> None:
    root = ET.fromstring(render_all(standard(), SITE, 50)["tags/agents/atom.xml"])
    assert root.tag == f"{ATOM}feed"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert root.findtext(f"{ATOM}id") == "https://example.org/shelf/tags/agents/atom.xml"
    assert root.findtext(f"{ATOM}title") == "Test & shelf: Agents & <Planning>"
    assert root.findtext(f"{ATOM}updated")
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "Test & shelf"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {
        "self": "https://example.org/shelf/tags/agents/atom.xml",
        "alternate": "https://example.org/shelf/tags/agents/",
    }
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert entry.findtext(f"{ATOM}{required}"), required
        link = entry.find(f"{ATOM}link")
        assert link is not None and link.get("href") == entry.findtext(f"{ATOM}id")
        assert entry.find(f"{ATOM}content").get("type") == "html"
    # Entries without listed authors rely on the feed-level author (RFC 4287 4.1.1).
    other = entries[1]
    assert other.find(f"{ATOM}author") is None


def test_json_feed_has_required_members() -> None:
    document = json.loads(render_all(standard(), SITE, 50)["tags/vision/feed.json"])
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["title"] == "Test & shelf: Vision"
    assert document["home_page_url"] == "https://example.org/shelf/tags/vision/"
    assert document["feed_url"] == "https://example.org/shelf/tags/vision/feed.json"
    for item in document["items"]:
        assert item["id"] == item["url"]
        assert datetime.fromisoformat(item["date_published"]).tzinfo is not None
        assert item["content_html"]


# --- planning and links for pages --------------------------------------------------------


def test_plan_feeds_titles_and_fallback_description() -> None:
    site = Site(url="https://example.org/", name="Shelf")
    feeds = plan_feeds(standard(), site, 1)
    assert [(f.folder, f.title) for f in feeds] == [
        ("", "Shelf"),
        ("tags/agents/", "Shelf: Agents & <Planning>"),
        ("tags/vision/", "Shelf: Vision"),
        ("tags/empty/", "Shelf: Empty"),
    ]
    assert feeds[0].description == "The newest additions to Shelf."
    assert [len(f.papers) for f in feeds] == [1, 1, 1, 0]


def test_feed_links_for_templates_are_absolute() -> None:
    links = feed_links(standard(), SITE)
    assert set(links) == {"", "agents", "vision", "empty"}
    assert links[""].rss == "https://example.org/shelf/feed.xml"
    assert links["agents"].atom == "https://example.org/shelf/tags/agents/atom.xml"
    assert links["vision"].json == "https://example.org/shelf/tags/vision/feed.json"
    assert links["vision"].title == "Test & shelf: Vision"


def test_site_url_without_trailing_slash_still_gives_clean_urls() -> None:
    site = Site(url="https://example.org/shelf", name="Shelf")
    entry = parse(render_all(standard(), site, 50)["atom.xml"]).entries[0]
    assert entry.id == "https://example.org/shelf/papers/nasty/"

"""End to end: a real mkdocs build writes valid, stable feeds and advertises them."""

from __future__ import annotations

import html
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest

from tests.conftest import MKDOCS_YML, TAGS_YML, Project

SITE_URL = "https://example.org/shelf/"
ATOM = "{http://www.w3.org/2005/Atom}"
NASTY_TITLE = 'Q&A <script>alert("x")</script> “curly” \'s 🤖 注意力 Внимание'
NASTY_ABSTRACT = "a < b & c, <em>tags</em>, <script>alert(1)</script> 🧪 注意力 Внимание."
FEED_LENGTH = 3
TAGS = ("agents", "reasoning", "vision")


def write_project(project: Project) -> None:
    project.write("tags.yml", TAGS_YML)
    project.write(
        "mkdocs.yml",
        MKDOCS_YML.format(page_size=2).replace(
            "home_recent: 5", f"home_recent: 5\n      feed_length: {FEED_LENGTH}"
        ),
    )
    project.write("content/index.md", "# Test shelf\n\nHand-written intro.\n")
    project.paper(
        "nasty",
        f"""\
        title: '{NASTY_TITLE.replace("'", "''")}'
        authors: [Ada & Bob, Zoë <Z>]
        published: 2024-03-05
        added: 2025-01-09
        tags: [agents, reasoning]
        abstract: '{NASTY_ABSTRACT}'
        links:
          arxiv: "2310.06770"
          code: https://github.com/x/y?a=1&b=2
        notes: |
          See [the plain one](../plain-1/) and [below](#notes).

          <script>alert("notes")</script>
        """,
    )
    for day in range(1, 5):
        project.paper(
            f"plain-{day}",
            f"""\
            title: Plain paper {day}
            author_count: 3
            published: 2024-01-1{day}
            added: 2025-01-0{day}
            tags: [agents]
            abstract: Plain abstract {day}.
            """,
        )
    project.paper(
        "undated",
        "---\ntitle: Undated\nadded: 2025-01-01\ntags: [vision]\n---\nBody *notes*.\n",
        ".md",
    )


# Newest first: added date, then published date, then slug.
ORDER = ["nasty", "plain-4", "plain-3", "plain-2", "plain-1", "undated"]
BY_TAG = {
    "agents": ["nasty", "plain-4", "plain-3", "plain-2", "plain-1"],
    "reasoning": ["nasty"],
    "vision": ["undated"],
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    project = Project(tmp_path_factory.mktemp("feeds"))
    write_project(project)
    result = project.build()
    assert result.returncode == 0, result.stderr
    yield project


def feed_paths(site: Path) -> list[Path]:
    names = ("feed.xml", "atom.xml", "feed.json")
    paths = [site / name for name in names]
    paths += [site / "tags" / tag / name for tag in TAGS for name in names]
    return paths


def xml_feeds(site: Path) -> list[Path]:
    return [path for path in feed_paths(site) if path.suffix == ".xml"]


def slugs_of(entries: list[dict]) -> list[str]:
    return [entry["link"].removeprefix(SITE_URL + "papers/").rstrip("/") for entry in entries]


def test_every_feed_is_written(built: Project) -> None:
    for path in feed_paths(built.site):
        assert path.is_file(), path


def test_feeds_parse_without_errors_in_order_and_bounded(built: Project) -> None:
    for folder, expected in [("", ORDER), *((f"tags/{t}/", BY_TAG[t]) for t in TAGS)]:
        for name, version in (("feed.xml", "rss20"), ("atom.xml", "atom10")):
            parsed = feedparser.parse((built.site / folder / name).read_bytes())
            assert not parsed.bozo, (folder, name, parsed.get("bozo_exception"))
            assert parsed.version == version
            assert slugs_of(parsed.entries) == expected[:FEED_LENGTH], (folder, name)
            for entry in parsed.entries:
                assert entry.id == entry.link
                assert entry.link.startswith(SITE_URL + "papers/")
                assert entry.published_parsed is not None
        document = json.loads((built.site / folder / "feed.json").read_text("utf-8"))
        assert [item["url"] for item in document["items"]] == [
            f"{SITE_URL}papers/{slug}/" for slug in expected[:FEED_LENGTH]
        ]


def test_entry_links_point_at_built_pages(built: Project) -> None:
    parsed = feedparser.parse((built.site / "atom.xml").read_bytes())
    for entry in parsed.entries:
        page = entry.link.removeprefix(SITE_URL)
        assert (built.site / page / "index.html").is_file(), page


def test_feed_dates_come_from_the_newest_entry(built: Project) -> None:
    atom = ET.parse(built.site / "atom.xml").getroot()
    newest = atom.find(f"{ATOM}entry/{ATOM}updated")
    assert newest is not None
    assert atom.findtext(f"{ATOM}updated") == newest.text
    assert (newest.text or "").startswith("2025-01-09T")
    vision = ET.parse(built.site / "tags/vision/feed.xml").getroot()
    assert (vision.findtext("channel/lastBuildDate") or "").startswith("Wed, 01 Jan 2025 ")


def test_required_elements_per_rss_and_atom(built: Project) -> None:
    for path in xml_feeds(built.site):
        root = ET.parse(path).getroot()
        self_url = SITE_URL + path.relative_to(built.site).as_posix()
        if path.name == "feed.xml":
            channel = root.find("channel")
            assert channel is not None
            for required in ("title", "link", "description"):
                assert channel.findtext(required), (path, required)
            self_link = channel.find(f"{ATOM}link[@rel='self']")
            assert self_link is not None and self_link.get("href") == self_url
            for item in channel.findall("item"):
                assert item.findtext("guid"), path
                assert item.findtext("title"), path
        else:
            for required in ("id", "title", "updated"):
                assert root.findtext(f"{ATOM}{required}"), (path, required)
            self_link = root.find(f"{ATOM}link[@rel='self']")
            assert self_link is not None and self_link.get("href") == self_url
            for entry in root.findall(f"{ATOM}entry"):
                for required in ("id", "title", "updated"):
                    assert entry.findtext(f"{ATOM}{required}"), (path, required)
                assert entry.find(f"{ATOM}link") is not None, path


def test_untrusted_text_comes_through_intact_and_escaped(built: Project) -> None:
    for name in ("feed.xml", "atom.xml", "tags/reasoning/feed.xml", "tags/reasoning/atom.xml"):
        entry = feedparser.parse((built.site / name).read_bytes()).entries[0]
        assert entry.title == NASTY_TITLE, name
        assert html.unescape(entry.summary) == NASTY_ABSTRACT, name
        content = entry.content[0].value
        assert html.escape(NASTY_ABSTRACT, quote=False) in content, name
        assert "<script" not in content, name
        assert 'alert("notes")' not in content, name
        assert "Ada &amp; Bob" in content, name
    item = json.loads((built.site / "feed.json").read_text("utf-8"))["items"][0]
    assert item["title"] == NASTY_TITLE
    assert item["summary"] == NASTY_ABSTRACT
    assert item["authors"] == [{"name": "Ada & Bob"}, {"name": "Zoë <Z>"}]


def test_feeds_contain_no_relative_urls(built: Project) -> None:
    for path in feed_paths(built.site):
        text = path.read_text("utf-8")
        if path.suffix == ".json":
            text = json.dumps(json.loads(text), ensure_ascii=False).replace('\\"', '"')
        text = html.unescape(html.unescape(text))
        urls = re.findall(r'(?:href|src|url)"?\s*[=:]\s*"([^"]*)"', text)
        urls += re.findall(r"<(?:link|id|guid)>([^<]*)<", text)
        assert urls, path
        for url in urls:
            assert url.startswith(("https://", "http://")), (path, url)
    content = feedparser.parse((built.site / "atom.xml").read_bytes()).entries[0].content[0]
    assert f'href="{SITE_URL}papers/plain-1/"' in content.value
    assert f'href="{SITE_URL}papers/nasty/#notes"' in content.value


def test_rebuilding_gives_byte_identical_feeds(built: Project, tmp_path: Path) -> None:
    again = Project(tmp_path / "again")
    shutil.copytree(built.root, again.root, ignore=shutil.ignore_patterns("site"))
    result = again.build()
    assert result.returncode == 0, result.stderr
    for path in feed_paths(built.site):
        relative = path.relative_to(built.site)
        assert (again.site / relative).read_bytes() == path.read_bytes(), relative


def test_editing_notes_changes_content_but_not_the_id(built: Project, tmp_path: Path) -> None:
    edited = Project(tmp_path / "edited")
    shutil.copytree(built.root, edited.root, ignore=shutil.ignore_patterns("site"))
    source = edited.papers / "nasty.yaml"
    text = source.read_text("utf-8")
    source.write_text(text.replace("See [the plain one]", "Rewritten. See [the plain one]"))
    result = edited.build()
    assert result.returncode == 0, result.stderr
    for name in ("feed.xml", "atom.xml"):
        before = feedparser.parse((built.site / name).read_bytes()).entries
        after = feedparser.parse((edited.site / name).read_bytes()).entries
        assert [e.id for e in after] == [e.id for e in before]
        assert [e.published for e in after] == [e.published for e in before]
        assert "Rewritten." not in before[0].content[0].value
        assert "Rewritten." in after[0].content[0].value
        assert [e.content[0].value for e in after[1:]] == [e.content[0].value for e in before[1:]]


class Alternates(HTMLParser):
    """The feed <link rel="alternate"> elements of a page's <head>."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and found.get("rel") == "alternate":
            self.links.append((found["type"] or "", found["href"] or "", found["title"] or ""))


def alternates(page: Path) -> list[tuple[str, str, str]]:
    parser = Alternates()
    parser.feed(page.read_text("utf-8"))
    return parser.links


def site_feeds() -> list[tuple[str, str, str]]:
    return feeds_of("", "Test shelf")


def feeds_of(folder: str, title: str) -> list[tuple[str, str, str]]:
    return [
        ("application/rss+xml", f"{SITE_URL}{folder}feed.xml", f"{title} (RSS)"),
        ("application/atom+xml", f"{SITE_URL}{folder}atom.xml", f"{title} (Atom)"),
        ("application/feed+json", f"{SITE_URL}{folder}feed.json", f"{title} (JSON Feed)"),
    ]


@pytest.mark.parametrize(
    "page",
    ["index.html", "tags/index.html", "archive/index.html", "archive/2024/index.html", "404.html"],
)
def test_every_page_advertises_the_site_feeds(built: Project, page: str) -> None:
    assert alternates(built.site / page) == site_feeds()


def test_tag_pages_advertise_their_tag_feeds(built: Project) -> None:
    for page in ("tags/agents/index.html", "tags/agents/page/2/index.html"):
        links = alternates(built.site / page)
        assert links == site_feeds() + feeds_of("tags/agents/", "Test shelf: Agents"), page


def test_paper_pages_advertise_the_site_feeds_and_link_their_tags_feeds(
    built: Project,
) -> None:
    """Autodiscovery: the site's feeds (each link costs a reader's browser a sitemap
    request, papershelf.site.pages.paper_spec); the tags' feeds are links in the text."""
    links = alternates(built.site / "papers/nasty/index.html")
    assert links == site_feeds()
    paper = built.html("papers/nasty")
    for tag in ("agents", "reasoning"):
        for name in ("feed.xml", "atom.xml", "feed.json"):
            assert f'href="../../tags/{tag}/{name}"' in paper
    for _, href, _ in links:
        assert (built.site / href.removeprefix(SITE_URL)).is_file(), href


def test_home_and_tag_pages_show_subscribe_links(built: Project) -> None:
    home = built.html("")
    assert "<strong>Subscribe</strong> to the newest additions" in home
    for name in ("feed.xml", "atom.xml", "feed.json"):
        assert f'href="./{name}"' in home or f'href="{name}"' in home, name
    tag = built.html("tags/agents/page/2")
    assert "<strong>Subscribe</strong> to new papers tagged Agents" in tag
    assert 'href="../../../../tags/agents/feed.xml"' in tag
    assert 'href="../../../../tags/agents/atom.xml"' in tag
    paper = built.html("papers/nasty")
    assert 'href="../../tags/reasoning/feed.xml"' in paper
    assert 'href="../../tags/agents/atom.xml"' in paper


def test_missing_site_url_fails_with_a_clear_message(project: Project) -> None:
    project.write(
        "mkdocs.yml", MKDOCS_YML.format(page_size=2).replace(f"site_url: {SITE_URL}\n", "")
    )
    project.site.mkdir()
    (project.site / "keep.txt").write_text("last good site")
    result = project.build()
    assert result.returncode != 0
    assert "papershelf: `site_url` is missing in" in result.stderr
    assert "mkdocs.yml. Feeds need absolute links" in result.stderr
    assert "`site_url: https://example.org/papershelf/`" in result.stderr
    assert (project.site / "keep.txt").read_text() == "last good site"


def test_feed_length_below_one_fails_with_a_clear_message(project: Project) -> None:
    project.write(
        "mkdocs.yml",
        MKDOCS_YML.format(page_size=2).replace(
            "home_recent: 5", "home_recent: 5\n      feed_length: 0"
        ),
    )
    result = project.build()
    assert result.returncode != 0
    assert "papershelf: `feed_length` is 0 in" in result.stderr
    assert "set it to 1 or more (the default is 50)" in result.stderr

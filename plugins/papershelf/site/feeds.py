"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 for the whole list, every tag and every
reading path.

Pure (papers in, bytes out) and deterministic, because feed readers punish every
duplicate or changed item: ids, dates and order never depend on when the site was built.
Details: docs/architecture.md, "Feeds".
"""

from __future__ import annotations

import html
import json
import re
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from markupsafe import Markup

from papershelf.entries.model import Paper, Tag
from papershelf.site.catalog import Catalog
from papershelf.site.collections import INDEX_URL as PATHS_FOLDER
from papershelf.site.collections import collection_feed_key, collection_url
from papershelf.site.markup import render_notes
from papershelf.site.pages import paper_url, tag_url
from papershelf.site.templating import strict_environment

if TYPE_CHECKING:
    from feedgen.feed import FeedGenerator

GENERATOR = "Papershelf"
RSS_FILE = "feed.xml"
ATOM_FILE = "atom.xml"
JSON_FILE = "feed.json"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
# ``updated`` of a feed when the whole site has no papers: fixed, never "now", and
# not before 1990 (the W3C validator calls earlier feed dates implausible).
EMPTY_SITE_UPDATED = datetime(2000, 1, 1, tzinfo=UTC)
# Origin of the publication-date seconds in entry_datetime (covers 1900 to 2136).
_TIME_ORIGIN = date(1900, 1, 1).toordinal()
# Made-up times stay within the first ten minutes of the added day: a paper is usually
# added and built on the same day, and a later time would be in the future then (feed
# readers may hide such items; the W3C validator calls dates more than ten minutes
# ahead "implausible").
_SECONDS_IN_DAY = 600
# Characters XML 1.0 forbids, plus C1 controls that validators reject. The schema already
# refuses them in entries; this guards text from tags.yml and mkdocs.yml too.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
TEMPLATES = Path(__file__).parent.parent / "templates"


@dataclass(frozen=True)
class Site:
    """What every feed needs to know about the site."""

    url: str  # absolute, e.g. "https://example.org/shelf/"
    name: str
    description: str = ""
    language: str = "en"

    def absolute(self, path: str) -> str:
        """Absolute URL of a site-root relative ``path``."""
        return self.url.rstrip("/") + "/" + path


@dataclass(frozen=True)
class FeedLinks:
    """A feed as pages advertise it: a title and absolute URLs of its three formats."""

    title: str
    rss: str
    atom: str
    json: str


@dataclass(frozen=True)
class Feed:
    """One feed: its folder under the site root, its title and its papers (newest
    first; a reading path's in the path's order, with the curator's note on each)."""

    folder: str  # "" for the site feed, "tags/<id>/" for a tag, "collections/<slug>/" for a path
    title: str
    description: str
    page: str  # site-root relative URL of the HTML page listing the same papers
    papers: tuple[Paper, ...]
    notes: tuple[str, ...] = ()  # a reading path's note on each of its papers

    def links(self, site: Site) -> FeedLinks:
        return FeedLinks(
            title=self.title,
            rss=site.absolute(self.folder + RSS_FILE),
            atom=site.absolute(self.folder + ATOM_FILE),
            json=site.absolute(self.folder + JSON_FILE),
        )


@dataclass(frozen=True)
class Item:
    """One paper, prepared once and shared by every feed and format that lists it."""

    id: str
    url: str
    title: str
    summary: str  # plain text
    content_html: str
    added: datetime
    authors: tuple[str, ...]
    categories: tuple[tuple[str, str], ...]  # (tag id, tag title)


def entry_datetime(paper: Paper) -> datetime:
    """The instant an entry is dated by: a time on its ``added`` day, in UTC.

    Entries only carry days, but feed readers (and the W3C validator) expect distinct
    ``updated`` instants, and many papers are added on the same day. So the time of day
    is made up, deterministically, from the paper alone: whole seconds are the days
    since 1900-01-01 of its publication date (0 if unknown) modulo 600, so within any
    600 days the time grows with the publication date, as the list order does;
    microseconds are a stable hash of the slug. Adding or editing another paper never
    moves this one's dates, and the result is always in the first ten minutes of the
    ``added`` day (see ``_SECONDS_IN_DAY``).
    """
    days = paper.published.toordinal() - _TIME_ORIGIN if paper.published else 0
    seconds = max(days, 0) % _SECONDS_IN_DAY
    microseconds = zlib.crc32(paper.slug.encode("utf-8")) % 1_000_000
    midnight = datetime.combine(paper.added, time(0, 0, tzinfo=UTC))
    return midnight + timedelta(seconds=seconds, microseconds=microseconds)


def clean(text: str) -> str:
    """``text`` without characters that cannot appear in an XML document."""
    return _NOT_XML.sub("", text)


def plan_feeds(catalog: Catalog, site: Site, length: int) -> list[Feed]:
    """The site feed, then one feed per tag (vocabulary order), each cut to ``length``,
    then one per reading path (the order of their index), whole."""
    feeds = [
        Feed(
            folder="",
            title=site.name,
            description=site.description or f"The newest additions to {site.name}.",
            page="",
            papers=tuple(catalog.papers[:length]),
        )
    ]
    for tag in catalog.tags.values():
        feeds.append(
            Feed(
                folder=tag_url(tag.id),
                title=f"{site.name}: {tag.title}",
                description=tag.description or f"New papers tagged {tag.title}.",
                page=tag_url(tag.id),
                papers=tuple(catalog.by_tag.get(tag.id, [])[:length]),
            )
        )
    for path in catalog.collections:
        # A path's feed lists its papers in the path's order, as its page does: a path
        # is read in order, and a subscriber's reader that keeps the document's order
        # shows step 1 first (most readers sort by date anyway). Each entry is dated as
        # everywhere else (entry_datetime, never the build time), and the feed by its
        # newest paper. Whole, not cut to ``length``: the checker caps a path
        # (papershelf.entries.collections.PAPERS_MAX), and a cut path would lose its end.
        feeds.append(
            Feed(
                folder=collection_url(path.slug),
                title=f"{site.name}: {path.title} (reading path)",
                description=path.description,
                page=collection_url(path.slug),
                papers=tuple(catalog.path_papers(path)),
                notes=tuple(item.note for item in path.items),
            )
        )
    return feeds


def feed_key(feed: Feed) -> str:
    """How pages name a feed they advertise (PageSpec.feed_tags): "" for the site's, a
    tag id, or a reading path's key (site.collections.collection_feed_key)."""
    if feed.folder.startswith(PATHS_FOLDER):
        return collection_feed_key(feed.folder.removeprefix(PATHS_FOLDER).rstrip("/"))
    return feed.folder.removeprefix("tags/").rstrip("/")


def feed_source(
    feed: Feed, site: Site, tags: Mapping[str, Tag], updated_if_empty: datetime
) -> tuple[object, ...]:
    """Everything one feed's files are made from (its papers, the site, the tag titles
    its entries show, and for an empty feed the date it takes): equal sources, equal
    files."""
    return (feed, site, tuple(tags.items()), None if feed.papers else updated_if_empty)


def feed_links(catalog: Catalog, site: Site) -> dict[str, FeedLinks]:
    """Links of every feed for page templates: key "" is the site, else a tag id or a
    reading path's key (:func:`feed_key`)."""
    return {feed_key(feed): feed.links(site) for feed in plan_feeds(catalog, site, 0)}


def render_all(
    catalog: Catalog,
    site: Site,
    length: int,
    *,
    wanted: Callable[[Feed, datetime], bool] | None = None,
) -> dict[str, bytes]:
    """Every feed file of the site (or of the feeds ``wanted`` says yes to, given the
    feed and the date of an empty one): site-root relative path -> bytes."""
    items: dict[str, Item] = {}
    newest = max(map(entry_datetime, catalog.papers), default=EMPTY_SITE_UPDATED)
    files: dict[str, bytes] = {}
    for feed in plan_feeds(catalog, site, length):
        if wanted is not None and not wanted(feed, newest):
            continue
        shown = feed_items(feed, site, catalog.tags, items)
        files.update(render_feed(feed, site, shown, fallback=newest))
    return files


def feed_items(
    feed: Feed, site: Site, tags: Mapping[str, Tag], made: dict[str, Item] | None = None
) -> list[Item]:
    """The items of one feed; ``made``: items already made, by slug (each paper's item
    is made once and shared by every feed that lists it). A reading path's items start
    with the curator's note on the paper."""
    made = {} if made is None else made
    found = []
    for paper in feed.papers:
        if paper.slug not in made:
            made[paper.slug] = make_item(paper, site, tags)
        found.append(made[paper.slug])
    if feed.notes:
        found = [with_note(item, note) for item, note in zip(found, feed.notes, strict=True)]
    return found


def with_note(item: Item, note: str) -> Item:
    """An item with a reading path's note on its paper before its content: the note is
    text, escaped for the HTML of the content."""
    note_html = f"<p><strong>Reading path note:</strong> {html.escape(clean(note))}</p>\n"
    return replace(item, content_html=note_html + item.content_html)


def render_feed(
    feed: Feed, site: Site, items: list[Item], *, fallback: datetime = EMPTY_SITE_UPDATED
) -> dict[str, bytes]:
    """The three files of one feed, dated by their newest entry; ``fallback`` dates a
    feed without entries (render_all passes the newest entry of the whole site)."""
    updated = max((item.added for item in items), default=fallback)
    return {
        feed.folder + RSS_FILE: rss(feed, site, items, updated),
        feed.folder + ATOM_FILE: atom(feed, site, items, updated),
        feed.folder + JSON_FILE: json_feed(feed, site, items),
    }


def make_item(paper: Paper, site: Site, tags: Mapping[str, Tag]) -> Item:
    url = site.absolute(paper_url(paper))
    categories = tuple((tag, clean(tags[tag].title) if tag in tags else tag) for tag in paper.tags)
    return Item(
        id=url,
        url=url,
        title=clean(paper.title),
        summary=clean(paper.abstract),
        content_html=clean(entry_html(paper, site, url, categories)),
        added=entry_datetime(paper),
        authors=tuple(clean(name) for name in paper.authors),
        categories=categories,
    )


def entry_html(paper: Paper, site: Site, url: str, categories: Iterable[tuple[str, str]]) -> str:
    """HTML body of an entry: abstract, links, tags and notes, all links absolute."""
    return _template().render(
        paper=paper,
        url=url,
        site=site,
        tags=[(site.absolute(tag_url(tag)), title) for tag, title in categories],
        notes=Markup(render_notes(paper.notes, base_url=url)),
    )


@cache
def _template() -> jinja2.Template:
    env = strict_environment(TEMPLATES)
    return env.get_template("papershelf/feed-entry.html")


def _generator(feed: Feed, site: Site, updated: datetime) -> FeedGenerator:
    """A FeedGenerator with the feed-level fields shared by RSS and Atom."""
    from feedgen.feed import FeedGenerator  # with lxml, when a feed is written

    fg = FeedGenerator()
    fg.title(clean(feed.title))
    fg.description(clean(feed.description))  # RSS description and Atom subtitle
    fg.language(site.language)
    fg.generator(GENERATOR)
    fg.updated(updated)  # also RSS lastBuildDate; feedgen's default would be now()
    return fg


def rss(feed: Feed, site: Site, items: list[Item], updated: datetime) -> bytes:
    """RSS 2.0 with ``atom:link rel="self"``; names as ``dc:creator`` (``author`` wants
    an email); ``description`` is the abstract as escaped HTML, ``content:encoded`` the
    full entry."""
    fg = _generator(feed, site, updated)
    fg.load_extension("dc", atom=False, rss=True)
    fg.link(href=site.absolute(feed.folder + RSS_FILE), rel="self", type="application/rss+xml")
    fg.link(href=site.absolute(feed.page), rel="alternate")  # feedgen: last link = <link>
    for item in items:
        entry = fg.add_entry(order="append")
        entry.title(item.title)
        entry.link(href=item.url, rel="alternate")
        entry.guid(item.id, permalink=True)
        entry.pubDate(item.added)
        entry.updated(item.added)  # unused by RSS, but feedgen defaults it to now()
        if item.summary:
            entry.description(html.escape(item.summary, quote=False))
        entry.content(item.content_html)
        for name in item.authors:
            entry.dc.dc_creator(name)
        for term, label in item.categories:
            entry.category(term=term, label=label, scheme=site.absolute("tags/"))
    return rss_profile_escapes(fg.rss_str(pretty=True))


def rss_profile_escapes(document: bytes) -> bytes:
    """Write ``&`` and ``<`` as ``&#x26;``/``&#x3C;``, as the RSS Best Practices Profile
    asks, so that readers cannot mistake an escaped ``&amp;`` in a plain-text title for
    HTML. Equivalent XML: lxml writes ``&amp;``/``&lt;`` only for these characters."""
    return document.replace(b"&amp;", b"&#x26;").replace(b"&lt;", b"&#x3C;")


def atom(feed: Feed, site: Site, items: list[Item], updated: datetime) -> bytes:
    """Atom 1.0 (RFC 4287). The feed-level author (the site) covers entries whose
    authors are not listed, as the RFC requires every entry to have one."""
    fg = _generator(feed, site, updated)
    fg.id(site.absolute(feed.folder + ATOM_FILE))
    fg.author(name=clean(site.name))
    fg.link(href=site.absolute(feed.page), rel="alternate", type="text/html")
    fg.link(href=site.absolute(feed.folder + ATOM_FILE), rel="self", type="application/atom+xml")
    for item in items:
        entry = fg.add_entry(order="append")
        entry.id(item.id)
        entry.title(item.title)
        entry.link(href=item.url, rel="alternate", type="text/html")
        entry.updated(item.added)
        entry.published(item.added)
        if item.summary:
            # Declared HTML, so an abstract quoting a token like "</s>" is not taken
            # for markup by validators: the abstract is text, escaped once for HTML.
            entry.summary(html.escape(item.summary, quote=False), type="html")
        entry.content(item.content_html, type="html")
        for name in item.authors:
            entry.author(name=name)
        for term, label in item.categories:
            entry.category(term=term, label=label, scheme=site.absolute("tags/"))
    return fg.atom_str(pretty=True)


def json_feed(feed: Feed, site: Site, items: list[Item]) -> bytes:
    """JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), same entries."""
    document = {
        "version": JSON_FEED_VERSION,
        "title": clean(feed.title),
        "home_page_url": site.absolute(feed.page),
        "feed_url": site.absolute(feed.folder + JSON_FILE),
        "description": clean(feed.description),
        "language": site.language,
        "authors": [{"name": clean(site.name)}],
        "items": [_json_item(item) for item in items],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _json_item(item: Item) -> dict[str, object]:
    result: dict[str, object] = {
        "id": item.id,
        "url": item.url,
        "title": item.title,
        "content_html": item.content_html,
    }
    if item.summary:
        result["summary"] = item.summary
    result["date_published"] = item.added.isoformat()
    if item.authors:
        result["authors"] = [{"name": name} for name in item.authors]
    result["tags"] = [label for _, label in item.categories]
    return result

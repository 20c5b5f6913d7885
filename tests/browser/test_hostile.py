"""Hostile entry text, proven harmless in Chromium and in the feeds.

Entries come from pull requests: every field a contributor writes (title, authors,
organisation, abstract, Markdown notes, links, and the tag titles and descriptions of
tags.yml) carries script here, each payload calling ``alert('ps-xss-<field>')`` so that
a dialog, a script element or an event handler names the field it leaked from.

The schema is the first line of defence and is part of what is tested: ``links``
accept only http(s) URLs (``javascript:`` and ``data:`` are refused, see
``test_the_schema_refuses_script_links``), arXiv ids and DOIs must look like ids (a
DOI may still hold quotes and angle brackets, so it carries a payload), and
``organization_id`` only names the organisation page (it is slugified, never shown).
Everything else is escaped by the templates, sanitised (notes) or written as text
(search results, feeds).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from papershelf.entries.schema import bare_arxiv_id, bare_doi, url_problem
from papershelf.entries.slugs import slugify
from papershelf.site.markup import truncate
from tests.browser.conftest import DESKTOP, Console, Site, built_and_served

MARKER = "ps-xss-"


def marker(field: str) -> str:
    return MARKER + field


def hostile(field: str) -> str:
    """One line that is script in HTML text and in a quoted or unquoted attribute,
    plus template-looking text that must stay as typed. Short enough for a name
    (the schema allows 200 characters in an author, an organisation, a tag title)."""
    m = marker(field)
    return (
        f"<script>alert('{m}')</script><img src=x onerror=alert('{m}')>"
        f"\"'><svg onload=alert('{m}')> `{{{{7*7}}}}` ${{7*7}} </script><!--"
    )


def hostile_long(field: str) -> str:
    """:func:`hostile` that also tries to leave <title>, <textarea>, <style>,
    <noscript>, a comment and a CDATA section, and carries a javascript: link (titles
    may be 300 characters long)."""
    m = marker(field)
    return (
        "--></title></textarea></style></noscript>]]> "
        + hostile(field)
        + f" <a href=javascript:alert('{m}')>x</a>"
    )


def yaml_text(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (a JSON string is one)."""
    return json.dumps(text, ensure_ascii=False)


TITLE_LINKS = "Hostile links " + hostile_long("title-links")
TITLE_NOTES = "Hostile notes " + hostile_long("title-notes")
TITLE_YAML_NOTES = "Hostile yaml notes " + hostile_long("title-yaml")
AUTHORS = (
    hostile("authors"),
    "Robert'); DROP TABLE papers;--",
    "\"'><svg/onload=alert('ps-xss-authors-2')>",
)
ORGANIZATION = "Hostile org " + hostile("organization")
ORGANIZATION_ID = hostile("organization_id")
ORGANIZATION_2 = "Second hostile org " + hostile("organization2")
ABSTRACT = (
    "Hostile abstract " + hostile_long("abstract") + "\nA second line <iframe src=javascript:"
    "alert('ps-xss-abstract-2')></iframe> & <style>body{display:none}</style> done."
)
TAG_TITLE = "Hostile tag " + hostile("tag-title")
TAG_DESCRIPTION = "Hostile description " + hostile_long("tag-description")

# Links the schema accepts (http(s), no whitespace) that try to leave their attribute.
LINK_CODE = "https://example.org/\"><script>alert('ps-xss-links-code')</script>"
LINK_PROJECT = "https://example.org/'onmouseover='alert(`ps-xss-links-project`)'x='"
LINK_PDF = 'https://example.org/p.pdf?"onfocus="alert(\'ps-xss-links-pdf\')"autofocus="'
DOI = "10.1000/\"><svg/onload=alert('ps-xss-links-doi')>"
LINK_BUTTONS = [
    ("arXiv", "https://arxiv.org/abs/2403.01234"),
    ("PDF", LINK_PDF),
    ("Code", LINK_CODE),
    ("Project page", LINK_PROJECT),
    ("DOI", "https://doi.org/" + DOI),
]
# Refused by the schema (links.*): the build would fail, so they live in the schema test.
REFUSED_LINKS = [
    "javascript:alert('ps-xss-links-js')",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert('ps-xss-links-data')</script>",
    "vbscript:msgbox(1)",
    "//example.org/protocol-relative",
    "https://example.org/a b",
    "https://example.org/\x00",
]

NOTES = """\
Hostile notes follow, with `<script>alert('ps-xss-notes-code')</script>` as code.

<script>alert('ps-xss-notes-script')</script>

<img src=x onerror="alert('ps-xss-notes-img')">

<svg onload="alert('ps-xss-notes-svg')"><circle r="1"></circle></svg>

<iframe src="javascript:alert('ps-xss-notes-iframe')"></iframe>

<iframe srcdoc="<script>alert('ps-xss-notes-srcdoc')</script>"></iframe>

<object data="javascript:alert('ps-xss-notes-object')"></object>

<embed src="javascript:alert('ps-xss-notes-embed')">

<style>body { display: none } /* ps-xss-notes-style */</style>

<a href="javascript:alert('ps-xss-notes-a')">a raw javascript link</a>,
<a href="JaVaScRiPt:alert('ps-xss-notes-case')">mixed case</a>,
<a href="&#106;avascript:alert('ps-xss-notes-entity')">entity encoded</a>,
<a href=" javascript:alert('ps-xss-notes-space')">leading space</a>,
<a href="java&#x09;script:alert('ps-xss-notes-tab')">a tab inside</a>,
<a href="https://example.org/notes" onclick="alert('ps-xss-notes-onclick')"
onmouseover="alert('ps-xss-notes-onmouseover')" style="color:red">handlers on a good link</a>.

[a markdown javascript link](javascript:alert('ps-xss-notes-md')),
[a data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==),
![a javascript image](javascript:alert('ps-xss-notes-imgmd')),
![a data image](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+),
<javascript:alert('ps-xss-notes-autolink')>,
[a reference link][evil] and [a titled link](https://example.org/t "\\" onmouseover=\\"alert('ps-xss-notes-title')").

[evil]: javascript:alert('ps-xss-notes-ref')

<form action="javascript:alert('ps-xss-notes-form')"><button>go</button></form>

<math><mtext><table><mglyph><style><img src=x onerror=alert('ps-xss-notes-mxss')></style></mglyph></table></mtext></math>

<details open ontoggle="alert('ps-xss-notes-details')"><summary>s</summary>d</details>

<input autofocus onfocus="alert('ps-xss-notes-input')">

<meta http-equiv="refresh" content="0;url=javascript:alert('ps-xss-notes-meta')">

<base href="javascript:alert('ps-xss-notes-base')//">

<link rel="stylesheet" href="data:text/css,body{display:none}">

<noscript><p title="</noscript><img src=x onerror=alert('ps-xss-notes-noscript')>"></p></noscript>

Template-looking text stays as typed: {{ 7+7 }} ${7+7} {% raw %} `backtick`.

```
</script><script>alert('ps-xss-notes-fenced')</script>
```
"""

TAGS_YML = f"""\
hostile:
  title: {yaml_text(TAG_TITLE)}
  description: {yaml_text(TAG_DESCRIPTION)}
plain:
  title: Plain
  description: An ordinary tag.
"""

PAPERS = {
    "hostile-links.yaml": f"""\
        title: {yaml_text(TITLE_LINKS)}
        authors: [{", ".join(yaml_text(name) for name in AUTHORS)}]
        organization: {yaml_text(ORGANIZATION)}
        organization_id: {yaml_text(ORGANIZATION_ID)}
        published: 2024-03-20
        added: 2025-02-03
        tags: [hostile, plain]
        abstract: {yaml_text(ABSTRACT)}
        links:
          arxiv: "2403.01234"
          pdf: {yaml_text(LINK_PDF)}
          code: {yaml_text(LINK_CODE)}
          project: {yaml_text(LINK_PROJECT)}
          doi: {yaml_text(DOI)}
        votes: 7
        """,
    "hostile-notes.md": f"""\
        ---
        title: {yaml_text(TITLE_NOTES)}
        authors: [{yaml_text(hostile("authors-notes"))}]
        organization: {yaml_text(ORGANIZATION_2)}
        added: 2025-02-02
        tags: [hostile]
        abstract: {yaml_text("Undated notes " + hostile_long("abstract-notes"))}
        votes: 3
        ---
        """,
    "hostile-yaml-notes.yaml": f"""\
        title: {yaml_text(TITLE_YAML_NOTES)}
        author_count: 2
        organization: {yaml_text(ORGANIZATION)}
        organization_id: {yaml_text(ORGANIZATION_ID)}
        published: 2024-03-02
        added: 2025-02-01
        tags: [hostile]
        notes: {yaml_text(NOTES.replace("ps-xss-notes", "ps-xss-yaml-notes"))}
        """,
    "plain-one.yaml": """\
        title: A Plain Paper Among Hostile Ones
        authors: [Ada Lovelace]
        published: 2024-03-10
        added: 2025-01-20
        tags: [hostile, plain]
        abstract: Nothing to see here.
        votes: 10
        """,
    "plain-two.yaml": """\
        title: Another Plain Paper
        author_count: 1
        published: 2023-11-10
        added: 2025-01-10
        tags: [plain]
        abstract: Still nothing to see.
        """,
}
# The Markdown entry's notes are its body, after the closing ---: indent them so the
# dedent in write_project leaves them flush left.
PAPERS["hostile-notes.md"] += "".join(f"        {line}\n" for line in NOTES.splitlines())
TITLES = [TITLE_LINKS, TITLE_NOTES, TITLE_YAML_NOTES]
ORG_PAGE = "orgs/" + slugify(ORGANIZATION_ID) + "/"
ORG_2_PAGE = "orgs/" + slugify(ORGANIZATION_2) + "/"
SITE_NAME = "Papershelf"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The hostile fixture project, built once and served."""
    yield from built_and_served(tmp_path_factory.mktemp("browser-hostile"), PAPERS, TAGS_YML)


@dataclass
class Reader:
    """A desktop page on the hostile site whose requests never leave it: any other
    address is answered by a stub page (recorded in ``off_site``), so clicking an entry
    link is a real click that cannot reach the network."""

    page: Page
    console: Console
    site: Site
    off_site: list[str] = field(default_factory=list)

    def stub(self, route: Route) -> None:
        self.off_site.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body=STUB_PAGE)

    def open(self, path: str) -> None:
        self.page.goto(self.site.url(path))  # waits for "load": images have failed by then

    def assert_harmless(self, where: str) -> None:
        """Hover and focus everything entry text could be in, then audit the DOM."""
        self.page.evaluate(POKE_JS, ENTRY_AREAS)
        # An image made from entry text would run its onerror once it fails to load.
        self.page.evaluate(IMAGES_SETTLED_JS)
        self.page.wait_for_timeout(50)  # let anything asynchronous fire
        problems = self.console.errors + self.page.evaluate(AUDIT_JS, [MARKER, ENTRY_AREAS])
        assert problems == [], f"{where}: entry text became markup or script:\n" + "\n".join(
            problems
        )


STUB_PAGE = "<!doctype html><title>off-site stub</title><p>off-site stub</p>"


@pytest.fixture(scope="module")
def _reader(hostile_site: Site, browser: Browser) -> Iterator[Reader]:
    """One page for the module (a context per test would cost more than the tests)."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    console = Console()
    page.on("console", console.on_console)
    page.on("pageerror", console.on_page_error)
    page.on("dialog", console.on_dialog)  # an alert names the field that leaked
    result = Reader(page, console, hostile_site)
    context.route(lambda url: not url.startswith(hostile_site.base_url + "/"), result.stub)
    try:
        yield result
    finally:
        context.close()


@pytest.fixture
def reader(_reader: Reader) -> Reader:
    """The module's page, with nothing recorded yet."""
    _reader.console.errors.clear()
    _reader.off_site.clear()
    return _reader


# Where entry text is shown: the page body, the header's page title, the sidebars and
# the search results.
ENTRY_AREAS = ".md-content, .md-header__title, .md-sidebar, .md-search-result"

# Resolves once every image has loaded or failed (listening: a handler property would
# replace an inline one).
IMAGES_SETTLED_JS = """
() => Promise.all([...document.images].filter(image => !image.complete).map(image =>
  new Promise(done => {
    image.addEventListener("load", done);
    image.addEventListener("error", done);
  })))
"""

# Dispatches the events inline handlers would listen to on every element of the entry
# areas (clicks excepted: they would follow links; the link tests click for real).
POKE_JS = """
selector => {
  const types = ["mouseover", "mouseenter", "mousemove", "pointerover", "focus", "focusin"];
  for (const root of document.querySelectorAll(selector)) {
    for (const el of [root, ...root.querySelectorAll("*")]) {
      for (const type of types) el.dispatchEvent(new Event(type, {bubbles: true}));
      if (typeof el.focus === "function") el.focus();
    }
  }
}
"""

# Everything on the page that would be script, a handler, a frame, a script URL or a
# style made from entry text; one readable line per problem.
AUDIT_JS = r"""
([marker, entryAreas]) => {
  const problems = [];
  const show = el => el.outerHTML.slice(0, 240);
  const inEntryArea = el => el.closest(entryAreas) !== null;
  // The only scripts a page has: material's bundle, papershelf.js and its stemmer,
  // material's snippets (local storage and palette from files, tabs inline) and its JSON
  // configuration; and data: a paper page's schema.org JSON-LD (papershelf.site.head_meta)
  // holds entry text, as JSON with "<", ">" and "&" escaped, in the head, once.
  const OWN_SRC = [/assets\/javascripts\/bundle\.[0-9a-f]+\.min\.js$/,
                   /assets\/papershelf\/snowball-english\.js$/,
                   /assets\/papershelf\/papershelf\.js$/,
                   /assets\/papershelf\/theme-scope\.js$/,
                   /assets\/papershelf\/palette\.js$/];
  const OWN_INLINE = [/^var target=document\.getElementById\(location\.hash/];
  const FORBIDDEN = new Set(["iframe", "object", "embed", "frame", "frameset", "applet",
                             "base", "portal"]);
  const URL_ATTRIBUTES = new Set(["href", "src", "action", "formaction", "xlink:href", "data",
                                  "poster", "srcset", "background", "srcdoc", "codebase",
                                  "cite", "ping", "lowsrc", "dynsrc", "manifest"]);
  // Attributes that may hold entry text, as text: links (made from entry URLs and title
  // searches), link titles, the meta description and the tag index's sort keys.
  const TEXT_ATTRIBUTES = new Set(["href", "title", "content", "data-value"]);
  for (const el of document.querySelectorAll("*")) {
    const tag = el.localName;
    if (FORBIDDEN.has(tag)) problems.push(`<${tag}> element: ${show(el)}`);
    if (tag === "script") {
      const src = el.getAttribute("src");
      const text = el.textContent || "";
      const jsonLd = el.getAttribute("type") === "application/ld+json";
      if (jsonLd) {
        let data = null;
        try { data = JSON.parse(text); } catch (error) {
          problems.push(`JSON-LD does not parse (cut by a </script>?): ${text.slice(0, 240)}`);
        }
        if (/[<>&]/.test(text)) problems.push(`unescaped <, > or & in JSON-LD: ${show(el)}`);
        if (src !== null || el.parentElement !== document.head) {
          problems.push(`JSON-LD outside the head: ${show(el)}`);
        }
        if (document.querySelectorAll('script[type="application/ld+json"]').length !== 1) {
          problems.push(`more than one JSON-LD block: ${show(el)}`);
        }
        if (data !== null && data["@context"] !== "https://schema.org") {
          problems.push(`JSON-LD not papershelf's: ${show(el)}`);
        }
      } else if (text.includes(marker) || (src || "").includes(marker)) {
        problems.push(`script made from entry text: ${show(el)}`);
      } else if (src !== null) {
        if (!OWN_SRC.some(own => own.test(src))) problems.push(`unknown script src: ${src}`);
      } else if ((el.getAttribute("type") || "").includes("json")) {
        try { JSON.parse(text); } catch (error) {
          problems.push(`inline JSON does not parse (cut by a </script>?): ${text.slice(0, 240)}`);
        }
      } else if (!OWN_INLINE.some(own => own.test(text.trim()))) {
        problems.push(`unknown inline script: ${text.slice(0, 240)}`);
      }
    }
    if (tag === "style" && (inEntryArea(el) || (el.textContent || "").includes(marker))) {
      problems.push(`<style> made from entry text: ${show(el)}`);
    }
    if (tag === "meta" && el.hasAttribute("http-equiv")) problems.push(`meta http-equiv: ${show(el)}`);
    for (const attribute of el.attributes) {
      const name = attribute.name.toLowerCase();
      const value = attribute.value;
      if (name.startsWith("on") && (value.includes(marker) || inEntryArea(el))) {
        problems.push(`event handler ${name}: ${show(el)}`);
      }
      if (URL_ATTRIBUTES.has(name)) {
        const url = value.replace(/[\u0000-\u0020]/g, "").toLowerCase();
        if (/^(javascript|data|vbscript):/.test(url)) problems.push(`${name}=${value}: ${show(el)}`);
      }
      if (name === "style" && value.includes(marker)) problems.push(`style attribute: ${show(el)}`);
      if (value.includes(marker) && !TEXT_ATTRIBUTES.has(name) && !name.startsWith("on")) {
        problems.push(`entry text in attribute ${name}: ${show(el)}`);
      }
    }
  }
  return problems;
}
"""


def feed_alternates(page: Page) -> list[dict[str, object]]:
    """The ``<link rel="alternate">`` tags of the page's ``<head>``, attributes and all."""
    return page.locator('head link[rel="alternate"]').evaluate_all(
        """links => links.map(link => ({
            names: link.getAttributeNames(),
            type: link.getAttribute("type"),
            title: link.getAttribute("title"),
            href: link.getAttribute("href"),
        }))"""
    )


def expected_alternates(site: Site, feeds: list[tuple[str, str]]) -> list[dict[str, object]]:
    """(folder, title) of each advertised feed -> its three autodiscovery links."""
    kinds = [
        ("application/rss+xml", "RSS", "feed.xml"),
        ("application/atom+xml", "Atom", "atom.xml"),
        ("application/feed+json", "JSON Feed", "feed.json"),
    ]
    return [
        {
            "names": ["rel", "type", "title", "href"],
            "type": kind,
            "title": f"{title} ({label})",
            "href": site.url(folder + file),
        }
        for folder, title in feeds
        for kind, label, file in kinds
    ]


SITE_FEED = ("", SITE_NAME)
HOSTILE_FEED = ("tags/hostile/", f"{SITE_NAME}: {TAG_TITLE}")
PLAIN_FEED = ("tags/plain/", f"{SITE_NAME}: Plain")


def card_titles(page: Page) -> list[str]:
    return page.locator(".ps-card__title").all_text_contents()


def check_paper_links(page: Page) -> None:
    """The hostile-links paper page shows every field as typed."""
    expect(page.locator("article.ps-paper h1")).to_have_text(TITLE_LINKS)
    expect(page.locator(".ps-paper__authors")).to_have_text(", ".join(AUTHORS))
    expect(page.locator(".ps-facts dd a")).to_have_text(ORGANIZATION)
    expect(page.locator(".ps-abstract")).to_have_text(ABSTRACT)
    expect(page.locator(".ps-paper > .ps-tags a")).to_have_text([TAG_TITLE, "Plain"])
    expect(page.locator(".ps-subscribe__tags li").first).to_contain_text(TAG_TITLE)
    expect(page.locator(".ps-neighbours__title")).to_have_text(
        [TITLE_NOTES]  # the only neighbour: it is the newest addition
    )
    expect(page.locator('meta[name="description"]')).to_have_attribute(
        "content", truncate(ABSTRACT, 200)
    )


def check_paper_notes(page: Page, name: str) -> None:
    """Notes (marker prefix ``ps-xss-<name>``): code stays code, template-looking text
    stays text, and every remaining link is https."""
    notes = page.locator(".ps-notes")
    expect(notes.locator("p code").first).to_have_text(
        f"<script>alert('ps-xss-{name}-code')</script>"
    )
    expect(notes.locator("pre code")).to_have_text(
        f"</script><script>alert('ps-xss-{name}-fenced')</script>"
    )
    expect(notes).to_contain_text(
        "Template-looking text stays as typed: {{ 7+7 }} ${7+7} {% raw %}"
    )
    expect(notes).to_contain_text("<javascript:alert('ps-xss-" + name + "-autolink')>")
    hrefs = notes.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert len(hrefs) >= 8
    assert all(href is None or href.startswith("https://") for href in hrefs), hrefs


# Every kind of page the fixture makes, with the entry text it must show as text:
# path -> (check of the page's text, page title, feeds advertised in <head>).
PageCheck = Callable[[Page], None]
PAGES: dict[str, tuple[PageCheck, str, list[tuple[str, str]]]] = {}


def _page(path: str, title: str, feeds: list[tuple[str, str]]) -> Callable[[PageCheck], PageCheck]:
    def register(check: PageCheck) -> PageCheck:
        PAGES[path] = (check, title, feeds)
        return check

    return register


# A paper page advertises the site's feeds only; its tags' feeds, hostile titles and
# all, are links in its text (checked by assert_harmless with the rest of the page).
@_page("papers/hostile-links/", TITLE_LINKS, [SITE_FEED])
def _paper_with_links(page: Page) -> None:
    check_paper_links(page)


@_page("papers/hostile-notes/", TITLE_NOTES, [SITE_FEED])
def _paper_with_notes(page: Page) -> None:
    expect(page.locator("article.ps-paper h1")).to_have_text(TITLE_NOTES)
    expect(page.locator(".ps-paper__authors")).to_have_text(hostile("authors-notes"))
    expect(page.locator(".ps-facts dd a")).to_have_text(ORGANIZATION_2)
    check_paper_notes(page, "notes")


@_page("papers/hostile-yaml-notes/", TITLE_YAML_NOTES, [SITE_FEED])
def _paper_with_yaml_notes(page: Page) -> None:
    expect(page.locator("article.ps-paper h1")).to_have_text(TITLE_YAML_NOTES)
    check_paper_notes(page, "yaml-notes")


@_page("", "Papershelf", [SITE_FEED])
def _home(page: Page) -> None:
    assert card_titles(page)[:3] == TITLES
    expect(page.locator(".ps-card__abstract").first).to_have_text(truncate(ABSTRACT, 320))
    expect(page.locator(".ps-card__meta a").first).to_have_text(ORGANIZATION)
    expect(page.locator('.ps-chips[aria-label="Tags"] a').first).to_contain_text(TAG_TITLE)


@_page("tags/hostile/", TAG_TITLE, [SITE_FEED, HOSTILE_FEED])
def _tag(page: Page) -> None:
    expect(page.locator(".md-content h1")).to_have_text(TAG_TITLE)
    expect(page.locator(".ps-lead")).to_have_text(TAG_DESCRIPTION)
    expect(page.locator(".ps-subscribe")).to_contain_text("new papers tagged " + TAG_TITLE)
    assert card_titles(page) == TITLES
    expect(page.locator(".ps-card .ps-tags a").first).to_have_text(TAG_TITLE)


@_page("tags/hostile/page/2/", f"{TAG_TITLE} (page 2)", [SITE_FEED, HOSTILE_FEED])
def _tag_page_2(page: Page) -> None:
    expect(page.locator(".md-content h1")).to_have_text(TAG_TITLE)
    assert card_titles(page) == ["A Plain Paper Among Hostile Ones"]


@_page("tags/hostile/votes/", f"{TAG_TITLE}, most votes: the top 3", [SITE_FEED, HOSTILE_FEED])
def _tag_by_votes(page: Page) -> None:
    """The top page_size (3) papers by votes, one page: the whole list is newest first."""
    expect(page.locator(".md-content h1")).to_have_text(TAG_TITLE)
    assert card_titles(page) == ["A Plain Paper Among Hostile Ones", TITLE_LINKS, TITLE_NOTES]
    expect(page.locator(".ps-listhead p")).to_have_text(
        "Most votes: the top 3 of 4 papers. All 4, newest first."
    )
    expect(page.locator(".ps-pager")).to_have_count(0)


@_page("tags/", "Tags", [SITE_FEED])
def _tag_index(page: Page) -> None:
    rows = page.locator(".ps-tag-index tbody tr")
    expect(rows.first.locator("td").first).to_have_text(TAG_TITLE)
    expect(rows.first.locator("td").nth(2)).to_have_text(TAG_DESCRIPTION)
    # The sort buttons move the rows (their keys are the tag titles): still text.
    page.get_by_role("button", name="Tag").click()
    page.get_by_role("button", name="Tag").click()
    expect(rows.locator("td:first-child")).to_have_text(["Plain", TAG_TITLE])


@_page("archive/", "Archive", [SITE_FEED])
def _archive(page: Page) -> None:
    expect(page.get_by_role("link", name="1 without a known date")).to_be_visible()


@_page("archive/2024/", "2024", [SITE_FEED])
def _archive_year(page: Page) -> None:
    """Its months, each linked with its count; the papers are on the months' pages."""
    assert card_titles(page) == []
    months = page.get_by_role("list", name="Months of 2024").get_by_role("link")
    expect(months).to_have_text(["March 3"])


@_page("archive/2024/03/", "March 2024", [SITE_FEED])
def _archive_month(page: Page) -> None:
    assert card_titles(page) == [TITLE_LINKS, "A Plain Paper Among Hostile Ones", TITLE_YAML_NOTES]


@_page("archive/undated/", "Publication date unknown", [SITE_FEED])
def _archive_undated(page: Page) -> None:
    assert card_titles(page) == [TITLE_NOTES]


@_page("orgs/", "Organisations", [SITE_FEED])
def _org_index(page: Page) -> None:
    chips = page.locator(".ps-orgs a")
    expect(chips).to_have_count(2)
    assert sorted(chips.all_text_contents()) == sorted([f"{ORGANIZATION} 2", f"{ORGANIZATION_2} 1"])


@_page(ORG_PAGE, ORGANIZATION, [SITE_FEED])
def _org(page: Page) -> None:
    expect(page.locator(".md-content h1")).to_have_text(ORGANIZATION)
    expect(page.locator(".md-content h1 + p")).to_contain_text(f"from {ORGANIZATION}, newest")
    assert card_titles(page) == [TITLE_LINKS, TITLE_YAML_NOTES]


@_page(ORG_2_PAGE, ORGANIZATION_2, [SITE_FEED])
def _org_2(page: Page) -> None:
    expect(page.locator(".md-content h1")).to_have_text(ORGANIZATION_2)
    assert card_titles(page) == [TITLE_NOTES]


def built_pages(site: Site) -> list[str]:
    """Every HTML page of the built site, as a path below the site root."""
    pages = []
    for file in sorted(site.root.rglob("*.html")):
        relative = file.relative_to(site.root).as_posix()
        pages.append(relative.removesuffix("index.html"))
    return pages


def test_the_fixture_makes_every_kind_of_page(hostile_site: Site) -> None:
    assert set(PAGES) <= set(built_pages(hostile_site))


@pytest.mark.parametrize("path", list(PAGES), ids=[c.__name__[1:] for c, _, _ in PAGES.values()])
def test_each_kind_of_page_shows_hostile_text_as_text(reader: Reader, path: str) -> None:
    check, title, feeds = PAGES[path]
    reader.open(path)
    reader.assert_harmless(f"/{path}")  # first: a dialog names the field that leaked
    check(reader.page)
    expect(reader.page).to_have_title(title if path == "" else f"{title} - {SITE_NAME}")
    if path != "":
        expect(
            reader.page.locator('.md-header__topic[data-md-component="header-topic"]')
        ).to_have_text(title)
    assert feed_alternates(reader.page) == expected_alternates(reader.site, feeds)
    reader.assert_harmless(f"/{path}")


def test_every_other_page_is_harmless(reader: Reader) -> None:
    others = [path for path in built_pages(reader.site) if path not in PAGES]
    assert "papers/plain-one/" in others and "tags/plain/" in others
    for path in others:
        reader.open(path)
        reader.assert_harmless(f"/{path}")


def test_the_audit_catches_planted_script(reader: Reader) -> None:
    """The checks above are not vacuous: script planted the way an escaping hole
    would plant it is found, and its alert is recorded."""
    reader.open("papers/plain-one/")
    reader.page.locator(".ps-abstract").evaluate(
        """el => el.insertAdjacentHTML("beforeend",
            `<img src=x onerror="alert('ps-xss-planted')"><a href="javascript:void 0">j</a>`
            + `<iframe></iframe><style>/* ps-xss-planted */</style>`)"""
    )
    reader.page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "/* ps-xss-planted */"; document.body.append(s); }"""
    )
    with pytest.raises(AssertionError) as caught:
        reader.assert_harmless("planted")
    found = str(caught.value)
    for problem in [
        "event handler onerror",
        "href=javascript:void 0",
        "<iframe> element",
        "<style> made from entry text",
        "script made from entry text",
    ]:
        assert problem in found, found
    assert "dialog opened: ps-xss-planted" in reader.console.errors
    reader.console.errors.clear()


def test_links_from_entry_urls_stay_links(reader: Reader) -> None:
    """Hover, focus and click the buttons made from hostile (but schema-valid) URLs:
    each keeps exactly its href, and a click goes there (to the stub) and runs nothing."""
    page = reader.page
    reader.open("papers/hostile-links/")
    buttons = page.locator(".ps-links a")
    expect(buttons).to_have_text([label for label, _ in LINK_BUTTONS])
    for button, (label, url) in zip(buttons.all(), LINK_BUTTONS, strict=True):
        assert button.evaluate("a => a.getAttributeNames()") == ["class", "href", "rel"], label
        expect(button).to_have_attribute("href", url)
        button.hover()
        button.focus()
    reader.assert_harmless("entry links, hovered and focused")
    # arXiv's URL is made from a checked id: click the four made from entry text.
    for label, url in LINK_BUTTONS[1:]:
        button = buttons.filter(has_text=label)
        resolved = button.evaluate("a => a.href")
        assert resolved.startswith(("https://example.org/", "https://doi.org/"))
        button.click()
        expect(page).to_have_url(resolved)
        expect(page.locator("p")).to_have_text("off-site stub")
        assert reader.off_site[-1] == resolved
        page.go_back()
        expect(page.locator("article.ps-paper h1")).to_have_text(TITLE_LINKS)
        assert reader.console.errors == [], (label, url, reader.console.errors)
    reader.assert_harmless("entry links, after clicking them")


def test_title_searches_and_notes_links_stay_links(reader: Reader) -> None:
    """A paper without links offers searches for its title: the hostile title is only
    ever a query parameter. Its notes' links are http(s) or gone."""
    page = reader.page
    reader.open("papers/hostile-notes/")
    searches = page.locator(".ps-links a")
    expect(searches).to_have_count(3)
    for search_link in searches.all():
        assert search_link.evaluate("a => a.getAttributeNames()") == ["class", "href", "rel"]
        href = search_link.get_attribute("href") or ""
        query = parse_qs(urlsplit(href).query)
        assert urlsplit(href).scheme == "https"
        assert TITLE_NOTES in {value.strip('"') for values in query.values() for value in values}
        search_link.hover()
        search_link.focus()
    first = searches.first
    resolved = first.evaluate("a => a.href")
    first.click()
    expect(page).to_have_url(resolved)
    page.go_back()
    notes_links = page.locator(".ps-notes a")
    for link in notes_links.all():
        assert set(link.evaluate("a => a.getAttributeNames()")) <= {"href", "rel", "title"}
        link.hover()
        link.focus()
    reader.assert_harmless("notes links, hovered and focused")
    good = notes_links.filter(has_text="handlers on a good link")
    expect(good).to_have_attribute("href", "https://example.org/notes")
    good.click()
    expect(page).to_have_url("https://example.org/notes")
    page.go_back()
    expect(page.locator("article.ps-paper h1")).to_have_text(TITLE_NOTES)
    # Cards link the paper's text in one click: a title search here.
    reader.open("archive/undated/")
    read = page.locator(".ps-card__read a")
    expect(read).to_have_attribute("href", re.compile(r"^https://scholar\.google\.com/"))
    read.hover()
    reader.assert_harmless("card read link")


# query -> the papers it must find (every hostile field is indexed as text).
SEARCHES = {
    "xss onerror": {*TITLES, "A Plain Paper Among Hostile Ones"},  # the last: its tag
    "Robert DROP TABLE": {TITLE_LINKS},
    "Second hostile org": {TITLE_NOTES, TITLE_LINKS},  # "second" is in the abstract
    "iframe": set(TITLES),  # an abstract and the notes (last: the test goes on from it)
}


def test_search_results_show_hostile_text_as_text(reader: Reader) -> None:
    page = reader.page
    reader.open("")
    box = page.locator("[data-ps-search-input]")
    meta = page.locator("[data-ps-search-meta]")
    results = page.locator(".md-search-result__item")
    page.locator("[data-ps-search-input]").click()
    for query, expected in SEARCHES.items():
        box.fill("")  # back to no results, so the next ones are this query's
        expect(results).to_have_count(0)
        box.fill(query)
        count = len(expected)
        expect(meta).to_have_text(f"{count} matching paper{'s' if count != 1 else ''}")
        expect(results).to_have_count(count)
        titles = page.locator(".ps-search-result__title").all_text_contents()
        assert set(titles) == expected, query
        for link in page.locator(".md-search-result__link").all():
            href = link.get_attribute("href") or ""
            assert href.startswith(reader.site.url("papers/")), href
            link.hover()
            link.focus()
        reader.assert_harmless(f"search results for {query!r}")
        if query == "Robert DROP TABLE":
            expect(page.locator(".ps-search-result__authors")).to_have_text(
                f"{', '.join(AUTHORS)} · {ORGANIZATION}"
            )
    expect(page.locator(".ps-search-result__title").first).to_have_text(TITLE_LINKS)
    expect(page.locator(".md-search-result__teaser").first).to_contain_text(
        "<iframe src=javascript:alert('ps-xss-abstract-2')></iframe> & <style>"
    )
    box.focus()
    page.keyboard.press("Enter")  # opens the first result
    expect(page).to_have_url(reader.site.url("papers/hostile-links/"))
    check_paper_links(page)
    reader.assert_harmless("a paper opened from the search results")


def test_following_links_keeps_hostile_text_as_text(reader: Reader) -> None:
    """A reader goes from page to page by the links entry text is in: the home page, a
    paper, its tag, the votes order, an organisation, a paper with notes. Each link
    leads where it says and each page is an ordinary page load (mkdocs.yml leaves out
    navigation.instant, which would swap pages in place)."""
    page = reader.page
    reader.open("")
    page.evaluate("window.__loadedBefore = true")
    page.locator(".ps-card__title a").filter(has_text="Hostile links").click()
    expect(page).to_have_url(reader.site.url("papers/hostile-links/"))
    assert page.evaluate("window.__loadedBefore") is None  # a page load
    check_paper_links(page)
    reader.assert_harmless("paper, by its card's link")
    page.locator(".ps-paper > .ps-tags a").first.click()
    expect(page).to_have_url(reader.site.url("tags/hostile/"))
    expect(page.locator(".md-content h1")).to_have_text(TAG_TITLE)
    expect(page.locator(".ps-lead")).to_have_text(TAG_DESCRIPTION)
    reader.assert_harmless("tag, by the paper's tag chip")
    page.get_by_role("navigation", name="Sort order").get_by_role("link", name="Most votes").click()
    expect(page).to_have_url(reader.site.url("tags/hostile/votes/"))
    expect(page.locator(".ps-card__title").nth(1)).to_have_text(TITLE_LINKS)
    reader.assert_harmless("tag by votes, by the sort order link")
    page.locator(".ps-card__meta a").filter(has_text="Hostile org").first.click()
    expect(page).to_have_url(reader.site.url(ORG_PAGE))
    expect(page.locator(".md-content h1")).to_have_text(ORGANIZATION)
    reader.assert_harmless("organisation, by a card's organisation link")
    page.locator(".ps-card__title a").filter(has_text="Hostile yaml notes").click()
    expect(page.locator("article.ps-paper h1")).to_have_text(TITLE_YAML_NOTES)
    check_paper_notes(page, "yaml-notes")
    reader.assert_harmless("paper with notes, by its card's link")


# ---------------------------------------------------------------- the built files


class _Markup(HTMLParser):
    """Start tags with their attributes, script bodies and text of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: list[str] = []
        self._script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attrs, body = self.scripts[-1]
            self.scripts[-1] = (attrs, body + data)
        else:
            self.text.append(data)


def parse_html(text: str) -> _Markup:
    parser = _Markup()
    parser.feed(text)
    parser.close()
    return parser


def unsafe_markup(html: str) -> list[str]:
    """What in an HTML fragment (a feed entry's content) is more than safe markup."""
    found = []
    for tag, attrs in parse_html(html).tags:
        if tag in {"script", "style", "iframe", "object", "embed", "img", "svg", "base", "form"}:
            found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                found.append(f"<{tag} {name}={value!r}>")
            if name in {"href", "src"} and not (value or "").startswith(("https://", "http://")):
                found.append(f"<{tag} {name}={value!r}>")
    return found


def test_no_built_page_has_entry_text_in_a_script(hostile_site: Site) -> None:
    """Byte-level: every <script> in every page is papershelf's or the theme's, so a
    ``</script>`` in entry text never ended (or started) a script or JSON block. Entry
    text is in one, as data: a paper page's JSON-LD (papershelf.site.head_meta), whose
    JSON has no "<", ">" or "&" to end it."""
    found = []
    for path in built_pages(hostile_site):
        file = hostile_site.root / (path if path.endswith(".html") else path + "index.html")
        document = parse_html(file.read_text("utf-8"))
        for attrs, body in document.scripts:
            if attrs.get("type") == "application/ld+json":
                if set(body) & {"<", ">", "&"} or json.loads(body)["@type"] != "ScholarlyArticle":
                    found.append(f"/{path}: {body[:200]}")
            elif MARKER in body or MARKER in (attrs.get("src") or ""):
                found.append(f"/{path}: {body[:200]}")
            if "json" in (attrs.get("type") or ""):
                json.loads(body)  # whole: not cut short by a </script>
        for tag, attrs in document.tags:
            for name, value in attrs:
                if name.startswith("on"):
                    found.append(f"/{path}: <{tag} {name}={value!r}>")
    assert found == []


RSS_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
ATOM = "{http://www.w3.org/2005/Atom}"


def xml_entries(tree: ET.Element) -> dict[str, tuple[str, str]]:
    """title -> (HTML content, HTML summary) of each RSS item or Atom entry."""
    found = {}
    for item in tree.iter("item"):
        # feedgen writes an item without abstract's content as its description.
        description = item.findtext("description", "")
        found[item.findtext("title", "")] = (
            item.findtext(RSS_CONTENT) or description,
            description,
        )
    for entry in tree.iter(ATOM + "entry"):
        found[entry.findtext(ATOM + "title", "")] = (
            entry.findtext(ATOM + "content", ""),
            entry.findtext(ATOM + "summary", ""),
        )
    return found


FEEDS = ["feed.xml", "atom.xml", "tags/hostile/feed.xml", "tags/hostile/atom.xml"]


@pytest.mark.parametrize("name", FEEDS)
def test_xml_feeds_carry_hostile_text_as_escaped_text(hostile_site: Site, name: str) -> None:
    raw = (hostile_site.root / name).read_bytes()
    assert b"<script" not in raw.lower()  # every payload's < is escaped...
    assert b"<![CDATA[" not in raw  # ...and not hidden in a CDATA section
    tree = ET.fromstring(raw)
    elements = {element.tag.rsplit("}", 1)[-1] for element in tree.iter()}
    assert not elements & {"script", "img", "svg", "iframe", "style", "b", "a", "html", "div"}
    # Unsanitised, as a careless reader would; feedparser's relative-link resolver
    # re-serialises HTML and turns &#34; in an href back into a bare quote, so it is
    # off: the test is about what Papershelf wrote.
    feed = feedparser.parse(raw, sanitize_html=False, resolve_relative_uris=False)
    assert not feed.bozo, feed.get("bozo_exception")
    tagged = name.startswith("tags/")
    assert feed.feed.title == (f"{SITE_NAME}: {TAG_TITLE}" if tagged else SITE_NAME)
    assert feed.feed.title_detail.type == "text/plain"
    if tagged and name.endswith("atom.xml"):
        assert feed.feed.subtitle_detail.type == "text/plain"
        assert feed.feed.subtitle == TAG_DESCRIPTION
    elif tagged:
        # RSS allows HTML only in an item's description (RSS Best Practices Profile);
        # the channel's is plain text, its & and < written as &#x26; and &#x3C;.
        channel = tree.find("channel")
        assert channel is not None
        assert channel.findtext("description") == TAG_DESCRIPTION
        assert b"<description>Hostile description --&gt;&#x3C;/title&gt;" in raw
    entries = {entry.title: entry for entry in feed.entries}
    assert set(TITLES) <= set(entries)
    for title in TITLES:
        assert entries[title].title_detail.type == "text/plain"  # shown as text
    # The entries' HTML (content:encoded, Atom content) and summaries, as written.
    contents = xml_entries(tree)
    for title in TITLES:
        content, _ = contents[title]
        assert unsafe_markup(content) == [], (title, unsafe_markup(content))
        assert MARKER in content  # the payloads are in there, as text
    content, summary = contents[TITLE_LINKS]
    text = "".join(parse_html(content).text)
    assert " ".join(ABSTRACT.split()) in " ".join(text.split())
    assert ", ".join(AUTHORS) in text
    hrefs = [value for _, attrs in parse_html(content).tags for _, value in attrs]
    for _, url in LINK_BUTTONS:
        assert url in hrefs
    abstract = parse_html(summary)
    assert abstract.tags == []  # the abstract, escaped once more: no markup at all
    assert " ".join("".join(abstract.text).split()) == " ".join(ABSTRACT.split())
    tags = entries[TITLE_LINKS].tags
    assert any(TAG_TITLE in (tag.get("label"), tag.get("term")) for tag in tags), tags


@pytest.mark.parametrize("name", ["feed.json", "tags/hostile/feed.json"])
def test_json_feeds_carry_hostile_text_as_text(hostile_site: Site, name: str) -> None:
    feed = json.loads((hostile_site.root / name).read_text("utf-8"))
    tagged = name.startswith("tags/")
    assert feed["title"] == (f"{SITE_NAME}: {TAG_TITLE}" if tagged else SITE_NAME)
    if tagged:
        assert feed["description"] == TAG_DESCRIPTION
    items = {item["title"]: item for item in feed["items"]}
    assert set(TITLES) <= set(items)
    for title in TITLES:
        item = items[title]
        assert unsafe_markup(item["content_html"]) == [], title
        assert item["url"].startswith(hostile_site.url("papers/"))
    links = items[TITLE_LINKS]
    assert " ".join(links["summary"].split()) == " ".join(ABSTRACT.split())  # plain text
    assert [author["name"] for author in links["authors"]] == list(AUTHORS)
    assert links["tags"] == [TAG_TITLE, "Plain"]


def test_the_schema_refuses_script_links() -> None:
    """Links the build would refuse, so the pages above never see them."""
    for link in REFUSED_LINKS:
        assert url_problem(link) is not None, link
    assert bare_arxiv_id("2403.01234\"><script>alert('ps-xss-links-arxiv')</script>") is None
    # What the fixture uses is accepted: the payloads reach the pages.
    for url in (LINK_PDF, LINK_CODE, LINK_PROJECT):
        assert url_problem(url) is None, url
    assert bare_doi(DOI) == DOI

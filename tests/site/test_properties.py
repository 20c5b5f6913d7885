"""Property tests: any text in an entry is either refused with a clear message or
shown literally, in well-formed HTML, XML feeds and JSON.

Hypothesis draws text from all of Unicode (surrogates, controls, bidirectional and
format characters, markup, YAML syntax included) into each field of an entry.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import feedparser
import html5lib
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml import etree

from papershelf.entries.loader import load_entry
from papershelf.entries.model import Tag
from papershelf.entries.vocabulary import Vocabulary
from papershelf.site.catalog import build_catalog
from papershelf.site.feeds import Site, make_item, plan_feeds, render_feed
from papershelf.site.pages import paper_spec
from papershelf.site.rendering import BodyRenderer

# Hundreds of generated entries (hypothesis): left out of `make test-fast`.
pytestmark = pytest.mark.slow

VOCABULARY = Vocabulary({"agents": Tag("agents", "Agents & <tools>", "Agents that act.")}, {})
SITE = Site(url="https://example.org/shelf/", name="Shelf")
PROBLEM = re.compile(r"^\S+\.yaml:\d+: [a-z_.]+: .+ \(.+\)$", re.S)
ATOM_TITLE = "{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}title"

# Every code point, surrogates included (YAML's "\ud800" escape can produce one), with
# the characters that matter most drawn more often.
ANY_CHARACTER = st.one_of(
    st.characters(codec=None, exclude_categories=()),
    st.sampled_from("<>&\"'`\\{}$%#:-\n\t\u202e\u2066\u200b\ufeff\ufffe\ud800\x00\x1b"),
)
# Markup, YAML and template syntax that an escaping mistake would turn into structure.
MARKUP = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "</h1><h1>",
        "<b>bold</b>",
        "&amp;",
        "]]>",
        "{{ title }}",
        "${x}",
        "--8<--",
        "</script>",
        "*emphasis* [link](javascript:alert(1))",
    ]
)
TEXT = st.lists(
    st.one_of(st.text(ANY_CHARACTER, min_size=1, max_size=12), MARKUP), min_size=1, max_size=5
).map("".join)


def quoted(text: str) -> str:
    """A double-quoted YAML scalar holding exactly ``text`` (every code point escaped
    that YAML would not take raw)."""
    escaped = []
    for character in text:
        code = ord(character)
        if character in '"\\':
            escaped.append("\\" + character)
        elif 0x20 <= code < 0x7F:
            escaped.append(character)
        elif code <= 0xFFFF:
            escaped.append(f"\\u{code:04x}")
        else:
            escaped.append(f"\\U{code:08x}")
    return '"' + "".join(escaped) + '"'


def entry_with(field: str, text: str) -> str:
    fields = {"title": quoted("A title"), "added": "2025-01-02", "tags": "[agents]"}
    fields[field] = f"[{quoted(text)}]" if field == "authors" else quoted(text)
    return "".join(f"{name}: {value}\n" for name, value in fields.items())


def checked_page(html: str) -> str:
    """Parse a page body as a browser would, refusing parse errors; its text."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True)
    document = parser.parseFragment(html)
    scripts = [e for e in document.iter() if isinstance(e.tag, str) and e.tag.endswith("script")]
    assert scripts == []  # no script element from entry text
    for element in document.iter():
        for name in getattr(element, "attrib", {}):
            assert not name.lower().startswith("on"), name
    return "".join(document.itertext())


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(field=st.sampled_from(["title", "authors", "organization", "abstract", "notes"]), text=TEXT)
def test_any_entry_text_is_refused_clearly_or_rendered_literally(tmp_path: Path, field, text):
    path = tmp_path / "papers" / "x.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(entry_with(field, text), encoding="utf-8", errors="surrogatepass")
    paper, problems = load_entry(path, VOCABULARY)
    event("refused" if paper is None else "rendered")
    if paper is None:
        assert problems
        for problem in problems:
            line = str(problem)
            assert PROBLEM.match(line), line
            assert line.isprintable() or "\n" not in line  # escaped for the terminal
            assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]", line)
        return
    shown = {
        "title": paper.title,
        "authors": paper.authors[0] if paper.authors else "",
        "organization": paper.organization or "",
        "abstract": paper.abstract,
        "notes": "",  # Markdown: rendered, not literal
    }[field]

    # The paper's page: well-formed, no script, the text as text.
    catalog = build_catalog([paper], dict(VOCABULARY.tags))
    body = BodyRenderer().render(
        paper_spec(paper, None, None, catalog.citation_keys[paper.slug]),
        catalog,
        {"site_name": "S"},
    )
    page_text = checked_page(body)
    if shown.strip():
        assert " ".join(shown.split()) in " ".join(page_text.split())

    # Its feeds: strict XML, the text as the entry's title or content; JSON Feed parses.
    [feed] = [f for f in plan_feeds(catalog, SITE, 5) if f.folder == ""]
    files = render_feed(feed, SITE, [make_item(paper, SITE, catalog.tags)])
    for name, title_path in (("feed.xml", "channel/item/title"), ("atom.xml", ATOM_TITLE)):
        document = etree.fromstring(files[name])  # raises on anything not well-formed
        assert document.find(title_path).text == paper.title  # text, not markup
        parsed = feedparser.parse(files[name])
        assert not parsed.bozo, parsed.bozo_exception
    item = json.loads(files["feed.json"])["items"][0]
    assert item["title"] == paper.title

"""Notes are untrusted Markdown: rendered, but never able to inject HTML or scripts."""

from __future__ import annotations

from papershelf.site.markup import render_notes, truncate


def test_markdown_is_rendered():
    html = render_notes("Some **bold** and a [link](https://example.org).\n\n- one\n- two")
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer">link</a>' in html
    assert "<li>one</li>" in html


def test_raw_html_and_scripts_are_removed():
    html = render_notes('<script>alert(1)</script>\n\n<img src=x onerror="alert(2)"> text')
    assert "<script" not in html and "onerror" not in html and "<img" not in html
    assert "text" in html


def test_javascript_links_lose_their_href():
    html = render_notes("[click](javascript:alert(1))")
    assert "javascript:" not in html
    assert "click" in html


def test_empty_notes_render_to_nothing():
    assert render_notes("  \n") == ""


def test_truncate_cuts_at_a_word_boundary():
    assert truncate("one two three four", 9) == "one two…"
    assert truncate("short", 10) == "short"

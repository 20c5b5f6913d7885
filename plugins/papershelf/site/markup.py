"""Untrusted Markdown (paper notes) -> safe HTML.

Notes come from pull requests, so raw HTML and ``javascript:`` links must never
reach the page. Python-Markdown renders; nh3 (the Ammonia sanitizer) then keeps only
an allow-list of tags and http(s)/mailto/relative URLs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

import nh3

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}


@functools.cache
def _renderer() -> Any:
    """Made when first needed: importing Markdown and its extensions is a tenth of a
    quick rebuild's start, and most rebuilds render no notes."""
    import markdown

    return markdown.Markdown(extensions=["tables", "fenced_code", "sane_lists"])


def render_notes(text: str, base_url: str | None = None) -> str:
    """Render Markdown notes to sanitised HTML ("" for no notes).

    With ``base_url`` (the absolute URL of the paper page) relative links are made
    absolute: feeds are read away from the site, where a relative link would break.
    """
    if not text.strip():
        return ""
    html = _renderer().reset().convert(text)
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
        attribute_filter=_absolute_links(base_url) if base_url else None,
    )


def _absolute_links(base_url: str) -> Callable[[str, str, str], str]:
    """nh3 attribute filter resolving ``href`` values against ``base_url``."""

    def resolve(tag: str, attribute: str, value: str) -> str:
        return urljoin(base_url, value) if attribute == "href" else value

    return resolve


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` at a word boundary to at most ``limit`` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:.") + "…"

"""Words as both sides of the site see them: Snowball English stems (the search index
and its script, papershelf.site.search; related papers, papershelf.site.related) and the
ASCII fast path of splitting text into words."""

from __future__ import annotations

import functools
from typing import Any

# Bytes of ASCII text as words and spaces: letters and digits stay, the rest is a space.
ASCII_SPACES = bytes(c if chr(c).isascii() and chr(c).isalnum() else 32 for c in range(256))
_STEMS: dict[str, str] = {}  # word -> stem, kept across builds (mkdocs serve)


def stem(word: str) -> str:
    """Snowball English (Porter2) stem of a term, as the script stems a query
    (assets/snowball-english.js; tests/browser/test_stemming.py checks they agree)."""
    found = _STEMS.get(word)
    if found is None:
        found = _STEMS[word] = _english_stemmer().stemWord(word) if len(word) > 2 else word
    return found


def stems(words: list[str], *, distinct: bool = False) -> list[str]:
    """:func:`stem` of many words at once (PyStemmer stems a list in one call).
    ``distinct``: no word comes twice (nor is it asked for again soon), so PyStemmer's
    cache of recent words would only cost: it took two thirds of the time of stemming
    the 25,000 words of the search index at 10,000 papers."""
    many = getattr(_english_stemmer(cache=not distinct), "stemWords", None)
    if many is None:
        return [stem(word) for word in words]
    stemmed = many(words)
    return [root if len(word) > 2 else word for word, root in zip(words, stemmed, strict=True)]


@functools.cache
def _english_stemmer(*, cache: bool = True) -> Any:
    """Snowball English, made when first needed. ``snowballstemmer.stemmer("english")``
    returns PyStemmer's (Snowball's C) when it is installed, as it is here: asked for
    directly, it imports in 1 ms instead of snowballstemmer's 32 ms (every language),
    which a quick rebuild would pay. Both are pinned to the Snowball release of
    assets/snowball-english.js. ``cache``: PyStemmer's own cache of the 10,000 words
    stemmed last (its default), which pays where words recur: related papers stem each
    paper's words, in about a third less time with it at 10,000 papers."""
    try:
        import Stemmer

        return Stemmer.Stemmer("english", 10000 if cache else 0)
    except ImportError:  # the same algorithm, in Python
        import snowballstemmer

        return snowballstemmer.stemmer("english")

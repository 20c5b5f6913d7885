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


def stems(words: list[str]) -> list[str]:
    """:func:`stem` of many words at once (PyStemmer stems a list in one call)."""
    many = getattr(_english_stemmer(), "stemWords", None)
    if many is None:
        return [stem(word) for word in words]
    stemmed = many(words)
    return [root if len(word) > 2 else word for word, root in zip(words, stemmed, strict=True)]


@functools.cache
def _english_stemmer() -> Any:
    """Snowball English, made when first needed. ``snowballstemmer.stemmer("english")``
    returns PyStemmer's (Snowball's C) when it is installed, as it is here: asked for
    directly, it imports in 1 ms instead of snowballstemmer's 32 ms (every language),
    which a quick rebuild would pay. Both are pinned to the Snowball release of
    assets/snowball-english.js."""
    try:
        import Stemmer

        return Stemmer.Stemmer("english")
    except ImportError:  # the same algorithm, in Python
        import snowballstemmer

        return snowballstemmer.stemmer("english")

"""Slugs: the stable identifiers of papers, tags and organisations in URLs."""

from __future__ import annotations

import re

from unidecode import unidecode

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")

# Small words that make slugs long without making them more recognisable.
_STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "it",
        "of",
        "on",
        "or",
        "the",
        "to",
        "via",
        "with",
        "without",
    ]
)


def is_valid_slug(text: str) -> bool:
    return bool(SLUG_PATTERN.match(text))


def slugify(text: str, max_words: int | None = None, max_length: int = 80) -> str:
    """ASCII-fold, lowercase and hyphenate ``text``; optionally keep the first words.

    With ``max_words`` stop words are dropped (unless nothing else is left) so that a
    title like "The Path Not Taken: RLVR ..." becomes ``path-not-taken-rlvr``.
    """
    words = re.findall(r"[a-z0-9]+", unidecode(text).lower())
    if max_words is not None:
        kept = [w for w in words if w not in _STOP_WORDS] or words
        words = kept[:max_words]
    slug = "-".join(words)
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug.strip("-")


def title_key(title: str) -> str:
    """Identity of a title for duplicate detection.

    Unicode NFKC-folded, case-folded, with punctuation and whitespace runs collapsed,
    so "TÜLU 3: Pushing..." and "Tülu 3 - pushing..." are the same paper.
    """
    import unicodedata

    folded = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(re.findall(r"\w+", folded))

"""Slugs and title identity."""

from __future__ import annotations

import pytest

from papershelf.entries.slugs import is_valid_slug, slugify, title_key


@pytest.mark.parametrize(
    ("slug", "valid"),
    [("lora", True), ("2310-06770", True), ("a-b-c", True), ("-a", False), ("A", False),
     ("a_b", False), ("a b", False), ("", False), ("ünï", False)],
)  # fmt: skip
def test_slug_pattern(slug: str, valid: bool):
    assert is_valid_slug(slug) is valid


def test_slugify_folds_to_ascii_and_hyphenates():
    assert slugify("TÜLU 3: Pushing Frontiers") == "tulu-3-pushing-frontiers"
    assert slugify("Éclair -- Extracting Content") == "eclair-extracting-content"


def test_slugify_with_a_word_limit_drops_stop_words():
    title = "The Path Not Taken: RLVR Provably Learns Off the Principals"
    assert slugify(title, max_words=5) == "path-not-taken-rlvr-provably"


def test_slugify_keeps_stop_words_when_nothing_else_is_left():
    assert slugify("To Be Or", max_words=3) == "be"
    assert slugify("The A", max_words=2) == "the-a"


def test_slugify_caps_the_length_at_a_word_boundary():
    slug = slugify("word " * 40, max_length=22)
    assert slug == "word-word-word-word"
    assert is_valid_slug(slug)


def test_title_key_ignores_case_unicode_form_punctuation_and_spacing():
    composed = "T\u00dcLU 3: Pushing Frontiers"
    decomposed = "TU\u0308LU 3 - pushing   frontiers."
    assert title_key(composed) == title_key(decomposed) == "tülu 3 pushing frontiers"
    assert title_key("A B") != title_key("A C")

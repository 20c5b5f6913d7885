"""Stems (papershelf.site.stemming): one word at a time or many, the same stems."""

from __future__ import annotations

from pathlib import Path

import pytest

from papershelf.site.stemming import stem, stems

WORDS = ["running", "runs", "happiness", "happy", "models", "x", "ab", "abc", "café", "東京", "4o"]
# About 38,000 English words and hard cases (tests/browser/test_stemming.py: the
# browser's stems are these).
FIXTURE = Path(__file__).parents[1] / "fixtures" / "stemming" / "english-words.txt"


@pytest.mark.parametrize("distinct", [False, True])
def test_many_words_stem_as_each_word_does(distinct: bool):
    assert stems(WORDS, distinct=distinct) == [stem(word) for word in WORDS]


def test_distinct_is_a_hint_for_speed_not_a_condition():
    twice = [*WORDS, *WORDS]
    assert stems(twice, distinct=True) == stems(twice) == [stem(word) for word in twice]
    assert stems([], distinct=True) == []


def test_the_stemmer_without_a_cache_stems_every_word_alike():
    words = FIXTURE.read_text(encoding="utf-8").split()
    assert len(words) > 30_000
    assert stems(words, distinct=True) == stems(words)


def test_short_words_are_their_own_stems():
    assert stems(["as", "is", "us"], distinct=True) == ["as", "is", "us"]
    assert stem("is") == "is"

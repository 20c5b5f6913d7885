"""Which words find a paper, and where they rank it: hyphenated words, stems, fields.

The script (assets/papershelf.js) reads these keys; tests/browser/test_search_engine.py
checks what readers then see.
"""

from __future__ import annotations

import re
from datetime import date
from itertools import pairwise
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from papershelf.entries.model import Paper, Tag
from papershelf.site.catalog import build_catalog
from papershelf.site.search import (
    FIELDS,
    decode_postings,
    fold,
    index_key,
    paper_terms,
    postings,
    stem,
    tokens,
    words_of,
)

TAGS = {"llm": Tag("llm", "Language models", "Large language models.")}


def paper(slug: str, **fields: object) -> Paper:
    values: dict[str, object] = {
        "slug": slug,
        "title": slug.replace("-", " ").title(),
        "added": date(2025, 1, 1),
        "tags": ("llm",),
        "abstract": "",
        "source": Path(f"papers/{slug}.yaml"),
    }
    values.update(fields)
    return Paper(**values)  # type: ignore[arg-type]


def test_a_hyphenated_run_is_found_by_its_parts_and_by_them_joined():
    words = words_of("Efficient fine-tuning of state-of-the-art models")
    assert {"fine", "tuning", "finetuning"} <= words
    assert {"stateoftheart", "stateof", "ofthe", "theart", "state", "art"} <= words


def words_by_definition(text: str) -> set[str]:
    """What :func:`words_of` must find, written plainly (it takes shortcuts for speed):
    the terms, each hyphenated run joined whole and in pairs, accented words folded."""
    words = set(tokens(text))
    for run in re.findall(r"[^\W_]+(?:[-\u2010\u2011][^\W_]+)+", text.lower()):
        parts = re.split("[-\u2010\u2011]", run)
        words.add("".join(parts))
        words.update(a + b for a, b in pairwise(parts))
    for word in [word for word in words if not word.isascii()]:
        words.update(tokens(fold(word)))
    return words


@given(st.text(alphabet="ab1É_ -\u2010\u2011.,\n\tçß", max_size=40))
def test_words_are_what_their_definition_says_for_any_text(text: str):
    assert words_of(text) == words_by_definition(text)


def test_odd_hyphenations_are_read_as_their_definition_says():
    for text in ["a-b--c-d", "-pre-", "x--y", "a-b-c-d", "naïve-ﬁne", "(pre-training)"]:
        assert words_of(text) == words_by_definition(text), text


def test_unicode_hyphens_join_words_too():
    assert "selfsupervised" in words_of("Self\u2010supervised and non\u2011linear")
    assert "nonlinear" in words_of("Self\u2010supervised and non\u2011linear")


def test_a_word_without_hyphens_is_only_its_own_terms():
    assert words_of("Pretraining, at scale.") == {"pretraining", "at", "scale"}


def test_accented_words_are_found_without_their_accents_too():
    assert {"tülu", "tulu", "café", "cafe"} <= words_of("TÜLU 3 at the Café")
    assert fold("naïve ﬁne") == "naive fine"


def test_stems_are_snowball_english():
    assert [stem(w) for w in ["distillation", "distilled", "benchmarks", "pruned"]] == [
        "distil",
        "distil",
        "benchmark",
        "prune",
    ]
    assert stem("at") == "at"  # two letters or fewer: the word itself


def test_a_key_carries_the_stem_only_when_it_differs():
    assert index_key("model") == "model"
    assert index_key("models") == "models~5"  # the stem is the first five letters
    assert index_key("happy") == "happy~happi"  # not a beginning: written whole
    assert index_key("tuning") == "tuning~tune"


def test_a_word_is_in_the_first_field_that_has_it():
    found = paper_terms(
        paper(
            "graph-agents",
            title="Graph agents",
            authors=("Ada Graph",),
            organization="Agent Lab",
            abstract="Agents reason over a graph; the lab releases code.",
        ),
        TAGS,
    )
    by_field = dict(zip(FIELDS, found, strict=True))
    assert {"graph", "agents~5"} <= by_field["title"]
    assert {"ada", "agent", "lab"} <= by_field["people"]
    assert "graph" not in by_field["people"]  # already in the title
    assert {"llm", "language~7", "models~5"} <= by_field["tags"]
    assert {"reason", "releases~6", "code"} <= by_field["body"]
    assert "lab" not in by_field["body"]
    assert sum(len(keys) for keys in found) == len(set().union(*found))


def test_postings_list_each_paper_under_its_best_field():
    papers = [
        paper("a-paper", title="Robot models"),
        paper("b-paper", title="Other", abstract="We use a robot."),
        paper("c-paper", title="Third", organization="Robot Inc"),
    ]
    lists = postings(build_catalog(papers, TAGS))["robot"]
    assert [list(numbers) for numbers in lists] == [[0], [2], [], [1]]


def test_empty_field_lists_at_the_end_are_left_out_of_a_shard():
    from papershelf.site.search import search_outputs

    outputs = search_outputs(build_catalog([paper("a-paper", title="Robot")], TAGS))
    shard = next(data for path, data in outputs.items() if path.endswith("/terms/72-6f.json"))
    assert b'"robot":["A"]' in shard
    assert decode_postings("A") == [0]

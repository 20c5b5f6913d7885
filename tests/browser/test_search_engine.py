"""Search finds what readers mean: stems, typos, hyphenated words, and a sensible order.

A list of its own, written so that each rule of the search has papers that only it
finds; queries are typed into the real search box and the results read as shown.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import Console, Site, built_and_served

TAGS = """\
methods:
  title: Methods
  description: How things are done.
distillation:
  title: Distillation
  description: Smaller models taught by larger ones.
"""


def entry(title: str, added: str, abstract: str, **more: str) -> str:
    lines = [f"title: {title}", f"added: {added}", "tags: [methods]", f"abstract: {abstract}"]
    lines += [f"{key}: {value}" for key, value in more.items()]
    return "\n".join(lines) + "\n"


PAPERS = {
    # Stems: "distilled", "distillation", "distilling" share the stem "distil".
    "distilled-students.yaml": entry(
        "Distilled Students Learn Fast", "2025-01-03", "Small students, large teachers."
    ),
    "distillation-survey.yaml": entry(
        "A Survey of Knowledge Distillation", "2025-01-02", "We review many methods."
    ),
    "distilling-in-abstract.yaml": entry(
        "Compressing Language Models", "2025-01-04", "We keep distilling the teacher."
    ),
    # Hyphenation: three ways of writing one word.
    "hyphenated.yaml": entry(
        "Parameter-Efficient Fine-Tuning", "2025-02-01", "Adapters for fine-tuning."
    ),
    "joined.yaml": entry("Finetuning at Scale", "2025-02-02", "Cheap finetuning recipes."),
    "self-supervised.yaml": entry(
        "Self-Supervised Vision", "2025-02-03", "Self-supervised pre-training of encoders."
    ),
    # Prefixes: "pre" must not find every word beginning with it in a longer query.
    "previous-work.yaml": entry(
        "Previous Work Presented Here", "2025-03-01", "Present previous training tricks."
    ),
    "pretraining.yaml": entry(
        "Pretraining Language Models", "2025-03-02", "Pretraining data and recipes."
    ),
    # Typos: "reinforcment", "trasnformer", "halucination" each one edit away.
    "reinforcement.yaml": entry(
        "Reinforcement Learning for Robots", "2025-04-01", "Policies learn by trial."
    ),
    "transformer.yaml": entry("The Transformer Revisited", "2025-04-02", "Attention again."),
    "hallucination.yaml": entry(
        "Why Models Hallucinate", "2025-04-03", "A study of hallucination in chat models."
    ),
    # Fields: the title outranks authors and organisation, which outrank tags and abstract.
    "title-hit.yaml": entry("Quokka Detection", "2025-05-01", "Marsupials in photographs."),
    "author-hit.yaml": entry(
        "Counting Wallabies", "2025-05-04", "Marsupials again.", authors="[Ada Quokka]"
    ),
    "abstract-hit.yaml": entry(
        "Island Fauna", "2025-05-05", "We photograph the quokka on Rottnest."
    ),
    "org-hit.yaml": entry(
        "Tree Kangaroos", "2025-05-03", "Marsupials up trees.", organization="Quokka Institute"
    ),
    # Accents: typed or not, "Tülu" is found.
    "tulu.yaml": entry("'TÜLU 3 - Open Post-Training'", "2025-07-01", "Recipes for café chats."),
    # Most words: no paper has all of "kangaroo wallaby platypus".
    "platypus.yaml": entry("Platypus Genomes", "2025-06-01", "Kangaroo and platypus genomes."),
}


@pytest.fixture(scope="module")
def shelf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from built_and_served(tmp_path_factory.mktemp("search-engine"), PAPERS, TAGS)


def results(page: Page, query: str) -> list[str]:
    """The titles shown for ``query``, once the results line speaks of it."""
    page.locator("[data-ps-search-input]").fill(query)
    # The script marks the list with the query its results are for, once shown.
    page.wait_for_function(
        "query => document.querySelector('[data-ps-search-list]').dataset.psQuery === query",
        arg=query,
    )
    return page.locator(".ps-search-result__title").all_inner_texts()


def meta(page: Page) -> str:
    return page.locator("[data-ps-search-meta]").inner_text()


@pytest.fixture
def searching(shelf: Site, desktop: tuple[Page, Console]) -> Iterator[Page]:
    page, console = desktop
    page.goto(shelf.url())
    yield page
    assert console.errors == []


@pytest.mark.parametrize("query", ["distilled", "distillation", "distil", "distilling"])
def test_words_with_one_stem_find_each_other(searching: Page, query: str) -> None:
    found = results(searching, query)
    assert sorted(found) == [
        "A Survey of Knowledge Distillation",
        "Compressing Language Models",
        "Distilled Students Learn Fast",
    ]
    assert found[-1] == "Compressing Language Models"  # an abstract hit ranks last


def test_an_exact_word_ranks_above_a_stem_only_match(searching: Page) -> None:
    assert results(searching, "distillation")[0] == "A Survey of Knowledge Distillation"
    assert results(searching, "distilled")[0] == "Distilled Students Learn Fast"


@pytest.mark.parametrize("query", ["fine-tuning", "finetuning", "fine tuning"])
def test_hyphenated_joined_and_spaced_words_find_the_same_papers(
    searching: Page, query: str
) -> None:
    assert sorted(results(searching, query)) == [
        "Finetuning at Scale",
        "Parameter-Efficient Fine-Tuning",
    ]


def test_a_compound_written_as_one_word_finds_the_hyphenated_one(searching: Page) -> None:
    assert results(searching, "selfsupervised") == ["Self-Supervised Vision"]


def test_a_prefix_counts_only_for_the_last_word_typed(searching: Page) -> None:
    assert "Previous Work Presented Here" in results(searching, "pre")  # while typing
    found = results(searching, "pre training")
    assert "Previous Work Presented Here" not in found
    assert set(found) == {"Pretraining Language Models", "Self-Supervised Vision"}


@pytest.mark.parametrize(
    ("typo", "title", "meant"),
    [
        ("robtos", "Reinforcement Learning for Robots", "robots"),
        ("trasnformer", "The Transformer Revisited", "transformer"),
        ("halucination", "Why Models Hallucinate", "hallucination"),
    ],
)
def test_a_misspelt_word_is_corrected_and_says_so(
    searching: Page, typo: str, title: str, meant: str
) -> None:
    assert results(searching, typo) == [title]
    assert f"Showing results for \u201c{meant}\u201d" in meta(searching)
    assert f"corrected from \u201c{typo}\u201d" in meta(searching)


def test_a_misspelling_with_the_right_stem_is_found_by_it(searching: Page) -> None:
    # "reinforcment" and "reinforcement" share the stem "reinforc": no correction needed
    assert results(searching, "reinforcment") == ["Reinforcement Learning for Robots"]
    assert "corrected" not in meta(searching)


def test_a_word_that_exists_is_never_corrected(searching: Page) -> None:
    results(searching, "robots")
    assert "corrected" not in meta(searching)


def test_the_title_ranks_above_people_above_the_abstract_then_newest(searching: Page) -> None:
    assert results(searching, "quokka") == [
        "Quokka Detection",  # title
        "Counting Wallabies",  # an author, newer than the organisation's paper
        "Tree Kangaroos",  # the organisation
        "Island Fauna",  # the abstract only, though the newest
    ]


def test_more_words_matched_rank_higher_when_none_has_them_all(searching: Page) -> None:
    found = results(searching, "kangaroo platypus wallabies")
    assert found[0] == "Platypus Genomes"  # two of the three words
    assert "match most of them" in meta(searching)
    assert "Counting Wallabies" not in found  # one word only: fewer than the best


@pytest.mark.parametrize("query", ["tulu", "Tülu", "TÜLU 3", "cafe"])
def test_accents_need_not_be_typed_and_may_be(searching: Page, query: str) -> None:
    assert results(searching, query) == ["TÜLU 3 - Open Post-Training"]


def test_matched_words_are_marked_in_the_results(searching: Page) -> None:
    results(searching, "distilled")
    marks = searching.locator(".md-search-result mark").all_inner_texts()
    assert {"Distilled", "Distillation", "distilling"} <= set(marks)

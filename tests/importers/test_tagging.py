"""Keyword rules: whole words, case, phrases, weights, the cap, and the seed vocabulary."""

from __future__ import annotations

from pathlib import Path

from papershelf.entries.model import Tag
from papershelf.importers.tagging import (
    MAX_TAGS,
    assign_tags,
    compile_rules,
    keyword_pattern,
    score_tags,
)

ROOT = Path(__file__).resolve().parents[2]


def tag(tag_id: str, *keywords: str) -> Tag:
    return Tag(tag_id, tag_id.title(), "A tag.", keywords=keywords)


def test_whole_words_only_and_case_insensitive():
    pattern = keyword_pattern(["agent", "RL"])
    assert pattern is not None
    assert pattern.findall("An Agent; multi-agent; rl-based RL") == ["Agent", "agent", "rl", "RL"]
    assert pattern.findall("agentic reagent URL control") == []


def test_space_or_hyphen_in_a_keyword_matches_either():
    pattern = keyword_pattern(["pre-training", "chain of thought"])
    assert pattern is not None
    text = "pre training, pre-training, pre -  training, chain-of-thought; pretraining"
    assert pattern.findall(text) == [
        "pre training",
        "pre-training",
        "pre -  training",
        "chain-of-thought",
    ]


def test_keywords_are_literal_text_not_regular_expressions():
    pattern = keyword_pattern(["C++", "3D"])
    assert pattern is not None
    assert pattern.findall("C++ code and 3D scenes, not Cpp or 3Dx") == ["C++", "3D"]


def test_title_matches_weigh_more_than_abstract_mentions():
    rules = compile_rules([tag("agents", "agent"), tag("reasoning", "reasoning")])
    scores = score_tags("An agent", "reasoning reasoning about the agent", rules)
    assert [(s.tag, s.score) for s in scores] == [("agents", 4), ("reasoning", 2)]


def test_a_single_abstract_mention_is_not_enough_when_another_tag_is_strong():
    rules = compile_rules([tag("agents", "agent"), tag("video", "video")])
    assert assign_tags("Agent planning", "An agent that watches a video.", rules) == ("agents",)


def test_weak_matches_still_give_the_best_tag_rather_than_none():
    rules = compile_rules([tag("agents", "agent"), tag("video", "video")])
    assert assign_tags("Something else", "Mentions video once.", rules) == ("video",)
    assert assign_tags("Something else", "Mentions nothing.", rules) == ()


def test_tags_far_below_the_best_are_dropped():
    rules = compile_rules([tag("agents", "agent"), tag("video", "video")])
    abstract = "agent " * 8 + "video video video"
    assert assign_tags("Agent", abstract, rules) == ("agents",)


def test_at_most_three_tags_best_first_ties_by_first_match():
    rules = compile_rules([tag(name, name) for name in ("alpha", "beta", "gamma", "delta")])
    assigned = assign_tags("delta gamma beta alpha", "", rules)
    assert len(assigned) == MAX_TAGS == 3
    assert assigned == ("delta", "gamma", "beta")


def test_more_specific_phrase_of_another_tag_wins():
    rules = compile_rules(
        [tag("pretraining", "pre-training"), tag("continued", "continual pre-training")]
    )
    scores = score_tags("Continual Pre-Training of LLMs", "", rules)
    assert [(s.tag, s.score) for s in scores] == [("continued", 3)]
    scores = score_tags("Continual Pre-Training and pre-training", "", rules)
    assert [(s.tag, s.score) for s in scores] == [("continued", 3), ("pretraining", 3)]


def test_tags_without_keywords_never_match():
    rules = compile_rules([tag("uncategorized"), tag("agents", "agent")])
    assert rules.tags == ["agents"]
    assert compile_rules([tag("uncategorized")]).pattern is None
    assert assign_tags("Anything", "at all", compile_rules([])) == ()


def test_a_keyword_listed_under_two_tags_counts_for_both():
    rules = compile_rules([tag("alpha", "shared", "a"), tag("beta", "Shared")])
    assert [(s.tag, s.score) for s in score_tags("Shared", "", rules)] == [
        ("alpha", 3),
        ("beta", 3),
    ]


def test_each_stretch_of_text_counts_for_one_keyword_the_longest():
    rules = compile_rules([tag("short", "pre-training"), tag("long", "pre-training data")])
    scores = score_tags("Pre-training data and pre-training database", "", rules)
    assert [(s.tag, s.score) for s in scores] == [("long", 3), ("short", 3)]


def test_case_insensitive_matching_beyond_ascii():
    rules = compile_rules([tag("speech", "speech"), tag("kernels", "kernel"), tag("c", "C++")])
    # Long s and the Kelvin sign are case variants of "s" and "k" for re.IGNORECASE.
    assert assign_tags("\u017fpeech and \u212aernel", "", rules) == ("speech", "kernels")
    assert assign_tags("Fast C++ code", "", rules) == ("c",)
    assert assign_tags("TÜLU 3", "", compile_rules([tag("tulu", "Tülu")])) == ("tulu",)

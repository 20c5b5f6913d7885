"""Related papers: the few papers of the list most alike, and when an edit leaves
every paper's related papers as they were (what lets a quick build skip them)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

from papershelf.entries.model import Paper
from papershelf.site.related import (
    LIMIT,
    METHOD,
    TEXT_ONLY,
    edited_frequencies,
    keeps_relations,
    paper_terms,
    related_slugs,
    relations,
)


def paper(slug: str, title: str, abstract: str, tags: tuple[str, ...] = ("misc",)) -> Paper:
    return Paper(slug=slug, title=title, added=date(2025, 1, 1), tags=tags, abstract=abstract)


# Two topics with words of their own, and one paper alike to none.
DIFFUSION = [
    paper(
        f"diffusion-{n}",
        f"Diffusion sampler {n}",
        "Denoising diffusion sampler with guidance.",
        ("generative",),
    )
    for n in range(3)
]
ROBOTS = [
    paper(
        f"robot-{n}",
        f"Robot grasping {n}",
        "Robot grasping policy from tactile sensors.",
        ("robotics",),
    )
    for n in range(3)
]
LONER = paper(
    "loner", "Medieval manuscripts", "Palaeography of illuminated manuscripts.", ("history",)
)
LIST = [*DIFFUSION, *ROBOTS, LONER]


def test_papers_are_related_to_the_papers_of_their_topic_never_to_themselves():
    found = related_slugs(LIST)
    assert set(found["diffusion-0"]) == {"diffusion-1", "diffusion-2"}
    assert set(found["robot-2"]) == {"robot-0", "robot-1"}
    assert all(slug not in others for slug, others in found.items())


def test_a_paper_alike_to_none_has_no_related_papers_rather_than_noise():
    assert related_slugs(LIST)["loner"] == ()


def test_equal_scores_are_ordered_by_slug_and_the_order_of_the_list_does_not_matter():
    found = related_slugs(LIST)
    assert found["diffusion-2"] == ("diffusion-0", "diffusion-1")  # the same text: a tie
    shuffled = list(LIST)
    random.Random(7).shuffle(shuffled)
    assert related_slugs(shuffled) == found


def test_at_most_the_limit_best_first():
    papers = [
        paper(f"p{n:02d}", "Sparse attention kernels", "Sparse attention kernels for long context.")
        for n in range(LIMIT + 4)
    ]
    papers.append(paper("closest", "Sparse attention kernels", "Sparse attention kernels."))
    found = related_slugs(papers)
    assert all(len(others) == LIMIT for others in found.values())


def test_a_shared_rare_tag_makes_papers_of_a_niche_related_despite_other_words():
    a = paper("a", "Protein folding", "Structure prediction.", tags=("biology",))
    b = paper("b", "Enzyme design", "Catalytic sites.", tags=("biology",))
    others = [paper(f"x{n}", f"Other {n}", "Something else entirely.") for n in range(20)]
    assert related_slugs([a, b, *others])["a"] == ("b",)
    assert related_slugs([a, b, *others], TEXT_ONLY)["a"] == ()


def test_an_empty_list_and_a_single_paper_have_no_related_papers():
    assert related_slugs([]) == {}
    assert related_slugs([LONER]) == {"loner": ()}


def test_words_are_stemmed_lowercased_and_title_words_count_double():
    terms = paper_terms(paper("a", "Distillation", "Distilled models distil."))
    assert terms["distil"] == 2 + 2  # the title word twice, two abstract words
    assert terms["model"] == 1
    assert "#misc" in terms  # tags are terms no word can be


def test_an_edit_of_words_no_other_paper_has_keeps_every_relation():
    found = relations(LIST)
    old = DIFFUSION[0]
    new = replace(old, abstract=old.abstract + " Quokka zyzzyva.")
    assert keeps_relations(old, new, found.frequencies, len(LIST))


def test_an_edit_of_a_word_papers_share_may_change_relations():
    found = relations(LIST)
    old = DIFFUSION[0]
    new = replace(old, abstract="Robot grasping from tactile sensors.")
    assert not keeps_relations(old, new, found.frequencies, len(LIST))
    retagged = replace(old, tags=("robots",))
    robots = [replace(p, tags=("robots",)) for p in ROBOTS]
    frequencies = relations([*DIFFUSION, *robots, LONER]).frequencies
    assert not keeps_relations(old, retagged, frequencies, len(LIST))


def test_frequencies_follow_edits_so_a_second_edit_of_the_same_word_is_caught():
    found = relations(LIST)
    frequencies = dict(found.frequencies)
    first_old, second_old = DIFFUSION[0], ROBOTS[0]
    first = replace(first_old, abstract=first_old.abstract + " Quokka.")
    assert keeps_relations(first_old, first, frequencies, len(LIST))
    edited_frequencies(first_old, first, frequencies)
    second = replace(second_old, abstract=second_old.abstract + " Quokka.")
    # "quokka" is now in two papers: it would make them alike.
    assert not keeps_relations(second_old, second, frequencies, len(LIST))
    edited_frequencies(second_old, second, frequencies)
    assert frequencies == relations([first, *DIFFUSION[1:], second, *ROBOTS[1:], LONER]).frequencies


def test_the_site_method_reads_tags_and_text_only_does_not():
    assert METHOD.tag_terms > 0 and TEXT_ONLY.tag_terms == 0

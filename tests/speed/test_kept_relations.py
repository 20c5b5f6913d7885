"""Related papers kept between serve rebuilds: kept only while no edit can change them,
and then always what working them out again would give."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from papershelf.entries.model import Paper
from papershelf.site import related
from papershelf.speed import kept_relations
from papershelf.speed.kept_relations import KeptRelations


def paper(slug: str, abstract: str, tags: tuple[str, ...]) -> Paper:
    return Paper(
        slug=slug, title=slug.title(), added=date(2025, 1, 1), tags=tags, abstract=abstract
    )


PAPERS = [
    paper("a", "Diffusion sampler guidance.", ("generative",)),
    paper("b", "Diffusion sampler distillation.", ("generative",)),
    paper("c", "Robot grasping policy.", ("robotics",)),
    paper("d", "Robot grasping tactile.", ("robotics",)),
]


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the related papers are worked out."""
    calls: list[int] = []

    def relations(papers, method, limit):
        calls.append(len(papers))
        return related.relations(papers, method, limit)

    monkeypatch.setattr(kept_relations, "relations", relations)
    return calls


def test_unchanged_papers_and_edits_of_words_no_other_paper_has_keep_the_result(counted):
    keep = KeptRelations()
    first = keep(PAPERS, 5)
    assert keep(list(PAPERS), 5).related == first.related
    edited = [replace(PAPERS[0], abstract="Diffusion sampler guidance, quokka."), *PAPERS[1:]]
    again = keep(edited, 5)
    assert counted == [4]
    assert again == related.relations(edited, limit=5)  # the lists and the frequencies


@pytest.mark.parametrize(
    "edit",
    [
        lambda papers: [replace(papers[0], abstract="Robot grasping policy."), *papers[1:]],
        lambda papers: [replace(papers[0], tags=("robotics",)), *papers[1:]],
        lambda papers: papers[:3],  # a paper removed
    ],
    ids=["shared words", "a tag", "a paper removed"],
)
def test_an_edit_that_may_change_them_works_them_out_again(counted, edit):
    keep = KeptRelations()
    keep(PAPERS, 5)
    edited = edit(PAPERS)
    assert keep(edited, 5) == related.relations(edited, limit=5)
    assert counted == [4, len(edited)]

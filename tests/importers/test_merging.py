"""Folding duplicates, matching existing entries without overwriting edits, naming papers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from papershelf.entries.model import Links, Paper
from papershelf.importers.daily_papers import Record
from papershelf.importers.merging import (
    Conflict,
    compare,
    fold_duplicates,
    plan_import,
    unique_slug,
)

ADDED = date(2026, 11, 26)


def record(title: str = "A Paper", source: str = "a.txt:1", **fields: object) -> Record:
    base = Record(title=title, abstract="An abstract.", source=source)
    return replace(base, **fields)  # type: ignore[arg-type]


def existing(**fields: object) -> Paper:
    base = Paper(
        slug="a-paper",
        title="A Paper",
        added=date(2025, 1, 1),
        tags=("agents",),
        abstract="An abstract.",
        source=Path("papers/a-paper.yaml"),
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def no_tags(title: str, abstract: str) -> tuple[str, ...]:
    return ()


def agents(title: str, abstract: str) -> tuple[str, ...]:
    return ("agents",)


def test_duplicates_fold_dated_beats_undated_and_higher_votes_win():
    undated = record(source="002.txt:11", abstract="")
    dated = record(source="000.txt:5", published=date(2024, 6, 4), author_count=7, votes=2)
    more_votes = record(source="004.txt:9", published=date(2024, 6, 4), votes=5)
    [candidate], conflicts = fold_duplicates([undated, dated, more_votes])
    assert conflicts == []
    assert candidate.sources == ("002.txt:11", "000.txt:5", "004.txt:9")
    merged = candidate.record
    assert merged.source == "004.txt:9"  # the best listing: dated, most votes
    assert (merged.published, merged.votes, merged.author_count) == (date(2024, 6, 4), 5, 7)
    assert merged.abstract == "An abstract."


def test_same_title_after_normalisation_is_the_same_paper():
    first = record("TÜLU 3: Pushing Frontiers", source="001.txt:413")
    second = record("Tülu 3 - pushing  frontiers", source="002.txt:183")
    candidates, conflicts = fold_duplicates([first, second])
    assert len(candidates) == 1
    assert [str(c) for c in conflicts] == [
        "001.txt:413: title: listings of 'TÜLU 3: Pushing Frontiers' disagree; kept "
        "'TÜLU 3: Pushing Frontiers', not 'Tülu 3 - pushing  frontiers' (002.txt:183)"
    ]


def test_listings_that_disagree_are_conflicts_naming_both_sources():
    one = record(source="a.txt:1", published=date(2024, 6, 4), organization="Google")
    two = record(source="b.txt:7", published=date(2024, 6, 5), organization="google")
    [candidate], conflicts = fold_duplicates([one, two])
    assert candidate.record.published == date(2024, 6, 4)
    assert [str(c) for c in conflicts] == [
        "a.txt:1: published: listings of 'A Paper' disagree; kept 2024-06-04, "
        "not 2024-06-05 (b.txt:7)",
        "a.txt:1: organization: listings of 'A Paper' disagree; kept 'Google', "
        "not 'google' (b.txt:7)",
    ]


def test_new_papers_get_added_date_tags_and_unique_slugs():
    candidates, _ = fold_duplicates(
        [
            record(
                "Attention Is All You Need",
                organization="AI at Meta",
                organization_id="facebook",
                votes=3,
            ),
            record("Attention is all you need!!", source="b.txt:3"),
            record("Attention Is All You Need, Again", source="c.txt:3"),
            record("ŒUVRE: Éclair", source="d.txt:1"),
            record("???", source="e.txt:1"),
        ]
    )
    plan = plan_import(candidates, [], added=ADDED, tagger=agents, taken_slugs=["paper"])
    assert [(n.paper.slug, n.paper.title) for n in plan.new] == [
        ("attention-all-you-need", "Attention Is All You Need"),
        ("attention-all-you-need-again", "Attention Is All You Need, Again"),
        ("oeuvre-eclair", "ŒUVRE: Éclair"),
        ("paper-2", "???"),
    ]
    first = plan.new[0].paper
    assert (first.added, first.tags, first.votes) == (ADDED, ("agents",), 3)
    assert (first.organization, first.organization_id) == ("AI at Meta", "facebook")
    assert plan.new[0].sources == ("a.txt:1", "b.txt:3")


def test_slug_clash_with_a_different_paper_gets_a_suffix_independent_of_input_order():
    assert unique_slug("Deep Learning for X", {"deep-learning-x"}) == "deep-learning-x-2"
    assert unique_slug("Deep Learning for X", {"deep-learning-x", "deep-learning-x-2"}) == (
        "deep-learning-x-3"
    )
    # Two different papers whose titles give the same slug.
    listings = [
        record("Scaling Laws", source="x:1"),
        record("The Scaling Laws", source="x:2"),
        record("On Scaling Laws", source="x:3"),
    ]
    forward = plan_import(fold_duplicates(listings)[0], [], added=ADDED, tagger=agents)
    backward = plan_import(fold_duplicates(listings[::-1])[0], [], added=ADDED, tagger=agents)
    slugs = {n.paper.title: n.paper.slug for n in forward.new}
    assert slugs == {n.paper.title: n.paper.slug for n in backward.new}
    assert slugs == {
        "On Scaling Laws": "scaling-laws",
        "Scaling Laws": "scaling-laws-2",
        "The Scaling Laws": "scaling-laws-3",
    }


def test_uncategorized_when_no_rule_matches():
    plan = plan_import(fold_duplicates([record()])[0], [], added=ADDED, tagger=no_tags)
    assert plan.new[0].paper.tags == ("uncategorized",)
    assert [n.paper.slug for n in plan.uncategorized] == ["paper"]


def test_existing_entry_identical_is_unchanged():
    plan = plan_import(fold_duplicates([record()])[0], [existing()], added=ADDED, tagger=agents)
    assert (plan.new, plan.updates, plan.conflicts) == ([], [], [])
    assert [p.slug for p in plan.unchanged] == ["a-paper"]


def test_existing_entry_gets_only_empty_fields_filled_and_votes_raised():
    entry = existing(abstract="", votes=2)
    listing = record(
        published=date(2024, 6, 4),
        author_count=5,
        organization="AI at Meta",
        organization_id="facebook",
        votes=9,
    )
    changes, notes, conflicts = compare(entry, listing)
    assert changes == {
        "abstract": "An abstract.",
        "published": date(2024, 6, 4),
        "author_count": 5,
        "organization": "AI at Meta",
        "organization_id": "facebook",
        "votes": 9,
    }
    assert notes == [
        "abstract set to 'An abstract.'",
        "published set to 2024-06-04",
        "author_count set to 5",
        "organization set to 'AI at Meta'",
        "organization_id set to 'facebook'",
        "votes 2 -> 9",
    ]
    assert conflicts == []


def test_lower_votes_never_lower_the_entry():
    changes, _, conflicts = compare(existing(votes=10), record(votes=3))
    assert (changes, conflicts) == ({}, [])


def test_hand_edits_are_never_overwritten_and_disagreements_are_conflicts():
    edited = existing(
        title="A Paper",
        abstract="A curator's corrected abstract.",
        published=date(2024, 6, 5),
        authors=("Ada Lovelace", "Alan Turing"),
        organization="Meta AI",
        tags=("reasoning",),
        links=Links(arxiv="2401.00001"),
        notes="My notes.",
    )
    listing = record(
        title="A paper",
        published=date(2024, 6, 4),
        author_count=3,
        organization="AI at Meta",
        organization_id="facebook",
    )
    plan = plan_import(fold_duplicates([listing])[0], [edited], added=ADDED, tagger=agents)
    assert plan.updates == []
    assert plan.unchanged == [edited]
    assert [str(c) for c in plan.conflicts] == [
        "papers/a-paper.yaml: title: the entry has 'A Paper', the listing (a.txt:1) has "
        "'A paper'; kept the entry's",
        "papers/a-paper.yaml: abstract: the entry has 'A curator's corrected abstract.', "
        "the listing (a.txt:1) has 'An abstract.'; kept the entry's",
        "papers/a-paper.yaml: published: the entry has 2024-06-05, the listing (a.txt:1) "
        "has 2024-06-04; kept the entry's",
        "papers/a-paper.yaml: authors: the entry has '2 names', the listing (a.txt:1) has 3; "
        "kept the entry's",
        "papers/a-paper.yaml: organization: the entry has 'Meta AI', the listing (a.txt:1) "
        "has 'AI at Meta'; kept the entry's",
    ]


def test_update_reads_as_the_entry_with_the_changes():
    entry = existing(votes=None, tags=("reasoning",), notes="Keep me.")
    plan = plan_import(fold_duplicates([record(votes=4)])[0], [entry], added=ADDED, tagger=agents)
    [update] = plan.updates
    assert update.changes == {"votes": 4}
    assert update.notes == ("votes set to 4",)
    assert update.updated == replace(entry, votes=4)
    assert update.updated.tags == ("reasoning",)


def test_a_reworded_title_is_still_recognised_by_its_long_abstract():
    abstract = "A long abstract that only this one paper has, word for word. " * 2
    entry = existing(title="A Paper, Retitled by a Curator", abstract=abstract.strip())
    listing = record(abstract=abstract.strip(), votes=3)
    plan = plan_import(fold_duplicates([listing])[0], [entry], added=ADDED, tagger=agents)
    assert plan.new == []
    assert [u.changes for u in plan.updates] == [{"votes": 3}]
    assert [c.field for c in plan.conflicts] == ["title"]
    short = plan_import(
        fold_duplicates([record(abstract="Short.")])[0],
        [existing(title="Other", abstract="Short.")],
        added=ADDED,
        tagger=agents,
    )
    assert [n.paper.title for n in short.new] == ["A Paper"]


def test_existing_slugs_are_kept_and_avoided():
    entry = existing(slug="my-own-name", title="A Paper")
    candidates, _ = fold_duplicates([record(), record("Different Paper", source="b:1")])
    plan = plan_import(
        candidates, [entry], added=ADDED, tagger=agents, taken_slugs=["different-paper"]
    )
    assert [n.paper.slug for n in plan.new] == ["different-paper-2"]
    assert [p.slug for p in plan.unchanged] == ["my-own-name"]


def test_progress_is_reported_for_each_new_paper():
    seen: list[tuple[int, int]] = []
    records = [record(f"Paper {n}", source=f"a:{n}") for n in range(3)]
    plan_import(
        fold_duplicates(records)[0],
        [],
        added=ADDED,
        tagger=agents,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_conflict_text():
    assert str(Conflict("papers/x.yaml", "title", "differs")) == "papers/x.yaml: title: differs"

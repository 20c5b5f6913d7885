"""What a BibTeX import changes: the daily importer's rules, for names, links and notes.

Entries of one paper fold into one; an existing entry only gets what it lacks, and a
person's edits always win; new papers get tags, a slug and the ``added`` date.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from papershelf.entries.model import Links, Paper
from papershelf.importers.bibtex import BibRecord
from papershelf.importers.bibtex_merging import (
    compare_record,
    fold_records,
    plan_bibtex_import,
)

ADDED = date(2026, 11, 26)


def record(title: str = "A Paper", source: str = "refs.bib:1", **fields: object) -> BibRecord:
    return replace(BibRecord(key="k", source=source, title=title), **fields)  # type: ignore[arg-type]


def existing(slug: str = "a-paper", **fields: object) -> Paper:
    base = Paper(
        slug=slug,
        title="A Paper",
        added=date(2025, 1, 1),
        tags=("agents",),
        source=Path(f"papers/{slug}.yaml"),
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def keywords_or_nothing(item: BibRecord) -> tuple[str, ...]:
    return item.keywords


def plan(records: list[BibRecord], papers: list[Paper] = (), **options: object):  # type: ignore[assignment]
    candidates, conflicts = fold_records(records)
    made = plan_bibtex_import(
        candidates, papers, added=ADDED, tagger=keywords_or_nothing, **options
    )
    return made, conflicts


# --- Entries of one paper in the import --------------------------------------------------


def test_entries_sharing_a_title_arxiv_id_or_doi_fold_into_one_dated_entry_first():
    preprint = record("A Paper", "refs.bib:1", links=Links(arxiv="2401.00001"))
    journal = record(
        "A Paper (Journal Version)",
        "refs.bib:9",
        links=Links(arxiv="2401.00001v3", doi="10.1/j"),
        published=date(2024, 5, 1),
        authors=("Ada Lovelace",),
    )
    again = record("a paper", "more.bib:4", links=Links(doi="10.1/J"), abstract="Text.")
    [candidate], conflicts = fold_records([preprint, journal, again])
    assert candidate.sources == ("refs.bib:1", "refs.bib:9", "more.bib:4")
    merged = candidate.record
    assert merged.source == "refs.bib:9"  # the dated entry
    assert (merged.title, merged.published, merged.authors, merged.abstract) == (
        "A Paper (Journal Version)",
        date(2024, 5, 1),
        ("Ada Lovelace",),
        "Text.",
    )
    assert merged.links == Links(arxiv="2401.00001v3", doi="10.1/j")
    assert [str(c) for c in conflicts] == [
        "refs.bib:9: title: entries of 'A Paper (Journal Version)' disagree; kept 'A Paper "
        "(Journal Version)', not 'A Paper' (refs.bib:1), 'a paper' (more.bib:4)",
        "refs.bib:9: links.arxiv: entries of 'A Paper (Journal Version)' disagree; kept "
        "'2401.00001v3', not '2401.00001' (refs.bib:1)",
        "refs.bib:9: links.doi: entries of 'A Paper (Journal Version)' disagree; kept "
        "'10.1/j', not '10.1/J' (more.bib:4)",
    ]


def test_different_papers_stay_apart_in_file_order():
    candidates, conflicts = fold_records([record("Second"), record("First")])
    assert [c.record.title for c in candidates] == ["Second", "First"]
    assert conflicts == []


# --- Existing entries -----------------------------------------------------------------------


def test_an_existing_entry_is_found_by_arxiv_id_in_any_version_or_doi_in_any_case():
    by_arxiv = existing("by-arxiv", title="Reworded", links=Links(arxiv="2401.00001v1"))
    by_doi = existing("by-doi", title="Also Reworded", links=Links(doi="10.1/ABC"))
    made, _ = plan(
        [
            record("Original", links=Links(arxiv="2401.00001v2")),
            record("Other Original", links=Links(doi="10.1/abc")),
        ],
        [by_arxiv, by_doi],
    )
    assert made.new == []
    assert made.unchanged == [by_arxiv, by_doi]
    assert [c.field for c in made.conflicts] == ["title", "title"]


def test_an_existing_entry_only_gets_the_fields_it_lacks():
    paper = existing(abstract="", notes="Mine.", tags=("agents",))
    incoming = record(
        "A Paper",
        abstract="The abstract.",
        published=date(2024, 1, 2),
        authors=("Ada Lovelace", "Alan Turing"),
        links=Links(arxiv="2401.00001", pdf="https://example.org/a.pdf"),
        keywords=("reasoning",),
        notes="From the file.",
        organization="Example Lab",
    )
    changes, notes, conflicts = compare_record(paper, incoming)
    assert changes == {
        "abstract": "The abstract.",
        "published": date(2024, 1, 2),
        "organization": "Example Lab",
        "authors": ("Ada Lovelace", "Alan Turing"),
        "links": Links(arxiv="2401.00001", pdf="https://example.org/a.pdf"),
    }
    assert notes == [
        "abstract set to 'The abstract.'",
        "published set to 2024-01-02",
        "organization set to 'Example Lab'",
        "authors set to 'Ada Lovelace, Alan Turing'",
        "links set to arxiv 2401.00001, pdf https://example.org/a.pdf",
    ]
    assert conflicts == []  # tags and notes are the curator's: never compared, never set


def test_what_a_person_wrote_wins_and_every_difference_is_a_conflict():
    paper = existing(
        title="A paper",
        abstract="Theirs.",
        published=date(2024, 1, 1),
        authors=("A. Lovelace",),
        links=Links(arxiv="2401.00001", project="https://example.org/mine"),
    )
    incoming = record(
        "A Paper",
        "refs.bib:7",
        abstract="Ours.",
        published=date(2024, 1, 2),
        authors=("Ada Lovelace",),
        links=Links(arxiv="2401.00002", project="https://example.org/other", doi="10.1/x"),
    )
    changes, _, conflicts = compare_record(paper, incoming)
    assert changes == {}  # links it lacks (doi) are not added to links it has
    assert [str(c) for c in conflicts] == [
        "papers/a-paper.yaml: title: the entry has 'A paper', the BibTeX entry (refs.bib:7) "
        "has 'A Paper'; kept the entry's",
        "papers/a-paper.yaml: abstract: the entry has 'Theirs.', the BibTeX entry "
        "(refs.bib:7) has 'Ours.'; kept the entry's",
        "papers/a-paper.yaml: published: the entry has 2024-01-01, the BibTeX entry "
        "(refs.bib:7) has 2024-01-02; kept the entry's",
        "papers/a-paper.yaml: authors: the entry has 'A. Lovelace', the BibTeX entry "
        "(refs.bib:7) has 'Ada Lovelace'; kept the entry's",
        "papers/a-paper.yaml: links.arxiv: the entry has '2401.00001', the BibTeX entry "
        "(refs.bib:7) has '2401.00002'; kept the entry's",
        "papers/a-paper.yaml: links.project: the entry has 'https://example.org/mine', the "
        "BibTeX entry (refs.bib:7) has 'https://example.org/other'; kept the entry's",
    ]


def test_names_fill_an_entry_without_authors_and_are_checked_against_a_count():
    names = ("Ada Lovelace", "Alan Turing")
    assert compare_record(existing(author_count=2), record(authors=names))[0] == {}
    _, _, [conflict] = compare_record(existing(author_count=3), record(authors=names))
    assert conflict.field == "author_count"
    # "and others": the names given only have to start the entry's list.
    partial = record(authors=("Ada Lovelace",), authors_incomplete=True)
    assert compare_record(existing(authors=names), partial) == ({}, [], [])
    assert compare_record(existing(author_count=5), partial) == ({}, [], [])
    # A count alone (the export's "N authors") is the daily importer's author_count.
    counted = compare_record(existing(), record(author_count=4))
    assert counted[0] == {"author_count": 4}


def test_re_importing_what_an_import_wrote_changes_nothing():
    incoming = record(
        authors=("Ada Lovelace",),
        abstract="Text.",
        published=date(2024, 1, 2),
        links=Links(doi="10.1/x"),
        notes="Notes.",
    )
    made, _ = plan([incoming])
    [new] = made.new
    assert new.paper.slug == "paper"  # "a" is a stop word
    again, _ = plan([incoming], [replace(new.paper, source=Path("papers/paper.yaml"))])
    assert (again.new, again.updates, again.conflicts) == ([], [], [])
    assert [p.slug for p in again.unchanged] == ["paper"]


def test_an_entry_matching_two_existing_entries_is_left_out():
    one = existing("one", title="First", links=Links(doi="10.1/x"))
    two = existing("two", title="A Paper")
    made, _ = plan([record("A Paper", "refs.bib:3", links=Links(doi="10.1/x"))], [one, two])
    assert (made.new, made.updates, made.unchanged) == ([], [], [])
    assert [str(c) for c in made.conflicts] == [
        "refs.bib:3: entry: 'A Paper' is the same paper as papers/two.yaml and "
        "papers/one.yaml (same title, arXiv id or DOI); left out: merge those entries first"
    ]


def test_two_entries_matching_one_existing_entry_update_it_once():
    paper = existing(title="A Paper", links=Links(doi="10.1/x"))
    made, _ = plan(
        [
            record("A Paper", "refs.bib:1", abstract="From the first."),
            record("Another Title", "refs.bib:5", links=Links(doi="10.1/X"), abstract="Second."),
        ],
        [paper],
    )
    assert [u.changes for u in made.updates] == [{"abstract": "From the first."}]
    assert [str(c) for c in made.conflicts] == [
        "refs.bib:5: entry: 'Another Title' is the same paper as papers/a-paper.yaml, which "
        "the entry at refs.bib:1 already updates; left out"
    ]


# --- New papers ------------------------------------------------------------------------------


def test_new_papers_get_the_added_date_tags_and_unique_slugs_in_title_order():
    made, _ = plan(
        [
            record("Zebra Paper", "refs.bib:9", keywords=("agents",)),
            record("Engine Nötes", "refs.bib:5", author_count=3),
            record("Engine Notes", "refs.bib:1", authors=("Ada Lovelace",)),
        ],
        [existing("engine-notes", title="Something Else")],
        taken_slugs=["engine-notes-2"],
    )
    assert [(n.paper.slug, n.paper.title, n.paper.tags) for n in made.new] == [
        ("engine-notes-3", "Engine Notes", ("uncategorized",)),
        ("engine-notes-4", "Engine Nötes", ("uncategorized",)),
        ("zebra-paper", "Zebra Paper", ("agents",)),
    ]
    assert {n.paper.added for n in made.new} == {ADDED}
    assert (made.new[0].paper.authors, made.new[0].paper.author_count) == (("Ada Lovelace",), None)
    assert (made.new[1].paper.authors, made.new[1].paper.author_count) == ((), 3)
    assert [n.paper.slug for n in made.uncategorized] == ["engine-notes-3", "engine-notes-4"]

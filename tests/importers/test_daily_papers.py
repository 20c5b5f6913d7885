"""Parsing "Daily Papers" dumps: every variant of the seed files, and broken input."""

from __future__ import annotations

import textwrap
from datetime import date

import pytest

from papershelf.importers.daily_papers import (
    Record,
    WrittenDate,
    choose_year,
    parse_listing,
    resolve_listing,
)

CHROME = """\
new

Get trending papers in your email inbox!

Subscribe

Daily Papers

byAK and the research community

"""


def dump(body: str, chrome: str = CHROME) -> str:
    return chrome + textwrap.dedent(body)


def records(text: str, year: int | None = None, path: str = "dump.txt") -> list[Record]:
    listing = parse_listing(text, path)
    assert listing.problems == ()
    resolved, problems = resolve_listing(listing, choose_year(listing, year).year)
    assert problems == []
    return resolved


def test_entry_with_author_count_date_and_listing_date():
    text = dump(
        """\
        Dec 18

        ALAS: Autonomous Learning Agent for Self-Updating Language Models

        Large language models often have a fixed knowledge cutoff.

          • 1 authors
        ·
        Aug 14
        """
    )
    listing = parse_listing(text, "000.txt")
    assert listing.listing_date == WrittenDate(12, 18, None, 11)
    assert records(text, year=2025, path="000.txt") == [
        Record(
            title="ALAS: Autonomous Learning Agent for Self-Updating Language Models",
            abstract="Large language models often have a fixed knowledge cutoff.",
            source="000.txt:13",
            author_count=1,
            published=date(2025, 8, 14),
        )
    ]


@pytest.mark.parametrize(
    ("line", "published", "votes"),
    [
        ("Aug 14", date(2025, 8, 14), None),
        ("Jun 4, 2024", date(2024, 6, 4), None),
        ("Jun 4, 2024 2", date(2024, 6, 4), 2),
        ("Oct 8 15", date(2025, 10, 8), 15),
        ("Sept 3", date(2025, 9, 3), None),
    ],
)
def test_date_lines_with_and_without_year_and_votes(line, published, votes):
    text = dump(f"Title\n\nAbstract.\n\n  • 7 authors\n·\n{line}\n")
    [record] = records(text, year=2025)
    assert (record.published, record.votes, record.author_count) == (published, votes, 7)


@pytest.mark.parametrize(
    ("org_line", "organization", "organization_id"),
    [
        ("facebook AI at Meta", "AI at Meta", "facebook"),
        ("google Google", "Google", "google"),
        ("nvidia NVIDIA", "NVIDIA", "nvidia"),
        ("amazon Amazon", "Amazon", "amazon"),
        ("UCAS ucas", "ucas", "UCAS"),
        ("openai", "openai", "openai"),
    ],
)
def test_organisation_lines(org_line, organization, organization_id):
    text = dump(f"Title\n\nAbstract.\n\n{org_line}\n·\nNov 11 2\n")
    [record] = records(text, year=2025)
    assert record.organization == organization
    assert record.organization_id == organization_id
    assert record.author_count is None
    assert record.votes == 2


def test_entries_without_metadata_and_without_listing_date():
    chrome = CHROME.replace("byAK", "by AK")
    text = dump(
        """\
        Towards Training-free Open-world Segmentation

        The realm of computer vision has witnessed a paradigm shift.

        DeepCache: Accelerating Diffusion Models for Free

        Diffusion models have recently gained unprecedented attention.
        """,
        chrome=chrome,
    )
    listing = parse_listing(text, "002.txt")
    assert listing.listing_date is None
    assert not listing.needs_year
    assert choose_year(listing, None).how == "every date has a year; no year needed"
    found = records(text, path="002.txt")
    assert [(r.title, r.source, r.published, r.author_count) for r in found] == [
        ("Towards Training-free Open-world Segmentation", "002.txt:11", None, None),
        ("DeepCache: Accelerating Diffusion Models for Free", "002.txt:15", None, None),
    ]


def test_entries_with_and_without_metadata_mixed():
    text = dump(
        """\
        Nov 3

        First

        Abstract one.

          • 3 authors
        ·
        Jul 5, 2023

        Second without metadata

        Abstract two.

        Third

        Abstract three.

          • 6 authors
        ·
        Nov 12, 2023
        """
    )
    found = records(text, year=2025)
    assert [(r.title, r.author_count, r.published) for r in found] == [
        ("First", 3, date(2023, 7, 5)),
        ("Second without metadata", None, None),
        ("Third", 6, date(2023, 11, 12)),
    ]


def test_yearless_dates_after_the_listing_date_belong_to_the_year_before():
    text = dump(
        """\
        Jan 10

        Early January paper

        Abstract.

          • 2 authors
        ·
        Jan 3

        Late December paper

        Abstract.

          • 2 authors
        ·
        Dec 29

        Same day as the listing

        Abstract.

          • 2 authors
        ·
        Jan 10
        """
    )
    assert [r.published for r in records(text, year=2025)] == [
        date(2025, 1, 3),
        date(2024, 12, 29),
        date(2025, 1, 10),
    ]


def test_year_is_inferred_as_one_more_than_the_latest_explicit_year():
    text = dump(
        """\
        Dec 18

        A

        Abstract.

          • 2 authors
        ·
        Apr 16, 2024 2

        B

        Abstract.

          • 2 authors
        ·
        Mar 3, 2019

        C

        Abstract.

          • 2 authors
        ·
        May 31 2
        """
    )
    listing = parse_listing(text, "f.txt")
    choice = choose_year(listing, None)
    assert choice.year == 2025
    assert choice.how == (
        "inferred year 2025 (one more than the latest year in the file, 2024); "
        "pass --year to override"
    )
    assert choose_year(listing, 2030).how == "year 2030 (from --year)"
    resolved, _ = resolve_listing(listing, choice.year)
    assert resolved[2].published == date(2025, 5, 31)


def test_no_year_to_infer_from():
    text = dump("A\n\nAbstract.\n\n  • 2 authors\n·\nAug 14\n")
    listing = parse_listing(text, "f.txt")
    choice = choose_year(listing, None)
    assert choice.year is None
    assert listing.needs_year
    assert choice.how == "dates without a year and no explicit year to infer it from"
    with pytest.raises(ValueError, match="a year is needed"):
        resolve_listing(listing, None)


def test_special_characters_are_kept_exactly():
    title = 'Queries, Representation & Detection: <The> "Next" 100 — TÜLU & Éclair'
    abstract = "p < 0.001 and (>95%) of the 'weights' \\% T\\\"ULU   spaced  "
    text = dump(f"  {title}  \n\n{abstract}\n")
    [record] = records(text)
    assert record.title == title
    assert record.abstract == abstract.strip()


def test_text_is_nfc_normalised():
    decomposed = "Tu\u0308lu"  # "Tülu" with a combining diaeresis
    [record] = records(dump(f"{decomposed} 3\n\nAbstract.\n"))
    assert record.title == "T\u00fclu 3"


def test_truncated_last_entry_title_only():
    text = dump("Complete\n\nAbstract.\n\n  • 2 authors\n·\nAug 14, 2024\n\nCut off here\n")
    listing = parse_listing(text, "cut.txt")
    assert [e.title for e in listing.entries] == ["Complete"]
    assert [str(p) for p in listing.problems] == [
        "cut.txt:19: entry 'Cut off here' ends after its title (truncated file?); skipped"
    ]


def test_truncated_metadata_keeps_the_entry_and_reports_the_line():
    text = dump("Complete\n\nAbstract.\n\n  • 2 authors\n·\n")
    listing = parse_listing(text, "cut.txt")
    [entry] = listing.entries
    assert (entry.title, entry.author_count, entry.written_date) == ("Complete", 2, None)
    assert [str(p) for p in listing.problems] == [
        "cut.txt:16: metadata of 'Complete' ends without a date (truncated file?); "
        "imported without a date"
    ]


def test_metadata_without_separator_line():
    text = dump("Title\n\nAbstract.\n\n  • 2 authors\n")
    listing = parse_listing(text, "f.txt")
    assert listing.entries[0].author_count == 2
    assert [str(p) for p in listing.problems] == [
        "f.txt:15: metadata of 'Title' has no '·' line and no date; imported without a date"
    ]


def test_unreadable_date_and_author_count_are_reported_not_guessed():
    text = dump("Title\n\nAbstract.\n\n  • many authors\n·\nAugst 14\n")
    listing = parse_listing(text, "f.txt")
    [entry] = listing.entries
    assert (entry.author_count, entry.written_date) == (None, None)
    assert [str(p) for p in listing.problems] == [
        "f.txt:15: cannot read the author count '• many authors' "
        "(expected e.g. '• 7 authors'); imported without it",
        "f.txt:17: cannot read the date 'Augst 14' (expected e.g. 'Aug 14', 'Jun 4, 2024', "
        "or with votes 'Jun 4, 2024 2' / 'Oct 8 15'); ignored",
    ]


def test_impossible_date_is_reported():
    text = dump("Title\n\nAbstract.\n\n  • 2 authors\n·\nFeb 30, 2024\n")
    listing = parse_listing(text, "f.txt")
    resolved, problems = resolve_listing(listing, None)
    assert resolved[0].published is None
    assert [str(p) for p in problems] == [
        "f.txt:17: Feb 30 is not a real date in 2024; imported without a date"
    ]


def test_missing_title_is_reported_and_parsing_resynchronises():
    long_abstract = "An abstract without its title. " * 12
    text = dump(
        f"""\
        {long_abstract}

          • 2 authors
        ·
        Aug 14, 2024

        Next paper

        Its abstract.
        """
    )
    listing = parse_listing(text, "f.txt")
    assert [e.title for e in listing.entries] == ["Next paper"]
    assert [str(p) for p in listing.problems] == [
        f"f.txt:11: a {len(long_abstract.strip())}-character line where a title should be "
        "(is the title line missing?); entry skipped"
    ]


def test_missing_abstract_is_reported_and_the_entry_kept():
    text = dump("Title\n\n  • 2 authors\n·\nAug 14, 2024\n")
    listing = parse_listing(text, "f.txt")
    [entry] = listing.entries
    assert (entry.title, entry.abstract, entry.author_count) == ("Title", "", 2)
    assert [str(p) for p in listing.problems] == [
        "f.txt:13: entry 'Title' has no abstract; imported without one"
    ]


def test_stray_metadata_and_multi_line_title_are_reported():
    text = dump(
        """\
          • 2 authors
        ·
        Aug 14, 2024

        Title spread
        over two lines

        Its abstract.

        Good title

        Good abstract.
        """
    )
    listing = parse_listing(text, "f.txt")
    assert [e.title for e in listing.entries] == ["Good title"]
    assert [str(p) for p in listing.problems] == [
        "f.txt:11: metadata without a title and abstract; skipped",
        "f.txt:15: expected a one-line title, found 2 lines; entry skipped",
    ]


def test_control_characters_skip_the_entry():
    text = dump("Bad\x07 title\n\nAbstract.\n\nGood\n\nAbstract.\n")
    listing = parse_listing(text, "f.txt")
    assert [e.title for e in listing.entries] == ["Good"]
    assert [str(p) for p in listing.problems] == [
        "f.txt:11: the title of 'Bad\x07 title' contains the control character U+0007; "
        "entry skipped"
    ]


def test_form_feed_does_not_split_lines_or_shift_line_numbers():
    text = dump("Title\n\nAbstract with \u2028 separator.\n\nNext\n\nAbstract.\n")
    listing = parse_listing(text, "f.txt")
    assert listing.problems == ()
    assert [(e.title, e.line) for e in listing.entries] == [("Title", 11), ("Next", 15)]
    assert listing.entries[0].abstract == "Abstract with \u2028 separator."


def test_windows_line_endings_and_byte_order_mark():
    text = "\ufeff" + dump("Title\n\nAbstract.\n\n  • 2 authors\n·\nAug 14, 2024 3\n")
    [record] = records(text.replace("\n", "\r\n"))
    assert (record.title, record.abstract, record.votes) == ("Title", "Abstract.", 3)


def test_missing_abstract_in_a_dump_without_metadata_does_not_shift_entries():
    abstract = "A long abstract that belongs to the second paper. " * 8
    text = dump(f"First title\n\nSecond title\n\n{abstract}\n\nThird title\n\nShort abstract.\n")
    listing = parse_listing(text, "f.txt")
    assert [(e.title, e.abstract) for e in listing.entries] == [
        ("First title", ""),
        ("Second title", abstract.strip()),
        ("Third title", "Short abstract."),
    ]
    assert [str(p) for p in listing.problems] == [
        "f.txt:13: entry 'First title' has no abstract; imported without one"
    ]

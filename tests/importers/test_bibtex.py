"""Reading a BibTeX file: every entry becomes entry fields, or a located problem.

Each test builds its own small .bib text; ``refs.bib`` is only the name in messages.
"""

from __future__ import annotations

import textwrap
import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papershelf.entries.model import Links, Tag
from papershelf.entries.text_rules import character_problem
from papershelf.entries.vocabulary import Vocabulary
from papershelf.importers.bibtex import BibFile, BibRecord, keyword_tags, read_bibtex, tags_for
from papershelf.importers.tagging import compile_rules


def read(text: str) -> BibFile:
    return read_bibtex(textwrap.dedent(text), "refs.bib")


def one(text: str) -> BibRecord:
    """The one record of a .bib that has no problems."""
    bib = read(text)
    assert [str(p) for p in bib.problems] == []
    [record] = bib.records
    return record


def problems(text: str) -> list[str]:
    return [str(problem) for problem in read(text).problems]


def warnings(text: str) -> list[str]:
    return [str(warning) for warning in read(text).warnings]


def title_of(latex: str) -> str:
    return one(f"@misc{{k, title = {{{latex}}}}}").title


# --- One entry, every field -------------------------------------------------------


def test_an_entry_becomes_every_field_it_has():
    record = one(
        """\
        % a comment line before the entry
        @inproceedings{lovelace2024,
          title     = {Notes on the {Analytical Engine}},
          author    = {Lovelace, Ada and Charles Babbage},
          booktitle = {Proceedings of Something},
          date      = {2024-02-29},
          abstract  = {First paragraph,
                       wrapped in the file.

                       Second   paragraph.},
          eprint        = {2402.01234v2},
          archivePrefix = {arXiv},
          doi       = {10.1145/3377811},
          pdf       = {https://example.org/engine.pdf},
          code      = {https://github.com/example/engine},
          keywords  = {reasoning, knitting},
          organization = {Example Lab},
          annote    = {Read *twice*.},
        }
        """
    )
    assert record == BibRecord(
        key="lovelace2024",
        source="refs.bib:2",
        title="Notes on the Analytical Engine",
        authors=("Ada Lovelace", "Charles Babbage"),
        organization="Example Lab",
        published=date(2024, 2, 29),
        abstract="First paragraph, wrapped in the file.\n\nSecond paragraph.",
        links=Links(
            arxiv="2402.01234v2",
            doi="10.1145/3377811",
            pdf="https://example.org/engine.pdf",
            code="https://github.com/example/engine",
        ),
        keywords=("reasoning", "knitting"),
        notes="Read *twice*.",
    )


def test_comments_preamble_strings_and_free_text_are_not_entries():
    bib = read(
        """\
        Free text before anything: BibTeX ignores it.
        @comment{Exported by hand, with {braces} inside}
        @preamble{"\\newcommand{\\noop}[1]{}"}
        @string{venue = {Somewhere}}
        @misc{only, title = {The only entry}}
        """
    )
    assert [r.title for r in bib.records] == ["The only entry"]
    assert bib.problems == bib.warnings == ()


def test_field_names_are_read_in_any_case():
    record = one("@MISC{k, TITLE = {Upper}, Author = {Doe, Jane}, YEAR = 2020, MONTH = 1, DAY = 2}")
    assert (record.title, record.authors, record.published) == (
        "Upper",
        ("Jane Doe",),
        date(2020, 1, 2),
    )


# --- LaTeX becomes Unicode --------------------------------------------------------


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        ('M{\\"u}ller and {\\"U}ber', "Müller and Über"),
        (
            "M\\\"{u}ller, {\\'e}t{\\'e}, \\c{c}a, \\ss{}, \\o{}, {\\L}{\\'o}d{\\'z}",
            "Müller, été, ça, ß, ø, Łódź",
        ),
        ("Tom \\& Jerry, 50\\% off, \\#1, \\$5, a\\_b", "Tom & Jerry, 50% off, #1, $5, a_b"),
        ("{{Nested}} {B{ra}ces} {BERT}", "Nested Braces BERT"),
        ("$\\alpha$-Math: $O(n^2)$ and $\\leq$", "\N{GREEK SMALL LETTER ALPHA}-Math: O(n^2) and ≤"),
        ("Pages 1--2 --- an aside", "Pages 1\N{EN DASH}2 — an aside"),
        ("``Quoted'' text", "“Quoted” text"),
        ("x{\\textasciicircum}y and a{\\textperiodcentered}b", "x^y and a·b"),
        (
            "\\textless{}b\\textgreater{} \\textbar{} \\textunderscore{} \\textquotedbl{}",
            '<b> | _ "',
        ),
        (
            "\\href{https://example.org}{Linked} and \\url{https://example.org/a_b}",
            "Linked and https://example.org/a_b",
        ),
        ("\\textbf{Bold} and \\emph{emphasis}", "Bold and emphasis"),
        ("Line one \\\\ line two", "Line one line two"),
        ("Non~breaking", "Non breaking"),
        ("日本語のタイトル 🎉", "日本語のタイトル 🎉"),
    ],
)
def test_latex_in_a_title_becomes_the_text_it_shows(latex, text):
    assert title_of(latex) == text


# Text with none of \ { } $ ~ % & # ^ _ and no -- `` '' !` ?` skips pylatexenc (most
# abstracts): it must come out exactly as pylatexenc would give it, which is unchanged.
# Only text an entry may hold (no non-characters such as U+FDD0: text_rules refuses them).
PLAIN = (
    st.text(
        alphabet=st.characters(
            blacklist_characters="\\{}$~%&#^_@\r", blacklist_categories=("Cs", "Cc", "Cf")
        ),
        min_size=1,
        max_size=40,
    )
    .filter(lambda s: not any(p in s for p in ("--", "``", "''", "!`", "?`")) and s.strip())
    .filter(lambda s: character_problem(s, one_line=True) is None)
)


@settings(max_examples=150, deadline=None)
@given(PLAIN)
def test_plain_text_is_its_own_decoding(text):
    quick = one(f"@misc{{k, title = {{{text}}}}}").title  # no LaTeX: read as it is
    walked = one(f"@misc{{k, title = {{{{{text}}}}}}}").title  # braces: through pylatexenc
    assert quick == walked == " ".join(unicodedata.normalize("NFC", text).split())


def test_a_bare_percent_or_ampersand_is_the_character_not_latex():
    record = one(
        """\
        @misc{k, title = {Salt & Pepper}, abstract = {We cut errors by 50% on {LLM}s.
          The rest of the line stays & so does the next, 10\\% and \\\\% too.}}
        """
    )
    assert record.title == "Salt & Pepper"
    assert record.abstract == (
        "We cut errors by 50% on LLMs. The rest of the line stays & so does the next, "
        "10% and % too."
    )


# Long texts are cut at spaces where LaTeX reads each side on its own, and pylatexenc
# walks only the pieces with LaTeX: the result must be the whole text's decoding (a
# text in braces is one piece).
FRAGMENTS = [
    "word",
    "Über",
    '\\"u',
    '{\\"u}',
    "\\'e",
    "{\\L}",
    "\\c c",
    "\\ldots",
    "\\LaTeX",
    "\\LaTeX\\ ",
    "\\&",
    "\\%",
    "50%",
    "&",
    "\\{",
    "\\$",
    "$x^2$",
    "$\\alpha + \\beta$",
    "--",
    "---",
    "``q''",
    "~",
    "\\\\ ",  # a line break (bibtexparser reads a brace after \\ as escaped)
    "{a b}",
    "\\emph{two words}",
    "\\textbf {spaced}",
    "\\frac{a}{b}",
    "\\url{https://x.org/a_b}",
    "\\href{https://x.org}{two words}",
    "a_b",
    "#1",
    "x^y",
]
LATEX_TEXT = st.lists(
    st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from(["", " ", "  ", "\n", "\n\n  "])),
    min_size=1,
    max_size=10,
).map(lambda parts: "".join(fragment + space for fragment, space in parts))


@settings(max_examples=120, deadline=None)
@given(LATEX_TEXT)
def test_a_long_text_decoded_in_pieces_is_decoded_as_a_whole(text):
    in_pieces = one(f"@misc{{k, title = {{T}}, abstract = {{{text}}}}}").abstract
    whole = one(f"@misc{{k, title = {{T}}, abstract = {{{{{text}}}}}}}").abstract
    assert in_pieces == whole


# --- Names --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("author", "names"),
    [
        ("Lovelace, Ada and Alan Turing", ("Ada Lovelace", "Alan Turing")),
        (
            "van der Berg, Anna and Ludwig van Beethoven",
            ("Anna van der Berg", "Ludwig van Beethoven"),
        ),
        ("Smith, Jr., John", ("John Smith Jr.",)),
        ("{Google DeepMind} and {Barnes and Noble}", ("Google DeepMind", "Barnes and Noble")),
        ("{Barnes \\& Noble} and {Marks & Spencer}", ("Barnes & Noble", "Marks & Spencer")),
        ('M{\\"u}ller, J{\\"o}rg and J.~Doe', ("Jörg Müller", "J. Doe")),
        ("", ()),
    ],
)
def test_names_are_written_first_name_first(author, names):
    assert one(f"@misc{{k, title = {{T}}, author = {{{author}}}}}").authors == names


def test_and_others_keeps_the_names_given_invents_none_and_warns():
    text = """\
        @misc{k,
          title = {T},
          author = {Lovelace, Ada and Turing, Alan and others},
        }
        """
    record = one(text)
    assert record.authors == ("Ada Lovelace", "Alan Turing")
    assert record.authors_incomplete
    assert record.author_count is None
    assert warnings(text) == [
        "refs.bib:3: author: the names end with 'and others': only the 2 names given are "
        "imported, and the entry does not say that more authors exist (add the missing "
        "names to the entry by hand when you know them)"
    ]


def test_the_exports_author_count_note_is_the_author_count():
    assert one("@misc{k, title = {T}, note = {12 authors}}").author_count == 12
    assert one("@misc{k, title = {T}, note = {1 author}}").author_count == 1
    named = one("@misc{k, title = {T}, author = {A B}, note = {12 authors}}")
    assert (named.authors, named.author_count, named.notes) == (("A B",), None, "")


def test_annote_and_other_notes_become_the_notes():
    record = one("@misc{k, title = {T}, annote = {Mine.}, note = {Oral at \\emph{ICLR}.}}")
    assert record.notes == "Mine.\n\nOral at ICLR."


# --- @string macros, months, dates -----------------------------------------------------


def test_string_macros_and_month_macros_are_expanded():
    record = one(
        """\
        @string{Title = "A {Title} From a Macro"}
        @misc{k, title = title, year = 2021, month = mar, day = 4}
        """
    )
    assert (record.title, record.published) == ("A Title From a Macro", date(2021, 3, 4))


@pytest.mark.parametrize(
    ("fields", "published", "without_day"),
    [
        ("date = {2024-02-29}", date(2024, 2, 29), False),
        ("year = 2024, month = feb, day = 29", date(2024, 2, 29), False),
        ("year = {2024}, month = {February}, day = {29}", date(2024, 2, 29), False),
        ("year = 2024, month = {2}, day = 29", date(2024, 2, 29), False),
        # The site's export writes year, month and date; date wins.
        ("year = 2023, month = 12, date = {2024-02-29}", date(2024, 2, 29), False),
        ("date = {2024-02-01/2024-03-01}", date(2024, 2, 1), False),
        # A year or month alone would have to invent a day: left empty, and said.
        ("year = 2024", None, True),
        ("year = 2024, month = may", None, True),
        ("date = {2024-05}", None, True),
        ("date = {2024}", None, True),
        ("month = may", None, False),  # no year at all
        ("", None, False),
    ],
)
def test_published_needs_a_day(fields, published, without_day):
    record = one(f"@misc{{k, title = {{T}}, {fields}}}")
    assert (record.published, record.date_without_day) == (published, without_day)


def test_a_crossref_volume_is_not_a_paper_and_lends_its_date():
    bib = read(
        """\
        @inproceedings{paper, title = {A Paper}, crossref = {proc}}
        @inproceedings{other, title = {Its Own Date}, crossref = {proc}, day = 3, month = 1}
        @proceedings{proc, title = {Proceedings of Things}, year = 2020, month = jul, day = 12}
        @misc{lonely, title = {Missing Parent}, crossref = {nowhere}}
        """
    )
    assert [(r.title, r.published) for r in bib.records] == [
        ("A Paper", date(2020, 7, 12)),
        ("Its Own Date", date(2020, 1, 3)),
        ("Missing Parent", None),
    ]
    assert bib.volumes == ("proc",)


# --- Links ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        "eprint = {2310.06770}, archivePrefix = {arXiv}",
        "eprint = {2310.06770}, eprinttype = {arxiv}",
        "eprint = {arXiv:2310.06770}",
        "arxiv = {2310.06770}",
        "url = {https://arxiv.org/abs/2310.06770}",
        "pdf = {https://arxiv.org/pdf/2310.06770}",
        "journal = {arXiv preprint arXiv:2310.06770}",
    ],
)
def test_the_arxiv_id_is_found_where_tools_write_it(fields):
    assert one(f"@misc{{k, title = {{T}}, {fields}}}").links == Links(arxiv="2310.06770")


def test_an_eprint_of_another_archive_is_no_arxiv_id():
    assert one("@misc{k, title = {T}, eprint = {12345}, eprinttype = {pubmed}}").links == Links()


@pytest.mark.parametrize(
    ("fields", "links"),
    [
        ("doi = {10.1145/3377811}", Links(doi="10.1145/3377811")),
        ("doi = {doi:10.1145/3377811}", Links(doi="10.1145/3377811")),
        ("doi = {https://doi.org/10.1145/3377811}", Links(doi="10.1145/3377811")),
        ("doi = {10.1000/a\\_b{\\textless}c}", Links(doi="10.1000/a_b<c")),  # LaTeX-escaped
        ("url = {https://doi.org/10.1145/3377811}", Links(doi="10.1145/3377811")),
        ("url = {https://example.org/paper}", Links(project="https://example.org/paper")),
        ("url = {https://example.org/paper.PDF}", Links(pdf="https://example.org/paper.PDF")),
        ("url = {https://openreview.net/pdf?id=x1}", Links(pdf="https://openreview.net/pdf?id=x1")),
        # URLs are verbatim: % is no comment, ~ no space; escapes and \url{} are undone.
        (
            "url = {https://example.org/~me/a%20b_c}",
            Links(project="https://example.org/~me/a%20b_c"),
        ),
        (
            "url = {\\url{https://example.org/a\\_b\\%20c}}",
            Links(project="https://example.org/a_b%20c"),
        ),
        ("code = {https://github.com/example/x}", Links(code="https://github.com/example/x")),
    ],
)
def test_links(fields, links):
    assert one(f"@misc{{k, title = {{T}}, {fields}}}").links == links


def test_a_link_that_is_not_http_is_left_out_with_a_warning():
    text = """\
        @misc{k,
          title = {T},
          url = {javascript:alert(document.cookie)},
          pdf = {assets/pdf/paper.pdf},
          doi = {not a doi},
          arxiv = {soon},
        }
        """
    assert one(text).links == Links()
    assert warnings(text) == [
        "refs.bib:3: url: 'javascript:alert(document.cookie)' is not an http(s) link; left "
        "out (use a full URL starting with https://)",
        "refs.bib:4: pdf: 'assets/pdf/paper.pdf' is not an http(s) link; left out (use a "
        "full URL starting with https://)",
        "refs.bib:5: doi: 'not a doi' is not a DOI; left out (write the bare DOI, e.g. "
        "10.1145/3377811)",
        "refs.bib:6: arxiv: 'soon' is not an arXiv id; left out (write the bare id, e.g. "
        "2310.06770)",
    ]


# --- Problems: every one, located, with a fix -------------------------------------------


def test_every_problem_is_reported_at_once_with_its_line_field_and_fix():
    bib = read(
        """\
        @misc{ok, title = {Fine}}
        @misc{ok, title = {Same key}}
        @misc{notitle, year = 2021}
        @misc{empty, title = {  {} }}
        @misc{twice, Title = {One}, title = {Two}}
        @misc{twice2, title = {One}, title = {Two}}
        @misc{commas, title = {T}, author = {Smith, John, Jr, Extra}}
        @misc{macro, title = undefinedmacro}
        @misc{concat, title = "A " # venue}
        @misc{baddate, title = {T}, date = {2024-02-30}}
        @misc{badday, title = {T}, year = 2023, month = feb, day = 29}
        @misc{broken, title = {Never closed
        @misc{after, title = {After the broken entry}}
        """
    )
    assert [str(p) for p in bib.problems] == [
        "refs.bib:2: key: key 'ok' is already used by the entry on line 1 (give each entry "
        "its own key, or delete the repeated one)",
        "refs.bib:3: title: @misc{notitle} has no title (add `title = {...}` to the entry, "
        "or delete the entry)",
        "refs.bib:4: title: is empty (write the title between the braces)",
        "refs.bib:5: title: is given twice in this entry (keep one)",
        "refs.bib:6: title: is given twice in this entry (keep one)",
        "refs.bib:7: author: cannot read the name 'Smith, John, Jr, Extra': Too many commas "
        "(write names as `First Last` or `Last, First`, separated by `and`; put a name with "
        "a comma or an `and` in it in braces)",
        "refs.bib:8: title: 'undefinedmacro' is an undefined @string macro or a `#` "
        "concatenation, which the importer does not expand (write the value itself in "
        "braces: title = {...})",
        "refs.bib:9: title: '\"A \" # venue' is an undefined @string macro or a `#` "
        "concatenation, which the importer does not expand (write the value itself in "
        "braces: title = {...})",
        "refs.bib:10: date: '2024-02-30' is not a date (write it as biblatex does, "
        "YYYY-MM-DD: date = {2024-02-29})",
        "refs.bib:11: year: year 2023, month 2, day 29 is not a date (write a real date, "
        "e.g. year = 2024, month = feb, day = 29)",
        "refs.bib:12: entry: not valid BibTeX: Unexpected block start: `@misc`. Was still "
        "looking for field-value closing `}` (check this entry's braces and quotes, and "
        "the commas between its fields)",
    ]
    assert [r.key for r in bib.records] == ["ok", "after"]


def test_a_string_macro_defined_twice_is_a_problem():
    assert problems(
        """\
        @string{venue = {One}}
        @string{venue = {Two}}
        @misc{k, title = venue}
        """
    ) == [
        "refs.bib:2: key: key 'venue' is already used by the @string on line 1 (give each "
        "@string its own key, or delete the repeated one)"
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "Evil\u202egpj.exe", "contains a bidirectional control (U+202E"),
        ("title", "Bell\x07here", "contains a control character (U+0007"),
        ("title", "Zero\u200bwidth", "contains an invisible format character (U+200B"),
        ("title", "x" * 301, "is 301 characters long; at most 300 are allowed"),
        ("author", "Ann " + "y" * 200, "is 204 characters long; at most 200 are allowed"),
        ("abstract", "z" * 10_001, "is 10,001 characters long; at most 10,000 are allowed"),
    ],
)
def test_values_the_entry_rules_refuse_are_problems(field, value, message):
    text = f"@misc{{k, title = {{T}}, {field} = {{{value}}}}}".replace(
        "title = {T}, title", "title"
    )
    [problem] = problems(text)
    assert problem.startswith(f"refs.bib:1: {field}: {message}")


# --- Tags from keywords -------------------------------------------------------------------

VOCABULARY = Vocabulary(
    tags={
        "reasoning": Tag("reasoning", "Reasoning", "", keywords=("chain-of-thought",)),
        "reinforcement-learning": Tag("reinforcement-learning", "RL", "", aliases=("rl",)),
        "agents": Tag("agents", "Agents", "", keywords=("agent", "agents")),
        "uncategorized": Tag("uncategorized", "Uncategorized", ""),
    },
    aliases={"rl": "reinforcement-learning"},
)
RULES = compile_rules(VOCABULARY.tags.values())


def test_keywords_are_tags_when_the_vocabulary_knows_them():
    keywords = ("Reasoning", "RL", "Reinforcement Learning", "chain of thought", "knitting")
    assert keyword_tags(keywords, VOCABULARY, RULES) == (
        ("reasoning", "reinforcement-learning"),
        ("knitting",),
    )


def test_a_paper_without_known_keywords_is_tagged_by_the_keyword_rules():
    record = one("@misc{k, title = {An Agent That Plans}, keywords = {knitting}}")
    assert tags_for(record, VOCABULARY, RULES) == ("agents",)
    chosen = one("@misc{k, title = {An Agent That Plans}, keywords = {rl}}")
    assert tags_for(chosen, VOCABULARY, RULES) == ("reinforcement-learning",)
    nothing = one("@misc{k, title = {Knitting}}")
    assert tags_for(nothing, VOCABULARY, RULES) == ()

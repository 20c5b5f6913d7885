"""Read a BibTeX file into located records of entry fields, for ``papershelf import bibtex``.

No I/O: :func:`read_bibtex` takes the text of a ``.bib`` and returns a :class:`BibFile`
of :class:`BibRecord` (one per entry, checked with the text rules of
``papershelf.entries``) and every problem found, each as ``FILE:LINE: FIELD: message
(fix)``. bibtexparser reads the BibTeX (``@string`` macros, comments, name lists,
months), never a hand-made parser; its ``LatexDecodingMiddleware`` (pylatexenc) turns
the LaTeX of text fields into Unicode. Links, arXiv ids and dates are read verbatim:
decoding would turn the ``%`` of a URL into a comment and its ``~`` into a space.

Problems stop the import (nothing is written); warnings name what was left out of an
entry (a ``javascript:`` link, a relative PDF path) while the rest is imported. Merging
with the list is :mod:`papershelf.importers.bibtex_merging`. Details:
docs/architecture.md, "Reading BibTeX".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import bibtexparser
from bibtexparser.library import Library
from bibtexparser.middlewares import (
    LatexDecodingMiddleware,
    MonthIntMiddleware,
    NormalizeFieldKeys,
    SeparateCoAuthors,
    SplitNameParts,
)
from bibtexparser.middlewares.names import InvalidNameError, NameParts
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    Field,
    MiddlewareErrorBlock,
    ParsingFailedBlock,
    String,
)

from papershelf.entries.model import Links, Problem
from papershelf.entries.schema import bare_arxiv_id, bare_doi, normalise_text, url_problem
from papershelf.entries.slugs import slugify
from papershelf.entries.text_rules import (
    ABSTRACT_MAX,
    NAME_MAX,
    NOTES_MAX,
    TITLE_MAX,
    character_problem,
    length_problem,
)
from papershelf.entries.vocabulary import Vocabulary
from papershelf.importers.tagging import Rules, assign_tags

# Fields whose LaTeX is decoded to Unicode; the other fields used are read verbatim.
DECODED_FIELDS = (
    "title",
    "author",
    "abstract",
    "keywords",
    "note",
    "annote",
    "organization",
    "doi",
)
DATE_FIELDS = ("date", "year", "month", "day")
OTHERS = "others"  # BibTeX's "and others": the list of names is incomplete
# What the site's BibTeX export writes when only the number of authors is known.
_AUTHOR_COUNT_NOTE = re.compile(r"(\d+) authors?", re.IGNORECASE)
# Google Scholar's way of citing a preprint: journal = {arXiv preprint arXiv:2310.06770}.
_ARXIV_JOURNAL = re.compile(r"\barXiv:\s*(\S+)", re.IGNORECASE)
_BIBLATEX_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_KEYWORD_SEPARATORS = re.compile(r"[,;]")
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
# Escapes people write in URLs for old BibTeX styles; a URL itself has no backslash.
_URL_ESCAPE = re.compile(r"\\([%_&#~$])")
_URL_MACRO = re.compile(r"\\url\{(.*)\}")
# Text without any of these is its own LaTeX decoding (the tests check it): most
# abstracts, each of which pylatexenc takes milliseconds to walk.
_LATEX_SPECIAL = re.compile(r"[\\{}$~%&#^_]|--|``|''|!`|\?`")
# In a .bib, a bare % or & means the character: LaTeX would read the rest of the line
# as a comment, or fail.
_BARE_LITERAL = re.compile(r"(?<!\\)((?:\\\\)*)([%&])")
# Where a text may be cut into pieces that decode apart as they decode together.
_STRUCTURE = re.compile(r"\\.|[{}$]|\s+", re.DOTALL)
# pylatexenc reads a macro name as any letters, not only ASCII ones (\ldotsÜber).
_ENDS_WITH_MACRO = re.compile(r"\\(?:[^\W\d_]+|.)$", re.DOTALL)
_UNCUTTABLE = re.compile(r"\\(?:begin|\(|\[)|\$\$")
# LaTeX text macros pylatexenc 2.11 turns into nothing.
_TEXT_MACROS = {
    "textless": "<",
    "textgreater": ">",
    "textbar": "|",
    "textunderscore": "_",
    "textquotedbl": '"',
    "textbraceleft": "{",
    "textbraceright": "}",
}
_NAMES_FIX = (
    "write names as `First Last` or `Last, First`, separated by `and`; "
    "put a name with a comma or an `and` in it in braces"
)


@dataclass(frozen=True, slots=True)
class BibRecord:
    """One BibTeX entry as entry fields; ``source`` is FILE:LINE of its ``@type{key,``."""

    key: str
    source: str
    title: str
    authors: tuple[str, ...] = ()
    authors_incomplete: bool = False  # the names ended with "and others"
    author_count: int | None = None  # only when no names are given
    organization: str | None = None
    published: date | None = None
    date_without_day: bool = False  # a year or month was given, but no day
    abstract: str = ""
    links: Links = field(default_factory=Links)
    keywords: tuple[str, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class BibFile:
    """A read ``.bib``: its records, the problems that stop the import, and warnings."""

    path: str
    records: tuple[BibRecord, ...]
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    volumes: tuple[str, ...] = ()  # keys of entries that others `crossref`: skipped


class _Findings:
    """Problems and warnings of one file, located as FILE:LINE: FIELD."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def error(self, line: int, field_name: str, message: str, fix: str) -> None:
        self.problems.append(Problem(self.path, line, field_name, message, fix))

    def warn(self, line: int, field_name: str, message: str, fix: str) -> None:
        self.warnings.append(Problem(self.path, line, field_name, message, fix))


def read_bibtex(text: str, path: str) -> BibFile:
    """Every entry of a ``.bib`` text as a record, or the problems that keep it out.

    An entry that another one names in ``crossref`` is the volume the other appeared
    in (proceedings, a book), not a paper: it is skipped, and lends its date fields."""
    findings = _Findings(path)
    library = _parse(text.removeprefix("\ufeff"), findings)
    by_key = {entry.key.lower(): entry for entry in library.entries}
    volumes = {
        target
        for entry in library.entries
        if (target := _crossref(entry)) in by_key and target != entry.key.lower()
    }
    records = []
    for entry in library.entries:
        if entry.key.lower() in volumes:
            continue
        record = _record(entry, by_key.get(_crossref(entry)), findings)
        if record is not None:
            records.append(record)
    return BibFile(
        path,
        tuple(records),
        tuple(sorted(findings.problems)),
        tuple(sorted(findings.warnings)),
        tuple(sorted(by_key[key].key for key in volumes)),
    )


def _parse(text: str, findings: _Findings) -> Library:
    """bibtexparser's library of ``text``; blocks it could not read become problems."""
    library = bibtexparser.parse_string(text)  # @string macros resolved, braces removed
    library.remove([entry for entry in library.entries if _repeats_a_field(entry, findings)])
    for middleware in (
        NormalizeFieldKeys(),  # Title -> title
        SeparateCoAuthors(),  # "A and B" -> ["A", "B"]
        SplitNameParts(),  # "van der Berg, Anna" -> first, von, last, jr
        MonthIntMiddleware(),  # jan, {March}, 3 -> 3
    ):
        library = middleware.transform(library)
    for block in library.failed_blocks:
        _failed_block(block, findings)
    return library


def _repeats_a_field(entry: Entry, findings: _Findings) -> bool:
    """``Title`` and ``title`` in one entry: bibtexparser reports only the same
    spelling twice, and NormalizeFieldKeys would keep the last silently."""
    seen: set[str] = set()
    repeated = False
    for item in entry.fields:
        key = item.key.lower()
        if key in seen:
            findings.error(_line(item, entry), key, "is given twice in this entry", "keep one")
            repeated = True
        seen.add(key)
    return repeated


def _failed_block(block: ParsingFailedBlock, findings: _Findings) -> None:
    line = _line(block)
    if isinstance(block, DuplicateBlockKeyBlock):
        what = "@string" if isinstance(block.previous_block, String) else "entry"
        findings.error(
            line,
            "key",
            f"key '{block.key}' is already used by the {what} on line "
            f"{_line(block.previous_block)}",
            f"give each {what} its own key, or delete the repeated one",
        )
    elif isinstance(block, DuplicateFieldKeyBlock):
        entry = block.ignore_error_block
        for key in sorted(block.duplicate_keys):
            lines = [_line(item, entry) for item in _fields(entry) if item.key == key]
            findings.error(lines[-1], key, "is given twice in this entry", "keep one")
    elif isinstance(block, MiddlewareErrorBlock) and isinstance(block.error, InvalidNameError):
        names = [item for item in _fields(block.ignore_error_block) if item.key == "author"]
        findings.error(
            _line(names[0], block) if names else line,
            "author",
            f"cannot read the name '{block.error.name}': {block.error.reason}",
            _NAMES_FIX,
        )
    else:
        reason = getattr(block.error, "abort_reason", "") or str(block.error)
        findings.error(
            line,
            "entry",
            f"not valid BibTeX: {reason.strip()}",
            "check this entry's braces and quotes, and the commas between its fields",
        )


def _fields(block: Any) -> list[Field]:
    return list(block.fields) if isinstance(block, Entry) else []


def _crossref(entry: Entry) -> str:
    target = entry.fields_dict.get("crossref")
    return str(target.value).strip().lower() if target is not None else ""


def _record(entry: Entry, parent: Entry | None, findings: _Findings) -> BibRecord | None:
    """The record of one entry; None (with problems) when it cannot become an entry."""
    before = len(findings.problems)
    text = _decoded(entry, findings)
    title = _title(entry, text, findings)
    authors, incomplete = _authors(entry, text, findings)
    published, without_day = _published(entry, parent, findings)
    note, count = _author_count_note(text.get("note", ""))
    record = BibRecord(
        key=entry.key,
        source=f"{findings.path}:{_line(entry)}",
        title=title or "",
        authors=authors,
        authors_incomplete=incomplete,
        author_count=None if authors else count,
        organization=_one_line(entry, "organization", text, findings),
        published=published,
        date_without_day=without_day,
        abstract=_long_text(entry, ("abstract",), [text.get("abstract", "")], findings),
        links=_links(entry, text, findings),
        keywords=_keywords(text.get("keywords", "")),
        notes=_long_text(entry, ("annote", "note"), [text.get("annote", ""), note], findings),
    )
    if len(findings.problems) > before or title is None:
        return None
    return record


def _decoded(entry: Entry, findings: _Findings) -> dict[str, Any]:
    """The entry's text fields with LaTeX turned into Unicode, one field at a time so
    that a field pylatexenc cannot read is named."""
    decoded: dict[str, Any] = {}
    for key in DECODED_FIELDS:
        original = entry.fields_dict.get(key)
        if original is None or _unexpanded(entry, original, findings):
            continue
        value = original.value
        # Names are lists of NameParts (SplitNameParts), other fields text.
        result = _decode_names(value) if isinstance(value, list) else _decode_text(str(value))
        if result is None:
            findings.error(
                _line(original, entry),
                key,
                "has LaTeX the importer cannot read",
                'simplify it to text, accents such as {\\"u} and math such as $\\alpha$',
            )
        else:
            decoded[key] = result
    return decoded


def _decode_text(text: str) -> str | None:
    """A text field decoded; only its pieces with LaTeX go through pylatexenc."""
    if not _LATEX_SPECIAL.search(text):
        return text
    pieces = _pieces(text)
    for i, piece in enumerate(pieces):
        if _LATEX_SPECIAL.search(piece):
            decoded = _decode_piece(piece)
            if decoded is None:
                return None
            pieces[i] = decoded
    return "".join(pieces)


def _decode_names(people: list[NameParts]) -> list[NameParts] | None:
    """Each part of each name decoded (most have no LaTeX)."""
    names = []
    for person in people:
        parts = [_decode_parts(part) for part in (person.first, person.von, person.last, person.jr)]
        if any(part is None for part in parts):
            return None
        first, von, last, jr = (part or [] for part in parts)
        names.append(NameParts(first, von, last, jr))
    return names


def _decode_parts(parts: list[str]) -> list[str] | None:
    decoded = []
    for part in parts:
        text = _decode_piece(part) if _LATEX_SPECIAL.search(part) else part
        if text is None:
            return None
        decoded.append(text)
    return decoded


@functools.lru_cache(maxsize=1 << 14)
def _decode_piece(latex: str) -> str | None:
    """``latex`` decoded by bibtexparser's middleware, or None when pylatexenc fails on
    it. Remembered: the same names and phrases come back all through a .bib."""
    view = Entry("misc", "view", [Field("text", _BARE_LITERAL.sub(r"\1\\\2", latex))])
    result = _decoder().transform_block(view, Library())
    return result.fields_dict["text"].value if isinstance(result, Entry) else None


def _pieces(text: str) -> list[str]:
    """``text`` cut at spaces where LaTeX reads each side on its own (outside braces and
    math, not after a macro, which takes the space or an argument after it), with the
    spaces as pieces between. Decoded apart, the pieces give what the text gives decoded
    whole (a property test checks it), and pylatexenc walks only those with LaTeX."""
    if _UNCUTTABLE.search(text):
        return [text]
    pieces: list[str] = []
    start, word, depth, math = 0, 0, 0, False
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(depth - 1, 0)
        elif token == "$":
            math = not math
        elif token[0] != "\\":  # a space, after the word from `word`
            if not (depth or math) and _cuttable(text, word, match.start(), match.end()):
                pieces += [text[start : match.start()], token]
                start = match.end()
            word = match.end()
    return [*pieces, text[start:]]


def _cuttable(text: str, word: int, space: int, after: int) -> bool:
    """Whether the space from ``space`` to ``after`` ends the word before it."""
    return not _ENDS_WITH_MACRO.search(text, word, space) and text[after : after + 1] not in "{["


def _unexpanded(entry: Entry, item: Field, findings: _Findings) -> bool:
    """A value bibtexparser left as written: an undefined @string macro or a ``#``
    concatenation. Numbers and month macros (MonthIntMiddleware) are fine."""
    value = item.value
    if item.enclosing != "no-enclosing" or not isinstance(value, str) or value.isdigit():
        return False
    findings.error(
        _line(item, entry),
        item.key,
        f"'{value}' is an undefined @string macro or a `#` concatenation, which the "
        "importer does not expand",
        f"write the value itself in braces: {item.key} = {{...}}",
    )
    return True


@functools.cache
def _decoder() -> LatexDecodingMiddleware:
    """bibtexparser's LaTeX decoder, with math as text (``$\\alpha$`` as the Greek
    letter, not its LaTeX), made once."""
    from pylatexenc import latexwalker
    from pylatexenc.latex2text import (
        LatexNodes2Text,
        MacroTextSpec,
        get_default_latex_context_db,
    )
    from pylatexenc.macrospec import MacroSpec

    text_context = get_default_latex_context_db()
    text_context.add_context_category(
        "papershelf",
        prepend=True,
        macros=[
            MacroTextSpec("url", simplify_repl="%s"),  # as bibtexparser's: no <...>
            MacroTextSpec("href", simplify_repl="%(2)s"),  # the text, not "text <url>"
            # pylatexenc's own give look-alikes (U+02C6, U+02D9)...
            MacroTextSpec("textasciicircum", simplify_repl="^"),
            MacroTextSpec("textperiodcentered", simplify_repl="\u00b7"),
            # ... or nothing at all for these, which Zotero's exports write.
            *(MacroTextSpec(name, simplify_repl=text) for name, text in _TEXT_MACROS.items()),
        ],
    )
    # pylatexenc 2.11 has text for \href{url}{text} but parses \href without
    # arguments, and then fails: its parser is told how many \href takes.
    parse_context = latexwalker.get_default_latex_context_db()
    parse_context.add_context_category("papershelf", prepend=True, macros=[MacroSpec("href", "{{")])

    class Decoder(LatexNodes2Text):
        def latex_to_text(self, latex: str, **parse_flags: Any) -> str:
            parse_flags.setdefault("latex_context", parse_context)
            return super().latex_to_text(latex, **parse_flags)

    return LatexDecodingMiddleware(decoder=Decoder(latex_context=text_context, math_mode="text"))


def _title(entry: Entry, text: dict[str, Any], findings: _Findings) -> str | None:
    if "title" not in entry.fields_dict:
        findings.error(
            _line(entry),
            "title",
            f"@{entry.entry_type}{{{entry.key}}} has no title",
            "add `title = {...}` to the entry, or delete the entry",
        )
        return None
    return _one_line(entry, "title", text, findings, limit=TITLE_MAX, required=True)


def _one_line(
    entry: Entry,
    key: str,
    text: dict[str, Any],
    findings: _Findings,
    *,
    limit: int = NAME_MAX,
    required: bool = False,
) -> str | None:
    """A one-line text field as the entry rules read it: NFC, single spaces."""
    if key not in text:
        return None  # absent, or its value was reported
    value = " ".join(normalise_text(str(text[key])).split())
    line = _line(entry.fields_dict[key], entry)
    if not value:
        if required:
            findings.error(line, key, "is empty", f"write the {key} between the braces")
        return None
    problem = character_problem(value, one_line=True) or length_problem(value, limit)
    if problem:
        findings.error(line, key, *problem)
        return None
    return value


def _long_text(entry: Entry, keys: tuple[str, ...], texts: list[str], findings: _Findings) -> str:
    """An abstract, or notes from ``annote`` and ``note``: paragraphs kept, spaces
    inside a paragraph single (as LaTeX reads them)."""
    value = _paragraphs(texts)
    limit = ABSTRACT_MAX if keys == ("abstract",) else NOTES_MAX
    problem = character_problem(value, one_line=False) or length_problem(value, limit)
    if problem:
        key = next(key for key in keys if key in entry.fields_dict)
        findings.error(_line(entry.fields_dict[key], entry), key, *problem)
        return ""
    return value


def _paragraphs(texts: Iterable[str]) -> str:
    found = []
    for text in texts:
        for paragraph in _PARAGRAPH_BREAK.split(normalise_text(text)):
            words = " ".join(paragraph.split())
            if words:
                found.append(words)
    return "\n\n".join(found)


def _authors(
    entry: Entry, text: dict[str, Any], findings: _Findings
) -> tuple[tuple[str, ...], bool]:
    """The names, first name first ("Müller, Jörg" -> "Jörg Müller"), and whether the
    list ended with "and others" (the names given are kept; none is made up)."""
    parts = text.get("author")
    if not isinstance(parts, list):
        return (), False
    line = _line(entry.fields_dict["author"], entry)
    names: list[str] = []
    incomplete = False
    for person in parts:
        name = " ".join(normalise_text(person.merge_first_name_first).split())
        if name.casefold() == OTHERS:
            incomplete = True
            continue
        problem = character_problem(name, one_line=True) or length_problem(name, NAME_MAX)
        if problem:
            findings.error(line, "author", *problem)
        elif name:
            names.append(name)
    if incomplete:
        given = {0: "no name is", 1: "only the 1 name given is"}.get(
            len(names), f"only the {len(names)} names given are"
        )
        findings.warn(
            line,
            "author",
            f"the names end with 'and others': {given} imported, and the entry does "
            "not say that more authors exist",
            "add the missing names to the entry by hand when you know them",
        )
    return tuple(names), incomplete


def _author_count_note(note: str) -> tuple[str, int | None]:
    """(the note, None), or ("", N) for the export's ``note = {N authors}``."""
    found = _AUTHOR_COUNT_NOTE.fullmatch(" ".join(note.split()))
    if found and int(found.group(1)) > 0:
        return "", int(found.group(1))
    return note, None


def _published(entry: Entry, parent: Entry | None, findings: _Findings) -> tuple[date | None, bool]:
    """(the day it was published, whether only a year or month was given).

    biblatex's ``date`` wins over ``year``/``month``/``day``; a field the entry lacks
    comes from its ``crossref`` parent, as in BibTeX. It takes a day: a year or month
    alone would have to invent one, so it leaves ``published`` empty instead."""
    fields = {
        key: item
        for source in (parent, entry)
        if source is not None
        for key, item in source.fields_dict.items()
        if key in DATE_FIELDS
    }
    unexpanded = [key for key, item in fields.items() if _unexpanded(entry, item, findings)]
    if unexpanded:  # each one reported
        return None, False
    if "date" in fields:
        return _biblatex_date(entry, fields["date"], findings)
    year, month, day = (fields.get(key) for key in ("year", "month", "day"))
    if year is None:
        return None, False
    if month is None or day is None:
        return None, True
    try:
        return date(int(str(year.value)), int(str(month.value)), int(str(day.value))), False
    except ValueError:
        findings.error(
            _line(year, entry),
            "year",
            f"year {year.value}, month {month.value}, day {day.value} is not a date",
            "write a real date, e.g. year = 2024, month = feb, day = 29",
        )
        return None, False


def _biblatex_date(entry: Entry, item: Field, findings: _Findings) -> tuple[date | None, bool]:
    """``2024-02-29``, ``2024-02`` or ``2024``; of a range (``2024-02-01/2024-03-01``)
    its start."""
    text = str(item.value).strip()
    found = _BIBLATEX_DATE.fullmatch(text.split("/", 1)[0].strip())
    try:
        if found is None:
            raise ValueError(text)
        year, month, day = found.groups()
        if day is None:
            date(int(year), int(month or 1), 1)  # still a real month
            return None, True
        return date(int(year), int(month), int(day)), False
    except ValueError:
        findings.error(
            _line(item, entry),
            "date",
            f"'{text}' is not a date",
            "write it as biblatex does, YYYY-MM-DD: date = {2024-02-29}",
        )
        return None, False


def _links(entry: Entry, text: dict[str, Any], findings: _Findings) -> Links:
    """arXiv id, DOI and http(s) links; any other value is left out with a warning."""
    found: dict[str, str] = {}
    arxiv = _arxiv_id(entry, findings)
    if arxiv:
        found["arxiv"] = arxiv
    doi = _doi(entry, text, findings)
    if doi:
        found["doi"] = doi
    for key in ("pdf", "url", "code"):
        url = _url(entry, key, findings)
        if url is None:
            continue
        # The paper's arXiv or DOI page gives its id, not one more link.
        if arxiv := bare_arxiv_id(url):
            found.setdefault("arxiv", arxiv)
        elif doi := bare_doi(url):
            found.setdefault("doi", doi)
        elif key == "url":
            found.setdefault("pdf" if _is_pdf(url) else "project", url)
        else:
            found.setdefault(key, url)
    return Links(**found)


def _arxiv_id(entry: Entry, findings: _Findings) -> str | None:
    """From ``eprint`` (with ``archivePrefix``/``eprinttype`` arXiv, or arXiv-shaped),
    al-folio's ``arxiv``, or Google Scholar's ``journal = {arXiv preprint arXiv:ID}``."""
    fields = entry.fields_dict
    archive = fields.get("archiveprefix") or fields.get("eprinttype")
    candidates = []
    eprint = fields.get("eprint")
    if eprint is not None and (archive is None or _verbatim(archive).lower() == "arxiv"):
        candidates.append(eprint)
    if "arxiv" in fields:
        candidates.append(fields["arxiv"])
    for item in candidates:
        bare = bare_arxiv_id(_verbatim(item))
        if bare:
            return bare
        if archive is not None or item.key == "arxiv":  # else: another archive's eprint
            findings.warn(
                _line(item, entry),
                item.key,
                f"'{_verbatim(item)}' is not an arXiv id; left out",
                "write the bare id, e.g. 2310.06770",
            )
    journal = fields.get("journal")
    in_journal = _ARXIV_JOURNAL.search(_verbatim(journal)) if journal is not None else None
    return bare_arxiv_id(in_journal.group(1)) if in_journal else None


def _doi(entry: Entry, text: dict[str, Any], findings: _Findings) -> str | None:
    """The bare DOI; LaTeX-decoded, since exports escape it (``10.1000/a{\\_}b``)."""
    if "doi" not in text:
        return None
    value = " ".join(str(text["doi"]).split())
    bare = bare_doi(value)
    if bare is None and value:
        findings.warn(
            _line(entry.fields_dict["doi"], entry),
            "doi",
            f"'{value}' is not a DOI; left out",
            "write the bare DOI, e.g. 10.1145/3377811",
        )
    return bare


def _url(entry: Entry, key: str, findings: _Findings) -> str | None:
    """An http(s) link from a URL field: verbatim, with ``\\url{}`` and ``\\%`` undone."""
    item = entry.fields_dict.get(key)
    if item is None:
        return None
    value = _verbatim(item)
    wrapped = _URL_MACRO.fullmatch(value)
    value = _URL_ESCAPE.sub(r"\1", wrapped.group(1) if wrapped else value).strip()
    if not value:
        return None
    problem = url_problem(value)
    if problem:
        message, fix = problem
        findings.warn(_line(item, entry), key, f"{message}; left out", fix)
        return None
    return value


def _is_pdf(url: str) -> bool:
    """A ``url`` that is the paper's PDF (``.pdf``, or OpenReview's ``/pdf?id=``)."""
    path = urlsplit(url).path.lower()
    return path.endswith(".pdf") or path.rsplit("/", 1)[-1] == "pdf"


def _verbatim(item: Field) -> str:
    return str(item.value).strip()


def _keywords(text: str) -> tuple[str, ...]:
    words = (" ".join(part.split()) for part in _KEYWORD_SEPARATORS.split(text))
    return tuple(dict.fromkeys(word for word in words if word))


def _line(block: Any, entry: Any = None) -> int:
    """1-based line of a block or field (bibtexparser counts from 0)."""
    start = getattr(block, "start_line", None)
    if start is None and entry is not None:
        start = entry.start_line
    return (start or 0) + 1


def keyword_tags(
    keywords: Iterable[str], vocabulary: Vocabulary, rules: Rules
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(tags, keywords that match no tag): a keyword is a tag when it is a tag's id or
    alias (any case, spaces as hyphens) or one of a tag's import ``keywords``."""
    tags: list[str] = []
    unmatched: list[str] = []
    for keyword in keywords:
        found = _tags_of_keyword(keyword, vocabulary, rules)
        if not found:
            unmatched.append(keyword)
        tags.extend(tag for tag in found if tag not in tags)
    return tuple(tags), tuple(unmatched)


def _tags_of_keyword(keyword: str, vocabulary: Vocabulary, rules: Rules) -> tuple[str, ...]:
    for name in (keyword, keyword.lower(), slugify(keyword)):
        tag = vocabulary.resolve(name)
        if tag is not None:
            return (tag,)
    matched = rules.pattern.fullmatch(keyword) if rules.pattern is not None else None
    return rules.tags_of(matched.group()) if matched else ()


def tags_for(record: BibRecord, vocabulary: Vocabulary, rules: Rules) -> tuple[str, ...]:
    """A new paper's tags: its BibTeX keywords that are tags (the curator chose them),
    else the keyword rules of ``tags.yml`` on title and abstract, as ``import
    daily-papers`` does; may be empty."""
    tags, _ = keyword_tags(record.keywords, vocabulary, rules)
    return tags or assign_tags(record.title, record.abstract, rules)

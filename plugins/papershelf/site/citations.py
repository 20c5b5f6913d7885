"""How a paper is cited: citation keys, BibTeX and CSL-JSON.

Pure: papers in, text and JSON-ready values out. BibTeX is written by bibtexparser and
LaTeX special characters are escaped by pylatexenc, not by hand: a title with ``&``,
``%``, ``_`` or ``ü`` must compile. Authors are never made up: when an entry knows only
how many authors a paper has, the BibTeX has no ``author`` field and says so in
``note`` ("12 authors"), and the CSL-JSON item has no ``author`` either.
"""

from __future__ import annotations

import functools
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import bibtexparser
from bibtexparser.middlewares import AddEnclosingMiddleware
from bibtexparser.middlewares.names import parse_single_name_into_parts
from bibtexparser.model import Entry, Field
from unidecode import unidecode

from papershelf.entries.model import ARXIV_ABS, DOI_RESOLVER, Paper

# Words a citation key skips to reach the first word that says something.
_SKIPPED_WORDS = frozenset((
    "", "a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "from", "towards",
    "toward", "via", "is", "are", "do", "does", "can",
))  # fmt: skip
_KEY_CHARACTERS = re.compile(r"[^a-z0-9]+")
# Characters BibTeX reads as they are: anything else goes through pylatexenc.
_PLAIN = re.compile(r"[A-Za-z0-9 ,.;:!?()\[\]'\"/@=+*|`-]+")
_SEPARATED_AND = re.compile(r"\band\b", re.IGNORECASE)
# Tabs are bibtexparser's default; two spaces read better in a page's Cite block.
_FORMAT = bibtexparser.BibtexFormat()
_FORMAT.indent = "  "
_FORMAT.block_separator = "\n"
# Values are escaped already; the writer only puts braces around them.
_WRITE_STACK = [
    AddEnclosingMiddleware(
        allow_inplace_modification=True,
        default_enclosing="{",
        reuse_previous_enclosing=False,
        enclose_integers=True,
    )
]


def citation_keys(papers: Iterable[Paper]) -> dict[str, str]:
    """A citation key for every paper (by slug), unique across the list: the first
    author's surname (else the organisation, else "anon"), the year and the first
    telling word of the title, ``vaswani2017attention`` (:func:`base_key`)."""
    return assign_keys((base_key(paper), paper.added, paper.slug) for paper in papers)


def assign_keys(papers: Iterable[tuple[str, date, str]]) -> dict[str, str]:
    """Keys from (base key, added date, slug) of every paper. When base keys clash the
    paper added first keeps the plain key and later ones get ``b``, ``c``...: a paper
    added later does not change the keys of papers already cited. A function of these
    three alone, so a quick rebuild can work the keys out from its snapshot."""
    by_base: defaultdict[str, list[tuple[date, str]]] = defaultdict(list)
    for base, added, slug in papers:
        by_base[base].append((added, slug))
    keys: dict[str, str] = {}
    taken = set(by_base)
    for base, clashing in by_base.items():
        clashing.sort()
        keys[clashing[0][1]] = base
        suffixes = _suffixes()
        for _, slug in clashing[1:]:
            key = base + next(suffixes)
            while key in taken:
                key = base + next(suffixes)
            taken.add(key)
            keys[slug] = key
    return keys


def _suffixes() -> Iterable[str]:
    """b, c, ..., z, ba, bb, ...: the letters after the first paper's plain key."""
    number = 1
    while True:
        letters, value = "", number
        while True:
            letters = "abcdefghijklmnopqrstuvwxyz"[value % 26] + letters
            value //= 26
            if not value:
                break
        yield letters
        number += 1


def base_key(paper: Paper) -> str:
    """The key before clashes are resolved (:func:`citation_keys`)."""
    who = surname(paper.authors[0]) if paper.authors else _key_text(paper.organization or "")
    year = (paper.published or paper.added).year
    telling = next(
        (word for word in map(_key_text, paper.title.split()) if word not in _SKIPPED_WORDS),
        "",
    )
    return f"{who or 'anon'}{year}{telling}"


def surname(name: str) -> str:
    """A name's family part as a key ("Laurens van der Maaten" -> "vandermaaten")."""
    return _key_text(" ".join(_name_parts(name)[1]) or name)


@functools.lru_cache(maxsize=65536)
def _name_parts(name: str) -> tuple[list[str], list[str], list[str]]:
    """(given, family, suffix) as BibTeX splits a name: "von" parts go with the family
    name. Most names ("Ada Lovelace") split at the last space; bibtexparser's rules
    (slower) decide the others: commas, lower-case particles, braces."""
    words = name.split()
    plain = "," not in name and "{" not in name
    if plain and all(word[:1].isupper() or not word[:1].isalpha() for word in words):
        return words[:-1], words[-1:], []
    parts = parse_single_name_into_parts(name, strict=False)
    return list(parts.first), [*parts.von, *parts.last], list(parts.jr)


def _key_text(text: str) -> str:
    """Letters and digits only, in ASCII ("Müller" -> "muller")."""
    return _KEY_CHARACTERS.sub("", (text if text.isascii() else unidecode(text)).lower())


def latex_text(text: str) -> str:
    """``text`` as BibTeX reads it: special characters and non-ASCII letters as LaTeX
    (``&`` -> ``{\\&}``, ``ü`` -> ``{\\"u}``); characters LaTeX has no name for (CJK)
    stay as they are (UTF-8, as biber reads them). Only the runs that need it go
    through pylatexenc: abstracts are long and mostly plain."""
    pieces = []
    at = 0
    for match in _PLAIN.finditer(text):
        if match.start() > at:
            pieces.append(_latex_run(text[at : match.start()]))
        pieces.append(match.group())
        at = match.end()
    if at < len(text):
        pieces.append(_latex_run(text[at:]))
    return "".join(pieces)


@functools.lru_cache(maxsize=8192)
def _latex_run(run: str) -> str:
    return _encoder().unicode_to_latex(run)


@functools.cache
def _encoder() -> Any:
    """pylatexenc's encoder, made once (it builds its tables)."""
    from pylatexenc.latexencode import UnicodeToLatexEncoder

    # It logs every character it has no LaTeX for; those are kept, on purpose.
    logging.getLogger("pylatexenc.latexencode").setLevel(logging.ERROR)
    return UnicodeToLatexEncoder(
        non_ascii_only=False,
        replacement_latex_protection="braces-all",
        unknown_char_policy="keep",
        unknown_char_warning=False,
    )


def author_field(authors: Sequence[str]) -> str:
    """BibTeX's ``author``: names joined by ``and``; a name that holds the word "and"
    is braced, so BibTeX reads it as one name ("Kim, J." is BibTeX's own
    "Last, First")."""
    names = []
    for name in authors:
        escaped = latex_text(name)
        if _SEPARATED_AND.search(name):
            escaped = "{" + escaped + "}"
        names.append(escaped)
    return " and ".join(names)


def count_note(paper: Paper) -> str | None:
    """What an entry with no names says instead of inventing them."""
    count = None if paper.authors else paper.author_count
    if count is None:
        return None
    return f"{count} author{'s' if count != 1 else ''}"


def bibtex_entry(paper: Paper, key: str) -> str:
    """One ``@misc`` entry (arXiv preprints: ``eprint`` and ``archiveprefix``; DOI
    papers: ``doi``), as bibtexparser writes it."""
    fields = [Field("title", "{" + latex_text(paper.title) + "}")]  # braced: keeps "GPT-4"
    if paper.authors:
        fields.append(Field("author", author_field(paper.authors)))
    when = paper.published
    fields.append(Field("year", str((when or paper.added).year)))
    if when is not None:
        fields.append(Field("month", str(when.month)))
        fields.append(Field("date", when.isoformat()))
    links = paper.links
    if links.arxiv:
        fields += [Field("eprint", links.arxiv), Field("archiveprefix", "arXiv")]
    if links.doi:
        fields.append(Field("doi", latex_text(links.doi)))
    url = primary_url(paper)
    if url:
        fields.append(Field("url", url))
    if paper.organization:
        fields.append(Field("organization", latex_text(paper.organization)))
    note = count_note(paper)
    if note:
        fields.append(Field("note", note))
    if paper.tags:
        fields.append(Field("keywords", ", ".join(paper.tags)))
    if paper.abstract:
        fields.append(Field("abstract", latex_text(paper.abstract)))
    library = bibtexparser.Library([Entry("misc", key, fields)])
    return bibtexparser.write_string(library, unparse_stack=_WRITE_STACK, bibtex_format=_FORMAT)


def citation_of(paper: Paper) -> Paper:
    """What a citation of the paper holds: all of it but the abstract, which is on
    the paper's page and in the list's ``entries.json``; in a citation it would be
    most of the bytes of every page's BibTeX and of every citation file."""
    return replace(paper, abstract="")


@functools.lru_cache(maxsize=1 << 16)
def bibtex_citation(paper: Paper, key: str) -> str:
    """The BibTeX a paper's page shows to copy, which is its ``cite.bib`` and its unit
    of the lists too (papershelf.site.exports): made once for all three in a process
    (writing BibTeX is most of the downloads' time)."""
    return bibtex_entry(citation_of(paper), key)


def primary_url(paper: Paper) -> str | None:
    """Where the paper itself is read: its arXiv page, its DOI, else its PDF or
    project page. URLs are validated http(s); BibTeX's ``url`` takes them verbatim
    (the url package), so a ``%`` in one is left alone."""
    links = paper.links
    if links.arxiv:
        return ARXIV_ABS + links.arxiv
    if links.doi:
        return DOI_RESOLVER + links.doi
    return links.pdf or links.project


def bibtex_file(papers: Sequence[Paper], keys: Mapping[str, str]) -> str:
    """A ``.bib`` of ``papers`` in their order."""
    return "\n".join(bibtex_entry(paper, keys[paper.slug]) for paper in papers)


def csl_item(paper: Paper, key: str, page_url: str | None = None) -> dict[str, Any]:
    """A CSL-JSON item (the CSL 1.0.2 data schema): what Zotero, pandoc and citeproc
    read. arXiv preprints are ``article`` published by arXiv, numbered ``arXiv:<id>``."""
    item: dict[str, Any] = {"id": key, "type": "article", "title": paper.title}
    if paper.authors:
        item["author"] = [csl_name(name) for name in paper.authors]
    when = paper.published
    if when is not None:
        item["issued"] = {"date-parts": [[when.year, when.month, when.day]]}
    links = paper.links
    if links.arxiv:
        item["publisher"] = "arXiv"
        item["number"] = f"arXiv:{links.arxiv}"
    if links.doi:
        item["DOI"] = links.doi
    url = primary_url(paper)
    if url:
        item["URL"] = url
    elif page_url:
        item["URL"] = page_url
    note = count_note(paper)
    if note:
        item["note"] = note
    if paper.tags:
        item["keyword"] = ", ".join(paper.tags)
    if paper.abstract:
        item["abstract"] = paper.abstract
    return item


def csl_name(name: str) -> dict[str, str]:
    """A name as CSL's family/given parts (BibTeX's rules split it, so "van der"
    stays with the family name); a one-word name is kept whole as ``literal``."""
    given_parts, family_parts, suffix = _name_parts(name)
    family, given = " ".join(family_parts), " ".join(given_parts)
    if not given or not family or _SEPARATED_AND.search(name):
        return {"literal": name}
    result = {"family": family, "given": given}
    if suffix:
        result["suffix"] = " ".join(suffix)
    return result

"""Plain, immutable records for papers and tags.

Everything else (loader, catalog, pages, feeds) passes these around; they hold
validated data only, so code downstream never re-checks a field.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import quote_plus

ARXIV_ABS = "https://arxiv.org/abs/"
ARXIV_PDF = "https://arxiv.org/pdf/"
DOI_RESOLVER = "https://doi.org/"
# Searches by exact title for a paper whose entry has no link: a reader still gets to
# the text in one click. arXiv covers most ML papers, Semantic Scholar and Google
# Scholar the rest (journals, conferences, other fields).
TITLE_SEARCHES = (
    ("Search arXiv", "https://arxiv.org/search/?searchtype=title&query={}"),
    ("Search Semantic Scholar", "https://www.semanticscholar.org/search?q={}"),
    ("Search Google Scholar", "https://scholar.google.com/scholar?q={}"),
)


@dataclass(frozen=True, slots=True)
class Links:
    """External links of a paper; URLs are validated http(s), ids are bare ids."""

    arxiv: str | None = None
    pdf: str | None = None
    code: str | None = None
    project: str | None = None
    doi: str | None = None

    def buttons(self) -> list[tuple[str, str]]:
        """(label, absolute URL) pairs in reading order, for pages and feeds."""
        result: list[tuple[str, str]] = []
        if self.arxiv:
            result.append(("arXiv", ARXIV_ABS + self.arxiv))
        if self.pdf:
            result.append(("PDF", self.pdf))
        elif self.arxiv:
            result.append(("PDF", ARXIV_PDF + self.arxiv))
        if self.code:
            result.append(("Code", self.code))
        if self.project:
            result.append(("Project page", self.project))
        if self.doi:
            result.append(("DOI", DOI_RESOLVER + self.doi))
        return result


@dataclass(frozen=True, slots=True)
class Paper:
    """One entry of the reading list, as validated from ``papers/<slug>.(yaml|md)``."""

    slug: str
    title: str
    added: date
    tags: tuple[str, ...]
    authors: tuple[str, ...] = ()
    author_count: int | None = None
    organization: str | None = None
    organization_id: str | None = None
    published: date | None = None
    abstract: str = ""
    links: Links = field(default_factory=Links)
    votes: int | None = None
    notes: str = ""
    source: Path | None = field(default=None, compare=False)

    @property
    def number_of_authors(self) -> int | None:
        """Known author total: the names listed, else the bare count, else unknown."""
        return len(self.authors) if self.authors else self.author_count

    def title_searches(self) -> list[tuple[str, str]]:
        """(label, URL) of searches for this title, for pages of papers without links.
        Google Scholar gets the title in quotes (its exact-phrase search)."""
        found = []
        for label, pattern in TITLE_SEARCHES:
            query = f'"{self.title}"' if "google" in pattern else self.title
            found.append((label, pattern.format(quote_plus(query))))
        return found

    @property
    def org_key(self) -> str | None:
        """Identifier of the organisation page (``orgs/<key>/``), if any."""
        if not self.organization:
            return None
        return _org_key(self.organization_id or self.organization)


@functools.lru_cache(maxsize=4096)
def _org_key(name: str) -> str | None:
    """Remembered: a list has few organisations, and every build asks for each
    paper's key more than once (the catalog, the snapshot)."""
    from papershelf.entries.slugs import slugify  # local: slugs imports nothing from here

    return slugify(name) or None


@dataclass(frozen=True, slots=True)
class Tag:
    """A tag of the controlled vocabulary in ``tags.yml``."""

    id: str
    title: str
    description: str
    aliases: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One thing wrong with an input file, phrased so a newcomer can fix it."""

    path: str
    line: int
    field: str
    message: str
    fix: str

    def __str__(self) -> str:
        """As printed to a terminal: entry text in a message is shown escaped."""
        from papershelf.entries.text_rules import printable  # local: model stays import-light

        text = f"{self.path}:{self.line}: {self.field}: {self.message} ({self.fix})"
        return printable(text)

"""Downloads of the list: BibTeX, CSL-JSON and open data, whole and per tag, and each
paper's own citation files.

Pure: papers in, files out. A list's file holds one unit per paper (a BibTeX entry, a
JSON line) in paper-number order (by slug, papershelf.site.search.numbered), so a
paper's unit is found by its place in the list and a quick rebuild replaces the units
of edited papers without making the others again (:func:`splice`).

What the files hold is bounded, since a paper is on the whole list and on the list
of each of its tags and the site must fit its host (GitHub Pages: 1 GB): BibTeX and
CSL-JSON files, the lists' and each paper's own ``cite.bib`` and ``cite.json``, are
citations, the BibTeX its page shows (no abstracts: a citation does not need one, and
they were half of these files, 3 kB a paper); the abstract is on the paper's page and
in the whole list's open data (``entries.json``, the shape of ``papershelf list
--json``); a tag's ``entries.json`` has the same records without it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any

from papershelf.entries.model import Paper
from papershelf.site.catalog import Catalog
from papershelf.site.citations import bibtex_citation, bibtex_entry, citation_of, csl_item
from papershelf.site.pages import paper_url, tag_url

BIBTEX = "papers.bib"
CSL_JSON = "papers.json"
OPEN_DATA = "entries.json"
SCHEMA = "entries.schema.json"  # at the site root only
PAPER_BIBTEX = "cite.bib"  # in each paper's folder
PAPER_CSL_JSON = "cite.json"
LIST_FILES = (BIBTEX, CSL_JSON, OPEN_DATA)
# The lists' downloads of the tags, as glob patterns from the site root: every full
# build writes them all (a tag that lost its last paper loses them).
TAG_LIST_FILES = tuple(f"tags/*/{name}" for name in LIST_FILES)


def paper_record(paper: Paper) -> dict[str, Any]:
    """The public JSON shape of a paper (``papershelf list --json`` and
    ``entries.json``); keys are a contract, keep them stable
    (assets/entries.schema.json describes them)."""
    return {
        "slug": paper.slug,
        "title": paper.title,
        "published": paper.published.isoformat() if paper.published else None,
        "added": paper.added.isoformat(),
        "authors": list(paper.authors),
        "author_count": paper.number_of_authors,
        "organization": paper.organization,
        "votes": paper.votes,
        "tags": list(paper.tags),
        "abstract": paper.abstract,
    }


def brief_record(paper: Paper) -> dict[str, Any]:
    """:func:`paper_record` without the abstract: a tag's ``entries.json`` (the
    whole list's has the abstracts; entries.schema.json says so)."""
    record = paper_record(paper)
    del record["abstract"]
    return record


def json_line(value: Any) -> bytes:
    """One line of JSON (no raw newline inside: JSON escapes them), UTF-8."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Units:
    """The list units of one paper (bytes, as they are joined into files)."""

    bibtex: bytes
    csl_json: bytes
    open_data: bytes  # the whole list's record, with the abstract
    brief_data: bytes  # a tag list's record, without it

    def of(self, name: str, folder: str) -> bytes:
        """The unit of the list file ``name`` in ``folder`` ("" for the whole list)."""
        if name == OPEN_DATA:
            return self.open_data if folder == "" else self.brief_data
        return {BIBTEX: self.bibtex, CSL_JSON: self.csl_json}[name]


class PaperExports:
    """Each paper's units and own files, made once per paper and build (a paper is on
    the whole list and on the lists of its tags)."""

    def __init__(self, keys: Mapping[str, str], site_url: str) -> None:
        self.keys = keys
        self.site_url = site_root(site_url)
        # By the paper and its key (values): kept under mkdocs serve across rebuilds.
        self._units: dict[tuple[Paper, str], Units] = {}
        self._own: dict[tuple[Paper, str], dict[str, bytes]] = {}

    def page_url(self, paper: Paper) -> str | None:
        return self.site_url + paper_url(paper) if self.site_url else None

    def units(self, paper: Paper) -> Units:
        key = self.keys[paper.slug]
        found = self._units.get((paper, key))
        if found is None:
            if on_one_line(paper):
                cited = citation_of(paper)
                bibtex = bibtex_citation(paper, key)  # what the page shows, made once
            else:
                cited = one_line(paper)
                bibtex = bibtex_entry(cited, key)
            found = self._units[(paper, key)] = Units(
                bibtex.encode(),
                json_line(csl_item(cited, key, self.page_url(paper))),
                json_line(paper_record(paper)),
                json_line(brief_record(paper)),
            )
        return found

    def own_files(self, paper: Paper) -> dict[str, bytes]:
        """``papers/<slug>/cite.bib`` (the BibTeX the page shows) and ``cite.json`` (a
        CSL-JSON list of one item): the paper's list units, unless the lists had to put
        a value with line breaks on one line."""
        key = self.keys[paper.slug]
        found = self._own.get((paper, key))
        if found is None:
            folder = paper_url(paper)
            if on_one_line(paper):
                units = self.units(paper)
                bibtex, item = units.bibtex, units.csl_json
            else:
                bibtex = bibtex_citation(paper, key).encode()
                item = json_line(csl_item(citation_of(paper), key, self.page_url(paper)))
            found = self._own[(paper, key)] = {
                folder + PAPER_BIBTEX: bibtex,
                folder + PAPER_CSL_JSON: b"[" + item + b"]\n",
            }
        return found


def on_one_line(paper: Paper) -> bool:
    """Whether the paper's values are on one line already (:func:`one_line` changes
    nothing), as nearly every paper's are."""
    values = (paper.title, *paper.authors, paper.organization or "")
    return all(" ".join(value.split()) == value for value in values)


def one_line(paper: Paper) -> Paper:
    """The paper's citation with each value on one line, as lists hold it: a BibTeX
    entry of a list then has no "\n@" inside (:func:`split_units`)."""
    return replace(
        citation_of(paper),
        title=" ".join(paper.title.split()),
        authors=tuple(" ".join(name.split()) for name in paper.authors),
        organization=" ".join(paper.organization.split()) if paper.organization else None,
    )


def site_root(site_url: str) -> str:
    """The site's URL ending in one slash ("" when the site has none)."""
    return site_url.rstrip("/") + "/" if site_url else ""


def join_units(name: str, units: Sequence[bytes]) -> bytes:
    """A list file from its units in order: BibTeX entries a blank line apart, JSON
    items one a line in an array."""
    if name == BIBTEX:
        return b"\n".join(units)
    if not units:
        return b"[]\n"
    return b"[\n" + b",\n".join(units) + b"\n]\n"


def split_units(name: str, data: bytes) -> list[bytes]:
    """The units of a list file (:func:`join_units`), as bytes."""
    if name == BIBTEX:
        units = data.split(b"\n@") if data else []
        return units[:1] + [b"@" + unit for unit in units[1:]]
    if data == b"[]\n":
        return []
    if not (data.startswith(b"[\n") and data.endswith(b"\n]\n")):
        raise ValueError("a list file that is not one JSON item a line")
    return [line.removesuffix(b",") for line in data[2:-3].split(b"\n")]


def splice(
    name: str,
    data: bytes,
    before: Sequence[int],
    after: Sequence[int],
    fresh: Mapping[int, bytes],
) -> bytes:
    """A list file after edits, from the file before: ``before`` and ``after`` are the
    paper numbers it holds (ascending), ``fresh`` the units of the edited papers; the
    other papers' units are kept as they were."""
    old = split_units(name, data)
    if len(old) != len(before):
        raise ValueError(f"{name} holds {len(old)} papers, expected {len(before)}")
    at = {number: place for place, number in enumerate(before)}
    units = [fresh[number] if number in fresh else old[at[number]] for number in after]
    return join_units(name, units)


@dataclass(frozen=True)
class ListExport:
    """The downloads of one list: its folder ("" or "tags/<id>/") and papers."""

    folder: str
    title: str
    papers: list[Paper]  # by number (slug)


def plan_exports(catalog: Catalog) -> list[ListExport]:
    """The whole list and every tag that has papers."""
    by_slug = sorted(catalog.papers, key=lambda paper: paper.slug)
    exports = [ListExport("", "All papers", by_slug)]
    for tag_id, tag in catalog.tags.items():
        papers = catalog.by_tag.get(tag_id, [])
        if papers:
            exports.append(
                ListExport(tag_url(tag_id), tag.title, sorted(papers, key=lambda p: p.slug))
            )
    return exports


def schema_bytes() -> bytes:
    """The JSON Schema of ``entries.json`` (assets/entries.schema.json)."""
    return resources.files("papershelf").joinpath("assets", SCHEMA).read_bytes()


def export_files(
    catalog: Catalog,
    site_url: str,
    *,
    wanted_list: Callable[[ListExport], bool] | None = None,
    papers: Iterable[Paper] | None = None,
    exports: PaperExports | None = None,
) -> dict[str, bytes]:
    """Every download of the site (or the lists ``wanted_list`` says yes to and the
    own files of ``papers``): site-root relative path -> bytes. ``exports``: the papers'
    files made in earlier builds (mkdocs serve)."""
    if exports is None:
        exports = PaperExports(catalog.citation_keys, site_url)
    files: dict[str, bytes] = {}
    for paper in catalog.papers if papers is None else papers:
        files.update(exports.own_files(paper))
    for export in plan_exports(catalog):
        if wanted_list is not None and not wanted_list(export):
            continue
        units = [exports.units(paper) for paper in export.papers]
        for name in LIST_FILES:
            files[export.folder + name] = join_units(
                name, [unit.of(name, export.folder) for unit in units]
            )
    if wanted_list is None:
        files[SCHEMA] = schema_bytes()
    return files

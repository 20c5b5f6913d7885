"""The downloads of a list: which files exist, what they hold, and that a quick
rebuild's splice gives the bytes a full build writes."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import bibtexparser
import jsonschema

from papershelf.entries.model import Links, Paper, Tag
from papershelf.site.catalog import build_catalog
from papershelf.site.citations import bibtex_citation
from papershelf.site.exports import (
    BIBTEX,
    CSL_JSON,
    LIST_FILES,
    OPEN_DATA,
    SCHEMA,
    export_files,
    paper_record,
    splice,
    split_units,
)
from papershelf.site.search import numbered

TAGS = {
    "llm": Tag("llm", "Language models", "d"),
    "vision": Tag("vision", "Vision", "d"),
    "unused": Tag("unused", "Unused", "d"),
}
SITE = "https://example.org/shelf"


def papers() -> list[Paper]:
    return [
        Paper(
            slug=f"p{n}",
            title=f"Paper {n} on & things",
            added=date(2025, 1, 1 + n),
            tags=("llm",) if n % 2 else ("llm", "vision"),
            authors=(f"Ada Lovelace{n}",) if n % 3 else (),
            author_count=None if n % 3 else 4,
            published=date(2024, 1 + n, 1) if n % 4 else None,
            abstract=f"Abstract {n}.\nWith a second line.",
            links=Links(arxiv=f"2401.0000{n}") if n % 2 else Links(),
        )
        for n in range(6)
    ]


def test_the_whole_list_and_every_tag_with_papers_get_downloads():
    files = export_files(build_catalog(papers(), TAGS), SITE)
    for folder in ("", "tags/llm/", "tags/vision/"):
        assert {folder + name for name in LIST_FILES} <= files.keys()
    assert not any(path.startswith("tags/unused/") for path in files)
    assert {f"papers/p{n}/cite.bib" for n in range(6)} <= files.keys()
    assert {f"papers/p{n}/cite.json" for n in range(6)} <= files.keys()
    assert SCHEMA in files


def test_open_data_is_the_list_json_shape_and_follows_its_schema():
    listed = papers()
    files = export_files(build_catalog(listed, TAGS), SITE)
    data = json.loads(files[OPEN_DATA])
    assert data == [paper_record(p) for p in numbered(listed)]
    jsonschema.validate(data, json.loads(files[SCHEMA]))
    vision = json.loads(files["tags/vision/" + OPEN_DATA])
    assert [record["slug"] for record in vision] == ["p0", "p2", "p4"]
    # A tag's records are the whole list's without the abstract (the site's size).
    whole = {record["slug"]: record for record in data}
    assert all(whole[r["slug"]] == {**r, "abstract": whole[r["slug"]]["abstract"]} for r in vision)
    assert all("abstract" not in record for record in vision)
    jsonschema.validate(vision, json.loads(files[SCHEMA]))
    broken = [{**data[0], "added": 5}]
    try:
        jsonschema.validate(broken, json.loads(files[SCHEMA]))
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("the schema accepts a number as a date")


def test_citations_leave_the_abstract_to_the_page_and_the_open_data():
    """Lists and each paper's own files alike; a paper's ``cite.bib`` is the BibTeX its
    page shows to copy."""
    files = export_files(build_catalog(papers(), TAGS), SITE)
    library = bibtexparser.parse_string(files[BIBTEX].decode())
    assert len(library.entries) == 6 and not library.failed_blocks
    assert all("abstract" not in entry.fields_dict for entry in library.entries)
    assert all("abstract" not in item for item in json.loads(files[CSL_JSON]))
    [own] = bibtexparser.parse_string(files["papers/p1/cite.bib"].decode()).entries
    assert "abstract" not in own.fields_dict and own["title"]
    [item] = json.loads(files["papers/p1/cite.json"])
    assert "abstract" not in item and item["title"]
    assert item["id"] == own.key
    assert files["papers/p1/cite.bib"].decode() == bibtex_citation(papers()[1], own.key)
    records = {record["slug"]: record for record in json.loads(files[OPEN_DATA])}
    assert records["p1"]["abstract"] == "Abstract 1.\nWith a second line."


def test_a_title_over_two_lines_is_on_one_line_in_lists_and_as_written_in_its_own_file():
    broken = dataclasses.replace(papers()[1], title="Paper 1\n   over two lines")
    files = export_files(build_catalog([broken, *papers()[2:]], TAGS), SITE)
    listed = next(
        entry
        for entry in bibtexparser.parse_string(files[BIBTEX].decode()).entries
        if "over two lines" in entry["title"]
    )
    assert listed["title"] == "{Paper 1 over two lines}"
    own = files["papers/p1/cite.bib"].decode()
    assert own == bibtex_citation(broken, listed.key)  # as the page shows it
    [item] = json.loads(files["papers/p1/cite.json"])
    assert item["title"] == "Paper 1\n   over two lines"
    csl = {entry["id"]: entry for entry in json.loads(files[CSL_JSON])}
    assert csl[listed.key]["title"] == "Paper 1 over two lines"


def test_a_splice_of_edited_papers_gives_the_files_a_full_build_writes():
    before = papers()
    after = list(before)
    after[1] = dataclasses.replace(before[1], title="Paper 1 on other things", tags=("vision",))
    after[4] = dataclasses.replace(before[4], abstract="New.", votes=3)
    old = export_files(build_catalog(before, TAGS), SITE)
    new_catalog = build_catalog(after, TAGS)
    new = export_files(new_catalog, SITE)
    number = {p.slug: n for n, p in enumerate(numbered(after))}
    edited = {number["p1"], number["p4"]}
    fresh_files = export_files(new_catalog, SITE, wanted_list=lambda _: True)
    for folder, tag in (("", None), ("tags/llm/", "llm"), ("tags/vision/", "vision")):

        def numbers(listed: list[Paper], tag: str | None = tag) -> list[int]:
            return sorted(number[p.slug] for p in listed if tag is None or tag in p.tags)

        for name in LIST_FILES:
            units = split_units(name, fresh_files[folder + name])
            slugs = numbers(after)
            fresh = {n: units[slugs.index(n)] for n in edited if n in slugs}
            spliced = splice(name, old[folder + name], numbers(before), slugs, fresh)
            assert spliced == new[folder + name], folder + name


def test_an_empty_list_has_empty_downloads_and_the_schema():
    files = export_files(build_catalog([], TAGS), SITE)
    assert files[BIBTEX] == b"" and files[CSL_JSON] == b"[]\n" and files[OPEN_DATA] == b"[]\n"
    assert not any(path.startswith("tags/") for path in files)

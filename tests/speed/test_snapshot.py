"""The snapshot a build leaves for quick rebuilds: specs and the catalog's shape survive
the trip through JSON, and a content edit changes only what the snapshot says it does."""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import date
from pathlib import Path

import pytest

from papershelf.entries.model import Links, Paper, Tag
from papershelf.site.catalog import build_catalog
from papershelf.site.citations import base_key
from papershelf.site.pages import (
    STATS_URL,
    PageSpec,
    Settings,
    home_spec,
    plan_pages,
    stats_spec,
    stats_spec_of,
)
from papershelf.site.related import keeps_relations, relations
from papershelf.site.stats import count_papers
from papershelf.speed.page_fingerprints import catalog_fingerprint, page_fingerprint
from papershelf.speed.placements import placement_row
from papershelf.speed.quick import placement
from papershelf.speed.snapshot import (
    Snapshot,
    SnapshotError,
    SnapshotReader,
    catalog_from_numbered,
    decode_spec,
    encode,
    encode_spec,
    file_signatures,
    identities,
    numbered_catalog,
    update_snapshot,
    write_snapshot,
)
from papershelf.speed.theme_shells import Shell

TAGS = {
    "agents": Tag("agents", "Agents", "Agents that act."),
    "vision": Tag("vision", "Vision", "Seeing."),
}


def papers() -> list[Paper]:
    return [
        Paper(
            slug=f"p{n}",
            title=f"Paper {n}",
            added=date(2024, 1 + n % 12, 1 + n),
            published=date(2023, 1 + n % 12, 1) if n % 4 else None,
            tags=("agents",) if n % 3 else ("agents", "vision"),
            abstract=f"Abstract {n}.",
            organization="Lab" if n % 2 else None,
            votes=n,
            source=Path(f"papers/p{n}.yaml"),
        )
        for n in range(9)
    ]


def all_specs(listing: list[Paper]) -> list[PageSpec]:
    catalog = build_catalog(listing, TAGS)
    settings = Settings(page_size=2, home_recent=3)
    return [*plan_pages(catalog, settings), home_spec(catalog, settings)]


def test_every_kind_of_page_comes_back_from_the_kit_as_it_was():
    listing = papers()
    catalog = build_catalog(listing, TAGS)
    number = {id(paper): n for n, paper in enumerate(catalog.papers)}
    hollow = catalog_from_numbered(numbered_catalog(catalog, number), TAGS)
    kinds = set()
    for spec in all_specs(listing):
        refs: set[int] = set()
        data = json.loads(encode_spec(spec, "shell", number, refs))
        back, how = decode_spec(data, catalog.papers.__getitem__, hollow, TAGS)
        kinds.add(spec.kind)
        assert how == "shell"
        assert dataclasses.replace(back, context={}) == dataclasses.replace(spec, context={})
        # The same key: the same papers, and a catalog of the same shape.
        assert page_fingerprint(back, catalog_fingerprint(hollow)) == page_fingerprint(
            spec, catalog_fingerprint(catalog)
        )
        assert {catalog.papers[n].slug for n in refs} == {
            paper.slug for paper in _papers_in(spec.context)
        }
    assert kinds >= {"paper", "tag", "tag-votes", "archive-year", "archive-month", "org", "home"}


def _papers_in(value: object) -> list[Paper]:
    if isinstance(value, Paper):
        return [value]
    if isinstance(value, (list, tuple)):
        return [paper for item in value for paper in _papers_in(item)]
    if isinstance(value, dict):
        return [paper for item in value.values() for paper in _papers_in(item)]
    return []


def test_a_hollow_catalog_has_the_names_and_counts_of_the_real_one():
    catalog = build_catalog(papers(), TAGS)
    number = {id(paper): n for n, paper in enumerate(catalog.papers)}
    hollow = catalog_from_numbered(numbered_catalog(catalog, number), TAGS)
    assert catalog_fingerprint(hollow) == catalog_fingerprint(catalog)
    assert [tag.id for tag in hollow.tags_by_size()] == [tag.id for tag in catalog.tags_by_size()]
    assert hollow.years == catalog.years


def test_a_value_the_kit_cannot_keep_is_refused():
    with pytest.raises(SnapshotError, match="cannot keep a date"):
        encode({"when": date(2024, 1, 1)}, {}, set())
    with pytest.raises(SnapshotError, match="keys that are not strings"):
        encode({1: "x"}, {}, set())


def test_an_edit_that_keeps_the_placement_changes_no_other_page_than_those_holding_it():
    """What quick rebuilds rely on (papershelf.speed.quick.placement): an edit that keeps a
    paper's placement, citation key (quick.edits.new_citation_keys) and every paper's
    related papers (quick.edits.related_frequencies) changes no URL, title or
    description of a page that does not hold the paper, and the catalog keeps its
    shape; but the statistics page, which the quick build makes from the counts it
    keeps, changed by the edit's."""
    before = papers()
    edited = dataclasses.replace(
        before[4],
        title="Paper with a newfangled title",
        abstract="Abstract 4. " + "Something else entirely, much longer than before. " * 8,
        notes="New *notes*.",
        authors=(),
        author_count=2,
        links=Links(
            arxiv="2401.00001",
            doi="10.1/x",
            code="https://example.org/code",
            pdf="https://example.org/p.pdf",
        ),
    )
    assert placement(edited) == placement(before[4])
    assert base_key(edited) == base_key(before[4])
    assert keeps_relations(before[4], edited, relations(before).frequencies, len(before))
    after = [edited if paper.slug == edited.slug else paper for paper in before]
    catalog = build_catalog(after, TAGS)
    counts = count_papers(before).edited(before[4], edited)
    assert stats_spec_of(counts, TAGS, catalog.org_names) == stats_spec(catalog)
    old, new = all_specs(before), all_specs(after)
    assert [spec.url for spec in old] == [spec.url for spec in new]
    shape = catalog_fingerprint(build_catalog(before, TAGS))
    assert shape == catalog_fingerprint(build_catalog(after, TAGS))
    for was, now in zip(old, new, strict=True):
        if edited.slug in {paper.slug for paper in _papers_in(now.context)} or now.url == STATS_URL:
            continue
        assert (was.title, was.description, was.feed_tags) == (
            now.title,
            now.description,
            now.feed_tags,
        )
        assert page_fingerprint(was, shape) == page_fingerprint(now, shape)


def test_a_kit_is_written_and_read_back(tmp_path: Path):
    catalog = build_catalog(papers(), TAGS)
    settings = Settings(page_size=2, home_recent=3)
    specs = [*plan_pages(catalog, settings), home_spec(catalog, settings)]
    number = {id(paper): n for n, paper in enumerate(catalog.papers)}
    shell = Shell(("<html>", "</html>"), ("body",))
    snapshot = Snapshot(
        build_id="b1",
        watched=[],
        watched_signatures=[],
        options={"feed_length": 3},
        site={"site_name": "S"},
        feed_site={"url": "https://example.org/", "name": "S"},
        newest="2024-01-01T00:00:00+00:00",
        paths=[str(paper.source) for paper in catalog.papers],
        identities=[identities(paper) for paper in catalog.papers],
        entries=[[10 + n, 1_000 + n, f"digest{n}"] for n in range(len(catalog.papers))],
        catalog=numbered_catalog(catalog, number),
        linked=["", "tags/"],
        handwritten=["about/"],
        nav=[],
        shells={(2, ""): {(True, True): shell}, (3, "tags/"): None},
        splits={"": ("before", "after"), "tags/": ("<p>", "</p>")},
    )
    placements = [placement_row(paper) for paper in catalog.papers]
    location = tmp_path / "a ?#folder" / "snapshot.sqlite"
    write_snapshot(location, snapshot, [(spec, "shell") for spec in specs], number, placements)
    reader = SnapshotReader(location)
    try:
        assert reader.snapshot == snapshot
        kept = reader.dependents([0])  # the newest paper
        assert reader.part("placements") == placements
        assert reader.part("page_index") == [[spec.url, spec.group] for spec in specs]
        with_catalog = [specs[page].kind for page in reader.part("catalog_pages")]
    finally:
        reader.close()
    newest = catalog.papers[0].slug
    expected = {spec.url for spec in specs if newest in {p.slug for p in _papers_in(spec.context)}}
    assert {json.loads(text)[0] for text in kept.values()} == expected
    assert {f"papers/{newest}/", ""} <= expected  # its own page, and the home page (recent)
    # (An archive year's page is given its months' counts, not the catalog.)
    assert set(with_catalog) == {
        "home", "tag-index", "archive-index", "org-index", "data"
    }  # fmt: skip


def test_an_update_changes_values_pages_and_cards_in_place(tmp_path: Path):
    catalog = build_catalog(papers(), TAGS)
    specs = plan_pages(catalog, Settings(page_size=2, home_recent=3))
    number = {id(paper): n for n, paper in enumerate(catalog.papers)}
    snapshot = Snapshot(
        build_id="b1",
        watched=[],
        watched_signatures=[],
        options={},
        site={},
        feed_site={},
        newest="2024-01-01T00:00:00+00:00",
        paths=[str(paper.source) for paper in catalog.papers],
        identities=[identities(paper) for paper in catalog.papers],
        entries=[[n, n, "d"] for n in range(len(catalog.papers))],
        catalog=numbered_catalog(catalog, number),
        linked=[],
        handwritten=[],
        nav=[],
    )
    placements = [placement_row(paper) for paper in catalog.papers]
    location = tmp_path / "snapshot.sqlite"
    write_snapshot(location, snapshot, [(spec, "shell") for spec in specs], number, placements)
    changed = [["x", 1, None, [], None, None, 3], *placements[1:]]
    update_snapshot(
        location,
        values={
            "entries": [snapshot.entries[0], [7, 7, "new"], *snapshot.entries[2:]],
            "placements": changed,
            "newest": "2025-02-03T00:00:00+00:00",
        },
        pages={2: '["changed"]'},
        cards=[("p.yaml", 2, False, "d1", "<article>")],
    )
    reader = SnapshotReader(location)
    try:
        assert reader.snapshot.entries[1] == [7, 7, "new"]
        assert reader.snapshot.entries[0] == [0, 0, "d"]
        assert reader.snapshot.newest == "2025-02-03T00:00:00+00:00"
        assert reader.part("placements")[0] == ["x", 1, None, [], None, None, 3]
        assert reader.part("placements")[1] == placements[1]
        assert reader.cards({"p.yaml": "d1"}) == [("p.yaml", 2, False, "d1", "<article>")]
        assert reader.cards({"p.yaml": "d2"}) == []  # made from other contents
        assert reader.pages([2, 3]) == {
            2: '["changed"]',
            3: encode_spec(specs[3], "shell", number, set()),
        }
    finally:
        reader.close()


def test_a_stamp_sees_a_changed_added_or_missing_file(tmp_path: Path):
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "a.md").write_text("a")
    first = file_signatures([folder, tmp_path / "tags.yml"])
    assert file_signatures([folder, tmp_path / "tags.yml"]) == first
    time.sleep(0.01)
    (folder / "a.md").write_text("b")
    second = file_signatures([folder, tmp_path / "tags.yml"])
    assert second != first
    (folder / "sub").mkdir()
    (folder / "sub" / "b.md").write_text("b")
    assert file_signatures([folder, tmp_path / "tags.yml"]) != second
    (tmp_path / "tags.yml").write_text("x: {}")
    assert file_signatures([folder, tmp_path / "tags.yml"]) != second

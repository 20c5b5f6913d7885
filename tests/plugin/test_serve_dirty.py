"""`make serve` (mkdocs serve --dirty): a rebuild rewrites only the pages an edit
changed, and those pages are exactly what a full build would write."""

from __future__ import annotations

import dataclasses
import os
from datetime import date
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config

from papershelf.entries.model import Links, Paper, Tag
from papershelf.plugin.generated_pages import GeneratedPages
from papershelf.site.catalog import build_catalog
from papershelf.site.feeds import Site
from papershelf.site.pages import Settings, plan_pages
from papershelf.speed.page_fingerprints import (
    PageFingerprints,
    catalog_fingerprint,
    page_fingerprint,
)
from tests.conftest import Project

TAGS = {
    "agents": Tag("agents", "Agents", "About agents."),
    "vision": Tag("vision", "Vision", "Seeing."),
}


def papers() -> list[Paper]:
    return [
        Paper(
            slug=f"p{n}",
            title=f"Paper {n}",
            added=date(2024, 1 + n % 12, 1 + n),
            published=date(2023, 1 + n % 12, 1),
            tags=("agents",) if n % 3 else ("agents", "vision"),
            abstract=f"Abstract {n}.",
            organization="Lab" if n % 2 else None,
            votes=n,
        )
        for n in range(12)
    ]


def bodies(listing: list[Paper]) -> dict[str, tuple[object, str]]:
    """url -> (key, body and head meta) for every generated page, rendered by the plugin."""
    catalog = build_catalog(listing, TAGS)
    pages = GeneratedPages(keep=False)
    site = Site(url="https://example.org/shelf/", name="Shelf", description="A shelf.")
    pages.start_build(catalog, {"site_name": site.name, "site_description": site.description}, site)
    assert pages.head_meta is not None
    shape = catalog_fingerprint(catalog)
    return {
        spec.url: (page_fingerprint(spec, shape), pages.render(spec) + pages.head_meta(spec))
        for spec in plan_pages(catalog, Settings(page_size=3, home_recent=4))
    }


def test_an_unchanged_key_always_means_an_unchanged_page():
    """The invariant dirty rebuilds rely on, for every kind of page and edit."""
    before = papers()
    edits = {
        "abstract": lambda p: dataclasses.replace(p, abstract="Changed."),
        "title": lambda p: dataclasses.replace(p, title="Renamed"),
        "votes": lambda p: dataclasses.replace(p, votes=99),
        "tags": lambda p: dataclasses.replace(p, tags=("vision",)),
        "date": lambda p: dataclasses.replace(p, published=date(2020, 5, 5)),
        "organization": lambda p: dataclasses.replace(p, organization="Other"),
        # Seen only in the page's head meta (papershelf.site.head_meta) and its body.
        "authors": lambda p: dataclasses.replace(p, authors=("Ada Lovelace",)),
        "links": lambda p: dataclasses.replace(p, links=Links(doi="10.1000/x")),
    }
    old = bodies(before)
    for name, edit in edits.items():
        after = [edit(p) if p.slug == "p5" else p for p in before]
        new = bodies(after)
        for url, (key, body) in new.items():
            if url in old and old[url][0] == key:
                assert old[url][1] == body, f"{name}: {url} changed with an unchanged key"
        changed = [url for url in new if url not in old or old[url][0] != new[url][0]]
        assert "papers/p5/" in changed, name
        assert len(changed) < len(new), f"{name}: every page changed"


def test_a_tag_edit_leaves_the_archive_year_pages_alone():
    """They show their months' counts (papershelf.site.pages.year_spec), not tags; the
    tag index, which shows counts per tag, changes."""
    before = papers()
    after = [dataclasses.replace(p, tags=("vision",)) if p.slug == "p5" else p for p in before]
    old, new = bodies(before), bodies(after)
    years = [url for url in new if url.startswith("archive/20") and url.count("/") == 2]
    assert years and all(old[url][0] == new[url][0] for url in years)
    assert old["tags/"][0] != new["tags/"][0]


def test_a_date_edit_changes_the_year_pages_whose_months_counts_change_only():
    """A year's page shows no papers: a date within the month leaves it alone; a date
    in another year changes the page of the year the paper left and of the one it
    joined (a new page), and no other year's."""
    before = papers()  # all published in 2023; p5 in June

    def moved(day: date) -> dict[str, tuple[object, str]]:
        return bodies(
            [dataclasses.replace(p, published=day) if p.slug == "p5" else p for p in before]
        )

    old = bodies(before)
    within = moved(date(2023, 6, 20))
    assert within["archive/2023/"] == old["archive/2023/"]
    assert within["archive/2023/06/"][0] != old["archive/2023/06/"][0]  # its card shows the day
    away = moved(date(2020, 5, 5))
    assert away["archive/2023/"][0] != old["archive/2023/"][0]
    assert "archive/2020/" not in old and "May" in away["archive/2020/"][1]
    assert "archive/2023/06/" not in away  # June 2023 had only p5
    assert 'href="../../archive/2023/06/"' not in away["archive/2023/"][1]


def test_page_keys_name_modified_and_removed_pages():
    keys = PageFingerprints()
    keys.start("build")
    keys.add("a/", 1)
    keys.add("b/", 2)
    assert keys.modified("a/")  # first build: everything
    keys.finish()
    keys.start("build")
    keys.add("a/", 1)
    keys.add("c/", 3)
    keys.extend("shells")
    assert keys.modified("a/")  # what every page depends on grew: rebuild
    keys.finish()
    keys.start("build")
    keys.add("a/", 1)
    keys.add("c/", 4)
    assert not keys.modified("a/") and keys.modified("c/")  # compared on what is known
    keys.extend("shells")
    assert not keys.modified("a/")
    keys.finish()
    keys.start("build")
    keys.add("a/", 1)
    keys.extend("other shells")
    assert keys.modified("a/")
    assert keys.removed() == ["c/"]
    keys.forget()
    keys.start("build")
    keys.add("a/", 1)
    assert keys.modified("a/")


def serve_builds(project: Project, site: Path):
    """A `mkdocs serve --dirty` session in this process: build() per change."""
    config_file = str(project.root / "mkdocs.yml")

    def config():
        return load_config(config_file, site_dir=str(site), strict=False)

    first = config()
    first.plugins.on_startup(command="serve", dirty=True)

    def rebuild():
        build(config(), serve_url="http://127.0.0.1:8000/", dirty=True)

    rebuild()
    return first, rebuild


def written(site: Path, pattern: str = "index.html") -> dict[str, int]:
    return {str(path.relative_to(site)): path.stat().st_mtime_ns for path in site.rglob(pattern)}


FEED_FILES = ("feed.xml", "atom.xml", "feed.json")


def feeds(site: Path) -> dict[str, int]:
    return {name: time for pattern in FEED_FILES for name, time in written(site, pattern).items()}


def dated_papers(project: Project, count: int) -> Path:
    """``count`` papers a month or so apart, two tags, no search index: the project's
    mkdocs.yml, for a serve session and a full build to compare. Each abstract is a
    word of its own: papers are related (papershelf.site.related) by their tag alone."""
    config = project.root / "mkdocs.yml"
    config.write_text(
        config.read_text()
        .replace("  - search\n", "")
        .replace("      home_recent: 5\n", "      home_recent: 5\n      search_index: false\n")
    )
    for n in range(count):
        project.paper(
            f"paper-{n}",
            f"title: Paper {n}\nadded: 2024-01-{n + 1:02d}\npublished: 2023-0{n % 3 + 1}-01\n"
            f"tags: [{'agents' if n % 2 else 'vision'}]\nabstract: Text{n}.\n",
        )
    return config


def full_build(project: Project, config: Path) -> Path:
    """A full mkdocs build of ``config`` into its own folder."""
    full = project.root / "full"
    full_config = load_config(str(config), site_dir=str(full), strict=False)
    full_config.plugins.on_startup(command="build", dirty=False)
    build(full_config)
    return full


def test_a_dirty_rebuild_rewrites_only_what_changed_and_matches_a_full_build(
    project: Project, monkeypatch
):
    config = dated_papers(project, 8)
    site = project.root / "served"
    session, rebuild = serve_builds(project, site)
    try:
        before, feeds_before = written(site), feeds(site)
        edited = project.papers / "paper-4.yaml"
        edited.write_text(edited.read_text().replace("Text4.", "Text4, edited."))
        os.utime(edited, ns=(10**18, 10**18))
        rebuild()
        after = written(site)
        rewritten = sorted(name for name in after if after[name] != before.get(name))
        assert "papers/paper-4/index.html" in rewritten
        # Not a neighbour, not on its lists, not related (another tag):
        assert "papers/paper-1/index.html" not in rewritten
        assert len(rewritten) < len(after) / 2
        feeds_after = feeds(site)
        feeds_rewritten = sorted(
            name for name in feeds_after if feeds_after[name] != feeds_before.get(name)
        )
        # Only the feeds that list paper-4: the site's and its tag's (vision).
        assert feeds_rewritten == sorted(
            [*FEED_FILES, *(f"tags/vision/{name}" for name in FEED_FILES)]
        )

        (project.papers / "paper-7.yaml").unlink()
        rebuild()
        assert not (site / "papers/paper-7/index.html").exists()
    finally:
        session.plugins.on_shutdown()

    full = full_build(project, config)
    for pattern in ("index.html", *FEED_FILES):
        for path in full.rglob(pattern):
            name = str(path.relative_to(full))
            served = (site / name).read_text(encoding="utf-8")
            expected = path.read_text(encoding="utf-8")
            assert served == expected, name


def test_a_dirty_rebuild_writes_the_sitemaps_when_a_date_changes_as_a_full_build_does(
    project: Project,
):
    """The sitemaps date each page by its papers: a rebuild writes them again when a
    page's date changes, not after an edit that changes none."""
    config = dated_papers(project, 4)
    site = project.root / "served"
    session, rebuild = serve_builds(project, site)
    sitemap = site / "sitemap.xml"  # the index of the shards, written with them
    urls = site / "sitemap-1.xml"  # the one shard of a short list
    edited = project.papers / "paper-0.yaml"
    try:
        assert "/papers/paper-0/</loc><lastmod>2024-01-01</lastmod>" in urls.read_text()
        # A second back (still newer than the theme's sitemap.xml template, which mkdocs
        # would copy over an older file), so that a rewrite shows on any clock.
        earlier = sitemap.stat().st_mtime_ns - 10**9
        os.utime(sitemap, ns=(earlier, earlier))
        edited.write_text(edited.read_text().replace("Text0.", "Text0, edited."))
        rebuild()
        assert sitemap.stat().st_mtime_ns == earlier  # no date changed
        edited.write_text(edited.read_text().replace("2024-01-01", "2024-02-01"))
        rebuild()
        assert sitemap.stat().st_mtime_ns != earlier
        text = urls.read_text()
        assert "/papers/paper-0/</loc><lastmod>2024-02-01</lastmod>" in text
        assert "/tags/vision/</loc><lastmod>2024-02-01</lastmod>" in text
    finally:
        session.plugins.on_shutdown()

    full = full_build(project, config)
    made = sorted(str(path.relative_to(full)) for path in full.rglob("sitemap*.xml*"))
    assert "sitemap-1.xml" in made and "tags/vision/sitemap.xml" in made
    for name in made:
        assert (site / name).read_bytes() == (full / name).read_bytes(), name

"""Where a site's bytes go and when it nears the Pages limit (build_tools.site_size)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from build_tools.site_size import (
    Share,
    bytes_by_kind,
    kind_of,
    pages_artifact,
    site_bytes,
    size_warning,
)


def test_files_are_counted_by_kind(tmp_path: Path):
    files = {
        "papers/a/index.html": 10,
        "papers/a/cite.bib": 3,
        "tags/x/index.html": 5,
        "tags/x/votes/index.html": 5,
        "tags/x/feed.xml": 2,
        "tags/x/papers.bib": 4,
        "search/manifest.json": 1,
        "sitemap.xml": 1,
        "index.html": 7,
    }
    for name, size in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x" * size)
    shares = bytes_by_kind(tmp_path)
    assert {kind: (s.files, s.bytes) for kind, s in shares.items()} == {
        "paper pages": (1, 10),
        "tag pages": (2, 10),
        "other pages": (1, 7),
        "list downloads": (1, 4),
        "paper downloads": (1, 3),
        "feeds": (1, 2),
        "search index": (1, 1),
        "sitemaps": (1, 1),
    }
    assert list(shares)[:2] == ["paper pages", "tag pages"]  # largest first, then by name
    assert site_bytes(tmp_path) == sum(files.values())
    assert kind_of("archive/2024/05/index.html") == "archive pages"


def test_a_warning_from_80_percent_of_the_limit():
    assert size_warning(799, limit=1000) is None
    assert "80% of GitHub Pages' 1 GB limit" in (size_warning(800, limit=1000) or "")
    assert "over GitHub Pages' 1 GB limit" in (size_warning(1001, limit=1000) or "")


def test_the_warning_names_the_largest_kinds_of_file():
    kinds = {
        "paper pages": Share(files=3, bytes=600_000_000),
        "tag pages": Share(files=2, bytes=250_000_000),
        "feeds": Share(files=1, bytes=100_000_000),
        "sitemaps": Share(files=1, bytes=50_000_000),
    }
    line = size_warning(1_000_000_000, kinds=kinds) or ""
    assert "the site is 1,000 MB (largest: paper pages 600 MB, tag pages 250 MB, feeds 100 MB)" in (
        line
    )
    assert "sitemaps" not in line


def test_the_pages_artifact_is_the_tar_gnu_tar_makes_and_its_deflated_size(tmp_path: Path):
    site = tmp_path / "site"
    for number in range(30):
        page = site / "papers" / f"paper-{number}" / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text("<p>the same chrome on every page</p>\n" * 40 + str(number))
    (site / "papers" / ("long-" * 30 + "slug")).mkdir()  # a name over tar's 100 bytes
    artifact = pages_artifact(site)
    tar = shutil.which("tar")
    if tar is not None:  # upload-pages-artifact runs GNU tar -cf
        made = tmp_path / "artifact.tar"
        subprocess.run([tar, "-cf", str(made), "--directory", str(site), "."], check=True)
        assert artifact.tar_bytes == made.stat().st_size
    # 512 bytes of header a file or folder, files padded to 512: more than the files.
    assert artifact.tar_bytes > site_bytes(site) + 512 * 30
    assert 0 < artifact.zipped_bytes < artifact.tar_bytes / 10  # pages repeat each other

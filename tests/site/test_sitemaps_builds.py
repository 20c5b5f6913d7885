"""The site's sitemap shards in real builds: a list that shrinks past a shard leaves no
stale shard behind, whichever way `papershelf build` goes (all of it, an incremental
mkdocs build, a quick build without mkdocs), and the site is the one a clean build
makes. The shards hold at most :data:`LIMIT` URLs here (50,000 in a real site), set in
this process and, through a ``sitecustomize`` module, in the mkdocs it runs: one, so
that every page that comes or goes makes a shard come or go (tests/site/test_sitemaps.py
proves the split at other limits)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config

import papershelf.site.sitemaps as sitemaps
from tests.conftest import Project
from tests.site_builds import clean_build, run_build, tree

# Real builds, each compared with a clean one: left out of `make test-fast`.
pytestmark = pytest.mark.slow

LIMIT = 1

MKDOCS_YML = """\
site_name: Test shelf
site_url: https://example.org/shelf/
docs_dir: content
theme:
  name: material
plugins:
  - papershelf:
      page_size: 2
      home_recent: 3
      related_papers: 0
"""


def paper(title: str, added: str, tags: str) -> str:
    return f"title: {title}\nadded: {added}\ntags: [{tags}]\nabstract: About {title}.\n"


PAPERS = {
    "alpha": paper("Alpha", "2025-03-01", "agents"),
    "beta": paper("Beta", "2025-02-01", "reasoning, agents"),
    "gamma": paper("Gamma", "2025-01-15", "vision"),
    "delta": paper("Delta", "2024-12-01", "agents"),
    "zeta": paper("Zeta", "2024-10-01", "agents, vision"),
}


@pytest.fixture
def small_shards(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Shards of :data:`LIMIT` URLs in quick builds (this process) and in the mkdocs
    builds `papershelf build` runs (other processes, which import ``sitecustomize``)."""
    monkeypatch.setattr(sitemaps, "MAX_URLS", LIMIT)
    hook = tmp_path_factory.mktemp("sitecustomize")
    (hook / "sitecustomize.py").write_text(
        f"import papershelf.site.sitemaps\npapershelf.site.sitemaps.MAX_URLS = {LIMIT}\n",
        encoding="utf-8",
    )
    paths = [str(hook), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))


def shards(site: Path) -> list[str]:
    """The shards in the site, checked against its index: each listed once, in order,
    none missing and none more; at most LIMIT URLs each."""
    index = (site / "sitemap.xml").read_text(encoding="utf-8")
    listed = re.findall(r"<loc>https://example\.org/shelf/([^<]*)</loc>", index)
    assert listed == [sitemaps.shard_name(n) for n in range(1, len(listed) + 1)]
    assert sorted(path.name for path in site.glob(sitemaps.SHARD_GLOB)) == sorted(listed)
    for name in listed:
        assert (site / name).read_text(encoding="utf-8").count("<url>") == LIMIT
    return listed


def build(project: Project, monkeypatch: pytest.MonkeyPatch, capfd) -> str:
    """Run `papershelf build`; its report line."""
    out = run_build(project, monkeypatch, capfd)
    return next(line for line in out.splitlines() if line.startswith("site "))


def edit(project: Project, slug: str, old: str, new: str) -> None:
    path = project.papers / f"{slug}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_list_that_shrinks_leaves_no_stale_shard_in_any_build(
    small_shards: None, project: Project, monkeypatch: pytest.MonkeyPatch, capfd
):
    project.write("mkdocs.yml", MKDOCS_YML)
    for slug, text in PAPERS.items():
        project.paper(slug, text)
    assert build(project, monkeypatch, capfd).startswith("site built in site/")
    first = shards(project.site)
    assert len(first) > 10  # the mkdocs that built it had the small limit: a URL each
    assert tree(project.site) == clean_build(project, monkeypatch, capfd)

    # Quick builds: agents grows to three pages, then back to two.
    edit(project, "gamma", "tags: [vision]", "tags: [vision, agents]")
    assert "without mkdocs" in build(project, monkeypatch, capfd)
    grown = shards(project.site)
    assert len(grown) == len(first) + 1  # tags/agents/page/3/
    assert tree(project.site) == clean_build(project, monkeypatch, capfd)
    edit(project, "gamma", "tags: [vision, agents]", "tags: [vision]")
    assert "without mkdocs" in build(project, monkeypatch, capfd)
    assert shards(project.site) == first  # the last shard went
    assert tree(project.site) == clean_build(project, monkeypatch, capfd)

    # An incremental mkdocs build: a paper goes, with its page and its month's.
    (project.papers / "delta.yaml").unlink()
    line = build(project, monkeypatch, capfd)
    assert line.startswith("site updated in site/") and "without mkdocs" not in line
    assert len(shards(project.site)) < len(first)
    assert tree(project.site) == clean_build(project, monkeypatch, capfd)


def test_a_dirty_mkdocs_rebuild_leaves_no_stale_shard(
    small_shards: None, project: Project, monkeypatch: pytest.MonkeyPatch
):
    """`make serve` (``mkdocs serve --dirty``) writes the sitemaps straight into the
    site it serves: a rebuild after a paper went leaves the sitemaps of a full build."""
    project.write("mkdocs.yml", MKDOCS_YML)
    for slug, text in PAPERS.items():
        project.paper(slug, text)
    config_file = str(project.root / "mkdocs.yml")
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")

    def mkdocs(site: Path, *, dirty: bool) -> None:
        config = load_config(config_file, site_dir=str(site), strict=False)
        config.plugins.on_startup(command="serve" if dirty else "build", dirty=dirty)
        mkdocs_build(config, dirty=dirty)

    served = project.root / "served"
    mkdocs(served, dirty=True)
    first = shards(served)
    (project.papers / "delta.yaml").unlink()
    mkdocs(served, dirty=True)
    mkdocs(project.root / "full", dirty=False)
    assert shards(project.root / "full") == shards(served) != first

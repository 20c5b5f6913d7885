"""Shared fixtures: tiny projects written into tmp_path, built for real."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent
# What a curator keeps of a fresh clone when they replace the list with their own: the
# site's configuration and hand-written pages (papers/ and tags.yml are theirs).
# (mkdocs.yml's `watch` names the templates folder, so a missing one fails the build.)
SITE_FILES = ("mkdocs.yml", "content", "CONTRIBUTING.md", "plugins/papershelf/templates")

TAGS_YML = """\
agents:
  title: Agents
  description: Language-model agents that act & plan.
  aliases: [llm-agents]
  keywords: [agent, agents]
reasoning:
  title: Reasoning
  description: Multi-step reasoning.
  keywords: [reasoning]
vision:
  title: Vision
  description: Seeing things.
"""

MKDOCS_YML = """\
site_name: Test shelf
site_url: https://example.org/shelf/
site_description: A test reading list.
docs_dir: content
theme:
  name: material
plugins:
  - search
  - papershelf:
      page_size: {page_size}
      home_recent: 5
nav:
  - Home: index.md
  - Tags: tags/index.md
  - Archive: archive/index.md
"""


@dataclass
class Project:
    """A throwaway Papershelf project: write entries, validate, build."""

    root: Path

    @property
    def papers(self) -> Path:
        return self.root / "papers"

    @property
    def tags_file(self) -> Path:
        return self.root / "tags.yml"

    @property
    def site(self) -> Path:
        return self.root / "site"

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def paper(self, slug: str, text: str, suffix: str = ".yaml") -> Path:
        return self.write(f"papers/{slug}{suffix}", text)

    def build(self, *extra: str) -> subprocess.CompletedProcess[str]:
        """Run the real ``mkdocs build`` in this project."""
        return subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", *extra],
            cwd=self.root,
            capture_output=True,
            text=True,
            check=False,
            env={**_env(), "NO_MKDOCS_2_WARNING": "1"},
        )

    def html(self, url: str) -> str:
        return (self.site / url / "index.html").read_text(encoding="utf-8")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/browser/ drives Chromium: marked ``browser``, so that
    ``make test-fast`` (``-m "not browser and not slow"``) can leave it out."""
    browser = Path(__file__).parent / "browser"
    for item in items:
        if item.path.is_relative_to(browser):
            item.add_marker(pytest.mark.browser)


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


@pytest.fixture(autouse=True, scope="session")
def _private_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Builds keep an entry cache in the user's cache folder: keep tests out of it
    (session-wide, for the projects session fixtures build too)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))
        yield


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """An empty project with a small vocabulary and a mkdocs.yml (page size 2)."""
    made = Project(tmp_path)
    made.write("tags.yml", TAGS_YML)
    made.write("mkdocs.yml", MKDOCS_YML.format(page_size=2))
    made.write("content/index.md", "# Test shelf\n\nHand-written intro.\n")
    (made.root / "papers").mkdir()
    return made


def curator_checkout(root: Path, tags_yml: str) -> Project:
    """A fresh clone's site files with a curator's own vocabulary and an empty
    ``papers/``: tests of the tool never depend on the shipped reading list."""
    for name in SITE_FILES:
        source, target = REPOSITORY / name, root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
    made = Project(root)
    made.write("tags.yml", tags_yml)
    made.papers.mkdir()
    return made

"""The contributor guide: one source, examples that really validate, and the local checks
(pre-commit, pull request template) that point at the same commands as CI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from papershelf.entries import strict_yaml
from papershelf.entries.loader import load_entry
from papershelf.entries.schema import FIELDS
from papershelf.entries.vocabulary import load_vocabulary, parse_vocabulary
from tests.conftest import curator_checkout

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "CONTRIBUTING.md"


def guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", guide(), re.MULTILINE | re.DOTALL)


def test_the_site_page_includes_the_guide_instead_of_copying_it():
    page = (ROOT / "content" / "contributing.md").read_text(encoding="utf-8")
    without_comments = re.sub(r"<!--.*?-->", "", page, flags=re.DOTALL).strip()
    assert without_comments == '--8<-- "CONTRIBUTING.md"'
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "- pymdownx.snippets:" in config
    assert "check_paths: true" in config  # a missing guide fails the build


def test_the_guide_has_only_absolute_links_so_they_work_on_github_and_on_the_site():
    links = re.findall(r"\]\(([^)]*)\)", guide())
    assert links  # the regex still finds links
    assert [link for link in links if not link.startswith("https://")] == []


def test_both_example_entries_validate_against_a_vocabulary_with_their_tags(tmp_path):
    """The examples name tags of the shipped list; a curator's tags.yml may have others,
    so they are checked against a vocabulary of exactly the tags they name."""
    [yaml_entry, tag_block, _reading_path] = code_blocks("yaml")  # the path: test_collections
    [markdown_entry] = code_blocks("markdown")
    named = set()
    for text in (yaml_entry, markdown_entry.split("---")[1]):
        named.update(yaml.safe_load(text)["tags"])
    (tmp_path / "tags.yml").write_text(
        "".join(f"{tag}:\n  title: {tag}\n  description: An example.\n" for tag in sorted(named)),
        encoding="utf-8",
    )
    vocabulary, problems = load_vocabulary(tmp_path / "tags.yml")
    assert problems == []
    (tmp_path / "example.yaml").write_text(yaml_entry, encoding="utf-8")
    (tmp_path / "example.md").write_text(markdown_entry, encoding="utf-8")
    for name in ("example.yaml", "example.md"):
        paper, entry_problems = load_entry(tmp_path / name, vocabulary)
        assert entry_problems == []
        assert paper is not None
    tags, tag_problems = parse_vocabulary(strict_yaml.parse(tag_block), "tags.yml")
    assert tag_problems == []
    assert list(tags.tags) == ["my-new-tag"]


def test_the_guide_documents_every_field_preview_and_ci():
    text = guide()
    for field in FIELDS:
        assert f"| `{field}` |" in text
    for needed in ("tags.yml", "make serve", "## What CI checks", "site-preview", "papershelf new"):
        assert needed in text


def test_the_sites_contributing_page_shows_the_guide(tmp_path):
    checkout = curator_checkout(tmp_path, "robotics:\n  title: Robotics\n  description: Robots.\n")
    site = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "--site-dir", str(site)],
        cwd=checkout.root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stderr
    page = (site / "contributing" / "index.html").read_text(encoding="utf-8")
    assert "Add a paper in two minutes" in page
    assert "--8&lt;--" not in page and "--8<--" not in page


def test_pre_commit_runs_validate_on_entry_and_tag_changes_and_ruff_on_code():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    validate = hooks["papershelf-validate"]
    assert validate["entry"].endswith("papershelf validate")
    assert validate["pass_filenames"] is False  # the whole list, as CI checks it
    files = re.compile(validate["files"])
    assert files.search("papers/new-paper.yaml")
    assert files.search("tags.yml")
    assert not files.search("plugins/papershelf/loader.py")
    assert "ruff check" in hooks["ruff-check"]["entry"]
    assert "ruff format --check" in hooks["ruff-format"]["entry"]


def test_the_pull_request_template_is_a_short_checklist():
    template = (ROOT / ".github" / "PULL_REQUEST_TEMPLATE.md").read_text(encoding="utf-8")
    items = re.findall(r"^- \[ \] ", template, re.MULTILINE)
    assert 3 <= len(items) <= 8
    assert "papershelf validate" in template
    assert "make serve" in template

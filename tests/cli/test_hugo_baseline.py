"""The benchmark's Hugo reference: the project it writes, and (where hugo is
installed) that Hugo renders every paper with its title intact."""

from __future__ import annotations

import dataclasses
import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from build_tools import hugo_baseline, synthetic

HOSTILE_TITLES = (
    'He said "hi" \\ and left',
    "C:\\new\\table \\n is not a newline",
    "two\nlines",
    "---",
    "a\n---\nb: c",
    "'single' quotes: and a colon",
    "# not a heading",
    "yes",
    "null",
    "2021-01-01",
    "[a, list] {and: map} &amp; <b>bold</b>",
    "tab\there, DEL\x7f, line separator\u2028 and emoji \U0001f600",
    "  padded  ",
)


def hostile_papers() -> list[synthetic.SyntheticPaper]:
    base = list(synthetic.papers(len(HOSTILE_TITLES), seed=3))
    return [
        dataclasses.replace(paper, title=title)
        for paper, title in zip(base, HOSTILE_TITLES, strict=True)
    ]


def split_page(text: str) -> tuple[dict, str]:
    """The front matter (parsed) and body of a content page, split where Hugo would:
    at the first line that starts with ``---`` after the opening one."""
    assert text.startswith("---\n")
    lines = text.split("\n")
    end = next(i for i, line in enumerate(lines) if i and line.startswith("---"))
    body = "\n".join(lines[end + 1 :])
    assert body.startswith("\n")  # a blank line after the front matter
    return yaml.safe_load("\n".join(lines[1:end])), body[1:]


def test_the_project_has_a_config_layouts_and_one_page_per_paper(tmp_path: Path):
    papers = list(synthetic.papers(5, seed=1))
    assert hugo_baseline.write_project(tmp_path, iter(papers)) == 5
    config = (tmp_path / "hugo.toml").read_text(encoding="utf-8")
    assert 'baseURL = "https://example.org/hugo/"' in config
    assert "disableKinds" in config and '"taxonomy"' in config and '"RSS"' in config
    for name in ("_default/baseof.html", "_default/single.html", "_default/list.html"):
        assert (tmp_path / "layouts" / name).is_file()
    assert (tmp_path / "layouts/index.html").is_file()
    assert "{{ .Content }}" in (tmp_path / "layouts/_default/single.html").read_text("utf-8")
    pages = sorted((tmp_path / "content/papers").glob("*.md"))
    assert [p.name for p in pages] == sorted(["_index.md", *(f"{p.slug}.md" for p in papers)])
    paper = papers[0]
    fields, body = split_page(
        (tmp_path / "content/papers" / f"{paper.slug}.md").read_text(encoding="utf-8")
    )
    assert fields == {"title": paper.title, "date": paper.published}
    assert body == paper.markdown_page()  # the mkdocs-material baseline's page


def test_hostile_titles_stay_one_front_matter_string(tmp_path: Path):
    papers = hostile_papers()
    hugo_baseline.write_project(tmp_path, papers)
    for paper in papers:
        text = (tmp_path / "content/papers" / f"{paper.slug}.md").read_text(encoding="utf-8")
        fields, body = split_page(text)
        assert fields == {"title": paper.title, "date": paper.published}
        assert body == paper.markdown_page()


def test_the_rendered_pages_are_counted(tmp_path: Path):
    for slug in ("a", "b"):
        page = tmp_path / hugo_baseline.OUTPUT / "papers" / slug / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text("<p>x</p>", encoding="utf-8")
    (tmp_path / hugo_baseline.OUTPUT / "papers/index.html").write_text("", encoding="utf-8")
    assert hugo_baseline.rendered_pages(tmp_path) == 2


@pytest.mark.skipif(shutil.which("hugo") is None, reason="hugo is not installed")
def test_hugo_renders_every_paper_with_its_title(tmp_path: Path):
    papers = hostile_papers()
    hugo_baseline.write_project(tmp_path, papers)
    hugo = hugo_baseline.installed()
    assert hugo is not None
    assert hugo_baseline.hugo_version(hugo).startswith("hugo v")
    done = subprocess.run(
        hugo_baseline.build_command(tmp_path, hugo),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert hugo_baseline.rendered_pages(tmp_path) == len(papers)
    for paper in papers:
        page = tmp_path / hugo_baseline.OUTPUT / "papers" / paper.slug / "index.html"
        text = page.read_text(encoding="utf-8")
        match = re.search(r"<title>(.*?)</title>", text, flags=re.S)
        assert match is not None
        assert html.unescape(match[1]) == f"{paper.title} - Baseline"
        assert paper.abstract[:60] in html.unescape(text)

"""Generated pages put together from theme shells are the pages the theme would render.

Every test builds the same project twice - with shells (``prerender: true``, the
default) and through the theme page by page (``prerender: false``) - and compares
the two sites byte for byte.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from papershelf.plugin.generated_pages import GeneratedPages
from papershelf.speed import shell_pages
from papershelf.speed.forking import ForkedTask, ForkedTaskError
from papershelf.speed.theme_shells import ShellError, shell_key, split_shell
from tests.conftest import Project

TRICKY = [
    (
        "ampersand-and-tags",
        """\
        title: "Q&A <script>alert('x')</script> \\"quoted\\" title"
        authors: [Ana O'Neil, "B & C"]
        organization: "R&D <Lab>"
        published: 2024-03-05
        added: 2024-03-06
        tags: [agents, reasoning, vision]
        abstract: "An abstract with <b>markup</b> & ampersands."
        links:
          arxiv: "2403.01234"
        votes: 7
        """,
    ),
    ("plain-one", "title: Plain one\nadded: 2024-01-02\npublished: 2024-01-01\ntags: [agents]\n"),
    ("plain-two", "title: Plain two\nadded: 2024-01-03\npublished: 2023-12-01\ntags: [agents]\n"),
    ("plain-three", "title: Plain three\nadded: 2024-01-04\ntags: [agents, vision]\nvotes: 3\n"),
]


def tricky_project(project: Project) -> Project:
    for slug, text in TRICKY:
        project.paper(slug, text)
    project.paper(
        "with-notes",
        "---\ntitle: With notes\nadded: 2024-02-01\ntags: [reasoning]\n---\n"
        "Notes with **bold**, <script>x</script> and [a link](https://example.org/?a=1&b=2).\n",
        suffix=".md",
    )
    return project


def build_site(project: Project, site: str, *, prerender: bool, command: str = "build") -> Path:
    """Build in this process (so tests can reach into the plugin)."""
    config_file = project.root / "mkdocs.yml"
    text = config_file.read_text(encoding="utf-8")
    option = f"      prerender: {'true' if prerender else 'false'}\n"
    marker = "      home_recent: 5\n"
    config_file.write_text(text.replace(marker, marker + option) if option not in text else text)
    config = load_config(str(config_file), site_dir=str(project.root / site))
    config.plugins.on_startup(command=command, dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
        config_file.write_text(text, encoding="utf-8")
    return project.root / site


def site_files(site: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(site)): path.read_bytes()
        for path in sorted(site.rglob("*"))
        if path.is_file()
    }


def assert_same_sites(fast: Path, slow: Path) -> None:
    fast_files, slow_files = site_files(fast), site_files(slow)
    assert sorted(fast_files) == sorted(slow_files)
    different = [name for name in fast_files if fast_files[name] != slow_files[name]]
    assert different == []


@pytest.fixture
def no_search(project: Project) -> Project:
    config = project.root / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "      home_recent: 5\n", "      home_recent: 5\n      search_index: false\n"
        )
    )
    return project


def test_shell_pages_are_byte_identical_to_theme_pages(no_search: Project):
    project = tricky_project(no_search)
    fast = build_site(project, "fast", prerender=True)
    slow = build_site(project, "slow", prerender=False)
    assert_same_sites(fast, slow)
    page = (fast / "papers/ampersand-and-tags/index.html").read_text(encoding="utf-8")
    assert "<title>Q&amp;A &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert "psslot" not in page.lower() and "papershelf-probe" not in page
    # The site's feed links only, in its head (its tags' feeds are in the text).
    assert page.count('rel="alternate" type="application/rss+xml"') == 1


def without_material_search(project: Project) -> Project:
    config = project.root / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - search\n", ""))
    return project


def test_a_helper_process_writes_half_of_the_pages(no_search: Project, monkeypatch):
    project = without_material_search(tricky_project(no_search))
    monkeypatch.setattr(shell_pages, "MIN_PAGES_TO_FORK", 1)
    forks: list[int] = []
    real_helper = shell_pages.ForkedTask

    def counting_helper(work, name="helper"):
        helper = real_helper(work, name)
        forks.append(helper.pid)
        return helper

    monkeypatch.setattr(shell_pages, "ForkedTask", counting_helper)
    fast = build_site(project, "fast", prerender=True)
    assert len(forks) == 1 and forks[0] != os.getpid()
    slow = build_site(project, "slow", prerender=False)
    assert_same_sites(fast, slow)


def test_no_helper_when_another_plugin_reads_pages(no_search: Project, monkeypatch):
    """material's search plugin reads each page's body in on_page_context."""
    project = tricky_project(no_search)
    monkeypatch.setattr(shell_pages, "MIN_PAGES_TO_FORK", 1)
    monkeypatch.setattr(shell_pages, "ForkedTask", pytest.fail)
    fast = build_site(project, "fast", prerender=True)
    index = (fast / "search/search_index.json").read_text(encoding="utf-8")
    assert "An abstract with" in index  # the body reached the search plugin


def test_no_helper_is_forked_under_mkdocs_serve(no_search: Project, monkeypatch):
    project = without_material_search(tricky_project(no_search))
    monkeypatch.setattr(shell_pages, "MIN_PAGES_TO_FORK", 1)
    monkeypatch.setattr(shell_pages, "ForkedTask", pytest.fail)  # threads run under serve
    fast = build_site(project, "fast", prerender=True, command="serve")
    assert (fast / "papers/plain-one/index.html").is_file()


def test_bodies_without_a_heading_get_the_theme_heading(no_search: Project, monkeypatch):
    project = tricky_project(no_search)
    real_render = GeneratedPages._render

    def without_heading(self, spec, *, standalone):
        body = real_render(self, spec, standalone=standalone)
        return body.replace("<h1>", "<p>").replace("</h1>", "</p>", 1)

    monkeypatch.setattr(GeneratedPages, "_render", without_heading)
    fast = build_site(project, "fast", prerender=True)
    slow = build_site(project, "slow", prerender=False)
    assert_same_sites(fast, slow)
    page = (fast / "papers/plain-one/index.html").read_text(encoding="utf-8")
    assert "<h1>Plain one</h1>" in page


def test_a_theme_that_transforms_a_value_falls_back_to_the_theme(
    no_search: Project, caplog: pytest.LogCaptureFixture
):
    project = tricky_project(no_search)
    project.write(
        "overrides/main.html",
        '{% extends "base.html" %}\n'
        "{% block extrahead %}{% if page %}"
        '<meta name=x content="{{ page.meta.title | striptags }}">{% endif %}'
        '{% include "partials/papershelf-feeds.html" %}{% endblock %}\n',
    )
    config = project.root / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "  name: material\n", "  name: material\n  custom_dir: overrides\n"
        )
    )
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.papershelf"):
        fast = build_site(project, "fast", prerender=True)
    assert "go through the theme one by one (slower)" in caplog.text
    assert "a template changed a marker instead of printing it" in caplog.text
    slow = build_site(project, "slow", prerender=False)
    assert_same_sites(fast, slow)


def test_split_shell_cuts_at_every_mark():
    shell = split_shell("<t>T</t><b>B</b><t>T</t>", {"T": "title", "B": "body"}, once=["body"])
    assert shell.parts == ("<t>", "</t><b>", "</b><t>", "</t>")
    assert shell.fill({"title": "x&amp;y", "body": "<p>b</p>"}) == (
        "<t>x&amp;y</t><b><p>b</p></b><t>x&amp;y</t>"
    )


@pytest.mark.parametrize(
    ("html", "message"),
    [
        ("<b>nothing</b>", "the body marker is missing"),
        ("B and B", "the body marker occurs 2 times, expected once"),
        ("B and psslot&amp;title", "a template changed a marker instead of printing it"),
    ],
)
def test_split_shell_refuses_what_it_cannot_fill_exactly(html: str, message: str):
    with pytest.raises(ShellError, match=message):
        split_shell(html, {"B": "body"}, once=["body"])


def test_pages_share_a_shell_when_their_relative_links_are_the_same():
    linked = {"", "tags/", "assets/", "assets/stylesheets/"}
    assert shell_key("papers/a/", linked) == shell_key("papers/b/", linked) == (2, "")
    assert shell_key("tags/agents/", linked) == (2, "tags/")
    assert shell_key("tags/agents/page/2/", linked) == (4, "tags/")
    assert shell_key("archive/2024/03/", linked) == (3, "")


def test_a_failing_helper_reports_its_traceback():
    helper = ForkedTask(lambda: 1 / 0)
    with pytest.raises(ForkedTaskError, match="ZeroDivisionError"):
        helper.join()


def test_a_helper_runs_in_another_process_and_returns_its_result():
    helper = ForkedTask(lambda: {"pid": os.getpid(), "data": list(range(100_000))})
    result = helper.join()
    assert result["pid"] != os.getpid()
    assert result["data"] == list(range(100_000))  # more than a pipe buffer

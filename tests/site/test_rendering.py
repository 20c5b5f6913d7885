"""Page bodies (papershelf.site.rendering): templates are read again for each build, so
an edit under ``mkdocs serve`` shows on the next rebuild, and not checked again for
every page within one."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import jinja2
import pytest

from papershelf.entries.model import Paper, Tag
from papershelf.site.catalog import build_catalog
from papershelf.site.pages import Settings, plan_pages
from papershelf.site.rendering import TEMPLATES, BodyRenderer, loaded_templates

TAGS = {"agents": Tag("agents", "Agents", "About agents.")}
SITE = {"site_name": "Shelf", "site_description": "A shelf."}
SETTINGS = Settings(page_size=5, home_recent=2)


def paper_page(renderer: BodyRenderer) -> str:
    paper = Paper(slug="p1", title="Paper 1", added=date(2025, 1, 2), tags=("agents",))
    catalog = build_catalog([paper], TAGS)
    renderer.start_build(catalog)
    [spec] = [
        s
        for s in plan_pages(catalog, Settings(page_size=5, home_recent=2))
        if s.url == "papers/p1/"
    ]
    return renderer.render(spec, catalog, SITE)


@pytest.fixture
def renderer(tmp_path: Path) -> tuple[BodyRenderer, Path]:
    """A renderer reading a copy of the templates, to edit."""
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    made = BodyRenderer()
    made.env.loader = jinja2.FileSystemLoader(str(templates))
    return made, templates


def test_a_template_a_page_imports_is_read_again_at_the_next_build(renderer):
    made, templates = renderer
    assert "EDITED" not in paper_page(made)
    subscribe = templates / "papershelf" / "subscribe.html"  # paper.html imports it
    text = subscribe.read_text(encoding="utf-8")
    subscribe.write_text(text.replace("to new papers with the same tags", "EDITED"), "utf-8")
    assert "EDITED" in paper_page(made)


def test_within_a_build_templates_are_not_checked_for_each_page(renderer, monkeypatch):
    made, templates = renderer
    paper_page(made)  # starts a build: every template checked once
    checks: list[str] = []
    getmtime = os.path.getmtime

    def counted(path):
        if str(path).startswith(str(templates)):
            checks.append(str(path))
        return getmtime(path)

    monkeypatch.setattr(os.path, "getmtime", counted)  # jinja's check of a template's file
    paper = Paper(slug="p1", title="Paper 1", added=date(2025, 1, 2), tags=("agents",))
    catalog = build_catalog([paper], TAGS)
    [spec] = [s for s in plan_pages(catalog, SETTINGS) if s.url == "papers/p1/"]
    for _ in range(3):
        made.render(spec, catalog, SITE)
    assert checks == []


def test_the_templates_checked_at_a_build_are_those_loaded_before(renderer):
    made, _ = renderer
    assert loaded_templates(made.env) == []
    paper_page(made)
    loaded = loaded_templates(made.env)
    assert "papershelf/paper.html" in loaded and "papershelf/subscribe.html" in loaded
    assert "papershelf/feed-entry.html" not in loaded  # the feeds' template, not a body's

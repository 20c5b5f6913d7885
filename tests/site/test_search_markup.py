"""The header search in the built pages: a button and a small template, not the dialog.

Search needs JavaScript, so papershelf.js builds the dialog (tests/browser/
test_search_dialog.py proves what it builds); a page carries only the header's search
button and the ``<template data-ps-search>`` the dialog takes its texts and icons from.
"""

from __future__ import annotations

import html as html_text
import re
from pathlib import Path

import material

from papershelf.site.icons import icon_id
from tests.conftest import Project

PAPER = """\
    title: A searchable paper
    authors: [Ada Lovelace]
    added: 2025-01-03
    tags: [agents]
    abstract: Words to find.
    """
TEMPLATE = re.compile(r"<template data-ps-search\b([^>]*)>(.*?)</template>", re.DOTALL)
ICONS = Path(material.__file__).parent / "templates" / ".icons"


def search_template(page: str) -> tuple[dict[str, str], str]:
    """The attributes and the content of the page's one search template."""
    found = TEMPLATE.findall(page)
    assert len(found) == 1, found
    attributes, content = found[0]
    pairs = re.findall(r'([\w-]+)="([^"]*)"', attributes)
    return {name: html_text.unescape(value) for name, value in pairs}, content


def drawn_id(icon: str) -> str:
    """The sprite's name for one of the theme's icons (papershelf.site.icons)."""
    svg = (ICONS / f"{icon}.svg").read_text(encoding="utf-8")
    view_box, path = re.search(r'viewBox="([^"]+)"><path d="([^"]+)"', svg).groups()
    return icon_id(view_box, path)


def test_pages_carry_the_search_button_and_template_but_not_the_dialog(project: Project):
    project.paper("findable", PAPER)
    result = project.build()
    assert result.returncode == 0, result.stdout + result.stderr
    pages = {url: project.html(url) for url in ("papers/findable", "tags/agents", "archive", "")}
    pages["404"] = (project.site / "404.html").read_text(encoding="utf-8")
    for url, page in pages.items():
        # The button that opens the dialog, as material draws it.
        assert page.count('<label class="md-header__button md-icon" for="__search"') == 1, url
        # None of the dialog: its form, input, results, button, dialog role.
        for dialog_part in (
            "data-ps-search-list",
            "data-ps-search-form",
            "data-ps-search-input",
            "data-ps-search-meta",
            "data-ps-search-more",
            "md-search__",
            "md-search-result",
            'class="md-search',
            'role="dialog"',
        ):
            assert dialog_part not in page, (url, dialog_part)
        attributes, content = search_template(page)
        assert attributes == {
            "data-label": "Search",
            "data-placeholder": "Search",
            "data-reset": "Clear",
            "data-hint": "Type to search titles, abstracts, authors, organisations and tags",
            "data-more": "Show more results",
        }, url
        # The back and clear icons, from the sprite on generated pages (site.icons).
        assert len(re.findall(r"<svg\b", content)) == 2, (url, content)
        if url not in ("", "404"):  # generated pages (the others keep theirs inline)
            uses = re.findall(r'<use href="[^"#]+#([^"]+)"/>', content)
            assert uses == [drawn_id("material/arrow-left"), drawn_id("material/close")]
            # What replaces the 1.4 kB dialog on every generated page stays small.
            assert len(TEMPLATE.search(page).group(0).encode()) < 450, url


def test_the_template_takes_the_theme_language_and_icons(project: Project):
    """The dialog's texts are the theme's translations and its icons the configured
    ones, as when the page carried the dialog."""
    config = project.root / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "  name: material\n",
            "  name: material\n"
            "  language: de\n"
            "  icon:\n"
            "    previous: material/chevron-left\n"
            "    close: material/close-circle\n",
        ),
        encoding="utf-8",
    )
    project.paper("findable", PAPER)
    result = project.build()
    assert result.returncode == 0, result.stdout + result.stderr
    attributes, content = search_template(project.html("papers/findable"))
    assert attributes["data-label"] == "Suche"
    assert attributes["data-placeholder"] == "Suche"
    assert attributes["data-reset"] == "Zurücksetzen"
    uses = re.findall(r'<use href="[^"#]+#([^"]+)"/>', content)
    assert uses == [drawn_id("material/chevron-left"), drawn_id("material/close-circle")]

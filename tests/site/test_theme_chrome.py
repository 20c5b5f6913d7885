"""What every page repeats of the theme (templates/main.html and partials/javascripts/):
material's small scripts come from files, and its configuration carries only the
texts of the parts the site uses."""

from __future__ import annotations

import json
import re

from tests.conftest import Project

CONFIG = re.compile(r'<script id="__config" type="application/json">(.*?)</script>', re.S)


def theme_config(html: str) -> dict:
    (found,) = CONFIG.findall(html)
    return json.loads(found)


def paper(project: Project) -> None:
    project.paper(
        "tulu",
        """\
        title: Tulu
        added: 2025-01-02
        tags: [agents]
        abstract: An abstract.
        """,
    )


def test_pages_load_the_themes_snippets_from_files_with_their_scope(project: Project):
    paper(project)
    assert project.build().returncode == 0
    home, page = project.html(""), project.html("papers/tulu")
    assert '<script src="assets/papershelf/theme-scope.js" data-scope="."></script>' in home
    assert (
        '<script src="../../assets/papershelf/theme-scope.js" data-scope="../.."></script>' in page
    )
    assert '<script src="../../assets/papershelf/palette.js"></script>' in page
    assert "__md_scope=new URL(" not in page and "var palette=" not in page
    scope = (project.site / "assets/papershelf/theme-scope.js").read_text(encoding="utf-8")
    assert "document.currentScript.dataset.scope" in scope


def test_the_configuration_has_no_texts_for_parts_the_site_does_not_use(project: Project):
    paper(project)
    assert project.build().returncode == 0
    config = theme_config(project.html("papers/tulu"))
    assert config["translations"] == {} and config["base"] == "../.."
    assert "search" not in config  # papershelf's search runs without material's worker


def test_copy_buttons_and_the_version_selector_keep_their_texts(project: Project):
    config_file = project.root / "mkdocs.yml"
    config_file.write_text(
        config_file.read_text(encoding="utf-8").replace(
            "  name: material\n",
            "  name: material\n  features: [content.code.copy]\n"
            "  palette: {scheme: slate}\nextra:\n  version: {provider: mike}\n",
        ),
        encoding="utf-8",
    )
    paper(project)
    result = project.build()
    assert result.returncode == 0, result.stderr
    config = theme_config(project.html("papers/tulu"))
    assert config["translations"] == {
        "clipboard.copy": "Copy to clipboard",
        "clipboard.copied": "Copied to clipboard",
        "select.version": "Select version",
    }
    assert config["features"] == ["content.code.copy"]

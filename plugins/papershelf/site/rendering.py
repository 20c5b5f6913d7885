"""Page bodies from specs: the fragment templates, shared by the mkdocs plugin and
the quick rebuild (papershelf.speed.quick), so both write the same bytes. No mkdocs here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from papershelf.site.cards import CardCache
from papershelf.site.citations import bibtex_citation
from papershelf.site.markup import render_notes, truncate
from papershelf.site.pages import PageSpec
from papershelf.site.templating import strict_environment

TEMPLATES = Path(__file__).parent.parent / "templates"


def relative_root(url: str) -> str:
    """Prefix from a directory URL back to the site root ("papers/x/" -> "../../")."""
    return "../" * url.count("/")


def fragment_environment() -> jinja2.Environment:
    """Jinja environment for page bodies: autoescaped, strict about missing names."""
    env = strict_environment(TEMPLATES)
    env.filters["notes_html"] = lambda text: Markup(render_notes(text))
    env.filters["truncate_words"] = truncate
    env.filters["bibtex"] = bibtex_citation
    return env


def loaded_templates(env: jinja2.Environment) -> list[str]:
    """The names of the templates ``env`` has loaded (its cache is keyed by loader
    and name); the others are read from their files when first used."""
    return sorted({key[1] for key in env.cache}) if env.cache is not None else []


class BodyRenderer:
    """Renders the body of a generated page; cards are rendered once per paper
    (papershelf.site.cards) and templates fetched once per build."""

    def __init__(self) -> None:
        self.env = fragment_environment()
        self.cards = CardCache(self.env)
        self.env.globals["papershelf_card"] = self.cards
        self.templates: dict[str, jinja2.Template] = {}

    def start_build(self, catalog: Any) -> None:
        """``catalog``: the build's catalog (templates read its names and counts).
        Each template loaded before is checked once here (a template edited under
        ``mkdocs serve`` is read again), not by every ``{% from %}`` of every page
        rendered: jinja's check is a stat a call, 10,000s of them a build."""
        self.templates = {}
        self.env.auto_reload = True
        for name in loaded_templates(self.env):
            self.env.get_template(name)  # the file again if it changed
        self.env.auto_reload = False
        self.cards.start_build(catalog)

    def render(
        self, spec: PageSpec, catalog: Any, site: dict[str, str], *, standalone: bool = True
    ) -> str:
        template = self.templates.get(spec.template)
        if template is None:
            template = self.templates[spec.template] = self.env.get_template(spec.template)
        return template.render(
            spec.context,
            base=relative_root(spec.url),
            catalog=catalog,
            spec=spec,
            standalone=standalone,
            **site,
        )

"""Page bodies from specs: the fragment templates, shared by the mkdocs plugin and
the quick rebuild (papershelf.quick), so both write the same bytes. No mkdocs here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from papershelf.cards import CardCache
from papershelf.markup import render_notes, truncate
from papershelf.pages import PageSpec
from papershelf.templating import strict_environment

TEMPLATES = Path(__file__).parent / "templates"


def relative_root(url: str) -> str:
    """Prefix from a directory URL back to the site root ("papers/x/" -> "../../")."""
    return "../" * url.count("/")


def fragment_environment() -> jinja2.Environment:
    """Jinja environment for page bodies: autoescaped, strict about missing names."""
    env = strict_environment(TEMPLATES)
    env.filters["notes_html"] = lambda text: Markup(render_notes(text))
    env.filters["truncate_words"] = truncate
    return env


def compiled_templates() -> jinja2.BytecodeCache | None:
    """Compiled theme and page templates kept in the user's cache folder: every
    build is a new process, and compiling material's templates took a fifth of a
    second (jinja compares each template's source checksum before reusing code)."""
    from platformdirs import user_cache_dir

    folder = Path(user_cache_dir("papershelf")) / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


class BodyRenderer:
    """Renders the body of a generated page; cards are rendered once per paper
    (papershelf.cards) and templates fetched once per build."""

    def __init__(self) -> None:
        self.env = fragment_environment()
        self.cards = CardCache(self.env)
        self.env.globals["papershelf_card"] = self.cards
        self.templates: dict[str, jinja2.Template] = {}

    def start_build(self, catalog: Any) -> None:
        """``catalog``: the build's catalog (templates read its names and counts)."""
        self.templates = {}  # get_template checks the file each time
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

"""The one way Papershelf builds Jinja environments for its own templates, and how
templates (ours and the theme's) are made to print compact HTML.

Entry text is untrusted, so every environment autoescapes; StrictUndefined turns a
misspelt name into an error instead of an empty string on the page.
"""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import jinja2.ext

_INDENTED_LINES = re.compile(r"\n\s+")  # a line break, blank lines and indentation


class CompactTemplates(jinja2.ext.Extension):
    """Templates without their indentation and blank lines: material's are written for
    people to read, and printed that way they were a quarter of every page's bytes
    (5-8 kB of 20-30 kB), repeated on tens of thousands of pages.

    Only the template's own text changes, as it is compiled (so no build time is
    spent on it): values printed into it, like a paper's BibTeX in a ``<pre>``, keep
    every space. A run of white space with a line break becomes one line break, which
    HTML reads as the same space between words and elements; neither material's
    templates nor ours hold ``<pre>``, ``<textarea>`` or JavaScript template strings
    whose text would change (tests/site/test_templating.py checks the theme's)."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return _INDENTED_LINES.sub("\n", source)


def compact(env: jinja2.Environment) -> jinja2.Environment:
    """``env`` printing compact HTML (before it compiles its first template): block
    tags take their line with them, and :class:`CompactTemplates`."""
    env.trim_blocks = env.lstrip_blocks = True
    env.add_extension(CompactTemplates)
    return env


def strict_environment(folder: Path) -> jinja2.Environment:
    """An autoescaping, strict Jinja environment loading templates from ``folder``,
    printing compact HTML."""
    return compact(
        jinja2.Environment(
            loader=jinja2.FileSystemLoader(folder),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
    )

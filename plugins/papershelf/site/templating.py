"""The one way Papershelf builds Jinja environments for its own templates.

Entry text is untrusted, so every environment autoescapes; StrictUndefined turns a
misspelt name into an error instead of an empty string on the page.
"""

from __future__ import annotations

from pathlib import Path

import jinja2


def strict_environment(folder: Path) -> jinja2.Environment:
    """An autoescaping, strict Jinja environment loading templates from ``folder``."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )

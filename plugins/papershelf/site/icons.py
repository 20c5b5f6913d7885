"""The theme's icons as one sprite file instead of inline on every page.

mkdocs-material prints each icon of its header and navigation as an inline ``<svg>``:
about 14 of them, 3.5-4.5 kB of every page, the same on tens of thousands of pages.
Here each becomes ``<svg viewBox=…><use href="…/icons.svg#id"/></svg>`` (70 bytes)
and the drawings are written once, into :data:`SPRITE`, fetched once by a reader's
browser and cached. Pure: page text in, page text and the icons it uses out.

Only icons in material's exact form (one ``<path>``, maybe after a licence comment,
which goes into the sprite with the drawing; the theme prints
them from its ``.icons`` folder) are replaced; any other SVG, like the statistics
page's charts, stays as it is.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

SPRITE = "assets/papershelf/icons.svg"  # site-root relative

_ICON = re.compile(
    r'<svg xmlns="http://www\.w3\.org/2000/svg" viewBox="([0-9. -]+)">'
    r"(<!--(?:(?!-->)[^<>])*-->)?"  # an icon set's licence note (Font Awesome's), kept
    r'<path d="([^"<>&]*)"/></svg>'
)


def icon_id(view_box: str, path: str) -> str:
    """A name for an icon's drawing, the same in every build."""
    digest = hashlib.blake2s(f"{view_box}\n{path}".encode(), digest_size=5).hexdigest()
    return f"i{digest}"


def sprite_icons(html: str, root: str) -> tuple[str, dict[str, str]]:
    """``html`` with its icons drawn from the sprite, and those icons (id -> the
    ``<symbol>`` of the sprite). ``root``: the way from the page to the site root
    ("../../" for "papers/x/")."""
    found: dict[str, str] = {}

    def use(match: re.Match[str]) -> str:
        view_box, note, path = match.groups()
        name = icon_id(view_box, path)
        drawing = f'{note or ""}<path d="{path}"/>'
        found[name] = f'<symbol id="{name}" viewBox="{view_box}">{drawing}</symbol>'
        return f'<svg viewBox="{view_box}"><use href="{root}{SPRITE}#{name}"/></svg>'

    return _ICON.sub(use, html), found


def sprite_file(symbols: Mapping[str, str]) -> bytes:
    """The sprite of these icons (:func:`sprite_icons`), in a stable order."""
    body = "".join(symbols[name] for name in sorted(symbols))
    return f'<svg xmlns="http://www.w3.org/2000/svg">{body}</svg>\n'.encode()

"""Theme shells: a page of the theme cut at the places that differ between pages.

Pure text work, no mkdocs, so both the mkdocs plugin (papershelf.speed.shell_pages, which
renders the shells through the theme) and the quick rebuild (papershelf.speed.quick, which
reuses the shells the last build kept) fill them the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

# Feed autodiscovery links of a page; main.html includes it, shells ask it per page.
HEAD_TEMPLATE = "partials/papershelf-feeds.html"

PROBE = "papershelf-probe"
TITLE_MARK = "PSSLOT&title <x>"
DESCRIPTION_MARK = "PSSLOT&description <x>"
BODY_MARK = "PSSLOT body"
HEAD_MARK = "PSSLOT head"
# The page's own meta tags (papershelf.site.head_meta), which main.html prints after the
# feed links: a slot of its own, so a theme that leaves them out gives shells without it.
META_MARK = "PSSLOT&meta <x>"
_RESIDUE = re.compile("psslot|" + PROBE, re.IGNORECASE)


class ShellError(ValueError):
    """The theme's output for the probe page cannot be cut into a shell."""


@dataclass(frozen=True)
class Shell:
    """Literal text with named slots between: ``parts[0] slot[0] parts[1] ...``."""

    parts: tuple[str, ...]
    slots: tuple[str, ...]

    def fill(self, values: Mapping[str, str]) -> str:
        pieces = [self.parts[0]]
        for slot, part in zip(self.slots, self.parts[1:], strict=True):
            pieces.append(values[slot])
            pieces.append(part)
        return "".join(pieces)


def split_shell(html: str, marks: Mapping[str, str], once: Iterable[str] = ()) -> Shell:
    """Cut ``html`` at every occurrence of the mark texts (mark text -> slot name).

    Every mark must occur, those named in ``once`` exactly once, and no trace of a
    mark may remain outside them (a mark a template transformed). Pure."""
    for text, slot in marks.items():
        count = html.count(text)
        if count == 0:
            raise ShellError(f"the {slot} marker is missing from the theme's output")
        if slot in once and count != 1:
            raise ShellError(f"the {slot} marker occurs {count} times, expected once")
    pattern = re.compile("|".join(re.escape(text) for text in sorted(marks, key=len, reverse=True)))
    parts, slots, start = [], [], 0
    for match in pattern.finditer(html):
        parts.append(html[start : match.start()])
        slots.append(marks[match.group()])
        start = match.end()
    parts.append(html[start:])
    for part in parts:
        residue = _RESIDUE.search(part)
        if residue:
            context = part[max(0, residue.start() - 40) : residue.end() + 40]
            raise ShellError(f"a template changed a marker instead of printing it: {context!r}")
    return Shell(tuple(parts), tuple(slots))


def folders(url: str) -> list[str]:
    """The folder prefixes of a site URL: "tags/x/a.css" -> ["", "tags/", "tags/x/"]."""
    parts = url.split("/")[:-1]
    return ["/".join(parts[:n]) + "/" if n else "" for n in range(len(parts) + 1)]


def shell_key(url: str, linked: set[str]) -> tuple[int, str]:
    """Pages whose relative links come out the same share a shell.

    mkdocs writes the shortest relative link between two URLs, so links depend on
    the depth of the page's URL and on the deepest of its folders that also holds
    something the theme may link to (``linked``: folders of other pages and files):
    "tags/x/" links to "tags/" as "../", "papers/x/" as "../../tags/".
    """
    shared = next(f for f in reversed(folders(url)) if f in linked or not f)
    return url.count("/"), shared


def variant(body: str, description: str) -> tuple[bool, bool]:
    """Which shell a page needs: material prints the title as a heading when the body
    has no ``<h1>`` of its own, and the site's description when the page has none."""
    return ("<h1" in body, bool(description))


def page_bytes(html: str) -> bytes:
    """A page as mkdocs writes it (UTF-8, unencodable characters as references)."""
    return html.encode("utf-8", errors="xmlcharrefreplace")


def write_page(path: str | Path, html: str) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(page_bytes(html))

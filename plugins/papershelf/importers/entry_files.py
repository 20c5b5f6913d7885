"""Write entries as YAML that reads back (``papershelf.entries.loader``) to the same Paper.

Pure text -> text, deterministic: :func:`render_entry` writes a new entry and
:func:`patch_entry` changes a few fields of an existing one, leaving every other line as
it was. Details: docs/architecture.md, "Writing entries".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

import yaml
from yaml.nodes import ScalarNode

from papershelf.entries import strict_yaml
from papershelf.entries.loader import split_front_matter
from papershelf.entries.model import Links, Paper
from papershelf.entries.schema import LINK_KINDS

WIDTH = 88
INDENT = "  "
_STR_TAG = "tag:yaml.org,2002:str"
_RESOLVER = yaml.resolver.Resolver()
# Characters that may appear as-is in plain and block scalars: printable, and not one
# of YAML's extra line breaks (NEL, LS, PS) or a byte-order mark.
_UNSAFE = re.compile(
    "[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_INDICATORS = set("-?:,[]{}#&*!|>'\"%@`")
_FLOW_UNSAFE = set(",[]{}?:#'\"&*!|>%@`")
_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\0": "\\0",
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    "\x85": "\\N",
    "\xa0": "\\_",
    "\u2028": "\\L",
    "\u2029": "\\P",
}


class PatchError(ValueError):
    """An existing entry whose layout this module will not edit automatically."""


def render_entry(paper: Paper) -> str:
    """The ``.yaml`` text of a whole entry (notes as a ``notes:`` field)."""
    lines: list[str] = []
    for name, value in entry_fields(paper).items():
        lines.extend(field_lines(name, value))
    return "\n".join(lines) + "\n"


def entry_fields(paper: Paper) -> dict[str, object]:
    """The fields a Paper writes, in the schema's order; empty ones are left out."""
    links = {kind: getattr(paper.links, kind) for kind in LINK_KINDS}
    fields: dict[str, object] = {
        "title": paper.title,
        "authors": list(paper.authors),
        "author_count": paper.author_count,
        "organization": paper.organization,
        "organization_id": paper.organization_id,
        "published": paper.published,
        "added": paper.added,
        "tags": list(paper.tags),
        "abstract": paper.abstract,
        "links": {kind: value for kind, value in links.items() if value},
        "votes": paper.votes,
        "notes": paper.notes,
    }
    return {name: value for name, value in fields.items() if value not in (None, "", [], {})}


def field_lines(name: str, value: object) -> list[str]:
    """``name: value`` as one or more lines of YAML at the top level; ``value`` as a
    Paper holds it (a tuple of names, ``Links``) or as YAML does (a list, a mapping)."""
    if isinstance(value, bool):  # bool is an int; no field is a bool
        raise TypeError(f"{name}: unexpected boolean")
    if isinstance(value, int | date):
        text = str(value) if isinstance(value, int) else value.isoformat()
        return [f"{name}: {text}"]
    if isinstance(value, Links):
        value = {kind: link for kind in LINK_KINDS if (link := getattr(value, kind))}
    if isinstance(value, list | tuple):
        items = ", ".join(scalar(str(item), flow=True) for item in value)
        return [f"{name}: [{items}]"]
    if isinstance(value, dict):
        return [f"{name}:"] + [
            f"{INDENT}{kind}: {quoted(text) if kind in ('arxiv', 'doi') else scalar(text)}"
            for kind, text in value.items()
        ]
    if not isinstance(value, str):
        raise TypeError(f"{name}: cannot write {type(value).__name__}")
    if name == "abstract":
        return block(name, value, folded=True)
    if name == "notes":
        return block(name, value, folded=False)
    return [f"{name}: {scalar(value)}"]


def scalar(text: str, flow: bool = False) -> str:
    """A plain scalar when it reads back as the same string, else a quoted one."""
    return text if _plain_ok(text, flow) else quoted(text)


def _plain_ok(text: str, flow: bool) -> bool:
    if not text or text != text.strip() or _UNSAFE.search(text) or "\n" in text or "\t" in text:
        return False
    if text[0] in _INDICATORS or ": " in text or " #" in text or text.endswith(":"):
        return False
    if flow and any(ch in _FLOW_UNSAFE for ch in text):
        return False
    # Words YAML 1.1 tools read as something else (null, yes, 12, 2024-01-01) are
    # quoted for their sake; our loader keeps every scalar a string anyway.
    return _RESOLVER.resolve(ScalarNode, text, (True, False)) == _STR_TAG


def quoted(text: str) -> str:
    """A double-quoted scalar; escapes keep every character exactly."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif _UNSAFE.match(ch):
            code = ord(ch)
            out.append(f"\\x{code:02X}" if code <= 0xFF else f"\\u{code:04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def block(name: str, text: str, folded: bool) -> list[str]:
    """A ``>-`` (folded at single spaces) or ``|-`` (literal) block, or a quoted scalar.

    Block scalars are used only when the text survives them exactly: no leading or
    trailing whitespace, no characters needing escapes; folded text must be a single
    line with single spaces, literal text must have no blank-looking lines with spaces.
    """
    if not text or text != text.strip() or _UNSAFE.search(text) or "\r" in text:
        return [f"{name}: {quoted(text)}"]
    if folded:
        if "\n" in text or "\t" in text or "  " in text:
            return [f"{name}: {quoted(text)}"]
        if len(name) + 2 + len(text) <= WIDTH and _plain_ok(text, flow=False):
            return [f"{name}: {text}"]
        return [f"{name}: >-"] + [INDENT + line for line in _fold(text, WIDTH - len(INDENT))]
    lines = text.split("\n")
    if any(line.strip() == "" and line != "" for line in lines):
        return [f"{name}: {quoted(text)}"]
    return [f"{name}: |-"] + [(INDENT + line) if line else "" for line in lines]


def _fold(text: str, width: int) -> list[str]:
    """Greedy wrap at single spaces; a word longer than ``width`` gets its own line."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return lines


def patch_entry(text: str, suffix: str, changes: Mapping[str, object]) -> str:
    """Set top-level ``changes`` in an entry's text, touching no other line.

    A field already present (even as ``null``) has its lines replaced; a new field is
    added after the last field. Raises PatchError for layouts it will not guess at
    (flow-style mappings, unreadable YAML).
    """
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    crlf = "\r\n" in text  # keep the file's line endings
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    lines = text.split("\n")
    if suffix == ".md":
        split = split_front_matter(text)
        if split is None:
            raise PatchError("no YAML front matter found")
        front, _, offset = split
    else:
        front, offset = text, 0
    try:
        root = strict_yaml.parse(front, line_offset=offset)
    except strict_yaml.StrictYamlError as error:
        raise PatchError(f"line {error.line}: {error.message}") from error
    if not isinstance(root, strict_yaml.Mapping):
        raise PatchError("the entry is not a mapping of fields")
    # Fields end where the file ends, or at the `---` line closing the front matter.
    last_key = max(root.key_lines.values(), default=offset)
    end = _closing_delimiter(lines, last_key) if suffix == ".md" else len(lines)
    starts = sorted(root.key_lines.values())
    if len(set(starts)) != len(starts) or any(
        not lines[line - 1].startswith(f"{key}:") for key, line in root.key_lines.items()
    ):
        raise PatchError("fields are not one per line at the start of the line")
    # The lines a field owns: from its key to the next key, minus trailing blank or
    # comment lines (those belong to whatever follows).
    spans: dict[str, tuple[int, int]] = {}
    for key, line in root.key_lines.items():
        later = [s for s in starts if s > line]
        stop = (later[0] if later else end + 1) - 1
        while stop > line and _is_filler(lines[stop - 1]):
            stop -= 1
        spans[key] = (line - 1, stop)  # 0-based start, exclusive end
    last_field_end = max((stop for _, stop in spans.values()), default=offset)
    replacements: list[tuple[int, int, list[str]]] = []
    additions: list[str] = []
    for name, value in changes.items():
        new_lines = field_lines(name, value)
        if name in spans:
            start, stop = spans[name]
            replacements.append((start, stop, new_lines))
        else:
            additions.extend(new_lines)
    if additions:
        replacements.append((last_field_end, last_field_end, additions))
    for start, stop, new_lines in sorted(replacements, key=lambda r: r[0], reverse=True):
        lines[start:stop] = new_lines
    patched = bom + "\n".join(lines)
    return patched.replace("\n", "\r\n") if crlf else patched


def _closing_delimiter(lines: list[str], after: int) -> int:
    """0-based index of the first ``---`` line from index ``after`` (the last key's line)."""
    for index in range(after, len(lines)):
        if re.match(r"^-{3,}\s*$", lines[index]):
            return index
    raise PatchError("the front matter has no closing `---` line")


def _is_filler(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")

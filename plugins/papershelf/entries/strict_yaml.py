"""Strict, safe YAML: every scalar stays a string, with its line number.

``yaml.safe_load`` silently turns ``2310.06770`` into a float, ``no`` into False and
keeps the last of two duplicate keys. Here the YAML layer only builds a tree of
strings, lists and mappings, rejecting anchors, aliases, tags and duplicate keys;
the schema decides what each field means and can name the exact line when it
cannot convert a value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import BaseConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader, ReaderError
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

try:
    from yaml._yaml import CParser
except ImportError:  # pyyaml built without libyaml: the pure-Python parser does it all
    CParser = None

_DEFAULT_TAGS = {
    BaseResolver.DEFAULT_SCALAR_TAG,
    BaseResolver.DEFAULT_SEQUENCE_TAG,
    BaseResolver.DEFAULT_MAPPING_TAG,
}
_NULLS = {"", "~", "null", "Null", "NULL"}


class StrictYamlError(ValueError):
    """A YAML document this loader refuses; ``line`` is 1-based within the text."""

    def __init__(self, line: int, message: str, fix: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.fix = fix


@dataclass(frozen=True, slots=True)
class Scalar:
    """A scalar as written. ``quoted`` tells ``"12"`` from ``12`` when it matters."""

    text: str
    line: int
    quoted: bool

    @property
    def is_null(self) -> bool:
        return not self.quoted and self.text in _NULLS


@dataclass(frozen=True, slots=True)
class Sequence:
    items: tuple[Value, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Mapping:
    """Key -> value with the line of each key, in file order."""

    entries: dict[str, Value]
    key_lines: dict[str, int]
    line: int


Value = Scalar | Sequence | Mapping


def _refuse_anchors(event: yaml.Event) -> None:
    line = event.start_mark.line + 1
    if isinstance(event, yaml.AliasEvent):
        raise StrictYamlError(
            line, f"alias *{event.anchor} is not allowed", "write the value out in full"
        )
    if getattr(event, "anchor", None):
        raise StrictYamlError(
            line, f"anchor &{event.anchor} is not allowed", "write the value out in full"
        )


class _StrictLoader(Reader, Scanner, Parser, Composer, BaseConstructor, BaseResolver):
    """pyyaml's pipeline with no implicit typing (BaseResolver) and no aliases."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        BaseConstructor.__init__(self)
        BaseResolver.__init__(self)

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        _refuse_anchors(self.peek_event())
        return super().compose_node(parent, index)


class _UndecidedError(Exception):
    """The fast path met something only the full pipeline may judge."""


_QUOTED_STYLES = ("'", '"', "|", ">")


def _fast_parse(text: str, line_offset: int) -> Value | None:
    """The tree straight from libyaml's C parser events, or None when the
    pure-Python pipeline must decide: no libyaml, characters pyyaml's reader
    refuses, an empty or multi-document stream, tags, anchors, aliases, odd or
    duplicate keys, and any syntax error (so every message stays pyyaml's and
    this module's, word for word). For the plain documents entries are, the tree is
    the one :func:`_convert` builds, about twenty times faster."""
    if CParser is None or Reader.NON_PRINTABLE.search(text):
        return None
    parser = CParser(text)
    try:
        parser.get_event()  # stream start
        if not isinstance(parser.peek_event(), yaml.DocumentStartEvent):
            return None
        parser.get_event()
        tree = _compose_events(parser, line_offset)
        parser.get_event()  # document end
        if not isinstance(parser.get_event(), yaml.StreamEndEvent):
            return None
        return tree
    except (yaml.YAMLError, _UndecidedError):
        return None
    finally:
        parser.dispose()


def _plain(event: yaml.NodeEvent) -> bool:
    tag = getattr(event, "tag", None)
    return event.anchor is None and (tag in (None, "!") or tag in _DEFAULT_TAGS)


def _compose_events(parser: Any, offset: int) -> Value:
    event = parser.get_event()
    kind = type(event)
    if kind is yaml.ScalarEvent and _plain(event):
        line = event.start_mark.line + 1 + offset
        return Scalar(event.value, line, quoted=event.style in _QUOTED_STYLES)
    if kind is yaml.SequenceStartEvent and _plain(event):
        items = []
        while type(parser.peek_event()) is not yaml.SequenceEndEvent:
            items.append(_compose_events(parser, offset))
        parser.get_event()
        return Sequence(tuple(items), event.start_mark.line + 1 + offset)
    if kind is yaml.MappingStartEvent and _plain(event):
        entries: dict[str, Value] = {}
        key_lines: dict[str, int] = {}
        while type(parser.peek_event()) is not yaml.MappingEndEvent:
            key = parser.get_event()
            if type(key) is not yaml.ScalarEvent or not _plain(key):
                raise _UndecidedError
            if key.value == "<<" or key.value in entries:
                raise _UndecidedError
            entries[key.value] = _compose_events(parser, offset)
            key_lines[key.value] = key.start_mark.line + 1 + offset
        parser.get_event()
        return Mapping(entries, key_lines, event.start_mark.line + 1 + offset)
    raise _UndecidedError


def parse(text: str, line_offset: int = 0) -> Value | None:
    """Parse one YAML document into located strings; None for an empty document.

    ``line_offset`` shifts reported lines, for front matter that starts below line 1.
    """
    tree = _fast_parse(text, line_offset)
    if tree is not None:
        return tree
    try:
        loader = _StrictLoader(text)
    except ReaderError as error:  # pyyaml checks every character before parsing
        line = text.count("\n", 0, max(error.position, 0)) + 1 + line_offset
        raise StrictYamlError(
            line,
            f"character U+{error.character:04X} is not allowed in YAML",
            "delete it; invisible control characters often come from copy and paste",
        ) from error
    try:
        node = loader.get_single_node()
    except StrictYamlError as error:
        error.line += line_offset
        raise
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        tab = _tab_message(text, error)
        if tab is not None:
            raise StrictYamlError(line, tab, "use spaces, not tabs") from error
        problem = error.problem or error.context or "invalid YAML"
        if "expected a single document" in str(error):
            problem = "more than one YAML document"
        raise StrictYamlError(
            line, f"YAML syntax error: {problem}", "check indentation, colons and quotes"
        ) from error
    except yaml.YAMLError as error:  # reader errors: bad bytes, control characters
        raise StrictYamlError(
            1 + line_offset, f"unreadable YAML: {error}", "save the file as plain UTF-8 text"
        ) from error
    finally:
        loader.dispose()
    if node is None:
        return None
    return _convert(node, line_offset)


def _tab_message(text: str, error: yaml.MarkedYAMLError) -> str | None:
    """What to say when pyyaml's scanner stopped at a tab (YAML allows no tab where it
    expects a token), or None for any other error."""
    mark = error.problem_mark
    if mark is None or error.problem != "found character '\\t' that cannot start any token":
        return None
    start = text.rfind("\n", 0, mark.index) + 1
    before = text[start : mark.index]
    if not before.strip(" \t-?:"):  # only indentation and block indicators before it
        return "a tab is used for indentation"
    return "a tab is used between values on this line"


def _convert(node: Node, offset: int) -> Value:
    line = node.start_mark.line + 1 + offset
    if node.tag not in _DEFAULT_TAGS:
        raise StrictYamlError(
            line, f"YAML tag {node.tag} is not allowed", "remove the !tag before the value"
        )
    if isinstance(node, ScalarNode):
        return Scalar(node.value, line, quoted=node.style in ("'", '"', "|", ">"))
    if isinstance(node, SequenceNode):
        return Sequence(tuple(_convert(item, offset) for item in node.value), line)
    assert isinstance(node, MappingNode)
    entries: dict[str, Value] = {}
    key_lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1 + offset
        if not isinstance(key_node, ScalarNode) or key_node.tag not in _DEFAULT_TAGS:
            raise StrictYamlError(key_line, "a key must be plain text", "write `name: value`")
        key = key_node.value
        if key == "<<":
            raise StrictYamlError(key_line, "merge keys (<<) are not allowed", "write keys out")
        if key in entries:
            raise StrictYamlError(
                key_line,
                f"duplicate key '{key}' (first on line {key_lines[key]})",
                "keep one of the two",
            )
        entries[key] = _convert(value_node, offset)
        key_lines[key] = key_line
    return Mapping(entries, key_lines, line)

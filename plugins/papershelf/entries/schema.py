"""The entry schema: one set of field rules for ``.yaml`` and ``.md`` entries.

Each rule turns a located YAML value into a typed value or a Problem that names the
field, says what is wrong and how to fix it. All problems of an entry are reported,
not just the first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import unquote, urlsplit

from papershelf.entries.model import Links, Paper, Problem
from papershelf.entries.strict_yaml import Mapping, Scalar, Sequence, Value
from papershelf.entries.text_rules import (
    ABSTRACT_MAX,
    CONTROL_CHARACTERS,
    NAME_MAX,
    NOTES_MAX,
    TITLE_MAX,
    character_problem,
    length_problem,
)
from papershelf.entries.vocabulary import Vocabulary, did_you_mean

FIELDS = (
    "title",
    "authors",
    "author_count",
    "organization",
    "organization_id",
    "published",
    "added",
    "tags",
    "abstract",
    "links",
    "votes",
    "notes",
)
LINK_KINDS = ("arxiv", "pdf", "code", "project", "doi")
REQUIRED = ("title", "added", "tags")

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INTEGER = re.compile(r"^[0-9]+$")
# New-style (2310.06770, optional version) and old-style (hep-th/9901001) arXiv ids.
_ARXIV = re.compile(r"^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7})(v\d+)?$")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_ARXIV_INSIDE = re.compile(r"(?<![\d.])\d{4}\.\d{4,5}(v\d+)?(?!\d)")
# Whitespace in a link: how to name it and what to do instead.
_WHITESPACE = {
    " ": ("a space", "replace it with %20"),
    "\t": ("a tab", "delete it"),
    "\n": ("a line break", "write the link on one line"),
    "\r": ("a line break", "write the link on one line"),
}
# The longest text each field may hold (papershelf.entries.text_rules); other one-line fields
# (authors, organisation) hold at most NAME_MAX characters.
TEXT_LIMITS = {"title": TITLE_MAX, "abstract": ABSTRACT_MAX, "notes": NOTES_MAX}


class _Collector:
    """Problems of one entry; ``fail`` records one and returns None for chaining."""

    def __init__(self, path: str, fallback_line: int) -> None:
        self.path = path
        self.fallback_line = fallback_line
        self.problems: list[Problem] = []

    def fail(self, line: int | None, field: str, message: str, fix: str) -> None:
        self.problems.append(Problem(self.path, line or self.fallback_line, field, message, fix))


def normalise_text(text: str) -> str:
    """NFC and trimmed: the same title typed twice compares equal."""
    return unicodedata.normalize("NFC", text).strip()


def build_paper(
    root: Value | None,
    *,
    slug: str,
    path: str,
    vocabulary: Vocabulary,
    body_notes: str | None = None,
    first_line: int = 1,
    body_line: int | None = None,
) -> tuple[Paper | None, list[Problem]]:
    """Check one entry's fields; return the Paper (None if invalid) and all problems.

    ``body_notes`` is the Markdown body of a ``.md`` entry; such entries must not also
    carry a ``notes`` field.
    """
    report = _Collector(path, first_line)
    if not isinstance(root, Mapping):
        report.fail(first_line, "entry", "expected `field: value` lines", "start with `title: ...`")
        return None, report.problems
    entries, lines = root.entries, root.key_lines

    for key in entries:
        if key not in FIELDS:
            report.fail(lines[key], key, "unknown field", did_you_mean(key, FIELDS))
    for key in REQUIRED:
        if key not in entries or _is_null(entries[key]):
            report.fail(lines.get(key), key, "required field is missing", f"add `{key}: ...`")

    def field(name: str, convert: Callable[[Value, str, _Collector], Any], default: Any) -> Any:
        value = entries.get(name)
        if value is None or _is_null(value):
            return default
        converted = convert(value, name, report)
        return default if converted is None else converted

    title = field("title", _single_line_text, None)
    authors = field("authors", _text_list, ())
    author_count = field("author_count", _positive_int, None)
    if authors and author_count is not None:
        report.fail(
            lines["author_count"],
            "author_count",
            "both authors and author_count are given",
            "keep `authors` (the count is derived from it) and remove `author_count`",
        )
    organization = field("organization", _single_line_text, None)
    organization_id = field("organization_id", _single_line_text, None)
    if organization_id and not organization:
        report.fail(
            lines["organization_id"],
            "organization_id",
            "organization_id without organization",
            "add `organization: <display name>`",
        )
    published = field("published", _date, None)
    added = field("added", _date, None)
    tags = field("tags", lambda v, n, r: _tags(v, n, r, vocabulary), ())
    tags_given = "tags" in entries and not _is_null(entries["tags"])
    if tags_given and not tags and not any(p.field == "tags" for p in report.problems):
        report.fail(lines["tags"], "tags", "at least one tag is required", "add a tag id")
    abstract = field("abstract", _text, "")
    links = field("links", _links, Links())
    votes = field("votes", _non_negative_int, None)
    notes = field("notes", _text, "")
    if body_notes is not None:
        if "notes" in entries:
            report.fail(
                lines["notes"],
                "notes",
                "a Markdown entry keeps its notes in the body",
                "move the notes below the closing `---` and remove the `notes` field",
            )
        notes = body_notes.strip()
        problem = character_problem(notes, one_line=False) or length_problem(notes, NOTES_MAX)
        if problem:
            report.fail(body_line or first_line, "notes", *problem)

    if report.problems or title is None or added is None:
        return None, report.problems
    paper = Paper(
        slug=slug,
        title=title,
        added=added,
        tags=tags,
        authors=authors,
        author_count=author_count,
        organization=organization,
        organization_id=organization_id,
        published=published,
        abstract=abstract,
        links=links,
        votes=votes,
        notes=notes,
    )
    return paper, report.problems


def _is_null(value: Value) -> bool:
    return isinstance(value, Scalar) and value.is_null


def _scalar(value: Value, name: str, report: _Collector, what: str) -> Scalar | None:
    if isinstance(value, Scalar):
        return value
    kind = "a list" if isinstance(value, Sequence) else "a mapping"
    report.fail(value.line, name, f"expected {what}, found {kind}", f"write `{name}: <{what}>`")
    return None


def _text(value: Value, name: str, report: _Collector, *, one_line: bool = False) -> str | None:
    scalar = _scalar(value, name, report, "text")
    if scalar is None:
        return None
    text = normalise_text(scalar.text)
    limit = TEXT_LIMITS.get(name, NAME_MAX if one_line else None)
    problem = character_problem(text, one_line=one_line) or (
        length_problem(text, limit) if limit else None
    )
    if problem:
        report.fail(scalar.line, name, *problem)
        return None
    return text


def _single_line_text(value: Value, name: str, report: _Collector) -> str | None:
    text = _text(value, name, report, one_line=True)
    if text is None:
        return None
    if not text:
        report.fail(value.line, name, "is empty", f"write the {name} or remove the line")
        return None
    return " ".join(text.split())


def _text_list(value: Value, name: str, report: _Collector) -> tuple[str, ...] | None:
    if not isinstance(value, Sequence):
        report.fail(
            value.line, name, "expected a list of names", f"write `{name}: [Ada Lovelace, ...]`"
        )
        return None
    names = [_single_line_text(item, name, report) for item in value.items]
    if any(n is None for n in names):
        return None
    return tuple(n for n in names if n)


def _integer(value: Value, name: str, report: _Collector, minimum: int) -> int | None:
    scalar = _scalar(value, name, report, "a whole number")
    if scalar is None:
        return None
    text = scalar.text.strip()
    if not _INTEGER.match(text) or int(text) < minimum:
        report.fail(
            scalar.line,
            name,
            f"'{text}' is not a whole number of at least {minimum}",
            f"write e.g. `{name}: {max(minimum, 3)}`",
        )
        return None
    return int(text)


def _positive_int(value: Value, name: str, report: _Collector) -> int | None:
    return _integer(value, name, report, 1)


def _non_negative_int(value: Value, name: str, report: _Collector) -> int | None:
    return _integer(value, name, report, 0)


def _date(value: Value, name: str, report: _Collector) -> date | None:
    scalar = _scalar(value, name, report, "a date")
    if scalar is None:
        return None
    text = scalar.text.strip()
    try:
        if not _DATE.match(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        report.fail(
            scalar.line,
            name,
            f"'{text}' is not a valid date",
            "use YYYY-MM-DD with a real day, e.g. 2024-02-29",
        )
        return None


def _tags(
    value: Value, name: str, report: _Collector, vocabulary: Vocabulary
) -> tuple[str, ...] | None:
    if not isinstance(value, Sequence):
        report.fail(value.line, name, "expected a list of tag ids", "write `tags: [agents]`")
        return None
    result: list[str] = []
    for item in value.items:
        if not isinstance(item, Scalar) or not item.text.strip():
            report.fail(item.line, name, "expected a tag id", "write `tags: [agents]`")
            continue
        raw = item.text.strip()
        tag = vocabulary.resolve(raw)
        if tag is None:
            report.fail(item.line, name, f"unknown tag '{raw}'", vocabulary.unknown_tag_hint(raw))
        elif tag in result:
            report.fail(item.line, name, f"tag '{raw}' is listed twice", "remove the repeat")
        else:
            result.append(tag)
    return tuple(result)


def _links(value: Value, name: str, report: _Collector) -> Links | None:
    if not isinstance(value, Mapping):
        report.fail(
            value.line,
            name,
            "expected link kinds with values",
            "write `links:` then `  pdf: https://...`",
        )
        return None
    found: dict[str, str] = {}
    for kind, item in value.entries.items():
        line = value.key_lines[kind]
        field_name = f"links.{kind}"
        if kind not in LINK_KINDS:
            report.fail(line, field_name, "unknown link kind", did_you_mean(kind, LINK_KINDS))
            continue
        if _is_null(item):
            continue
        scalar = _scalar(item, field_name, report, "text")
        if scalar is None:
            continue
        text = scalar.text.strip()
        if kind == "arxiv":
            bare = bare_arxiv_id(text)
            if bare is None:
                report.fail(
                    line,
                    field_name,
                    f"'{text}' is not an arXiv id",
                    f'write the bare id: arxiv: "{_arxiv_example(text)}"',
                )
                continue
            text = bare
        elif kind == "doi":
            bare = bare_doi(text)
            if bare is None:
                report.fail(
                    line,
                    field_name,
                    f"'{text}' is not a DOI",
                    "write the bare DOI, e.g. 10.1145/3377811",
                )
                continue
            text = bare
        else:
            wrong = url_problem(text)
            if wrong is not None:
                report.fail(line, field_name, *wrong)
                continue
        found[kind] = text
    return Links(**found)


def bare_arxiv_id(text: str) -> str | None:
    """The bare arXiv id in ``2310.06770``, ``arXiv:2310.06770`` or an arxiv.org abs/pdf
    link (http or https, with or without www, a version or ``.pdf``); else None."""
    text = text.strip()
    for prefix in ("arXiv:", "arxiv:"):
        text = text.removeprefix(prefix)
    if _ARXIV.match(text):
        return text
    if not is_http_url(text):
        return None
    parts = urlsplit(text)
    if parts.hostname not in ("arxiv.org", "www.arxiv.org"):
        return None
    path = parts.path.removesuffix("/")
    for kind in ("/abs/", "/pdf/"):
        if path.startswith(kind):
            found = path.removeprefix(kind).removesuffix(".pdf")
            return found if _ARXIV.match(found) else None
    return None


def _arxiv_example(text: str) -> str:
    """An id for the fix: the one inside ``text`` if it holds one, else an example."""
    found = _ARXIV_INSIDE.search(text)
    return found[0] if found else "2310.06770"


def bare_doi(text: str) -> str | None:
    """The bare DOI in ``10.1145/3377811``, ``doi:10.1145/3377811`` or a doi.org link;
    else None."""
    text = text.strip()
    if text[:4].lower() == "doi:":
        text = text[4:].strip()
    elif is_http_url(text):
        parts = urlsplit(text)
        if parts.hostname not in ("doi.org", "dx.doi.org", "www.doi.org"):
            return None
        text = unquote(parts.path.removeprefix("/"))
    return text if _DOI.match(text) else None


def url_problem(text: str) -> tuple[str, str] | None:
    """(message, fix) when ``text`` is not an allowed link, else None."""
    if is_http_url(text):
        return None
    spaces = [ch for ch in text if ch.isspace()]
    if spaces and is_http_url("".join("%20" if ch.isspace() else ch for ch in text)):
        what, fix = _WHITESPACE.get(spaces[0], ("a whitespace character", "delete it"))
        return f"'{text}' contains {what}", fix
    return f"'{text}' is not an http(s) link", "use a full URL starting with https://"


def is_http_url(text: str) -> bool:
    """Only absolute http(s) URLs with a host and no whitespace are allowed."""
    if any(ch.isspace() for ch in text) or CONTROL_CHARACTERS.search(text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)

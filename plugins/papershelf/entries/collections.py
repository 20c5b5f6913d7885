"""Reading paths (``collections/<slug>.yml``): a curator's ordered way through the list.

A path has a title, a description and its papers in reading order, each with a short
note. Its file is checked like an entry: strict YAML (papershelf.entries.strict_yaml,
lines kept), the text rules of entries, and every problem of every file reported at
once as ``FILE:LINE: FIELD: message (fix)``. :func:`build_collection` (a parsed file
-> a Collection or problems) is pure; :func:`load_collections` reads the folder.

A path names papers by slug. It is checked against the slugs of the entry files
(:func:`entry_slugs`), whether or not those entries are valid: a broken entry is
reported once, on the entry, not again on every path that lists it.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Set
from dataclasses import dataclass, field, replace
from pathlib import Path

from papershelf.entries import strict_yaml
from papershelf.entries.loader import ENTRY_SUFFIXES, entry_files
from papershelf.entries.model import Problem
from papershelf.entries.paths import display_path
from papershelf.entries.schema import normalise_text
from papershelf.entries.slugs import is_valid_slug, slugify
from papershelf.entries.text_rules import (
    DESCRIPTION_MAX,
    ENTRY_FILE_MAX,
    TITLE_MAX,
    character_problem,
    length_problem,
)
from papershelf.entries.vocabulary import did_you_mean

SUFFIX = ".yml"
FIELDS = ("title", "description", "papers")
ITEM_FIELDS = ("slug", "note")
NOTE_MAX = 1_000  # "a short note" on one paper of a path, in characters
PAPERS_MAX = 200  # papers on one path: its page and feed list them all


@dataclass(frozen=True, slots=True)
class PathItem:
    """One step of a reading path: a paper (by slug) and why to read it there."""

    slug: str
    note: str


@dataclass(frozen=True, slots=True)
class Collection:
    """A reading path, as validated from ``collections/<slug>.yml``; ``items`` in
    reading order, each paper once."""

    slug: str
    title: str
    description: str
    items: tuple[PathItem, ...]
    source: Path | None = field(default=None, compare=False)

    @property
    def slugs(self) -> tuple[str, ...]:
        return tuple(item.slug for item in self.items)


_ITEM_FIX = "write `- slug: paper-slug` and under it `  note: why to read it here`"


class _Report:
    """The problems of one file; lines default to the file's first."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def __call__(self, line: int | None, field_name: str, message: str, fix: str) -> None:
        self.problems.append(Problem(self.path, line or 1, field_name, message, fix))


def build_collection(
    root: strict_yaml.Value | None, *, slug: str, path: str, known: Set[str]
) -> tuple[Collection | None, list[Problem]]:
    """Check one path's fields against ``known`` paper slugs; the Collection (None if
    anything is wrong) and every problem."""
    report = _Report(path)
    if not isinstance(root, strict_yaml.Mapping):
        line = root.line if root is not None else 1
        report(line, "collection", "expected `field: value` lines", "start with `title: ...`")
        return None, report.problems
    entries, lines = root.entries, root.key_lines
    for key in entries:
        if key not in FIELDS:
            report(lines[key], key, "unknown field", did_you_mean(key, FIELDS))
    for key in FIELDS:
        if key == "papers" and key in entries and _is_null(entries[key]):
            report(lines[key], key, "a reading path needs at least one paper", _ITEM_FIX)
        elif key not in entries or _is_null(entries[key]):
            report(lines.get(key), key, "required field is missing", f"add `{key}: ...`")
    title = description = None
    if "title" in entries and not _is_null(entries["title"]):
        title = _text(entries["title"], "title", report, limit=TITLE_MAX, one_line=True)
    if "description" in entries and not _is_null(entries["description"]):
        description = _text(entries["description"], "description", report, limit=DESCRIPTION_MAX)
    items: tuple[PathItem, ...] = ()
    if "papers" in entries and not _is_null(entries["papers"]):
        items = _items(entries["papers"], lines["papers"], report, known)
    if report.problems or title is None or description is None:
        return None, report.problems
    return Collection(slug, title, description, items), []


def _is_null(value: strict_yaml.Value) -> bool:
    return isinstance(value, strict_yaml.Scalar) and value.is_null


def _text(
    value: strict_yaml.Value, name: str, report: _Report, *, limit: int, one_line: bool = False
) -> str | None:
    """Checked text: NFC, trimmed (a one-line field with single spaces), not empty."""
    if not isinstance(value, strict_yaml.Scalar):
        kind = "a list" if isinstance(value, strict_yaml.Sequence) else "a mapping"
        report(value.line, name, f"expected text, found {kind}", f"write `{name}: <text>`")
        return None
    text = normalise_text(value.text)
    if one_line:
        text = " ".join(text.split())
    if not text:
        report(value.line, name, "is empty", f"write the {name.split('.')[-1]}")
        return None
    problem = character_problem(text, one_line=one_line)
    if problem is None and (too_long := length_problem(text, limit)):
        problem = (too_long[0], "shorten it: a path's texts are short, its papers say the rest")
    if problem:
        report(value.line, name, *problem)
        return None
    return text


def _items(
    value: strict_yaml.Value, line: int, report: _Report, known: Set[str]
) -> tuple[PathItem, ...]:
    """The papers of a path (``line``: its ``papers:`` key), in order; problems for each
    bad one."""
    if not isinstance(value, strict_yaml.Sequence):
        report(line, "papers", "expected a list of papers", _ITEM_FIX)
        return ()
    if not value.items:
        report(line, "papers", "a reading path needs at least one paper", _ITEM_FIX)
        return ()
    if len(value.items) > PAPERS_MAX:
        report(
            line,
            "papers",
            f"lists {len(value.items)} papers; a reading path may have at most {PAPERS_MAX}",
            "split it into shorter paths",
        )
    items: list[PathItem] = []
    steps: dict[str, int] = {}  # slug -> its step (1-based)
    for number, item in enumerate(value.items, start=1):
        if not isinstance(item, strict_yaml.Mapping):
            report(item.line, "papers", "expected a paper's `slug:` and `note:`", _ITEM_FIX)
            continue
        for key in item.entries:
            if key not in ITEM_FIELDS:
                fix = did_you_mean(key, ITEM_FIELDS)
                report(item.key_lines[key], f"papers.{key}", "unknown field", fix)
        slug = _paper_slug(item, report, known)
        note = None
        raw_note = item.entries.get("note")
        if raw_note is None or _is_null(raw_note):
            line = item.key_lines.get("note", item.line)
            report(line, "papers.note", "every paper on a path needs a note", "add `note: ...`")
        else:
            note = _text(raw_note, "papers.note", report, limit=NOTE_MAX)
        if slug is not None and slug in steps:
            report(
                item.key_lines["slug"],
                "papers.slug",
                f"'{slug}' is already step {steps[slug]} of this path",
                "list each paper once: remove one of the two",
            )
            continue
        if slug is not None:
            steps[slug] = number
            if note is not None:
                items.append(PathItem(slug, note))
    return tuple(items)


def _paper_slug(item: strict_yaml.Mapping, report: _Report, known: Set[str]) -> str | None:
    raw = item.entries.get("slug")
    if raw is None or _is_null(raw):
        line = item.key_lines.get("slug", item.line)
        fix = "add `slug: ...`: the file name of the paper's entry in papers/, without .yaml"
        report(line, "papers.slug", "required field is missing", fix)
        return None
    line = item.key_lines["slug"]
    if not isinstance(raw, strict_yaml.Scalar):
        report(line, "papers.slug", "expected a paper's slug", _ITEM_FIX)
        return None
    slug = raw.text.strip()
    if slug in known:
        return slug
    report(line, "papers.slug", f"no paper '{slug}' on the list", unknown_paper_hint(slug, known))
    return None


def unknown_paper_hint(slug: str, known: Set[str]) -> str:
    """The fix for a slug that names no paper: the slug in a path written as a file
    name, else the closest slug, else where slugs come from."""
    stem = Path(slug).stem if slug.endswith(ENTRY_SUFFIXES) else Path(slug).name
    if stem != slug and stem in known:
        return f"write the slug alone: '{stem}'"
    close = difflib.get_close_matches(slug, sorted(known), n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return "use the file name of a paper's entry in papers/, without .yaml or .md"


def entry_slugs(papers_dir: Path) -> set[str]:
    """The slugs of the entry files in ``papers_dir`` (valid or not)."""
    return {path.stem for path in entry_files(papers_dir) if path.suffix in ENTRY_SUFFIXES}


def collection_files(folder: Path) -> list[Path]:
    """The files of the collections folder, sorted by name (none if it is missing)."""
    if not folder.is_dir():
        return []
    with os.scandir(folder) as scan:
        names = sorted(e.name for e in scan if e.is_file() and not e.name.startswith("."))
    return [folder / name for name in names]


def load_collection(path: Path, known: Set[str]) -> tuple[Collection | None, list[Problem]]:
    """Read and check one path file; never raises for bad content."""
    shown = display_path(path)
    stem, suffix = path.stem, path.suffix
    if suffix != SUFFIX:
        fix = f"rename it to {stem}{SUFFIX}"
        if suffix != ".yaml":
            fix = f"reading paths are {SUFFIX} files; keep other files elsewhere"
        return None, [Problem(shown, 1, "file", f"unexpected file type '{suffix}'", fix)]
    problems: list[Problem] = []
    if not is_valid_slug(stem):
        better = slugify(stem) or "reading-path"
        fix = f"rename it to {better}{SUFFIX} (lowercase a-z, 0-9 and -)"
        problems.append(Problem(shown, 1, "slug", f"file name '{stem}' is not a valid slug", fix))
    try:
        data = path.read_bytes()
        if len(data) > ENTRY_FILE_MAX:
            message = f"is {len(data):,} bytes; a reading path may be at most {ENTRY_FILE_MAX:,}"
            return None, [*problems, Problem(shown, 1, "file", message, "shorten the notes")]
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError:
        return None, [*problems, Problem(shown, 1, "file", "not UTF-8 text", "save as UTF-8")]
    except OSError as error:
        unread = Problem(shown, 1, "file", f"cannot be read ({error.strerror})", "check its name")
        return None, [*problems, unread]
    try:
        root = strict_yaml.parse(text.removeprefix("\ufeff"))
    except strict_yaml.StrictYamlError as error:
        return None, [*problems, Problem(shown, error.line, "yaml", error.message, error.fix)]
    collection, more = build_collection(root, slug=stem, path=shown, known=known)
    problems.extend(more)
    if problems or collection is None:
        return None, sorted(problems)
    return replace(collection, source=path), []


def load_collections(
    folder: Path, known: Set[str], paths: list[Path] | None = None
) -> tuple[list[Collection], list[Problem]]:
    """Every reading path in ``folder`` (or only the files ``paths``), checked against
    the ``known`` paper slugs: the valid ones, sorted by slug, and every problem. A
    missing folder holds no paths."""
    found: list[Collection] = []
    problems: list[Problem] = []
    for path in collection_files(folder) if paths is None else paths:
        collection, more = load_collection(path, known)
        problems.extend(more)
        if collection is not None:
            found.append(collection)
    return sorted(found, key=lambda c: c.slug), problems

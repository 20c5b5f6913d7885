"""Files in ``papers/`` -> validated Papers, with every problem of every file.

I/O lives here and nowhere else in the data layer: read each file, split Markdown
front matter, hand the YAML tree to the schema, then check the collection as a whole
(slug clashes, duplicate papers).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Protocol, TypeVar

import frontmatter

from papershelf.entries import strict_yaml
from papershelf.entries.model import Paper, Problem
from papershelf.entries.paths import display_path as display_path
from papershelf.entries.schema import build_paper
from papershelf.entries.slugs import is_valid_slug, slugify, title_key
from papershelf.entries.text_rules import ENTRY_FILE_MAX
from papershelf.entries.vocabulary import Vocabulary, load_vocabulary

ENTRY_SUFFIXES = (".yaml", ".md")
_FRONT_MATTER = frontmatter.YAMLHandler()
_ARXIV_VERSION = re.compile(r"v\d+$")
_Item = TypeVar("_Item")
_Result = TypeVar("_Result")


class KnownEntries(Protocol):
    """Entries parsed by an earlier build (papershelf.speed.entry_cache.EntryCache)."""

    def lookup(self, path: Path) -> tuple[Paper | None, bytes | None]:
        """The cached Paper of an unchanged file, else None and the file's bytes."""
        ...

    def store(self, path: Path, data: bytes, paper: Paper) -> None: ...

    def keep_only(self, paths: set[str]) -> None: ...


class ParseMany(Protocol):
    """Applies ``parse`` to ``items`` and returns its results in order, in any way
    (papershelf.speed.forking.in_two_processes splits them across a forked helper)."""

    def __call__(
        self,
        parse: Callable[[Sequence[_Item]], list[_Result]],
        items: Sequence[_Item],
        name: str,
    ) -> list[_Result]: ...


def in_order(
    parse: Callable[[Sequence[_Item]], list[_Result]], items: Sequence[_Item], name: str
) -> list[_Result]:
    return parse(items)


@dataclass(frozen=True)
class LoadResult:
    papers: list[Paper]
    vocabulary: Vocabulary
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


def entry_files(papers_dir: Path) -> list[Path]:
    """Entry files in a stable order (sorted by name)."""
    if not papers_dir.is_dir():
        return []
    with os.scandir(papers_dir) as scan:  # file types without a stat() per file
        names = sorted(e.name for e in scan if e.is_file() and not e.name.startswith("."))
    return [papers_dir / name for name in names]


def load_project(
    papers_dir: Path,
    tags_file: Path,
    paths: Iterable[Path] | None = None,
    cache: KnownEntries | None = None,
    parse_many: ParseMany = in_order,
    today: date | None = None,
    newest: Iterable[Path] | None = None,
) -> LoadResult:
    """Load the vocabulary and the entries (all of ``papers_dir`` unless ``paths``).

    With a ``cache`` (whole-project loads only) unchanged entries are not parsed again;
    ``parse_many`` parses the others (in this process unless told otherwise).
    An ``added`` date after ``today`` (default: the real today) is a problem. The
    entry files in ``newest`` (those a pull request adds) count as the newest when
    duplicates are looked for, so a clash is reported on them; otherwise the entry
    added last is.
    """
    vocabulary, problems = load_vocabulary(tags_file)
    files = entry_files(papers_dir) if paths is None else _expand(paths)
    use_cache = cache is not None and paths is None
    found: list[tuple[Paper | None, list[Problem]]] = []
    todo: list[tuple[int, Path, bytes | None]] = []
    for index, path in enumerate(files):
        paper, data = cache.lookup(path) if use_cache and cache else (None, None)
        found.append((paper, []))
        if paper is None:
            todo.append((index, path, data))
    for (index, path, data), loaded in zip(todo, _parse(todo, vocabulary, parse_many), strict=True):
        found[index] = loaded
        paper, entry_problems = loaded
        if use_cache and cache and paper is not None and not entry_problems and data is not None:
            cache.store(path, data, paper)  # entries with problems are checked every time
    papers: list[Paper] = []
    for paper, entry_problems in found:
        problems.extend(entry_problems)
        if paper is not None:
            papers.append(paper)
    if use_cache and cache:
        cache.keep_only({str(path) for path in files})
    problems.extend(future_added(papers, today or date.today()))
    order = _duplicate_order(newest)
    if paths is None:
        # Oldest first, so the clash is reported on the entry added last (or on one of
        # ``newest``): the one a contributor's pull request brings in.
        problems.extend(find_duplicates(sorted(papers, key=order)))
    else:
        # Checking a few files still compares them against the whole collection; the
        # checked files come last so that a clash is reported on them.
        checked = {path.resolve() for path in files}
        others = [
            paper
            for paper in _load_quietly(entry_files(papers_dir), vocabulary)
            if paper.source and paper.source.resolve() not in checked
        ]
        shown = {display_path(path) for path in files}
        ordered = sorted(others, key=order) + sorted(papers, key=order)
        problems.extend(p for p in find_duplicates(ordered) if p.path in shown)
    return LoadResult(papers, vocabulary, sorted(set(problems), key=_problem_order))


def future_added(papers: Iterable[Paper], today: date) -> list[Problem]:
    """An ``added`` date more than a day after ``today`` (a day's grace for time zones)."""
    latest = today + timedelta(days=1)
    return [
        Problem(
            display_path(paper.source) if paper.source else paper.slug,
            field_line(paper.source, "added") if paper.source else 1,
            "added",
            f"{paper.added.isoformat()} is in the future",
            f"use the day the paper joins the list, e.g. {today.isoformat()}",
        )
        for paper in papers
        if paper.added > latest
    ]


def _duplicate_order(newest: Iterable[Path] | None) -> Callable[[Paper], tuple[bool, date, str]]:
    """Sort key for :func:`find_duplicates`: (is one of ``newest``, added, path)."""
    resolved = {path.resolve() for path in newest or ()}
    names = {path.name for path in resolved}

    def order(paper: Paper) -> tuple[bool, date, str]:
        source = paper.source
        is_newest = (
            source is not None and source.name in names and source.resolve() in resolved
        )  # the name first: no resolve() for the thousands of other entries
        return (is_newest, paper.added, str(source or paper.slug))

    return order


def _problem_order(problem: Problem) -> tuple[str, int, str, str]:
    return (problem.path, problem.line, problem.field, problem.message)


def _expand(paths: Iterable[Path]) -> list[Path]:
    result: list[Path] = []
    for path in paths:
        result.extend(entry_files(path) if path.is_dir() else [path])
    return result


def _parse(
    todo: list[tuple[int, Path, bytes | None]], vocabulary: Vocabulary, parse_many: ParseMany
) -> list[tuple[Paper | None, list[Problem]]]:
    """``load_entry`` for each (index, path, bytes or None), in order."""

    def parse(items: Sequence[tuple[int, Path, bytes | None]]) -> list[tuple[Paper | None, list]]:
        return [load_entry(path, vocabulary, data) for _, path, data in items]

    return parse_many(parse, todo, "load")


def _load_quietly(files: list[Path], vocabulary: Vocabulary) -> list[Paper]:
    return [paper for path in files if (paper := load_entry(path, vocabulary)[0]) is not None]


def load_entry(
    path: Path, vocabulary: Vocabulary, data: bytes | None = None
) -> tuple[Paper | None, list[Problem]]:
    """Read one entry file (or its ``data``, already read); never raises for bad
    content, returns problems instead."""
    shown = display_path(path)
    stem, suffix = path.stem, path.suffix
    problems: list[Problem] = []
    if suffix not in ENTRY_SUFFIXES:
        fix = f"rename it to {stem}.yaml" if suffix == ".yml" else "entries are .yaml or .md files"
        return None, [Problem(shown, 1, "file", f"unexpected file type '{suffix}'", fix)]
    if not is_valid_slug(stem):
        better = slugify(stem) or "paper-title"
        problems.append(
            Problem(
                shown,
                1,
                "slug",
                f"file name '{stem}' is not a valid slug",
                f"rename it to {better}{suffix} (lowercase a-z, 0-9 and -)",
            )
        )
    try:
        if data is None:
            data = path.read_bytes()
        # A bound on what one entry can add to every page and feed it is in.
        if len(data) > ENTRY_FILE_MAX:
            too_big = Problem(
                shown,
                1,
                "file",
                f"is {len(data):,} bytes; an entry may be at most {ENTRY_FILE_MAX:,}",
                "shorten the abstract or the notes",
            )
            return None, [*problems, too_big]
        # As read_text does: universal newlines.
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError:
        return None, [*problems, Problem(shown, 1, "file", "not UTF-8 text", "save as UTF-8")]
    text = text.removeprefix("\ufeff")
    body: str | None = None
    offset = 0
    if suffix == ".md":
        split = split_front_matter(text)
        if split is None:
            problems.append(
                Problem(
                    shown,
                    1,
                    "front matter",
                    "no YAML front matter found",
                    "start the file with a `---` line, the fields, then another `---` line",
                )
            )
            return None, problems
        text, body, offset = split
    try:
        root = strict_yaml.parse(text, line_offset=offset)
    except strict_yaml.StrictYamlError as error:
        return None, [*problems, Problem(shown, error.line, "yaml", error.message, error.fix)]
    paper, entry_problems = build_paper(
        root,
        slug=stem,
        path=shown,
        vocabulary=vocabulary,
        body_notes=body,
        first_line=offset + 1,
        body_line=offset + text.count("\n") + 2 if body is not None else None,
    )
    problems.extend(entry_problems)
    if problems or paper is None:
        return None, problems
    return replace(paper, source=path), []


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter YAML, Markdown body, lines before the YAML) or None."""
    if not _FRONT_MATTER.detect(text):
        return None
    try:
        front, body = _FRONT_MATTER.split(text)
    except ValueError:
        return None
    offset = text[: text.index(front)].count("\n") if front else 1
    return front, body, offset


def identity_keys(paper: Paper) -> list[tuple[str, str]]:
    """What makes two entries the same paper: slug, title (normalised), arXiv id (any
    version) or DOI (any case); see :func:`find_duplicates`."""
    keys = [("slug", paper.slug), ("title", title_key(paper.title))]
    if paper.links.arxiv:
        keys.append(("arXiv id", _ARXIV_VERSION.sub("", paper.links.arxiv)))
    if paper.links.doi:
        keys.append(("DOI", paper.links.doi.lower()))
    return keys


def find_duplicates(papers: list[Paper]) -> list[Problem]:
    """The same paper twice: same slug, title, arXiv id (any version) or DOI (any case).

    The later paper in ``papers`` is the one reported, naming the earlier one.
    """
    problems: list[Problem] = []
    seen: dict[tuple[str, str], Paper] = {}
    for paper in papers:
        for kind, key in identity_keys(paper):
            first = seen.setdefault((kind, key), paper)
            if first is paper:
                continue
            field = {
                "slug": "slug",
                "title": "title",
                "arXiv id": "links.arxiv",
                "DOI": "links.doi",
            }[kind]
            value = f" ({key})" if kind in ("arXiv id", "DOI") else ""
            other = display_path(first.source) if first.source else first.slug
            problems.append(
                Problem(
                    display_path(paper.source) if paper.source else paper.slug,
                    field_line(paper.source, field) if paper.source else 1,
                    field,
                    f"same {kind}{value} as {other}",
                    "rename one of the files"
                    if kind == "slug"
                    else "keep one entry, delete the other",
                )
            )
    return problems


def field_line(path: Path, field: str) -> int:
    """Line of ``field`` (dotted for links, e.g. ``links.arxiv``) in an entry file, else 1.

    Only cross-file problems need it, so the file is read again rather than every
    Paper carrying the lines of its fields.
    """
    try:
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
        offset = 0
        if path.suffix == ".md":
            split = split_front_matter(text)
            if split is None:
                return 1
            text, _, offset = split
        node = strict_yaml.parse(text, line_offset=offset)
    except (OSError, UnicodeDecodeError, strict_yaml.StrictYamlError):
        return 1
    line = 1
    for part in field.split("."):
        if not isinstance(node, strict_yaml.Mapping) or part not in node.key_lines:
            return line
        line, node = node.key_lines[part], node.entries[part]
    return line

"""``papershelf validate [PATH...]``: check entries and reading paths, print every
problem at once.

On GitHub Actions each problem is also printed as an ``::error`` workflow command, so
the pull request shows it on the offending line of the contributor's file.

A paper listed twice is reported on the file a pull request adds, not on the older
entry: git says which entry files are new (``--new-since REF``, or by default those not
in HEAD); outside git the entry added last is the one reported.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from papershelf.entries.collections import collection_files, entry_slugs, load_collections
from papershelf.entries.loader import load_project
from papershelf.entries.model import Problem

HELP = (
    "Check paper entries and reading paths; report every problem as "
    "FILE:LINE: FIELD: message (fix)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        help="entry or reading path files or folders (default: all of papers/ and collections/)",
    )
    parser.add_argument("--papers", type=Path, default=Path("papers"), help="entries folder")
    parser.add_argument(
        "--collections",
        type=Path,
        default=Path("collections"),
        help="reading paths folder (a missing one holds none)",
    )
    parser.add_argument("--tags", type=Path, default=Path("tags.yml"), help="tag vocabulary")
    parser.add_argument(
        "--new-since",
        metavar="REF",
        help="git ref (e.g. origin/main or HEAD^1): entry files added since it count as the "
        "newest, so a duplicate is reported on them (default: files not yet in HEAD)",
    )


def run(args: argparse.Namespace) -> int:
    try:
        newest = new_entry_files(args.papers, args.new_since)
    except GitRefError as error:
        print(f"papershelf validate: --new-since: {error}", file=sys.stderr)
        return 2
    entries, paths = split_paths(args.paths, args.collections)
    everything = not args.paths
    problems: list[Problem] = []
    papers = None
    if everything or entries:
        result = load_project(args.papers, args.tags, entries or None, newest=newest)
        problems.extend(result.problems)
        papers = len(result.papers)
    collections = None
    if everything or paths:
        found, path_problems = load_collections(
            args.collections, entry_slugs(args.papers), None if everything else paths
        )
        problems.extend(path_problems)
        # A list without reading paths is told about papers only, as before paths existed.
        collections = len(found) if found or paths or path_problems else None
    for problem in problems:
        print(problem)
    if problems:
        if os.environ.get("GITHUB_ACTIONS") == "true":
            for problem in problems:
                print(github_annotation(problem))
        print(
            f"{counted(len(problems), 'problem')} found; "
            "every field is explained in CONTRIBUTING.md",
            file=sys.stderr,
        )
        return 1
    if papers is not None:
        print(f"{counted(papers, 'paper')} OK")
    if collections is not None:
        print(f"{counted(collections, 'reading path')} OK")
    return 0


def split_paths(paths: list[Path], collections: Path) -> tuple[list[Path], list[Path]]:
    """The paths given: (entry files or folders, reading path files); a path inside the
    reading paths folder (or the folder itself) is a reading path's."""
    folder = collections.resolve()
    entries: list[Path] = []
    found: list[Path] = []
    for path in paths:
        resolved = path.resolve()
        if resolved == folder or (resolved.is_relative_to(folder) and resolved.is_dir()):
            found.extend(collection_files(path))
        elif resolved.is_relative_to(folder):
            found.append(path)
        else:
            entries.append(path)
    return entries, found


def counted(number: int, noun: str) -> str:
    """``1 paper``, ``2 papers``, ``0 papers``."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


class GitRefError(Exception):
    """``--new-since`` names nothing git knows; the text says what to do."""


def new_entry_files(papers: Path, since: str | None) -> set[Path] | None:
    """Entry files in ``papers`` that a pull request adds: added since the git ref
    ``since`` (or, without it, not in HEAD: newly staged), plus untracked ones.

    None outside a git work tree (or without git), and without ``since`` when HEAD
    has no commit yet: then the entries' added dates decide.
    """
    if not papers.is_dir() or _git(papers, "rev-parse", "--is-inside-work-tree") != "true":
        if since is not None:
            raise GitRefError(f"{papers} is not a folder in a git work tree; leave out --new-since")
        return None
    ref = "HEAD" if since is None else since
    if (
        ref.startswith("-")
        or _git(papers, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}") is None
    ):
        if since is None:
            return None
        raise GitRefError(
            f"git does not know '{since}'; give a branch, tag or commit "
            "(in a shallow clone, fetch it first, e.g. git fetch origin main)"
        )
    # Paths relative to the folder, NUL-separated (no quoting of unusual names); a
    # renamed file counts as added.
    added = _git(
        papers,
        "diff",
        "-z",
        "--name-only",
        "--relative",
        "--no-renames",
        "--diff-filter=A",
        ref,
        "--",
        ".",
    )
    untracked = _git(papers, "ls-files", "-z", "--others", "--exclude-standard", "--", ".")
    names = f"{added or ''}\0{untracked or ''}".split("\0")
    return {papers / name for name in names if name}


def _git(folder: Path, *arguments: str) -> str | None:
    """Output of ``git -C folder ARGUMENTS``; None when git fails or is missing."""
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *arguments],
            capture_output=True,
            encoding="utf-8",
            errors="surrogateescape",
            check=False,
        )
    except OSError:
        return None
    return done.stdout.rstrip("\n") if done.returncode == 0 else None


def github_annotation(problem: Problem) -> str:
    """An ``::error`` workflow command; entry text is escaped so it cannot end the command."""
    return (
        f"::error file={_property(problem.path)},line={problem.line},"
        f"title={_property(problem.field)}::{_data(f'{problem.message} ({problem.fix})')}"
    )


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")

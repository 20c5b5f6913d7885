"""``papershelf validate [PATH...]``: check entries, print every problem at once.

On GitHub Actions each problem is also printed as an ``::error`` workflow command, so
the pull request shows it on the offending line of the contributor's file.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from papershelf.loader import load_project
from papershelf.model import Problem

HELP = "Check paper entries and report every problem as FILE:LINE: FIELD: message (fix)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="*", type=Path, help="entry files or folders (default: all of papers/)"
    )
    parser.add_argument("--papers", type=Path, default=Path("papers"), help="entries folder")
    parser.add_argument("--tags", type=Path, default=Path("tags.yml"), help="tag vocabulary")


def run(args: argparse.Namespace) -> int:
    result = load_project(args.papers, args.tags, args.paths or None)
    for problem in result.problems:
        print(problem)
    if result.problems:
        if os.environ.get("GITHUB_ACTIONS") == "true":
            for problem in result.problems:
                print(github_annotation(problem))
        print(
            f"{len(result.problems)} problem(s) found; every field is explained in CONTRIBUTING.md",
            file=sys.stderr,
        )
        return 1
    print(f"{len(result.papers)} papers OK")
    return 0


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

"""``papershelf validate [PATH...]``: check entries, print every problem at once."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from papershelf.loader import load_project

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
        print(f"{len(result.problems)} problem(s) found", file=sys.stderr)
        return 1
    print(f"{len(result.papers)} papers OK")
    return 0

"""``papershelf list --json``: the entries as a stable JSON array for scripts."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from papershelf.entries.loader import load_project
from papershelf.site.exports import paper_record

HELP = "List the papers (sorted by slug); --json prints the stable JSON shape."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print a JSON array")
    parser.add_argument("--papers", type=Path, default=Path("papers"), help="entries folder")
    parser.add_argument("--tags", type=Path, default=Path("tags.yml"), help="tag vocabulary")


def run(args: argparse.Namespace) -> int:
    result = load_project(args.papers, args.tags)
    if result.problems:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        return 1
    papers = sorted(result.papers, key=lambda p: p.slug)
    if args.json:
        json.dump([paper_record(p) for p in papers], sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for paper in papers:
            print(f"{paper.slug}\t{paper.added.isoformat()}\t{paper.title}")
    return 0

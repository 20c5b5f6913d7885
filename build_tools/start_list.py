"""``papershelf start-list``: clear the shipped reading list for a curator's own.

A fork starts with someone else's papers and vocabulary. This removes every entry of
``papers/`` and replaces ``tags.yml`` with a small starter vocabulary that fits any
field, so the next ``make site`` builds an empty site of one's own. It deletes files,
so it runs only when git can bring them back (a clean work tree) or when told
``--yes``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from papershelf.entries.loader import entry_files

HELP = (
    "Start your own list: delete every entry in papers/ and reset tags.yml to a small "
    "starter vocabulary (refuses on a git tree with uncommitted changes unless --yes)."
)

# A few tags any reading list can use, whatever its field; `uncategorized` is the tag
# `papershelf import` gives papers no keyword rule matches.
STARTER_TAGS = """\
# The tag vocabulary. Every entry's `tags:` must use ids defined here.
#
#   <id>:                 lowercase a-z, 0-9 and -; the URL is tags/<id>/
#     title:              shown on the site
#     description:        one or two sentences, shown on the tag page
#     aliases: [...]      other names accepted in entries (optional)
#     keywords: [...]     words or phrases `papershelf import` matches against title
#                         and abstract to tag new papers (optional)
#
# A starter set from `papershelf start-list`: rename, replace and add your own topics.
# A tag no paper uses yet still gets its (empty) page and feeds.
methods:
  title: Methods
  description: Papers that propose a new method, model or algorithm.
  keywords: [we propose, we introduce, novel method]
surveys:
  title: Surveys
  description: Overviews and reviews of a field.
  aliases: [survey, review]
  keywords: [survey, review, overview]
datasets-and-benchmarks:
  title: Datasets and benchmarks
  description: New datasets, benchmarks and ways to evaluate.
  aliases: [datasets, benchmarks]
  keywords: [dataset, datasets, benchmark, benchmarks]
uncategorized:
  title: Uncategorized
  description: Papers not sorted into a topic yet.
"""

NEXT_STEPS = """\
next steps (README, "Start your own list"):
  1. mkdocs.yml: site_name, site_description (site_url and repo_url come from the
     deploy workflow; edit them only for another host)
  2. content/index.md and content/about.md: say what your list is about
  3. tags.yml: your topics; then add papers with `papershelf new "Title" --tag TAG`
  4. make site, then commit and push: the Deploy workflow publishes to GitHub Pages"""


class StartListError(Exception):
    """Why nothing was changed; the text says what to do."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--yes", action="store_true", help="delete even with uncommitted changes or without git"
    )
    parser.add_argument(
        "--papers", type=Path, default=Path("papers"), metavar="DIR", help="entries folder"
    )
    parser.add_argument(
        "--tags", type=Path, default=Path("tags.yml"), metavar="FILE", help="tag vocabulary"
    )
    parser.add_argument(
        "--collections",
        type=Path,
        default=Path("collections"),
        metavar="DIR",
        help="reading paths folder (its paths name the deleted papers)",
    )


def run(args: argparse.Namespace) -> int:
    try:
        if not args.yes:
            require_clean_git(args.papers if args.papers.is_dir() else Path.cwd())
        removed = clear_entries(args.papers)
        paths = clear_paths(args.collections)
        write_atomically(args.tags, STARTER_TAGS)
    except StartListError as error:
        print(f"papershelf start-list: {error}", file=sys.stderr)
        return 1
    noun = "entry" if removed == 1 else "entries"
    print(f"removed {removed} {noun} from {args.papers}/ and wrote a starter {args.tags}")
    if paths:
        print(f"removed {paths} reading path{'s' if paths != 1 else ''} from {args.collections}/")
    print(NEXT_STEPS)
    return 0


def require_clean_git(folder: Path) -> None:
    """Deleting is safe only when git holds every file as it is now."""
    try:
        status = subprocess.run(
            ["git", "status", "--porcelain"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        status = None
    if status is None or status.returncode != 0:
        raise StartListError(
            "this folder is not a git work tree, so the deleted papers could not be "
            "brought back; run again with --yes to delete them anyway"
        )
    if status.stdout.strip():
        raise StartListError(
            "the git work tree has uncommitted changes; commit or stash them first "
            "(or run again with --yes); nothing was changed"
        )


def clear_entries(papers: Path) -> int:
    """Delete every file the build reads as an entry (hidden files stay); keep the
    folder in git."""
    if not papers.is_dir():
        papers.mkdir(parents=True)
    entries = entry_files(papers)
    for path in entries:
        path.unlink()
    (papers / ".gitkeep").touch()
    return len(entries)


def clear_paths(collections: Path) -> int:
    """Delete the reading paths: they list papers that are gone, and a path that names
    an unknown paper fails the build."""
    if not collections.is_dir():
        return 0
    paths = sorted(collections.glob("*.yml"))
    for path in paths:
        path.unlink()
    return len(paths)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file: never half a vocabulary."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path())
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

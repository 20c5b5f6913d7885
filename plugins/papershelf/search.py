"""Full-text search: a Pagefind index over the paper pages of the built site.

Why Pagefind and not mkdocs-material's built-in search: material's index is one JSON
file holding the text of every page, downloaded whole before the first result, so it
grows linearly with the list (see "Search" in the README for the measured sizes).
Pagefind splits its index into small chunks and a reader's browser fetches only the
chunks a query needs. Paper pages mark their content with ``data-pagefind-body``, so
titles, authors, organisations, tags, abstracts and notes are indexed and navigation
is not. The binary comes from the ``pagefind_bin`` wheel and runs offline.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

OUTPUT_SUBDIR = "pagefind"
# Paper pages (pages.paper_url): the only pages with data-pagefind-body. Reading just
# these skips parsing every tag, archive and organisation page: at 10,000 synthetic
# papers indexing took 12.5 s and 1.3 GB instead of 19 s and 1.7 GB.
PAPER_PAGES = "papers"


class SearchIndexError(RuntimeError):
    """Pagefind could not index the site; the message says what it printed."""


def pagefind_command(site_dir: Path) -> list[str]:
    """The command that indexes ``site_dir`` into ``site_dir/pagefind/``: the paper
    pages, or every page of a list that has no paper yet (Pagefind fails on none)."""
    from pagefind_bin import get_executable  # only needed when a build indexes

    command = [str(get_executable()), "--site", str(site_dir), "--output-subdir", OUTPUT_SUBDIR]
    if (site_dir / PAPER_PAGES).is_dir():
        command += ["--glob", f"{PAPER_PAGES}/**/*.html"]
    return [*command, "--silent"]


def build_search_index(site_dir: Path) -> None:
    """Index the built site in place; raise :class:`SearchIndexError` on failure."""
    try:
        command = pagefind_command(site_dir)
    except FileNotFoundError as error:  # pagefind_bin installed without its binary
        raise SearchIndexError(
            f"the Pagefind binary is missing ({error}); reinstall with "
            "`pip install -c requirements/constraints.txt -e .`"
        ) from error
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr).strip()
        raise SearchIndexError(
            f"Pagefind failed to index {site_dir} (exit {completed.returncode}): {output}"
        )
    if not (site_dir / OUTPUT_SUBDIR / "pagefind.js").is_file():
        raise SearchIndexError(f"Pagefind wrote no index into {site_dir / OUTPUT_SUBDIR}")

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


class SearchIndexError(RuntimeError):
    """Pagefind could not index the site; the message says what it printed."""


def pagefind_command(site_dir: Path) -> list[str]:
    """The command that indexes ``site_dir`` into ``site_dir/pagefind/``."""
    from pagefind_bin import get_executable  # only needed when a build indexes

    return [
        str(get_executable()),
        "--site",
        str(site_dir),
        "--output-subdir",
        OUTPUT_SUBDIR,
        "--silent",
    ]


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

"""The downloads of a build (papershelf.site.exports): BibTeX, CSL-JSON and open data.

Written beside the pages (in the forked helper of a build, like the feeds). Under
``mkdocs serve`` each paper's files and units are kept between rebuilds and only the
files whose bytes changed are written again. A tag that lost its last paper loses its
downloads too (the lists of tags with papers only are published).
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from papershelf.plugin.run_mode import RunMode
from papershelf.site.catalog import Catalog
from papershelf.site.exports import LIST_FILES, PaperExports, export_files, site_root
from papershelf.site.pages import tag_url
from papershelf.speed.build_state import write_outputs
from papershelf.speed.timing import stage

log = logging.getLogger("mkdocs.plugins.papershelf")


class ExportWriter:
    """Writes the downloads of each build; under ``mkdocs serve`` only what changed."""

    def __init__(self, mode: RunMode) -> None:
        self.in_memory = mode.serving
        self.exports: PaperExports | None = None
        self.written: dict[str, bytes] = {}  # path -> digest, the last rebuild's (serve)

    def write(self, catalog: Catalog, site_url: str, site_dir: Path) -> int:
        """Write the downloads (those that changed, under serve); how many files."""
        with stage("exports"):
            exports = self.exports
            if exports is None or exports.site_url != site_root(site_url):
                exports = PaperExports(catalog.citation_keys, site_url)
            exports.keys = catalog.citation_keys
            files = export_files(catalog, site_url, exports=exports)
            digests = {
                path: hashlib.blake2b(data, digest_size=16).digest() for path, data in files.items()
            }
            changed = {
                path: data
                for path, data in files.items()
                if not self.in_memory or self.written.get(path) != digests[path]
            }
            write_outputs(site_dir, changed)
            for tag in catalog.tags:
                if not catalog.by_tag.get(tag):
                    for name in LIST_FILES:
                        (site_dir / tag_url(tag) / name).unlink(missing_ok=True)
            if self.in_memory:
                self.exports, self.written = exports, digests
        log.info("papershelf: wrote %d download files", len(changed))
        return len(changed)

    def forget(self) -> None:
        """After a failed build: the next one writes every file."""
        self.written = {}

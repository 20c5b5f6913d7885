"""Writes the site's search index (papershelf.site.search) beside the pages.

The index needs only the catalog, so it need not wait for the pages. How it is
written depends on the run, behind one interface (:class:`SearchWriter`):

* a build forks a helper as soon as the catalog is known (about a second at 10,000
  papers, on the other core); it writes beside the site folder, which mkdocs empties
  after that, and the index is moved in at the end of the build;
* ``mkdocs serve`` writes it on a thread after each rebuild (forking a threaded
  process is unsafe), so the preview is served before the index is up to date;
* anything else (no ``fork``) writes it at the end of the build.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from mkdocs.exceptions import PluginError

from papershelf.plugin.run_mode import RunMode
from papershelf.site.catalog import Catalog
from papershelf.site.search import build_index, install_index, write_index
from papershelf.speed.forking import ForkedTask, ForkedTaskError
from papershelf.speed.timing import stage

log = logging.getLogger("mkdocs.plugins.papershelf")

# Told where an index went: site folder, the index's own folder, digests of its files.
IndexWritten = Callable[[Path, str | None, dict[str, str]], None]


class BackgroundWork:
    """Runs ``task`` on a thread, again after it finishes if asked meanwhile: a burst
    of rebuilds costs one more run, never a queue. Errors are logged, not raised."""

    def __init__(self, name: str, task: Callable[[], None]) -> None:
        self.name = name
        self.task = task
        self._wanted = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def request(self) -> None:
        with self._lock:
            self._wanted.set()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._wanted.is_set():
                    self._thread = None
                    return
                self._wanted.clear()
            try:
                self.task()
            except Exception as error:  # a preview keeps running; the log says why
                log.warning("papershelf: %s failed: %s", self.name, error)

    def wait(self, timeout: float | None = None) -> None:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)


class SearchWriter:
    """The search index of each build: :meth:`start` when the catalog is known,
    :meth:`finish` at the end of the build (:meth:`abandon` after a failed one),
    :meth:`close` when mkdocs shuts down. ``written`` hears of every index put in a
    site; under ``mkdocs serve``, ``after_background`` runs after each index."""

    def __init__(
        self, mode: RunMode, *, written: IndexWritten, after_background: Callable[[], None]
    ) -> None:
        self.forks = mode.forks
        self.written = written
        self.after_background = after_background
        serving = mode.serving
        self.background = BackgroundWork("search index", self._write_latest) if serving else None
        self._latest: tuple[Catalog, Path, bool] | None = None  # what the thread writes
        self._helper: ForkedTask | None = None
        self._staged: Path | None = None  # where the helper writes

    def start(self, catalog: Catalog, site_dir: Path, *, enabled: bool) -> None:
        """In a build, fork the helper now, before mkdocs empties ``site_dir``: it
        writes into a new folder beside it (.gitignore: .site-*/)."""
        if not (enabled and self.forks):
            return
        site_dir = site_dir.resolve()
        site_dir.parent.mkdir(parents=True, exist_ok=True)
        prefix = f".{site_dir.name.lstrip('.')}-search-"
        staged = Path(tempfile.mkdtemp(prefix=prefix, dir=site_dir.parent))

        def work() -> tuple[int, str | None, dict[str, str]]:
            # The helper builds the index and exits: what it makes holds no reference
            # cycles, and each collection would walk every object of the build it was
            # forked from (copying their memory pages): 0.15-0.2 s of the index's
            # 1.1-1.3 s here at 10,000 papers. The build's own collector is not
            # affected (another process).
            gc.disable()
            with stage("search"):
                built = build_index(catalog)
                return write_index(staged, built.outputs), built.folder, built.digests

        self._helper, self._staged = ForkedTask(work, name="search"), staged

    def finish(self, catalog: Catalog, site_dir: Path, *, enabled: bool) -> None:
        """Put this build's index in ``site_dir``: move in what the helper wrote, ask
        the thread for a new one, or write it now (PluginError if the helper failed)."""
        if self.background is not None:
            if enabled:
                log.info("papershelf: updating the search index in the background")
            self._latest = (catalog, site_dir, enabled)
            self.background.request()
        elif self._helper is not None:
            self._join(site_dir)
        elif enabled:
            self._write_now(catalog, site_dir)

    def abandon(self) -> None:
        """After a failed build: wait for the helper, keep nothing it wrote."""
        with contextlib.suppress(PluginError):
            self._join(None)

    def close(self) -> None:
        if self.background is not None:
            self.background.wait(timeout=60)

    def _join(self, site_dir: Path | None) -> None:
        helper, self._helper = self._helper, None
        staged, self._staged = self._staged, None
        if helper is None or staged is None:
            return
        try:
            count, folder, digests = helper.join()
            if site_dir is not None:
                install_index(staged, site_dir)
                log.info("papershelf: search index written to search/ (%d files)", count)
                self.written(site_dir, folder, digests)
        except ForkedTaskError as error:
            raise PluginError(f"papershelf: writing the search index failed:\n{error}") from error
        finally:
            shutil.rmtree(staged, ignore_errors=True)

    def _write_latest(self) -> None:
        """The thread's task: the index of the newest rebuild, then ``after_background``."""
        latest = self._latest
        if latest is not None and latest[2]:
            self._write_now(latest[0], latest[1])
        self.after_background()

    def _write_now(self, catalog: Catalog, site_dir: Path) -> None:
        built = build_index(catalog)
        count = write_index(site_dir, built.outputs)
        log.info("papershelf: search index written to search/ (%d files)", count)
        self.written(site_dir, built.folder, built.digests)

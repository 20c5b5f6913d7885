"""Writes the site's search index (papershelf.site.search) beside the pages."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("mkdocs.plugins.papershelf")


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

"""What quick `mkdocs serve` rebuilds need: which generated pages changed, and a
search index that follows the site without holding up a rebuild.

``make serve`` runs ``mkdocs serve --dirty``: mkdocs then keeps the previous output
and rebuilds only the pages whose file reports ``is_modified()``. Generated files
always report it (mkdocs cannot know better), so :class:`PageFingerprints` decides for them
from what each page is made of (``papershelf.site.pages.page_fingerprint``): after one edit, the
paper's page, its neighbours and the list pages it is on. It also names the pages
that disappeared, whose old files must go.

The search index (papershelf.site.search) is made from the catalog, about a second at
10,000 papers; under ``serve`` it runs on a background thread (:class:`BackgroundWork`), so
an edit shows at once and search catches up moments later.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable

import jinja2

log = logging.getLogger("mkdocs.plugins.papershelf")


class PageFingerprints:
    """Keys of the generated pages in this build and in the last finished one.

    With ``digest`` (an incremental ``papershelf build``, papershelf.speed.build_state) keys
    are kept as digests, which a later process can compare with."""

    def __init__(self, digest: Callable[[Hashable], Hashable] | None = None) -> None:
        self.previous: dict[str, Hashable] = {}
        self.previous_build: tuple[Hashable, ...] = ()
        self.current: dict[str, Hashable] = {}
        self.build: tuple[Hashable, ...] = ()
        self._digest = digest
        self._answers: dict[str, bool] = {}
        self._all = True

    def start(self, build: Hashable) -> None:
        """A new build; ``build`` is what every page depends on (site, templates,
        vocabulary)."""
        self.current = {}
        self.build = (self._kept(build),)
        self._answers: dict[str, bool] = {}
        self._all = self._build_changed()

    def extend(self, build: Hashable) -> None:
        """More that every page depends on, known later (the theme's shells). Until
        then pages are compared on what is known so far."""
        self.build = (*self.build, self._kept(build))
        self._answers = {}
        self._all = self._build_changed()

    @property
    def all_modified(self) -> bool:
        """Whether something every page depends on changed (or there is no last build)."""
        return self._all

    def _build_changed(self) -> bool:
        return not self.previous_build or self.build != self.previous_build[: len(self.build)]

    def _kept(self, key: Hashable) -> Hashable:
        return key if self._digest is None else self._digest(key)

    def add(self, url: str, key: Hashable) -> None:
        self.current[url] = self._kept(key)

    def modified(self, url: str) -> bool:
        answer = self._answers.get(url)
        if answer is None:
            answer = self._all or self.current.get(url, _MISSING) != self.previous.get(
                url, _MISSING
            )
            self._answers[url] = answer
        return answer

    def removed(self) -> list[str]:
        """URLs of the last build that this one no longer has."""
        return sorted(set(self.previous) - set(self.current))

    def finish(self) -> None:
        """The build succeeded: its keys are what the next one compares with."""
        self.previous, self.previous_build = self.current, self.build

    def forget(self) -> None:
        """The build failed halfway: the next one rebuilds everything."""
        self.previous, self.previous_build = {}, ()


_MISSING = object()


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


class InMemoryTemplateCode(jinja2.BytecodeCache):
    """Compiled theme templates kept across rebuilds. mkdocs makes a new template
    environment for every build, so material's templates were compiled again each
    time (a third of a second); jinja checks the source checksum, so an edited
    template is compiled anew."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()

"""Work on the second core: a forked helper process.

Forked, not spawned: the helper starts with everything the build has in memory
(entries, catalog, templates, theme shells; copy-on-write), so nothing has to be
sent to it. Its result comes back pickled through a pipe (this process's own
objects, never data from elsewhere). Only for builds: ``mkdocs serve`` runs
threads, and forking a threaded process is unsafe.
"""

from __future__ import annotations

import os
import pickle
import traceback
from collections.abc import Callable
from typing import Any

from papershelf.speed import timing


class ForkedTaskError(RuntimeError):
    """The helper failed; the message is its traceback."""


class ForkedTask:
    """Runs ``work`` in a forked process while this one goes on; :meth:`join` waits
    and returns what ``work`` returned, or raises :class:`ForkedTaskError`."""

    def __init__(self, work: Callable[[], Any], name: str = "helper") -> None:
        self.name = name  # its stage times are reported under it (papershelf.speed.timing)
        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the helper: never returns into the caller
            os.close(read)
            status = 0
            try:
                timing.start_helper()
                result = work()
                payload = pickle.dumps(
                    (True, (result, timing.helper_totals())), protocol=pickle.HIGHEST_PROTOCOL
                )
            except BaseException:
                payload = pickle.dumps((False, traceback.format_exc()))
                status = 1
            try:
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(payload)
            finally:
                os._exit(status)  # no atexit handlers, no buffered output of the parent
        os.close(write)
        self._pipe = read

    def join(self) -> Any:
        with os.fdopen(self._pipe, "rb") as pipe:
            payload = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        try:
            ok, result = pickle.loads(payload)
        except Exception:
            raise ForkedTaskError(f"the helper process ended with exit status {code}") from None
        if not ok:
            raise ForkedTaskError(str(result).strip())
        value, totals = result
        timing.record_helper(self.name, totals)
        return value


def fork_allowed(command: str | None) -> bool:
    """A build (not ``serve``) on a system that can fork."""
    return command in {"build", "gh-deploy"} and hasattr(os, "fork")

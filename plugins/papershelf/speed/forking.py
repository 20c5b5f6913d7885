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
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from papershelf.speed import timing

_Item = TypeVar("_Item")
_Result = TypeVar("_Result")
# Below this many items, a helper process costs more than it saves.
MIN_ITEMS_TO_FORK = 1000


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


def in_two_processes(
    work: Callable[[Sequence[_Item]], list[_Result]], items: Sequence[_Item], name: str
) -> list[_Result]:
    """``work(items)``, with every other item done by a forked helper when there are
    enough of them; results in the order of ``items``
    (papershelf.entries.loader.ParseMany)."""
    if len(items) < MIN_ITEMS_TO_FORK:
        return work(items)

    def theirs() -> list[_Result]:
        with timing.stage(name):
            return work(items[1::2])

    helper = ForkedTask(theirs, name=name)
    mine = work(items[0::2])
    their_results = helper.join()
    merged: list[_Result] = []
    for pair in zip(mine, their_results, strict=False):
        merged.extend(pair)
    if len(mine) > len(their_results):
        merged.append(mine[-1])
    return merged

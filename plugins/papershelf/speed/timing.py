"""Where a build spends its time, for ``papershelf bench``; off unless switched on.

Nothing happens at import. The benchmark names a report file in the build's
environment (:data:`ENV_VAR`, read with :func:`requested`); the process that builds
switches timing on with an explicit :func:`start` (the plugin's ``on_startup``, and
the benchmark's own wrapper around ``papershelf build``, whose quick builds run without
mkdocs). Only then does :func:`stage` measure anything, :func:`instrument` patch
mkdocs, and at exit the totals go to that file as JSON. Times are *exclusive*: a stage
nested in another (a plugin event inside mkdocs' page loop) is counted once, in the
inner stage, so the stages add up to the measured part of the build. Switched off,
:func:`stage` is a shared no-op context manager and costs a function call.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

ENV_VAR = "PAPERSHELF_TIMINGS"  # set by the benchmark: where the build reports its stages
_NULL = nullcontext()
F = TypeVar("F", bound=Callable[..., Any])


class StageTimer:
    """Exclusive wall time per stage name, with a stack for nesting."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        # Forked helper processes: name -> their own stage totals (papershelf.speed.forking).
        self.helpers: dict[str, dict[str, float]] = {}
        self._stack: list[list[float]] = []  # [start, time spent in nested stages]
        self.started = time.perf_counter()

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        frame = [time.perf_counter(), 0.0]
        self._stack.append(frame)
        try:
            yield
        finally:
            self._stack.pop()
            elapsed = time.perf_counter() - frame[0]
            self.totals[name] = self.totals.get(name, 0.0) + elapsed - frame[1]
            self.calls[name] = self.calls.get(name, 0) + 1
            if self._stack:
                self._stack[-1][1] += elapsed

    def report(self) -> dict[str, Any]:
        return {
            "stages": {name: round(seconds, 6) for name, seconds in sorted(self.totals.items())},
            "calls": dict(sorted(self.calls.items())),
            "helpers": {
                name: dict(sorted(totals.items())) for name, totals in self.helpers.items()
            },
            "measured_since_import": round(time.perf_counter() - self.started, 6),  # since start()
            # This process alone: without its helper or the search indexer it runs.
            "process_peak_rss_mb": round(_peak_rss_mb(), 1),
        }


def _peak_rss_mb() -> float:
    import resource  # POSIX; only needed when benchmarking

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


_timer: StageTimer | None = None


def requested(environ: Mapping[str, str] = os.environ) -> Path | None:
    """The report file the benchmark asked this build for, or None (not benchmarking)."""
    value = environ.get(ENV_VAR)
    return Path(value) if value else None


def start(report: Path) -> None:
    """Measure stages from now on; at exit write the totals to ``report``. A process
    that measured no stage writes nothing: ``papershelf build`` around an mkdocs build
    leaves the report to the mkdocs process, which measures itself."""
    global _timer
    if _timer is None:
        _timer = StageTimer()
        atexit.register(_write, report)


def enabled() -> bool:
    return _timer is not None


def start_helper() -> None:
    """In a forked helper: count only its own work from here (it inherited the
    parent's totals, and its own end, ``os._exit``, writes nothing)."""
    global _timer
    if _timer is not None:
        _timer = StageTimer()


def helper_totals() -> dict[str, float] | None:
    """A helper's stage totals, to send back to the parent (None when not timing)."""
    if _timer is None:
        return None
    return {name: round(seconds, 6) for name, seconds in _timer.totals.items()}


def record_helper(name: str, totals: dict[str, float] | None) -> None:
    """In the parent: what the helper called ``name`` spent, beside this process."""
    if _timer is not None and totals is not None:
        known = _timer.helpers.setdefault(name, {})
        for stage_name, seconds in totals.items():
            known[stage_name] = known.get(stage_name, 0.0) + seconds


def stage(name: str) -> AbstractContextManager[None]:
    """``with stage("load"): ...`` - timed only when benchmarking."""
    return _NULL if _timer is None else _timer.stage(name)


def timed(name: str, function: F) -> F:
    """``function`` wrapped in ``stage(name)`` (returned unchanged when not benchmarking)."""
    if _timer is None:
        return function
    timer = _timer

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with timer.stage(name):
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def instrument(plugins: Any, skip: str) -> None:
    """Attribute time to mkdocs' page pipeline and to every other plugin's events.

    Benchmark-only, and nothing unless :func:`start` was called: patches
    ``mkdocs.commands.build``'s per-page functions (looked up at call time by
    ``build()``) and wraps the registered event methods of the ``plugins``
    collection, except the config event (running now) and the plugin named ``skip``
    (ours, which times itself with :func:`stage`).
    """
    if _timer is None:
        return
    from mkdocs.commands import build

    for function in ("_populate_page", "_build_page"):
        original = getattr(build, function)
        if not hasattr(original, "__wrapped__"):
            setattr(build, function, timed("mkdocs pages", original))
    origins = plugins._event_origins
    for event, methods in plugins.events.items():
        if event == "config":
            continue
        for index, method in enumerate(methods):
            owner = origins.get(method, "?")
            if owner == skip or hasattr(method, "__wrapped__"):
                continue
            wrapper = timed(f"plugin {owner}", method)
            origins[wrapper] = owner
            methods[index] = wrapper


def _write(path: Path) -> None:
    if _timer is None or not (_timer.totals or _timer.helpers):
        return
    path.write_text(json.dumps(_timer.report(), indent=2) + "\n", encoding="utf-8")

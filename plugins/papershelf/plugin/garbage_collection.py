"""When Python's cyclic garbage collector runs during a build: one policy, one place.

A build makes large structures that live until it ends and hold no reference cycles
(entries, catalog, pages, shells). Each collection walks every object made so far, so
collections grow with the list: a third of the load time at 10,000 papers, more at
50,000, and a quarter of a ``make serve`` rebuild. So the collector

* is paused while entries are loaded and while the snapshot is written (:meth:`paused`);
* does not see what exists once the pages are planned (:meth:`freeze_build`), until
  the build ends (:meth:`build_ends`, also after a failed build);
* does not run at all in a ``--dirty`` build, which writes only a few pages
  (:meth:`build_starts`); under ``mkdocs serve`` it runs once after each rebuild, in
  the background after the search index (:meth:`collect`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from papershelf.plugin.run_mode import RunMode


class GarbageCollection:
    """The collector's policy for the builds of one mkdocs process."""

    def __init__(self, mode: RunMode) -> None:
        self.off_for_whole_build = mode.dirty

    def build_starts(self) -> None:
        if self.off_for_whole_build:
            gc.disable()

    @contextmanager
    def paused(self) -> Iterator[None]:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            yield
        finally:
            if was_enabled:
                gc.enable()

    def freeze_build(self) -> None:
        """What exists now lives until the build ends: out of the collector's sight."""
        gc.freeze()

    def build_ends(self) -> None:
        gc.unfreeze()
        if self.off_for_whole_build:
            gc.enable()

    def collect(self) -> None:
        gc.collect()

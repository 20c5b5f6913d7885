"""How this mkdocs process builds: decided once, in ``on_startup``, from mkdocs' command,
its ``--dirty`` flag and what ``papershelf build`` and ``papershelf bench`` put in the
environment. The hooks ask the mode; none of them looks at the environment again.

The runs it tells apart:

* a full build (``mkdocs build``, ``papershelf build``, ``gh-deploy``): every page,
  with forked helpers beside the main process;
* an incremental ``papershelf build`` (``--dirty`` with the last build's state): only
  the pages whose digest changed, into an empty folder (papershelf.speed.build_state);
* ``mkdocs serve`` (``make serve``: ``--dirty``): the plugin lives across rebuilds and
  compares each rebuild with the last one in memory; threads, never forks.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from papershelf.speed import timing
from papershelf.speed.build_state import STATE_IN, STATE_OUT
from papershelf.speed.forking import fork_allowed


@dataclass(frozen=True)
class RunMode:
    """The run, as the hooks need it (the defaults: a build run without ``on_startup``,
    as some tests do)."""

    command: str | None = None  # build, gh-deploy or serve
    dirty: bool = False  # --dirty: write only the pages whose inputs changed
    state_in: Path | None = None  # incremental papershelf build: the last build's state
    state_out: Path | None = None  # papershelf build: where this build's state goes
    timings: Path | None = None  # papershelf bench: where this process reports its stages

    @classmethod
    def at_startup(
        cls, command: str, dirty: bool, environ: Mapping[str, str] = os.environ
    ) -> RunMode:
        papershelf_build = command == "build"  # build_tools/build.py runs `mkdocs build`
        state_out = environ.get(STATE_OUT) if papershelf_build else None
        state_in = environ.get(STATE_IN) if papershelf_build and dirty else None
        return cls(
            command=command,
            dirty=dirty,
            state_in=Path(state_in) if state_in else None,
            state_out=Path(state_out) if state_out else None,
            timings=timing.requested(environ),
        )

    @property
    def serving(self) -> bool:
        """``mkdocs serve``: rebuilds follow, and threads run (so nothing forks)."""
        return self.command == "serve"

    @property
    def forks(self) -> bool:
        """Whether helpers may be forked: a build on a system that can fork."""
        return fork_allowed(self.command)

    @property
    def incremental(self) -> bool:
        """An incremental ``papershelf build``: pages are compared by digest with the
        last build's state, read from disk."""
        return self.state_in is not None

    @property
    def partial_build(self) -> bool:
        """A ``--dirty`` build into an empty folder: when what every page depends on
        changed, it must stop and ask for a full build (pages not written would be
        missing)."""
        return self.dirty and self.command == "build"

    @property
    def rebuilds_in_memory(self) -> bool:
        """``make serve``: each rebuild compares with the last one, kept in memory."""
        return self.serving and self.dirty

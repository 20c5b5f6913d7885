"""One ``papershelf build`` of a site at a time.

Two builds of the same checkout share ``site/``, its staging folders and the caches:
run together, one would publish or sweep what the other is still writing. A build
holds an exclusive ``flock`` on a lock file beside its build state (in the user's
cache folder, so the checkout stays clean). The kernel releases the lock when the
process ends, however it ends, so a killed build never leaves a stale lock: the pid
in the file is only there to name the build that holds it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


class BuildLockedError(Exception):
    """Another build holds the lock; the text names its pid."""


@contextlib.contextmanager
def build_lock(path: Path) -> Iterator[None]:
    """Hold the lock at ``path`` for the block, or raise :class:`BuildLockedError` at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
            raise BuildLockedError(
                f"another papershelf build is running (pid {holder or 'unknown'}); "
                "wait for it to finish"
            ) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(descriptor)  # releases the lock

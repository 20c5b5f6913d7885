"""``papershelf serve``: mkdocs' live preview (``mkdocs serve --dirty``) that notices a
save at once.

mkdocs polls every watched file twice a second (watchdog's ``PollingObserver``): with
10,000 entries one poll is about 60 ms of CPU (a tenth of a core while nothing
happens), and a save waits 0.25 to 0.75 s to be noticed, as long as the rebuild itself.
Here folders are watched with the system's file events instead (watchdog's
``Observer``: inotify on Linux, FSEvents on macOS), which cost nothing while idle and
arrive at once. Single files (``mkdocs.yml``, ``tags.yml``) are still polled: editors
that save by replacing a file would leave a native watch on the old one.

mkdocs then waits until no change has come for 0.1 s before it builds, made for the
half-second polls; with file events a save's events arrive within milliseconds, so
``papershelf serve`` waits :data:`SETTLE` instead (a change that keeps coming, like a
checkout, still ends in one last build of everything it changed).

The rest is mkdocs' own ``serve`` command, unchanged: ``--dirty`` (only the pages an
edit changed are rebuilt, see papershelf.speed.page_fingerprints) and ``--no-strict`` (mkdocs warns
about every dirty build, which strict mode turns into an abort).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import mkdocs.commands.serve
import watchdog.observers
import watchdog.observers.polling
from mkdocs.livereload import LiveReloadServer
from watchdog.events import FileSystemEvent, FileSystemEventHandler

HELP = (
    "Live preview at http://127.0.0.1:8000/ under site_url's path (it prints the address) "
    "that rebuilds only what an edit changed."
)
POLLING_OBSERVER = watchdog.observers.polling.PollingObserver
SETTLE = 0.02  # seconds without a change before a rebuild starts (mkdocs: 0.1)


# Events that mean a file changed. inotify also reports files being opened and closed
# after reading, which every build does to its templates: mkdocs rebuilds on any
# event, so those would make each build trigger the next.
CHANGES = frozenset({"created", "deleted", "modified", "moved"})


class ChangesOnly(FileSystemEventHandler):
    """Passes on only the events of :data:`CHANGES`."""

    def __init__(self, handler: Any) -> None:
        super().__init__()
        self.handler = handler

    def dispatch(self, event: FileSystemEvent) -> None:
        if event.event_type in CHANGES:
            self.handler.dispatch(event)


class FolderEventsObserver:
    """The part of watchdog's observer interface mkdocs' live-reload server uses:
    folders go to the platform's event-based observer, files to a polling one."""

    def __init__(self, timeout: float = 0.5) -> None:
        self.events = watchdog.observers.Observer(timeout=timeout)
        self.polling = POLLING_OBSERVER(timeout=timeout)

    def observer_for(self, path: str) -> Any:
        return self.events if Path(path).is_dir() else self.polling

    def schedule(self, handler: Any, path: str, recursive: bool = False) -> tuple[Any, Any]:
        observer = self.observer_for(path)
        return observer, observer.schedule(ChangesOnly(handler), path, recursive=recursive)

    def unschedule(self, watch: tuple[Any, Any]) -> None:
        observer, inner = watch
        observer.unschedule(inner)

    def start(self) -> None:
        self.events.start()
        self.polling.start()

    def stop(self) -> None:
        self.events.stop()
        self.polling.stop()

    def join(self, timeout: float | None = None) -> None:
        self.events.join(timeout)
        self.polling.join(timeout)


class SettlingServer(LiveReloadServer):
    """mkdocs' live-reload server, waiting :data:`SETTLE` for changes to stop."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.build_delay = SETTLE


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-f", "--config-file", type=Path, default=Path("mkdocs.yml"))
    parser.add_argument(
        "-a", "--dev-addr", default=None, metavar="IP:PORT", help="default 127.0.0.1:8000"
    )
    parser.add_argument("--open", action="store_true", help="open the preview in a browser")


def preview_url(config_file: Path, dev_addr: str | None) -> str:
    """The address mkdocs serves the preview at: its host and port, under the path of
    ``site_url`` (``/papershelf/`` for ``https://example.org/papershelf/``)."""
    from mkdocs.config import load_config  # INHERIT, !ENV and defaults as mkdocs has them

    config = load_config(str(config_file), dev_addr=dev_addr)
    host, port = config.dev_addr
    path = urlsplit(config.site_url or "/").path.strip("/")
    return f"http://{host}:{port}/" + (f"{path}/" if path else "")


def run(args: argparse.Namespace) -> int:
    from mkdocs.__main__ import cli

    # Material's end-of-life banner is for maintainers (README, "Maintenance").
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    try:
        url = preview_url(args.config_file, args.dev_addr)
    except Exception:  # mkdocs itself reports a broken mkdocs.yml, better than we could
        url = None
    if url:
        print(f"papershelf serve: building, then previewing at {url} (Ctrl+C stops it)")

    # mkdocs' live-reload server makes its observer from this name when it starts,
    # and mkdocs' serve command the server from that one.
    watchdog.observers.polling.PollingObserver = FolderEventsObserver  # type: ignore[misc]
    mkdocs.commands.serve.LiveReloadServer = SettlingServer  # type: ignore[misc]
    # Absolute: mkdocs reloads the config for every rebuild; with a relative path the
    # entries were keyed differently after the first build and all parsed again.
    command = ["serve", "--dirty", "--no-strict", "-f", str(args.config_file.resolve())]
    if args.dev_addr:
        command += ["-a", args.dev_addr]
    if args.open:
        command.append("--open")
    try:
        cli.main(args=command, prog_name="mkdocs", standalone_mode=False)
    finally:
        watchdog.observers.polling.PollingObserver = POLLING_OBSERVER  # type: ignore[misc]
        mkdocs.commands.serve.LiveReloadServer = LiveReloadServer  # type: ignore[misc]
    return 0

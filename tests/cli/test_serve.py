"""`make serve`: editing an entry rebuilds the live preview."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.conftest import Project

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def wait_for(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


def test_the_project_watches_entries_vocabulary_and_templates():
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)
    assert {"papers", "tags.yml", "plugins/papershelf/templates"} <= set(config["watch"])


def edit_while_served(project: Project, command: list[str]) -> str:
    """Serve ``project`` with ``command`` (plus an address), edit an entry, and check
    the served page follows; returns what the server logged."""
    config = project.root / "mkdocs.yml"
    config.write_text(config.read_text() + "watch:\n  - papers\n  - tags.yml\n")
    entry = project.paper("one", "title: First title\nadded: 2025-01-02\ntags: [agents]\n")
    port = free_port()
    log = project.root / "serve.log"  # a file, not a pipe nobody reads while it runs
    with log.open("w", encoding="utf-8") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", *command, "-a", f"127.0.0.1:{port}"],
            cwd=project.root,
            stdout=stderr,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        try:
            page = f"http://127.0.0.1:{port}/shelf/papers/one/"
            assert wait_for(lambda: "First title" in fetch(page)), "server never came up"
            entry.write_text("title: Edited title\nadded: 2025-01-02\ntags: [agents]\n")
            assert wait_for(lambda: "Edited title" in fetch(page)), "edit was not rebuilt"
        finally:
            server.terminate()
            server.wait(timeout=10)
    return log.read_text(encoding="utf-8")


def test_editing_an_entry_rebuilds_the_site_mkdocs_serve_serves(project: Project):
    edit_while_served(project, ["mkdocs", "serve"])


def test_papershelf_serve_rebuilds_an_edited_entry_and_says_so(project: Project):
    """`make serve` runs `papershelf serve`: mkdocs serve --dirty, with folder events."""
    output = edit_while_served(project, ["build_tools.cli", "serve"])
    assert "Documentation built" in output
    # The address it really serves, under site_url's path (https://example.org/shelf/).
    assert re.search(r"previewing at http://127\.0\.0\.1:\d+/shelf/ ", output), output
    # Every rebuild is a --dirty one (make serve's promise): mkdocs' warning about it and
    # Material's end-of-life banner are not repeated to the curator.
    assert "A 'dirty' build" not in output
    assert "end of life" not in output


def test_the_preview_address_follows_site_url_and_the_chosen_address(project: Project):
    from build_tools.serve import preview_url

    config = project.root / "mkdocs.yml"
    assert preview_url(config, None) == "http://127.0.0.1:8000/shelf/"
    assert preview_url(config, "0.0.0.0:9000") == "http://0.0.0.0:9000/shelf/"
    config.write_text(config.read_text().replace("https://example.org/shelf/", "https://x.org"))
    assert preview_url(config, None) == "http://127.0.0.1:8000/"


def test_folders_are_watched_with_file_events_and_single_files_by_polling(tmp_path: Path):
    import threading

    from watchdog.events import FileSystemEventHandler
    from watchdog.observers.polling import PollingObserver

    from build_tools.serve import CHANGES, POLLING_OBSERVER, FolderEventsObserver

    assert POLLING_OBSERVER is PollingObserver  # the original, kept for single files
    folder = tmp_path / "papers"
    folder.mkdir()
    single = tmp_path / "tags.yml"
    single.write_text("a: 1\n")
    seen = threading.Event()
    kinds: list[str] = []

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            kinds.append(event.event_type)
            if not event.is_directory and event.src_path.endswith("x.yaml"):
                seen.set()

    observer = FolderEventsObserver(timeout=0.5)
    folder_watch = observer.schedule(Handler(), str(folder), recursive=True)
    file_watch = observer.schedule(Handler(), str(single))
    assert folder_watch[0] is observer.events and file_watch[0] is observer.polling
    assert not isinstance(observer.events, PollingObserver)  # native events on this system
    (folder / "read.yaml").write_text("title: R\n")
    observer.start()
    try:
        (folder / "read.yaml").read_text()  # reading (as every build does) is no change
        (folder / "x.yaml").write_text("title: X\n")
        assert seen.wait(timeout=10), "no event for a file written in a watched folder"
        assert all(kind in CHANGES for kind in kinds), kinds
        observer.unschedule(file_watch)
    finally:
        observer.stop()
        observer.join(timeout=5)


def test_papershelf_serve_builds_soon_after_a_save_and_restores_mkdocs_afterwards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """File events arrive at once: the rebuild waits SETTLE for changes to stop, not
    mkdocs' 0.1 s made for polling; mkdocs' own classes are put back after serving."""
    import argparse

    import mkdocs.__main__
    import mkdocs.commands.serve
    from mkdocs.livereload import LiveReloadServer
    from watchdog.observers.polling import PollingObserver

    from build_tools import serve

    server = serve.SettlingServer(
        builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path)
    )
    server.server_close()
    assert server.build_delay == serve.SETTLE < 0.1
    seen = {}

    def fake_main(**kwargs):
        seen["server"] = mkdocs.commands.serve.LiveReloadServer
        seen["observer"] = serve.watchdog.observers.polling.PollingObserver
        seen["args"] = kwargs["args"]

    monkeypatch.setattr(mkdocs.__main__.cli, "main", fake_main)
    args = argparse.Namespace(config_file=tmp_path / "mkdocs.yml", dev_addr=None, open=False)
    assert serve.run(args) == 0
    assert seen["server"] is serve.SettlingServer
    assert seen["observer"] is serve.FolderEventsObserver
    assert seen["args"][:2] == ["serve", "--dirty"]
    assert mkdocs.commands.serve.LiveReloadServer is LiveReloadServer
    assert serve.watchdog.observers.polling.PollingObserver is PollingObserver

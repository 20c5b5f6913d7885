"""`make serve`: editing an entry rebuilds the live preview."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import yaml

from tests.conftest import Project

ROOT = Path(__file__).resolve().parent.parent


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


def test_editing_an_entry_rebuilds_the_served_site(project: Project):
    config = project.root / "mkdocs.yml"
    config.write_text(config.read_text() + "watch:\n  - papers\n  - tags.yml\n")
    entry = project.paper("one", "title: First title\nadded: 2025-01-02\ntags: [agents]\n")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=project.root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    try:
        page = f"http://127.0.0.1:{port}/shelf/papers/one/"
        assert wait_for(lambda: "First title" in fetch(page)), "server never came up"
        entry.write_text("title: Edited title\nadded: 2025-01-02\ntags: [agents]\n")
        assert wait_for(lambda: "Edited title" in fetch(page)), "edit was not rebuilt"
    finally:
        server.terminate()
        server.wait(timeout=10)

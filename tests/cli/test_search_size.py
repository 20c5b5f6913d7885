"""`papershelf search-size`: a tiny run proves every measurement works (sizes not asserted,
only that they are there and add up)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# Builds two sites and drives Chromium: left out of `make test-fast`.
pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]


def test_a_tiny_run_measures_both_kinds_of_search(tmp_path: Path):
    out = tmp_path / "search.json"
    # Its own process: Playwright's sync API cannot start inside the browser tests'
    # running session.
    completed = subprocess.run(
        [
            sys.executable, "-m", "build_tools.cli", "search-size", "--sizes", "6",
            "-f", str(ROOT / "mkdocs.yml"), "--workdir", str(tmp_path / "work"),
            "--out", str(out),
        ],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout + completed.stderr
    [result] = json.loads(out.read_text(encoding="utf-8"))
    assert (result["list"], result["papers"]) == ("synthetic", 6)
    material, ours = result["material"], result["papershelf"]
    assert 0 < material["index_gzip_bytes"] < material["index_bytes"]
    assert ours["index_files"] > 3 and ours["index_bytes"] > 0  # manifest, shards, papers
    assert ours["indexing_seconds"] >= 0
    first, author = ours["first_searches"]
    assert first["query"] == "distribution" and first["shown"] >= 1
    assert first["requests"] >= 4  # the manifest, a shard, rank.json, a chunk of papers
    assert 0 < first["gzip_bytes"] < first["bytes"]
    assert author["shown"] >= 1  # may need nothing new: one chunk of papers at this size
    table = completed.stdout
    assert "| synthetic | 6 |" in table
    assert "ours: fetched for a first word search (gzip)" in table

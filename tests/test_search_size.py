"""`papershelf search-size`: a tiny run proves every measurement works (sizes not asserted,
only that they are there and add up)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from build_tools.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_a_tiny_run_measures_both_kinds_of_search(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    out = tmp_path / "search.json"
    code = main(
        [
            "search-size", "--sizes", "6", "-f", str(ROOT / "mkdocs.yml"),
            "--workdir", str(tmp_path / "work"), "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    [result] = json.loads(out.read_text(encoding="utf-8"))
    assert (result["list"], result["papers"]) == ("synthetic", 6)
    material, pagefind = result["material"], result["pagefind"]
    assert 0 < material["index_gzip_bytes"] < material["index_bytes"]
    assert pagefind["index_files"] > 6 and pagefind["index_bytes"] > 0
    first, author = pagefind["first_searches"]
    assert first["query"] == "distribution" and first["shown"] >= 1
    assert first["bytes"] > 0 and first["requests"] >= 4  # script, wasm, entry, index...
    assert author["shown"] >= 1  # may need nothing new: one index chunk at this size
    table = capsys.readouterr().out
    assert "| synthetic | 6 |" in table
    assert "Pagefind: fetched for a first word search" in table

"""The same input gives byte-identical sites: whatever the folder, the time zone, the
locale or the hash seed of the machine that builds it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import curator_checkout
from tests.site_builds import tree

TAGS = (
    "robotics:\n  title: Robotics\n  description: Robots.\n"
    "swarms:\n  title: Swarms\n  description: Many robots.\n"
)
PAPERS = {
    "grasping.yaml": "title: Grasping\nauthors: [Ada]\norganization: Lab\npublished: 2025-03-02\n"
    "added: 2026-11-01\ntags: [robotics]\nabstract: We grasp.\nvotes: 3\n",
    "walking.yaml": "title: Walking\nauthor_count: 2\nadded: 2026-11-01\ntags: [robotics, swarms]\n",
    "notes.md": "---\ntitle: Notes Paper\nadded: 2026-10-30\npublished: 2024-12-31\n"
    "tags: [swarms]\n---\nSome *notes*.\n",
}


def build_in(root: Path, environment: dict[str, str]) -> dict[str, bytes]:
    project = curator_checkout(root, TAGS)
    for name, text in PAPERS.items():
        (project.papers / name).write_text(text, encoding="utf-8")
    repository = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-m", "build_tools.cli", "build", "--quiet"],
        cwd=project.root,
        env={**os.environ, "PYTHONPATH": str(repository), **environment},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return tree(project.site)


def test_two_builds_anywhere_give_byte_identical_sites(tmp_path: Path):
    first = build_in(tmp_path / "a", {"TZ": "UTC", "PYTHONHASHSEED": "1", "LC_ALL": "C.UTF-8"})
    second = build_in(
        tmp_path / "somewhere" / "else",
        {"TZ": "Pacific/Kiritimati", "PYTHONHASHSEED": "4242", "LC_ALL": "C"},
    )
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []

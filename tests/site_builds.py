"""Running `papershelf build` in a test project and comparing sites, for the tests of
incremental and quick builds."""

from __future__ import annotations

from pathlib import Path

import pytest

from build_tools.cli import main
from tests.conftest import Project


def tree(site: Path) -> dict[str, bytes]:
    """Every file of a built site: path -> bytes."""
    return {
        str(path.relative_to(site)): path.read_bytes() for path in site.rglob("*") if path.is_file()
    }


def run_build(project: Project, monkeypatch: pytest.MonkeyPatch, capfd, *args: str) -> str:
    """Run `papershelf build` in the project, check it succeeded and left no temporary
    folder behind; everything it printed."""
    monkeypatch.chdir(project.root)
    capfd.readouterr()
    code = main(["build", *args])
    out, err = capfd.readouterr()
    assert code == 0, out + err
    leftovers = [p.name for p in project.root.iterdir() if p.name.startswith(".")]
    assert sorted(name for name in leftovers if name != ".git") == []
    return out


def clean_build(project: Project, monkeypatch: pytest.MonkeyPatch, capfd) -> dict[str, bytes]:
    """What a build from scratch makes of the project as it is now."""
    run_build(project, monkeypatch, capfd, "--clean", "--site-dir", "clean-site")
    return tree(project.root / "clean-site")

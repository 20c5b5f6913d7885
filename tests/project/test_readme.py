"""The README's quick start is exactly two commands, and the Makefile provides them."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the quick start has a sh code block"
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def makefile_targets() -> set[str]:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))


def test_quick_start_is_build_the_site_then_run_the_tests():
    assert quick_start_commands() == ["make site", "make test"]


def test_the_makefile_provides_the_quick_start_and_serve_targets():
    assert {"site", "test", "serve"} <= makefile_targets()


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = quick_start_commands()[1]
    assert re.search(rf"^{re.escape(test_command)}$", ci, re.M)
    assert "set -euo pipefail" in ci


def test_make_site_builds_with_the_atomic_strict_build():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nsite:", 1)[1].split("\n\n", 1)[0]
    assert "papershelf build" in recipe


def test_the_readme_logo_and_colours_example_builds(tmp_path):
    """ "Start your own list" shows two lines for under `theme:`: they must work."""
    import subprocess
    import sys

    from tests.conftest import curator_checkout

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Start your own list", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block
    lines = [line[3:] for line in block.group(1).splitlines() if line.strip()]  # item indent
    assert len(lines) == 2 and all(line.startswith("  ") for line in lines)
    checkout = curator_checkout(tmp_path, "robotics:\n  title: Robotics\n  description: R.\n")
    config = checkout.root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    # The example's palette replaces the shipped one: drop that block, add the lines.
    theme_start = text.index("theme:\n")
    palette = text.index("  palette:\n", theme_start)
    after = re.search(r"\n(?=\S)", text[palette:])
    assert after
    text = text[:palette] + "\n".join(lines) + "\n" + text[palette + after.start() + 1 :]
    config.write_text(text, encoding="utf-8")
    checkout.write("content/assets/logo.svg", '<svg xmlns="http://www.w3.org/2000/svg"/>\n')
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q"],
        cwd=checkout.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    home = (checkout.site / "index.html").read_text(encoding="utf-8")
    assert 'data-md-color-primary="teal"' in home and "assets/logo.svg" in home


def test_every_promise_of_the_readme_names_a_test_that_exists():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What a build promises", 1)[1].split("\n## ", 1)[0]
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("*.py"))
    names = re.findall(r"`(test_[a-z0-9_]+)`", section)
    files = re.findall(r"`(tests/[a-z0-9_/]+\.py)`", section)
    assert len(names) >= 6 and files
    assert [name for name in names if f"def {name}(" not in sources] == []
    assert [path for path in files if not (ROOT / path).is_file()] == []

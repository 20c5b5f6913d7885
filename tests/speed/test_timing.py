"""Stage timing for the benchmark: exclusive times, and nothing when switched off."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from papershelf.speed import timing


def test_nested_stages_are_counted_once_in_the_inner_stage():
    timer = timing.StageTimer()
    with timer.stage("outer"):
        time.sleep(0.02)
        with timer.stage("inner"):
            time.sleep(0.05)
    assert 0.05 <= timer.totals["inner"] < 0.2
    assert 0.02 <= timer.totals["outer"] < 0.05  # the inner 0.05 s is not counted again
    assert timer.calls == {"outer": 1, "inner": 1}


def test_without_the_environment_variable_stages_cost_nothing_and_write_nothing():
    assert os.environ.get(timing.ENV_VAR) is None
    assert not timing.enabled()
    assert timing.stage("load") is timing.stage("catalog")  # one shared null context

    def function() -> int:
        return 1

    assert timing.timed("x", function) is function


def test_once_started_with_the_requested_file_the_totals_are_written_at_exit(tmp_path: Path):
    out = tmp_path / "timings.json"
    code = (
        "from papershelf.speed import timing\n"
        "timing.start(timing.requested())\n"
        "with timing.stage('load'):\n    pass\n"
    )
    env = {**os.environ, timing.ENV_VAR: str(out)}
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report["stages"]) == {"load"}
    assert report["calls"] == {"load": 1}


def test_importing_the_plugin_switches_nothing_on_and_patches_nothing(tmp_path: Path):
    """The variable only names the file: timing starts with an explicit call (the
    plugin's on_startup, the benchmark's wrapper), and mkdocs is patched only then."""
    out = tmp_path / "timings.json"
    code = (
        "from mkdocs.commands import build\n"
        "original = build._populate_page, build._build_page\n"
        "from papershelf.plugin import hooks\n"
        "from papershelf.speed import timing\n"
        "assert not timing.enabled()\n"
        "assert (build._populate_page, build._build_page) == original\n"
        "with timing.stage('load'):\n    pass\n"
    )
    env = {**os.environ, timing.ENV_VAR: str(out)}
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    assert not out.exists()


def test_a_started_process_that_measured_nothing_writes_nothing(tmp_path: Path):
    """`papershelf build` around an mkdocs build leaves the report to the mkdocs process."""
    out = tmp_path / "timings.json"
    out.write_text("the build process's report\n", encoding="utf-8")
    code = "from papershelf.speed import timing\ntiming.start(timing.requested())\n"
    env = {**os.environ, timing.ENV_VAR: str(out)}
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    assert out.read_text(encoding="utf-8") == "the build process's report\n"


def test_a_forked_helper_reports_its_own_stages_to_the_parent(monkeypatch, tmp_path):
    """What a helper process spent is kept apart from the parent's stages."""

    from papershelf.speed import forking, timing

    monkeypatch.setattr(timing, "_timer", timing.StageTimer())

    def work() -> str:
        with timing.stage("pages"):
            return "done"

    with timing.stage("load"):
        assert forking.ForkedTask(work, name="pages").join() == "done"
    report = timing._timer.report()
    assert set(report["stages"]) == {"load"}
    assert set(report["helpers"]) == {"pages"}
    assert set(report["helpers"]["pages"]) == {"pages"}
    assert report["helpers"]["pages"]["pages"] >= 0

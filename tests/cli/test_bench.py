"""`papershelf bench`: a tiny run proves every measurement works (no timing asserted)."""

from __future__ import annotations

import argparse
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from build_tools import bench, bench_report
from build_tools.cli import main

# Runs the benchmark end to end: left out of `make test-fast`.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def test_the_serve_rebuild_is_timed_as_make_serve_runs_it():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "papershelf " + " ".join(bench.SERVE_ARGS) + "\n" in makefile


def test_sizes_accept_thousands_and_reject_nonsense():
    assert bench.sizes("10k, 1000,10000") == [1000, 10000]
    with pytest.raises(argparse.ArgumentTypeError, match="'ten' is not a size"):
        bench.sizes("ten")


def test_the_baseline_is_built_up_to_the_cap_and_at_fit_points_above_it():
    assert bench.baseline_sizes([1000, 10000, 50000], 2000) == [500, 1000, 2000]
    assert bench.baseline_sizes([100, 200], 2000) == [100, 200]
    assert bench.baseline_sizes([100], 0) == []


def test_the_quadratic_fit_recovers_a_quadratic():
    points = [(n, 0.5 + 0.002 * n + 1.5e-5 * n * n) for n in (500.0, 1000.0, 2000.0, 4000.0)]
    a, b, c = bench.fit_quadratic(points)
    assert a == pytest.approx(0.5, abs=1e-6)
    assert b == pytest.approx(0.002, rel=1e-6)
    assert c == pytest.approx(1.5e-5, rel=1e-6)


def test_stage_summary_maps_timer_names_and_keeps_the_rest_as_other():
    raw = {"load": 1.0, "catalog": 0.5, "pages": 0.25, "mkdocs pages": 2.0, "plugin search": 1.0}
    raw["exports"] = 0.5
    summary = bench.stage_summary(raw, wall=6.5)
    assert summary == {
        "load/validate": 1.0,
        "catalog": 0.5,
        "pages": 2.25,
        "feeds": 0.0,
        "downloads": 0.5,
        "search index": 1.0,
        "other": 1.25,
    }


def _result(papers: int, cold: float, edit: float, rss: float, size: int, feed: int) -> dict:
    return {
        "papers": papers,
        "cold": {"seconds": cold, "cpu_seconds": cold, "peak_rss_mb": rss, "stages": {}},
        "output": {"files": 1, "bytes": size, "search_index_bytes": 0, "largest_feed_bytes": feed},
        "noop_rebuild": {"seconds": edit},
        "edit_rebuild": {"seconds": edit},
        "baseline": {"papers": papers, "seconds": cold * 4, "extrapolated": True},
    }


def test_targets_report_each_measured_value_against_its_limit():
    results = [
        _result(10000, cold=8.0, edit=0.5, rss=350, size=10**8, feed=9000),
        _result(50000, cold=56.0, edit=9.0, rss=900, size=5 * 10**8, feed=9100),
    ]
    found = {t["name"]: t for t in bench_report.targets(results)}
    assert found["10k: full build seconds"]["met"] is True
    assert found["10k: build / baseline"] == {
        "name": "10k: build / baseline",
        "value": 0.25,
        "limit": 0.6,
        "met": True,
        "note": "baseline extrapolated",
    }
    assert found["10k: CLI rebuild after one edit / cold"]["value"] == 0.0625
    assert found["50k/10k: time per paper"]["value"] == 1.4
    assert found["50k/10k: time per paper"]["met"] is False
    assert found["50k/10k: output bytes per paper"]["met"] is True
    assert found["feeds bounded: largest feed growth"]["met"] is True


def test_a_tiny_benchmark_runs_every_measurement(tmp_path: Path, capsys):
    out, plot = tmp_path / "results.json", tmp_path / "plot.svg"
    argv = ["bench", "--sizes", "10,20", "--baseline-max", "8", "--out", str(out)]
    argv += ["--plot", str(plot), "-f", str(ROOT / "mkdocs.yml"), "--workdir", str(tmp_path / "w")]
    argv += ["--timeout", "300"]  # a hang fails the test instead of holding up the suite
    assert main(argv) == 0

    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["machine"]["cpus"] >= 1
    assert [r["papers"] for r in report["results"]] == [10, 20]
    assert [b["papers"] for b in report["baseline_measured"]] == [2, 4, 8]
    for result in report["results"]:
        cold = result["cold"]
        assert cold["seconds"] > 0 and cold["peak_rss_mb"] > 20
        assert set(cold["stages"]) == set(bench_report.STAGES)
        assert cold["raw_stages"]["load"] > 0 and cold["raw_stages"]["mkdocs pages"] > 0
        assert result["output"]["files"] > 10 and result["output"]["feed_bytes"] > 0
        assert result["output"]["export_files"] > 2 * result["papers"]  # cite.bib, cite.json
        assert result["output"]["export_bytes"] > 0
        assert result["noop_rebuild"]["seconds"] > 0
        assert result["edit_rebuild"]["seconds"] > 0
        assert result["edit_rebuild"]["without_mkdocs"] is True  # an abstract edit: quick
        # Words other papers have: a full build if one of them tells papers apart
        # (papershelf.site.related), which depends on the list.
        assert result["reword_rebuild"]["seconds"] > 0
        assert isinstance(result["reword_rebuild"]["without_mkdocs"], bool)
        assert result["retag_rebuild"]["seconds"] > 0
        assert isinstance(
            result["retag_rebuild"]["without_mkdocs"], bool
        )  # quick if no page comes or goes
        assert result["reorder_rebuild"]["seconds"] > 0
        assert result["reorder_rebuild"]["without_mkdocs"] is True
        assert result["serve_edit_rebuild"]["reported_build_seconds"] > 0
        assert result["serve_retag_rebuild"]["reported_build_seconds"] > 0
        assert result["baseline"]["extrapolated"] is True  # 10 and 20 are above the cap of 8
    page = next((tmp_path / "w/papershelf-20/papers").iterdir())
    assert page.is_file()  # the projects are kept with --workdir

    printed = capsys.readouterr().out
    assert "Papershelf build benchmark" in printed
    assert "Cold build, seconds per stage" in printed
    assert "load/validate" in printed
    assert f"results written to {out}" in printed

    drawing = ET.fromstring(plot.read_text(encoding="utf-8"))
    titles = [t.text for t in drawing.iter("{http://www.w3.org/2000/svg}text")]
    assert "Build time" in titles and "Peak memory (RSS)" in titles
    assert "papershelf: cold build" in titles
    assert "plain mkdocs-material (extrapolated)" in titles

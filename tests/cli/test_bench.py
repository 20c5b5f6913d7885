"""`papershelf bench`: a tiny run proves every measurement works (no timing asserted)."""

from __future__ import annotations

import argparse
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from build_tools import bench, bench_report
from build_tools.cli import main

# Runs the benchmark end to end: left out of `make test-fast`.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
REFERENCE_KEYS = {"seconds", "cpu_seconds", "peak_rss_mb", "bytes", "files", "pages"}


def test_the_serve_rebuild_is_timed_as_make_serve_runs_it():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "papershelf " + " ".join(bench.SERVE_ARGS) + "\n" in makefile


def test_sizes_accept_thousands_and_reject_nonsense():
    assert bench.sizes("10k, 1000,10000") == [1000, 10000]
    with pytest.raises(argparse.ArgumentTypeError, match="'ten' is not a size"):
        bench.sizes("ten")


def test_the_baseline_keeps_the_papers_out_of_the_nav():
    config = yaml.safe_load(bench.BASELINE_CONFIG)
    assert config["theme"] == {"name": "material"}
    assert config["nav"] == ["index.md"]
    assert config["not_in_nav"].split() == [f"/{bench.PAPERS_DIR}/"]


def test_without_hugo_the_reference_is_skipped_with_a_message(monkeypatch):
    monkeypatch.setattr(bench.hugo_baseline, "installed", lambda: None)
    assert bench.find_hugo(True) == (None, {"installed": False, "message": bench.HUGO_MISSING})
    hugo, info = bench.find_hugo(False)  # --no-baseline
    assert hugo is None and info["installed"] is None


def test_a_reference_that_renders_too_few_pages_fails_the_benchmark():
    bench.check_pages(10, 10, "Hugo")
    with pytest.raises(bench.BenchError, match="rendered 9 paper pages, not 10"):
        bench.check_pages(9, 10, "Hugo")


def test_the_report_names_the_file_system_of_its_projects():
    mounts = (
        "/dev/vda / ext4 rw,relatime 0 0\n"
        "tmpfs /dev/shm tmpfs rw 0 0\n"
        "tmpfs /dev/shm/deeper tmpfs,x rw 0 0\n"
        "broken line\n"
    )
    assert bench.filesystem_type(Path("/dev/shm/bench"), mounts) == "tmpfs"
    assert bench.filesystem_type(Path("/dev/shm/deeper/a"), mounts) == "tmpfs,x"
    assert bench.filesystem_type(Path("/work/main"), mounts) == "ext4"
    assert bench.filesystem_type(Path("/work"), "") is None


def test_file_creation_is_timed_in_the_workdir_and_leaves_nothing(tmp_path: Path):
    assert bench.file_creation_seconds(tmp_path, count=50) > 0
    assert list(tmp_path.iterdir()) == []


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
        "baseline": {"seconds": cold * 4, "cpu_seconds": cold * 4, "peak_rss_mb": 80},
        "hugo": {"seconds": cold / 10, "cpu_seconds": cold / 5, "peak_rss_mb": 60},
    }


def test_targets_report_each_measured_value_against_its_limit():
    results = [
        _result(10000, cold=8.0, edit=0.5, rss=350, size=10**8, feed=9000),
        _result(50000, cold=56.0, edit=9.0, rss=900, size=5 * 10**8, feed=9100),
    ]
    found = {t["name"]: t for t in bench_report.targets(results)}
    assert found["10k: full build seconds"]["met"] is True
    assert "10k: build / baseline" not in found  # the in-nav baseline's old target
    assert found["10k: build / mkdocs-material"] == {
        "name": "10k: build / mkdocs-material",
        "value": 0.25,
        "limit": None,
        "met": None,
        "note": "pages not in the nav; no target",
    }
    assert found["10k: build / Hugo"]["value"] == 10.0
    assert found["10k: build / Hugo"]["met"] is None
    assert found["10k: CLI rebuild after one edit / cold"]["value"] == 0.0625
    assert found["50k/10k: time per paper"]["value"] == 1.4
    assert found["50k/10k: time per paper"]["met"] is False
    assert found["50k/10k: output bytes per paper"]["met"] is True
    assert found["feeds bounded: largest feed growth"]["met"] is True
    assert found["50k: site MB"] == {
        "name": "50k: site MB",
        "value": 500.0,
        "limit": 1000.0,
        "met": True,
        "note": "10.0 kB per paper; GitHub Pages: 1 GB",
    }


def _view(page: str, kilobytes: float) -> dict:
    return {"page": page, "requests": 9, "transferred_bytes": int(kilobytes * 1024)}


def test_first_views_must_stay_small_and_flat_as_the_list_grows():
    small = _result(300, cold=3.0, edit=0.5, rss=90, size=10**7, feed=9000)
    large = _result(50000, cold=56.0, edit=9.0, rss=900, size=5 * 10**8, feed=9100)
    small["first_view"] = [_view("", 90), _view("papers/a/", 80)]
    large["first_view"] = [_view("", 95), _view("papers/b/", 200)]
    found = {t["name"]: t for t in bench_report.targets([small, large])}
    assert found["first view of a paper page, KB"]["value"] == 200
    assert found["first view of a paper page, KB"]["met"] is False  # over 150 KB
    assert found["first view flat: home page growth"]["met"] is True  # 95 / 90
    assert found["first view flat: paper page growth"]["value"] == 2.5
    assert found["first view flat: paper page growth"]["met"] is False


def test_an_old_report_is_redrawn_without_its_in_nav_baseline():
    result = _result(10000, cold=8.0, edit=0.5, rss=350, size=10**8, feed=9000)
    result["baseline"] = {"papers": 10000, "seconds": 2848.0, "extrapolated": True}
    del result["hugo"]
    old = {
        "machine": {"cpus": 2, "python": "3", "mkdocs": "1", "mkdocs-material": "9"},
        "baseline_max": 2000,
        "baseline_measured": [{"papers": 500, "seconds": 10.1, "peak_rss_mb": 75.0}],
        "baseline_fit": {"a": 0.0, "b": 0.0, "c": 1.0},
        "results": [result],
        "targets": [
            {"name": "10k: build / baseline", "value": 0.007, "limit": 0.6, "met": True},
            {"name": "10k: peak RSS MB", "value": 350, "limit": 400, "met": True, "note": ""},
        ],
    }
    printed = bench_report.table(old)
    assert "old report" in printed and "2848" not in printed
    assert "10k: build / baseline" not in printed and "10k: peak RSS MB" in printed
    assert "References" not in printed
    titles = _titles(bench_report.svg(old))
    assert bench_report.MATERIAL_SERIES not in titles and "papershelf: cold build" in titles
    assert bench_report.references(result) == {"baseline": None, "hugo": None}


def _titles(drawing: str) -> list[str | None]:
    tree = ET.fromstring(drawing)
    return [t.text for t in tree.iter("{http://www.w3.org/2000/svg}text")]


def test_a_tiny_benchmark_runs_every_measurement(tmp_path: Path, capsys):
    out, plot = tmp_path / "results.json", tmp_path / "plot.svg"
    argv = ["bench", "--sizes", "10,20", "--out", str(out)]
    argv += ["--plot", str(plot), "-f", str(ROOT / "mkdocs.yml"), "--workdir", str(tmp_path / "w")]
    argv += ["--timeout", "300"]  # a hang fails the test instead of holding up the suite
    assert main(argv) == 0

    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["machine"]["cpus"] >= 1
    assert report["machine"]["workdir_filesystem"]  # Linux: /proc/mounts
    assert report["machine"]["file_creation_seconds"] > 0
    assert not list((tmp_path / "w").glob("file-creation-*"))  # the probe cleans up
    assert [r["papers"] for r in report["results"]] == [10, 20]
    for old in ("baseline_max", "baseline_measured", "baseline_fit"):
        assert old not in report  # no fit, no extrapolation
    hugo = shutil.which("hugo")
    assert report["references"]["hugo"]["installed"] is (hugo is not None)
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
        # Where the bytes go, and a reader's first views in Chromium.
        by_kind = result["output"]["by_kind"]
        assert sum(share["bytes"] for share in by_kind.values()) == result["output"]["bytes"]
        artifact = result["output"]["pages_artifact"]
        assert artifact["tar_bytes"] > result["output"]["bytes"] > artifact["zipped_bytes"] > 0
        assert by_kind["paper pages"]["files"] == result["papers"]
        home, paper = result["first_view"]
        assert home["page"] == "" and paper["page"].startswith("papers/")
        for view in (home, paper):
            assert view["requests"] >= 3 and view["transferred_bytes"] > 20_000
            assert any(path.endswith(".css") for path, _ in view["biggest"])
        assert result["serve_edit_rebuild"]["reported_build_seconds"] > 0
        assert result["serve_retag_rebuild"]["reported_build_seconds"] > 0
        # The references, measured at every size, each rendering every paper.
        references = {"baseline": result["baseline"], "hugo": result["hugo"]}
        if hugo is None:
            assert references.pop("hugo") is None
            assert result["ratios"]["hugo"] is None
        for key, figures in references.items():
            assert set(figures) == REFERENCE_KEYS
            assert figures["seconds"] > 0 and figures["peak_rss_mb"] > 0
            assert figures["pages"] == result["papers"]
            assert figures["files"] > result["papers"] and figures["bytes"] > 0
            ratio = result["cold"]["seconds"] / figures["seconds"]
            assert result["ratios"][key] == pytest.approx(ratio, rel=1e-3)
    page = next((tmp_path / "w/papershelf-20/papers").iterdir())
    assert page.is_file()  # the projects are kept with --workdir

    printed = capsys.readouterr().out
    assert "Papershelf build benchmark" in printed
    assert "Cold build, seconds per stage" in printed
    assert "load/validate" in printed
    assert f"results written to {out}" in printed
    assert "material s" in printed and "References" in printed
    assert "Output by kind of file, kB per paper" in printed
    assert "First view in Chromium" in printed
    assert ("hugo is not installed" in printed) is (hugo is None)

    titles = _titles(plot.read_text(encoding="utf-8"))
    assert "Build time" in titles and "Peak memory (RSS)" in titles
    assert "papershelf: cold build" in titles
    assert bench_report.MATERIAL_SERIES in titles
    assert (bench_report.HUGO_SERIES in titles) is (hugo is not None)

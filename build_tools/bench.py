"""``papershelf bench``: how build time, memory and output grow with the number of papers.

For each size N it writes a synthetic project (``build_tools.synthetic``): this
project's configuration, content and templates (linked) over synthetic papers. Then
it measures, each in a fresh process:

* a cold ``papershelf build`` (entry cache emptied): wall and CPU time, time per
  stage (``papershelf.speed.timing``, of the main build process), peak RSS of the largest
  process (the build or one of the helpers it forks: pages and feeds, search index),
  output files and bytes, search index and feed bytes;
* a no-op rebuild and a rebuild after editing one entry (``papershelf build`` again);
* the same edit seen by a running ``make serve`` (``mkdocs serve --dirty``): from the
  edit to mkdocs' "Documentation built" line, and the build time mkdocs reports;
* the references, at every size in the same run (measured, never extrapolated), each
  a site of the same N papers as Markdown pages (``SyntheticPaper.markdown_page``):
  the baseline, plain mkdocs-material with its defaults and the paper pages kept out
  of the navigation (``not_in_nav``), and Hugo with minimal layouts
  (``build_tools.hugo_baseline``) where ``hugo`` is installed. The report gives
  Papershelf's cold build as a ratio of each.

  The baseline used to be the same site with every page in the navigation: its build
  is quadratic (each page renders the whole nav), so it was extrapolated from small
  sizes and Papershelf looked hundreds of times faster than anyone would build such a
  list. It is gone (issue 22): a list of thousands of pages would keep them out of the
  nav, as Papershelf's own paper pages are.

The results go to a table on stdout, a JSON file and an SVG plot. Nothing here is a
test: ``tests/cli/test_bench.py`` only checks that a tiny run works.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from build_tools import bench_report, hugo_baseline, site_size, synthetic
from build_tools.deploy_check import config_urls
from papershelf.site.exports import LIST_FILES, PAPER_BIBTEX, PAPER_CSL_JSON, SCHEMA
from papershelf.site.feeds import ATOM_FILE, JSON_FILE, RSS_FILE
from papershelf.speed import timing

HELP = (
    "Benchmark builds of synthetic reading lists (time, memory, output) against plain "
    "mkdocs-material and Hugo."
)
DEFAULT_SIZES = (300, 1000, 10_000, 50_000)  # the first views are asked for at 300, 10k, 50k
TIMINGS_ENV = timing.ENV_VAR  # names the file a measured build reports its stages to
# `papershelf build` with stage timing switched on in its own process, where quick
# builds run without mkdocs. An mkdocs build it starts switches timing on itself (the
# plugin's on_startup), reporting to the same file (papershelf.speed.timing.start).
TIMED_BUILD = """\
import sys
from papershelf.speed import timing
report = timing.requested()
if report is not None:
    timing.start(report)
from build_tools.cli import main
sys.exit(main(sys.argv[1:]))
"""
USER_CACHE = "user-cache"  # XDG_CACHE_HOME of the builds (entry cache), emptied before a cold build
# The abstract edit: words no synthetic paper has, like a typo fixed in a rare word;
# it changes no paper's related papers (papershelf.site.related), so a quick build
# takes it. An edit of words other papers share is reword_entry's.
EDIT_MARKER = "Erratum, wording amended"
FEED_FILES = frozenset({RSS_FILE, ATOM_FILE, JSON_FILE})
# The downloads (papershelf.site.exports): lists' and each paper's own files.
EXPORT_FILES = frozenset({*LIST_FILES, SCHEMA, PAPER_BIBTEX, PAPER_CSL_JSON})
SERVE_ARGS = ("serve",)  # `papershelf serve`, as `make serve` runs it
QUICK_LINE = "without mkdocs"  # what `papershelf build` says after a quick build


def sizes(text: str) -> list[int]:
    """``"1000,10k"`` -> [1000, 10000]; argparse type."""
    result = []
    for part in text.split(","):
        part = part.strip().lower()
        match = re.fullmatch(r"(\d+)(k?)", part)
        if not match:
            raise argparse.ArgumentTypeError(f"'{part}' is not a size (e.g. 1000 or 10k)")
        result.append(int(match[1]) * (1000 if match[2] else 1))
    if not result or min(result) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive")
    return sorted(set(result))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    default = ",".join(str(n) for n in DEFAULT_SIZES)
    parser.add_argument("--sizes", type=sizes, default=list(DEFAULT_SIZES), help=default)
    parser.add_argument("--out", type=Path, default=Path("bench-results.json"), help="JSON file")
    parser.add_argument("--plot", type=Path, help="also write an SVG plot of time and memory")
    parser.add_argument("-f", "--config-file", type=Path, default=Path("mkdocs.yml"))
    parser.add_argument("--seed", type=int, default=0, help="synthetic data seed (default 0)")
    parser.add_argument(
        "--no-baseline",
        dest="baseline",
        action="store_false",
        help="skip the references (plain mkdocs-material, Hugo)",
    )
    parser.add_argument("--no-serve", dest="serve", action="store_false", help="skip serve")
    parser.add_argument(
        "--no-first-view",
        dest="first_view",
        action="store_false",
        help="skip the first views in Chromium (build_tools.first_view)",
    )
    parser.add_argument("--workdir", type=Path, help="where to write the projects (kept)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per build")


@dataclass
class Measured:
    """One child process: wall seconds, CPU seconds (user + system, its whole tree:
    steadier than wall time on a busy machine), peak RSS, exit code."""

    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    returncode: int
    output: str = field(repr=False)
    stages: dict[str, float] = field(default_factory=dict)
    helper_stages: dict[str, float] = field(default_factory=dict)
    process_rss_mb: float | None = None  # the build process alone (from its timings)


def build_env() -> dict[str, str]:
    """The environment of a measured build: this one, without timings unless asked,
    and with Python's bytecode cache on. A machine that sets PYTHONDONTWRITEBYTECODE
    would make every build compile papershelf's modules again (40-60 ms of each quick
    rebuild), which an installed papershelf never does."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop(TIMINGS_ENV, None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_measured(
    command: list[str], cwd: Path, timeout: float, timings: Path | None = None
) -> Measured:
    """Run ``command`` and measure it with ``wait4`` (peak RSS of the largest process
    in its tree, not of this benchmark process)."""
    env = build_env()
    if timings is not None:
        timings.unlink(missing_ok=True)
        env[TIMINGS_ENV] = str(timings)
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=log)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.005)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read().decode("utf-8", "replace")
    report: dict[str, Any] = {}
    if timings is not None and timings.exists():
        report = json.loads(timings.read_text(encoding="utf-8"))
    cpu = usage.ru_utime + usage.ru_stime
    measured = Measured(seconds, cpu, usage.ru_maxrss / 1024, process.returncode, output)
    measured.stages = report.get("stages", {})
    measured.helper_stages = helper_summary(report.get("helpers", {}))
    measured.process_rss_mb = report.get("process_peak_rss_mb")
    return measured


def check(measured: Measured, what: str) -> Measured:
    if measured.returncode != 0:
        raise BenchError(f"{what} failed (exit {measured.returncode}):\n{measured.output[-3000:]}")
    return measured


class BenchError(RuntimeError):
    pass


def mirror_project(real_config: Path, root: Path) -> None:
    """Make ``root`` the real project with other papers: links to each top-level file
    and folder (content, templates, snippets...), a copy of mkdocs.yml, and none of
    ``papers/``, ``tags.yml``, outputs or dot-folders. Paths relative to the config
    file or the working folder then resolve as they do for ``make site``. (Assumes
    the plugin's default ``papers_dir``, ``collections_dir`` and ``tags_file``: the
    real list's reading paths name papers the generated list does not have.)"""
    root.mkdir(parents=True, exist_ok=True)
    skipped = {"papers", "collections", "tags.yml", "site", real_config.name}
    for entry in sorted(real_config.parent.iterdir()):
        if entry.name.startswith(".") or entry.name in skipped:
            continue
        link = root / entry.name
        if not link.is_symlink():
            link.symlink_to(entry)
    shutil.copyfile(real_config, root / "mkdocs.yml")


BASELINE_CONFIG = """\
# A default mkdocs-material site whose paper pages are kept out of the navigation.
site_name: Baseline
site_url: https://example.org/baseline/
theme:
  name: material
nav:
  - index.md
not_in_nav: |
  /papers/
"""
BASELINE_ABOUT = "plain mkdocs-material (defaults), paper pages not in the nav"
PAPERS_DIR = "papers"  # the references' paper pages: docs/papers/<slug>.md, content/papers/
HUGO_MISSING = "hugo is not installed (Debian package hugo): no Hugo reference"


def output_stats(site: Path) -> dict[str, Any]:
    """Files and bytes of the built site; separately the search index (``search/``:
    papershelf's, or material's JSON), the feeds (largest one too), the downloads, and
    the bytes by kind of file (build_tools.site_size), in one walk of the site."""
    keys = ("files", "bytes", "search_index_bytes", "feed_bytes", "export_bytes", "export_files")
    stats: dict[str, Any] = dict.fromkeys(keys, 0)
    stats["largest_feed_bytes"] = 0
    files = list(site_size.walk(site))
    for path, size in files:
        name = path.rsplit("/", 1)[-1]
        stats["files"] += 1
        stats["bytes"] += size
        if path.startswith("search/"):
            stats["search_index_bytes"] += size
        if name in EXPORT_FILES:
            stats["export_bytes"] += size
            stats["export_files"] += 1
        if name in FEED_FILES:
            stats["feed_bytes"] += size
            stats["largest_feed_bytes"] = max(stats["largest_feed_bytes"], size)
    stats["by_kind"] = {
        kind: {"files": share.files, "bytes": share.bytes}
        for kind, share in site_size.tally(files).items()
    }
    return stats


def first_view_figures(site: Path, timeout: float) -> list[dict[str, Any]]:
    """The bytes (gzip, as served) of a first view of the home page and of a paper
    page, with what the theme's scripts fetch after (build_tools.first_view). In a
    process of its own: Playwright's sync API cannot start where an event loop runs
    (a caller's, or another Playwright's), and Chromium's memory is not the bench's."""
    out = site.parent / "first-view.json"
    command = [sys.executable, "-m", "build_tools.first_view", str(site), "--json", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise BenchError(f"first views of {site} failed:\n{done.stderr or done.stdout}")
    return [
        {
            "page": view["page"],
            "requests": view["requests"],
            "transferred_bytes": view["transferred_bytes"],
            "not_found": list(view["not_found"]),
            "biggest": [list(item) for item in view["biggest"]],
        }
        for view in json.loads(out.read_text(encoding="utf-8"))
    ]


def stage_summary(stages: dict[str, float], wall: float) -> dict[str, float]:
    """The issue's stage names from the raw timer names; the rest of the wall time
    (interpreter start, imports, mkdocs config, theme assets, sitemap) is "other"."""
    summary = {
        "load/validate": stages.get("load", 0.0),
        "catalog": stages.get("catalog", 0.0),
        "pages": stages.get("pages", 0.0) + stages.get("mkdocs pages", 0.0),
        "feeds": stages.get("feeds", 0.0),
        "downloads": stages.get("exports", 0.0),
        "search index": stages.get("search", 0.0) + stages.get("plugin search", 0.0),
    }
    summary["other"] = max(0.0, wall - sum(summary.values()))
    return {name: round(seconds, 3) for name, seconds in summary.items()}


def helper_summary(helpers: dict[str, dict[str, float]]) -> dict[str, float]:
    """Seconds the forked helpers spent per stage, beside the main process: parsing
    entries, writing pages, feeds, the entry cache and state, the search index."""
    summary = dict.fromkeys(("load/validate", "pages", "feeds", "downloads", "search index"), 0.0)
    names = {
        "load": "load/validate",
        "pages": "pages",
        "feeds": "feeds",
        "exports": "downloads",
        "search": "search index",
    }
    for totals in helpers.values():
        for name, seconds in totals.items():
            summary[names.get(name, "pages")] += seconds
    return {name: round(seconds, 3) for name, seconds in summary.items()}


def edit_entry(project: synthetic.SyntheticProject, slug: str, number: int) -> str:
    """Change one entry's abstract; returns the text to look for in its page."""
    path = project.entry_path(slug)
    text = path.read_text(encoding="utf-8")
    marker = f"{EDIT_MARKER} ({number})."
    edited = re.sub(r'^abstract: "', f'abstract: "{marker} ', text, count=1, flags=re.M)
    if edited == text:
        raise BenchError(f"could not edit {path}")
    path.write_text(edited, encoding="utf-8")
    return marker


def reword_entry(project: synthetic.SyntheticProject, slug: str) -> str:
    """Repeat the first sentence of one entry's abstract: the counts of words other
    papers have change, so every paper's related papers may change and the build is a
    full one. Returns the sentence."""
    path = project.entry_path(slug)
    text = path.read_text(encoding="utf-8")
    match = re.search(r'^abstract: "([^."]*\.)', text, flags=re.M)
    if match is None:
        raise BenchError(f"no abstract sentence in {path}")
    edited = text[: match.end()] + " " + match[1] + text[match.end() :]
    path.write_text(edited, encoding="utf-8")
    return match[1]


def retag_entry(project: synthetic.SyntheticProject, slug: str) -> str:
    """Swap one entry's last tag for another: the paper moves from one tag's lists to
    another's (pages it was not on change: other papers shift on the pages of both
    tags). Returns the new tag's id."""
    path = project.entry_path(slug)
    text = path.read_text(encoding="utf-8")
    match = re.search(r"^tags: \[(.*)\]$", text, flags=re.M)
    if match is None:
        raise BenchError(f"no tags line in {path}")
    tags = [tag.strip() for tag in match[1].split(",")]
    new = next(tag for tag, _, _ in synthetic.TAGS if tag not in tags)
    line = "tags: [" + ", ".join([*tags[:-1], new]) + "]"
    path.write_text(text[: match.start()] + line + text[match.end() :], encoding="utf-8")
    return new


def redate_entry(project: synthetic.SyntheticProject, slug: str) -> str:
    """Give one entry the added date of the newest entries: the paper moves up the
    list, and every paper between its old and new place moves down one: the pages
    of the lists it is on change from its old place up. Returns the date."""
    added = re.compile(r"^added: (\d{4}-\d{2}-\d{2})$", flags=re.M)
    newest = max(
        day
        for other in project.slugs
        for day in added.findall(project.entry_path(other).read_text(encoding="utf-8"))
    )
    path = project.entry_path(slug)
    text = path.read_text(encoding="utf-8")
    edited = added.sub(f"added: {newest}", text, count=1)
    if edited == text:
        raise BenchError(f"could not change the added date of {path}")
    path.write_text(edited, encoding="utf-8")
    return newest


def build_command(config: Path, site: Path, *, timed: bool = False) -> list[str]:
    """``papershelf build`` of the project; ``timed``: reporting its stages (run it with
    :func:`run_measured`'s ``timings``)."""
    arguments = ["build", "-f", str(config), "-d", str(site)]
    if timed:
        return [sys.executable, "-c", TIMED_BUILD, *arguments]
    return [sys.executable, "-m", "build_tools.cli", *arguments]


def bench_size(
    count: int, args: argparse.Namespace, root: Path, log: Any = print
) -> dict[str, Any]:
    """Every measurement of one size N in project ``root``."""
    config = root / "mkdocs.yml"
    site = root / "site"
    timings = root / "timings.json"
    log(f"[{count} papers] writing the synthetic project in {root}")
    project = synthetic.generate(root, count, seed=args.seed)
    mirror_project(args.config_file.resolve(), root)
    shutil.rmtree(root.parent / USER_CACHE, ignore_errors=True)
    shutil.rmtree(site, ignore_errors=True)
    command = build_command(config, site)
    timed = build_command(config, site, timed=True)
    cwd = root

    log(f"[{count} papers] cold build")
    cold = check(run_measured(timed, cwd, args.timeout, timings), "cold build")
    stats = output_stats(site)
    # What a GitHub Pages deploy would upload: Papershelf's site only (it reads every
    # file again, 30 s at 50,000 papers; the references report their bytes).
    stats["pages_artifact"] = dataclasses.asdict(site_size.pages_artifact(site))
    first_view: list[dict[str, Any]] | None = None
    if args.first_view:
        log(f"[{count} papers] first views of the home page and a paper page, in Chromium")
        first_view = first_view_figures(site, args.timeout)
    log(f"[{count} papers] no-op rebuild")
    noop = check(run_measured(command, cwd, args.timeout), "no-op rebuild")
    slug = project.slugs[len(project.slugs) // 2]
    marker = edit_entry(project, slug, 1)
    log(f"[{count} papers] rebuild after editing papers/{slug}")
    edit = check(run_measured(timed, cwd, args.timeout, timings), "rebuild after an edit")
    page = site / "papers" / slug / "index.html"
    if marker not in page.read_text(encoding="utf-8"):
        raise BenchError(f"the rebuild after editing {slug} did not update {page}")
    reworded = project.slugs[len(project.slugs) // 4]
    reword_entry(project, reworded)
    log(f"[{count} papers] rebuild after rewording the abstract of papers/{reworded}")
    reword = check(run_measured(command, cwd, args.timeout), "rebuild after rewording")
    other = project.slugs[len(project.slugs) // 3]
    tag = retag_entry(project, other)
    log(f"[{count} papers] rebuild after changing a tag of papers/{other}")
    moved = check(run_measured(timed, cwd, args.timeout, timings), "rebuild after a tag edit")
    page = site / "papers" / other / "index.html"
    if f"tags/{tag}/" not in page.read_text(encoding="utf-8"):
        raise BenchError(f"the rebuild after retagging {other} did not update {page}")
    third = project.slugs[2 * len(project.slugs) // 3]
    day = redate_entry(project, third)
    log(f"[{count} papers] rebuild after a date edit that reorders the list (papers/{third})")
    reordered = check(run_measured(command, cwd, args.timeout), "rebuild after a date edit")
    if day not in (site / "papers" / third / "index.html").read_text(encoding="utf-8"):
        raise BenchError(f"the rebuild after redating {third} did not update its page")
    result: dict[str, Any] = {
        "papers": count,
        "cold": {
            "seconds": round(cold.seconds, 3),
            "cpu_seconds": round(cold.cpu_seconds, 3),
            "peak_rss_mb": round(cold.peak_rss_mb, 1),
            "build_process_rss_mb": cold.process_rss_mb,
            "stages": stage_summary(cold.stages, cold.seconds),
            "helper_stages": cold.helper_stages,
            "raw_stages": cold.stages,
        },
        "output": stats,
        "noop_rebuild": {
            "seconds": round(noop.seconds, 3),
            "cpu_seconds": round(noop.cpu_seconds, 3),
        },
        "edit_rebuild": {
            "seconds": round(edit.seconds, 3),
            "cpu_seconds": round(edit.cpu_seconds, 3),
            "peak_rss_mb": round(edit.peak_rss_mb, 1),
            "stages": stage_summary(edit.stages, edit.seconds),
            "without_mkdocs": QUICK_LINE in edit.output,
        },
        "reword_rebuild": {
            "seconds": round(reword.seconds, 3),
            "cpu_seconds": round(reword.cpu_seconds, 3),
            "peak_rss_mb": round(reword.peak_rss_mb, 1),
            "without_mkdocs": QUICK_LINE in reword.output,
        },
        "retag_rebuild": {
            "seconds": round(moved.seconds, 3),
            "cpu_seconds": round(moved.cpu_seconds, 3),
            "peak_rss_mb": round(moved.peak_rss_mb, 1),
            "stages": stage_summary(moved.stages, moved.seconds),
            "without_mkdocs": QUICK_LINE in moved.output,
        },
        "reorder_rebuild": {
            "seconds": round(reordered.seconds, 3),
            "cpu_seconds": round(reordered.cpu_seconds, 3),
            "peak_rss_mb": round(reordered.peak_rss_mb, 1),
            "without_mkdocs": QUICK_LINE in reordered.output,
        },
    }
    if first_view is not None:
        result["first_view"] = first_view
    if args.serve:
        log(f"[{count} papers] mkdocs serve: rebuild after an edit")
        result["serve_edit_rebuild"] = serve_rebuild(
            config, cwd, args.timeout, f"papers/{slug}/", lambda: edit_entry(project, slug, 2)
        )
        log(f"[{count} papers] mkdocs serve: rebuild after a tag edit")
        result["serve_retag_rebuild"] = serve_rebuild(
            config,
            cwd,
            args.timeout,
            f"papers/{other}/",
            lambda: f"tags/{retag_entry(project, other)}/",
        )
    return result


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


_BUILT = re.compile(r"Documentation built in ([0-9.]+) seconds")


def served_page(address: str, config: Path, page: str) -> str:
    """A page as ``mkdocs serve`` serves it (under the path of the site URL)."""
    site_url, _ = config_urls(config, build_env())  # !ENV and INHERIT as mkdocs reads them
    base = urllib.parse.urlsplit(site_url).path if site_url else "/"
    url = f"http://{address}{base.rstrip('/')}/{page}"
    with urllib.request.urlopen(url, timeout=30) as response:  # a local server
        return str(response.read().decode("utf-8"))


def serve_rebuild(
    config: Path, cwd: Path, timeout: float, page: str, edit: Callable[[], str]
) -> dict[str, float]:
    """Start ``papershelf serve``, wait for its first build, ``edit`` one entry and time
    the rebuild it triggers: from the edit to mkdocs' "Documentation built" line (wall),
    and the build time mkdocs itself reports. The served ``page`` (site-root relative)
    must then contain the text ``edit`` returns."""
    address = f"127.0.0.1:{free_port()}"
    command = [sys.executable, "-m", "build_tools.cli", *SERVE_ARGS, "-f", str(config)]
    command += ["-a", address]
    env = build_env()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    lines: queue.Queue[tuple[float, str]] = queue.Queue()
    seen: list[str] = []

    def pump() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.put((time.perf_counter(), line))

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()

    def wait_for(pattern: re.Pattern[str] | str, after: float) -> tuple[float, re.Match[str]]:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            try:
                stamp, line = lines.get(timeout=0.5)
            except queue.Empty:
                if process.poll() is not None:
                    break
                continue
            seen.append(line)
            if stamp >= after and re.search(r"Aborted with|ERROR\s+-", line):
                break
            match = re.search(pattern, line)
            if match and stamp >= after:
                return stamp, match
        raise BenchError("mkdocs serve did not rebuild:\n" + "".join(seen[-40:]))

    try:
        wait_for("Serving on", 0.0)
        indexing = any("search index in the background" in line for line in seen)
        if indexing and not any("search index written" in line for line in seen):
            # An edit comes later than that. (A small list's index can be written
            # before "Serving on": then the line was read already.)
            wait_for("search index written", 0.0)
        time.sleep(1.0)  # let the file watcher settle
        edited_at = time.perf_counter()
        expected = edit()
        # The build this edit started: a rebuild already under way when the edit was
        # made would report "built" first (and faster) without containing it.
        noticed, _ = wait_for("Detected file changes", edited_at)
        done, match = wait_for(_BUILT, noticed)
        served = served_page(address, config, page)
        if expected not in served:
            raise BenchError(f"mkdocs serve rebuilt, but {page} does not show {expected!r}")
        return {
            "seconds": round(done - edited_at, 3),
            "reported_build_seconds": float(match[1]),
        }
    finally:
        process.send_signal(signal.SIGINT)  # mkdocs removes its temporary site on SIGINT
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(timeout=10)
        if process.stderr is not None:
            process.stderr.close()


def reference_result(measured: Measured, site: Path, pages: int) -> dict[str, Any]:
    """A reference build's figures; ``pages``: the paper pages found in its output."""
    stats = output_stats(site)
    return {
        "seconds": round(measured.seconds, 3),
        "cpu_seconds": round(measured.cpu_seconds, 3),
        "peak_rss_mb": round(measured.peak_rss_mb, 1),
        "bytes": stats["bytes"],
        "files": stats["files"],
        "pages": pages,
    }


def check_pages(pages: int, count: int, what: str) -> None:
    """A reference that rendered fewer pages than papers must not look fast."""
    if pages != count:
        raise BenchError(f"{what} rendered {pages} paper pages, not {count}")


def bench_baseline(count: int, args: argparse.Namespace, root: Path) -> dict[str, Any]:
    """Build N plain Markdown pages with mkdocs-material's defaults, the pages kept
    out of the navigation (``not_in_nav``), each page rendering a nav of one entry."""
    docs = root / "docs"
    papers_dir = docs / PAPERS_DIR
    papers_dir.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(BASELINE_CONFIG, encoding="utf-8")
    (docs / "index.md").write_text("# Baseline\n\nPlain pages.\n", encoding="utf-8")
    for item in synthetic.papers(count, seed=args.seed):
        (papers_dir / f"{item.slug}.md").write_text(item.markdown_page(), encoding="utf-8")
    site = root / "site"
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(root / "mkdocs.yml")]
    command += ["-d", str(site)]
    measured = check(run_measured(command, root, args.timeout), f"baseline build of {count}")
    pages = sum(1 for _ in (site / PAPERS_DIR).glob("*/index.html"))
    check_pages(pages, count, "the mkdocs-material baseline")
    return reference_result(measured, site, pages)


def bench_hugo(count: int, args: argparse.Namespace, root: Path, hugo: str) -> dict[str, Any]:
    """Build the same N papers with Hugo (``build_tools.hugo_baseline``)."""
    hugo_baseline.write_project(root, synthetic.papers(count, seed=args.seed))
    command = hugo_baseline.build_command(root, hugo)
    measured = check(run_measured(command, root, args.timeout), f"Hugo build of {count}")
    pages = hugo_baseline.rendered_pages(root)
    check_pages(pages, count, "the Hugo reference")
    return reference_result(measured, root / hugo_baseline.OUTPUT, pages)


def ratio(cold: dict[str, Any], reference: dict[str, Any] | None) -> float | None:
    """Papershelf's cold build time over a reference's, None without one."""
    if not reference or not reference.get("seconds"):
        return None
    return round(cold["seconds"] / reference["seconds"], 4)


def find_hugo(wanted: bool) -> tuple[str | None, dict[str, Any]]:
    """The ``hugo`` executable to build the Hugo reference with (None: no Hugo
    reference) and what the report says of it."""
    if not wanted:
        return None, {"installed": None, "message": "references skipped (--no-baseline)"}
    hugo = hugo_baseline.installed()
    if hugo is None:
        return None, {"installed": False, "message": HUGO_MISSING}
    return hugo, {"installed": True, "version": hugo_baseline.hugo_version(hugo)}


def machine(workdir: Path) -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "mkdocs": version("mkdocs"),
        "mkdocs-material": version("mkdocs-material"),
        "workdir_filesystem": filesystem_type(workdir),
        "file_creation_seconds": file_creation_seconds(workdir),
    }


def filesystem_type(path: Path, mounts: str | None = None) -> str | None:
    """The type of the file system ``path`` is on (Linux /proc/mounts: the longest
    mount point above it), or None where that cannot be read."""
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8")
        except OSError:
            return None
    resolved, found, depth = path.resolve(), None, -1
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = Path(fields[1].replace("\\040", " "))
        if resolved.is_relative_to(point) and len(point.parts) > depth:
            found, depth = fields[2], len(point.parts)
    return found


FILE_CREATION_COUNT = 5_000


def file_creation_seconds(workdir: Path, count: int = FILE_CREATION_COUNT) -> float:
    """Seconds to make ``count`` folders with a small file each in ``workdir``, and
    remove them: what a build's output costs the file system, apart from papershelf.
    Builds write a folder per page; on some virtual disks this alone varies fivefold
    with the files made and removed before, so a report says what its disk did."""
    probe = Path(tempfile.mkdtemp(prefix="file-creation-", dir=workdir))
    started = time.perf_counter()
    try:
        for number in range(count):
            folder = probe / str(number)
            folder.mkdir()
            (folder / "index.html").write_bytes(b"<p>x</p>\n" * 50)
        return round(time.perf_counter() - started, 3)
    finally:
        shutil.rmtree(probe, ignore_errors=True)


def run(args: argparse.Namespace) -> int:
    if not args.config_file.is_file():
        print(f"{args.config_file}: no such mkdocs.yml (use -f)", file=sys.stderr)
        return 2
    keep = args.workdir is not None
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="papershelf-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        report = benchmark(args, workdir.resolve())
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(bench_report.table(report))
    print(f"results written to {args.out}")
    if args.plot:
        args.plot.parent.mkdir(parents=True, exist_ok=True)
        args.plot.write_text(bench_report.svg(report), encoding="utf-8")
        print(f"plot written to {args.plot}")
    return 0


def benchmark(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    # The builds keep their entry cache here, not in the user's cache folder.
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(workdir / USER_CACHE)
    try:
        return _benchmark(args, workdir)
    finally:
        if saved is None:
            os.environ.pop("XDG_CACHE_HOME", None)
        else:
            os.environ["XDG_CACHE_HOME"] = saved


def _benchmark(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    facts = machine(workdir)  # before the builds: the disk as they found it
    hugo, hugo_info = find_hugo(args.baseline)
    if args.baseline and hugo is None:
        print(f"[hugo] {hugo_info['message']}")
    results = []
    for count in args.sizes:
        result = bench_size(count, args, workdir / f"papershelf-{count}")
        shutil.rmtree(workdir / f"papershelf-{count}" / "site", ignore_errors=True)
        baseline = reference = None
        if args.baseline:
            print(f"[baseline] plain mkdocs-material, {count} pages not in the navigation")
            baseline = bench_baseline(count, args, workdir / f"baseline-{count}")
            shutil.rmtree(workdir / f"baseline-{count}", ignore_errors=True)
        if hugo is not None:
            print(f"[hugo] {count} pages, minimal layouts")
            reference = bench_hugo(count, args, workdir / f"hugo-{count}", hugo)
            shutil.rmtree(workdir / f"hugo-{count}", ignore_errors=True)
        result["baseline"] = baseline
        result["hugo"] = reference
        result["ratios"] = {
            "baseline": ratio(result["cold"], baseline),
            "hugo": ratio(result["cold"], reference),
        }
        results.append(result)
    return {
        "machine": facts,
        "seed": args.seed,
        "references": {
            "baseline": BASELINE_ABOUT if args.baseline else None,
            "hugo": hugo_info,
        },
        "results": results,
        "targets": bench_report.targets(results),
    }

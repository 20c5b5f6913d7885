"""Benchmark results -> targets, a readable table and an SVG plot.

Pure functions of the JSON report that ``papershelf bench`` writes, so the README's
figures can be redrawn from a saved report without building anything.

The references (``baseline``: plain mkdocs-material with the paper pages out of the
nav; ``hugo``) are measured at every size. Reports written before issue 22 had an
in-nav baseline, partly extrapolated (``baseline_measured``, ``baseline_fit``): their
baseline figures are not shown, as they compare with a site nobody would build.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from build_tools import site_size
from papershelf.site.templating import strict_environment

TEMPLATES = Path(__file__).parent / "templates"
STAGES = ("load/validate", "catalog", "pages", "feeds", "downloads", "search index", "other")

# The targets (2 cores).
TARGET_SECONDS_10K = 10.0
TARGET_RSS_MB = 400.0
# An old report's target against the in-nav baseline (issue 22): not shown.
OLD_BASELINE_TARGET = "10k: build / baseline"
TARGET_LINEARITY = 1.3  # time (and output) per paper at 50k within 1.3x of 10k
TARGET_REBUILD_FRACTION = 0.10
# A reader's first view of a paper page, gzip as served, whatever the list's size.
TARGET_FIRST_VIEW_BYTES = 150 * 1024
TARGET_FIRST_VIEW_GROWTH = 1.1  # largest list / smallest: "flat"
# GitHub Pages publishes at most 1 GB: the site of 50,000 papers must fit.
TARGET_SITE_BYTES_50K = 1_000_000_000


@dataclass(frozen=True)
class Target:
    """A measured value against its limit; without a limit (None) only information."""

    name: str
    value: float
    limit: float | None
    met: bool | None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": round(self.value, 4),
            "limit": self.limit,
            "met": self.met,
            "note": self.note,
        }


def _rebuild_target(name: str, seconds: float, cold: float, note: str) -> Target:
    """A rebuild's time as a share of the cold build, against the 10 % target."""
    fraction = seconds / cold
    return Target(
        name, fraction, TARGET_REBUILD_FRACTION, fraction <= TARGET_REBUILD_FRACTION, note
    )


def targets(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each target whose sizes were benchmarked, with the measured value."""
    by_size = {r["papers"]: r for r in results}
    found: list[Target] = []
    ten = by_size.get(10000)
    if ten:
        cold = ten["cold"]["seconds"]
        found.append(Target("10k: full build seconds", cold, TARGET_SECONDS_10K, cold <= 10))
        for reference, name, note in (
            ("baseline", "10k: build / mkdocs-material", "pages not in the nav; no target"),
            ("hugo", "10k: build / Hugo", "minimal layouts; no target"),
        ):
            figures = references(ten).get(reference)
            if figures and figures.get("seconds"):
                found.append(Target(name, cold / figures["seconds"], None, None, note))
        rss = ten["cold"]["peak_rss_mb"]
        found.append(Target("10k: peak RSS MB", rss, TARGET_RSS_MB, rss <= TARGET_RSS_MB))
        quick = ten["edit_rebuild"].get("without_mkdocs")
        found.append(
            _rebuild_target(
                "10k: CLI rebuild after one edit / cold",
                ten["edit_rebuild"]["seconds"],
                cold,
                "abstract edit, quick build without mkdocs" if quick else "abstract edit",
            )
        )
        for key, name, what in (
            ("retag_rebuild", "10k: CLI rebuild after a tag edit / cold", "moves the paper"),
            (
                "reorder_rebuild",
                "10k: CLI rebuild after a date edit that reorders / cold",
                "moves papers in the list",
            ),
        ):
            moved = ten.get(key)
            if moved:
                how = (
                    "quick build without mkdocs"
                    if moved.get("without_mkdocs")
                    else "mkdocs --dirty"
                )
                found.append(_rebuild_target(name, moved["seconds"], cold, f"{what}: {how}"))
        for key, name in (
            ("serve_edit_rebuild", "10k: serve rebuild after one edit / cold"),
            ("serve_retag_rebuild", "10k: serve rebuild after a tag edit / cold"),
        ):
            serve = ten.get(key)
            if serve:
                note = "edit to 'Documentation built' line"
                found.append(_rebuild_target(name, serve["seconds"], cold, note))
    fifty = by_size.get(50000)
    if ten and fifty:
        growth = (fifty["cold"]["seconds"] / 50000) / (ten["cold"]["seconds"] / 10000)
        found.append(
            Target("50k/10k: time per paper", growth, TARGET_LINEARITY, growth <= TARGET_LINEARITY)
        )
        size = (fifty["output"]["bytes"] / 50000) / (ten["output"]["bytes"] / 10000)
        found.append(Target("50k/10k: output bytes per paper", size, TARGET_LINEARITY, size <= 1.3))
    if fifty:
        site_mb = fifty["output"]["bytes"] / 1e6
        limit = TARGET_SITE_BYTES_50K / 1e6
        note = f"{fifty['output']['bytes'] / 50000 / 1e3:.1f} kB per paper; GitHub Pages: 1 GB"
        found.append(Target("50k: site MB", site_mb, limit, site_mb <= limit, note))
        artifact = fifty["output"].get("pages_artifact")
        if artifact:
            tar_mb, zipped_mb = artifact["tar_bytes"] / 1e6, artifact["zipped_bytes"] / 1e6
            warned = site_size.DEPLOY_WARNING_BYTES / 1e6
            note = f"deploy-pages warns above {warned:,.0f} MB zipped; the tar is {tar_mb:,.0f} MB"
            found.append(Target("50k: Pages artifact MB, zipped", zipped_mb, None, None, note))
    viewed = [r for r in results if r.get("first_view")]
    if viewed:
        largest = viewed[-1]
        paper = _paper_view(largest)
        if paper:
            size = paper["transferred_bytes"] / 1024
            note = f"{largest['papers']:,} papers, gzip, until the network is idle"
            found.append(
                Target(
                    "first view of a paper page, KB",
                    size,
                    TARGET_FIRST_VIEW_BYTES / 1024,
                    size <= TARGET_FIRST_VIEW_BYTES / 1024,
                    note,
                )
            )
    if len(viewed) >= 2:
        for name, pick in (("home page", _home_view), ("paper page", _paper_view)):
            first, last = pick(viewed[0]), pick(viewed[-1])
            if first and last:
                growth = last["transferred_bytes"] / first["transferred_bytes"]
                note = f"{viewed[-1]['papers']:,} vs {viewed[0]['papers']:,} papers"
                found.append(
                    Target(
                        f"first view flat: {name} growth",
                        growth,
                        TARGET_FIRST_VIEW_GROWTH,
                        growth <= TARGET_FIRST_VIEW_GROWTH,
                        note,
                    )
                )
    if len(results) >= 2 and results[0]["output"]["largest_feed_bytes"]:
        first, last = results[0]["output"], results[-1]["output"]
        growth = last["largest_feed_bytes"] / first["largest_feed_bytes"]
        note = f"largest feed, {results[-1]['papers']} vs {results[0]['papers']} papers"
        found.append(Target("feeds bounded: largest feed growth", growth, 1.1, growth <= 1.1, note))
    return [target.as_dict() for target in found]


def _home_view(result: dict[str, Any]) -> dict[str, Any] | None:
    return next((v for v in result.get("first_view") or [] if v["page"] == ""), None)


def _paper_view(result: dict[str, Any]) -> dict[str, Any] | None:
    views = result.get("first_view") or []
    return next((v for v in views if v["page"].startswith("papers/")), None)


def _first_view_table(report: dict[str, Any]) -> list[str]:
    """KB (gzip) and requests of a first view of the home page and a paper page."""
    rows = []
    for result in report["results"]:
        home, paper = _home_view(result), _paper_view(result)
        if not (home or paper):
            continue
        cells = [f"{result['papers']:,}"]
        for view in (home, paper):
            cells += (
                ["-", "-"]
                if view is None
                else [f"{view['transferred_bytes'] / 1024:.1f}", str(view["requests"])]
            )
        biggest = (paper or home or {}).get("biggest") or []
        cells.append(", ".join(f"{path} {size / 1024:.1f}" for path, size in biggest[:3]))
        rows.append(cells)
    if not rows:
        return []
    header = ["papers", "home KB", "requests", "paper KB", "requests", "largest (paper page)"]
    title = "First view in Chromium, gzip KB as served, until the network is idle"
    return ["", title, _grid(header, rows)]


def references(result: dict[str, Any]) -> dict[str, dict[str, Any] | None]:
    """A result's measured references, ``baseline`` and ``hugo`` (None: not built).
    An old report's in-nav, maybe extrapolated baseline is left out."""
    found: dict[str, dict[str, Any] | None] = {}
    for key in ("baseline", "hugo"):
        figures = result.get(key)
        old = not isinstance(figures, dict) or "extrapolated" in figures
        found[key] = None if old or not figures.get("seconds") else figures
    return found


def _ratio(cold: dict[str, Any], figures: dict[str, Any] | None) -> str:
    return "-" if not figures else f"{cold['seconds'] / figures['seconds']:.2f}"


def _count(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _mb(value: float | None) -> str:
    return "-" if value is None else f"{value / 1e6:.1f}"


def _grid(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(cell.rjust(width) for cell, width in zip(cells, widths, strict=True))

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def table(report: dict[str, Any]) -> str:
    """The report as plain-text tables: builds, stages, targets."""
    cpus = report["machine"]["cpus"]
    # No "without search" column: the index is made by a helper beside the pages, and
    # the build's "search index" stage is only the time it waits for it.
    header = ["papers", "cold s", "cpu s", "ms/paper", "RSS MB", "build RSS MB"]
    header += ["files", "site MB", "search MB", "downloads MB"]
    header += ["no-op s", "edit s", "reword s", "retag s", "reorder s"]
    header += ["serve edit s", "serve retag s"]
    header += ["material s", "ratio", "hugo s", "ratio"]
    rows = []
    for result in report["results"]:
        n, cold, out = result["papers"], result["cold"], result["output"]
        found = references(result)
        baseline, hugo = found["baseline"], found["hugo"]
        serve = result.get("serve_edit_rebuild", {}).get("seconds")
        rows.append(
            [
                str(n),
                _seconds(cold["seconds"]),
                _seconds(cold["cpu_seconds"]),
                f"{1000 * cold['seconds'] / n:.2f}",
                f"{cold['peak_rss_mb']:.0f}",
                _count(cold.get("build_process_rss_mb")),
                str(out["files"]),
                _mb(out["bytes"]),
                _mb(out["search_index_bytes"]),
                _mb(out.get("export_bytes")),
                _seconds(result["noop_rebuild"]["seconds"]),
                _seconds(result["edit_rebuild"]["seconds"]),
                _seconds(result.get("reword_rebuild", {}).get("seconds")),
                _seconds(result.get("retag_rebuild", {}).get("seconds")),
                _seconds(result.get("reorder_rebuild", {}).get("seconds")),
                _seconds(serve),
                _seconds(result.get("serve_retag_rebuild", {}).get("seconds")),
                _seconds(baseline and baseline["seconds"]),
                _ratio(cold, baseline),
                _seconds(hugo and hugo["seconds"]),
                _ratio(cold, hugo),
            ]
        )
    parts = [f"Papershelf build benchmark ({cpus} CPUs)", _grid(header, rows)]
    parts += _reference_notes(report)
    stage_rows = [
        [str(r["papers"]), *(_seconds(r["cold"]["stages"].get(s)) for s in STAGES)]
        for r in report["results"]
    ]
    parts += ["", "Cold build, seconds per stage", _grid(["papers", *STAGES], stage_rows)]
    helper_names = ["load/validate", "pages", "feeds", "downloads", "search index"]
    helper_rows = [
        [
            str(r["papers"]),
            *(_seconds(r["cold"].get("helper_stages", {}).get(s)) for s in helper_names),
        ]
        for r in report["results"]
    ]
    parts += [
        "",
        "Cold build, seconds per stage in the forked helpers (beside the main process)",
        _grid(["papers", *helper_names], helper_rows),
    ]
    reference_rows = [
        [str(r["papers"]), *_reference_cells(figures)]
        for r in report["results"]
        for figures in [references(r)]
        if any(figures.values())
    ]
    if reference_rows:
        columns = ["s", "cpu s", "RSS MB", "site MB", "files"]
        reference_header = ["papers", *(f"material {c}" for c in columns)]
        reference_header += [f"hugo {c}" for c in columns]
        parts += ["", "References", _grid(reference_header, reference_rows)]
    parts += _by_kind_table(report)
    parts += _first_view_table(report)
    shown = [t for t in report.get("targets", []) if t["name"] != OLD_BASELINE_TARGET]
    if shown:
        target_rows = [
            [
                "info" if t["met"] is None else "met" if t["met"] else "MISSED",
                t["name"],
                f"{t['value']:.3f}",
                "-" if t["limit"] is None else f"{t['limit']:g}",
                t["note"],
            ]
            for t in shown
        ]
        parts += ["", "Targets", _grid(["", "target", "value", "limit", "note"], target_rows)]
    return "\n".join(parts)


def _by_kind_table(report: dict[str, Any]) -> list[str]:
    """Where the site's bytes go: kB per paper of each kind of file (build_tools.site_size)."""
    sized = [r for r in report["results"] if r["output"].get("by_kind")]
    if not sized:
        return []
    kinds = list(sized[-1]["output"]["by_kind"])  # the largest size's order
    for result in sized:
        kinds += [kind for kind in result["output"]["by_kind"] if kind not in kinds]
    rows = []
    for kind in [*kinds, "all"]:
        cells = [kind]
        for result in sized:
            by_kind = result["output"]["by_kind"]
            size = (
                result["output"]["bytes"] if kind == "all" else by_kind.get(kind, {}).get("bytes")
            )
            cells.append(_kb_per_paper(size, result))
        rows.append(cells)
    for key, name in ARTIFACT_ROWS:
        cells = [name]
        for result in sized:
            artifact = result["output"].get("pages_artifact") or {}
            cells.append(_kb_per_paper(artifact.get(key), result))
        rows.append(cells)
    header = ["kB per paper", *(f"{r['papers']:,}" for r in sized)]
    return ["", "Output by kind of file, kB per paper", _grid(header, rows)]


def _kb_per_paper(size: int | None, result: dict[str, Any]) -> str:
    return "-" if size is None else f"{size / result['papers'] / 1e3:.2f}"


# What a GitHub Pages deploy uploads (build_tools.site_size.pages_artifact), after "all".
ARTIFACT_ROWS = (
    ("tar_bytes", "Pages artifact: tar"),
    ("zipped_bytes", "Pages artifact: zipped"),
)


def _reference_notes(report: dict[str, Any]) -> list[str]:
    """What the reference columns are, or why an old report has none."""
    if "references" not in report:
        if "baseline_measured" in report or "baseline_fit" in report:
            return ["(an old report: its baseline had every page in the nav; not shown)"]
        return []
    hugo = report["references"].get("hugo") or {}
    if not report["references"].get("baseline"):
        return [hugo.get("message") or "no references built"]
    if hugo.get("installed"):
        release = re.search(r"v\d[\w.+-]*", hugo.get("version") or "")
        about = f"Hugo {release[0] if release else ''}".strip() + ", minimal layouts"
    else:
        about = hugo.get("message") or "not built"
    return [
        "material: plain mkdocs-material, the same pages as Markdown, not in the nav; "
        f"hugo: {about}; ratio: papershelf cold s / reference s (measured at every size)"
    ]


def _reference_cells(figures: dict[str, dict[str, Any] | None]) -> list[str]:
    cells = []
    for key in ("baseline", "hugo"):
        found = figures[key]
        if found is None:
            cells += ["-"] * 5
            continue
        cells += [
            _seconds(found["seconds"]),
            _seconds(found.get("cpu_seconds")),
            _count(found.get("peak_rss_mb")),
            _mb(found.get("bytes")),
            _count(found.get("files")),
        ]
    return cells


# --- the plot ------------------------------------------------------------------------

PANEL_WIDTH, PANEL_HEIGHT = 300, 220
MATERIAL_SERIES = "plain mkdocs-material, pages not in the nav"
HUGO_SERIES = "Hugo, minimal layouts"
MARGIN_LEFT, MARGIN_TOP = 56, 40


@dataclass(frozen=True)
class Axis:
    """Maps values to pixels, linear or logarithmic."""

    low: float
    high: float
    pixels: float
    log: bool

    def __call__(self, value: float) -> float:
        if self.log:
            low, high, value = math.log10(self.low), math.log10(self.high), math.log10(value)
        else:
            low, high = self.low, self.high
        return (value - low) / (high - low) * self.pixels

    def ticks(self) -> list[float]:
        if self.log:
            first, last = math.floor(math.log10(self.low)), math.ceil(math.log10(self.high))
            candidates = [m * 10**e for e in range(first, last + 1) for m in (1, 2, 5)]
        else:
            step = _nice_step((self.high - self.low) / 5)
            candidates = [step * i for i in range(int(self.high / step) + 2)]
        return [v for v in candidates if self.low <= v <= self.high]


def _nice_step(raw: float) -> float:
    exponent = 10 ** math.floor(math.log10(raw))
    return next(m * exponent for m in (1, 2, 5, 10) if m * exponent >= raw)


def _label(value: float) -> str:
    if value >= 1000 and value % 1000 == 0:
        return f"{value / 1000:g}k"
    return f"{value:g}"


def _series(name: str, points: list[tuple[float, float]], css: str) -> dict[str, Any]:
    return {"name": name, "points": [p for p in points if p[1] and p[1] > 0], "css": css}


def _panel(
    title: str,
    unit: str,
    series: list[dict[str, Any]],
    limit: tuple[float, str] | None,
    sizes: list[float],
    log_y: bool,
) -> dict[str, Any]:
    values = [v for s in series for _, v in s["points"]] + ([limit[0]] if limit else [])
    low_x, high_x = min(sizes) / 1.3, max(sizes) * 1.3
    high_y = max(values) * (1.5 if log_y else 1.1)
    low_y = min(values) / 1.5 if log_y else 0.0
    x = Axis(low_x, high_x, PANEL_WIDTH, log=True)
    y = Axis(low_y, high_y, PANEL_HEIGHT, log=log_y)

    def at(point: tuple[float, float]) -> tuple[float, float]:
        return round(x(point[0]), 1), round(PANEL_HEIGHT - y(point[1]), 1)

    return {
        "title": title,
        "unit": unit,
        "x_ticks": [(round(x(v), 1), _label(v)) for v in sizes],
        "y_ticks": [(round(PANEL_HEIGHT - y(v), 1), _label(v)) for v in y.ticks()],
        "series": [{**s, "pixels": [at(p) for p in s["points"]]} for s in series if s["points"]],
        "limit": None
        if limit is None
        else {"y": round(PANEL_HEIGHT - y(limit[0]), 1), "label": limit[1]},
    }


def svg(report: dict[str, Any]) -> str:
    """Time and peak memory against N, papershelf next to its references (measured
    points only: plain mkdocs-material with the pages out of the nav, and Hugo)."""
    results = report["results"]
    sizes = [float(r["papers"]) for r in results]
    all_sizes = sorted(set(sizes))

    def each(value: Any) -> list[tuple[float, float]]:
        return [(n, value(r)) for n, r in zip(sizes, results, strict=True)]

    def reference(key: str, figure: str) -> list[tuple[float, float]]:
        return each(lambda r: (references(r)[key] or {}).get(figure))

    time_panel = _panel(
        "Build time",
        "seconds (log)",
        [
            _series("papershelf: cold build", each(lambda r: r["cold"]["seconds"]), "ps"),
            _series(
                "papershelf: make serve, one entry edited",
                each(lambda r: r.get("serve_edit_rebuild", {}).get("seconds")),
                "serve",
            ),
            _series(
                "papershelf: make serve, a tag edited",
                each(lambda r: r.get("serve_retag_rebuild", {}).get("seconds")),
                "serve-retag",
            ),
            _series(
                "papershelf: papershelf build after an abstract edit (no mkdocs)",
                each(lambda r: r["edit_rebuild"]["seconds"]),
                "edit",
            ),
            _series(
                "papershelf: papershelf build after a tag edit (no mkdocs)",
                each(lambda r: r.get("retag_rebuild", {}).get("seconds")),
                "retag",
            ),
            _series(
                "papershelf: papershelf build after a date edit that reorders (no mkdocs)",
                each(lambda r: r.get("reorder_rebuild", {}).get("seconds")),
                "reorder",
            ),
            _series(MATERIAL_SERIES, reference("baseline", "seconds"), "base"),
            _series(HUGO_SERIES, reference("hugo", "seconds"), "extra"),
        ],
        (TARGET_SECONDS_10K, "10 s target at 10k"),
        all_sizes,
        log_y=True,
    )
    memory_panel = _panel(
        "Peak memory (RSS)",
        "MB",
        [
            _series(
                "papershelf: largest process (build or a helper)",
                each(lambda r: r["cold"]["peak_rss_mb"]),
                "ps",
            ),
            _series(
                "papershelf: the build process",
                each(lambda r: r["cold"].get("build_process_rss_mb")),
                "process",
            ),
            _series(MATERIAL_SERIES, reference("baseline", "peak_rss_mb"), "base"),
            _series(HUGO_SERIES, reference("hugo", "peak_rss_mb"), "extra"),
        ],
        (TARGET_RSS_MB, "400 MB target at 10k"),
        all_sizes,
        log_y=False,
    )
    env = strict_environment(TEMPLATES)
    return env.get_template("bench-plot.svg").render(
        panels=[time_panel, memory_panel],
        machine=report["machine"],
        width=PANEL_WIDTH,
        height=PANEL_HEIGHT,
        left=MARGIN_LEFT,
        top=MARGIN_TOP,
    )

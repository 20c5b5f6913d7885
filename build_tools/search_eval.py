"""``papershelf search-eval``: does the site's search find the papers a reader means?

Issue 19 asks how good search is, measured rather than guessed. This tool:

* reads a query set (``build_tools/search_queries.yml`` by default): each query has a
  category and an engine-independent relevance rule, regular expressions over the
  entries' fields, so the relevant papers of each query are computed here in Python
  from the loaded entries (``load_project``), never from an engine's output;
* builds the project for real in a temporary folder (a mirror of it, as
  ``papershelf bench`` and ``search-size`` do) and serves the site on 127.0.0.1;
* runs every query in Chromium, each in a fresh browser context (empty cache, so every
  query is a reader's first search):

  - ``papershelf``: typed into the site's own header search box, whatever engine the
    site ships; it reads the first 10 result links once the results have settled, the
    text the search panel shows besides them (counts, "showing results for ..."), and
    every byte fetched after typing;
  - ``pagefind``: Pagefind (``pagefind[bin]``, a test extra) indexes the same built
    site's paper pages (their ``article.ps-paper`` only), and the query goes through
    Pagefind's JS API (``search``, then ``data()`` of the first 10) on the same site;
    its bytes are everything fetched from the import of ``pagefind.js`` on;

* reports per engine recall@10, precision@10, MRR, the queries with no result, the
  same per category, and the bytes of a first search gzipped as a web server would
  send them. A Markdown table goes to stdout, everything (per-query results included,
  for diagnosis) to ``--out`` as JSON.

Definitions (per query, then averaged over the queries): recall@10 is the relevant
papers among the first 10 results over min(relevant papers, 10), so 1.0 means the first
10 are as good as they can be; precision@10 the relevant share of the results shown
among the first 10 (0 when none is shown); MRR the mean of 1/rank of the first relevant
result (0 when none is in the first 10). Queries none of whose papers is relevant (a
query set written for another list) are left out and listed.

Needs the test extras (Playwright; Pagefind for ``--engines pagefind``) and
``/usr/bin/chromium`` (``PAPERSHELF_CHROMIUM`` names another).
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import re
import statistics
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from build_tools import bench
from build_tools.chromium import CHROMIUM, CHROMIUM_ARGS
from build_tools.search_size import served  # raw bytes, ephemeral port
from papershelf.entries.loader import load_project
from papershelf.entries.model import Paper

HELP = "Measure search quality (recall@10, MRR) of the site's search box and of Pagefind."
DEFAULT_QUERIES = Path(__file__).with_name("search_queries.yml")
REPOSITORY = Path(__file__).resolve().parent.parent  # the default project: this checkout
ENGINES = ("papershelf", "pagefind")
CUTOFF = 10  # results read per query: the first screen of results
FIELDS = ("title", "abstract", "authors", "organization")
DEFAULT_FIELDS = ("title", "abstract")
VIEWPORT = {"width": 1280, "height": 900}  # desktop: the header search box is shown

# The header search box (plugins/papershelf/templates/partials/papershelf-search.html),
# with mkdocs-material's classes as fallbacks so a redesigned box is still found.
INPUT = "[data-ps-search-input], .md-search__input"
PANEL = "[data-ps-search-result], .md-search-result"
LIST = "[data-ps-search-list], .md-search-result__list"
SETTLE_SECONDS = 0.6  # results unchanged and no request in flight for this long
QUERY_TIMEOUT = 20.0  # seconds before a query's results count as whatever is shown

# Pagefind over the paper pages only, and only their article (title, authors,
# organisation, tags, abstract, notes: what papershelf's own index holds), without the
# subscribe box (tag names again) and the links to the neighbouring papers.
PAGEFIND_GLOB = "papers/*/index.html"
PAGEFIND_ROOT = "article.ps-paper"
PAGEFIND_EXCLUDE = ".ps-subscribe, .ps-neighbours, .ps-links"
PAGEFIND_FOLDER = "pagefind"

# The result links and the other text of the search panel (hidden parts and buttons
# left out): one link per result item, in order.
SNAPSHOT_JS = """([panelSelector, listSelector]) => {
  const panel = document.querySelector(panelSelector);
  const list = document.querySelector(listSelector);
  const links = [];
  if (list) {
    for (const item of list.children) {
      const link = item.matches("a[href]") ? item : item.querySelector("a[href]");
      if (link) links.push(link.href);
    }
  }
  let message = "";
  if (panel) {
    const copy = panel.cloneNode(true);
    copy.querySelectorAll(listSelector + ", [hidden], button").forEach((e) => e.remove());
    message = copy.textContent.replace(/\\s+/g, " ").trim();
  }
  return { links: links, message: message };
}"""

PAGEFIND_JS = """async ([url, query, count]) => {
  const pagefind = await import(url);
  const found = await pagefind.search(query);
  const results = found ? found.results : [];
  const first = await Promise.all(results.slice(0, count).map((r) => r.data()));
  return { total: results.length, links: first.map((d) => d.url) };
}"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--project",
        type=Path,
        default=REPOSITORY,
        help="project folder: mkdocs.yml, papers/, tags.yml (default: this repository)",
    )
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES, help="query set (YAML)")
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    parser.add_argument(
        "--engines",
        type=engine_list,
        default=list(ENGINES),
        help=f"comma-separated, of {', '.join(ENGINES)} (default: all)",
    )
    parser.add_argument("--timeout", type=float, default=3600, help="seconds for the build")


def engine_list(text: str) -> list[str]:
    """``"papershelf,pagefind"`` -> the engines, checked; argparse type."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in ENGINES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"engines are {', '.join(ENGINES)}; not {text!r}")
    return list(dict.fromkeys(names))


# --- Queries and relevance ------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """A query and the rule saying which papers a reader typing it wants: every
    pattern must match the paper's ``fields`` (joined), case-insensitively."""

    text: str
    category: str
    patterns: tuple[re.Pattern[str], ...]
    fields: tuple[str, ...] = DEFAULT_FIELDS

    def is_relevant(self, paper: Paper) -> bool:
        text = "\n".join(field_text(paper, name) for name in self.fields)
        return all(pattern.search(text) for pattern in self.patterns)


class EvalError(RuntimeError):
    pass


def field_text(paper: Paper, name: str) -> str:
    if name == "authors":
        return ", ".join(paper.authors)
    if name == "organization":
        return paper.organization or ""
    return str(getattr(paper, name))


def load_queries(path: Path) -> list[Query]:
    """The query set in ``path``, checked: a mistake in a rule must stop the run, not
    silently make a query's relevant set empty."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise EvalError(f"cannot read the queries in {path}: {error}") from error
    items = data.get("queries") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise EvalError(f"{path}: expected a list under `queries:`")
    queries: list[Query] = []
    for number, item in enumerate(items, 1):
        where = f"{path}, query {number}"
        if not isinstance(item, dict) or not {"query", "category", "relevant"} <= item.keys():
            raise EvalError(f"{where}: needs `query`, `category` and `relevant`")
        rules = item["relevant"]
        rules = [rules] if isinstance(rules, str) else rules
        fields = item.get("fields", list(DEFAULT_FIELDS))
        if not isinstance(rules, list) or not rules or not all(isinstance(r, str) for r in rules):
            raise EvalError(f"{where}: `relevant` is a pattern or a list of patterns")
        if not isinstance(fields, list) or not fields or not set(fields) <= set(FIELDS):
            raise EvalError(f"{where}: `fields` is a list of {', '.join(FIELDS)}")
        try:
            patterns = tuple(re.compile(rule, re.IGNORECASE) for rule in rules)
        except re.error as error:
            raise EvalError(f"{where}: bad pattern: {error}") from error
        text = str(item["query"]).strip()
        if not text:
            raise EvalError(f"{where}: empty query")
        queries.append(Query(text, str(item["category"]), patterns, tuple(fields)))
    return queries


def paper_url(paper: Paper) -> str:
    """A paper page's path from the site root, as results are normalised to."""
    return f"papers/{paper.slug}/"


def relevant_urls(query: Query, papers: Sequence[Paper]) -> list[str]:
    return [paper_url(paper) for paper in papers if query.is_relevant(paper)]


def site_path(url: str, base: str) -> str:
    """A result link as a path from the site root: ``http://h/papers/x/index.html#a``
    and ``/papers/x/`` both give ``papers/x/``."""
    absolute = urllib.parse.urljoin(base, url)
    path = urllib.parse.urlsplit(absolute).path
    root = urllib.parse.urlsplit(base).path
    if path.startswith(root):
        path = path[len(root) :]
    path = path.lstrip("/")
    if path.endswith("index.html"):
        path = path[: -len("index.html")]
    return path


# --- Metrics --------------------------------------------------------------------------


def score(results: Sequence[str], relevant: set[str], cutoff: int = CUTOFF) -> dict[str, Any]:
    """Metrics of one query's ranked ``results`` (first ``cutoff`` read) against its
    ``relevant`` set (not empty); see the module docstring for the definitions."""
    shown = list(dict.fromkeys(results))[:cutoff]  # a repeated link counts once
    ranks = [rank for rank, url in enumerate(shown, 1) if url in relevant]
    first = ranks[0] if ranks else None
    return {
        "relevant_found": len(ranks),
        "relevant_ranks": ranks,
        "first_relevant_rank": first,
        "recall_at_10": len(ranks) / min(len(relevant), cutoff),
        "recall_at_10_uncapped": len(ranks) / len(relevant),
        "precision_at_10": len(ranks) / len(shown) if shown else 0.0,
        "reciprocal_rank": 1 / first if first else 0.0,
        "no_result": not shown,
    }


def summarize(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Means over the queries in ``rows`` (each a ``score`` result)."""
    count = len(rows)

    def mean(key: str) -> float:
        return round(sum(row[key] for row in rows) / count, 4) if count else 0.0

    return {
        "queries": count,
        "recall_at_10": mean("recall_at_10"),
        "precision_at_10": mean("precision_at_10"),
        "mrr": mean("reciprocal_rank"),
        "no_result": sum(1 for row in rows if row["no_result"]),
        "no_relevant_in_10": sum(1 for row in rows if not row["relevant_found"]),
    }


# --- Building and serving -------------------------------------------------------------


def build_site(project: Path, workdir: Path, timeout: float) -> Path:
    """Build a mirror of ``project`` (links to its files, a copy of mkdocs.yml) into
    ``workdir``; returns the site folder. The project itself is left untouched."""
    config = project / "mkdocs.yml"
    if not config.is_file():
        raise EvalError(f"no mkdocs.yml in {project}")
    root = workdir / "project"
    bench.mirror_project(config, root)
    for name in ("papers", "tags.yml"):
        link = root / name
        if not link.exists():
            link.symlink_to(project / name)
    site = workdir / "site"
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(root / "mkdocs.yml")]
    try:
        bench.check(bench.run_measured([*command, "-d", str(site)], root, timeout), "the build")
    except bench.BenchError as error:
        raise EvalError(str(error)) from error
    return site


def pagefind_available() -> bool:
    return importlib.util.find_spec("pagefind") is not None


def index_pagefind(site: Path, timeout: float) -> dict[str, Any]:
    """Index ``site``'s paper pages with Pagefind into ``site/pagefind/``."""
    command = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(site),
        "--output-subdir",
        PAGEFIND_FOLDER,
        "--glob",
        PAGEFIND_GLOB,
        "--root-selector",
        PAGEFIND_ROOT,
        "--exclude-selectors",
        PAGEFIND_EXCLUDE,
    ]
    try:
        made = bench.check(bench.run_measured(command, site, timeout), "Pagefind's indexing")
    except bench.BenchError as error:
        raise EvalError(str(error)) from error
    pages = re.search(r"Indexed (\d+) pages?", made.output)
    files = [path for path in (site / PAGEFIND_FOLDER).rglob("*") if path.is_file()]
    return {
        "pages": int(pages[1]) if pages else None,
        "files": len(files),
        "bytes": sum(path.stat().st_size for path in files),
        "seconds": round(made.seconds, 2),
        "options": command[3:],
    }


def transfer_size(body: bytes) -> int:
    """Bytes a web server would send: gzipped (level 6, the usual default) when that
    is smaller, as servers compress text and leave compressed files (Pagefind's) be."""
    return min(len(body), len(gzip.compress(body, 6)))


# --- Driving Chromium -----------------------------------------------------------------


@dataclass
class Traffic:
    """The requests a page makes to the site: in flight, and finished since ``reset``."""

    base: str
    pending: set[Any] = field(default_factory=set)
    finished: list[Any] = field(default_factory=list)
    last_change: float = field(default_factory=time.monotonic)

    def attach(self, page: Any) -> None:
        page.on("request", self._started)
        page.on("requestfinished", self._finished)
        page.on("requestfailed", self._failed)

    def _started(self, request: Any) -> None:
        if request.url.startswith(self.base):
            self.pending.add(request)
            self.last_change = time.monotonic()

    def _finished(self, request: Any) -> None:
        if request in self.pending:
            self.pending.discard(request)
            self.finished.append(request)
            self.last_change = time.monotonic()

    def _failed(self, request: Any) -> None:
        self.pending.discard(request)
        self.last_change = time.monotonic()

    def reset(self) -> None:
        self.finished.clear()

    def quiet_for(self, seconds: float) -> bool:
        return not self.pending and time.monotonic() - self.last_change >= seconds

    def sizes(self) -> dict[str, Any]:
        """Requests finished since ``reset``, their raw and transferred bytes."""
        raw = sent = 0
        urls = []
        for request in self.finished:
            response = request.response()
            try:
                body = response.body() if response is not None else b""
            except Exception:  # a redirect or a body Chromium did not keep
                body = b""
            raw += len(body)
            sent += transfer_size(body)
            urls.append(site_path(request.url, self.base))
        return {"requests": len(urls), "bytes": raw, "gzip_bytes": sent, "fetched": urls}


@dataclass
class Answer:
    """What an engine showed for a query."""

    links: list[str]
    message: str = ""
    total: int | None = None
    timed_out: bool = False
    seconds: float = 0.0
    traffic: dict[str, Any] = field(default_factory=dict)


@contextmanager
def fresh_page(browser: Any, base: str) -> Iterator[tuple[Any, Traffic]]:
    """A page of a new context (empty cache and storage) on the site's home page,
    loaded and idle; requests to other hosts (GitHub's API for the repository link)
    are refused, so nothing outside the site is waited for or counted."""
    context = browser.new_context(viewport=VIEWPORT)
    context.route(lambda url: not url.startswith(base), lambda route: route.abort())
    page = context.new_page()
    traffic = Traffic(base)
    traffic.attach(page)
    try:
        page.goto(base, wait_until="load")
        wait_until(page, lambda: traffic.quiet_for(0.3), QUERY_TIMEOUT)
        traffic.reset()
        yield page, traffic
    finally:
        context.close()


def wait_until(page: Any, ready: Callable[[], bool], timeout: float) -> bool:
    """Poll ``ready`` while letting Playwright deliver events; False on timeout."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(25)
    return True


def ask_papershelf(browser: Any, base: str, query: str) -> Answer:
    """Type ``query`` into the site's search box and read the results once they have
    settled: the panel's text differs from before typing (or links are shown), and
    neither it nor the links changed, with no request in flight, for SETTLE_SECONDS."""
    with fresh_page(browser, base) as (page, traffic):
        box = page.locator(INPUT).first
        box.focus()
        page.wait_for_timeout(50)
        before = page.evaluate(SNAPSHOT_JS, [PANEL, LIST])
        start = time.monotonic()
        box.press_sequentially(query)
        last = before
        changed = time.monotonic()
        deadline = start + QUERY_TIMEOUT
        timed_out = False
        while True:
            page.wait_for_timeout(25)
            now = time.monotonic()
            snapshot = page.evaluate(SNAPSHOT_JS, [PANEL, LIST])
            if snapshot != last:
                last, changed = snapshot, now
            shown = snapshot["links"] or snapshot["message"] != before["message"]
            settled = now - max(changed, traffic.last_change) >= SETTLE_SECONDS
            if shown and settled and not traffic.pending:
                break
            if now > deadline:
                timed_out = True
                break
        return Answer(
            links=[site_path(url, base) for url in last["links"][:CUTOFF]],
            message=last["message"],
            timed_out=timed_out,
            seconds=round(max(changed, traffic.last_change) - start, 3),
            traffic=traffic.sizes(),
        )


def ask_pagefind(browser: Any, base: str, query: str) -> Answer:
    """Run ``query`` through Pagefind's JS API on the site's home page."""
    with fresh_page(browser, base) as (page, traffic):
        start = time.monotonic()
        found = page.evaluate(PAGEFIND_JS, [f"{base}{PAGEFIND_FOLDER}/pagefind.js", query, CUTOFF])
        seconds = time.monotonic() - start
        wait_until(page, lambda: traffic.quiet_for(0.2), QUERY_TIMEOUT)
        return Answer(
            links=[site_path(url, base) for url in found["links"]],
            total=found["total"],
            seconds=round(seconds, 3),
            traffic=traffic.sizes(),
        )


ASK: dict[str, Callable[[Any, str, str], Answer]] = {
    "papershelf": ask_papershelf,
    "pagefind": ask_pagefind,
}


# --- The evaluation -------------------------------------------------------------------


def evaluate(
    project: Path,
    queries: Sequence[Query],
    engines: Sequence[str],
    timeout: float = 3600,
    log: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True),
) -> dict[str, Any]:
    """Everything ``run`` reports, as a JSON-ready dict."""
    from playwright.sync_api import sync_playwright  # a test extra

    loaded = load_project(project / "papers", project / "tags.yml")
    if not loaded.ok:
        raise EvalError(f"the list has {len(loaded.problems)} problems: run papershelf validate")
    judged, skipped = [], []
    for query in queries:
        relevant = relevant_urls(query, loaded.papers)
        (judged if relevant else skipped).append((query, relevant))
    if not judged:
        raise EvalError("no query has a relevant paper in this list")
    report: dict[str, Any] = {
        "project": str(project),
        "papers": len(loaded.papers),
        "cutoff": CUTOFF,
        "queries": [
            {
                "query": query.text,
                "category": query.category,
                "fields": list(query.fields),
                "relevant_rule": [pattern.pattern for pattern in query.patterns],
                "relevant": relevant,
            }
            for query, relevant in judged
        ],
        "skipped_no_relevant": [query.text for query, _ in skipped],
        "engines": {},
    }
    with tempfile.TemporaryDirectory(prefix="papershelf-search-eval-") as folder:
        log(f"building {project} ({len(loaded.papers)} papers)")
        site = build_site(project, Path(folder), timeout)
        index: dict[str, Any] = {}
        if "pagefind" in engines:
            log("indexing the paper pages with Pagefind")
            index = index_pagefind(site, timeout)
        with served(site) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                for engine in engines:
                    rows = []
                    for number, (query, relevant) in enumerate(judged, 1):
                        log(f"[{engine}] {number}/{len(judged)}: {query.text}")
                        answer = ASK[engine](browser, base, query.text)
                        rows.append(query_row(query, relevant, answer))
                    report["engines"][engine] = engine_report(rows)
                    if engine == "pagefind":
                        report["engines"][engine]["index"] = index
            finally:
                browser.close()
    return report


def query_row(query: Query, relevant: list[str], answer: Answer) -> dict[str, Any]:
    """One query's answer, metrics and diagnosis."""
    return {
        "query": query.text,
        "category": query.category,
        "relevant_count": len(relevant),
        "results": answer.links,
        **score(answer.links, set(relevant)),
        "message": answer.message,
        "total_results": answer.total,
        "timed_out": answer.timed_out,
        "seconds": answer.seconds,
        **answer.traffic,
    }


def engine_report(rows: list[dict[str, Any]]) -> dict[str, Any]:
    categories: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        categories.setdefault(row["category"], []).append(row)
    sent = [row["gzip_bytes"] for row in rows]
    return {
        "summary": summarize(rows),
        "categories": {name: summarize(members) for name, members in categories.items()},
        "first_search": {
            "gzip_bytes_median": int(statistics.median(sent)),
            "gzip_bytes_max": max(sent),
            "gzip_bytes_first_query": sent[0],
            "requests_median": int(statistics.median(row["requests"] for row in rows)),
        },
        "timed_out": [row["query"] for row in rows if row["timed_out"]],
        "queries": rows,
    }


def kb(size: int) -> str:
    return f"{size / 1024:,.1f} KB"


def table(report: dict[str, Any]) -> str:
    """The Markdown tables: one row per engine, then per category."""
    engines = report["engines"]
    lines = [
        "| engine | recall@10 | precision@10 | MRR | queries with no result "
        "| first search, median (max), gzip |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, result in engines.items():
        summary, first = result["summary"], result["first_search"]
        lines.append(
            f"| {name} | {summary['recall_at_10']:.2f} | {summary['precision_at_10']:.2f} "
            f"| {summary['mrr']:.2f} | {summary['no_result']} of {summary['queries']} "
            f"| {kb(first['gzip_bytes_median'])} ({kb(first['gzip_bytes_max'])}) |"
        )
    heading = "| category | queries |" + "".join(
        f" {name} recall@10 | {name} MRR | {name} no result |" for name in engines
    )
    lines += ["", heading, "| --- | ---: |" + " ---: | ---: | ---: |" * len(engines)]
    categories = list(dict.fromkeys(query["category"] for query in report["queries"]))
    for category in categories:
        cells = []
        count = 0
        for result in engines.values():
            figures = result["categories"][category]
            count = figures["queries"]
            cells.append(
                f" {figures['recall_at_10']:.2f} | {figures['mrr']:.2f} | {figures['no_result']} |"
            )
        lines.append(f"| {category} | {count} |" + "".join(cells))
    lines.append("")
    lines.append(
        f"{report['papers']} papers, {len(report['queries'])} queries. recall@10: relevant "
        "papers in the first 10 results / min(relevant papers, 10); precision@10: relevant "
        "share of the results shown (up to 10); MRR: mean 1/rank of the first relevant "
        "result in the first 10."
    )
    if report["skipped_no_relevant"]:
        lines.append(f"Left out (no relevant paper): {', '.join(report['skipped_no_relevant'])}.")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if not CHROMIUM.is_file():
        print(f"search-eval needs {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 1
    if importlib.util.find_spec("playwright") is None:
        print("search-eval needs Playwright: pip install -e '.[test]'", file=sys.stderr)
        return 1
    if "pagefind" in args.engines and not pagefind_available():
        print(
            "search-eval: Pagefind is not installed (pip install -e '.[test]', or "
            "--engines papershelf)",
            file=sys.stderr,
        )
        return 1
    project = args.project.resolve()
    try:
        queries = load_queries(args.queries)
        report = evaluate(project, queries, args.engines, args.timeout)
    except EvalError as error:
        print(f"search-eval: {error}", file=sys.stderr)
        return 1
    report["queries_file"] = str(args.queries)
    print(table(report))
    if args.out:
        args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return 0

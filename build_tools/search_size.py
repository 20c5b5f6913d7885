"""``papershelf search-size``: what search costs readers, material's search vs ours.

The figures behind docs/search.md. For the real list (``--real``) and
for synthetic lists of each ``--sizes`` (``build_tools.synthetic``: ~1.5 kB abstracts,
the synthetic tag vocabulary), it builds the site twice:

* with mkdocs-material's ``search`` plugin: the size of ``search/search_index.json``,
  which a reader's browser downloads whole before the first result (raw and gzipped);
* with papershelf's own index (``papershelf.site.search``): its size on disk, the time and
  memory it takes to make from a loaded catalog, and what Chromium actually fetches
  from ``search/`` to show the first results of a one-word query and then of an
  author's name, typed into the site's search box (raw, as this tool's server sends
  it, and gzipped, as most web servers would).

Synthetic abstracts reuse a small set of sentences, so their vocabulary is far smaller
than real abstracts': the shards (one entry per distinct word) come out smaller than
they would for real text of the same length; material's index (the full text) does
not. The real list is measured for that reason. Needs the test extras (Playwright)
and ``/usr/bin/chromium``.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from build_tools import bench, synthetic
from papershelf.site.search import FOLDER

HELP = "Measure the search index and a first search's download: material search vs ours."
DEFAULT_SIZES = (300, 10000)
CHROMIUM = "/usr/bin/chromium"

# A child of the (mirrored) real mkdocs.yml that swaps the search implementation.
VARIANT_CONFIG = """\
INHERIT: mkdocs.yml
plugins:
{search}  - papershelf:
      search_index: {ours}
"""

# Makes the index from the project's catalog in a fresh process: the seconds it takes,
# then (made again, traced) the most memory it held at once (JSON on stdout).
INDEX_SCRIPT = """\
import json, sys, time, tracemalloc
from pathlib import Path
from papershelf.site.catalog import build_catalog
from papershelf.entries.loader import load_project
from papershelf.site.search import search_outputs

root = Path(sys.argv[1])
loaded = load_project(root / "papers", root / "tags.yml")
catalog = build_catalog(loaded.papers, loaded.vocabulary.tags)
start = time.perf_counter()
search_outputs(catalog)
seconds = time.perf_counter() - start
tracemalloc.start()
search_outputs(catalog)
peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({"seconds": seconds, "peak_mb": peak / 2**20}))
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    default = ",".join(str(n) for n in DEFAULT_SIZES)
    parser.add_argument("--sizes", type=bench.sizes, default=list(DEFAULT_SIZES), help=default)
    parser.add_argument("--real", action="store_true", help="also measure the real list")
    parser.add_argument("-f", "--config-file", type=Path, default=Path("mkdocs.yml"))
    parser.add_argument("--seed", type=int, default=0, help="synthetic data seed (default 0)")
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    parser.add_argument("--workdir", type=Path, help="where to write the projects (kept)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per build")


def folder_bytes(folder: Path) -> tuple[int, int]:
    """(files, bytes) under ``folder``."""
    files = size = 0
    for path in folder.rglob("*"):
        if path.is_file():
            files += 1
            size += path.stat().st_size
    return files, size


def build_variant(root: Path, name: str, material: bool, timeout: float) -> Path:
    """Build ``root`` into ``site-<name>/`` with material's search plugin (and no index
    of ours), or with our index only."""
    config = root / f"mkdocs-{name}.yml"
    config.write_text(
        VARIANT_CONFIG.format(
            search="  - search\n" if material else "", ours="false" if material else "true"
        ),
        encoding="utf-8",
    )
    site = root / f"site-{name}"
    shutil.rmtree(site, ignore_errors=True)
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(site)]
    bench.check(bench.run_measured(command, root, timeout), f"the {name} build")
    return site


def material_figures(site: Path) -> dict[str, Any]:
    data = (site / "search" / "search_index.json").read_bytes()
    return {"index_bytes": len(data), "index_gzip_bytes": len(gzip.compress(data, 6))}


def index_figures(root: Path, site: Path, timeout: float) -> dict[str, Any]:
    """Our index on disk, and the cost of making it from the catalog."""
    command = [sys.executable, "-c", INDEX_SCRIPT, str(root)]
    made = bench.check(bench.run_measured(command, root, timeout), "making the index")
    cost = json.loads(made.output.strip().splitlines()[-1])
    files, size = folder_bytes(site / FOLDER)
    return {
        "index_files": files,
        "index_bytes": size,
        "indexing_seconds": round(cost["seconds"], 2),
        "indexing_peak_mb": round(cost["peak_mb"], 1),
    }


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def served(site: Path) -> Iterator[str]:
    """Serve ``site`` on an ephemeral 127.0.0.1 port; yields the base URL."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def first_search_bytes(site: Path, queries: list[str]) -> list[dict[str, Any]]:
    """Bytes Chromium fetches from search/ for each query, typed in turn into the
    search box of a freshly loaded home page (so the first includes the manifest)."""
    from playwright.sync_api import expect, sync_playwright  # a test extra

    results = []
    with served(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        fetched: list[tuple[str, bytes]] = []

        def record(response: Any) -> None:
            if f"/{FOLDER}/" in response.url:
                fetched.append((response.url, response.body()))

        page.on("response", record)
        page.goto(base)
        box = page.locator("[data-ps-search-input]")
        meta = page.locator("[data-ps-search-meta]")
        for query in queries:
            box.fill("")
            expect(meta).not_to_contain_text("matching")
            page.wait_for_load_state("networkidle")
            fetched.clear()
            box.fill(query)
            expect(meta).to_contain_text("matching paper", timeout=60_000)
            page.wait_for_load_state("networkidle")
            shown = page.locator(".md-search-result__item").count()
            results.append(
                {
                    "query": query,
                    "results": meta.inner_text(),
                    "shown": shown,
                    "requests": len(fetched),
                    "bytes": sum(len(body) for _, body in fetched),
                    "gzip_bytes": sum(len(gzip.compress(body, 6)) for _, body in fetched),
                }
            )
        browser.close()
    return results


def measure(root: Path, label: str, queries: list[str], timeout: float) -> dict[str, Any]:
    """Both variants of the project in ``root`` (papers/ and tags.yml already there)."""
    print(f"[{label}] building with material's search plugin", flush=True)
    material = material_figures(build_variant(root, "material", True, timeout))
    print(f"[{label}] building with our index", flush=True)
    site = build_variant(root, "papershelf", False, timeout)
    ours = index_figures(root, site, timeout)
    print(f"[{label}] searching in Chromium: {queries}", flush=True)
    ours["first_searches"] = first_search_bytes(site, queries)
    papers = sum(1 for path in (root / "papers").iterdir() if path.suffix in {".yaml", ".md"})
    return {"list": label, "papers": papers, "material": material, "papershelf": ours}


def synthetic_queries(count: int, seed: int) -> list[str]:
    """A common abstract word and the surname of an author of the first paper."""
    first = next(synthetic.papers(count, seed))
    surname = first.authors[0].split()[-1] if first.authors else "Zhang"
    return ["distribution", surname]


# A common word of real abstracts and the surname of an author (few real entries list
# their authors).
REAL_QUERIES = ["reasoning", "Vaswani"]


def kb(size: int) -> str:
    return f"{size / 1024:,.0f} KB" if size < 10 * 1024 * 1024 else f"{size / 2**20:,.1f} MB"


def table(results: list[dict[str, Any]]) -> str:
    """The Markdown table of docs/search.md."""
    lines = [
        "| List | Papers | material: `search_index.json` (gzip) | ours: index on disk "
        "(files) | ours: fetched for a first word search (gzip) | then an author search "
        "(gzip) | ours: making the index (memory) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        material, ours = result["material"], result["papershelf"]
        first, author = ours["first_searches"][:2]
        lines.append(
            f"| {result['list']} | {result['papers']:,} "
            f"| {kb(material['index_bytes'])} ({kb(material['index_gzip_bytes'])}) "
            f"| {kb(ours['index_bytes'])} ({ours['index_files']:,}) "
            f"| {kb(first['bytes'])} ({kb(first['gzip_bytes'])}, {first['query']!r}) "
            f"| {kb(author['bytes'])} ({kb(author['gzip_bytes'])}, {author['query']!r}) "
            f"| {ours['indexing_seconds']} s ({ours['indexing_peak_mb']:.0f} MB) |"
        )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if not Path(CHROMIUM).is_file():
        print(f"search-size needs {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 1
    config = args.config_file.resolve()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="papershelf-search-size-"))
    results = []
    try:
        if args.real:
            root = workdir / "real"
            bench.mirror_project(config, root)
            for name in ("papers", "tags.yml"):
                link = root / name
                if not link.exists():
                    link.symlink_to(config.parent / name)
            results.append(measure(root, "real", REAL_QUERIES, args.timeout))
        for count in args.sizes:
            root = workdir / f"synthetic-{count}"
            synthetic.generate(root, count, seed=args.seed)
            bench.mirror_project(config, root)
            queries = synthetic_queries(count, args.seed)
            results.append(measure(root, "synthetic", queries, args.timeout))
    except bench.BenchError as error:
        print(f"search-size: {error}", file=sys.stderr)
        return 1
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print(table(results))
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0

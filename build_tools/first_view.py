"""``papershelf first-view``: the bytes a reader's browser downloads for a first view.

Issue 22 asks that a first view of the home page and of a paper page cost the same at
300 or 50,000 papers (and at most 150 KB gzip for a paper page). This measures it in
Chromium: for each page, a fresh browser context (empty cache) opens it and waits until
the network has been quiet for a while, so what the theme's scripts fetch after load
(mkdocs-material reads ``sitemap.xml`` beside each ``<link rel=alternate>``, and for
instant navigation where that is on) is counted too.

How it is served and counted:

* ``serve`` serves the built site from a local server (standard library, a thread on
  127.0.0.1) that behaves like GitHub Pages where it matters for the count: text files
  (html, css, js, json, xml, svg, txt) gzipped when the request accepts gzip
  (``compresslevel`` 6, zlib's default and what ``gzip`` and most servers use), a missing
  file answered by ``404.html`` with status 404, a folder without its slash redirected,
  ``Cache-Control: max-age=600`` as GitHub Pages sends. The site is mounted at the path
  of its ``site_url`` (``/papershelf/`` for ``https://papershelf.github.io/papershelf/``).
* Chromium opens the pages at the site's production address (``site_url``, read from
  the home page's ``<link rel=canonical>``), which it resolves to the local server
  (``--host-resolver-rules``) over TLS with a throwaway certificate it is told to trust
  (``--ignore-certificate-errors-spki-list``). So URLs, origin and HTTP cache behave as
  on the real host: the page's absolute links to its own address are served (material
  fetches ``sitemap.xml`` relative to each ``<link rel=alternate>``, and the feed links
  are absolute), and repeated fetches of one URL come from the cache as they would.
  Every other host fails to resolve: nothing reaches the internet, and those requests
  are reported as blocked. (Routing requests through Playwright instead would turn the
  HTTP cache off and count each repeat again: four ``sitemap.xml`` downloads instead of
  one; a certificate error would stop Chromium caching too.)
* The bytes are those the server wrote as response bodies, as encoded (gzip when it
  gzipped), for every request it answered, 404s included: what was sent, whatever the
  browser did with it (a response served from Chromium's cache was not sent and is not
  counted), without the DevTools protocol. Headers are left out: they depend on the host
  and the protocol (HTTP/2 compresses them).

Needs Playwright (a test extra) and Chromium (``/usr/bin/chromium``, or
``PAPERSHELF_CHROMIUM``). ``python -m build_tools.first_view SITE_DIR [PAGE ...]`` or
``papershelf first-view`` prints a table.
"""

from __future__ import annotations

import argparse
import base64
import functools
import gzip
import hashlib
import html.parser
import http.server
import json
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from build_tools.chromium import CHROMIUM, CHROMIUM_ARGS

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Playwright, Request

HELP = "Measure in Chromium the gzip bytes of a first view of pages of a built site."
# What GitHub Pages compresses (by content type), as file suffixes.
GZIPPED = frozenset({".html", ".css", ".js", ".json", ".xml", ".svg", ".txt"})
GZIP_LEVEL = 6
CACHE_CONTROL = "max-age=600"  # GitHub Pages' header
SETTLE_SECONDS = 1.0  # quiet network for this long ends a view
TIMEOUT_SECONDS = 60.0
# The host pages are read at when the site has no https site_url (never resolved).
FALLBACK_HOST = "papershelf.test"


@dataclass(frozen=True)
class FirstView:
    """What a first view of ``page`` transferred."""

    page: str  # site-relative URL: "" (home page), "papers/<slug>/"
    requests: int  # answered by the server, 404s included
    transferred_bytes: int  # response bodies as sent (gzip), every request until idle
    by_resource: dict[str, int]  # site-relative path (with any query) -> bytes sent
    not_found: tuple[str, ...] = ()  # paths answered with 404
    blocked: tuple[str, ...] = ()  # URLs outside the site, not fetched

    def biggest(self, count: int = 5) -> list[tuple[str, int]]:
        """The ``count`` resources that cost most, biggest first."""
        return sorted(self.by_resource.items(), key=lambda item: (-item[1], item[0]))[:count]


@dataclass(frozen=True)
class Sent:
    """One response of the server."""

    path: str  # site-relative, with any query
    status: int
    body_bytes: int  # as sent (gzip when gzipped)
    gzipped: bool


@dataclass
class Server:
    """The running server: where the site is (``base_url``, ending in ``/``) and what it
    has sent since the last ``take``."""

    base_url: str
    port: int = 0
    _sent: list[Sent] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, sent: Sent) -> None:
        with self._lock:
            self._sent.append(sent)

    def take(self) -> list[Sent]:
        """What was sent since the last call; forgets it."""
        with self._lock:
            sent, self._sent = self._sent, []
        return sent


@functools.lru_cache(maxsize=256)
def _gzipped(path: Path, mtime_ns: int) -> bytes:
    return gzip.compress(path.read_bytes(), compresslevel=GZIP_LEVEL, mtime=0)


class _Handler(http.server.BaseHTTPRequestHandler):
    """GET and HEAD of files under ``root``, mounted at ``prefix`` (``/``, ``/x/``)."""

    protocol_version = "HTTP/1.1"
    root: Path
    prefix: str
    server_record: Server

    def __init__(self, *args: Any, root: Path, prefix: str, record: Server, **kw: Any) -> None:
        self.root, self.prefix, self.server_record = root, prefix, record
        super().__init__(*args, **kw)

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def _answer(self, body: bool) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(parsed.path)
        relative = path[len(self.prefix) :] if path.startswith(self.prefix) else None
        shown = (relative if relative is not None else path) + (
            f"?{parsed.query}" if parsed.query else ""
        )
        file = self._file(relative)
        if file is not None and file.is_dir():
            if not path.endswith("/"):  # GitHub Pages redirects a folder to its slash
                location = parsed.path + "/" + (f"?{parsed.query}" if parsed.query else "")
                self._send(shown, 301, b"", None, body, {"Location": location})
                return
            file = file / "index.html"
        status = 200
        if file is None or not file.is_file():
            status, file = 404, self.root / "404.html"
        if file.is_file():
            data, kind = file.read_bytes(), self._content_type(file)
            accepts = "gzip" in self.headers.get("Accept-Encoding", "")
            if file.suffix in GZIPPED and accepts:
                data = _gzipped(file, file.stat().st_mtime_ns)
                self._send(shown, status, data, kind, body, {"Content-Encoding": "gzip"})
            else:
                self._send(shown, status, data, kind, body, {})
        else:
            self._send(shown, status, b"Not found\n", "text/plain", body, {})

    def _file(self, relative: str | None) -> Path | None:
        """The file or folder a site-relative path names, None outside the site."""
        if relative is None:
            return None
        parts = [part for part in relative.split("/") if part not in ("", ".")]
        if any(part == ".." or "\\" in part for part in parts):
            return None
        return self.root.joinpath(*parts)

    @staticmethod
    def _content_type(file: Path) -> str:
        kind = {".js": "text/javascript", ".json": "application/json"}.get(file.suffix)
        kind = kind or http.server.SimpleHTTPRequestHandler.extensions_map.get(file.suffix)
        if kind is None:
            import mimetypes

            kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in {"application/json", "application/xml"}:
            kind += "; charset=utf-8"
        return kind

    def _send(
        self,
        shown: str,
        status: int,
        data: bytes,
        kind: str | None,
        body: bool,
        headers: dict[str, str],
    ) -> None:
        self.send_response(status)
        if kind:
            self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", CACHE_CONTROL)
        self.send_header("Vary", "Accept-Encoding")
        for name, value in headers.items():
            self.send_header(name, value)
        # Recorded before the client can have the answer, so that it is never missed.
        sent = len(data) if body else 0
        encoded = headers.get("Content-Encoding") == "gzip"
        self.server_record.record(Sent(shown.lstrip("/"), status, sent, encoded))
        self.end_headers()
        if sent:
            self.wfile.write(data)


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError, TimeoutError)):
            super().handle_error(request, client_address)  # a browser hanging up is no news


@contextmanager
def serve(site_dir: Path, prefix: str = "/", tls: ssl.SSLContext | None = None) -> Iterator[Server]:
    """Serve ``site_dir`` at ``http://127.0.0.1:<free port><prefix>`` (https with
    ``tls``) in a thread, as GitHub Pages would (gzip, 404.html); yields the running
    ``Server``."""
    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    record = Server(base_url="")
    handler = functools.partial(
        _Handler, root=Path(site_dir).resolve(), prefix=prefix, record=record
    )
    httpd = _QuietServer(("127.0.0.1", 0), handler)
    if tls:
        httpd.socket = tls.wrap_socket(
            httpd.socket, server_side=True, do_handshake_on_connect=False
        )
    host, port = httpd.server_address[:2]
    record.base_url = f"{'https' if tls else 'http'}://{host}:{port}{prefix}"
    record.port = port
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield record
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


class _Canonical(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and self.href is None and values.get("rel") == "canonical":
            self.href = values.get("href")


def site_url(site_dir: Path) -> str | None:
    """The site's production address, from its home page's ``<link rel=canonical>``
    (mkdocs writes it when ``site_url`` is set); None without one."""
    home = Path(site_dir) / "index.html"
    if not home.is_file():
        return None
    parser = _Canonical()
    parser.feed(home.read_text(encoding="utf-8"))
    if not parser.href or not urllib.parse.urlsplit(parser.href).scheme.startswith("http"):
        return None
    return parser.href if parser.href.endswith("/") else parser.href + "/"


def sample_pages(site_dir: Path) -> list[str]:
    """The home page and the first paper page (by folder name) of a built site."""
    pages = [""]
    papers = Path(site_dir) / "papers"
    if papers.is_dir():
        names = sorted(p.name for p in papers.iterdir() if (p / "index.html").is_file())
        pages += [f"papers/{names[0]}/"] if names else []
    return pages


def published_url(site_dir: Path) -> str:
    """Where the site is read: its ``site_url`` when that is an https address, else
    ``https://<FALLBACK_HOST>`` and the path of any ``site_url`` (a local build's
    http://127.0.0.1:8000/, or none)."""
    url = site_url(site_dir)
    parts = urllib.parse.urlsplit(url or "/")
    if parts.scheme == "https" and parts.hostname:
        return url or ""
    return f"https://{FALLBACK_HOST}{parts.path or '/'}"


def certificate(folder: Path, host: str) -> tuple[ssl.SSLContext, str]:
    """A throwaway self-signed certificate for ``host`` (made with the ``openssl``
    command in ``folder``): the server's TLS context, and the base64 SHA-256 of its
    public key, for Chromium's ``--ignore-certificate-errors-spki-list``. Chromium then
    treats the certificate as valid, and so caches what it fetches, as from the real
    host (with ``ignore_https_errors`` it would cache nothing and fetch repeats again)."""
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", f"/CN={host}",
            "-addext", f"subjectAltName=DNS:{host}", "-keyout", str(key), "-out", str(cert),
        ],
        check=True, capture_output=True,
    )  # fmt: skip
    public = subprocess.run(
        ["openssl", "x509", "-in", str(cert), "-pubkey", "-noout"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    der = base64.b64decode("".join(line for line in public.splitlines() if "-----" not in line))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context, base64.b64encode(hashlib.sha256(der).digest()).decode("ascii")


def _view(context: BrowserContext, url: str, settle: float, timeout: float) -> list[str]:
    """Open ``url`` in ``context`` and wait until no request has been in flight for
    ``settle`` seconds; the URLs of other hosts, which could not be fetched."""
    host = urllib.parse.urlsplit(url).hostname
    blocked: list[str] = []
    in_flight: set[Request] = set()
    last = [time.monotonic()]

    def started(request: Request) -> None:
        in_flight.add(request)
        last[0] = time.monotonic()

    def finished(request: Request) -> None:
        in_flight.discard(request)
        last[0] = time.monotonic()

    def failed(request: Request) -> None:
        finished(request)
        if urllib.parse.urlsplit(request.url).hostname != host:
            blocked.append(request.url)

    context.on("request", started)
    context.on("requestfinished", finished)
    context.on("requestfailed", failed)
    page = context.new_page()
    page.goto(url, wait_until="load", timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    while in_flight or time.monotonic() - last[0] < settle:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url}: the network was still busy after {timeout} s")
        page.wait_for_timeout(50)
    return blocked


def first_views(
    site_dir: Path,
    pages: Sequence[str],
    *,
    playwright: Playwright | None = None,
    settle: float = SETTLE_SECONDS,
    timeout: float = TIMEOUT_SECONDS,
) -> list[FirstView]:
    """A first view of each of ``pages`` (site-relative URLs: "", "papers/<slug>/") of
    the built site in ``site_dir``, each in a fresh context (empty cache) of a Chromium
    launched for the purpose (by ``playwright``, or by one started here: Playwright's
    sync API cannot start twice in a process, so a caller that runs it passes it).

    The pages are opened at the site's own address (``published_url``), which Chromium
    resolves to the local server (``--host-resolver-rules``) and whose certificate it
    trusts: URLs, origin and HTTP cache are as on the real host. Every other host fails
    to resolve, so nothing reaches the internet; such requests are reported as blocked.
    """
    from playwright.sync_api import sync_playwright  # a test extra

    if not CHROMIUM.is_file():
        raise FileNotFoundError(f"{CHROMIUM} not found (apt-get install chromium)")
    published = urllib.parse.urlsplit(published_url(site_dir))
    host = published.hostname or FALLBACK_HOST
    views = []
    with tempfile.TemporaryDirectory(prefix="first-view-") as folder:
        tls, spki = certificate(Path(folder), host)
    started = nullcontext(playwright) if playwright else sync_playwright()
    with serve(site_dir, published.path, tls) as server, started as running:
        rules = f"MAP {host}:{published.port or 443} 127.0.0.1:{server.port}, MAP * ~NOTFOUND"
        browser = running.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                *CHROMIUM_ARGS,
                f"--host-resolver-rules={rules}",
                f"--ignore-certificate-errors-spki-list={spki}",
            ],
        )
        try:
            for page in pages:
                context = browser.new_context()
                try:
                    server.take()
                    url = urllib.parse.urlunsplit(published._replace(query="", fragment=""))
                    blocked = _view(context, url + page.lstrip("/"), settle, timeout)
                finally:
                    context.close()
                views.append(_first_view(page, server.take(), blocked))
        finally:
            browser.close()
    return views


def _first_view(page: str, sent: list[Sent], blocked: list[str]) -> FirstView:
    by_resource: dict[str, int] = {}
    for item in sent:
        by_resource[item.path] = by_resource.get(item.path, 0) + item.body_bytes
    return FirstView(
        page=page,
        requests=len(sent),
        transferred_bytes=sum(item.body_bytes for item in sent),
        by_resource=by_resource,
        not_found=tuple(item.path for item in sent if item.status == 404),
        blocked=tuple(blocked),
    )


def kb(size: int) -> str:
    return f"{size / 1024:,.1f} KB"


def table(views: Sequence[FirstView], biggest: int = 5) -> str:
    """A Markdown table: page, requests, KB gzip, the biggest resources."""
    lines = [
        "| Page | Requests | Transferred (gzip) | Biggest resources |",
        "| --- | ---: | ---: | --- |",
    ]
    for view in views:
        resources = ", ".join(f"{path or '/'} {kb(size)}" for path, size in view.biggest(biggest))
        notes = []
        if view.not_found:
            notes.append(f"404: {', '.join(view.not_found)}")
        if view.blocked:
            notes.append(f"blocked: {', '.join(view.blocked)}")
        extra = f" ({'; '.join(notes)})" if notes else ""
        lines.append(
            f"| /{view.page} | {view.requests} | {kb(view.transferred_bytes)} "
            f"| {resources}{extra} |"
        )
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("site_dir", type=Path, help="a built site (site/)")
    parser.add_argument(
        "pages", nargs="*", help='site-relative URLs (default: "" and the first paper page)'
    )
    parser.add_argument(
        "--settle", type=float, default=SETTLE_SECONDS, help="seconds of quiet network"
    )
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")


def run(args: argparse.Namespace) -> int:
    if not (args.site_dir / "index.html").is_file():
        print(f"first-view: {args.site_dir} is not a built site", file=sys.stderr)
        return 1
    pages = args.pages or sample_pages(args.site_dir)
    try:
        views = first_views(args.site_dir, pages, settle=args.settle)
    except (FileNotFoundError, TimeoutError, subprocess.CalledProcessError) as error:
        print(f"first-view: {error}", file=sys.stderr)
        return 1
    print(table(views))
    if args.json:
        data = [{**asdict(view), "biggest": view.biggest()} for view in views]
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m build_tools.first_view", description=HELP)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())

"""`build_tools.first_view` without a browser: its server answers as GitHub Pages would
(gzip when asked, 404.html with status 404), and it finds the pages and address of a
built site."""

from __future__ import annotations

import gzip
import http.client
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from build_tools.first_view import (
    FirstView,
    Sent,
    Server,
    certificate,
    published_url,
    sample_pages,
    serve,
    site_url,
    table,
)

HOME = '<!doctype html><link rel="canonical" href="https://shelf.example.org/reading/"><p>Home'
NOT_FOUND = "<!doctype html><title>Not here</title>" + "<p>Gone. " * 50


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    for path, text in {
        "index.html": HOME,
        "404.html": NOT_FOUND,
        "papers/b-paper/index.html": "<p>B",
        "papers/a-paper/index.html": "<p>A " * 200,
        "papers/not-a-page/notes.txt": "no index.html here",
        "sitemap.xml": "<urlset>" + "<url><loc>x</loc></url>" * 100 + "</urlset>",
    }.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    (root / "logo.png").write_bytes(b"\x89PNG" + bytes(300))
    return root


@pytest.fixture
def server(site: Path) -> Iterator[Server]:
    with serve(site, "/reading/") as running:
        yield running


@dataclass
class Reply:
    status: int
    headers: Message
    body: bytes

    def getheader(self, name: str) -> str | None:
        return self.headers.get(name)


def get(server: Server, path: str, encoding: str | None) -> Reply:
    """GET ``path``, with ``Accept-Encoding: encoding`` (none: identity)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", path, headers={"Accept-Encoding": encoding or "identity"})
    response = connection.getresponse()
    reply = Reply(response.status, response.headers, response.read())
    connection.close()
    return reply


def test_text_is_gzipped_when_the_request_accepts_it(server: Server, site: Path):
    response = get(server, "/reading/papers/a-paper/", "gzip, deflate, br")
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    assert response.getheader("Cache-Control") == "max-age=600"
    original = (site / "papers/a-paper/index.html").read_bytes()
    assert gzip.decompress(response.body) == original
    assert int(response.getheader("Content-Length") or 0) < len(original)
    assert server.take() == [Sent("papers/a-paper/", 200, len(response.body), True)]


def test_identity_when_the_request_does_not_accept_gzip_and_images_as_they_are(
    server: Server, site: Path
):
    plain = get(server, "/reading/sitemap.xml", None)
    assert plain.getheader("Content-Encoding") is None
    assert plain.body == (site / "sitemap.xml").read_bytes()
    image = get(server, "/reading/logo.png", "gzip")
    assert image.getheader("Content-Encoding") is None
    assert image.getheader("Content-Type") == "image/png"
    assert image.body == (site / "logo.png").read_bytes()
    assert [(s.path, s.gzipped) for s in server.take()] == [
        ("sitemap.xml", False),
        ("logo.png", False),
    ]


def test_a_missing_file_gets_the_404_page_with_status_404(server: Server):
    for path in ("/reading/no-such/", "/reading/assets/gone.js", "/elsewhere/", "/reading/../x"):
        response = get(server, path, "gzip")
        assert response.status == 404, path
        assert gzip.decompress(response.body).decode() == NOT_FOUND
    sent = server.take()
    assert [s.status for s in sent] == [404] * 4
    assert sent[0].path == "no-such/" and sent[0].body_bytes > 0


def test_a_folder_without_its_slash_is_redirected(server: Server):
    response = get(server, "/reading/papers/a-paper", "gzip")
    assert response.status == 301
    assert response.getheader("Location") == "/reading/papers/a-paper/"


def test_the_server_speaks_tls_with_its_throwaway_certificate(site: Path, tmp_path: Path):
    tls, spki = certificate(tmp_path, "shelf.example.org")
    assert len(spki) == 44 and spki.endswith("=")  # base64 of a SHA-256
    client = ssl.create_default_context()
    client.check_hostname, client.verify_mode = False, ssl.CERT_NONE
    with serve(site, "/", tls) as running:
        assert running.base_url == f"https://127.0.0.1:{running.port}/"
        connection = http.client.HTTPSConnection(
            "127.0.0.1", running.port, context=client, timeout=10
        )
        connection.request("GET", "/")
        assert connection.getresponse().read().decode() == HOME
        connection.close()


def test_the_pages_and_the_address_of_a_built_site(site: Path, tmp_path: Path):
    assert sample_pages(site) == ["", "papers/a-paper/"]
    assert site_url(site) == "https://shelf.example.org/reading/"
    assert published_url(site) == "https://shelf.example.org/reading/"
    # A local build's http address, or none: a made-up https host, the same path.
    (site / "index.html").write_text(
        '<link rel="canonical" href="http://127.0.0.1:8000/x/">', encoding="utf-8"
    )
    assert urlsplit(published_url(site)).path == "/x/"
    assert urlsplit(published_url(site)).scheme == "https"
    (site / "index.html").write_text("<p>no canonical", encoding="utf-8")
    assert site_url(site) is None
    assert urlsplit(published_url(site)).path == "/"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert sample_pages(empty) == [""]


def test_the_table_names_the_biggest_resources():
    view = FirstView(
        page="papers/x/",
        requests=3,
        transferred_bytes=3072,
        by_resource={"papers/x/": 1024, "sitemap.xml": 1536, "gone.png": 512},
        not_found=("gone.png",),
        blocked=("https://api.github.com/repos/a/b",),
    )
    assert view.biggest(2) == [("sitemap.xml", 1536), ("papers/x/", 1024)]
    row = table([view]).splitlines()[2]
    assert row.startswith("| /papers/x/ | 3 | 3.0 KB | sitemap.xml 1.5 KB, papers/x/ 1.0 KB")
    assert "404: gone.png" in row and "blocked: https://api.github.com/repos/a/b" in row

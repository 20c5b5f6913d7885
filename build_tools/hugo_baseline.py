"""The benchmark's second reference: the same synthetic papers as a minimal Hugo site.

``papershelf bench`` builds it (where ``hugo`` is installed) beside plain
mkdocs-material, so Papershelf's build time is compared with a fast static site
generator too. The project is kept minimal but fair:

* one page per paper, ``content/papers/<slug>.md``: YAML front matter (title, date)
  and the same Markdown body as the mkdocs-material baseline's page
  (``SyntheticPaper.markdown_page``), rendered by Hugo's Markdown (Goldmark) through
  ``layouts/_default/single.html``: a full HTML page with the title and content;
* a home page and the ``papers/`` section page (``index.html``, ``list.html``) that
  do not list the papers: the mkdocs-material baseline keeps them out of its
  navigation, so neither reference renders an O(N) listing;
* ``disableKinds``: no taxonomy or term pages (neither reference has tag pages), no
  RSS (the mkdocs baseline writes no feed), no robots.txt or 404 page. The sitemap is
  kept, as mkdocs writes one. Hugo has no search index to write; mkdocs-material's
  is part of that baseline.

The front matter is written by PyYAML, so any title (quotes, backslashes, newlines,
a line of ``---``) stays one YAML string inside the front matter.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

import yaml

from build_tools import synthetic

CONFIG = """\
baseURL = "https://example.org/hugo/"
title = "Baseline"
languageCode = "en"
# Only the home page, the papers section and each paper's page (see hugo_baseline.py).
disableKinds = ["taxonomy", "term", "RSS", "robotsTXT", "404"]
"""

BASE_LAYOUT = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} - {{ .Site.Title }}</title>
</head>
<body>
<header><a href="{{ .Site.BaseURL }}">{{ .Site.Title }}</a></header>
<main>
{{ block "main" . }}{{ end }}
</main>
</body>
</html>
"""

SINGLE_LAYOUT = """\
{{ define "main" }}
<article>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2006-01-02" }}</time></p>
{{ .Content }}
</article>
{{ end }}
"""

LIST_LAYOUT = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ .Content }}
{{ end }}
"""

LAYOUTS = {
    "layouts/_default/baseof.html": BASE_LAYOUT,
    "layouts/_default/single.html": SINGLE_LAYOUT,
    "layouts/_default/list.html": LIST_LAYOUT,
    "layouts/index.html": LIST_LAYOUT,
}
OUTPUT = "public"


def front_matter(fields: dict[str, str]) -> str:
    """``---`` YAML front matter; PyYAML quotes and escapes each value."""
    text = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=1_000_000)
    return f"---\n{text}---\n"


def page(title: str, body: str, date: str | None = None) -> str:
    """One content page: front matter (title, date if given) and the Markdown ``body``."""
    fields = {"title": title} if date is None else {"title": title, "date": date}
    return front_matter(fields) + "\n" + body


def write_project(root: Path, papers: Iterable[synthetic.SyntheticPaper]) -> int:
    """Write the Hugo project of ``papers`` in ``root``; returns how many pages."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "hugo.toml").write_text(CONFIG, encoding="utf-8")
    for name, text in LAYOUTS.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    content = root / "content"
    papers_dir = content / "papers"
    papers_dir.mkdir(parents=True, exist_ok=True)
    (content / "_index.md").write_text(page("Baseline", "Plain pages.\n"), encoding="utf-8")
    (papers_dir / "_index.md").write_text(page("Papers", ""), encoding="utf-8")
    count = 0
    for item in papers:
        text = page(item.title, item.markdown_page(), date=item.published)
        (papers_dir / f"{item.slug}.md").write_text(text, encoding="utf-8")
        count += 1
    return count


def build_command(root: Path, hugo: str = "hugo") -> list[str]:
    """A quiet build of the project in ``root`` into ``root/public``."""
    return [hugo, "--quiet", "--source", str(root), "--destination", str(root / OUTPUT)]


def rendered_pages(root: Path) -> int:
    """Paper pages in the built site (``public/papers/<slug>/index.html``)."""
    return sum(1 for _ in (root / OUTPUT / "papers").glob("*/index.html"))


def installed() -> str | None:
    """The ``hugo`` executable, or None."""
    return shutil.which("hugo")


def hugo_version(hugo: str) -> str:
    """``hugo version``'s first line (e.g. ``hugo v0.111.3+extended linux/amd64 ...``)."""
    done = subprocess.run(
        [hugo, "version"], capture_output=True, text=True, timeout=60, check=False
    )
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0] if lines else "hugo (unknown version)"

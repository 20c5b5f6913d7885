"""End to end: a real mkdocs build of a small project produces the linked site."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Project

NASTY_TITLE = 'Tricks <script>alert("x")</script> & "quotes"'


@pytest.fixture
def built(project: Project) -> Project:
    project.paper(
        "nasty",
        f"""\
        title: '{NASTY_TITLE}'
        authors: [Zoë <b>Bold</b>]
        organization: R&D <Lab>
        organization_id: rnd
        published: 2024-03-05
        added: 2025-01-03
        tags: [agents, reasoning]
        abstract: An abstract with <em>tags</em> & ampersands.
        links:
          arxiv: "2310.06770"
          code: https://github.com/x/y?a=1&b=2
        votes: 7
        notes: |
          Notes with **bold**.

          <script>alert("notes")</script>
        """,
    )
    project.paper(
        "plain",
        """\
        title: A plain paper
        author_count: 3
        published: 2024-01-10
        added: 2025-01-02
        tags: [agents]
        abstract: Plain.
        """,
    )
    project.paper(
        "undated",
        "---\ntitle: Undated\nadded: 2025-01-01\ntags: [vision]\n---\nBody *notes*.\n",
        ".md",
    )
    result = project.build()
    assert result.returncode == 0, result.stderr
    return project


def test_every_paper_tag_month_and_year_has_a_page(built: Project):
    for url in [
        "papers/nasty", "papers/plain", "papers/undated",
        "tags", "tags/agents", "tags/reasoning", "tags/vision",
        "archive", "archive/2024", "archive/2024/03", "archive/2024/01", "archive/undated",
        "orgs", "orgs/rnd",
    ]:  # fmt: skip
        assert (built.site / url / "index.html").is_file(), url


def test_untrusted_text_is_escaped_everywhere(built: Project):
    page = built.html("papers/nasty")
    assert "<script>alert" not in page
    assert "Tricks &lt;script&gt;alert(" in page
    assert "<title>Tricks &lt;script&gt;" in page
    assert "Zoë &lt;b&gt;Bold&lt;/b&gt;" in page
    assert "R&amp;D &lt;Lab&gt;" in page
    assert "with &lt;em&gt;tags&lt;/em&gt; &amp; ampersands" in page
    assert 'href="https://github.com/x/y?a=1&amp;b=2"' in page
    assert "<strong>bold</strong>" in page  # notes Markdown is rendered...
    assert 'alert("notes")' not in page  # ...but raw HTML in notes is dropped
    for listing in ["", "tags/agents", "archive/2024/03", "orgs/rnd"]:
        html = built.html(listing)
        assert "<script>alert" not in html, listing
        assert "Tricks &lt;script&gt;" in html, listing


def test_pages_link_to_each_other(built: Project):
    paper = built.html("papers/nasty")
    assert 'href="../../tags/agents/"' in paper
    assert 'href="../../orgs/rnd/"' in paper
    assert 'href="https://arxiv.org/abs/2310.06770"' in paper
    assert 'href="../../papers/plain/"' in paper  # the older neighbour
    tag = built.html("tags/agents")
    assert tag.index('href="../../papers/nasty/"') < tag.index('href="../../papers/plain/"')
    month = built.html("archive/2024/03")
    assert 'href="../../../papers/nasty/"' in month
    assert 'href="../../../archive/2024/01/"' in month  # earlier month navigation
    archive = built.html("archive")
    assert 'href="../archive/2024/03/"' in archive
    home = built.html("")
    assert "Hand-written intro." in home
    assert 'href="papers/nasty/"' in home and 'href="tags/"' in home and 'href="archive/"' in home
    tags = built.html("tags")
    assert "Language-model agents that act &amp; plan." in tags


def test_generated_pages_stay_out_of_the_navigation(built: Project):
    home = built.html("")
    nav = home[home.index('<nav class="md-nav md-nav--primary"') :]
    nav = nav[: nav.index("</nav>")]
    assert "Archive" in nav
    assert "papers/plain/" not in nav


def test_long_lists_are_split_into_pages(built: Project):
    first = built.html("tags/agents")
    assert "Page 1 of 1" not in first  # two papers fit the page size of 2
    built.paper("third", "title: Third\nadded: 2025-01-04\ntags: [agents]\n")
    assert built.build().returncode == 0
    first, second = built.html("tags/agents"), built.html("tags/agents/page/2")
    assert "Page 1 of 2 (3 papers)" in first and 'href="../../tags/agents/page/2/"' in first
    assert "papers/plain/" in second


def test_an_invalid_entry_fails_the_build_with_every_message(project: Project):
    project.paper("bad", "title: Bad\nadded: 2025-02-30\ntags: [agent]\n")
    project.paper("worse", "titel: Worse\nadded: 2025-01-01\ntags: [vision]\n")
    result = project.build()
    assert result.returncode != 0
    assert re.search(r"papers/bad\.yaml:2: added: '2025-02-30' is not a valid date", result.stderr)
    assert (
        "papers/bad.yaml:3: tags: unknown tag 'agent' "
        "(did you mean 'agents'? every tag is listed in tags.yml)"
    ) in result.stderr
    assert "papers/worse.yaml:1: titel: unknown field (did you mean 'title'?)" in result.stderr
    assert not project.site.exists()


def test_generated_pages_draw_the_theme_icons_from_the_sprite(built: Project):
    """Every icon a generated page refers to is in the sprite the build wrote (and the
    path to it is right from the page's folder); hand-written pages keep theirs inline."""
    sprite = (built.site / "assets/papershelf/icons.svg").read_text(encoding="utf-8")
    symbols = set(re.findall(r'<symbol id="([^"]+)"', sprite))
    assert len(symbols) >= 5  # logo, menu, palette, search...
    for page in ("papers/nasty", "tags/agents", "tags", "archive"):
        html = built.html(page)
        uses = re.findall(r'<use href="([^"#]+)#([^"]+)"', html)
        assert uses, page
        for path, name in uses:
            assert name in symbols
            folder = built.site / (page + "/")
            assert (folder / path).resolve() == (built.site / "assets/papershelf/icons.svg")
        assert 'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path' not in html
    assert "<use href" not in built.html("")  # the hand-written home page

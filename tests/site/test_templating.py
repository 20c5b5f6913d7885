"""Compact templates (papershelf.site.templating.compact): less HTML, the same text."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import material
import pytest

from papershelf.site.rendering import TEMPLATES
from papershelf.site.templating import compact

THEME = Path(material.__file__).parent / "templates"
# Where white space is text, not layout: a compacted template would change it.
WHITESPACE_AS_TEXT = re.compile(r"<pre\b|<textarea\b|`", re.IGNORECASE)


def environment(templates: dict[str, str]) -> jinja2.Environment:
    return compact(jinja2.Environment(loader=jinja2.DictLoader(templates)))


def test_indentation_and_blank_lines_go_and_words_stay_apart():
    env = environment(
        {
            "page.html": "<ul>\n    {% for x in xs %}\n    <li>\n      {{ x }}\n    </li>\n\n"
            "    {% endfor %}\n</ul>\n<p>a\n   b</p>\n"
        }
    )
    html = env.get_template("page.html").render(xs=["one", "two"])
    assert html == "<ul>\n<li>\none\n</li>\n<li>\ntwo\n</li>\n</ul>\n<p>a\nb</p>"


def test_printed_values_keep_their_white_space():
    env = environment({"page.html": "<pre><code>{{ text }}</code></pre>\n    <p>{{ text }}</p>"})
    text = "@misc{k,\n  title = {x},\n\n    note = {y}\n}"
    assert env.get_template("page.html").render(text=text) == (
        f"<pre><code>{text}</code></pre>\n<p>{text}</p>"
    )


@pytest.mark.parametrize("folder", [THEME, TEMPLATES], ids=["material", "papershelf"])
def test_no_template_holds_text_whose_white_space_counts(folder: Path):
    """What makes compacting safe: no ``<pre>``, ``<textarea>`` or JavaScript template
    string written in a template (values printed into them are not touched)."""

    def text_of(path: Path) -> str:  # without comments, and one <pre> of one value
        text = re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
        return re.sub(r"<pre\b[^>]*><code>\{\{[^}]*\}\}</code></pre>", "", text)

    offending = [
        str(path.relative_to(folder))
        for path in sorted(folder.rglob("*.html"))
        if WHITESPACE_AS_TEXT.search(text_of(path))
    ]
    assert offending == []

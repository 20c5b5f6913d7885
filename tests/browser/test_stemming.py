"""The browser stems words as the build does: Snowball English (Porter2) on both sides.

The build stems with Python's ``snowballstemmer``; readers' browsers with
``assets/snowball-english.js``, the same Snowball release compiled to JavaScript. Every
word of ``tests/fixtures/stemming/english-words.txt`` (about 38,000: SCOWL's English
lists and hand-picked hard cases, see the README there) is stemmed in Chromium in one
call and compared with Python's stems.
"""

from __future__ import annotations

from importlib.metadata import version

import snowballstemmer
from playwright.sync_api import Page

from tests.browser.conftest import REPO, Console

SCRIPT = REPO / "plugins" / "papershelf" / "assets" / "snowball-english.js"
WORDS = REPO / "tests" / "fixtures" / "stemming" / "english-words.txt"

# Words the script has to treat specially, beyond the fixture's: U+E000 is the stand-in
# it uses for letters outside the Basic Multilingual Plane, so one already in a word
# must come back where it was, next to such letters or not.
STAND_IN_CASES = [
    "a\ue000\U0001d465ies",
    "\U0001d465\ue000ying",
    "\ue000y\U0001d538",
    "\ue000ies",
    "",
]

BLANK_PAGE = "<!doctype html><html lang=en><meta charset=utf-8><title>stemming</title></html>"
GLOBALS = "() => Object.getOwnPropertyNames(window)"


def differences(words: list[str], browser: list[str], python: list[str]) -> str:
    """The first words stemmed differently, one a line, for a failure message."""
    lines = [
        f"  {word!a}: browser {got!a}, Python {expected!a}"
        for word, got, expected in zip(words, browser, python, strict=True)
        if got != expected
    ]
    return f"{len(lines)} of {len(words)} words differ, first ones:\n" + "\n".join(lines[:20])


def test_the_script_is_snowballs_release_that_python_uses() -> None:
    generated = f"Generated from english.sbl by Snowball {version('snowballstemmer')} "
    assert generated in SCRIPT.read_text(encoding="utf-8")


def test_the_browser_stems_every_word_as_python_does(desktop: tuple[Page, Console]) -> None:
    page, console = desktop
    page.set_content(BLANK_PAGE)
    before = set(page.evaluate(GLOBALS))
    page.add_script_tag(path=SCRIPT)
    added = set(page.evaluate(GLOBALS)) - before
    assert added == {"papershelfStem"}, "the script must define one global, papershelfStem"

    words = WORDS.read_text(encoding="utf-8").splitlines() + STAND_IN_CASES
    assert len(words) > 20_000
    # One string each way: tens of thousands of separate strings take seconds to cross.
    stemmed = page.evaluate(
        "text => text.split('\\n').map(word => window.papershelfStem(word)).join('\\n')",
        "\n".join(words),
    ).split("\n")

    # What the build stems with: the package's Snowball-generated Python, or, where
    # PyStemmer is installed, snowballstemmer hands over to its C (fast, same algorithm).
    python = snowballstemmer.stemmer("english")
    expected = python.stemWords(words)
    assert stemmed == expected, f"{type(python)}: " + differences(words, stemmed, expected)
    assert console.errors == []

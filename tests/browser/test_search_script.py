"""papershelf.js reads the search index the way papershelf.site.search wrote it.

The script's tokeniser and postings decoder run in Chromium here and are compared
with the Python side on the same input, and its ranking is checked on the fixture
list, whose paper numbers (by slug) are not its order (newest first); the
reader-facing search is in test_reading.py.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page

from papershelf.site.search import (
    MANIFEST,
    decode_postings,
    shard_file,
    shards_for,
    starts_chunk,
    stem,
    tokens,
)
from tests.browser.conftest import Console, Site

SAMPLES = [
    "Chain-of-Thought prompting, GPT-4o & snake_case (2024).",
    "Café naïve ΟΔΟΣ ΣΊΣΥΦΟΣ Ἀθῆναι Straße",  # accents, Greek final sigma, ß
    "東京大学の研究 한국어 العربية ١٢٣ हिन्दी",  # CJK, Hangul, Arabic digits, marks
    "e\u0301te\u0301 İstanbul ﬁne x² ½ \U0001d538lgebra",  # combining accents, dotted I,
    # ligature, superscript, fraction, an astral letter (double-struck A)
    "\uff46\uff55\uff4c\uff4c \uff8a\uff9f\uff70\uff78 Ⅻ ℃",  # full-width letters, half-width
    # kana, a Roman numeral, a symbol
]


def test_the_script_finds_the_same_terms_as_python(
    site: Site, desktop: tuple[Page, Console]
) -> None:
    page, console = desktop
    page.goto(site.url())
    found = page.evaluate(
        "samples => samples.map(text => window.papershelfSearch.tokens(text))", SAMPLES
    )
    assert found == [tokens(text) for text in SAMPLES]
    assert console.errors == []


KEYS = ["co ", "com", "con ", "cont", "cz", "x ", "xy", "東京", "\U0001d538l"]


@pytest.mark.parametrize(
    "term", ["con", "conte", "co", "czech", "x", "xyz", "q", "東", "\U0001d538"]
)
def test_the_script_reads_the_shards_python_would(
    site: Site, desktop: tuple[Page, Console], term: str
) -> None:
    page, _ = desktop
    page.goto(site.url())
    found = page.evaluate(
        "([keys, term]) => window.papershelfSearch.shardsFor(keys, term)", [KEYS, term]
    )
    assert found == shards_for(KEYS, term)


def test_the_script_finds_the_chunks_python_wrote(
    site: Site, desktop: tuple[Page, Console]
) -> None:
    """Chunks begin where a hash of the paper number says (search.starts_chunk): the
    script must pick the same papers, up to the largest lists, or it reads the wrong row."""
    page, _ = desktop
    page.goto(site.url())
    numbers = [*range(5000), *range(2_999_000, 3_000_000)]
    found = page.evaluate(
        "numbers => numbers.map(n => window.papershelfSearch.startsChunk(n, 8))", numbers
    )
    assert found == [starts_chunk(number, 8) for number in numbers]
    assert 650 < sum(found) < 850  # about one in eight of 6,000


# What the script weighs a hit by (papershelf.js): field (FIELDS order) and kind.
FIELD_WEIGHTS = [16, 4, 2, 1]
EXACT, STEM, PREFIX = 1.0, 0.8, 0.6


def python_scores(site: Site, term: str, prefix: bool) -> list[float] | None:
    """Per paper, the weight of its best hit for ``term``, read from the files on disk
    (papershelf.site.search's format) by the rules the script follows."""
    manifest = json.loads((site.root / MANIFEST).read_bytes())
    folder = site.root / "search" / manifest["folder"] / "terms"
    root = stem(term)
    keys = set(shards_for(manifest["shards"], term))
    if root != term:
        keys |= set(shards_for(manifest["shards"], root[: max(2, len(root) - 1)]))
    scores = None
    for key in sorted(keys):
        shard = json.loads((folder / f"{shard_file(key)}.json").read_bytes())
        for entry, lists in shard.items():
            word, _, rest = entry.partition("~")
            word_stem = word[: int(rest)] if rest.isdigit() else (rest or word)
            if word == term:
                kind = EXACT
            elif len(term) == 1:
                continue
            elif len(term) > 2 and word_stem == root:
                kind = STEM
            elif prefix and word.startswith(term):
                kind = PREFIX
            else:
                continue
            scores = scores or [0.0] * manifest["docs"]
            for field, text in enumerate(lists):
                for number in decode_postings(text):
                    scores[number] = max(scores[number], FIELD_WEIGHTS[field] * kind)
    return scores


@pytest.mark.parametrize(
    ("term", "prefix"),
    [
        ("agents", True),
        ("agent", False),
        ("ag", True),
        ("zebrafish", True),
        ("study", False),
        ("studies", False),
        ("deepmind", True),
        ("x", True),
        ("qq", True),
    ],
)
def test_the_script_weighs_the_postings_python_wrote(
    site: Site, desktop: tuple[Page, Console], term: str, prefix: bool
) -> None:
    page, _ = desktop
    page.goto(site.url())
    scores = page.evaluate(
        """([term, prefix]) => window.papershelfSearch.load()
            .then(index => index.term(term, prefix))
            .then(scores => scores && Array.from(scores))""",
        [term, prefix],
    )
    expected = python_scores(site, term, prefix)
    assert scores == (expected and pytest.approx(expected))


@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        # Title hits first (the stem "agent" a little lower), then a tag hit; ties
        # newest first.
        (
            "agents",
            [
                "nasty-title",  # added 2025-02-03
                "agent-notes",  # 2025-02-02
                "zebrafish-navigation",  # 2025-02-01
                "undated-agent",  # 2025-01-10
                "long-word-title",  # 2025-01-05
            ],
        ),
        # A title hit first, then the abstract hits, newest first.
        ("study", ["vision-transformer-study", "zebrafish-navigation", "long-context"]),
    ],
)
def test_the_script_ranks_title_hits_first_then_the_newest(
    site: Site, desktop: tuple[Page, Console], query: str, slugs: list[str]
) -> None:
    page, console = desktop
    page.goto(site.url())
    found = page.evaluate(
        """query => window.papershelfSearch.load().then(index =>
            index.search(query).then(found =>
                index.papers(found.results).then(papers =>
                    ({numbers: found.results, urls: papers.map(paper => paper[0])}))))""",
        query,
    )
    assert found["urls"] == [f"papers/{slug}/" for slug in slugs]
    # Papers are numbered by slug: in number order these results would come otherwise.
    assert found["numbers"] != sorted(found["numbers"])
    assert console.errors == []

"""Entries written by the importer read back exactly; patches touch only their fields."""

from __future__ import annotations

import random
import textwrap
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from papershelf.entries.loader import load_entry
from papershelf.entries.model import Links, Paper
from papershelf.entries.schema import normalise_text
from papershelf.entries.strict_yaml import parse
from papershelf.entries.vocabulary import Vocabulary, parse_vocabulary
from papershelf.importers.entry_files import PatchError, patch_entry, quoted, render_entry, scalar

VOCABULARY_YAML = """\
agents:
  title: Agents
  description: Agents.
reasoning:
  title: Reasoning
  description: Reasoning.
"""


@pytest.fixture
def vocabulary() -> Vocabulary:
    found, problems = parse_vocabulary(parse(VOCABULARY_YAML), "tags.yml")
    assert problems == []
    return found


def read_back(tmp_path: Path, text: str, vocabulary: Vocabulary, name: str = "x.yaml") -> Paper:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    paper, problems = load_entry(path, vocabulary)
    assert problems == []
    assert paper is not None
    return paper


def paper(**fields: object) -> Paper:
    base = Paper(slug="x", title="A title", added=date(2026, 11, 26), tags=("agents",))
    return replace(base, **fields)  # type: ignore[arg-type]


def test_a_full_entry_is_written_in_field_order():
    entry = paper(
        title="LoRA: Low-Rank Adaptation",
        authors=("Edward J. Hu", "Yelong Shen"),
        organization="AI at Meta",
        organization_id="facebook",
        published=date(2021, 6, 17),
        tags=("agents", "reasoning"),
        abstract="Short abstract.",
        links=Links(arxiv="2106.09685", code="https://github.com/microsoft/LoRA"),
        votes=85,
        notes="First line.\n\n- a list",
    )
    assert render_entry(entry) == textwrap.dedent(
        """\
        title: "LoRA: Low-Rank Adaptation"
        authors: [Edward J. Hu, Yelong Shen]
        organization: AI at Meta
        organization_id: facebook
        published: 2021-06-17
        added: 2026-11-26
        tags: [agents, reasoning]
        abstract: Short abstract.
        links:
          arxiv: "2106.09685"
          code: https://github.com/microsoft/LoRA
        votes: 85
        notes: |-
          First line.

          - a list
        """
    )


def test_imported_entry_shape_and_round_trip(tmp_path, vocabulary):
    abstract = "Large language models (LLMs) often have a fixed knowledge cutoff. " * 3
    entry = paper(
        title="ALAS: Autonomous Learning Agent",
        author_count=1,
        published=date(2025, 8, 14),
        abstract=abstract.strip(),
        votes=0,
    )
    text = render_entry(entry)
    assert text.startswith('title: "ALAS: Autonomous Learning Agent"\nauthor_count: 1\n')
    assert "\npublished: 2025-08-14\nadded: 2026-11-26\ntags: [agents]\nabstract: >-\n" in text
    assert all(len(line) <= 88 for line in text.splitlines())
    assert text.endswith("\nvotes: 0\n")
    assert read_back(tmp_path, text, vocabulary) == entry


@pytest.mark.parametrize(
    "text",
    [
        'Queries, Representation & Detection: <The> "Next" 100',
        "TÜLU 3: Pushing Frontiers",
        "Éclair -- Extracting Content",
        "- starts with a dash",
        "# looks like a comment",
        "null",
        "yes",
        "2024-01-01",
        "12",
        "ends with a colon:",
        "has a # hash",
        "back\\slash and 'quotes'",
        "[brackets] and {braces}",
        "tab\there",
        "line\u2028separator",
        "no\u00a0break",
        "zero\u200dwidth joiner",
    ],
)
def test_special_text_round_trips_in_every_field(tmp_path, vocabulary, text):
    entry = paper(
        title=" ".join(text.split()),
        authors=(" ".join(text.split()),),
        organization=" ".join(text.split()),
        abstract=text,
    )
    assert read_back(tmp_path, render_entry(entry), vocabulary) == entry


def test_an_invisible_character_the_schema_keeps_in_an_abstract_round_trips(tmp_path, vocabulary):
    entry = paper(abstract="bom\ufeffinside and soft\u00adhyphen")
    assert read_back(tmp_path, render_entry(entry), vocabulary) == entry


def test_random_text_round_trips(tmp_path, vocabulary):
    """Property check with a fixed seed: any text the schema accepts survives writing
    and reading (one-line fields hold no invisible format characters such as U+FEFF)."""
    alphabet = list("ab XY:#-?,[]{}&*!|>'\"%@`\\\t\n\u00a0\u2028éÜ漢😀\ufeff01.~")
    rng = random.Random(4)
    for _ in range(300):

        def text(limit: int) -> str:
            return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, limit)))

        def line(limit: int) -> str:
            return text(limit).replace("\ufeff", "")

        one_line = " ".join(normalise_text(line(30)).split()) or "x"
        words = " ".join(rng.choice(["w", "x:", "#y", "-z", '"q"', "null"]) for _ in range(40))
        entry = paper(
            title=one_line,
            authors=tuple(a for a in (" ".join(line(8).split()) for _ in range(2)) if a),
            abstract=normalise_text(text(200)) if rng.random() < 0.6 else words,
            notes=normalise_text(text(80)),
        )
        assert read_back(tmp_path, render_entry(entry), vocabulary) == entry


def test_scalar_and_quoted():
    assert scalar("Plain words") == "Plain words"
    assert scalar("a: b") == '"a: b"'
    assert scalar("a,b", flow=True) == '"a,b"'
    assert quoted('say "hi"\\') == '"say \\"hi\\"\\\\"'
    assert quoted("\x07") == '"\\a"'
    assert quoted("\u2029") == '"\\P"'


def test_output_is_deterministic():
    entry = paper(abstract="word " * 100, votes=3)
    assert render_entry(entry) == render_entry(replace(entry))


HAND_WRITTEN = """\
# A hand-written entry: comments and layout must survive.
title: Attention Is All You Need
added: 2025-01-06
tags: [agents]   # chosen by a person
abstract: >-
  The dominant sequence transduction models
  are recurrent.
votes: 3

# trailing comment
"""


def test_patch_replaces_and_adds_fields_leaving_other_lines(tmp_path, vocabulary):
    text = patch_entry(HAND_WRITTEN, ".yaml", {"votes": 7, "published": date(2017, 6, 12)})
    assert text == HAND_WRITTEN.replace("votes: 3\n", "votes: 7\npublished: 2017-06-12\n")
    entry = read_back(tmp_path, text, vocabulary)
    assert (entry.votes, entry.published, entry.tags) == (7, date(2017, 6, 12), ("agents",))


def test_patch_a_multi_line_field(tmp_path, vocabulary):
    text = patch_entry(HAND_WRITTEN, ".yaml", {"abstract": "New abstract."})
    assert "abstract: New abstract.\nvotes: 3\n" in text
    assert text.startswith("# A hand-written entry")
    assert read_back(tmp_path, text, vocabulary).abstract == "New abstract."


def test_patch_a_null_field_and_keep_windows_line_endings(tmp_path, vocabulary):
    original = "title: T\r\nadded: 2025-01-06\r\ntags: [agents]\r\npublished: ~\r\n"
    text = patch_entry(original, ".yaml", {"published": date(2024, 2, 29)})
    assert text == "title: T\r\nadded: 2025-01-06\r\ntags: [agents]\r\npublished: 2024-02-29\r\n"
    assert read_back(tmp_path, text, vocabulary).published == date(2024, 2, 29)


def test_patch_markdown_front_matter_keeps_the_body(tmp_path, vocabulary):
    original = "---\ntitle: T\nadded: 2025-01-06\ntags: [agents]\n---\nMy **notes**.\n---\nmore\n"
    text = patch_entry(original, ".md", {"votes": 4, "author_count": 8})
    assert text == (
        "---\ntitle: T\nadded: 2025-01-06\ntags: [agents]\nvotes: 4\nauthor_count: 8\n"
        "---\nMy **notes**.\n---\nmore\n"
    )
    entry = read_back(tmp_path, text, vocabulary, name="x.md")
    assert (entry.votes, entry.author_count, entry.notes) == (4, 8, "My **notes**.\n---\nmore")


@pytest.mark.parametrize(
    ("text", "suffix", "message"),
    [
        ("{title: T, added: 2025-01-06}\n", ".yaml", "fields are not one per line"),
        ("title: [unclosed\n", ".yaml", "line 2: YAML syntax error: expected"),
        ("- a list\n", ".yaml", "the entry is not a mapping of fields"),
        ("no front matter\n", ".md", "no YAML front matter found"),
    ],
)
def test_patch_refuses_layouts_it_cannot_edit_safely(text, suffix, message):
    with pytest.raises(PatchError, match=message):
        patch_entry(text, suffix, {"votes": 1})

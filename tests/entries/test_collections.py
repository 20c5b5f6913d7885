"""Reading paths (``collections/<slug>.yml``): checked like entries, every problem of
every file at once as ``FILE:LINE: FIELD: message (fix)``."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from papershelf.entries import strict_yaml
from papershelf.entries.collections import (
    NOTE_MAX,
    PAPERS_MAX,
    Collection,
    PathItem,
    build_collection,
    entry_slugs,
    load_collection,
    load_collections,
)

KNOWN = {"attention-is-all-you-need", "lora-low-rank-adaptation", "tree-of-thoughts"}
GOOD = """\
title: Getting started
description: A short path from the first papers to today's methods.
papers:
  - slug: attention-is-all-you-need
    note: Read this first; it defines the setting.
  - slug: lora-low-rank-adaptation
    note: Then this.
"""


@pytest.fixture
def shelf(project, monkeypatch):
    """The project as the working directory: files are named as a contributor types them."""
    monkeypatch.chdir(project.root)
    return project


def write(shelf, name: str, text: str) -> Path:
    return shelf.write(f"collections/{name}", text)


def problems_of(text: str, known: set[str] = KNOWN) -> list[str]:
    """The problems of a path file's text, as printed (the file is ``p.yml``)."""
    _, problems = build_collection(
        strict_yaml.parse(textwrap.dedent(text)), slug="p", path="p.yml", known=known
    )
    return [str(problem) for problem in sorted(problems)]


def test_a_good_path_keeps_its_papers_in_order_with_their_notes(shelf):
    path = write(shelf, "getting-started.yml", GOOD)
    collection, problems = load_collection(path, KNOWN)
    assert problems == []
    assert collection == Collection(
        slug="getting-started",
        title="Getting started",
        description="A short path from the first papers to today's methods.",
        items=(
            PathItem("attention-is-all-you-need", "Read this first; it defines the setting."),
            PathItem("lora-low-rank-adaptation", "Then this."),
        ),
    )
    assert collection.source == path
    assert collection.slugs == ("attention-is-all-you-need", "lora-low-rank-adaptation")


def test_a_missing_folder_holds_no_paths(tmp_path):
    assert load_collections(tmp_path / "collections", KNOWN) == ([], [])


def test_entry_slugs_are_the_entry_file_names_valid_or_not(shelf):
    shelf.paper("good", "title: Good\nadded: 2025-01-02\ntags: [agents]\n")
    shelf.paper("broken", "title: [\n")
    shelf.paper("notes", "---\ntitle: N\n---\n", ".md")
    shelf.write("papers/readme.txt", "not an entry")
    assert entry_slugs(shelf.papers) == {"good", "broken", "notes"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # a required field left out, another misspelt
            """\
            title: T
            descripton: D
            papers:
              - slug: tree-of-thoughts
                note: N
            """,
            [
                "p.yml:1: description: required field is missing (add `description: ...`)",
                "p.yml:2: descripton: unknown field (did you mean 'description'?)",
            ],
        ),
        (  # an unknown slug: the closest one is suggested
            """\
            title: T
            description: D
            papers:
              - slug: tree-of-thought
                note: N
            """,
            [
                "p.yml:4: papers.slug: no paper 'tree-of-thought' on the list"
                " (did you mean 'tree-of-thoughts'?)"
            ],
        ),
        (  # a slug written as the entry's file
            """\
            title: T
            description: D
            papers:
              - slug: papers/tree-of-thoughts.yaml
                note: N
            """,
            [
                "p.yml:4: papers.slug: no paper 'papers/tree-of-thoughts.yaml' on the list"
                " (write the slug alone: 'tree-of-thoughts')"
            ],
        ),
        (  # nothing close: where slugs come from
            """\
            title: T
            description: D
            papers:
              - slug: zzz
                note: N
            """,
            [
                "p.yml:4: papers.slug: no paper 'zzz' on the list"
                " (use the file name of a paper's entry in papers/, without .yaml or .md)"
            ],
        ),
        (  # the same paper twice, a paper without a note, an unknown key of an item
            """\
            title: T
            description: D
            papers:
              - slug: tree-of-thoughts
                note: N
              - slug: lora-low-rank-adaptation
              - slug: tree-of-thoughts
                note: Again.
                why: x
            """,
            [
                "p.yml:6: papers.note: every paper on a path needs a note (add `note: ...`)",
                "p.yml:7: papers.slug: 'tree-of-thoughts' is already step 1 of this path"
                " (list each paper once: remove one of the two)",
                "p.yml:9: papers.why: unknown field (allowed: slug, note)",
            ],
        ),
        (  # an empty list
            "title: T\ndescription: D\npapers: []\n",
            [
                "p.yml:3: papers: a reading path needs at least one paper"
                " (write `- slug: paper-slug` and under it `  note: why to read it here`)"
            ],
        ),
        (  # papers: with nothing under it (only commented hints)
            "title: T\ndescription: D\npapers:\n  # - slug: x\n",
            [
                "p.yml:3: papers: a reading path needs at least one paper"
                " (write `- slug: paper-slug` and under it `  note: why to read it here`)"
            ],
        ),
        (  # wrong types: a list for a title, a word for the papers, bare slugs as items
            """\
            title: [A, B]
            description: D
            papers: tree-of-thoughts
            """,
            [
                "p.yml:1: title: expected text, found a list (write `title: <text>`)",
                "p.yml:3: papers: expected a list of papers"
                " (write `- slug: paper-slug` and under it `  note: why to read it here`)",
            ],
        ),
        (
            """\
            title: T
            description: D
            papers:
              - tree-of-thoughts
              - slug: [a]
                note: N
            """,
            [
                "p.yml:4: papers: expected a paper's `slug:` and `note:`"
                " (write `- slug: paper-slug` and under it `  note: why to read it here`)",
                "p.yml:5: papers.slug: expected a paper's slug"
                " (write `- slug: paper-slug` and under it `  note: why to read it here`)",
            ],
        ),
        (  # empty texts
            """\
            title: "  "
            description: ""
            papers:
              - slug: tree-of-thoughts
                note: ""
            """,
            [
                "p.yml:1: title: is empty (write the title)",
                "p.yml:2: description: is empty (write the description)",
                "p.yml:5: papers.note: is empty (write the note)",
            ],
        ),
        (  # the character rules of entries: no bidirectional control, no invisible
            # character in a one-line title
            """\
            title: "Evil\\u200b title"
            description: "Text \\u202egpj.exe"
            papers:
              - slug: tree-of-thoughts
                note: "Fine\\u200b here"
            """,
            [
                "p.yml:1: title: contains an invisible format character"
                " (U+200B ZERO WIDTH SPACE) (delete the invisible character)",
                "p.yml:2: description: contains a bidirectional control"
                " (U+202E RIGHT-TO-LEFT OVERRIDE), which can make text appear in another"
                " order than it is (delete the invisible character; right-to-left text needs"
                " no control characters)",
            ],
        ),
        (  # not a mapping at all
            "- just\n- a list\n",
            ["p.yml:1: collection: expected `field: value` lines (start with `title: ...`)"],
        ),
    ],
)
def test_each_problem_names_its_line_field_and_fix(text: str, expected: list[str]):
    assert problems_of(text) == expected


def test_every_problem_of_every_file_is_reported_at_once(shelf):
    write(shelf, "a-path.yml", "title: A\npapers:\n  - slug: nope\n    note: N\n")
    write(shelf, "b-path.yml", GOOD)
    write(shelf, "c-path.yml", "title: C\ndescription: D\npapers:\n  - slug: lora\n")
    collections, problems = load_collections(Path("collections"), KNOWN)
    assert [c.slug for c in collections] == ["b-path"]
    assert [str(p) for p in problems] == [
        "collections/a-path.yml:1: description: required field is missing (add `description: ...`)",
        "collections/a-path.yml:3: papers.slug: no paper 'nope' on the list"
        " (use the file name of a paper's entry in papers/, without .yaml or .md)",
        "collections/c-path.yml:4: papers.note: every paper on a path needs a note (add `note: ...`)",
        "collections/c-path.yml:4: papers.slug: no paper 'lora' on the list"
        " (use the file name of a paper's entry in papers/, without .yaml or .md)",
    ]


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        (
            "Bad Name.yml",
            GOOD,
            "collections/Bad Name.yml:1: slug: file name 'Bad Name' is not a valid slug"
            " (rename it to bad-name.yml (lowercase a-z, 0-9 and -))",
        ),
        (
            "path.yaml",
            GOOD,
            "collections/path.yaml:1: file: unexpected file type '.yaml' (rename it to path.yml)",
        ),
        (
            "README.md",
            "# Paths\n",
            "collections/README.md:1: file: unexpected file type '.md'"
            " (reading paths are .yml files; keep other files elsewhere)",
        ),
        (
            "tabs.yml",
            "title: T\n\tdescription: D\n",
            "collections/tabs.yml:2: yaml: a tab is used for indentation (use spaces, not tabs)",
        ),
        (
            "anchors.yml",
            "title: &t T\ndescription: *t\npapers: []\n",
            "collections/anchors.yml:1: yaml: anchor &t is not allowed (write the value out in full)",
        ),
        (
            "twice.yml",
            "title: T\ntitle: U\n",
            "collections/twice.yml:2: yaml: duplicate key 'title' (first on line 1)"
            " (keep one of the two)",
        ),
    ],
)
def test_file_problems_are_reported_like_an_entrys(shelf, name: str, data: str, expected: str):
    write(shelf, name, data)
    _, problems = load_collections(Path("collections"), KNOWN)
    assert expected in [str(p) for p in problems]


def test_sizes_are_capped(shelf):
    long_note = "x" * (NOTE_MAX + 1)
    items = "".join(f"  - slug: p{n}\n    note: N\n" for n in range(PAPERS_MAX + 1))
    text = f"title: {'T' * 301}\ndescription: D\npapers:\n{items}"
    known = {f"p{n}" for n in range(PAPERS_MAX + 1)}
    found = problems_of(text, known)
    assert found == [
        "p.yml:1: title: is 301 characters long; at most 300 are allowed"
        " (shorten it: a path's texts are short, its papers say the rest)",
        f"p.yml:3: papers: lists {PAPERS_MAX + 1} papers; a reading path may have at most"
        f" {PAPERS_MAX} (split it into shorter paths)",
    ]
    note = f"title: T\ndescription: D\npapers:\n  - slug: p1\n    note: {long_note}\n"
    assert problems_of(note, known) == [
        f"p.yml:5: papers.note: is {NOTE_MAX + 1:,} characters long; at most {NOTE_MAX:,} are"
        " allowed (shorten it: a path's texts are short, its papers say the rest)"
    ]


def test_text_is_normalised_like_an_entrys():
    text = 'title: "  Cafe\\u0301   paths "\ndescription: >-\n  Two\n  lines.\npapers:\n'
    text += "  - slug: tree-of-thoughts\n    note: |\n      First line.\n      Second.\n"
    collection, problems = build_collection(
        strict_yaml.parse(text), slug="p", path="p.yml", known=KNOWN
    )
    assert problems == []
    assert collection is not None
    assert collection.title == "Café paths"  # NFC, single spaces
    assert collection.description == "Two lines."
    assert collection.items[0].note == "First line.\nSecond."


def test_the_contributing_guide_example_is_a_valid_path():
    """CONTRIBUTING.md's example path validates, given the papers it names."""
    guide = (Path(__file__).resolve().parents[2] / "CONTRIBUTING.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```yaml\n(.*?)^```$", guide, re.MULTILINE | re.DOTALL)
    [example] = [block for block in blocks if block.startswith("title:") and "papers:" in block]
    root = strict_yaml.parse(example)
    assert isinstance(root, strict_yaml.Mapping)
    papers = root.entries["papers"]
    assert isinstance(papers, strict_yaml.Sequence)
    named = {item.entries["slug"].text for item in papers.items}  # type: ignore[union-attr]
    collection, problems = build_collection(root, slug="x", path="x.yml", known=named)
    assert problems == [] and collection is not None

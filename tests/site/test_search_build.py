"""The index build's shortcuts (papershelf.site.search) give what their plain
definitions give: a paper's words, its result row, the terms and their postings.

The build takes them for speed (issue 19: the index at 10,000 papers in its helper);
the index must stay byte for byte what the plain definitions make, which the patch
(papershelf.speed.search_patch) and the script rely on.
"""

from __future__ import annotations

import gc
import json
import random
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mkdocs.commands.build import build
from mkdocs.config import load_config

from papershelf.entries.model import Paper, Tag
from papershelf.plugin import search_writer as plugin_module
from papershelf.site.catalog import build_catalog
from papershelf.site.search import (
    FIELDS,
    MANIFEST,
    build_index,
    doc_row,
    encoded_lists,
    field_texts,
    index_key,
    index_keys,
    numbered,
    paper_words,
    row_bytes,
    search_outputs,
    shard_file,
    to_json,
    words_of,
    write_index,
)
from tests.conftest import Project

TAGS = {
    "agents": Tag("agents", "Agents & tools", "a"),
    "long-context": Tag("long-context", "Long-context LLMs", "l"),
    "greek": Tag("greek", "ΟΔΟΣ Σ-ΑΣ", "g"),
}
TAG_IDS = [*TAGS, "unknown-tag", "x"]  # tags outside the vocabulary are indexed too
# Hyphens of both kinds, accents, Greek sigmas (lower-cased by their neighbours),
# compatibility characters, line breaks: where lines joined and lines alone may differ.
TEXT = st.text(alphabet="ab1É_ -\u2010\u2011.,\n\tçßΣ\u0391ﬁİ<&", max_size=30)


def paper(slug: str, **fields: object) -> Paper:
    values: dict[str, object] = {
        "slug": slug,
        "title": slug,
        "added": date(2025, 1, 1),
        "tags": ("agents",),
        "source": Path(f"papers/{slug}.yaml"),
    }
    values.update(fields)
    return Paper(**values)  # type: ignore[arg-type]


def words_by_definition(entry: Paper) -> tuple[set[str], ...]:
    """:func:`paper_words` as defined: the words of each field's text, each word in
    the first field that has it."""
    title, people, tags, body = (words_of(text) for text in field_texts(entry, TAGS))
    return title, people - title, tags - title - people, body - title - people - tags


@given(
    title=TEXT,
    authors=st.lists(TEXT, max_size=4),
    organization=st.one_of(st.none(), TEXT),
    tags=st.lists(st.sampled_from(TAG_IDS), min_size=1, max_size=3, unique=True),
    abstract=TEXT,
    notes=TEXT,
)
def test_a_papers_words_are_the_words_of_its_field_texts(
    title: str,
    authors: list[str],
    organization: str | None,
    tags: list[str],
    abstract: str,
    notes: str,
):
    entry = paper(
        "p",
        title=title,
        authors=tuple(authors),
        organization=organization,
        tags=tuple(tags),
        abstract=abstract,
        notes=notes,
    )
    assert paper_words(entry, TAGS) == words_by_definition(entry)


def test_names_and_tags_looked_up_whole_give_the_words_of_their_lines():
    entry = paper(
        "p",
        title="Fine-tuning ΟΔΟΣ",
        authors=("Émile Borel", "Jean-Luc Picard", "", "ΑΣ"),
        organization="Tülu-3 Lab",
        tags=("long-context", "greek", "unknown-tag"),
        abstract="Long-context state-of-the-art agents",
        notes="See <b>Borel</b> & co.",
    )
    people, tags = paper_words(entry, TAGS)[1:3]
    assert {"jeanluc", "emile", "émile", "tülu3", "tulu3", "ας"} <= people
    assert {"longcontext", "llms", "unknowntag", "σας", "\u03c3"} <= tags
    assert paper_words(entry, TAGS) == words_by_definition(entry)


@pytest.mark.parametrize(
    "abstract",
    [
        "",
        "Plain text.",
        'Quotes " and \\ backslashes, <script>alert("x")</script> & more',
        "Line\nbreaks\r\tand controls \x00\x1f, U+2028 \u2028 U+2029 \u2029",
        "Ünïcödé, 東京大学, emoji 🙂, lone </ tags",
    ],
)
def test_a_result_row_is_the_json_of_its_document_row(abstract: str):
    entry = paper(
        "row",
        title=f"A <title> & {abstract[:10]}",
        authors=("Ada <Lovelace>", "O'Brien & Co"),
        author_count=2,
        organization="Lab & <Co>",
        abstract=abstract,
    )
    assert row_bytes(entry) == to_json(doc_row(entry))
    assert json.loads(row_bytes(entry)) == doc_row(entry)
    assert b"\n" not in row_bytes(entry)  # a chunk holds a row a line


STEMS = ["agent", "model", "fine-tun", "state-of-the-art", "café", "ΟΔΟΣ", "x", "ab"]
ENDS = ["", "s", "ing", "ed", "-based", "ö", "42"]


def random_words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(STEMS) + rng.choice(ENDS) for _ in range(count))


def random_paper(rng: random.Random, n: int) -> Paper:
    return paper(
        f"p{rng.randrange(1000)}-{n}",  # numbers (by slug) are not the list's order
        title=random_words(rng, 3),
        added=date(2024, 1, 1) + timedelta(days=rng.randrange(60)),
        authors=tuple(rng.sample(["Ada Lovelace", "Émile Borel", "Jean-Luc Picard"], 2)),
        organization=rng.choice([None, "", "Contoso Lab"]),
        tags=tuple(rng.sample(TAG_IDS, rng.randrange(1, 3))),
        abstract=random_words(rng, rng.randrange(40)),
        notes=rng.choice(["", random_words(rng, 5)]),
    )


def terms_by_definition(papers: list[Paper]) -> dict[str, list[str]]:
    """index key -> encoded postings, made paper by paper, word by word."""
    lists: dict[str, list[list[int]]] = {}
    for number, entry in enumerate(numbered(papers)):
        for field, words in enumerate(paper_words(entry, TAGS)):
            for word in words:
                lists.setdefault(index_key(word), [[] for _ in FIELDS])[field].append(number)
    return {term: encoded_lists(numbers) for term, numbers in lists.items()}


@pytest.mark.parametrize("seed", range(6))
def test_the_terms_of_an_index_are_the_postings_of_every_word_encoded(seed: int):
    rng = random.Random(seed)
    papers = [random_paper(rng, n) for n in range(rng.randrange(1, 80))]
    outputs = search_outputs(build_catalog(papers, TAGS))
    manifest = json.loads(outputs[MANIFEST])
    shards = [
        json.loads(outputs[f"search/{manifest['folder']}/terms/{shard_file(key)}.json"])
        for key in manifest["shards"]
    ]
    assert {term: lists for shard in shards for term, lists in shard.items()} == (
        terms_by_definition(papers)
    )


def test_index_keys_are_the_keys_of_each_word():
    words = {"models", "happy", "happiness", "x", "ab", "abc", "running", "café", "東京"}
    assert index_keys(words) == {word: index_key(word) for word in words}
    assert index_keys(set()) == {}


def test_an_index_is_written_as_built(tmp_path: Path):
    rng = random.Random(1)
    built = build_index(build_catalog([random_paper(rng, n) for n in range(30)], TAGS))
    assert write_index(tmp_path, built.outputs) == len(built.outputs)
    written = {
        path.relative_to(tmp_path).as_posix(): path.read_bytes()
        for path in tmp_path.rglob("*")
        if path.is_file()
    }
    assert written == built.outputs


def test_the_helper_builds_the_index_without_the_cycle_collector(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    """The forked helper switches its collector off (a collection would walk every
    object of the build it shares); the build's own collector stays as it was."""
    project.paper("one", "title: One\nadded: 2025-01-02\ntags: [agents]\n")
    seen = tmp_path / "collector"
    real_build = plugin_module.build_index

    def watched_build(catalog, **options):  # runs in the helper
        seen.write_text(str(gc.isenabled()))
        return real_build(catalog, **options)

    monkeypatch.setattr(plugin_module, "build_index", watched_build)
    config = load_config(str(project.root / "mkdocs.yml"), site_dir=str(project.site))
    enabled = gc.isenabled()
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    assert seen.read_text() == "False"
    assert gc.isenabled() == enabled
    assert json.loads((project.site / MANIFEST).read_bytes())["docs"] == 1

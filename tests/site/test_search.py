"""The search index (papershelf.site.search): terms, shards, postings, files, builds.

What the script reads is decoded here in Python, the way papershelf.js decodes it;
that the script finds papers with it is proven in Chromium (tests/browser/).
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from papershelf.entries.model import Paper, Tag
from papershelf.plugin import search_writer as plugin_module
from papershelf.site import search as search_module
from papershelf.site.catalog import Catalog, build_catalog
from papershelf.site.search import (
    CHUNK_SIZE,
    FIELDS,
    MANIFEST,
    build_index,
    chunk_bytes,
    chunk_layout,
    chunk_rows,
    decode_postings,
    doc_row,
    encode_postings,
    encoded_lists,
    field_texts,
    file_digest,
    gap_codes,
    index_key,
    numbered,
    postings,
    rank_bytes,
    ranks_of,
    search_outputs,
    shard_file,
    shard_key,
    shards_for,
    split_shards,
    starts_chunk,
    term_set,
    tokens,
    write_index,
)
from papershelf.speed import search_patch
from papershelf.speed.search_patch import IndexPatch, known_files, patch_index, write_patch
from tests.conftest import Project

TAGS = {
    "agents": Tag("agents", "Agents & tools", "a"),
    "long-context": Tag("long-context", "Long context", "l"),
}


def paper(slug: str, added: str, **fields) -> Paper:
    fields.setdefault("title", slug.replace("-", " ").title())
    fields.setdefault("tags", ("agents",))
    return Paper(slug=slug, added=date.fromisoformat(added), **fields)


def catalog_of(*papers: Paper) -> Catalog:
    return build_catalog(list(papers), TAGS)


def manifest_of(outputs: dict[str, bytes]) -> dict:
    return json.loads(outputs[MANIFEST])


def in_folder(outputs: dict[str, bytes], path: str) -> object:
    """A file of the index folder (``"rank.json"``, ``"docs/0.json"``), decoded."""
    return json.loads(outputs[f"search/{manifest_of(outputs)['folder']}/{path}"])


def papers_with(outputs: dict[str, bytes], term: str) -> tuple[list[int], list[int]]:
    """(title, author, organisation or tag; abstract or notes) paper numbers of one
    indexed word, found as the script finds it (its key carries its stem)."""
    manifest = manifest_of(outputs)
    [key] = [key for key in shards_for(manifest["shards"], term) if (term + " ").startswith(key)]
    shard = json.loads(outputs[f"search/{manifest['folder']}/terms/{shard_file(key)}.json"])
    lists = [decode_postings(text) for text in shard[index_key(term)]]
    lists += [[]] * (len(FIELDS) - len(lists))
    return sorted(number for numbers in lists[:-1] for number in numbers), lists[-1]


# --- terms ---------------------------------------------------------------------------


def test_terms_are_lower_cased_runs_of_letters_and_digits():
    assert tokens("Chain-of-Thought prompting, GPT-4o & snake_case (2024).") == [
        "chain", "of", "thought", "prompting", "gpt", "4o", "snake", "case", "2024",
    ]  # fmt: skip


def test_terms_keep_accents_greek_and_cjk_whole():
    # The script splits the same way (tests/browser/test_search_script.py).
    assert tokens("Café naïve ΟΔΟΣ 東京大学の研究 Straße ½") == [
        "café", "naïve", "οδος", "東京大学の研究", "straße", "½",
    ]  # fmt: skip


def test_the_ascii_shortcut_finds_the_same_terms():
    every_ascii = "".join(map(chr, range(128)))
    for text in [every_ascii, "A_b-c.d/e\\f'g\"h<i>j&k 12_34", "", "   "]:
        assert term_set(text) == set(tokens(text))
    assert term_set("naïve café") == {"naïve", "café"}


def test_a_term_lives_in_the_shard_of_its_first_two_characters():
    assert shard_key("pretraining") == "pr"
    assert shard_key("pretraining", 4) == "pret"
    assert shard_key("x") == "x "  # a whole word: no longer word is in its shard
    assert shard_key("pr", 3) == "pr "
    assert shard_file("pr") == "70-72"
    assert shard_file("東京") == "6771-4eac"
    assert shard_file("x ") == "78-20"


def test_a_big_shard_is_split_by_one_more_character():
    terms = {word: ["A" * 30, ""] for word in ["co", "con", "cont", "context", "com", "cz"]}
    terms["x"] = ["A", ""]
    assert {key: sorted(shard) for key, shard in split_shards(terms, limit=100).items()} == {
        "co ": ["co"],
        "com": ["com"],
        "cont": ["cont", "context"],
        "con ": ["con"],
        "cz": ["cz"],
        "x ": ["x"],
    }
    assert list(split_shards(terms, limit=10_000)) == ["co", "cz", "x "]


def test_a_query_term_reads_the_shards_its_completions_are_in():
    keys = ["co ", "com", "con ", "cont", "cz", "x ", "xy"]
    assert shards_for(keys, "con") == ["con ", "cont"]
    assert shards_for(keys, "conte") == ["cont"]
    assert shards_for(keys, "co") == ["co ", "com", "con ", "cont"]
    assert shards_for(keys, "czech") == ["cz"]
    assert shards_for(keys, "x") == ["x "]  # one letter: that word only
    assert shards_for(keys, "xyz") == ["xy"]
    assert shards_for(keys, "q") == shards_for(keys, "qq") == []


# --- postings --------------------------------------------------------------------------


def test_postings_are_gaps_in_base_32_digits():
    assert encode_postings([]) == ""
    assert encode_postings([0, 1, 2]) == "AAA"  # gaps of zero: consecutive papers
    assert encode_postings([31]) == "f"  # the largest one-digit number
    assert encode_postings([32]) == "gB"  # 0 + 32 carried: least significant first
    assert encode_postings([5, 7]) == "FB"


@pytest.mark.parametrize(
    "numbers",
    [[], [0], [7], [0, 1, 2, 3], [3, 40, 41, 1000, 1024, 33000, 50000], list(range(0, 2000, 7))],
)
def test_postings_decode_to_the_numbers_encoded(numbers: list[int]):
    encoded = encode_postings(numbers)
    assert decode_postings(encoded) == numbers
    assert encode_postings(numbers, gap_codes(60000)) == encoded
    assert encoded.isascii() and json.dumps(encoded) == f'"{encoded}"'  # nothing to escape


def test_postings_must_ascend():
    with pytest.raises(ValueError, match="must ascend"):
        encode_postings([3, 3])


def test_a_cut_off_postings_string_is_refused():
    with pytest.raises(ValueError, match="middle of a number"):
        decode_postings("g")


def test_fields_rank_title_then_people_then_tags_then_the_body():
    catalog = catalog_of(
        paper(
            "zebra",
            "2025-01-02",
            title="Agents like zebrafish",
            authors=("Ada Lovelace",),
            organization="DeepMind",
            tags=("long-context",),
            abstract="Agents swim. Larval fish.",
            notes="See *section* 4.",
        ),
    )
    found = postings(catalog)
    title, people, tag, body = (
        ([0], [], [], []),
        ([], [0], [], []),
        ([], [], [0], []),
        ([], [], [], [0]),
    )
    # "agents" is in the abstract too: the title wins
    for term, where in [("agents", title), ("zebrafish", title), ("ada", people)]:
        assert found[index_key(term)] == where, term
    for term, where in [("lovelace", people), ("deepmind", people), ("long", tag)]:
        assert found[index_key(term)] == where, term
    for term in ["context", "swim", "larval", "fish", "section", "4"]:
        assert found[index_key(term)] == (tag if term == "context" else body), term


def test_every_term_is_in_the_shards_its_beginnings_read():
    words = [f"{a}{b}{c}" for a in "abc" for b in "abc" for c in ["", "x", "xy", "xyz"]]
    catalog = catalog_of(
        *(paper(f"p{n}", "2025-01-01", abstract=" ".join(words[n:])) for n in range(40))
    )
    outputs = search_outputs(catalog)
    manifest = manifest_of(outputs)
    folder = f"search/{manifest['folder']}/terms"
    for word in words:
        for end in range(2, len(word) + 1):
            shards = [
                json.loads(outputs[f"{folder}/{shard_file(key)}.json"])
                for key in shards_for(manifest["shards"], word[:end])
            ]
            assert any(index_key(word) in shard for shard in shards), (word, end)


def test_papers_are_numbered_by_slug_and_ranked_newest_first():
    catalog = catalog_of(
        paper("old", "2024-01-01", abstract="shared"),
        paper("new", "2025-01-01", abstract="shared", title="Shared title"),
        paper("middle", "2024-06-01", abstract="shared"),
    )
    assert [p.slug for p in catalog.papers] == ["new", "middle", "old"]  # the list
    assert [p.slug for p in numbered(catalog.papers)] == ["middle", "new", "old"]  # numbers
    outputs = search_outputs(catalog)
    assert papers_with(outputs, "shared") == ([1], [0, 2])
    # The result text in the order of the list: the newest results share chunks.
    assert [row[0] for row in result_rows(outputs, CHUNK_SIZE)] == [
        "papers/new/", "papers/middle/", "papers/old/",
    ]  # fmt: skip
    # By number, each paper's place in the list: middle is second, new first, old third.
    assert ranks_of(catalog) == in_folder(outputs, "rank.json") == [1, 0, 2]


def test_a_chunk_holds_a_row_a_line_whatever_the_text():
    tricky = paper(
        "tricky", "2025-01-01", title='Lines\nand "quotes",\n["rows"]', abstract="a,\nb <i>"
    )
    catalog = catalog_of(tricky, paper("plain", "2024-01-01", abstract="Plain."))
    outputs = search_outputs(catalog)
    assert result_rows(outputs, CHUNK_SIZE) == [doc_row(p) for p in catalog.papers]
    for path, data in outputs.items():
        if "/docs/" in path:  # one row a line: newlines in the text are escaped
            assert data.count(b"\n") == len(json.loads(data)) - 1
            assert [json.loads(row) for row in chunk_rows(data)] == json.loads(data)
            assert chunk_bytes(chunk_rows(data)) == data


def test_the_rank_file_is_a_compact_json_list():
    assert rank_bytes([1, 0, 2]) == b"[1,0,2]"
    assert rank_bytes([]) == b"[]"


def test_a_date_edit_changes_the_rank_file_and_the_chunks_of_the_places_it_moves_over():
    papers = [paper(f"p{n}", f"2025-01-{n + 1:02d}", abstract=f"word{n} common") for n in range(9)]
    before = search_outputs(build_catalog(papers, TAGS), chunk_size=4)
    # p3 gets p5's date and goes before it (by slug): no term changes, only the chunk
    # it leaves and the one it joins (and the chunk it began, if it began one).
    moved = [*papers[:3], replace(papers[3], added=date(2025, 1, 6)), *papers[4:]]
    after = search_outputs(build_catalog(moved, TAGS), chunk_size=4)
    assert in_folder(before, "rank.json") == [8, 7, 6, 5, 4, 3, 2, 1, 0]
    assert in_folder(after, "rank.json") == [8, 7, 6, 3, 5, 4, 2, 1, 0]
    old_folder, new_folder = manifest_of(before)["folder"], manifest_of(after)["folder"]
    assert old_folder != new_folder  # the rank file is hashed like the others
    changed = {
        path.removeprefix(f"search/{new_folder}/")
        for path, data in after.items()
        if path != MANIFEST and before.get(path.replace(new_folder, old_folder)) != data
    }
    moved_chunks = chunk_changes(before, after, 4)
    assert changed == {"rank.json", *moved_chunks} and 1 <= len(moved_chunks) <= 3


# --- files -----------------------------------------------------------------------------


def layout_of(outputs: dict[str, bytes], chunk: int) -> list[list[int]]:
    """The document chunks of an index (paper numbers), as the script finds them."""
    rank = in_folder(outputs, "rank.json")
    return chunk_layout(sorted(range(len(rank)), key=rank.__getitem__), chunk)


def result_rows(outputs: dict[str, bytes], chunk: int) -> list[list[str]]:
    """Every paper's result text, in the order of the list."""
    return [
        row for c in layout_of(outputs, chunk) for row in in_folder(outputs, f"docs/{c[0]}.json")
    ]


def chunk_changes(before: dict[str, bytes], after: dict[str, bytes], chunk: int) -> set[str]:
    """The chunk files of ``after`` whose papers differ from ``before``'s."""
    old = {c[0]: c for c in layout_of(before, chunk)}
    return {f"docs/{c[0]}.json" for c in layout_of(after, chunk) if old.get(c[0]) != c}


def expected_files(manifest: dict, rank: list[int]) -> set[str]:
    """Every file the manifest and the rank file lead the script to."""
    folder = f"search/{manifest['folder']}"
    order = sorted(range(len(rank)), key=rank.__getitem__)
    return {
        MANIFEST,
        *(f"{folder}/terms/{shard_file(key)}.json" for key in manifest["shards"]),
        *(f"{folder}/docs/{c[0]}.json" for c in chunk_layout(order, manifest["chunk"])),
        *([f"{folder}/rank.json"] if manifest["docs"] else []),
    }


def test_the_manifest_names_exactly_the_files_written():
    catalog = catalog_of(
        *(paper(f"p{n}", f"2025-01-{n + 1:02d}", abstract=f"word{n} common x") for n in range(5))
    )
    outputs = search_outputs(catalog, chunk_size=2)
    manifest = manifest_of(outputs)
    assert {k: manifest[k] for k in ("version", "docs", "chunk")} == {
        "version": 3, "docs": 5, "chunk": 2,
    }  # fmt: skip
    assert set(outputs) == expected_files(manifest, in_folder(outputs, "rank.json"))
    # Chunks begin at the newest paper and at each paper starts_chunk picks.
    order = [numbered(catalog.papers).index(p) for p in catalog.papers]
    starts = 1 + sum(starts_chunk(number, 2) for number in order[1:])
    assert len([path for path in outputs if "/docs/" in path]) == starts
    assert manifest["shards"] == sorted(manifest["shards"])
    assert {"wo", "co", "ag", "p0", "p4", "x "} <= set(manifest["shards"])


def test_document_chunks_hold_what_a_result_shows():
    catalog = catalog_of(
        paper(
            "many",
            "2025-01-02",
            title="Many authors",
            authors=tuple(f"Author {n}" for n in range(7)),
            organization="Lab",
            abstract="First words.",
        ),
        paper("counted", "2025-01-01", author_count=1, abstract=""),
    )
    outputs = search_outputs(catalog, chunk_size=8)
    rank = in_folder(outputs, "rank.json")
    order = sorted(range(len(rank)), key=rank.__getitem__)
    chunk = [row for c in chunk_layout(order, 8) for row in in_folder(outputs, f"docs/{c[0]}.json")]
    assert chunk == [  # in the order of the list
        [
            "papers/many/",
            "Many authors",
            "Author 0, Author 1, Author 2, Author 3, Author 4 and 2 more · Lab",
            "First words.",
        ],
        ["papers/counted/", "Counted", "1 author", ""],
    ]


def test_the_same_papers_give_byte_identical_files():
    papers = [
        paper(f"p{n}", f"2025-01-{n % 28 + 1:02d}", abstract=f"word{n} common ünïcode 東京")
        for n in range(40)
    ]
    first = search_outputs(build_catalog(papers, TAGS))
    second = search_outputs(build_catalog(list(reversed(papers)), TAGS))
    assert first == second
    assert list(first) == list(second)
    changed = search_outputs(build_catalog([*papers[:-1], paper("p39", "2025-01-01")], TAGS))
    assert manifest_of(changed)["folder"] != manifest_of(first)["folder"]


HOSTILE = '</script><script>alert(1)</script> Tom & Jerry\'s "quoted" \u2028 agents'


def test_hostile_entry_text_stays_data():
    catalog = catalog_of(
        paper(
            "hostile",
            "2025-01-01",
            title=HOSTILE,
            authors=("<img src=x onerror=alert(2)>",),
            organization="R&D <Lab>",
            abstract=HOSTILE,
        )
    )
    outputs = search_outputs(catalog)
    for path, data in outputs.items():
        assert b"<" not in data and b">" not in data and b"&" not in data, path
    [chunk] = [json.loads(data) for path, data in outputs.items() if "/docs/" in path]
    assert chunk == [
        ["papers/hostile/", HOSTILE, "<img src=x onerror=alert(2)> · R&D <Lab>", HOSTILE]
    ]
    assert papers_with(outputs, "script") == ([0], [])  # indexed as words, like any text
    assert papers_with(outputs, "onerror") == ([0], [])


def test_an_empty_list_has_a_manifest_and_nothing_else():
    outputs = search_outputs(catalog_of())
    assert list(outputs) == [MANIFEST]
    manifest = manifest_of(outputs)
    assert (manifest["docs"], manifest["shards"]) == (0, [])


# --- writing ---------------------------------------------------------------------------


def written(site: Path) -> set[str]:
    return {str(path.relative_to(site)) for path in site.rglob("*") if path.is_file()}


def test_writing_an_index_replaces_the_one_before(tmp_path: Path):
    other = tmp_path / "search" / "search_index.json"  # material's search, say
    other.parent.mkdir(parents=True)
    other.write_text("{}", encoding="utf-8")
    old = search_outputs(catalog_of(paper("old", "2024-01-01", abstract="before")))
    assert write_index(tmp_path, old) == len(old)
    assert written(tmp_path) == {*old, "search/search_index.json"}

    new = search_outputs(catalog_of(paper("new", "2025-01-01", abstract="after")))
    assert write_index(tmp_path, new) == len(new)
    assert written(tmp_path) == {*new, "search/search_index.json"}  # the old folder is gone
    assert write_index(tmp_path, new) == 0  # unchanged: nothing written


# --- patching --------------------------------------------------------------------------

# Words for random entries: shared beginnings (so two-character groups hold many terms
# and split under a small limit), one- and two-character words, digits, non-ASCII.
STEMS = [
    "co",
    "con",
    "cont",
    "tra",
    "pre",
    "pr",
    "de",
    "x",
    "q",
    "4",
    "café",
    "東京",
    "οδ",
    "straß",
]
ENDS = ["", "a", "e", "ing", "ext", "ion", "ive", "s", "ö", "学", "42"]
NAMES = ["Ada Lovelace", "Alan Turing", "Émile Borel", "Grace Hopper", "李 雷", "Ἀρχιμήδης"]


def words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(STEMS) + rng.choice(ENDS) for _ in range(count))


def random_paper(rng: random.Random, n: int) -> Paper:
    return paper(
        f"p{n}",
        (date(2024, 1, 1) + timedelta(days=n)).isoformat(),
        title=f"P{n} {words(rng, 3)}",
        authors=tuple(rng.sample(NAMES, rng.randrange(3))),
        author_count=rng.choice([None, 3]),
        organization=rng.choice([None, "Contoso Lab"]),
        tags=tuple(rng.sample(sorted(TAGS), rng.randrange(1, 3))),
        abstract=words(rng, rng.randrange(0, 40)),
        notes=rng.choice(["", words(rng, 8)]),
    )


def edited(rng: random.Random, old: Paper, fresh: str) -> Paper:
    """``old`` with one to three random edits of content fields or its date, which
    moves it in the list (``fresh``: a word no paper has had)."""
    new = old
    for _ in range(rng.randrange(1, 4)):
        body = new.abstract.split()
        kind = rng.randrange(10)
        if kind == 0:  # a new sentence, with a brand-new term
            new = replace(new, abstract=f"{new.abstract} {words(rng, 5)} {fresh}.")
        elif kind == 1 and body:  # words go (some of them held by no other paper)
            new = replace(new, abstract=" ".join(rng.sample(body, len(body) // 2)))
        elif kind == 2:
            new = replace(new, abstract=words(rng, rng.randrange(0, 40)))
        elif kind == 3:
            new = replace(new, notes=rng.choice(["", words(rng, 6), f"*{fresh}x* ünïcödé"]))
        elif kind == 4 and body:  # an author named like a body word: it turns strong
            new = replace(new, authors=(*new.authors, f"{rng.choice(body)} Fresh"))
        elif kind == 5 and new.authors:  # an author goes: their words may turn body
            new = replace(new, authors=new.authors[1:])
        elif kind == 6:
            new = replace(new, author_count=rng.choice([None, 1, 7]))
        elif kind == 7:
            links = replace(new.links, pdf=f"https://example.org/{fresh}.pdf", code=None)
            new = replace(new, links=links)
        elif kind == 8:
            new = replace(new, authors=tuple(rng.sample(NAMES, rng.randrange(4))))
        else:
            new = replace(new, added=date(2024, 1, 1) + timedelta(days=rng.randrange(100)))
    return new


def site_files(site: Path) -> dict[str, bytes]:
    return {
        path.relative_to(site).as_posix(): path.read_bytes()
        for path in sorted(site.rglob("*"))
        if path.is_file()
    }


def chunk_with(catalog: Catalog, number: int, size: int) -> list[int]:
    """The numbers of the papers in the document chunk of paper ``number`` (about
    ``size`` papers): chunks hold the papers in the order of the list."""
    ranks = ranks_of(catalog)
    order = sorted(range(len(ranks)), key=ranks.__getitem__)
    return next(chunk for chunk in chunk_layout(order, size) if number in chunk)


def patch_site(
    site: Path,
    staging: Path,
    old: Catalog,
    new_papers: dict[int, Paper],
    known: dict[str, object] | None = None,
) -> tuple[IndexPatch | None, list[list[int]]]:
    """Patch the index in ``site`` for ``old`` with the papers at those numbers
    replaced, staged in ``staging``; and what ``papers_at`` was asked for."""
    before = numbered(old.papers)
    current = [new_papers.get(number, p) for number, p in enumerate(before)]
    asked: list[list[int]] = []

    def papers_at(numbers: Sequence[int]) -> list[Paper]:
        asked.append(list(numbers))
        return [current[number] for number in numbers]

    changes = [(number, before[number], new) for number, new in sorted(new_papers.items())]
    ranks = ranks_of(build_catalog(current, old.tags))
    patch = patch_index(site, changes, old.tags, papers_at, ranks, known)
    if patch is not None:
        staging.mkdir()
        write_patch(patch, site, staging)
    return patch, asked


def merge(staging: Path, site: Path) -> None:
    """What ``papershelf.site.publish.publish`` does with a staged index: a new folder moves
    in and the old one goes; a folder of the same name stays as it is."""
    for folder in (staging / "search").iterdir():
        if folder.is_dir() and not (site / "search" / folder.name).exists():
            folder.rename(site / "search" / folder.name)
    (staging / MANIFEST).replace(site / MANIFEST)
    for folder in (site / "search").iterdir():
        if folder.is_dir() and folder.name != manifest_of(site_files(site))["folder"]:
            shutil.rmtree(folder)


def check_patch(site: Path, staging: Path, patch: IndexPatch, expected: dict[str, bytes]) -> None:
    """The staged index is, file for file, what a full build of the new catalog gives."""
    before = site_files(site)
    old_folder = f"search/{patch.previous_folder}/"
    old = {
        path.removeprefix(old_folder): data
        for path, data in before.items()
        if path.startswith(old_folder)
    }
    new_folder = f"search/{manifest_of(expected)['folder']}/"
    new = {
        path.removeprefix(new_folder): data
        for path, data in expected.items()
        if path.startswith(new_folder)
    }
    assert patch.manifest == expected[MANIFEST]
    assert patch.folder == manifest_of(expected)["folder"]
    assert patch.files == {path: data for path, data in new.items() if old.get(path) != data}
    assert set(patch.kept) == {path for path, data in new.items() if old.get(path) == data}
    assert set(patch.removed) == set(old) - set(new)
    if patch.folder == patch.previous_folder:
        assert site_files(staging) == {MANIFEST: expected[MANIFEST]}
        assert [entry.name for entry in (staging / "search").iterdir() if entry.is_dir()] == [
            patch.folder
        ]
        assert not any((staging / "search" / patch.folder).iterdir())
    else:
        assert site_files(staging) == expected


@pytest.mark.parametrize("seed", range(8))
def test_a_patched_index_is_the_index_of_the_edited_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
):
    monkeypatch.setattr(search_module, "SHARD_LIMIT", 300)  # many groups split
    rng = random.Random(seed)
    papers = [random_paper(rng, n) for n in range(rng.randrange(30, 61))]
    catalog = build_catalog(papers, TAGS)
    site = tmp_path / "site"
    write_index(site, search_outputs(catalog, chunk_size=4))
    shards_seen = set(manifest_of(site_files(site))["shards"])
    for round_ in range(6):  # each round patches the index the one before patched
        numbers = rng.sample(range(len(papers)), rng.choice([1, 1, 2, 5]))
        before = numbered(catalog.papers)
        fresh = {n: edited(rng, before[n], f"neu{seed}r{round_}n{n}") for n in numbers}
        staging = tmp_path / f"staging{round_}"
        # The chunks the edited papers were in, nothing else, are checked.
        checked = {tuple(chunk_with(catalog, n, 4)) for n in numbers}
        patch, asked = patch_site(site, staging, catalog, fresh)
        assert patch is not None
        assert sorted(map(tuple, asked)) == sorted(checked)
        catalog = build_catalog([fresh.get(n, p) for n, p in enumerate(before)], TAGS)
        expected = search_outputs(catalog, chunk_size=4)
        check_patch(site, staging, patch, expected)
        merge(staging, site)
        assert site_files(site) == expected
        shards_seen |= set(manifest_of(expected)["shards"])
    assert any(len(key) > 2 and key[2] != " " for key in shards_seen)  # groups were split


def test_an_index_is_patched_from_few_files(tmp_path: Path):
    rng = random.Random(7)
    papers = [random_paper(rng, n) for n in range(60)]
    catalog = build_catalog(papers, TAGS)
    site = tmp_path / "site"
    write_index(site, search_outputs(catalog, chunk_size=4))
    old = numbered(catalog.papers)[13]
    new = replace(old, abstract=f"{old.abstract} zebrafish")
    patch, asked = patch_site(site, tmp_path / "staging", catalog, {13: new})
    assert patch is not None
    assert asked == [chunk_with(catalog, 13, 4)]
    chunk = chunk_with(catalog, 13, 4)[0]
    assert set(patch.files) == {f"docs/{chunk}.json", f"terms/{shard_file('ze')}.json"}
    assert patch.removed == ()
    assert papers_with(site_files(tmp_path / "staging"), "zebrafish") == ([], [13])


def group_size(catalog: Catalog, group: str) -> int:
    """The smallest shard limit under which ``group``'s terms stay in one shard."""
    terms = {
        term: encoded_lists(lists)
        for term, lists in postings(catalog).items()
        if term.startswith(group)
    }
    return next(limit for limit in range(1, 10_000) if len(split_shards(terms, limit)) == 1)


@pytest.mark.parametrize("direction", ["splits", "merges"])
def test_a_group_crossing_the_shard_limit_is_split_as_a_build_splits_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, direction: str
):
    papers = [
        paper(f"p{n}", f"2025-01-{n + 1:02d}", abstract=f"zqa{n} zqb zqc{n % 3} z zq other")
        for n in range(12)
    ]
    small = build_catalog(papers, TAGS)
    fifth = numbered(small.papers)[5]
    edited_paper = replace(fifth, abstract=f"{fifth.abstract} zqdelta zqe")
    big = build_catalog([edited_paper if p is fifth else p for p in small.papers], TAGS)
    monkeypatch.setattr(search_module, "SHARD_LIMIT", group_size(small, "zq"))
    before, after = (small, big) if direction == "splits" else (big, small)
    site = tmp_path / "site"
    write_index(site, search_outputs(before))
    patch, _ = patch_site(site, tmp_path / "staging", before, {5: numbered(after.papers)[5]})
    assert patch is not None
    expected = search_outputs(after)
    check_patch(site, tmp_path / "staging", patch, expected)
    split = {key for key in manifest_of(search_outputs(big))["shards"] if key.startswith("zq")}
    assert len(split) > 2 and "zq" not in split  # the limit is crossed
    now = {key for key in manifest_of(expected)["shards"] if key.startswith("zq")}
    assert now == (split if direction == "splits" else {"zq"})
    gone = {"zq"} if direction == "splits" else split
    assert set(patch.removed) == {f"terms/{shard_file(key)}.json" for key in gone}


def test_a_term_moves_between_the_strong_and_the_body_list(tmp_path: Path):
    catalog = catalog_of(
        paper("one", "2025-01-02", abstract="Hopper wrote compilers."),
        paper("two", "2025-01-01", authors=("Grace Hopper",), abstract="Compilers."),
    )
    site = tmp_path / "site"
    write_index(site, search_outputs(catalog))
    assert papers_with(site_files(site), "hopper") == ([1], [0])
    moved = {
        0: replace(numbered(catalog.papers)[0], authors=("Grace Hopper",)),  # body -> strong
        1: replace(numbered(catalog.papers)[1], authors=(), abstract="Hopper, compilers."),
    }
    patch, _ = patch_site(site, tmp_path / "staging", catalog, moved)
    assert patch is not None
    staged = site_files(tmp_path / "staging")
    assert papers_with(staged, "hopper") == ([0], [1])
    assert papers_with(staged, "grace") == ([0], [])
    assert staged == search_outputs(catalog_of(*moved.values()))


def test_an_edit_of_nothing_searchable_keeps_the_folder(tmp_path: Path):
    catalog = catalog_of(
        paper("one", "2025-01-02", authors=("Ada Lovelace",), abstract="Notes on engines."),
        paper("two", "2025-01-01", abstract="Other words."),
    )
    site = tmp_path / "site"
    write_index(site, search_outputs(catalog))
    before = site_files(site)
    old = numbered(catalog.papers)[0]
    links = replace(old.links, code="https://example.org/code", pdf="https://example.org/a.pdf")
    new = replace(old, links=links, author_count=9, notes="Engines.")  # "engines": body already
    patch, _ = patch_site(site, tmp_path / "staging", catalog, {0: new})
    assert patch is not None
    assert (patch.folder, patch.files, patch.removed) == (patch.previous_folder, {}, ())
    assert patch.manifest == before[MANIFEST]
    assert set(patch.kept) == {path.split("/", 2)[2] for path in before if path != MANIFEST}
    check_patch(
        site,
        tmp_path / "staging",
        patch,
        search_outputs(catalog_of(new, numbered(catalog.papers)[1])),
    )
    assert write_patch(patch, site, tmp_path / "again") == 1  # only the manifest


def test_kept_files_are_hard_links_of_the_site_s_files(tmp_path: Path):
    catalog = catalog_of(
        *(paper(f"p{n}", f"2025-01-{n + 1:02d}", abstract=f"w{n} shared") for n in range(20))
    )
    site = tmp_path / "site"
    write_index(site, search_outputs(catalog, chunk_size=4))
    new = replace(numbered(catalog.papers)[2], abstract="brand new words")
    patch, _ = patch_site(site, tmp_path / "staging", catalog, {2: new})
    assert patch is not None and patch.folder != patch.previous_folder and patch.kept
    for path in patch.kept:
        staged = tmp_path / "staging" / "search" / patch.folder / path
        original = site / "search" / patch.previous_folder / path
        assert staged.stat().st_ino == original.stat().st_ino, path
    for path in patch.files:
        assert (tmp_path / "staging" / "search" / patch.folder / path).stat().st_nlink == 1


def test_kept_files_are_copied_where_links_fail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    catalog = catalog_of(
        *(paper(f"p{n}", f"2025-01-{n + 1:02d}", abstract=f"w{n} shared") for n in range(20))
    )
    site = tmp_path / "site"
    write_index(site, search_outputs(catalog, chunk_size=4))
    papers = numbered(catalog.papers)
    new = replace(papers[2], abstract="brand new words")
    patch = patch_index(
        site,
        [(2, papers[2], new)],
        TAGS,
        lambda numbers: [new if number == 2 else papers[number] for number in numbers],
        ranks_of(catalog),
    )
    assert patch is not None

    def no_links(source: object, target: object) -> None:
        raise OSError("cross-device link")

    monkeypatch.setattr(search_patch.os, "link", no_links)
    count = write_patch(patch, site, tmp_path / "staging")
    assert count == len(patch.kept) + len(patch.files) + 1
    expected = search_outputs(
        build_catalog([new if p is papers[2] else p for p in catalog.papers], TAGS),
        chunk_size=4,
    )
    assert site_files(tmp_path / "staging") == expected


def small_site(tmp_path: Path) -> tuple[Path, Catalog, dict[int, Paper]]:
    catalog = catalog_of(
        paper("one", "2025-01-02", abstract="first words"),
        paper("two", "2025-01-01", abstract="second words"),
    )
    site = tmp_path / "site"
    write_index(site, search_outputs(catalog))
    return site, catalog, {1: replace(numbered(catalog.papers)[1], abstract="changed words")}


def index_file(site: Path, prefix: str) -> Path:
    folder = manifest_of(site_files(site))["folder"]
    return next((site / "search" / folder).glob(f"{prefix}*"))


@pytest.mark.parametrize(
    "damage",
    [
        "no manifest",
        "unreadable manifest",
        "other version",
        "no folder",
        "missing shard",
        "cut-off shard",
        "changed document chunk",
        "missing rank file",
        "rank file not a list",
        "rank file of another length",
        "rank file out of order",
        "not the old paper",
    ],
)
def test_an_index_that_cannot_be_patched_gives_none(tmp_path: Path, damage: str):
    site, catalog, edit = small_site(tmp_path)
    manifest = site / MANIFEST
    if damage == "no manifest":
        manifest.unlink()
    elif damage == "unreadable manifest":
        manifest.write_bytes(b'{"version": 1, ')
    elif damage == "other version":  # version 2 had no stems and two lists a word
        manifest.write_bytes(manifest.read_bytes().replace(b'"version":3', b'"version":2'))
    elif damage == "no folder":
        shutil.rmtree(site / "search" / manifest_of(site_files(site))["folder"])
    elif damage == "missing shard":
        index_file(site, f"terms/{shard_file('se')}").unlink()  # "second" leaves "se"
    elif damage == "cut-off shard":
        shard = index_file(site, f"terms/{shard_file('wo')}")  # "words" stays: read to hash
        shard.write_bytes(shard.read_bytes()[:-1])
    elif damage == "changed document chunk":
        chunk = index_file(site, "docs/0")
        chunk.write_bytes(chunk.read_bytes().replace(b"second", b"Second"))
    elif damage == "missing rank file":
        index_file(site, "rank.json").unlink()
    elif damage == "rank file not a list":
        index_file(site, "rank.json").write_bytes(b'{"0":0,"1":1}')
    elif damage == "rank file of another length":
        index_file(site, "rank.json").write_bytes(b"[0]")
    elif damage == "rank file out of order":  # its shape is right, its hash is not
        index_file(site, "rank.json").write_bytes(b"[1,0]")
    else:
        catalog = catalog_of(catalog.papers[0], replace(catalog.papers[1], abstract="other"))
    patch, _ = patch_site(site, tmp_path / "staging", catalog, edit)
    assert patch is None
    assert not (tmp_path / "staging").exists()


def test_a_date_edit_that_reorders_the_list_is_patched_in_the_rank_file_and_chunks(
    tmp_path: Path,
):
    catalog = catalog_of(
        *(paper(f"p{n}", f"2025-01-{n + 1:02d}", abstract=f"w{n} shared") for n in range(20))
    )
    site = tmp_path / "site"
    write_index(site, search_outputs(catalog, chunk_size=4))
    before = site_files(site)
    oldest = numbered(catalog.papers)[0]  # p0, added first: last in the list
    moved = replace(oldest, added=date(2025, 3, 1))  # now the newest
    patch, asked = patch_site(site, tmp_path / "staging", catalog, {0: moved})
    assert patch is not None
    new_catalog = catalog_of(moved, *catalog.papers[:-1])
    assert new_catalog.papers[0] is moved
    expected = search_outputs(new_catalog, chunk_size=4)
    check_patch(site, tmp_path / "staging", patch, expected)
    # No term changed; p0 went from the last place to the first, over every other
    # paper: only the chunk it left and the one it joined change (chunks begin at
    # papers, not at places).
    moved_chunks = chunk_changes(before, expected, 4)
    assert set(patch.files) == {"rank.json", *moved_chunks} and len(moved_chunks) <= 3
    assert patch.folder != patch.previous_folder
    assert asked == [chunk_with(catalog, 0, 4)]  # the chunk p0 was in, checked
    assert in_folder(before, "rank.json")[0] == 19
    assert in_folder(expected, "rank.json")[0] == 0
    merge(tmp_path / "staging", site)
    assert site_files(site) == expected


def test_patching_with_ranks_of_another_length_is_the_caller_s_mistake(tmp_path: Path):
    site, catalog, edit = small_site(tmp_path)
    [(number, new)] = edit.items()
    papers = numbered(catalog.papers)
    for ranks in ([0], [0, 1, 2], [0, 0]):
        with pytest.raises(ValueError, match="ranks"):
            patch_index(
                site,
                [(number, papers[number], new)],
                TAGS,
                lambda numbers: [papers[n] for n in numbers],
                ranks,
            )


def test_a_change_may_not_rename_a_paper(tmp_path: Path):
    site, catalog, _ = small_site(tmp_path)
    old = numbered(catalog.papers)[1]
    renamed = replace(old, slug="three")
    with pytest.raises(ValueError, match="renames"):
        patch_index(site, [(1, old, renamed)], TAGS, lambda numbers: [renamed], [0, 1])


def test_field_texts_need_only_the_vocabulary():
    entry = paper("one", "2025-01-01", title="T", authors=("A B",), tags=("agents", "unknown"))
    assert field_texts(entry, TAGS)[:3] == ("T", "A B\n", "agents\nAgents & tools\nunknown")


# --- builds ----------------------------------------------------------------------------


def test_a_build_writes_the_index_from_the_catalog(project: Project):
    project.paper(
        "one",
        """\
        title: One
        authors: [Ada Lovelace]
        organization: Lab
        added: 2025-01-02
        tags: [agents]
        abstract: Searchable words.
        """,
    )
    project.paper("two", "title: Two\nadded: 2025-01-01\ntags: [agents]\n")
    result = project.build()
    assert result.returncode == 0, result.stderr
    manifest = json.loads((project.site / MANIFEST).read_bytes())
    assert manifest["docs"] == 2
    site_files = written(project.site)
    index_files = {path for path in site_files if path.startswith("search/")}
    rank = json.loads((project.site / "search" / manifest["folder"] / "rank.json").read_bytes())
    expected = expected_files(manifest, rank) | {"search/search_index.json"}  # + material's
    assert index_files == expected
    assert not any("pagefind" in path for path in site_files)
    assert "pagefind" not in project.html("papers/one")


def test_a_build_writes_the_index_even_for_an_empty_list(project: Project):
    result = project.build()
    assert result.returncode == 0, result.stderr
    assert json.loads((project.site / MANIFEST).read_bytes())["docs"] == 0


def test_the_search_index_can_be_switched_off(project: Project):
    config = project.root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("      home_recent: 5\n", "      home_recent: 5\n      search_index: false\n"),
        encoding="utf-8",
    )
    project.paper("one", "title: One\nadded: 2025-01-02\ntags: [agents]\n")
    result = project.build()
    assert result.returncode == 0, result.stderr
    assert not (project.site / MANIFEST).exists()
    assert {p.name for p in (project.site / "search").iterdir()} == {"search_index.json"}


def build_in_process(project: Project, command: str) -> Path:
    """Build as ``command`` would, in this process (so its helpers can be watched)."""
    config = load_config(str(project.root / "mkdocs.yml"), site_dir=str(project.site))
    config.plugins.on_startup(command=command, dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()  # under serve: waits for the background index
    return project.site


def test_a_build_writes_the_index_in_a_forked_helper(
    project: Project, monkeypatch: pytest.MonkeyPatch
):
    project.paper("one", "title: One\nadded: 2025-01-02\ntags: [agents]\n")
    helpers = []
    real_helper = plugin_module.ForkedTask

    def counting_helper(work, name="helper"):
        helpers.append(work)
        return real_helper(work, name)

    monkeypatch.setattr(plugin_module, "ForkedTask", counting_helper)
    site = build_in_process(project, "build")
    assert len(helpers) == 1
    assert json.loads((site / MANIFEST).read_bytes())["docs"] == 1


def test_mkdocs_serve_writes_the_index_in_the_background_without_forking(
    project: Project, monkeypatch: pytest.MonkeyPatch
):
    project.paper("one", "title: One\nadded: 2025-01-02\ntags: [agents]\n")
    monkeypatch.setattr(plugin_module, "ForkedTask", pytest.fail)  # threads run under serve
    site = build_in_process(project, "serve")
    assert json.loads((site / MANIFEST).read_bytes())["docs"] == 1


def test_a_patch_reads_only_the_files_it_changes_when_the_last_build_recorded_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    rng = random.Random(3)
    catalog = build_catalog([random_paper(rng, n) for n in range(40)], TAGS)
    site = tmp_path / "site"
    outputs, folder, digests = build_index(catalog, chunk_size=4)
    write_index(site, outputs)
    assert folder is not None
    assert digests == {  # every file but the manifest, hashed once with the build
        path.removeprefix(f"search/{folder}/"): file_digest(data)
        for path, data in outputs.items()
        if path != MANIFEST
    }
    known = known_files(site, folder, digests)
    read: list[str] = []
    real_read = search_patch._read

    def counting_read(path):
        read.append(str(path).split(f"{folder}/", 1)[-1])
        return real_read(path)

    monkeypatch.setattr(search_patch, "_read", counting_read)
    old = numbered(catalog.papers)[7]
    new = replace(old, abstract=f"{old.abstract} zebrafish")
    patch, _ = patch_site(site, tmp_path / "staging", catalog, {7: new}, known)
    assert patch is not None
    edited = build_catalog([new if p is old else p for p in catalog.papers], TAGS)
    expected, _, expected_digests = build_index(edited, chunk_size=4)
    check_patch(site, tmp_path / "staging", patch, expected)
    assert patch.digests == expected_digests
    # The manifest, rank.json, the paper's chunk and the shards of "ze": nothing else.
    of_index = [path for path in read if not path.endswith("index.json")]
    assert [path for path in of_index if path.startswith("docs/")] == [
        f"docs/{chunk_with(catalog, 7, 4)[0]}.json"
    ]
    assert all(
        path == "rank.json" or path.startswith(("docs/", f"terms/{shard_file('ze')}"))
        for path in of_index
    )

    # Without the record, with the record of another folder or one that is not a
    # record, every file is read.
    damaged = {path: "not a record" for path in digests}
    others = [None, {**known, "folder": "0" * 16}, {"folder": folder, "files": [1]}]
    for n, other in enumerate([*others, {"folder": folder, "files": damaged}]):
        read.clear()
        patch, _ = patch_site(site, tmp_path / f"staging{n}", catalog, {7: new}, other)
        assert patch is not None
        assert len({path for path in read if not path.endswith("index.json")}) == len(digests)


def test_a_file_changed_behind_the_record_is_read_and_a_damaged_one_refused(tmp_path: Path):
    catalog = catalog_of(
        *(paper(f"p{n}", f"2025-01-{n + 1:02d}", abstract=f"w{n}") for n in range(9))
    )
    site = tmp_path / "site"
    outputs, folder, digests = build_index(catalog, chunk_size=4)
    write_index(site, outputs)
    assert folder is not None
    known = known_files(site, folder, digests)
    new = replace(numbered(catalog.papers)[0], abstract="w0 quokka")
    shard = next(path for path in sorted(digests) if path.startswith(f"terms/{shard_file('w1')}"))
    target = site / "search" / folder / shard
    target.write_bytes(target.read_bytes() + b" ")  # grown by a bad write: another size
    patch, _ = patch_site(site, tmp_path / "staging", catalog, {0: new}, known)
    assert patch is None  # read again, it is not the file the folder was named for

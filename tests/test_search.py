"""The search index (papershelf.search): terms, shards, postings, files, builds.

What the script reads is decoded here in Python, the way papershelf.js decodes it;
that the script finds papers with it is proven in Chromium (tests/browser/).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from papershelf import plugin as plugin_module
from papershelf.catalog import Catalog, build_catalog
from papershelf.model import Paper, Tag
from papershelf.search import (
    MANIFEST,
    decode_postings,
    encode_postings,
    gap_codes,
    postings,
    search_outputs,
    shard_file,
    shard_key,
    shards_for,
    split_shards,
    term_set,
    tokens,
    write_index,
)
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


def papers_with(outputs: dict[str, bytes], term: str) -> tuple[list[int], list[int]]:
    """(strong, body) paper numbers of one indexed term, found as the script finds them."""
    manifest = manifest_of(outputs)
    [key] = [key for key in shards_for(manifest["shards"], term) if (term + " ").startswith(key)]
    shard = json.loads(outputs[f"search/{manifest['folder']}/terms/{shard_file(key)}.json"])
    strong, body = shard[term]
    return decode_postings(strong), decode_postings(body)


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


def test_strong_fields_are_title_authors_organisation_and_tags():
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
    for term in ["agents", "zebrafish", "ada", "lovelace", "deepmind", "long", "context"]:
        assert found[term] == ([0], []), term  # "agents" is in the abstract too: strong wins
    for term in ["swim", "larval", "fish", "section", "4"]:
        assert found[term] == ([], [0]), term


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
            assert any(word in shard for shard in shards), (word, end)


def test_papers_are_numbered_newest_first():
    catalog = catalog_of(
        paper("old", "2024-01-01", abstract="shared"),
        paper("new", "2025-01-01", abstract="shared", title="Shared title"),
        paper("middle", "2024-06-01", abstract="shared"),
    )
    assert [p.slug for p in catalog.papers] == ["new", "middle", "old"]
    assert papers_with(search_outputs(catalog), "shared") == ([0], [1, 2])


# --- files -----------------------------------------------------------------------------


def expected_files(manifest: dict) -> set[str]:
    """Every file the manifest leads the script to."""
    folder = f"search/{manifest['folder']}"
    chunks = -(-manifest["docs"] // manifest["chunk"])
    return {
        MANIFEST,
        *(f"{folder}/terms/{shard_file(key)}.json" for key in manifest["shards"]),
        *(f"{folder}/docs/{n}.json" for n in range(chunks)),
    }


def test_the_manifest_names_exactly_the_files_written():
    catalog = catalog_of(
        *(paper(f"p{n}", f"2025-01-{n + 1:02d}", abstract=f"word{n} common x") for n in range(5))
    )
    outputs = search_outputs(catalog, chunk_size=2)
    manifest = manifest_of(outputs)
    assert {k: manifest[k] for k in ("version", "docs", "chunk")} == {
        "version": 1, "docs": 5, "chunk": 2,
    }  # fmt: skip
    assert set(outputs) == expected_files(manifest)
    assert len([path for path in outputs if "/docs/" in path]) == 3  # 2 + 2 + 1 papers
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
    [chunk] = [json.loads(data) for path, data in outputs.items() if "/docs/" in path]
    assert chunk == [
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
    assert index_files == expected_files(manifest) | {"search/search_index.json"}  # + material's
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
    real_helper = plugin_module.Helper

    def counting_helper(work, name="helper"):
        helpers.append(work)
        return real_helper(work, name)

    monkeypatch.setattr(plugin_module, "Helper", counting_helper)
    site = build_in_process(project, "build")
    assert len(helpers) == 1
    assert json.loads((site / MANIFEST).read_bytes())["docs"] == 1


def test_mkdocs_serve_writes_the_index_in_the_background_without_forking(
    project: Project, monkeypatch: pytest.MonkeyPatch
):
    project.paper("one", "title: One\nadded: 2025-01-02\ntags: [agents]\n")
    monkeypatch.setattr(plugin_module, "Helper", pytest.fail)  # threads run under serve
    site = build_in_process(project, "serve")
    assert json.loads((site / MANIFEST).read_bytes())["docs"] == 1

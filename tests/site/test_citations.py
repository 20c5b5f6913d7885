"""How a paper is cited: keys, BibTeX read back by a BibTeX parser, CSL-JSON checked
against the CSL schema and rendered by a CSL processor."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import bibtexparser
import jsonschema
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors
from pylatexenc.latex2text import LatexNodes2Text

from papershelf.entries.model import Links, Paper
from papershelf.site.citations import (
    bibtex_entry,
    bibtex_file,
    citation_keys,
    csl_item,
    csl_name,
    latex_text,
)

CSL_SCHEMA = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "csl" / "csl-data.json").read_text("utf-8")
)


def paper(slug: str, **fields: object) -> Paper:
    values: dict[str, object] = {
        "slug": slug,
        "title": "Attention Is All You Need",
        "added": date(2025, 1, 1),
        "tags": ("llm",),
        "authors": ("Ashish Vaswani", "Noam Shazeer"),
        "published": date(2017, 6, 12),
        "abstract": "The dominant sequence transduction models...",
        "links": Links(arxiv="1706.03762"),
    }
    values.update(fields)
    return Paper(**values)  # type: ignore[arg-type]


def parsed(text: str) -> bibtexparser.Library:
    """``text`` as a BibTeX parser reads it: fields decoded from LaTeX, authors split
    (braces keep "{Smith and Wesson}" one name) and each decoded."""
    library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors()])
    assert not library.failed_blocks
    names = {entry.key: entry.fields_dict.pop("author", None) for entry in library.entries}
    library = LatexDecodingMiddleware().transform(library)
    for entry in library.entries:
        if names[entry.key] is not None:
            entry["author"] = [LatexNodes2Text().latex_to_text(n) for n in names[entry.key].value]
    return library


def test_a_key_is_surname_year_and_first_telling_title_word():
    assert citation_keys([paper("a")]) == {"a": "vaswani2017attention"}
    assert citation_keys([paper("b", title="On the Origin of Species", authors=())]) == {
        "b": "anon2017origin"
    }
    org = paper("c", authors=(), author_count=3, organization="Allen AI")
    assert citation_keys([org]) == {"c": "allenai2017attention"}
    assert citation_keys([paper("d", authors=("Laurens van der Maaten",))]) == {
        "d": "vandermaaten2017attention"
    }


def test_clashing_keys_stay_stable_the_first_added_keeps_the_plain_key():
    old = paper("z-old", added=date(2024, 1, 1))
    new = paper("a-new", added=date(2025, 1, 1))
    assert citation_keys([new, old]) == {
        "z-old": "vaswani2017attention",
        "a-new": "vaswani2017attentionb",
    }
    newer = paper("m-newer", added=date(2026, 1, 1))
    keys = citation_keys([new, old, newer])
    assert keys["z-old"] == "vaswani2017attention" and keys["a-new"] == "vaswani2017attentionb"
    assert len(set(keys.values())) == 3


def test_a_suffixed_key_never_takes_another_papers_plain_key():
    papers = [
        paper("x1", title="Deep nets", added=date(2024, 1, 1)),
        paper("x2", title="Deep nets", added=date(2024, 1, 2)),
        paper("x3", title="Deepb nets", added=date(2024, 1, 3)),  # base "...deepb"
    ]
    keys = citation_keys(papers)
    assert len(set(keys.values())) == 3
    assert keys["x3"] == "vaswani2017deepb"


def test_bibtex_reads_back_as_the_paper_through_a_bibtex_parser():
    hostile = paper(
        "h",
        title="Tülu 3: 50% & more_{x} </code><script>",
        authors=("Émile Zola", "Smith and Wesson", "Kim, J."),
        organization="AT&T",
    )
    [entry] = parsed(bibtex_entry(hostile, "zola2017tulu")).entries
    assert entry.entry_type == "misc" and entry.key == "zola2017tulu"
    assert entry["title"].strip("{}") == hostile.title
    assert entry["author"] == ["Émile Zola", "Smith and Wesson", "Kim, J."]
    assert (entry["eprint"], entry["archiveprefix"]) == ("1706.03762", "arXiv")
    assert (entry["year"], entry["month"], entry["date"]) == ("2017", "6", "2017-06-12")
    assert entry["url"] == "https://arxiv.org/abs/1706.03762"
    assert entry["organization"] == "AT&T"
    assert entry["keywords"] == "llm"


def test_special_characters_are_escaped_by_pylatexenc_and_plain_text_left_alone():
    assert latex_text("Plain words, (and) numbers 1-2.") == "Plain words, (and) numbers 1-2."
    assert latex_text("50% & $5 #1 a_b") == r"50{\%} {\&} {\$}5 {\#}1 a{\_}b"
    assert latex_text("Tülu") == r"T{\"u}lu"
    assert latex_text("東京") == "東京"  # no LaTeX name: kept as UTF-8 (biber reads it)


def test_names_are_never_invented_a_count_says_so_in_note():
    counted = paper("c", authors=(), author_count=12)
    [entry] = parsed(bibtex_entry(counted, "anon2017attention")).entries
    assert "author" not in entry.fields_dict
    assert entry["note"] == "12 authors"
    item = csl_item(counted, "anon2017attention")
    assert "author" not in item and item["note"] == "12 authors"


def test_a_doi_paper_carries_its_doi_and_a_list_file_holds_every_entry():
    doi = paper("d", links=Links(doi="10.1000/xyz123"), title="Another paper")
    papers = [paper("a"), doi]
    keys = citation_keys(papers)
    library = parsed(bibtex_file(papers, keys))
    assert [entry.key for entry in library.entries] == [keys["a"], keys["d"]]
    assert library.entries[1]["doi"] == "10.1000/xyz123"
    assert library.entries[1]["url"] == "https://doi.org/10.1000/xyz123"


def test_csl_json_follows_the_csl_data_schema():
    papers = [
        paper("a"),
        paper("b", authors=(), author_count=2, published=None, links=Links()),
        paper("c", authors=("Plato", "Laurens van der Maaten"), links=Links(doi="10.1/x")),
    ]
    keys = citation_keys(papers)
    items = [csl_item(p, keys[p.slug], f"https://example.org/papers/{p.slug}/") for p in papers]
    jsonschema.validate(items, CSL_SCHEMA)
    assert items[0]["issued"] == {"date-parts": [[2017, 6, 12]]}
    assert items[0]["number"] == "arXiv:1706.03762" and items[0]["publisher"] == "arXiv"
    assert items[1]["URL"] == "https://example.org/papers/b/"  # no link: its page
    assert csl_name("Laurens van der Maaten") == {"family": "van der Maaten", "given": "Laurens"}
    assert csl_name("Plato") == {"literal": "Plato"}


def test_csl_json_is_usable_by_a_csl_processor():
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    item = csl_item(paper("a"), "vaswani2017attention")
    source = CiteProcJSON([item])
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    bibliography.register(Citation([CitationItem("vaswani2017attention")]))
    [rendered] = [str(entry) for entry in bibliography.bibliography()]
    assert "Vaswani" in rendered and "2017" in rendered
    assert "Attention is all you need" in rendered or "Attention Is All You Need" in rendered

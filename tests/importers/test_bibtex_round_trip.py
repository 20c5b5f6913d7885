"""Round trip: import a .bib (entries E1), export E1 with the site's BibTeX export
(``papershelf.site.citations``), import that into a fresh list (E2): E2 == E1.

The .bib holds what the export can say back: the export writes one ``url`` (a paper
with an arXiv id or DOI gets its arXiv or DOI page), no ``code`` link and no notes, so
the entries here have no ``annote``, no ``code`` and at most one other link; and it
writes a name with a comma unbraced, as BibTeX's "Last, First", so no name here is a
braced one with a comma (``{Acme, Inc.}``).
"""

from __future__ import annotations

from pathlib import Path

from build_tools import cli
from papershelf.entries.loader import load_project
from papershelf.entries.model import Paper
from papershelf.site.citations import bibtex_file, citation_keys

ADDED = "2026-11-26"
TAGS = """\
agents:
  title: Agents
  description: Agents that act.
  aliases: [llm-agents]
  keywords: [agent, agents]
reasoning:
  title: Reasoning
  description: Reasoning.
  keywords: [reasoning, chain of thought]
uncategorized:
  title: Uncategorized
  description: Matched no rule yet.
"""

REFS = r"""@string{venue = "Proceedings of {Things}"}
@comment{Round trip: every field the export writes, and LaTeX that must survive it.}

@inproceedings{agents,
  title     = {{\"U}ber-{A}gents \& {{LLM}}s: 50\% of $\alpha$-Search, \#1 at \$5 --- or a\_b?},
  author    = {M{\"u}ller, J{\"o}rg and van der Berg, Anna and Smith, Jr., John
               and {Google DeepMind} and {Barnes and Noble}},
  booktitle = venue,
  date      = {2024-12-10},
  eprint    = {2412.01234v2},
  archivePrefix = {arXiv},
  keywords  = {llm-agents, knitting},
  abstract  = {An agent that plans: x{\textasciicircum}2, {\textless}b{\textgreater}, \{braces\},
               {\textbackslash}path, a{\textasciitilde}b, ``quotes'' and 'single'.

               A second paragraph with $\leq$ and 日本語.},
}

@article{engines,
  title   = "Reasoning About Engines",
  author  = "Ada Lovelace and Turing, Alan",
  journal = {Journal of Things},
  year    = 2023, month = apr, day = 5,
  doi     = {10.1000/eng\_ines<2023>},
  organization = {Analytical \& Co.},
}

@misc{pdf-only,
  title = {Chain of Thought, Printed},
  note  = {12 authors},
  url   = {https://example.org/papers/printed.pdf},
  year  = 2021,
}

@misc{project-only,
  title = {Knitting Patterns},
  url   = {https://example.org/knitting?id=1&lang=en},
}
"""


def import_into(folder: Path, bib: Path) -> list[Paper]:
    """A fresh list in ``folder``, the import of ``bib`` into it, and its entries."""
    (folder / "papers").mkdir(parents=True)
    (folder / "tags.yml").write_text(TAGS, encoding="utf-8")
    argv = ["import", "bibtex", str(bib), "--into", str(folder / "papers")]
    argv += ["--tags", str(folder / "tags.yml"), "--added", ADDED]
    assert cli.main(argv) == 0
    loaded = load_project(folder / "papers", folder / "tags.yml")
    assert loaded.problems == []
    return sorted(loaded.papers, key=lambda paper: paper.slug)


def export(papers: list[Paper]) -> str:
    return bibtex_file(papers, citation_keys(papers))


def test_an_imported_list_exported_and_imported_again_is_the_same_list(tmp_path, capsys):
    (tmp_path / "refs.bib").write_text(REFS, encoding="utf-8")
    first = import_into(tmp_path / "one", tmp_path / "refs.bib")
    assert len(first) == 4
    (tmp_path / "export.bib").write_text(export(first), encoding="utf-8")
    second = import_into(tmp_path / "two", tmp_path / "export.bib")
    assert second == first  # every field (Paper equality leaves out only the file)
    files = sorted((tmp_path / "one" / "papers").iterdir())
    assert [p.read_bytes() for p in files] == [
        (tmp_path / "two" / "papers" / p.name).read_bytes() for p in files
    ]


def test_the_round_trip_keeps_what_the_export_writes(tmp_path, capsys):
    (tmp_path / "refs.bib").write_text(REFS, encoding="utf-8")
    papers = {p.slug: p for p in import_into(tmp_path / "one", tmp_path / "refs.bib")}
    agents = papers["uber-agents-llms-50-search-1"]
    assert (
        agents.title
        == "Über-Agents & LLMs: 50% of \N{GREEK SMALL LETTER ALPHA}-Search, #1 at $5 — or a_b?"
    )
    assert agents.authors == (
        "Jörg Müller",
        "Anna van der Berg",
        "John Smith Jr.",
        "Google DeepMind",
        "Barnes and Noble",
    )
    assert agents.abstract == (
        "An agent that plans: x^2, <b>, {braces}, \\path, a~b, “quotes” and 'single'."
        "\n\nA second paragraph with ≤ and 日本語."
    )
    assert (agents.links.arxiv, agents.tags) == ("2412.01234v2", ("agents",))
    engines = papers["reasoning-about-engines"]
    assert (engines.links.doi, engines.organization) == (
        "10.1000/eng_ines<2023>",
        "Analytical & Co.",
    )
    assert str(engines.published) == "2023-04-05"
    printed = papers["chain-thought-printed"]
    assert (printed.author_count, printed.published, printed.tags) == (12, None, ("reasoning",))
    assert printed.links.pdf == "https://example.org/papers/printed.pdf"
    assert papers["knitting-patterns"].links.project == "https://example.org/knitting?id=1&lang=en"
    assert papers["knitting-patterns"].tags == ("uncategorized",)


def test_importing_the_export_into_the_same_list_changes_nothing(tmp_path, capsys):
    (tmp_path / "refs.bib").write_text(REFS, encoding="utf-8")
    papers = import_into(tmp_path / "one", tmp_path / "refs.bib")
    folder = tmp_path / "one" / "papers"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    (tmp_path / "export.bib").write_text(export(papers), encoding="utf-8")
    capsys.readouterr()
    argv = ["import", "bibtex", str(tmp_path / "export.bib"), "--into", str(folder)]
    assert cli.main([*argv, "--tags", str(tmp_path / "one" / "tags.yml")]) == 0
    out = capsys.readouterr().out
    assert "  new:                0\n  merged:             0\n  unchanged:          4\n" in out
    assert "  conflicts:          0\n" in out
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before

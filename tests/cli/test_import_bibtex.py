"""``papershelf import bibtex``: end to end on small .bib files in a throwaway project."""

from __future__ import annotations

import json
import textwrap
from datetime import date
from pathlib import Path

import pytest

from build_tools import cli

TAGS = """\
agents:
  title: Agents
  description: Agents that act.
  aliases: [llm-agents]
  keywords: [agent, agents]
reasoning:
  title: Reasoning
  description: Reasoning.
  keywords: [reasoning]
uncategorized:
  title: Uncategorized
  description: Matched no rule yet.
"""

# LaTeX accents, \&, math, nested braces, a @string macro, a month macro, "and others",
# a javascript: URL, a @comment, keywords that are and are not tags, a count note.
REFS = r"""% Exported from a reference manager, then edited by hand.
@string{neurips = "Advances in {N}eural Information Processing Systems"}
@comment{Everything in here is ignored, {even braces}.}

@inproceedings{muller2024agents,
  title     = {{\"U}ber-{A}gents: Planning with {{LLM}}s \& $\alpha$-Search},
  author    = {M{\"u}ller, J{\"o}rg and van der Berg, Anna and others},
  booktitle = neurips,
  year      = 2024,
  month     = dec,
  day       = 10,
  eprint    = {2412.01234},
  archivePrefix = {arXiv},
  url       = {javascript:alert(1)},
  keywords  = {llm-agents, Knitting},
  abstract  = {An agent that plans, with 50\% fewer steps.},
}

@article{lovelace2023reasoning,
  title    = "Reasoning About Engines",
  author   = "Ada Lovelace and Turing, Alan",
  journal  = {Journal of Things},
  year     = {2023},
  doi      = {10.1000/engines.2023},
  url      = {https://example.org/engines.pdf},
  annote   = {Read the *second* section first.},
}

@misc{knitting,
  title  = {Knitting Patterns},
  note   = {3 authors},
  date   = {2022-06-01},
}
"""

# Every kind of problem, once each; and a good entry, which must not be imported either.
BROKEN = r"""@misc{good, title = {A Good Entry}}
@misc{good, title = {The Same Key}}
@misc{untitled, year = 2020}
@misc{commas, title = {T}, author = {Smith, John, Jr, Extra}}
@misc{evil, title = {Evil
@misc{late, title = {Late}, date = {2024-13-01}}
"""


@pytest.fixture
def shelf(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tags.yml").write_text(TAGS, encoding="utf-8")
    (tmp_path / "papers").mkdir()
    (tmp_path / "refs.bib").write_text(REFS, encoding="utf-8")
    (tmp_path / "broken.bib").write_text(BROKEN, encoding="utf-8")
    return tmp_path


def run_import(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["import", "bibtex", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def entry(shelf: Path, slug: str) -> str:
    return (shelf / "papers" / f"{slug}.yaml").read_text(encoding="utf-8")


EXPECTED_OUT = """\
refs.bib: 3 entries
create papers/knitting-patterns.yaml
create papers/reasoning-about-engines.yaml
create papers/uber-agents-planning-llms-search.yaml

Summary
  files read:         1
  entries read:       3
  duplicates folded:  0
  new:                3
  merged:             0
  unchanged:          0
  conflicts:          0
Tags of new papers:
  agents:                           1
  reasoning:                        1
  uncategorized:                    1
Keywords that are no tag (add them to tags.yml as a tag, alias or keyword):
  Knitting:                         1
1 paper with a year or month but no day: `published` left empty (it is a day; add it \
by hand when you know it)
"""

EXPECTED_ERR = """\
warning: 2 values of the BibTeX input could not be imported as written; the rest of \
each entry was:
  refs.bib:7: author: the names end with 'and others': only the 2 names given are \
imported, and the entry does not say that more authors exist (add the missing names to \
the entry by hand when you know them)
  refs.bib:14: url: 'javascript:alert(1)' is not an http(s) link; left out (use a full \
URL starting with https://)
warning: 1 new paper(s) matched no keyword rule and were tagged 'uncategorized'; give \
them real tags (or add keywords to tags.yml):
  papers/knitting-patterns.yaml: Knitting Patterns
"""


def test_imports_every_entry_and_reports_what_it_did(shelf, capsys):
    code, out, err = run_import(capsys, "refs.bib", "--added", "2026-11-26")
    assert (code, out, err) == (0, EXPECTED_OUT, EXPECTED_ERR)
    assert entry(shelf, "uber-agents-planning-llms-search") == textwrap.dedent(
        """\
        title: "Über-Agents: Planning with LLMs & \N{GREEK SMALL LETTER ALPHA}-Search"
        authors: [Jörg Müller, Anna van der Berg]
        published: 2024-12-10
        added: 2026-11-26
        tags: [agents]
        abstract: An agent that plans, with 50% fewer steps.
        links:
          arxiv: "2412.01234"
        """
    )
    assert entry(shelf, "reasoning-about-engines") == textwrap.dedent(
        """\
        title: Reasoning About Engines
        authors: [Ada Lovelace, Alan Turing]
        added: 2026-11-26
        tags: [reasoning]
        links:
          pdf: https://example.org/engines.pdf
          doi: "10.1000/engines.2023"
        notes: |-
          Read the *second* section first.
        """
    )
    assert entry(shelf, "knitting-patterns") == textwrap.dedent(
        """\
        title: Knitting Patterns
        author_count: 3
        published: 2022-06-01
        added: 2026-11-26
        tags: [uncategorized]
        """
    )
    assert "javascript" not in "".join(entry(shelf, p.stem) for p in shelf.glob("papers/*"))
    assert not [p for p in shelf.joinpath("papers").iterdir() if p.name.startswith(".")]
    assert cli.main(["validate"]) == 0


def test_special_characters_survive_to_the_json_listing(shelf, capsys):
    run_import(capsys, "refs.bib", "--added", "2026-11-26")
    assert cli.main(["list", "--json"]) == 0
    papers = {p["slug"]: p for p in json.loads(capsys.readouterr().out)}
    agents = papers["uber-agents-planning-llms-search"]
    assert (
        agents["title"] == "Über-Agents: Planning with LLMs & \N{GREEK SMALL LETTER ALPHA}-Search"
    )
    assert agents["authors"] == ["Jörg Müller", "Anna van der Berg"]
    assert agents["abstract"] == "An agent that plans, with 50% fewer steps."


def test_re_running_changes_nothing(shelf, capsys):
    run_import(capsys, "refs.bib", "--added", "2026-11-26")
    before = snapshot(shelf / "papers")
    times = {p.name: p.stat().st_mtime_ns for p in (shelf / "papers").iterdir()}
    code, out, _ = run_import(capsys, "refs.bib", "--added", "2027-01-01")
    assert code == 0
    assert snapshot(shelf / "papers") == before
    assert {p.name: p.stat().st_mtime_ns for p in (shelf / "papers").iterdir()} == times
    assert "create " not in out and "update " not in out
    assert "  new:                0\n  merged:             0\n  unchanged:          3\n" in out


def test_any_problem_stops_the_import_and_every_one_is_listed(shelf, capsys):
    run_import(capsys, "refs.bib", "--added", "2026-11-26")
    before = snapshot(shelf / "papers")
    code, out, err = run_import(capsys, "broken.bib", "refs.bib", "--added", "2026-11-27")
    assert code == 1
    assert out == "broken.bib: 1 entry\nrefs.bib: 3 entries\n"
    assert err == textwrap.dedent(
        """\
        papershelf import: 5 problems in the BibTeX input; nothing is imported until every one is fixed:
          broken.bib:2: key: key 'good' is already used by the entry on line 1 (give each entry its own key, or delete the repeated one)
          broken.bib:3: title: @misc{untitled} has no title (add `title = {...}` to the entry, or delete the entry)
          broken.bib:4: author: cannot read the name 'Smith, John, Jr, Extra': Too many commas (write names as `First Last` or `Last, First`, separated by `and`; put a name with a comma or an `and` in it in braces)
          broken.bib:5: entry: not valid BibTeX: Unexpected block start: `@misc`. Was still looking for field-value closing `}` (check this entry's braces and quotes, and the commas between its fields)
          broken.bib:6: date: '2024-13-01' is not a date (write it as biblatex does, YYYY-MM-DD: date = {2024-02-29})
        nothing was written to papers/
        """
    )
    assert snapshot(shelf / "papers") == before


def test_an_entry_already_on_the_list_is_merged_and_hand_edits_are_kept(shelf, capsys):
    hand_written = textwrap.dedent(
        """\
        ---
        title: Reasoning about engines
        author_count: 2
        added: 2025-01-06
        tags: [agents]
        ---
        My **own** notes.
        """
    )
    (shelf / "papers" / "engines.md").write_text(hand_written, encoding="utf-8")
    (shelf / "more.bib").write_text(
        textwrap.dedent(
            """\
            @article{engines,
              title = {Reasoning About Engines},
              author = {Lovelace, Ada and Turing, Alan},
              date = {2023-04-05},
              doi = {10.1000/engines.2023},
              abstract = {Engines, reasoned about.},
              keywords = {reasoning},
              annote = {Not my notes.},
            }
            """
        ),
        encoding="utf-8",
    )
    code, out, _ = run_import(capsys, "more.bib", "--added", "2026-11-26")
    assert code == 0
    assert (
        "update papers/engines.md: abstract set to 'Engines, reasoned about.'; published set "
        "to 2023-04-05; links set to doi 10.1000/engines.2023\n"
    ) in out
    assert (
        "  papers/engines.md: title: the entry has 'Reasoning about engines', the BibTeX "
        "entry (more.bib:1) has 'Reasoning About Engines'; kept the entry's\n"
    ) in out
    assert (shelf / "papers" / "engines.md").read_text(encoding="utf-8") == textwrap.dedent(
        """\
        ---
        title: Reasoning about engines
        author_count: 2
        added: 2025-01-06
        tags: [agents]
        abstract: Engines, reasoned about.
        published: 2023-04-05
        links:
          doi: "10.1000/engines.2023"
        ---
        My **own** notes.
        """
    )
    # The same paper from the other file is recognised by its DOI despite the title.
    code, out, _ = run_import(capsys, "refs.bib", "--added", "2026-11-26")
    assert "create papers/reasoning-about-engines.yaml" not in out
    assert "  merged:             0\n  unchanged:          1\n" in out
    assert cli.main(["validate"]) == 0


def test_dry_run_writes_nothing_and_says_what_would_change(shelf, capsys):
    code, out, _ = run_import(capsys, "refs.bib", "--added", "2026-11-26", "--dry-run")
    assert code == 0
    assert "would create papers/knitting-patterns.yaml\n" in out
    assert "Summary (dry run: nothing written)\n" in out
    assert list((shelf / "papers").iterdir()) == []


def test_default_added_date_is_today_and_written_into_the_entry(shelf, capsys):
    run_import(capsys, "refs.bib")
    assert f"added: {date.today().isoformat()}\n" in entry(shelf, "knitting-patterns")


def test_daily_papers_is_unchanged_and_a_file_may_share_a_sources_name(shelf, capsys):
    (shelf / "bibtex").write_text("Some Paper Title\n\nAn abstract.\n", encoding="utf-8")
    (shelf / "daily-papers").write_text("@misc{k, title = {From a Bib}}\n", encoding="utf-8")
    argv = ["import", "daily-papers", "bibtex", "--year", "2025", "--added", "2026-11-26"]
    assert cli.main(argv) == 0
    assert cli.main(["import", "bibtex", "daily-papers", "--added", "2026-11-26"]) == 0
    assert sorted(p.name for p in (shelf / "papers").iterdir()) == [
        "bib.yaml",
        "some-paper-title.yaml",
    ]
    capsys.readouterr()
    with pytest.raises(SystemExit) as stopped:
        cli.main(["import", "refs.bib"])
    assert stopped.value.code == 2
    assert "invalid choice: 'refs.bib' (choose from 'daily-papers', 'bibtex')" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.bib", None, "missing.bib: no such file"),
        (
            "latin1.bib",
            b"@misc{k, title = {\xff}}",
            "latin1.bib: not UTF-8 text (byte 18); save it as UTF-8",
        ),
    ],
)
def test_an_unreadable_file_stops_before_anything_is_written(shelf, capsys, name, content, message):
    if content is not None:
        (shelf / name).write_bytes(content)
    code, out, err = run_import(capsys, "refs.bib", name)
    assert code == 1
    assert out == "refs.bib: 3 entries\n"
    assert err == f"papershelf import: {message}\nnothing was written to papers/\n"
    assert list((shelf / "papers").iterdir()) == []


def test_a_list_that_does_not_validate_is_not_touched(shelf, capsys):
    (shelf / "papers" / "bad.yaml").write_text("title: [broken\n", encoding="utf-8")
    code, _, err = run_import(capsys, "refs.bib")
    assert code == 1
    assert "the collection has 1 problem; fix them first" in err
    assert [p.name for p in (shelf / "papers").iterdir()] == ["bad.yaml"]


def test_bad_options(shelf, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["import", "bibtex", "refs.bib", "--added", "2026-02-30"])
    assert stopped.value.code == 2
    assert "'2026-02-30' is not a date; write YYYY-MM-DD" in capsys.readouterr().err


def test_control_characters_of_a_bib_reach_the_terminal_escaped(shelf, capsys):
    (shelf / "evil.bib").write_text("@misc{k, title = {Clear\x1b[2Jscreen}}\n", encoding="utf-8")
    code, _, err = run_import(capsys, "evil.bib")
    assert code == 1
    assert "\x1b" not in err
    assert "evil.bib:1: title: contains a control character (U+001B" in err

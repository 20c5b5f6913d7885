"""``papershelf import daily-papers``: end to end on small dumps in a throwaway project."""

from __future__ import annotations

import json
import textwrap
from datetime import date
from pathlib import Path

import pytest

from build_tools import cli, import_daily

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
vision:
  title: Vision
  description: Seeing things.
  keywords: [image, images, segmentation]
uncategorized:
  title: Uncategorized
  description: Matched no rule yet.
"""

CHROME = """\
new

Get trending papers in your email inbox!

Subscribe

Daily Papers

byAK and the research community

"""

# Listing captured on Jan 10: "Dec 29" is last year's, "Jan 3" this year's.
FIRST = CHROME + textwrap.dedent(
    """\
    Jan 10

    Agent Planning: <Tools> & "Quotes"

    An agent that plans & acts, with p < 0.05 and (>95%) 'quoted' TÜLU text.

    facebook AI at Meta
    ·
    Jan 3 4

    Reasoning in December

    We study reasoning about reasoning.

      • 1 authors
    ·
    Dec 29

    Old Image Segmentation

    Segmentation of images, first published in 2023; an abstract long enough to identify the paper by itself.

      • 5 authors
    ·
    Jun 4, 2023 2

    Nothing Matches Here

    A paper about knitting.

      • 2 authors
    ·
    Mar 1, 2024
    """
)

# A dump without metadata or listing date: duplicates of FIRST (undated, fewer votes),
# a duplicate within the file, one new paper and a truncated last entry.
SECOND = CHROME.replace("byAK", "by AK") + textwrap.dedent(
    """\
    agent planning: <tools> & "quotes"

    An agent that plans & acts, with p < 0.05 and (>95%) 'quoted' TÜLU text.

    Éclair -- Reading Documents With Agents

    An agent reads documents.

    Éclair: reading documents with agents

    An agent reads documents.

    Cut Off Title
    """
)


@pytest.fixture
def shelf(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tags.yml").write_text(TAGS, encoding="utf-8")
    (tmp_path / "papers").mkdir()
    (tmp_path / "first.txt").write_text(FIRST, encoding="utf-8")
    (tmp_path / "second.txt").write_text(SECOND, encoding="utf-8")
    return tmp_path


def run_import(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["import", "daily-papers", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def entry(shelf: Path, slug: str) -> str:
    return (shelf / "papers" / f"{slug}.yaml").read_text(encoding="utf-8")


EXPECTED_OUT = """\
first.txt: 4 entries; year 2025 (from --year)
second.txt: 3 entries; year 2025 (from --year)
create papers/agent-planning-tools-quotes.yaml
create papers/eclair-reading-documents-agents.yaml
create papers/nothing-matches-here.yaml
create papers/old-image-segmentation.yaml
create papers/reasoning-december.yaml

Summary
  files read:         2
  entries parsed:     7
  duplicates folded:  2
  new:                5
  merged:             0
  unchanged:          0
  conflicts:          2
  unparseable lines:  1
Conflicts (the entry was kept as it is; edit it by hand if needed):
  first.txt:13: title: listings of 'Agent Planning: <Tools> & "Quotes"' disagree; \
kept 'Agent Planning: <Tools> & "Quotes"', not 'agent planning: <tools> & "quotes"' \
(second.txt:11)
  second.txt:15: title: listings of 'Éclair -- Reading Documents With Agents' disagree; \
kept 'Éclair -- Reading Documents With Agents', not 'Éclair: reading documents with \
agents' (second.txt:19)
Lines that could not be parsed:
  second.txt:23: entry 'Cut Off Title' ends after its title (truncated file?); skipped
Tags of new papers:
  agents:                           2
  reasoning:                        1
  uncategorized:                    1
  vision:                           1
"""

EXPECTED_ERR = """\
warning: 1 new paper(s) matched no keyword rule and were tagged 'uncategorized'; \
give them real tags (or add keywords to tags.yml):
  papers/nothing-matches-here.yaml: Nothing Matches Here
1 line(s) could not be parsed; fix them and run the import again \
(re-running is safe: it changes nothing that is already imported)
"""


def test_imports_every_variant_and_reports_what_it_did(shelf, capsys):
    code, out, err = run_import(
        capsys, "first.txt", "second.txt", "--year", "2025", "--added", "2026-11-26"
    )
    assert out == EXPECTED_OUT
    assert err == EXPECTED_ERR
    assert code == 1  # one line could not be parsed; everything else was imported
    assert entry(shelf, "agent-planning-tools-quotes") == textwrap.dedent(
        """\
        title: "Agent Planning: <Tools> & \\"Quotes\\""
        organization: AI at Meta
        organization_id: facebook
        published: 2025-01-03
        added: 2026-11-26
        tags: [agents]
        abstract: An agent that plans & acts, with p < 0.05 and (>95%) 'quoted' TÜLU text.
        votes: 4
        """
    )
    assert "published: 2024-12-29\n" in entry(shelf, "reasoning-december")
    assert "author_count: 1\n" in entry(shelf, "reasoning-december")
    assert "published: 2023-06-04\n" in entry(shelf, "old-image-segmentation")
    assert "votes: 2\n" in entry(shelf, "old-image-segmentation")
    assert "tags: [uncategorized]\n" in entry(shelf, "nothing-matches-here")
    assert "published" not in entry(shelf, "eclair-reading-documents-agents")
    assert not [p for p in shelf.joinpath("papers").iterdir() if p.name.startswith(".")]
    assert cli.main(["validate"]) == 0


def test_special_characters_survive_to_the_json_listing(shelf, capsys):
    run_import(capsys, "first.txt", "--added", "2026-11-26")
    assert cli.main(["list", "--json"]) == 0
    papers = {p["slug"]: p for p in json.loads(capsys.readouterr().out)}
    agent = papers["agent-planning-tools-quotes"]
    assert agent["title"] == 'Agent Planning: <Tools> & "Quotes"'
    assert agent["abstract"] == (
        "An agent that plans & acts, with p < 0.05 and (>95%) 'quoted' TÜLU text."
    )
    assert agent["organization"] == "AI at Meta"


def test_year_is_inferred_per_file_and_said(shelf, capsys):
    code, out, _ = run_import(capsys, "first.txt", "--added", "2026-11-26", "--dry-run")
    assert code == 0
    assert out.splitlines()[0] == (
        "first.txt: 4 entries; inferred year 2025 (one more than the latest year in the "
        "file, 2024); pass --year to override"
    )


def test_re_running_changes_nothing(shelf, capsys):
    run_import(capsys, "first.txt", "second.txt", "--added", "2026-11-26")
    before = snapshot(shelf / "papers")
    times = {p.name: p.stat().st_mtime_ns for p in (shelf / "papers").iterdir()}
    code, out, _ = run_import(capsys, "first.txt", "second.txt", "--added", "2027-01-01")
    assert code == 1  # the truncated entry is still reported
    assert snapshot(shelf / "papers") == before
    assert {p.name: p.stat().st_mtime_ns for p in (shelf / "papers").iterdir()} == times
    assert "create " not in out
    assert "update " not in out
    assert "  new:                0\n  merged:             0\n  unchanged:          5\n" in out


def test_duplicates_across_runs_merge_into_the_existing_entry(shelf, capsys):
    # The undated listing first, then the dated one: the date and votes are filled in.
    run_import(capsys, "second.txt", "--added", "2026-11-26")
    assert "published" not in entry(shelf, "agent-planning-tools-quotes")
    code, out, _ = run_import(capsys, "first.txt", "--added", "2026-12-01")
    assert code == 0
    assert (
        "update papers/agent-planning-tools-quotes.yaml: published set to 2025-01-03; "
        "organization set to 'AI at Meta'; organization_id set to 'facebook'; votes set to 4\n"
    ) in out
    text = entry(shelf, "agent-planning-tools-quotes")
    assert "added: 2026-11-26\n" in text  # the date it joined the list stays
    assert "published: 2025-01-03\n" in text
    assert "  merged:             1\n" in out
    assert "  conflicts:          1\n" in out  # the title differs in case; entry's kept
    assert (
        "  papers/agent-planning-tools-quotes.yaml: title: the entry has 'agent planning: "
        "<tools> & \"quotes\"', the listing (first.txt:13) has 'Agent Planning: <Tools> & "
        "\"Quotes\"'; kept the entry's\n"
    ) in out


def test_hand_edits_are_never_overwritten(shelf, capsys):
    run_import(capsys, "first.txt", "--added", "2026-11-26")
    path = shelf / "papers" / "old-image-segmentation.yaml"
    edited = (
        "# Curated by hand.\n"
        "title: Old Image Segmentation, Corrected Title\n"
        "author_count: 5\n"
        "published: 2023-06-04\n"
        "added: 2026-11-26\n"
        "tags: [reasoning]  # moved on purpose\n"
        "abstract: Segmentation of images, first published in 2023; an abstract long enough "
        "to identify the paper by itself.\n"
        "links:\n"
        "  code: https://example.org/code\n"
        "votes: 2\n"
        'notes: "Read section 3."\n'
    )
    path.write_text(edited, encoding="utf-8")
    code, out, _ = run_import(capsys, "first.txt", "--year", "2025", "--added", "2027-01-01")
    assert code == 0
    assert path.read_text(encoding="utf-8") == edited
    assert "create " not in out and "update " not in out
    conflicts = out.split("Conflicts (the entry was kept as it is; edit it by hand if needed):\n")
    assert conflicts[1].splitlines()[0] == (
        "  papers/old-image-segmentation.yaml: title: the entry has 'Old Image Segmentation, "
        "Corrected Title', the listing (first.txt:29) has 'Old Image Segmentation'; kept the "
        "entry's"
    )
    # More votes later: only the votes line changes; comments and edits stay.
    (shelf / "more.txt").write_text(
        CHROME + "Old Image Segmentation\n\nSegmentation of images, first published in 2023; "
        "an abstract long enough to identify the paper by itself.\n\n  • 5 authors\n·\n"
        "Jun 4, 2023 9\n",
        encoding="utf-8",
    )
    code, out, _ = run_import(capsys, "more.txt", "--added", "2027-01-01")
    assert code == 0
    assert "update papers/old-image-segmentation.yaml: votes 2 -> 9\n" in out
    assert path.read_text(encoding="utf-8") == edited.replace("votes: 2\n", "votes: 9\n")


def test_conflicting_listing_data_is_listed_and_not_applied(shelf, capsys):
    run_import(capsys, "first.txt", "--added", "2026-11-26")
    path = shelf / "papers" / "old-image-segmentation.yaml"
    before = path.read_text(encoding="utf-8")
    (shelf / "more.txt").write_text(
        CHROME
        + "Old Image Segmentation\n\nA different abstract.\n\n  • 6 authors\n·\nJun 5, 2023 1\n",
        encoding="utf-8",
    )
    code, out, _ = run_import(capsys, "more.txt", "--added", "2027-01-01")
    assert code == 0
    assert path.read_text(encoding="utf-8") == before
    assert out.endswith(
        "Conflicts (the entry was kept as it is; edit it by hand if needed):\n"
        "  papers/old-image-segmentation.yaml: abstract: the entry has 'Segmentation of "
        "images, first published in 2023; an abstr...', the listing (more.txt:11) has "
        "'A different abstract.'; kept the entry's\n"
        "  papers/old-image-segmentation.yaml: published: the entry has 2023-06-04, the "
        "listing (more.txt:11) has 2023-06-05; kept the entry's\n"
        "  papers/old-image-segmentation.yaml: author_count: the entry has 5, the listing "
        "(more.txt:11) has 6; kept the entry's\n"
    )


def test_markdown_entry_is_updated_in_place_keeping_its_notes(shelf, capsys):
    note = "---\ntitle: Nothing Matches Here\nadded: 2025-01-01\ntags: [reasoning]\n---\nMine.\n"
    (shelf / "papers" / "knitting.md").write_text(note, encoding="utf-8")
    code, out, _ = run_import(capsys, "first.txt", "--added", "2026-11-26")
    assert code == 0
    assert "update papers/knitting.md: abstract set to 'A paper about knitting.'; " in out
    assert not (shelf / "papers" / "nothing-matches-here.yaml").exists()
    text = (shelf / "papers" / "knitting.md").read_text(encoding="utf-8")
    assert text == (
        "---\ntitle: Nothing Matches Here\nadded: 2025-01-01\ntags: [reasoning]\n"
        "abstract: A paper about knitting.\npublished: 2024-03-01\nauthor_count: 2\n"
        "---\nMine.\n"
    )


def test_an_entry_the_importer_cannot_edit_safely_becomes_a_conflict(shelf, capsys):
    flow = "{title: Nothing Matches Here, added: 2025-01-01, tags: [reasoning]}\n"
    (shelf / "papers" / "knitting.yaml").write_text(flow, encoding="utf-8")
    code, out, _ = run_import(capsys, "first.txt", "--added", "2026-11-26")
    assert code == 0
    assert (shelf / "papers" / "knitting.yaml").read_text(encoding="utf-8") == flow
    assert "update papers/knitting.yaml" not in out
    assert "  merged:             0\n  unchanged:          1\n" in out
    assert (
        "  papers/knitting.yaml: abstract, published, author_count: cannot update this file "
        "automatically (fields are not one per line at the start of the line); by hand: "
        "abstract set to 'A paper about knitting.'; published set to 2024-03-01; "
        "author_count set to 2\n"
    ) in out


def test_dry_run_writes_nothing_and_says_what_would_change(shelf, capsys):
    before = snapshot(shelf / "papers")
    code, out, _ = run_import(capsys, "first.txt", "second.txt", "--dry-run")
    assert snapshot(shelf / "papers") == before == {}
    assert code == 1
    assert "would create papers/agent-planning-tools-quotes.yaml\n" in out
    assert "Summary (dry run: nothing written)\n" in out
    assert "  new:                5\n" in out


def test_default_added_date_is_today_and_written_into_the_entry(shelf, capsys):
    run_import(capsys, "first.txt")
    assert f"added: {date.today().isoformat()}\n" in entry(shelf, "reasoning-december")


def test_a_failed_move_puts_every_file_back(shelf, capsys, monkeypatch):
    run_import(capsys, "first.txt", "--added", "2026-11-26")
    votes = CHROME + "Reasoning in December\n\nx\n\n  • 1 authors\n·\nDec 29, 2024 50\n"
    (shelf / "more.txt").write_text(votes, encoding="utf-8")
    before = snapshot(shelf / "papers")
    real_replace = Path.replace
    calls = []

    def failing_replace(self: Path, target: Path) -> Path:
        calls.append(self.name)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", failing_replace)
    code, _, err = run_import(capsys, "more.txt", "second.txt", "--added", "2027-01-01")
    assert code == 1
    assert err == (
        "papershelf import: cannot write papers/reasoning-december.yaml: "
        "No space left on device; the 1 file(s) already moved were put back\n"
        "nothing was written to papers/\n"
    )
    assert snapshot(shelf / "papers") == before


def test_a_file_that_would_not_read_back_stops_the_run_before_writing(shelf, capsys, monkeypatch):
    monkeypatch.setattr(import_daily, "render_entry", lambda paper: "title: [broken\n")
    code, out, err = run_import(capsys, "first.txt", "--added", "2026-11-26")
    assert code == 1
    assert out.startswith("first.txt: 4 entries;")
    assert "create " not in out
    assert err.startswith(
        "papershelf import: internal error: papers/agent-planning-tools-quotes.yaml would "
        "not read back as planned (yaml: YAML syntax error: "
    )
    assert err.endswith("please report this with the input line\nnothing was written to papers/\n")
    assert snapshot(shelf / "papers") == {}
    assert not [p for p in Path(shelf).rglob(".papershelf-import-*")]


def test_an_invalid_collection_is_not_touched(shelf, capsys):
    bad = "title: Bad\nadded: 2025-13-01\ntags: [agents]\n"
    (shelf / "papers" / "bad.yaml").write_text(bad, encoding="utf-8")
    code, _, err = run_import(capsys, "first.txt")
    assert code == 1
    assert err == (
        "papershelf import: the collection has 1 problem; fix them first "
        "(`papershelf validate` lists them):\n"
        "  papers/bad.yaml:2: added: '2025-13-01' is not a valid date "
        "(use YYYY-MM-DD with a real day, e.g. 2024-02-29)\n"
        "nothing was written to papers/\n"
    )
    assert snapshot(shelf / "papers") == {"bad.yaml": bad.encode()}


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (["missing.txt"], "missing.txt: no such file"),
        (["latin1.txt"], "latin1.txt: not UTF-8 text (byte 15); save it as UTF-8"),
        (
            ["yearless.txt"],
            "yearless.txt: dates without a year and no explicit year to infer it from; "
            "pass --year YYYY (the year the listing was captured)",
        ),
    ],
)
def test_unusable_input_stops_before_anything_is_written(shelf, capsys, files, message):
    (shelf / "latin1.txt").write_bytes(b"Title here\n\nCaf\xe9\n")
    (shelf / "yearless.txt").write_text(CHROME + "T\n\nA.\n\n  • 2 authors\n·\nAug 14\n")
    code, _, err = run_import(capsys, "first.txt", *files)
    assert code == 1
    assert err == f"papershelf import: {message}\nnothing was written to papers/\n"
    assert snapshot(shelf / "papers") == {}


def test_vocabulary_without_uncategorized_is_refused(shelf, capsys):
    (shelf / "tags.yml").write_text(TAGS.split("uncategorized:")[0], encoding="utf-8")
    code, _, err = run_import(capsys, "first.txt")
    assert code == 1
    assert err.startswith(
        "papershelf import: tags.yml has no 'uncategorized' tag, needed for papers no "
        "keyword rule matches; add it (title and description)\n"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--year", "25"], "argument --year: '25' is not a year; write e.g. --year 2025"),
        (
            ["--added", "2026-02-30"],
            "argument --added: '2026-02-30' is not a date; write YYYY-MM-DD, "
            "e.g. --added 2025-01-31",
        ),
    ],
)
def test_bad_options(shelf, capsys, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["import", "daily-papers", "first.txt", *argv])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_progress_for_large_inputs(shelf, capsys):
    body = "".join(
        f"Paper number {n}\n\nAbstract {n} about agents.\n\n  • 2 authors\n·\nMar 1, 2024\n\n"
        for n in range(1, 601)
    )
    (shelf / "big.txt").write_text(CHROME + body, encoding="utf-8")
    code, out, err = run_import(capsys, "big.txt", "--added", "2026-11-26")
    assert code == 0
    assert err.splitlines() == [
        "tagging new papers: 500/600",
        "tagging new papers: 600/600",
        "checking files: 500/600",
        "checking files: 600/600",
        "writing files: 500/600",
        "writing files: 600/600",
    ]
    assert "  new:                600\n" in out
    assert len(list((shelf / "papers").iterdir())) == 600


def test_control_characters_of_a_dump_reach_the_terminal_escaped(shelf, capsys):
    """A title with NUL and ESC bytes (a terminal control sequence) is a problem line
    or a warning, but its bytes never reach the terminal raw."""
    (shelf / "hostile.txt").write_text(
        "Bad \x1b[2J Title \x00 With Controls\n\nAn abstract about agents.\n\n  • 3 authors\n"
        "·\nAug 14\n",
        encoding="utf-8",
    )
    _, out, err = run_import(capsys, "hostile.txt", "--added", "2025-01-02", "--year", "2025")
    assert "\x1b" not in out + err and "\x00" not in out + err
    assert "\\x1b[2J" in out + err

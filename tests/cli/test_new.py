"""``papershelf new``: a scaffold that validates as written, and refuses to do harm."""

from __future__ import annotations

import argparse
import re
from datetime import date

import pytest

from build_tools import cli, new
from papershelf.entries.loader import load_entry, load_project
from papershelf.entries.vocabulary import load_vocabulary

TODAY = date(2025, 3, 4)


@pytest.fixture
def shelf(project, monkeypatch):
    """The throwaway project as the working directory, like a contributor's checkout."""
    monkeypatch.chdir(project.root)
    return project


def run_new(*argv: str, today: date = TODAY) -> int:
    parser = argparse.ArgumentParser()
    new.add_arguments(parser)
    return new.run(parser.parse_args(list(argv)), today=today)


def validate(*paths: str) -> int:
    return cli.main(["validate", *paths])


def test_writes_a_yaml_entry_that_validates_as_written(shelf, capsys):
    code = run_new(
        "Reflexion: Language Agents with Verbal Reinforcement Learning", "--tag", "agents"
    )
    out = capsys.readouterr().out
    path = shelf.papers / "reflexion-language-agents-verbal-reinforcement-learning.yaml"
    assert code == 0
    assert f"created papers/{path.name}" in out
    text = path.read_text(encoding="utf-8")
    assert 'title: "Reflexion: Language Agents with Verbal Reinforcement Learning"\n' in text
    assert "\nadded: 2025-03-04\n" in text
    assert "\ntags: [agents]" in text
    assert validate() == 0
    assert "1 paper OK" in capsys.readouterr().out


def test_writes_a_markdown_entry_with_an_empty_body(shelf, capsys):
    assert run_new("Visual Instruction Tuning", "--tag", "vision", "--format", "md") == 0
    path = shelf.papers / "visual-instruction-tuning.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    assert text.endswith("\n---\n")
    assert "below the closing --- line" in text
    paper, problems = load_entry(path, load_vocabulary(shelf.tags_file)[0])
    assert problems == []
    assert paper is not None
    assert (paper.title, paper.tags, paper.notes) == ("Visual Instruction Tuning", ("vision",), "")


def test_arxiv_id_is_filled_in_from_an_id_or_a_link(shelf):
    assert run_new("One", "--tag", "agents", "--arxiv", "https://arxiv.org/abs/2310.06770v2") == 0
    assert run_new("Two", "--tag", "agents", "--arxiv", "arXiv:2401.00001") == 0
    vocabulary = load_vocabulary(shelf.tags_file)[0]
    one, _ = load_entry(shelf.papers / "one.yaml", vocabulary)
    two, _ = load_entry(shelf.papers / "two.yaml", vocabulary)
    assert one is not None and two is not None
    assert (one.links.arxiv, two.links.arxiv) == ("2310.06770v2", "2401.00001")
    assert '  arxiv: "2310.06770v2"\n' in (shelf.papers / "one.yaml").read_text()


@pytest.mark.parametrize(
    "title",
    [
        'A "quoted" title: with a colon # and a hash',
        "Back\\slash & ampersand <b>not html</b>",
        "- starts like a list item",
        "TÜLU 3: Pushing Frontiers",
        "yes",
    ],
)
def test_any_title_reads_back_exactly(shelf, title):
    assert run_new(title, "--tag", "agents") == 0
    papers = load_project(shelf.papers, shelf.tags_file)
    assert papers.problems == []
    assert [p.title for p in papers.papers] == [title]


def test_whitespace_in_the_title_is_collapsed_like_the_schema_does(shelf):
    assert run_new("  Spaced\n  out   title ", "--tag", "agents") == 0
    assert 'title: "Spaced out title"' in (shelf.papers / "spaced-out-title.yaml").read_text()


def test_the_slug_keeps_six_significant_words(shelf):
    title = "The Path Not Taken: RLVR Provably Learns Off the Principals"
    assert run_new(title, "--tag", "reasoning") == 0
    assert [p.name for p in shelf.papers.iterdir()] == ["path-not-taken-rlvr-provably-learns.yaml"]


def test_a_tag_alias_is_written_as_its_canonical_id(shelf):
    assert run_new("Agent paper", "--tag", "llm-agents", "--tag", "agents", "--tag", "vision") == 0
    assert "\ntags: [agents, vision]" in (shelf.papers / "agent-paper.yaml").read_text()


def test_an_unknown_tag_is_refused_with_did_you_mean_and_nothing_written(shelf, capsys):
    assert run_new("Some paper", "--tag", "agent") == 1
    err = capsys.readouterr().err
    assert err == (
        "papershelf new: --tag: unknown tag 'agent' (did you mean 'agents'? every tag is "
        "listed in tags.yml); no file written\n"
    )
    assert list(shelf.papers.iterdir()) == []


def test_an_unknown_tag_without_a_close_match_points_to_tags_yml(shelf, capsys):
    assert run_new("Some paper", "--tag", "quantum-chemistry") == 1
    assert (
        "unknown tag 'quantum-chemistry' (pick one of the tags listed in tags.yml, or add it "
        "there); no file written"
    ) in capsys.readouterr().err


def test_the_unknown_tag_hint_names_the_vocabulary_file_as_given(shelf, capsys):
    (shelf.root / "vocab").mkdir()
    (shelf.root / "vocab" / "my-tags.yml").write_text(shelf.tags_file.read_text())
    assert run_new("Some paper", "--tag", "visoin", "--tags", "vocab/my-tags.yml") == 1
    assert "(did you mean 'vision'? every tag is listed in vocab/my-tags.yml)" in (
        capsys.readouterr().err
    )


def test_typing_tags_for_tag_gets_a_hint(shelf, capsys):
    assert run_new("Some paper", "--tags", "agents") == 1
    err = capsys.readouterr().err
    assert "file not found" in err
    assert "to give the paper a tag use --tag agents" in err


def test_without_a_tag_the_file_is_written_and_the_missing_tag_is_explained(shelf, capsys):
    assert run_new("Untagged paper") == 0
    captured = capsys.readouterr()
    assert "created papers/untagged-paper.yaml" in captured.out
    assert (
        "to do: papers/untagged-paper.yaml:10: tags: at least one tag is required (add a tag id)"
        in captured.err
    )
    text = (shelf.papers / "untagged-paper.yaml").read_text()
    assert "tags: []  # required: at least one id from tags.yml, e.g. [agents]" in text
    assert validate() == 1
    assert "papers/untagged-paper.yaml:10: tags: at least one tag is required" in (
        capsys.readouterr().out
    )


def test_refuses_to_overwrite_an_existing_entry(shelf, capsys):
    existing = shelf.paper("my-paper", "title: Mine\nadded: 2020-01-01\ntags: [agents]\n")
    assert run_new("My Paper", "--tag", "vision") == 1
    err = capsys.readouterr().err
    assert "papers/my-paper.yaml already exists; edit that file, or pick another file name" in err
    assert "--slug my-paper-2" in err
    assert existing.read_text() == "title: Mine\nadded: 2020-01-01\ntags: [agents]\n"


def test_refuses_a_slug_taken_by_the_other_format(shelf, capsys):
    shelf.paper("my-paper", "---\ntitle: Mine\nadded: 2020-01-01\ntags: [agents]\n---\n", ".md")
    assert run_new("My Paper", "--tag", "vision", "--format", "yaml") == 1
    assert "papers/my-paper.md already exists" in capsys.readouterr().err
    assert not (shelf.papers / "my-paper.yaml").exists()


def test_slug_option_is_checked_and_used(shelf, capsys):
    assert run_new("My Paper", "--tag", "agents", "--slug", "My_Paper") == 1
    assert "--slug 'My_Paper' is not a valid file name" in capsys.readouterr().err
    assert run_new("My Paper", "--tag", "agents", "--slug", "my-paper-2") == 0
    assert (shelf.papers / "my-paper-2.yaml").exists()


def test_a_title_without_letters_needs_a_slug(shelf, capsys):
    assert run_new("???", "--tag", "agents") == 1
    assert "no letters or digits to make a file name from" in capsys.readouterr().err


def test_an_invalid_arxiv_id_is_refused(shelf, capsys):
    assert run_new("Some paper", "--tag", "agents", "--arxiv", "not-an-id") == 1
    err = capsys.readouterr().err
    assert err == (
        "papershelf new: --arxiv: 'not-an-id' is not an arXiv id (give the bare id, e.g. "
        "--arxiv 2310.06770, or an arxiv.org link); no file written\n"
    )
    assert list(shelf.papers.iterdir()) == []


@pytest.mark.parametrize(
    "given",
    [
        "2310.06770v2",
        "arXiv:2310.06770v2",
        "https://arxiv.org/abs/2310.06770v2",
        "https://arxiv.org/pdf/2310.06770v2.pdf",
        "http://www.arxiv.org/pdf/2310.06770v2",
    ],
)
def test_every_form_of_arxiv_id_is_written_as_the_bare_id(shelf, given):
    assert run_new("Some paper", "--tag", "agents", "--arxiv", given) == 0
    text = (shelf.papers / "some-paper.yaml").read_text()
    assert '\nlinks:\n  arxiv: "2310.06770v2"\n' in text


def test_authors_organisation_and_links_are_written_as_fields(shelf, capsys):
    code = run_new(
        "Full paper",
        "--tag",
        "agents",
        "--author",
        "Ada Lovelace",
        "--author",
        'Wei, "Li"',
        "--org",
        "AI at Meta",
        "--pdf",
        "https://example.org/full.pdf",
        "--url",
        "https://example.org/full",
        "--doi",
        "https://doi.org/10.1145/3377811",
    )
    assert code == 0
    path = shelf.papers / "full-paper.yaml"
    text = path.read_text()
    assert '\nauthors: ["Ada Lovelace", "Wei, \\"Li\\""]  # in order\n' in text
    assert '\norganization: "AI at Meta"' in text
    assert "\n# organization_id: google" in text  # the fields not given stay hints
    assert (
        "\nlinks:\n"
        '  # arxiv: "2310.06770"  # the bare id\n'
        '  pdf: "https://example.org/full.pdf"\n'
        "  # code: https://github.com/owner/repo\n"
        '  project: "https://example.org/full"\n'
        '  doi: "10.1145/3377811"\n'
    ) in text
    paper, problems = load_entry(path, load_vocabulary(shelf.tags_file)[0])
    assert problems == []
    assert paper is not None
    assert paper.authors == ("Ada Lovelace", 'Wei, "Li"')
    assert paper.organization == "AI at Meta"
    assert (paper.links.pdf, paper.links.project, paper.links.doi) == (
        "https://example.org/full.pdf",
        "https://example.org/full",
        "10.1145/3377811",
    )
    assert validate() == 0


@pytest.mark.parametrize(
    "given", ["10.1145/3377811", "doi:10.1145/3377811", "DOI: 10.1145/3377811"]
)
def test_a_doi_is_written_bare(shelf, given):
    assert run_new("Some paper", "--tag", "agents", "--doi", given) == 0
    assert '\n  doi: "10.1145/3377811"\n' in (shelf.papers / "some-paper.yaml").read_text()


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        (
            "--doi",
            "10.1/x",
            "--doi: '10.1/x' is not a DOI (give the bare DOI, e.g. --doi 10.1145/3377811, "
            "or a doi.org link)",
        ),
        (
            "--doi",
            "https://example.org/10.1145/3377811",
            "--doi: 'https://example.org/10.1145/3377811' is not a DOI",
        ),
        (
            "--pdf",
            "example.org/paper.pdf",
            "--pdf: 'example.org/paper.pdf' is not an http(s) link "
            "(use a full URL starting with https://)",
        ),
        (
            "--url",
            "https://example.org/my paper",
            "--url: 'https://example.org/my paper' contains a space (replace it with %20)",
        ),
        ("--author", " ", "--author: is empty"),
        ("--org", "", "--org: is empty"),
        ("--pdf", "", "--pdf: '' is not an http(s) link"),
        ("--org", "A\x07B", "--org: contains a control character"),
    ],
)
def test_a_bad_value_is_refused_naming_its_option(shelf, capsys, option, value, expected):
    assert run_new("Some paper", "--tag", "agents", option, value) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"papershelf new: {expected}")
    assert err.endswith("; no file written\n")
    assert err.count("\n") == 1
    assert list(shelf.papers.iterdir()) == []


def test_warns_about_the_same_title_or_arxiv_id_but_still_writes(shelf, capsys):
    shelf.paper(
        "attention",
        "title: Attention Is All You Need\nadded: 2020-01-01\ntags: [agents]\n"
        "links:\n  arxiv: '1706.03762v5'\n",
    )
    assert run_new("attention is all you need!", "--tag", "agents", "--slug", "again") == 0
    assert run_new("Other title", "--tag", "agents", "--arxiv", "1706.03762") == 0
    err = capsys.readouterr().err
    assert "warning: same title as papers/attention.yaml (keep one entry, delete the other)" in err
    assert "warning: same arXiv id (1706.03762) as papers/attention.yaml" in err
    assert (shelf.papers / "again.yaml").exists()
    assert (shelf.papers / "other-title.yaml").exists()


def test_warns_about_the_same_doi(shelf, capsys):
    shelf.paper(
        "old", "title: Old\nadded: 2020-01-01\ntags: [agents]\nlinks:\n  doi: 10.1234/ABC\n"
    )
    assert run_new("New", "--tag", "agents", "--doi", "doi:10.1234/abc") == 0
    assert "warning: same DOI (10.1234/abc) as papers/old.yaml" in capsys.readouterr().err


def test_every_hint_is_a_valid_field_once_uncommented(shelf):
    """Deleting the ``# `` of each hint line must give a valid entry, in both formats."""
    assert run_new("Linked paper", "--tag", "agents", "--arxiv", "2310.06770") == 0
    assert run_new("Plain paper", "--tag", "agents") == 0
    assert run_new("Doi paper", "--tag", "agents", "--doi", "10.1234/abcd", "--org", "Acme") == 0
    assert run_new("Markdown one", "--tag", "agents", "--format", "md") == 0
    hint = re.compile(r"^(\s*)# ((?:[a-z_]+:|\s).*)$", re.MULTILINE)
    for path in shelf.papers.iterdir():
        path.write_text(hint.sub(r"\1\2", path.read_text()), encoding="utf-8")
    # Checked one by one: the example values are the same in every scaffold.
    vocabulary = load_vocabulary(shelf.tags_file)[0]
    loaded = {path.stem: load_entry(path, vocabulary) for path in shelf.papers.iterdir()}
    assert {slug: problems for slug, (_, problems) in loaded.items()} == {
        "linked-paper": [],
        "plain-paper": [],
        "markdown-one": [],
        "doi-paper": [],
    }
    by_slug = {slug: paper for slug, (paper, _) in loaded.items() if paper}
    full = by_slug["plain-paper"]
    assert full.authors == ("Ada Lovelace", "Alan Turing")
    assert full.links.doi == "10.1145/3377811"
    assert full.votes == 42
    assert full.notes.startswith("Why this paper")
    assert by_slug["linked-paper"].links.arxiv == "2310.06770"
    assert by_slug["linked-paper"].links.pdf == "https://example.org/paper.pdf"
    assert by_slug["markdown-one"].organization_id == "google"
    assert by_slug["doi-paper"].links.arxiv == "2310.06770"
    assert (by_slug["doi-paper"].organization, by_slug["doi-paper"].organization_id) == (
        "Acme",
        "google",
    )


def test_the_command_line_uses_todays_date(shelf):
    before = date.today()
    assert cli.main(["new", "Dated", "--tag", "agents"]) == 0
    after = date.today()
    added = re.search(r"^added: (.+)$", (shelf.papers / "dated.yaml").read_text(), re.MULTILINE)
    assert added is not None
    assert added[1] in {before.isoformat(), after.isoformat()}


def test_render_is_deterministic_and_ends_with_a_newline():
    draft = new.Draft("T", "t", TODAY, ("agents",), None, "yaml")
    assert new.render(draft) == new.render(draft)
    assert new.render(draft).endswith(
        "# notes: |\n#   Why this paper is worth reading, in Markdown.\n"
    )


# Reading paths: `papershelf new collection SLUG --title "..."`.


def test_new_collection_starts_a_path_and_says_how_to_propose_it(shelf, capsys):
    shelf.paper("first-paper", "title: First\nadded: 2025-01-02\ntags: [agents]\n")
    shelf.paper("second-paper", "title: Second\nadded: 2025-01-03\ntags: [agents]\n")
    papers = ["--paper", "second-paper", "--paper", "first-paper"]
    code = cli.main(
        ["new", "collection", "getting-started", "--title", 'Getting "started" & more', *papers]
    )
    captured = capsys.readouterr()
    assert code == 0
    path = shelf.root / "collections" / "getting-started.yml"
    assert "created collections/getting-started.yml" in captured.out
    assert "papershelf validate collections/getting-started.yml" in captured.out
    assert "open a pull request" in captured.out
    # What is still to write: the description and a note per paper.
    assert captured.err.splitlines() == [
        "to do: collections/getting-started.yml:5: description: is empty (write the description)",
        "to do: collections/getting-started.yml:8: papers.note: is empty (write the note)",
        "to do: collections/getting-started.yml:10: papers.note: is empty (write the note)",
    ]
    text = path.read_text(encoding="utf-8")
    assert 'title: "Getting \\"started\\" & more"\n' in text
    assert "  - slug: second-paper\n" in text and text.index("second") < text.index("first-")
    # Filled in, it validates: the commented hints stay comments.
    filled = text.replace('description: ""', "description: Where to start.").replace(
        'note: ""', "note: Why."
    )
    path.write_text(filled, encoding="utf-8")
    assert cli.main(["validate"]) == 0
    assert capsys.readouterr().out.splitlines() == ["2 papers OK", "1 reading path OK"]


def test_new_collection_with_a_description_and_no_paper_lists_what_to_add(shelf, capsys):
    arguments = ["new", "collection", "rlhf", "--title", "RLHF", "--description", "From zero."]
    assert cli.main(arguments) == 0
    assert capsys.readouterr().err.splitlines() == [
        "to do: collections/rlhf.yml:6: papers: a reading path needs at least one paper"
        " (write `- slug: paper-slug` and under it `  note: why to read it here`)"
    ]
    text = (shelf.root / "collections" / "rlhf.yml").read_text(encoding="utf-8")
    assert 'description: "From zero."\n' in text
    assert "  # - slug: paper-slug" in text


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["collection", "Bad_Slug", "--title", "T"],
            "'Bad_Slug' is not a valid file name for a reading path; use lowercase a-z, 0-9"
            " and -, e.g. bad-slug",
        ),
        (
            ["collection", "ok"],
            'give the path a title: papershelf new collection ok --title "..."; no file written',
        ),
        (
            ["collection", "ok", "--title", "T", "--paper", "nope"],
            "--paper: no paper 'nope' on the list (use the file name of a paper's entry in"
            " papers/, without .yaml or .md); no file written",
        ),
        (
            ["collection", "ok", "--title", "T", "--paper", "papers/a-paper.yaml"],
            "--paper: no paper 'papers/a-paper.yaml' on the list (write the slug alone:"
            " 'a-paper'); no file written",
        ),
        (
            ["collection", "ok", "--title", "T", "--paper", "a-paper", "--paper", "a-paper"],
            "--paper: 'a-paper' is given twice; list each paper once",
        ),
        (
            ["collection", "ok", "--title", "T", "--tag", "agents"],
            "--tag is for a paper, not a reading path; no file written",
        ),
        (
            ["A title", "extra"],
            "unexpected argument 'extra': give a paper's title as one argument, in quotes"
            ' (papershelf new "A title extra"), or start a reading path with papershelf new'
            ' collection SLUG --title "..."',
        ),
        (
            ["A title", "--title", "T"],
            "--title is for a reading path: papershelf new collection SLUG --title ...;"
            ' a paper\'s title is the first argument, in quotes: papershelf new "Title"',
        ),
        (
            ["A title", "--paper", "a-paper"],
            "--paper is for a reading path: papershelf new collection SLUG --paper ...",
        ),
    ],
)
def test_new_collection_refuses_bad_input_and_writes_nothing(shelf, capsys, arguments, message):
    shelf.paper("a-paper", "title: A\nadded: 2025-01-02\ntags: [agents]\n")
    assert cli.main(["new", *arguments]) == 1
    assert capsys.readouterr().err == f"papershelf new: {message}\n"
    assert not (shelf.root / "collections").exists()
    assert sorted(path.name for path in shelf.papers.iterdir()) == ["a-paper.yaml"]


def test_new_collection_never_overwrites_a_path(shelf, capsys):
    shelf.write("collections/mine.yml", "title: Mine\n")
    assert cli.main(["new", "collection", "mine", "--title", "Other"]) == 1
    assert "collections/mine.yml already exists" in capsys.readouterr().err
    assert (shelf.root / "collections" / "mine.yml").read_text() == "title: Mine\n"


def test_a_paper_titled_collection_is_still_a_paper(shelf, capsys):
    """The paper command line is unchanged: one title, in quotes, whatever its words."""
    assert run_new("collection", "--tag", "agents") == 0
    assert (shelf.papers / "collection.yaml").is_file()
    assert not (shelf.root / "collections").exists()

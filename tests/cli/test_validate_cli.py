"""``papershelf validate``: what a newcomer reads when an entry is wrong.

Each message names the file, the line, the field, what is wrong and how to fix it;
misspelt field names, link kinds and tags get a did-you-mean.
"""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest

from build_tools import cli

GOOD = "title: Good\nadded: 2025-01-02\ntags: [agents]\n"


@pytest.fixture
def shelf(project, monkeypatch):
    monkeypatch.chdir(project.root)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)  # the suite itself runs in CI
    return project


def validate(capsys, *paths: str) -> tuple[int, list[str], str]:
    code = cli.main(["validate", *paths])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def test_a_clean_folder_passes(shelf, capsys):
    shelf.paper("good", GOOD)
    shelf.paper("notes", "---\ntitle: Notes\nadded: 2025-01-03\ntags: [vision]\n---\nHi.\n", ".md")
    assert validate(capsys) == (0, ["2 papers OK"], "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "titel: Typo\nadded: 2025-01-02\ntags: [agents]\n",
            [
                "papers/p.yaml:1: titel: unknown field (did you mean 'title'?)",
                "papers/p.yaml:1: title: required field is missing (add `title: ...`)",
            ],
        ),
        (
            GOOD + "tag: [agents]\n",
            ["papers/p.yaml:4: tag: unknown field (did you mean 'tags'?)"],
        ),
        (
            "title: T\nadded: 2025-01-02\ntags:\n  - vision\n  - agent\n",
            [
                "papers/p.yaml:5: tags: unknown tag 'agent' (did you mean 'agents'?"
                " every tag is listed in tags.yml)"
            ],
        ),
        (
            "title: T\nadded: 2025-01-02\ntags: [quantum-chemistry]\n",
            [
                "papers/p.yaml:3: tags: unknown tag 'quantum-chemistry'"
                " (pick one of the tags listed in tags.yml, or add it there)"
            ],
        ),
        (
            "title: T\nadded: 2025-02-30\ntags: [agents]\n",
            [
                "papers/p.yaml:2: added: '2025-02-30' is not a valid date"
                " (use YYYY-MM-DD with a real day, e.g. 2024-02-29)"
            ],
        ),
        (
            GOOD + "links:\n  arxive: '2310.06770'\n",
            ["papers/p.yaml:5: links.arxive: unknown link kind (did you mean 'arxiv'?)"],
        ),
        (
            GOOD + "links:\n  code: github.com/x/y\n",
            [
                "papers/p.yaml:5: links.code: 'github.com/x/y' is not an http(s) link"
                " (use a full URL starting with https://)"
            ],
        ),
        (
            GOOD + "votes: many\n",
            [
                "papers/p.yaml:4: votes: 'many' is not a whole number of at least 0"
                " (write e.g. `votes: 3`)"
            ],
        ),
        (
            GOOD + "title: Again\n",
            [
                "papers/p.yaml:4: yaml: duplicate key 'title' (first on line 1) (keep one of the two)"
            ],
        ),
    ],
    ids=[
        "field-typo",
        "tags-typo",
        "tag-typo",
        "tag-unknown",
        "bad-date",
        "link-kind-typo",
        "not-a-url",
        "not-a-number",
        "duplicate-key",
    ],
)
def test_each_mistake_gets_file_line_field_and_fix(shelf, capsys, text, expected):
    shelf.paper("p", text)
    code, out, err = validate(capsys)
    assert code == 1
    assert out == expected
    counted = "1 problem" if len(expected) == 1 else f"{len(expected)} problems"
    assert err == f"{counted} found; every field is explained in CONTRIBUTING.md\n"


def test_lines_in_a_markdown_entry_count_from_the_top_of_the_file(shelf, capsys):
    shelf.paper("p", "---\ntitle: T\nadded: 2025-01-02\ntags: [agents]\nvotse: 3\n---\n", ".md")
    assert validate(capsys)[1] == ["papers/p.md:5: votse: unknown field (did you mean 'votes'?)"]


def test_a_bad_file_name_gets_the_slug_to_use(shelf, capsys):
    shelf.paper("My Paper", GOOD)
    assert validate(capsys)[1] == [
        "papers/My Paper.yaml:1: slug: file name 'My Paper' is not a valid slug"
        " (rename it to my-paper.yaml (lowercase a-z, 0-9 and -))"
    ]


def test_a_yml_file_is_told_to_be_renamed(shelf, capsys):
    shelf.paper("p", GOOD, ".yml")
    assert validate(capsys)[1] == [
        "papers/p.yml:1: file: unexpected file type '.yml' (rename it to p.yaml)"
    ]


def test_every_problem_of_every_file_is_reported_in_one_run(shelf, capsys):
    shelf.paper("a", "title: A\nadded: soon\ntags: [agents]\n")
    shelf.paper("b", GOOD)
    shelf.paper("c", "title: C\nadded: 2025-01-02\ntags: [agnets]\nvotes: -1\n")
    code, out, err = validate(capsys)
    assert code == 1
    assert [line.split(": ", 2)[:2] for line in out] == [
        ["papers/a.yaml:2", "added"],
        ["papers/c.yaml:3", "tags"],
        ["papers/c.yaml:4", "votes"],
    ]
    assert err == "3 problems found; every field is explained in CONTRIBUTING.md\n"


def test_validating_one_file_checks_only_that_file(shelf, capsys):
    shelf.paper("broken", "title: [\n")
    shelf.paper("good", GOOD)
    assert validate(capsys, "papers/good.yaml") == (0, ["1 paper OK"], "")


def test_a_duplicate_names_both_files(shelf, capsys):
    shelf.paper("old", GOOD.replace("2025-01-02", "2024-01-01"))
    shelf.paper("new", GOOD)
    assert validate(capsys)[1] == [
        "papers/new.yaml:1: title: same title as papers/old.yaml (keep one entry, delete the other)"
    ]


def test_a_broken_vocabulary_is_reported_with_its_line(shelf, capsys):
    shelf.write("tags.yml", "agents:\n  title: Agents\n  descripton: typo\n")
    shelf.paper("good", GOOD)
    out = validate(capsys)[1]
    assert "tags.yml:3: agents.descripton: unknown field (did you mean 'description'?)" in [
        line.removeprefix(str(shelf.root) + "/") for line in out
    ]


def test_on_github_actions_problems_are_also_annotations_on_the_line(shelf, capsys, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    shelf.paper("p", "title: T\nadded: 2025-01-02\ntags: [agent]\n")
    assert validate(capsys)[1] == [
        "papers/p.yaml:3: tags: unknown tag 'agent' (did you mean 'agents'?"
        " every tag is listed in tags.yml)",
        "::error file=papers/p.yaml,line=3,title=tags::unknown tag 'agent' (did you mean 'agents'?"
        " every tag is listed in tags.yml)",
    ]


def test_annotations_escape_entry_text_so_it_cannot_inject_commands():
    from build_tools.validate import github_annotation
    from papershelf.entries.model import Problem

    problem = Problem("papers/a,b:c.yaml", 2, "f", "bad 100%\n::warning::x", "fix\r")
    assert github_annotation(problem) == (
        "::error file=papers/a%2Cb%3Ac.yaml,line=2,title=f::bad 100%25%0A::warning::x (fix%0D)"
    )


def test_annotations_are_off_outside_github_actions(shelf, capsys):
    shelf.paper("p", "title: T\nadded: 2025-01-02\ntags: [agent]\n")
    assert not any(line.startswith("::") for line in validate(capsys)[1])


def test_a_tab_used_for_indentation_is_named(shelf, capsys):
    shelf.paper("p", GOOD + "links:\n\tarxiv: '2310.06770'\n")
    assert validate(capsys)[:2] == (
        1,
        ["papers/p.yaml:5: yaml: a tab is used for indentation (use spaces, not tabs)"],
    )


def test_a_tab_in_tags_yml_is_named_too(shelf, capsys):
    shelf.write("tags.yml", "agents:\n  title: Agents\n\tdescription: x\n")
    shelf.paper("good", GOOD)
    out = validate(capsys)[1]
    assert "tags.yml:3: yaml: a tab is used for indentation (use spaces, not tabs)" in out


def test_an_added_date_in_the_future_is_refused(shelf, capsys):
    shelf.paper("p", GOOD.replace("2025-01-02", "2999-01-05"))
    code, out, err = validate(capsys)
    assert code == 1
    assert out == [
        "papers/p.yaml:2: added: 2999-01-05 is in the future"
        f" (use the day the paper joins the list, e.g. {date.today().isoformat()})"
    ]
    assert err.startswith("1 problem found;")


# Duplicates in a git work tree: the file a pull request adds is the one reported.

OLD = "title: Same paper\nadded: 2025-06-01\ntags: [agents]\n"
# Added to the list later, but with an earlier `added` date (say, the publication date).
BACKDATED = "title: Same Paper\nadded: 2024-01-01\ntags: [agents]\n"


def git(root: Path, *arguments: str) -> None:
    subprocess.run(["git", "-C", str(root), *arguments], check=True, capture_output=True)


@pytest.fixture
def repo(shelf):
    """The project as a git repository with one commit holding papers/old.yaml."""
    git(shelf.root, "init", "-q", "-b", "main")
    git(shelf.root, "config", "user.name", "Test")
    git(shelf.root, "config", "user.email", "test@example.org")
    git(shelf.root, "config", "commit.gpgsign", "false")
    shelf.paper("old", OLD)
    git(shelf.root, "add", ".")
    git(shelf.root, "commit", "-q", "-m", "first")
    return shelf


def clash_reported_on(capsys, *arguments: str) -> str:
    code, out, _ = validate(capsys, *arguments)
    assert code == 1
    [line] = out
    return line.split(":", 1)[0]


def test_outside_git_the_entry_added_last_is_reported(shelf, capsys):
    shelf.paper("old", OLD)
    shelf.paper("new", BACKDATED)
    assert clash_reported_on(capsys) == "papers/old.yaml"


def test_an_untracked_entry_is_reported_not_the_committed_one(repo, capsys):
    repo.paper("new", BACKDATED)
    assert validate(capsys)[1] == [
        "papers/new.yaml:1: title: same title as papers/old.yaml (keep one entry, delete the other)"
    ]


def test_a_staged_new_entry_is_reported_not_the_committed_one(repo, capsys):
    repo.paper("new", BACKDATED)
    git(repo.root, "add", "papers/new.yaml")
    assert clash_reported_on(capsys) == "papers/new.yaml"


def test_once_both_are_committed_the_added_dates_decide_again(repo, capsys):
    repo.paper("new", BACKDATED)
    git(repo.root, "add", ".")
    git(repo.root, "commit", "-q", "-m", "second")
    assert clash_reported_on(capsys) == "papers/old.yaml"


def test_new_since_a_ref_reports_the_entries_added_after_it(repo, capsys):
    repo.paper("new", BACKDATED)
    git(repo.root, "add", ".")
    git(repo.root, "commit", "-q", "-m", "second")
    assert clash_reported_on(capsys, "--new-since", "HEAD^1") == "papers/new.yaml"
    git(repo.root, "branch", "base", "HEAD^1")
    assert clash_reported_on(capsys, "--new-since", "base") == "papers/new.yaml"


def test_new_since_counts_untracked_entries_too(repo, capsys):
    git(repo.root, "branch", "base")
    repo.paper("new", BACKDATED)
    assert clash_reported_on(capsys, "--new-since", "base") == "papers/new.yaml"


def test_new_since_works_from_another_folder(repo, capsys, monkeypatch):
    repo.paper("new", BACKDATED)
    (repo.root / "docs").mkdir()
    monkeypatch.chdir(repo.root / "docs")
    arguments = ("--papers", "../papers", "--tags", "../tags.yml", "--new-since", "HEAD")
    assert clash_reported_on(capsys, *arguments) == "../papers/new.yaml"


def test_new_since_an_unknown_ref_is_an_error(repo, capsys):
    repo.paper("new", BACKDATED)
    code, out, err = validate(capsys, "--new-since", "origin/nope")
    assert (code, out) == (2, [])
    assert err.startswith("papershelf validate: --new-since: git does not know 'origin/nope'")
    assert "git fetch" in err


def test_new_since_refuses_what_looks_like_an_option(repo, capsys):
    code, _, err = validate(capsys, "--new-since=--output=x")
    assert code == 2
    assert "git does not know '--output=x'" in err
    assert not (repo.papers / "x").exists()


def test_new_since_outside_git_is_an_error(shelf, capsys):
    code, _, err = validate(capsys, "--new-since", "HEAD")
    assert code == 2
    assert "is not a folder in a git work tree" in err


# Reading paths (collections/<slug>.yml): checked with the entries.

PATH = "title: A path\ndescription: Where to start.\npapers:\n  - slug: good\n    note: First.\n"


def test_reading_paths_are_checked_with_the_entries(shelf, capsys):
    shelf.paper("good", GOOD)
    shelf.write("collections/start.yml", PATH)
    assert validate(capsys) == (0, ["1 paper OK", "1 reading path OK"], "")
    shelf.write("collections/broken.yml", PATH.replace("slug: good", "slug: goood") + "foo: 1\n")
    shelf.paper("bad", "titel: Typo\nadded: 2025-01-02\ntags: [agents]\n")
    code, out, err = validate(capsys)
    assert code == 1
    assert out == [
        "papers/bad.yaml:1: titel: unknown field (did you mean 'title'?)",
        "papers/bad.yaml:1: title: required field is missing (add `title: ...`)",
        # A path names entries by file: the broken entry is not reported again.
        "collections/broken.yml:4: papers.slug: no paper 'goood' on the list"
        " (did you mean 'good'?)",
        "collections/broken.yml:6: foo: unknown field (allowed: title, description, papers)",
    ]
    assert err.startswith("4 problems found")


def test_a_reading_path_file_can_be_checked_alone(shelf, capsys):
    shelf.paper("good", GOOD)
    shelf.paper("bad", "titel: Typo\nadded: 2025-01-02\ntags: [agents]\n")
    shelf.write("collections/start.yml", PATH)
    assert validate(capsys, "collections/start.yml") == (0, ["1 reading path OK"], "")
    code, out, _ = validate(capsys, "collections")
    assert (code, out) == (0, ["1 reading path OK"])
    shelf.write("collections/start.yml", PATH.replace("note: First.", "note:"))
    code, out, _ = validate(capsys, "collections/start.yml")
    assert (code, out) == (
        1,
        [
            "collections/start.yml:5: papers.note: every paper on a path needs a note"
            " (add `note: ...`)"
        ],
    )


def test_reading_path_problems_become_github_annotations(shelf, capsys, monkeypatch):
    shelf.paper("good", GOOD)
    shelf.write("collections/start.yml", PATH.replace("slug: good", "slug: gone"))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, out, _ = validate(capsys)
    assert code == 1
    assert out[-1].startswith("::error file=collections/start.yml,line=4,title=papers.slug::")

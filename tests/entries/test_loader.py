"""Loading a whole papers/ folder: every problem of every file, then cross-file checks."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from papershelf.entries import strict_yaml
from papershelf.entries.loader import future_added, load_project, split_front_matter
from papershelf.entries.model import Paper


def entry(title: str, added: str = "2025-01-02", extra: str = "") -> str:
    return f"title: {title}\nadded: {added}\ntags: [agents]\n{extra}"


def test_a_clean_folder_loads_every_paper_with_its_source(project):
    project.paper("one", entry("One"))
    project.paper("two", "---\ntitle: Two\nadded: 2025-01-03\ntags: [vision]\n---\nNotes.\n", ".md")
    result = load_project(project.papers, project.tags_file)
    assert result.ok
    assert sorted(p.slug for p in result.papers) == ["one", "two"]
    assert {p.source.name for p in result.papers} == {"one.yaml", "two.md"}


def test_problems_of_all_files_are_collected_in_file_order(project):
    project.paper("a-bad", entry("A", added="yesterday"))
    project.paper("b-bad", entry("B", extra="votes: x\n"))
    project.paper("c-good", entry("C"))
    result = load_project(project.papers, project.tags_file)
    assert [(p.path.rsplit("/", 1)[1], p.field) for p in result.problems] == [
        ("a-bad.yaml", "added"),
        ("b-bad.yaml", "votes"),
    ]
    assert [p.slug for p in result.papers] == ["c-good"]


def test_vocabulary_problems_are_reported_with_entry_problems(project):
    project.write("tags.yml", "agents:\n  title: Agents\n")
    project.paper("one", entry("One"))
    result = load_project(project.papers, project.tags_file)
    assert [p.message for p in result.problems] == [
        "unknown tag 'agents'",  # the entry, because the vocabulary lost its broken tag
        "required text is missing",  # tags.yml
    ]


def test_the_same_paper_twice_is_an_error_naming_both_files(project):
    project.paper("first", entry("Attention Is All You Need"))
    project.paper("second", entry("attention is all you need!"))
    project.paper("third", entry("Other", extra="links:\n  arxiv: 2310.06770v2\n"))
    project.paper("fourth", entry("Another", extra="links:\n  arxiv: 2310.06770\n"))
    project.paper("fifth", entry("X", extra="links:\n  doi: 10.1145/ABC\n"))
    project.paper("sixth", entry("Y", extra="links:\n  doi: 10.1145/abc\n"))
    result = load_project(project.papers, project.tags_file)
    found = sorted(
        (p.path.rsplit("/", 1)[1], p.field, p.message.rsplit("/", 1)[1]) for p in result.problems
    )
    assert found == [
        ("second.yaml", "title", "first.yaml"),
        ("sixth.yaml", "links.doi", "fifth.yaml"),
        ("third.yaml", "links.arxiv", "fourth.yaml"),
    ]
    assert all(p.message.startswith("same ") for p in result.problems)


def test_a_yaml_and_a_markdown_entry_cannot_share_a_slug(project):
    project.paper("twin", entry("One"))
    project.paper("twin", "---\ntitle: Two\nadded: 2025-01-03\ntags: [vision]\n---\n", ".md")
    result = load_project(project.papers, project.tags_file)
    assert [(p.field, p.fix) for p in result.problems] == [("slug", "rename one of the files")]


def test_checking_some_paths_still_compares_them_with_the_whole_list(project):
    project.paper("old", entry("Same Title"))
    new = project.paper("new", entry("Same title"))
    result = load_project(project.papers, project.tags_file, [new])
    assert [(p.path.rsplit("/", 1)[1], p.field) for p in result.problems] == [("new.yaml", "title")]


def test_front_matter_lines_count_from_the_top_of_the_file():
    split = split_front_matter("---\n\ntitle: x\n---\nbody\n")
    assert split is not None
    front, body, offset = split
    root = strict_yaml.parse(front, line_offset=offset)
    assert isinstance(root, strict_yaml.Mapping)
    assert root.key_lines == {"title": 3}
    assert body.strip() == "body"
    assert split_front_matter("no front matter") is None


def test_an_added_date_more_than_a_day_ahead_is_in_the_future(project, monkeypatch):
    monkeypatch.chdir(project.root)
    today = date(2026, 12, 3)
    paper = project.paper("ahead", entry("Ahead", added="2027-01-05"))
    project.paper("tomorrow", entry("Tomorrow", added="2026-12-04"))  # another time zone
    project.paper("today", entry("Today", added="2026-12-03"))
    result = load_project(project.papers, project.tags_file, today=today)
    assert [str(p) for p in result.problems] == [
        "papers/ahead.yaml:2: added: 2027-01-05 is in the future"
        " (use the day the paper joins the list, e.g. 2026-12-03)"
    ]
    assert len(result.papers) == 3  # still loaded: only the date is wrong
    assert load_project(project.papers, project.tags_file, [paper], today=today).problems
    assert load_project(project.papers, project.tags_file, today=date(2027, 1, 4)).ok


def test_future_added_is_a_pure_function_of_the_papers_and_today(tmp_path):
    md = tmp_path / "late.md"
    md.write_text("---\ntitle: Late\ntags: [agents]\nadded: 2030-01-01\n---\n", encoding="utf-8")
    papers = [
        Paper("early", "Early", date(2026, 12, 4), ("agents",)),
        Paper("late", "Late", date(2030, 1, 1), ("agents",), source=md),
        Paper("no-file", "No file", date(2026, 12, 5), ("agents",)),
    ]
    found = future_added(papers, date(2026, 12, 3))
    assert [(Path(p.path).name, p.line, p.field, p.message) for p in found] == [
        ("late.md", 4, "added", "2030-01-01 is in the future"),
        ("no-file", 1, "added", "2026-12-05 is in the future"),
    ]
    assert future_added(papers, date(2030, 1, 1)) == []


def test_the_real_today_is_the_default(project):
    ahead = (date.today() + timedelta(days=400)).isoformat()
    project.paper("ahead", entry("Ahead", added=ahead))
    [problem] = load_project(project.papers, project.tags_file).problems
    assert problem.message == f"{ahead} is in the future"

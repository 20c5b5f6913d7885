"""The same paper twice is an error naming both files, at the line of the clashing field."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from papershelf.entries.loader import field_line, find_duplicates, load_project
from papershelf.entries.model import Links, Paper


def entry(title: str, added: str = "2025-01-02", links: str = "") -> str:
    return f"title: {title}\nadded: {added}\ntags: [agents]\n" + (
        f"links:\n{links}" if links else ""
    )


def problems_of(project, paths=None) -> list[str]:
    return [str(p) for p in load_project(project.papers, project.tags_file, paths).problems]


def test_same_arxiv_id_with_another_version_is_reported_at_the_links_line(project, monkeypatch):
    monkeypatch.chdir(project.root)
    project.paper("old", entry("Old", "2024-01-01", "  arxiv: 2310.06770v1\n"))
    project.paper("new", entry("New", "2025-01-01", "  code: https://x.org\n  arxiv: 2310.06770\n"))
    assert problems_of(project) == [
        "papers/new.yaml:6: links.arxiv: same arXiv id (2310.06770) as papers/old.yaml"
        " (keep one entry, delete the other)"
    ]


def test_same_doi_in_another_case(project, monkeypatch):
    monkeypatch.chdir(project.root)
    project.paper("a", entry("A", "2024-01-01", "  doi: 10.1145/ABC.Def\n"))
    project.paper("b", entry("B", "2025-01-01", "  doi: 10.1145/abc.def\n"))
    assert problems_of(project) == [
        "papers/b.yaml:5: links.doi: same DOI (10.1145/abc.def) as papers/a.yaml"
        " (keep one entry, delete the other)"
    ]


def test_same_normalised_title_is_reported_at_the_title_line_of_a_markdown_entry(
    project, monkeypatch
):
    monkeypatch.chdir(project.root)
    project.paper("tulu", entry('"TÜLU 3: Pushing Frontiers"', "2024-01-01"))
    project.paper(
        "tulu-again",
        "---\n# a comment first\ntitle: 'Tülu 3 - pushing frontiers'\nadded: 2025-01-01\n"
        "tags: [agents]\n---\nNotes.\n",
        ".md",
    )
    assert problems_of(project) == [
        "papers/tulu-again.md:3: title: same title as papers/tulu.yaml"
        " (keep one entry, delete the other)"
    ]


def test_the_entry_added_last_is_the_one_reported_whatever_the_file_names(project):
    # "a-new" sorts first by name but was added later: the newcomer gets the error.
    project.paper("z-old", entry("Same", "2024-01-01"))
    project.paper("a-new", entry("Same", "2025-06-01"))
    [problem] = load_project(project.papers, project.tags_file).problems
    assert problem.path.endswith("a-new.yaml")
    assert problem.message.endswith("z-old.yaml")


def test_checking_only_the_new_file_still_finds_the_clash_when_it_sorts_first(project):
    project.paper("z-old", entry("Same title", "2024-01-01"))
    new = project.paper("a-new", entry("Same Title", "2025-06-01"))
    problems = load_project(project.papers, project.tags_file, [new]).problems
    assert [(p.path.rsplit("/", 1)[1], p.line, p.field) for p in problems] == [
        ("a-new.yaml", 1, "title")
    ]
    assert problems[0].message.endswith("z-old.yaml")


def test_checking_an_unrelated_file_reports_no_clash_of_others(project):
    project.paper("one", entry("Same", "2024-01-01"))
    project.paper("two", entry("Same", "2024-01-02"))
    other = project.paper("three", entry("Different", "2024-01-03"))
    assert load_project(project.papers, project.tags_file, [other]).problems == []


def test_each_kind_of_clash_is_its_own_problem(project):
    project.paper("a", entry("Same", "2024-01-01", "  arxiv: '1706.03762'\n"))
    project.paper("b", entry("Same", "2025-01-01", "  arxiv: '1706.03762v7'\n"))
    fields = [p.field for p in load_project(project.papers, project.tags_file).problems]
    assert fields == ["title", "links.arxiv"]


def test_find_duplicates_reports_the_later_paper_and_tolerates_papers_without_files():
    def paper(slug: str, title: str, arxiv: str | None = None) -> Paper:
        return Paper(slug, title, date(2025, 1, 1), ("agents",), links=Links(arxiv=arxiv))

    problems = find_duplicates([paper("a", "A", "2401.00001"), paper("b", "B", "2401.00001v3")])
    assert [(p.path, p.line, p.field, p.message) for p in problems] == [
        ("b", 1, "links.arxiv", "same arXiv id (2401.00001) as a")
    ]


def test_field_line_falls_back_to_line_one(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("title: [unclosed\n", encoding="utf-8")
    good = tmp_path / "good.yaml"
    good.write_text("added: 2025-01-01\ntitle: X\nlinks:\n  doi: 10.1/x\n", encoding="utf-8")
    assert field_line(broken, "title") == 1
    assert field_line(tmp_path / "missing.yaml", "title") == 1
    assert field_line(good, "slug") == 1
    assert (field_line(good, "title"), field_line(good, "links.doi")) == (2, 4)
    assert field_line(good, "links.arxiv") == 3  # the links block, the nearest line known


def test_entries_named_newest_are_reported_whatever_their_added_date(project):
    # "z-new" is the file a pull request adds, dated earlier (say, by its publication day).
    project.paper("a-old", entry("Same", "2025-06-01"))
    new = project.paper("z-new", entry("Same", "2024-01-01"))
    assert load_project(project.papers, project.tags_file).problems[0].path.endswith("a-old.yaml")
    [problem] = load_project(project.papers, project.tags_file, newest={new}).problems
    assert problem.path.endswith("z-new.yaml")
    assert problem.message.endswith("a-old.yaml")


def test_newest_paths_may_be_given_another_way(project, monkeypatch):
    monkeypatch.chdir(project.root)
    project.paper("a-old", entry("Same", "2025-06-01"))
    project.paper("z-new", entry("Same", "2024-01-01"))
    newest = [Path("papers/../papers/z-new.yaml"), Path("papers/not-there.yaml")]
    assert problems_of_newest(project, newest) == ["papers/z-new.yaml"]


def test_among_several_newest_the_added_date_decides(project):
    project.paper("a-old", entry("Same", "2023-01-01"))
    one = project.paper("b-new", entry("Same", "2025-01-01"))
    two = project.paper("c-new", entry("Same", "2024-01-01"))
    found = load_project(project.papers, project.tags_file, newest=[one, two]).problems
    assert sorted((p.path.rsplit("/", 1)[1], p.message.rsplit("/", 1)[1]) for p in found) == [
        ("b-new.yaml", "a-old.yaml"),
        ("c-new.yaml", "a-old.yaml"),
    ]


def test_validating_a_folder_reports_the_entry_added_last(project):
    # Given as paths (the folder itself), the entries are still ordered by date.
    project.paper("z-old", entry("Same", "2024-01-01"))
    project.paper("a-new", entry("Same", "2025-06-01"))
    [problem] = load_project(project.papers, project.tags_file, [project.papers]).problems
    assert problem.path.endswith("a-new.yaml")


def problems_of_newest(project, newest) -> list[str]:
    return [p.path for p in load_project(project.papers, project.tags_file, newest=newest).problems]

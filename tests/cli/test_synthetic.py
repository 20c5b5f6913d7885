"""The benchmark's synthetic reading lists: valid, realistic in proportion, repeatable."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from build_tools import synthetic
from papershelf.entries.loader import load_project


def test_a_generated_project_loads_without_a_single_problem(tmp_path: Path):
    project = synthetic.generate(tmp_path, 300, seed=3)
    result = load_project(project.papers_dir, project.tags_file)
    assert result.problems == []
    assert len(result.papers) == 300
    assert len(result.vocabulary.tags) == 40
    assert sorted(p.slug for p in result.papers) == sorted(project.slugs)


def test_entries_look_like_a_real_list(tmp_path: Path):
    project = synthetic.generate(tmp_path, 400)
    papers = load_project(project.papers_dir, project.tags_file).papers
    abstracts = [len(p.abstract.encode()) for p in papers]
    assert 1400 <= sum(abstracts) / len(abstracts) <= 1800  # about 1.5 kB
    assert {len(p.tags) for p in papers} == {1, 2, 3, 4, 5}
    assert len({tag for p in papers for tag in p.tags}) == 40
    published = [p.published for p in papers if p.published]
    assert min(published) >= date(2021, 1, 1)
    assert max(published) <= date(2025, 12, 31)
    assert (max(published) - min(published)).days > 4 * 365
    assert all(p.added >= p.published for p in papers if p.published)
    with_notes = [p for p in papers if p.notes]
    assert 0.05 < len(with_notes) / len(papers) < 0.3
    assert all(p.source is not None and p.source.suffix == ".md" for p in with_notes)
    with_org = [p for p in papers if p.organization]
    assert 0.2 < len(with_org) / len(papers) < 0.6
    # Text that must be escaped on the way to HTML, XML and JSON.
    assert any("&" in p.abstract and "<long>" in p.abstract for p in papers)


def test_the_same_seed_writes_the_same_bytes_and_another_seed_does_not(tmp_path: Path):
    def files(root: Path, seed: int) -> dict[str, bytes]:
        project = synthetic.generate(root, 50, seed=seed)
        return {p.name: p.read_bytes() for p in project.papers_dir.iterdir()}

    first = files(tmp_path / "a", 7)
    assert files(tmp_path / "b", 7) == first
    assert files(tmp_path / "c", 8) != first


def test_the_baseline_page_carries_the_same_paper_as_markdown():
    item = next(synthetic.papers(1))
    page = item.markdown_page()
    assert page.startswith(f"# {item.title}\n")
    assert item.abstract in page
    assert f"https://arxiv.org/abs/{item.arxiv}" in page

"""Where papers go after an edit that moves them: the lists come from the snapshot's
placements, and a paper that moves along the list changes its neighbours' pages."""

from __future__ import annotations

from datetime import date

from papershelf.entries.model import Tag
from papershelf.speed.placements import moved_neighbours, placed_catalog

TAGS = {"agents": Tag(id="agents", title="Agents", description="Agents.")}


def row(slug: str, added: date, tags: tuple[str, ...] = ("agents",)) -> list[object]:
    return [slug, added.toordinal(), None, list(tags), None, None, None]


def test_the_same_order_moves_no_neighbour():
    assert moved_neighbours([2, 0, 1], [2, 0, 1]) == set()


def test_a_paper_moved_to_the_top_changes_its_old_and_new_neighbours():
    # 0 1 2 3 4 -> 3 0 1 2 4: 3 moves up; 0 gets a newer one, 2 and 4 lose 3 beside them.
    assert moved_neighbours([0, 1, 2, 3, 4], [3, 0, 1, 2, 4]) == {3, 0, 2, 4}


def test_two_neighbours_swapped_change_the_papers_around_them():
    assert moved_neighbours([0, 1, 2, 3], [0, 2, 1, 3]) == {0, 1, 2, 3}
    assert moved_neighbours([0, 1, 2, 3, 4, 5], [0, 1, 3, 2, 4, 5]) == {1, 2, 3, 4}


def test_the_placed_catalog_orders_papers_by_date_and_keeps_their_numbers():
    rows = [
        row("alpha", date(2025, 1, 1)),
        row("beta", date(2025, 3, 1)),
        row("gamma", date(2025, 2, 1)),
    ]
    catalog = placed_catalog(rows, TAGS)
    assert [(paper.number, paper.slug) for paper in catalog.papers] == [
        (1, "beta"),
        (2, "gamma"),
        (0, "alpha"),
    ]
    rows[0] = row("alpha", date(2025, 4, 1))
    moved = placed_catalog(rows, TAGS)
    assert [paper.number for paper in moved.papers] == [0, 1, 2]
    assert [paper.number for paper in moved.by_tag["agents"]] == [0, 1, 2]

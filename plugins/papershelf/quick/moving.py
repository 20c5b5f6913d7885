"""The lists after edits that move papers, for a quick build (papershelf.quick)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Any

from papershelf.catalog import Catalog, Month
from papershelf.feeds import entry_datetime
from papershelf.kit import KitReader, hollow_catalog
from papershelf.model import Tag
from papershelf.moves import moved_neighbours, placed_catalog, placement_row
from papershelf.pages import INDEX, list_groups, month_group
from papershelf.quick.edits import Edit, placement


@dataclass
class Moves:
    """The lists after edits that move papers (papershelf.moves), and the groups of
    pages (papershelf.pages.PageSpec.group) they can change."""

    rows: list[Any]  # placements by paper number (papershelf.moves.placement_row)
    placed: Catalog  # of papershelf.moves.Placed
    by_number: list[Any]  # the same stand-ins by paper number
    hollow: dict[str, Any]  # papershelf.kit.hollow_catalog of it
    numbers: dict[int, int]  # id of each stand-in -> its paper number (papershelf.kit.encode)
    groups: set[str]
    neighbours: set[int]  # papers whose newer or older neighbour changed
    newest: datetime

    @classmethod
    def of(cls, reader: KitReader, tags: dict[str, Tag], edits: list[Edit]) -> Moves | None:
        """None when no edit moves its paper."""
        moved = [(old, new) for _, old, new in edits if placement(old) != placement(new)]
        if not moved:
            return None
        rows = list(reader.part("placements"))
        for number, _, new in edits:
            rows[number] = placement_row(new)
        placed = placed_catalog(rows, tags)
        groups = {INDEX}
        for old, new in moved:
            groups |= list_groups(old) | list_groups(new)
        # A date that moves a paper past others: the pages of its old and new
        # neighbours in the list link to other papers now.
        order = [paper.number for paper in placed.papers]
        neighbours = moved_neighbours(reader.kit.catalog["papers"], order)
        # A month that appears or goes: the pages of the months beside it link to it.
        months_then = sorted((year, month) for year, month, _ in reader.kit.catalog["by_month"])
        months_now = sorted((month.year, month.month) for month in placed.by_month)
        for year, month in moved_neighbours(months_then, months_now):
            groups.add(month_group(Month(year, month)))
        newest = reader.kit.newest_time()
        if any((old.added, old.published) != (new.added, new.published) for old, new in moved):
            newest = max(map(entry_datetime, placed.papers))  # type: ignore[arg-type]
        numbers = {id(paper): paper.number for paper in placed.papers}
        by_number = sorted(placed.papers, key=attrgetter("number"))
        hollow = hollow_catalog(placed, numbers)
        return cls(rows, placed, by_number, hollow, numbers, groups, neighbours, newest)

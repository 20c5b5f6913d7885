"""The lists after edits that move papers, for a quick build (papershelf.speed.quick)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Any

from papershelf.entries.model import Tag
from papershelf.site.catalog import Catalog, Month
from papershelf.site.feeds import entry_datetime
from papershelf.site.pages import INDEX, list_groups, month_group
from papershelf.speed.placements import moved_neighbours, placed_catalog, placement_row
from papershelf.speed.quick.edits import Edit, placement
from papershelf.speed.snapshot import SnapshotReader, numbered_catalog


@dataclass
class Moves:
    """The lists after edits that move papers (papershelf.speed.placements), and the groups of
    pages (papershelf.site.pages.PageSpec.group) they can change."""

    rows: list[Any]  # placements by paper number (papershelf.speed.placements.placement_row)
    placed: Catalog  # of papershelf.speed.placements.Placement
    by_number: list[Any]  # the same stand-ins by paper number
    hollow: dict[str, Any]  # papershelf.speed.snapshot.numbered_catalog of it
    numbers: dict[
        int, int
    ]  # id of each stand-in -> its paper number (papershelf.speed.snapshot.encode)
    groups: set[str]
    neighbours: set[int]  # papers whose newer or older neighbour changed
    newest: datetime

    @classmethod
    def of(cls, reader: SnapshotReader, tags: dict[str, Tag], edits: list[Edit]) -> Moves | None:
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
        neighbours = moved_neighbours(reader.snapshot.catalog["papers"], order)
        # A month that appears or goes: the pages of the months beside it link to it.
        months_then = sorted(
            (year, month) for year, month, _ in reader.snapshot.catalog["by_month"]
        )
        months_now = sorted((month.year, month.month) for month in placed.by_month)
        for year, month in moved_neighbours(months_then, months_now):
            groups.add(month_group(Month(year, month)))
        newest = reader.snapshot.newest_time()
        if any((old.added, old.published) != (new.added, new.published) for old, new in moved):
            newest = max(map(entry_datetime, placed.papers))  # type: ignore[arg-type]
        numbers = {id(paper): paper.number for paper in placed.papers}
        by_number = sorted(placed.papers, key=attrgetter("number"))
        hollow = numbered_catalog(placed, numbers)
        # Edits that change a citation key are not quick (edits.check_citation_keys).
        hollow["citation_keys"] = reader.snapshot.catalog["citation_keys"]
        hollow["on_paths"] = reader.snapshot.catalog["on_paths"]
        return cls(rows, placed, by_number, hollow, numbers, groups, neighbours, newest)

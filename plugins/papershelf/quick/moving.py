"""The lists after edits that move papers, for a quick build (papershelf.quick)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from papershelf.catalog import Catalog
from papershelf.feeds import entry_datetime
from papershelf.kit import KitReader, hollow_catalog
from papershelf.model import Tag
from papershelf.moves import keeps_order, placed_catalog, placement_row
from papershelf.pages import INDEX, list_groups
from papershelf.quick.edits import Edit, NotQuickError, placement


@dataclass
class Moves:
    """The lists after edits that move papers (papershelf.moves), and the groups of
    pages (papershelf.pages.PageSpec.group) they can change."""

    rows: list[Any]  # placements by paper number (papershelf.moves.placement_row)
    placed: Catalog  # of papershelf.moves.Placed
    hollow: dict[str, Any]  # papershelf.kit.hollow_catalog of it
    numbers: dict[int, int]  # id of each stand-in -> its paper number (papershelf.kit.encode)
    groups: set[str]
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
        if not keeps_order(placed):
            raise NotQuickError("an edit changes the order of the list")
        groups = {INDEX}
        for old, new in moved:
            groups |= list_groups(old) | list_groups(new)
        newest = reader.kit.newest_time()
        if any((old.added, old.published) != (new.added, new.published) for old, new in moved):
            newest = max(map(entry_datetime, placed.papers))  # type: ignore[arg-type]
        numbers = {id(paper): paper.number for paper in placed.papers}
        return cls(rows, placed, hollow_catalog(placed, numbers), numbers, groups, newest)

"""Paper cards rendered once, not once per list they appear in.

A card differs between lists only in ``base``, the way back to the site root, so it is
rendered once with the placeholder ``<ps-base>``, which each page replaces.
Details: docs/architecture.md, "Cards".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jinja2
from markupsafe import Markup

from papershelf.entries.model import Paper
from papershelf.site.catalog import Catalog

MACROS = "papershelf/macros.html"
BASE = Markup("<ps-base>")


class CardCache:
    """``papershelf_card(paper, base, catalog, level, added)`` for templates: the
    ``card`` macro of :data:`MACROS`, rendered once per paper and variant.

    Kept across builds (``mkdocs serve``): a card is rendered again when its paper
    changes, when the vocabulary changes (tag titles) or when the macros file does.
    """

    def __init__(self, env: jinja2.Environment) -> None:
        self.env = env
        self._cards: dict[tuple[Paper, int, bool], str] = {}
        self._macros: jinja2.Template | None = None
        self._tags: dict[str, Any] = {}
        self.rendered = 0  # cards rendered, for tests
        # Rendered in this build, not given (:meth:`give`): what a quick rebuild keeps.
        self.fresh: dict[tuple[Paper, int, bool], str] = {}
        # A quick rebuild lists papershelf.speed.placements.Placement stand-ins: the paper to make a
        # card of when the snapshot has none for one.
        self.resolve: Callable[[Any], Paper] | None = None

    def start_build(self, catalog: Catalog) -> None:
        """Call once per build, before rendering: keeps the cards that are still valid
        (same macros file, same tag titles, paper still listed), drops the rest."""
        self.fresh = {}
        macros = self.env.get_template(MACROS)  # a new object when the file changed
        if macros is not self._macros or catalog.tags != self._tags:
            self._cards.clear()
        else:
            listed = set(catalog.papers)
            for key in [key for key in self._cards if key[0] not in listed]:
                del self._cards[key]
        self._macros, self._tags = macros, dict(catalog.tags)

    def __call__(
        self, paper: Paper, base: str, catalog: Catalog, level: int = 2, added: bool = False
    ) -> Markup:
        key = (paper, level, added)
        card = self._cards.get(key)
        if card is None:
            if self._macros is None:
                self.start_build(catalog)
            assert self._macros is not None
            subject = paper if self.resolve is None else self.resolve(paper)
            card = str(self._macros.module.card(subject, BASE, catalog, level, added))
            self._cards[key] = card
            self.fresh[key] = card
            self.rendered += 1
        return Markup(card.replace(BASE, base))

    def cards(self) -> dict[tuple[Paper, int, bool], str]:
        """Every card known: (paper, level, added) -> its HTML with the placeholder."""
        return dict(self._cards)

    def give(self, cards: dict[tuple[Paper, int, bool], str]) -> None:
        """Cards made before, for papers as they are now (after :meth:`start_build`):
        a quick rebuild takes them from the snapshot instead of rendering them again."""
        self._cards.update(cards)

"""Related papers kept between the rebuilds of ``mkdocs serve``.

Working out every paper's related papers takes 1.4 s at 10,000 papers
(papershelf.site.related). Most edits cannot change any of them: notes, links, dates,
or words no other paper has (``keeps_relations``, the rule quick builds follow). Serve
plans the whole site after every edit, so it keeps the last result and works it out
again only when the papers came, went or changed in a way that may change it.
"""

from __future__ import annotations

from collections.abc import Sequence

from papershelf.entries.model import Paper
from papershelf.site.related import METHOD, Relations, count_edit, relations, same_terms


class KeptRelations:
    """:func:`papershelf.site.related.relations`, remembered across rebuilds."""

    def __init__(self) -> None:
        self._papers: dict[str, Paper] = {}
        self._limit = -1
        self._found: Relations | None = None

    def __call__(self, papers: Sequence[Paper], limit: int) -> Relations:
        by_slug = {paper.slug: paper for paper in papers}
        found = self._found
        if found is not None and limit == self._limit and by_slug.keys() == self._papers.keys():
            edits = [
                (self._papers[slug], paper)
                for slug, paper in by_slug.items()
                if not same_terms(self._papers[slug], paper)
            ]
            frequencies = dict(found.frequencies)
            for old, new in edits:
                if not count_edit(old, new, frequencies, len(papers), METHOD):
                    break
            else:
                self._papers = by_slug
                self._found = Relations(found.related, frequencies)
                return self._found
        self._papers, self._limit = by_slug, limit
        self._found = relations(papers, METHOD, limit)
        return self._found

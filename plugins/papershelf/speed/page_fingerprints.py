"""What each generated page is made from, as one comparable value (its fingerprint):
an unchanged fingerprint means an unchanged page. ``mkdocs serve --dirty`` and the
incremental ``papershelf build`` rewrite only pages whose fingerprint changed, and
the quick build plans pages by the same rule (docs/architecture.md).

Pages that read the whole catalog depend only on the parts of it their template
reads (:data:`CATALOG_READS`); tests/speed/test_page_reads.py fails when a template reads
a part that this table does not name.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from dataclasses import fields, is_dataclass
from typing import Any

from papershelf.entries.model import Paper
from papershelf.site.catalog import Catalog
from papershelf.site.pages import PageSpec
from papershelf.speed.placements import Placement

log = logging.getLogger("mkdocs.plugins.papershelf")


_MISSING = object()


class PageFingerprints:
    """Keys of the generated pages in this build and in the last finished one.

    With ``digest`` (an incremental ``papershelf build``, papershelf.speed.build_state) keys
    are kept as digests, which a later process can compare with."""

    def __init__(self, digest: Callable[[Hashable], Hashable] | None = None) -> None:
        self.previous: dict[str, Hashable] = {}
        self.previous_build: tuple[Hashable, ...] = ()
        self.current: dict[str, Hashable] = {}
        self.build: tuple[Hashable, ...] = ()
        self._digest = digest
        self._answers: dict[str, bool] = {}
        self._all = True

    def start(self, build: Hashable) -> None:
        """A new build; ``build`` is what every page depends on (site, templates,
        vocabulary)."""
        self.current = {}
        self.build = (self._kept(build),)
        self._answers: dict[str, bool] = {}
        self._all = self._build_changed()

    def extend(self, build: Hashable) -> None:
        """More that every page depends on, known later (the theme's shells). Until
        then pages are compared on what is known so far."""
        self.build = (*self.build, self._kept(build))
        self._answers = {}
        self._all = self._build_changed()

    @property
    def all_modified(self) -> bool:
        """Whether something every page depends on changed (or there is no last build)."""
        return self._all

    def _build_changed(self) -> bool:
        return not self.previous_build or self.build != self.previous_build[: len(self.build)]

    def _kept(self, key: Hashable) -> Hashable:
        return key if self._digest is None else self._digest(key)

    def add(self, url: str, key: Hashable) -> None:
        self.current[url] = self._kept(key)

    def modified(self, url: str) -> bool:
        answer = self._answers.get(url)
        if answer is None:
            answer = self._all or self.current.get(url, _MISSING) != self.previous.get(
                url, _MISSING
            )
            self._answers[url] = answer
        return answer

    def removed(self) -> list[str]:
        """URLs of the last build that this one no longer has."""
        return sorted(set(self.previous) - set(self.current))

    def finish(self) -> None:
        """The build succeeded: its keys are what the next one compares with."""
        self.previous, self.previous_build = self.current, self.build

    def forget(self) -> None:
        """The build failed halfway: the next one rebuilds everything."""
        self.previous, self.previous_build = {}, ()


# The parts of catalog_fingerprint that a template with the whole catalog in its context
# reads; a template not named here reads every part. A tag edit then leaves the
# archive's index alone (it shows counts per year and month, not per tag).
CATALOG_READS: dict[str, frozenset[str]] = {
    "papershelf/archive-index.html": frozenset({"papers", "undated", "by_year", "by_month"}),
    "papershelf/tag-index.html": frozenset({"by_tag"}),
    "papershelf/org-index.html": frozenset({"by_org"}),
    "papershelf/home.html": frozenset({"papers", "by_tag", "by_year", "by_org"}),
    "papershelf/data.html": frozenset({"papers", "by_tag"}),
}


def reads_changed(
    template: str,
    before: tuple[tuple[str, Hashable], ...],
    after: tuple[tuple[str, Hashable], ...],
) -> bool:
    """Whether a template given the whole catalog reads a part of its shape
    (:func:`catalog_fingerprint`) that differs between ``before`` and ``after``."""
    reads = CATALOG_READS.get(template)
    return any(
        old != new and (reads is None or old[0] in reads)
        for old, new in zip(before, after, strict=True)
    )


# The named parts of catalog_fingerprint, in order: each a function of the catalog.
# tests/speed/test_page_reads.py runs them on a recording catalog to learn what each covers.
CATALOG_PARTS: dict[str, Callable[[Catalog], Hashable]] = {
    "papers": lambda catalog: len(catalog.papers),
    "undated": lambda catalog: len(catalog.undated),
    "by_tag": lambda catalog: tuple((tag, len(papers)) for tag, papers in catalog.by_tag.items()),
    "by_year": lambda catalog: tuple(
        (year, len(papers)) for year, papers in catalog.by_year.items()
    ),
    "by_month": lambda catalog: tuple(
        (month.key, len(papers)) for month, papers in catalog.by_month.items()
    ),
    "by_org": lambda catalog: tuple(  # with the organisations' names
        (key, catalog.org_names.get(key), len(papers)) for key, papers in catalog.by_org.items()
    ),
}


def catalog_fingerprint(catalog: Catalog) -> tuple[tuple[str, Hashable], ...]:
    """What templates read from a whole catalog in their context: names and counts
    (papers per tag, year, month and organisation), as named parts
    (:data:`CATALOG_PARTS`). Paper contents reach a page only through the papers in
    its own context. A template that starts reading more through ``catalog`` must
    extend this and :data:`CATALOG_READS` (tests/speed/test_page_reads.py records what
    every template reads; ``tests/plugin/test_serve_dirty.py`` checks that an unchanged key
    means an unchanged page, for every page and kind of edit)."""
    return tuple((name, part(catalog)) for name, part in CATALOG_PARTS.items())


def page_fingerprint(
    spec: PageSpec,
    catalog_parts: tuple[tuple[str, Hashable], ...],
    paper_fingerprint: Callable[[Paper], Hashable] | None = None,
) -> Hashable:
    """Everything a page is made from, as one comparable value: an unchanged key means
    an unchanged page (``mkdocs serve --dirty`` rewrites only pages whose key changed).

    Papers compare by value (and, unchanged, are the very same objects between
    builds), or by ``paper_fingerprint`` (a digest, for a key kept on disk; a quick rebuild
    plans list pages with papershelf.speed.placements.Placement stand-ins); pagers, months
    and tags become tuples; a whole ``Catalog`` in the context stands for
    the parts of ``catalog_parts`` (:func:`catalog_fingerprint`) its template reads
    (:data:`CATALOG_READS`). The tags of the catalog every template is given are part
    of the build's own key.
    """
    reads = CATALOG_READS.get(spec.template)
    shape = catalog_parts if reads is None else tuple(p for p in catalog_parts if p[0] in reads)

    def frozen(value: Any) -> Hashable:
        kind = type(value)
        if kind is Paper or kind is Placement:
            return value if paper_fingerprint is None else paper_fingerprint(value)
        if kind is str or value is None:
            return value
        if kind is list or kind is tuple:
            if value and type(value[0]) in (Paper, Placement):  # lists of papers hold only papers
                if paper_fingerprint is None:
                    return tuple(value)
                return tuple(map(paper_fingerprint, value))
            return tuple(frozen(item) for item in value)
        if isinstance(value, Catalog):
            return shape
        if kind is dict:
            return tuple((key, frozen(item)) for key, item in value.items())
        if is_dataclass(value):  # Pager, Month, Tag: made anew each build
            return (kind.__name__, *(frozen(getattr(value, f.name)) for f in fields(value)))
        return value  # int, bool

    return (spec.template, spec.title, spec.description, spec.feed_tags, frozen(spec.context))

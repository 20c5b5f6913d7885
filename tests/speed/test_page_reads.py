"""What a page reads from the catalog is checked, not trusted to a hand-kept table.

Every template is given the whole catalog (papershelf.site.rendering.BodyRenderer),
but a page's key (papershelf.speed.page_fingerprints.page_fingerprint) holds only the
vocabulary (part of every build's key) and, for a page with the catalog in its
context, the parts of ``catalog_fingerprint`` that ``CATALOG_READS`` names for its
template. Quick and dirty builds rewrite only pages whose key changed, so a template
that reads more of the catalog than its key covers leaves stale pages behind.

Here every planned page is rendered with the real templates and a catalog that
records what is read from it: which field, and how (its names, its counts, or the
papers and values in it). What each part of the fingerprint covers is learnt the same
way, by running the part (``CATALOG_PARTS``) on a recording catalog.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date
from functools import cache
from typing import Any, ClassVar

import jinja2
import pytest

from papershelf.entries.model import Links, Paper, Tag
from papershelf.site.catalog import Catalog, build_catalog
from papershelf.site.pages import PageSpec, Settings, home_spec, plan_pages
from papershelf.site.rendering import BodyRenderer, fragment_environment
from papershelf.speed.page_fingerprints import CATALOG_PARTS, CATALOG_READS

# A read of the catalog: (field, how). How is "names" (keys, their order and number),
# "counts" (how many papers a list holds) or "contents" (the papers or values
# themselves). A Catalog method or property is followed into the fields it reads.
Read = tuple[str, str]

# Every page's key holds the vocabulary (papershelf.plugin.hooks: the build's own key
# holds catalog.tags; a quick build needs tags.yml unchanged).
BUILD_KEY: frozenset[Read] = frozenset({("tags", "names"), ("tags", "contents")})

SITE = {"site_name": "Shelf", "site_description": "A shelf."}

TAGS = {
    "agents": Tag("agents", "Agents", "About agents."),
    "vision": Tag("vision", "Vision", "Seeing."),
    "reasoning": Tag("reasoning", "Reasoning", "Thinking."),
    "audio": Tag("audio", "Audio", "No papers yet."),
}


def shelf() -> list[Paper]:
    """Papers over two years and three months, two organisations (one named by id),
    one undated paper, with and without links and votes; one tag has no papers."""

    def paper(n: int, published: date | None, tags: tuple[str, ...], **more: Any) -> Paper:
        return Paper(
            slug=f"p{n}",
            title=f"Paper {n}",
            added=date(2025, 1, 1 + n),
            published=published,
            tags=tags,
            abstract=f"Abstract {n}.",
            **more,
        )

    return [
        paper(0, date(2023, 11, 2), ("agents",), organization="Lab A", votes=3),
        paper(1, date(2024, 2, 1), ("agents", "vision"), links=Links(arxiv="2402.00001")),
        paper(2, date(2024, 2, 9), ("agents", "reasoning"), organization="Lab B", votes=9),
        paper(3, date(2024, 5, 1), ("vision",), organization="B", organization_id="Lab B"),
        paper(4, None, ("agents",), authors=("Ada", "Alan"), notes="Read *this*."),
        paper(5, date(2024, 5, 20), ("reasoning", "agents"), author_count=7, votes=1),
    ]


CATALOGS: dict[str, Callable[[], Catalog]] = {
    "a small shelf": lambda: build_catalog(shelf(), TAGS),
    "an empty shelf": lambda: build_catalog([], TAGS),  # the "nothing yet" branches
}
SETTINGS = Settings(page_size=2, home_recent=3)  # second pages of lists too


# -- The recording catalog -------------------------------------------------------


class _Recorded:
    """Base of the recording views: forwards to the value, records every use."""

    def __init__(self, value: Any, field: str, reads: set[Read]) -> None:
        self._value, self._field, self._reads = value, field, reads

    def _read(self, how: str) -> None:
        self._reads.add((self._field, how))

    def __repr__(self) -> str:
        self._read("contents")
        return repr(self._value)

    __str__ = __repr__

    def __getattr__(self, name: str) -> Any:  # any other method of the list or dict
        if name.startswith("__"):
            raise AttributeError(name)
        self._read("contents")
        return getattr(self._value, name)


class RecordedList(_Recorded):
    """A list of papers: its length is a count, anything else reads its papers."""

    def __len__(self) -> int:
        self._read("counts")
        return len(self._value)

    def __bool__(self) -> bool:
        return len(self) > 0

    def __iter__(self) -> Iterator[Any]:
        self._read("contents")
        return iter(self._value)

    def __getitem__(self, index: Any) -> Any:
        self._read("contents")
        return self._value[index]

    def __contains__(self, item: object) -> bool:
        self._read("contents")
        return item in self._value


class RecordedMapping(_Recorded):
    """A dict: its keys are names; its values are contents, or, when they are lists
    of papers (``lists``), recorded lists whose lengths are counts."""

    def __init__(self, value: Any, field: str, reads: set[Read], *, lists: bool) -> None:
        super().__init__(value, field, reads)
        self._lists = lists

    def _item(self, value: Any) -> Any:
        if self._lists:
            return RecordedList(value, self._field, self._reads)
        self._read("contents")
        return value

    def __len__(self) -> int:
        self._read("names")
        return len(self._value)

    def __bool__(self) -> bool:
        return len(self) > 0

    def __iter__(self) -> Iterator[Any]:
        self._read("names")
        return iter(self._value)

    def __contains__(self, key: object) -> bool:
        self._read("names")
        return key in self._value

    def keys(self) -> Any:
        self._read("names")
        return self._value.keys()

    def __getitem__(self, key: Any) -> Any:
        self._read("names")
        return self._item(self._value[key])

    def get(self, key: Any, default: Any = None) -> Any:
        self._read("names")
        return self._item(self._value[key]) if key in self._value else default

    def values(self) -> list[Any]:
        self._read("names")
        return [self._item(value) for value in self._value.values()]

    def items(self) -> list[tuple[Any, Any]]:
        self._read("names")
        return [(key, self._item(value)) for key, value in self._value.items()]


def _holds_paper_lists(annotation: Any) -> bool:
    """dict[..., list[Paper]] (by_tag, by_year, by_month, by_org)."""
    if typing.get_origin(annotation) is not dict:
        return False
    value = typing.get_args(annotation)[1]
    return typing.get_origin(value) is list


class RecordingCatalog:
    """Stands in for a :class:`Catalog` and records (in :attr:`reads`) what is read.

    Fields are recorded views; methods and properties run Catalog's own code against
    this recorder, so their reads are the fields they use; the attributes
    ``Catalog.__post_init__`` derives count as the reads it made to derive them; any
    other attribute is a read of its contents (never covered by a page key)."""

    _hints: ClassVar[dict[str, Any]] = typing.get_type_hints(Catalog)
    _fields: ClassVar[set[str]] = {field.name for field in dataclasses.fields(Catalog)}

    def __init__(self, catalog: Catalog) -> None:
        self.__dict__.update(_catalog=catalog, reads=set(), _derived={})
        Catalog.__post_init__(self)  # type: ignore[arg-type]
        derived_from = frozenset(self.reads)
        self._derived.update({name: (v, derived_from) for name, (v, _) in self._derived.items()})
        self.reads.clear()

    def __repr__(self) -> str:  # the whole catalog printed
        self.reads.add(("repr", "contents"))
        return repr(self._catalog)

    __str__ = __repr__

    def __setattr__(self, name: str, value: Any) -> None:  # from Catalog.__post_init__ only
        self._derived[name] = (value, frozenset())

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        catalog: Catalog = self._catalog
        if name in self._fields:
            value = getattr(catalog, name)
            if isinstance(value, dict):
                lists = _holds_paper_lists(self._hints[name])
                return RecordedMapping(value, name, self.reads, lists=lists)
            if isinstance(value, list):
                return RecordedList(value, name, self.reads)
        if name in self._derived:
            value, derived_from = self._derived[name]
            self.reads.update(derived_from)
            return value
        member = getattr(Catalog, name, None)
        if isinstance(member, property) and member.fget is not None:
            return member.fget(self)
        if isinstance(member, types.FunctionType):
            return types.MethodType(member, self)
        self.reads.add((name, "contents"))
        return getattr(catalog, name)


# -- What page keys cover, and what templates read --------------------------------


@cache
def coverage() -> dict[Read, frozenset[str]]:
    """Each read and the parts of catalog_fingerprint that cover it (what running the
    part on a recording catalog reads)."""
    covered: dict[Read, set[str]] = defaultdict(set)
    for name, part in CATALOG_PARTS.items():
        recorder = RecordingCatalog(CATALOGS["a small shelf"]())
        part(recorder)  # type: ignore[arg-type]
        for read in recorder.reads:
            covered[read].add(name)
    return {read: frozenset(parts) for read, parts in covered.items()}


def parts_read(reads: set[Read]) -> frozenset[str]:
    """The parts of catalog_fingerprint that these reads need."""
    return frozenset(part for read in reads for part in coverage().get(read, ()))


def uncovered(reads: set[Read], key_parts: frozenset[str] | None) -> list[str]:
    """The reads a page key does not cover, when it holds the build's key and the
    fingerprint parts ``key_parts`` (None: every part)."""
    problems = []
    for field, how in sorted(reads - BUILD_KEY):
        parts = coverage().get((field, how))
        if not parts:
            problems.append(f"catalog.{field} ({how}): no part of catalog_fingerprint covers it")
        elif key_parts is not None and not parts & key_parts:
            problems.append(
                f"catalog.{field} ({how}): in part {'/'.join(sorted(parts))}, "
                f"not in the page's key ({', '.join(sorted(key_parts)) or 'no part'})"
            )
    return problems


def key_parts(spec: PageSpec) -> frozenset[str] | None:
    """The fingerprint parts a page's key holds: those its template reads if the
    page is given the whole catalog (papershelf.speed.snapshot.holds_catalog), else
    none."""
    if any(isinstance(value, Catalog) for value in spec.context.values()):
        return CATALOG_READS.get(spec.template)
    return frozenset()


class _CompiledOnce(jinja2.BytecodeCache):
    """Templates compiled once for all the renderers of this test, kept in memory."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


COMPILED = _CompiledOnce()


def page_reads(spec: PageSpec, catalog: Catalog, *, standalone: bool = True) -> set[Read]:
    """What rendering the page's body reads from the catalog. A renderer of its own:
    cards (papershelf.site.cards) are rendered once per renderer, and their reads
    belong to every page that lists them."""
    recorder = RecordingCatalog(catalog)
    context = {k: recorder if isinstance(v, Catalog) else v for k, v in spec.context.items()}
    bodies = BodyRenderer()
    bodies.env.bytecode_cache = COMPILED
    bodies.start_build(catalog)
    bodies.render(dataclasses.replace(spec, context=context), recorder, SITE, standalone=standalone)
    return recorder.reads


@cache
def rendered() -> dict[str, tuple[frozenset[Read], frozenset[str] | None]]:
    """template -> (what its pages read, over both shelves; the parts their keys hold).
    Every planned page, and the home page under a hand-written one (not standalone)."""
    found: dict[str, tuple[set[Read], set[frozenset[str] | None]]] = {}
    for make in CATALOGS.values():
        catalog = make()
        pages = [(spec, True) for spec in plan_pages(catalog, SETTINGS)]
        pages.append((home_spec(catalog, SETTINGS), False))
        for spec, standalone in pages:
            reads, keys = found.setdefault(spec.template, (set(), set()))
            reads |= page_reads(spec, catalog, standalone=standalone)
            keys.add(key_parts(spec))
    for template, (_, keys) in found.items():
        assert len(keys) == 1, f"{template}: pages with and without the catalog in context"
    return {t: (frozenset(reads), keys.pop()) for t, (reads, keys) in found.items()}


def planned_templates() -> list[str]:
    """The templates of the pages planned for the shelves (no rendering)."""
    catalogs = [make() for make in CATALOGS.values()]
    return sorted({spec.template for catalog in catalogs for spec in plan_pages(catalog, SETTINGS)})


def catalog_reads_of(template: str) -> frozenset[str]:
    """The parts of catalog_fingerprint a page template reads: what CATALOG_READS
    should say of it."""
    return parts_read(set(rendered()[template][0]))


# -- The specification -------------------------------------------------------------


def test_the_fingerprint_covers_names_and_counts_never_papers() -> None:
    covered = coverage()
    for part in ("by_tag", "by_year", "by_month", "by_org"):
        assert covered[(part, "names")] == covered[(part, "counts")] == {part}
    assert covered[("papers", "counts")] == {"papers"}
    assert covered[("undated", "counts")] == {"undated"}
    assert covered[("org_names", "contents")] == {"by_org"}  # the organisations' names
    assert not [read for read in covered if read[1] == "contents" and read[0] != "org_names"]


def test_the_shelves_plan_every_template_the_table_names() -> None:
    assert set(rendered()) == set(planned_templates())
    assert set(CATALOG_READS) <= set(rendered()), "CATALOG_READS names an unplanned template"


@pytest.mark.parametrize("template", planned_templates())
def test_a_template_reads_only_what_its_page_key_covers(template: str) -> None:
    reads, parts = rendered()[template]
    problems = uncovered(set(reads), parts)
    assert not problems, (
        f"{template} reads more of the catalog than its pages' keys cover, so quick and "
        "dirty builds would leave its pages stale; extend catalog_fingerprint "
        "(CATALOG_PARTS) and CATALOG_READS, or give the page what it reads in its own "
        "context:\n  " + "\n  ".join(problems)
    )


@pytest.mark.parametrize("template", sorted(CATALOG_READS))
def test_catalog_reads_names_no_part_its_template_never_reads(template: str) -> None:
    """Broader is safe (more pages rebuilt than needed), but a stale entry hides that
    the table is no longer what the template reads."""
    assert CATALOG_READS[template] == catalog_reads_of(template)


# name -> (template source, the parts its page key holds (None: all), a problem to report)
VIOLATIONS: dict[str, tuple[str, set[str] | None, str]] = {
    "a paper's title": ("{{ catalog.papers[0].title }}", {"by_month"}, "catalog.papers (contents)"),
    "a tag's papers": (
        "{% for p in catalog.by_tag['agents'] %}{{ p.title }}{% endfor %}",
        {"by_tag"},
        "catalog.by_tag (contents)",
    ),
    "an undeclared part": ("{{ catalog.by_tag | length }}", {"by_month"}, "by_tag, not in"),
    "a neighbour": (
        "{{ catalog.previous_and_next(catalog.papers[1])[0].slug }}",
        None,
        "catalog.position (contents)",
    ),
    "counts on a page without the catalog": (
        "{{ catalog.years | length }}",
        set(),
        "catalog.by_year (names): in part by_year, not in the page's key (no part)",
    ),
    "the whole catalog": ("{{ catalog }}", None, "catalog.repr (contents)"),
}


@pytest.mark.parametrize("name", VIOLATIONS)
def test_the_check_catches_a_template_reading_more_than_its_key(name: str) -> None:
    source, declared, expected = VIOLATIONS[name]
    recorder = RecordingCatalog(CATALOGS["a small shelf"]())
    fragment_environment().from_string(source).render(catalog=recorder)
    key = None if declared is None else frozenset(declared)
    problems = uncovered(recorder.reads, key)
    assert any(expected in problem for problem in problems), problems


def test_the_check_lets_through_what_the_key_covers() -> None:
    source = (
        "{% for month in catalog.months_of(2024) %}{{ month.key }} "
        "{{ catalog.by_month[month] | length }} {{ catalog.tags['agents'].title }}{% endfor %}"
    )
    recorder = RecordingCatalog(CATALOGS["a small shelf"]())
    assert fragment_environment().from_string(source).render(catalog=recorder).strip()
    assert recorder.reads == {
        ("by_month", "names"),
        ("by_month", "counts"),
        ("tags", "names"),
        ("tags", "contents"),
    }
    assert uncovered(recorder.reads, frozenset({"by_month"})) == []

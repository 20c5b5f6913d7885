"""Which pages the site has: one spec per generated page, computed from the catalog.

Pure planning, no mkdocs: the plugin turns each spec into a ``File.generated`` and
renders its fragment template. Long lists are split into pages of ``page_size``.

Each paper is on one paginated list per tag (newest first), its month's and its
organisation's: the lists that show it more than once cost the site its size
(GitHub Pages holds 1 GB). A tag's "most votes" order is one page of its top
``page_size`` papers, and a year's page lists its months, not their papers.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from papershelf.entries.model import Paper, Tag
from papershelf.site.catalog import Catalog, Month
from papershelf.site.collections import INDEX_URL as COLLECTIONS_URL
from papershelf.site.collections import collection_feed_key, collection_url
from papershelf.site.markup import truncate
from papershelf.site.stats import Counts, count_papers, statistics


@dataclass(frozen=True)
class Pager:
    """Position of one page in a paginated list; ``urls`` are site-root relative."""

    number: int
    count: int
    urls: tuple[str, ...]
    total_items: int

    @property
    def previous_url(self) -> str | None:
        return self.urls[self.number - 2] if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.urls[self.number] if self.number < self.count else None


@dataclass(frozen=True)
class PageSpec:
    """A generated page: where it lives, how it is titled, what its template gets."""

    url: str  # site-root relative directory URL, "" for the home page
    template: str
    title: str
    description: str
    kind: str
    context: dict[str, Any] = field(default_factory=dict)
    feed_tags: tuple[str, ...] = ()  # tags whose feeds this page advertises
    # The list it is a page of (:func:`plan_pages`' ``groups``): "index" for the home
    # and index pages, "tag:<id>" (both orders), "year:<year>" (the year's page, which
    # shows its months' counts), "month:<yyyy/mm>",
    # "undated", "org:<key>", "paper:<slug>", "collections" (the reading paths), "stats".
    group: str = ""

    @property
    def src_uri(self) -> str:
        return f"{self.url}index.md"


@dataclass(frozen=True)
class Settings:
    page_size: int = 50
    home_recent: int = 20


def paper_url(paper: Paper) -> str:
    return f"papers/{paper.slug}/"


def tag_url(tag: str) -> str:
    return f"tags/{tag}/"


def month_url(month: Month) -> str:
    return f"archive/{month.key}/"


def tag_votes_url(tag: str) -> str:
    return f"tags/{tag}/votes/"


def month_title(month: Month) -> str:
    return f"{calendar.month_name[month.month]} {month.year}"


def most_voted_first(papers: list[Paper]) -> list[Paper]:
    """The same papers ordered by votes, ties kept in list order; a paper without
    votes counts as none (0), after every paper with votes.

    A tag's "most votes" page shows the first ``page_size`` of them, pre-rendered so
    the sort works on a static host without JavaScript.
    """
    return sorted(papers, key=lambda paper: -(paper.votes or 0))


@functools.lru_cache(maxsize=100_000)
def _description(abstract: str) -> str:
    """A paper page's meta description (remembered: rebuilds under serve plan every
    page again)."""
    return truncate(abstract, 200)


def _paginated(
    first_url: str,
    items: list[Paper],
    size: int,
    make: Any,
) -> list[PageSpec]:
    """Split ``items`` into pages at ``first_url``, ``first_url/page/2/``, ..."""
    chunks = [items[i : i + size] for i in range(0, len(items), size)] or [[]]
    urls = tuple(
        first_url if n == 1 else f"{first_url}page/{n}/" for n in range(1, len(chunks) + 1)
    )
    specs = []
    for number, chunk in enumerate(chunks, start=1):
        pager = Pager(number, len(chunks), urls, len(items))
        specs.append(make(urls[number - 1], chunk, pager))
    return specs


# Groups (:attr:`PageSpec.group`): one name per list of pages, the same for the plan
# and for :func:`list_groups`.
INDEX = "index"  # the group of the home page and the tag, archive and organisation indexes
UNDATED = "undated"
STATS = "stats"  # the statistics page: made from every paper, its context holds no catalog
# The reading paths' index and every path's page: one group, as the index shows them all.
COLLECTIONS = "collections"


def tag_group(tag: str) -> str:
    return f"tag:{tag}"  # both orders: the newest-first pages and the top by votes


def year_group(year: int) -> str:
    return f"year:{year}"


def month_group(month: Month) -> str:
    return f"month:{month.key}"


def org_group(key: str) -> str:
    return f"org:{key}"


def paper_group(slug: str) -> str:
    return f"paper:{slug}"


def list_groups(paper: Paper) -> set[str]:
    """The groups of the lists a paper is on, as papershelf.site.catalog.build_catalog
    puts it there: the pages an edit that moves the paper can change, with the index
    pages."""
    groups = {tag_group(tag) for tag in paper.tags}
    if paper.published is None:
        groups.add(UNDATED)
    else:
        month = Month(paper.published.year, paper.published.month)
        groups.update((year_group(month.year), month_group(month)))
    if paper.org_key and paper.organization:
        groups.add(org_group(paper.org_key))
    return groups


DATA_URL = "data/"
DATA_DESCRIPTION = "The reading list as BibTeX, CSL-JSON and open data, whole and by tag."
STATS_URL = "stats/"
STATS_DESCRIPTION = (
    "The reading list in numbers: papers added and published per month, tags, "
    "organisations, votes, and how complete the entries are."
)


def plan_pages(
    catalog: Catalog,
    settings: Settings,
    *,
    home: bool = True,
    groups: Collection[str] | None = None,
) -> list[PageSpec]:
    """All generated pages, in a stable order. ``home=False`` when a hand-written
    ``index.md`` exists (its content is then followed by the recent additions).

    ``groups``: only the pages of these lists (:attr:`PageSpec.group`), for a rebuild
    after an edit that moved a paper between lists (papershelf.speed.quick): planning all
    11,800 pages of a 10,000-paper list for it would take longer than the rebuild.
    """
    wanted: Callable[[str], bool] = (lambda _: True) if groups is None else groups.__contains__
    specs: list[PageSpec] = []
    if home and wanted(INDEX):
        specs.append(home_spec(catalog, settings))
    specs.extend(_paper_pages(catalog, wanted))
    specs.extend(_tag_pages(catalog, settings, wanted))
    specs.extend(_archive_pages(catalog, settings, wanted))
    specs.extend(_org_pages(catalog, settings, wanted))
    specs.extend(_collection_pages(catalog, wanted))
    if wanted(INDEX):  # the downloads (papershelf.site.exports)
        specs.append(_index_page(catalog, DATA_URL, "data", "Data", DATA_DESCRIPTION))
    if wanted(STATS):
        specs.append(stats_spec(catalog))
    return specs


def stats_spec(catalog: Catalog) -> PageSpec:
    """The statistics page: its numbers and chart geometry (site.stats) are its whole
    context, plain values compared as they are, so it changes exactly when they do."""
    return stats_spec_of(count_papers(catalog.papers), catalog.tags, catalog.org_names)


def stats_spec_of(
    counts: Counts, tags: Mapping[str, Tag], org_names: Mapping[str, str]
) -> PageSpec:
    """The statistics page made from the papers' counts, which it keeps (a quick build
    updates them by the edited papers, site.stats.Counts.edited)."""
    return PageSpec(
        url=STATS_URL,
        template="papershelf/stats.html",
        title="Statistics",
        description=STATS_DESCRIPTION,
        kind="stats",
        context={"stats": statistics(counts, tags, org_names), "counts": counts.to_json()},
        group=STATS,
    )


def home_spec(catalog: Catalog, settings: Settings) -> PageSpec:
    return PageSpec(
        url="",
        template="papershelf/home.html",
        title="Home",
        description="The newest additions to the reading list.",
        kind="home",
        context={"recent": catalog.papers[: settings.home_recent], "catalog": catalog},
        group=INDEX,
    )


def _paper_pages(catalog: Catalog, wanted: Callable[[str], bool]) -> list[PageSpec]:
    return [
        paper_spec(
            paper,
            *catalog.previous_and_next(paper),
            catalog.citation_keys[paper.slug],
            related=catalog.related.get(paper.slug),
            collections=catalog.paths_of.get(paper.slug),
        )
        for paper in catalog.papers
        if wanted(paper_group(paper.slug))
    ]


def paper_spec(
    paper: Paper,
    newer: Paper | None,
    older: Paper | None,
    cite_key: str,
    *,
    related: list[Paper] | None = None,
    collections: list[dict[str, Any]] | None = None,
) -> PageSpec:
    """A paper's page, between its newer and older neighbours in the list; cited as
    ``cite_key`` (site.citations: unique across the list, so made from all papers);
    with its ``related`` papers (site.related) and the reading paths it is on
    (``collections``: each's URL, title, and the paper's step of its steps,
    site.collections.paths_by_paper)."""
    return PageSpec(
        url=paper_url(paper),
        template="papershelf/paper.html",
        title=paper.title,
        description=_description(paper.abstract),
        kind="paper",
        context={
            "paper": paper,
            "newer": newer,
            "older": older,
            "cite_key": cite_key,
            "related": related or [],
            "collections": collections or [],
        },
        # The site's feeds only: the page links its tags' feeds in the text, and each
        # autodiscovery link costs every reader a request (mkdocs-material fetches a
        # sitemap next to each) and every page 0.5 kB.
        feed_tags=(),
        group=paper_group(paper.slug),
    )


def with_neighbours(spec: PageSpec, newer: Paper | None, older: Paper | None) -> PageSpec:
    """A paper's page between other neighbours, after an edit moved papers along the
    list: its title and description (made from the paper) stay."""
    return replace(spec, context={**spec.context, "newer": newer, "older": older})


def _index_page(catalog: Catalog, url: str, kind: str, title: str, description: str) -> PageSpec:
    """The index of the tags, the archive or the organisations (its template is the
    kind's), given the whole catalog."""
    return PageSpec(
        url=url,
        template=f"papershelf/{kind}.html",
        title=title,
        description=description,
        kind=kind,
        context={"catalog": catalog},
        group=INDEX,
    )


def _tag_pages(
    catalog: Catalog, settings: Settings, wanted: Callable[[str], bool]
) -> list[PageSpec]:
    specs = []
    if wanted(INDEX):
        specs.append(
            _index_page(
                catalog,
                "tags/",
                "tag-index",
                "Tags",
                "Every tag of the reading list with its description.",
            )
        )
    for tag in catalog.tags.values():
        group = tag_group(tag.id)
        if not wanted(group):
            continue
        papers = catalog.by_tag[tag.id]
        # A second, pre-rendered order only where there is something to reorder.
        votes_url = tag_votes_url(tag.id) if len(papers) > 1 else None
        orders = {"newest": tag_url(tag.id), "votes": votes_url}

        def make(
            url: str, chunk: list[Paper], pager: Pager, tag=tag, orders=orders, group=group
        ) -> PageSpec:
            suffix = f" (page {pager.number})" if pager.number > 1 else ""
            return PageSpec(
                url=url,
                template="papershelf/tag.html",
                title=f"{tag.title}{suffix}",
                description=tag.description,
                kind="tag",
                context={
                    "tag": tag,
                    "papers": chunk,
                    "pager": pager,
                    "order": "newest",
                    "orders": orders,
                },
                feed_tags=(tag.id,),
                group=group,
            )

        specs.extend(_paginated(tag_url(tag.id), papers, settings.page_size, make))
        if votes_url is not None:
            specs.append(tag_votes_spec(tag, papers, settings.page_size, orders))
    return specs


def tag_votes_spec(
    tag: Tag, papers: list[Paper], size: int, orders: dict[str, str | None]
) -> PageSpec:
    """A tag's "most votes" page: its top ``size`` papers by votes (all of them,
    most votes first, when it has no more), on one page without a pager; the whole
    list is the newest-first one (``orders["newest"]``)."""
    top = most_voted_first(papers)[:size]
    if len(top) == len(papers):
        title = f"{tag.title}, most votes first"
    else:
        title = f"{tag.title}, most votes: the top {len(top)}"
    return PageSpec(
        url=tag_votes_url(tag.id),
        template="papershelf/tag.html",
        title=title,
        description=tag.description,
        kind="tag-votes",
        context={
            "tag": tag,
            "papers": top,
            "total": len(papers),
            "order": "votes",
            "orders": orders,
        },
        feed_tags=(tag.id,),
        group=tag_group(tag.id),
    )


def _archive_pages(
    catalog: Catalog, settings: Settings, wanted: Callable[[str], bool]
) -> list[PageSpec]:
    specs = []
    if wanted(INDEX):
        specs.append(
            _index_page(
                catalog,
                "archive/",
                "archive-index",
                "Archive",
                "Papers by publication year and month.",
            )
        )
    for year in catalog.years:
        group = year_group(year)
        if wanted(group):
            specs.append(year_spec(year, catalog))
    for month, papers in catalog.by_month.items():
        group = month_group(month)
        if not wanted(group):
            continue
        earlier, later = catalog.neighbour_months(month)

        def make_month(
            url: str,
            chunk: list[Paper],
            pager: Pager,
            month=month,
            earlier=earlier,
            later=later,
            group=group,
        ) -> PageSpec:
            return PageSpec(
                url=url,
                template="papershelf/archive-month.html",
                title=month_title(month) + (f" (page {pager.number})" if pager.number > 1 else ""),
                description=f"Papers published in {month_title(month)}.",
                kind="archive-month",
                context={
                    "month": month,
                    "earlier": earlier,
                    "later": later,
                    "papers": chunk,
                    "pager": pager,
                },
                group=group,
            )

        specs.extend(_paginated(month_url(month), papers, settings.page_size, make_month))
    if catalog.undated and wanted(UNDATED):

        def make_undated(url: str, chunk: list[Paper], pager: Pager) -> PageSpec:
            return PageSpec(
                url=url,
                template="papershelf/archive-month.html",
                title="Publication date unknown",
                description="Papers whose publication date is not known.",
                kind="archive-undated",
                context={
                    "month": None,
                    "earlier": None,
                    "later": None,
                    "papers": chunk,
                    "pager": pager,
                },
                group=UNDATED,
            )

        specs.extend(
            _paginated("archive/undated/", catalog.undated, settings.page_size, make_undated)
        )
    return specs


def year_spec(year: int, catalog: Catalog) -> PageSpec:
    """A year's page of the archive: its months that have papers (newest first, as
    the archive's index lists them), each with its count, on one page; the papers are
    on the months' pages. Given the counts, not the catalog: the page changes exactly
    when they do."""
    months = [(month, len(catalog.by_month[month])) for month in catalog.months_of(year)]
    return PageSpec(
        url=f"archive/{year}/",
        template="papershelf/archive-year.html",
        title=f"{year}",
        description=f"Papers published in {year}.",
        kind="archive-year",
        context={"year": year, "months": months, "count": len(catalog.by_year[year])},
        group=year_group(year),
    )


def _org_pages(
    catalog: Catalog, settings: Settings, wanted: Callable[[str], bool]
) -> list[PageSpec]:
    # The index always exists (mkdocs.yml's nav names it); with no organisation on
    # the list it says how to name one.
    specs = []
    if wanted(INDEX):
        specs.append(
            _index_page(
                catalog,
                "orgs/",
                "org-index",
                "Organisations",
                "Organisations whose papers are on the list.",
            )
        )
    for key, papers in catalog.by_org.items():
        group = org_group(key)
        if not wanted(group):
            continue
        name = catalog.org_names[key]

        def make(url: str, chunk: list[Paper], pager: Pager, name=name, group=group) -> PageSpec:
            return PageSpec(
                url=url,
                template="papershelf/org.html",
                title=name + (f" (page {pager.number})" if pager.number > 1 else ""),
                description=f"Papers from {name}.",
                kind="org",
                context={"name": name, "papers": chunk, "pager": pager},
                group=group,
            )

        specs.extend(_paginated(f"orgs/{key}/", papers, settings.page_size, make))
    return specs


COLLECTIONS_DESCRIPTION = "Reading paths: papers to read in a curator's order, with a note on each."


def _collection_pages(catalog: Catalog, wanted: Callable[[str], bool]) -> list[PageSpec]:
    """The index of the reading paths (always there: mkdocs.yml's nav names it; with no
    path it says how to propose one) and a page per path. Contexts hold plain data and
    papers, no Collection (the build snapshot keeps them)."""
    if not wanted(COLLECTIONS):
        return []
    paths = catalog.collections
    summaries = [
        {
            "slug": path.slug,
            "title": path.title,
            "description": path.description,
            "count": len(path.items),
        }
        for path in paths
    ]
    specs = [
        PageSpec(
            url=COLLECTIONS_URL,
            template="papershelf/collection-index.html",
            title="Reading paths",
            description=COLLECTIONS_DESCRIPTION,
            kind="collection-index",
            context={"paths": summaries},
            group=COLLECTIONS,
        )
    ]
    for path in paths:
        specs.append(
            PageSpec(
                url=collection_url(path.slug),
                template="papershelf/collection.html",
                title=path.title,
                description=_description(path.description),
                kind="collection",
                context={
                    "path": {
                        "slug": path.slug,
                        "title": path.title,
                        "description": path.description,
                        "notes": [item.note for item in path.items],
                    },
                    "papers": catalog.path_papers(path),  # in the path's order
                },
                feed_tags=(collection_feed_key(path.slug),),
                group=COLLECTIONS,
            )
        )
    return specs

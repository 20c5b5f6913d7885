"""The statistics page (``stats/``): counts over the whole list, and chart geometry.

Pure: no I/O and no mkdocs. :func:`list_stats` makes the page's data in one pass over
the papers, as JSON-friendly values only (str, int, bool, None, lists and dicts with
str keys): the page's context is kept in the incremental build's JSON snapshot and
compared by value, so no dataclass, date, tuple or float may reach it. Chart
geometry is worked out here in integer SVG units, so the templates only print numbers.
"""

from __future__ import annotations

import bisect
import calendar
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from papershelf.entries.model import Paper, Tag
from papershelf.entries.slugs import slugify

# -- Chart layout, in SVG user units (the viewBox; the SVG scales to its box) ----------
# Text is FONT units high and scales with the chart, so a chart is only so many units
# wide: on a 390 px phone (about 358 px of column) the time charts' text comes out at
# 10 px and the bar charts' at 14 px; the stylesheet caps their width on a desktop
# (32rem and 22rem) so it stays near body size there.
FONT = 14
CHAR = 8  # the width of an average character at FONT, to keep labels apart
COLUMN_CHART_WIDTH = 480
COLUMN_HEIGHT = 220
BAR_CHART_WIDTH = 360
ROW_HEIGHT = 42  # a horizontal bar: its label line, then the bar
BAR_THICKNESS = 14
MAX_COLUMNS = 120  # beyond that, months are grouped into years (then decades...)
MAX_X_LABELS = 7
MAX_COLUMN_WIDTH = 48  # a few columns stay columns, centred in their slots
LABEL_CHARS = BAR_CHART_WIDTH // CHAR - 1  # a longer name is shortened in the chart
TOP_ORGS = 20
TOP_TAGS = 20

DASH = "\u2013"  # the en dash of number ranges
# Votes in log-like buckets: (label, lowest count in it).
VOTE_BUCKETS: tuple[tuple[str, int], ...] = (
    (f"0{DASH}9", 0),
    (f"10{DASH}49", 10),
    (f"50{DASH}99", 50),
    (f"100{DASH}499", 100),
    (f"500{DASH}999", 500),
    ("1,000+", 1000),
)
_VOTE_FLOORS = [floor for _, floor in VOTE_BUCKETS]

# Months grouped into one column: (months per column, name of the grouping).
_GROUPINGS = ((1, "month"), (12, "year"), (120, "decade"), (1200, "century"))


# -- Geometry records (turned into dicts with asdict before they reach a context) --------


@dataclass
class Tick:
    """A label on an axis, with a grid line at ``y`` for the value axis."""

    x: int
    y: int
    label: str
    anchor: str  # SVG text-anchor: start, middle or end


@dataclass
class Column:
    """One column of a chart over time: a month (or year, decade...) and its count."""

    x: int
    y: int
    width: int
    height: int
    label: str
    value: int


@dataclass
class ColumnChart:
    """Columns over a continuous time axis, with value ticks and sparse time labels."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    font: int
    columns: list[Column]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    summary: str


@dataclass
class BarRow:
    """One horizontal bar: its label on a line above it, its value just after its end."""

    label: str
    full_label: str
    value: int
    value_text: str
    text_y: int
    bar_y: int
    bar_width: int
    value_x: int
    value_y: int


@dataclass
class BarChart:
    """Horizontal bars, one row each, at most ``track`` long (the width less room for
    the longest value text). ``shares``: a faint full-length track behind each bar
    (for shares, where the full length is the whole list)."""

    width: int
    height: int
    font: int
    bar_height: int
    track: int
    shares: bool
    rows: list[BarRow]
    summary: str


# -- Small helpers -------------------------------------------------------------------


def count_text(count: int) -> str:
    """1234 -> "1,234": the same on every machine (no locale)."""
    return f"{count:,}"


def papers_text(count: int) -> str:
    """1 -> "1 paper", 1234 -> "1,234 papers"."""
    return f"{count_text(count)} paper{'s' if count != 1 else ''}"


def percent(count: int, total: int) -> int:
    """Whole percent, rounded half up; never 0 or 100 unless it is exactly so, so a
    single paper without a link out of 1,000 still shows as missing."""
    if total <= 0:
        return 0
    value = (200 * count + total) // (2 * total)
    if 0 < count < total:
        value = min(max(value, 1), 99)
    return value


def nice_step(top: int, ticks: int = 4) -> int:
    """The smallest step of 1, 2 or 5 times a power of ten that reaches ``top`` in at
    most ``ticks`` steps: round numbers on the value axis."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if step * ticks >= top:
                return step
        magnitude *= 10


def shorten(text: str, limit: int = LABEL_CHARS) -> str:
    """A label that fits the chart's width; the full text is in the table."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _month_key(index: int) -> str:
    """Month number (year * 12 + month - 1) -> "YYYY-MM"."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _bin_label(start: int, size: int) -> str:
    """The name of a column starting at month number ``start`` that is ``size`` long."""
    year = start // 12
    if size == 1:
        return f"{calendar.month_abbr[start % 12 + 1]} {year}"
    if size == 12:
        return str(year)
    if size == 120:
        return f"{year}s"
    return f"{year}{DASH}{year + 99}"


def _label_width(label: str) -> int:
    return len(label) * CHAR


# -- Chart geometry ------------------------------------------------------------------


def column_chart(
    values: Sequence[tuple[str, int]],
    x_labels: Mapping[int, str],
    summary: str,
    *,
    width: int = COLUMN_CHART_WIDTH,
    height: int = COLUMN_HEIGHT,
) -> ColumnChart:
    """Columns for ``values`` ((label, count) in time order) on a value axis of round
    steps; ``x_labels``: the few columns (by index) labelled under the axis.

    Columns sit side by side with integer edges (each the next one's start), so 120
    columns on 430 units come out 3 or 4 wide without gaps or overlaps.
    """
    top_value = max((value for _, value in values), default=0)
    step = nice_step(max(top_value, 1))
    axis_top = step * -(-max(top_value, 1) // step)
    tick_values = list(range(0, axis_top + 1, step))
    left = 10 + max(_label_width(count_text(value)) for value in tick_values)
    right, top, bottom = width - 4, FONT // 2 + 2, height - FONT - 12
    plot_height = bottom - top
    y_ticks = [
        Tick(
            x=left - 6,
            y=bottom - value * plot_height // axis_top,
            label=count_text(value),
            anchor="end",
        )
        for value in tick_values
    ]
    count = len(values)
    edges = [left + (right - left) * index // count for index in range(count + 1)] if count else []
    columns = []
    for index, (label, value) in enumerate(values):
        x, next_x = edges[index], edges[index + 1]
        slot = next_x - x
        gap = slot // 5 if slot >= 5 else 0
        bar_width = min(slot - gap, MAX_COLUMN_WIDTH)
        bar_height = value * plot_height // axis_top
        if value and not bar_height:
            bar_height = 1  # a month with one paper among thousands still shows
        x += (slot - gap - bar_width) // 2
        columns.append(Column(x, bottom - bar_height, bar_width, bar_height, label, value))
    x_ticks = []
    for index, label in sorted(x_labels.items()):
        column = columns[index]
        centre = column.x + column.width // 2
        half = _label_width(label) // 2
        if centre + half > width:
            x, anchor = width, "end"
        elif centre - half < 0:
            x, anchor = 0, "start"
        else:
            x, anchor = centre, "middle"
        x_ticks.append(Tick(x=x, y=height - 6, label=label, anchor=anchor))
    return ColumnChart(
        width, height, left, right, top, bottom, FONT, columns, y_ticks, x_ticks, summary
    )


def bar_chart(
    rows: Sequence[tuple[str, int, str]],
    summary: str,
    *,
    scale: int | None = None,
    width: int = BAR_CHART_WIDTH,
) -> BarChart:
    """Horizontal bars for ``rows`` ((label, value, value text), drawn in this order),
    as long as their value is a part of ``scale`` (default: the largest value)."""
    largest = scale if scale is not None else max((value for _, value, _ in rows), default=0)
    longest_text = max((_label_width(text) for _, _, text in rows), default=0)
    track = width - longest_text - CHAR
    drawn = []
    for index, (label, value, value_text) in enumerate(rows):
        text_y = index * ROW_HEIGHT + FONT
        bar_y = text_y + 6
        bar_width = value * track // largest if largest > 0 else 0
        if value and not bar_width:
            bar_width = 1  # a tag with one paper among thousands still shows
        drawn.append(
            BarRow(
                label=shorten(label),
                full_label=label,
                value=value,
                value_text=value_text,
                text_y=text_y,
                bar_y=bar_y,
                bar_width=bar_width,
                value_x=(bar_width if scale is None else track) + CHAR // 2,
                value_y=bar_y + BAR_THICKNESS - 2,
            )
        )
    height = len(rows) * ROW_HEIGHT
    return BarChart(width, height, FONT, BAR_THICKNESS, track, scale is not None, drawn, summary)


def time_axis_labels(starts: Sequence[int], size: int) -> dict[int, str]:
    """Which columns of a time axis get a label, and what it says: at most
    ``MAX_X_LABELS``. Up to two years of months are labelled every few months
    ("Mar 2024"); longer spans at years whose number is a multiple of 1, 2, 5, 10...
    (only January columns when the columns are months)."""
    if not starts:
        return {}
    if size == 1 and len(starts) <= 24:
        step = -(-len(starts) // 6)  # "Mar 2024" is wide: at most six of them
        return {index: _bin_label(starts[index], 1) for index in range(0, len(starts), step)}
    years = [(index, start // 12) for index, start in enumerate(starts) if start % 12 == 0]
    unit = max(size // 12, 1)  # years per column
    multiplier = 1
    while True:
        for factor in (1, 2, 5):
            every = unit * factor * multiplier
            chosen = [(index, year) for index, year in years if year % every == 0]
            if len(chosen) <= MAX_X_LABELS:
                name = str if size == 1 else (lambda year: _bin_label(year * 12, size))
                return {index: name(year) for index, year in chosen}
        multiplier *= 10


# -- The page's data -----------------------------------------------------------------


def _month_section(counts: Mapping[int, int], what: str) -> dict[str, Any]:
    """A count by month (month number -> papers) as the page shows it: every month from
    the first to the last ("YYYY-MM" -> count, 0 for a month without papers), the
    columns of its chart (months, or years... when there would be too many) and the
    chart."""
    if not counts:
        empty: dict[str, Any] = {"months": {}, "first": None, "last": None, "grouping": None}
        return {**empty, "span": "", "rows": [], "chart": None}
    first, last = min(counts), max(counts)
    months = {_month_key(index): counts.get(index, 0) for index in range(first, last + 1)}
    size, grouping = next(
        (size, name)
        for size, name in _GROUPINGS
        if last // size - first // size + 1 <= MAX_COLUMNS or size == _GROUPINGS[-1][0]
    )
    starts = list(range(first // size * size, last // size * size + 1, size))
    binned = dict.fromkeys(starts, 0)
    for index, count in counts.items():
        binned[index // size * size] += count
    values = [(_bin_label(start, size), binned[start]) for start in starts]
    peak_label, peak = max(values, key=lambda item: item[1])  # the first of the largest
    total = sum(counts.values())
    span = f"in {values[0][0]}" if len(values) == 1 else f"from {values[0][0]} to {values[-1][0]}"
    summary = (
        f"Column chart of papers {what} per {grouping}, {span}: {count_text(total)} in all, "
        f"the most in {peak_label} ({count_text(peak)})."
    )
    chart = column_chart(values, time_axis_labels(starts, size), summary)
    return {
        "months": months,
        "first": _month_key(first),
        "last": _month_key(last),
        "grouping": grouping,
        "span": span,
        "rows": [{"label": label, "count": count} for label, count in values],
        "chart": asdict(chart),
    }


@dataclass
class Counts:
    """Everything counted in the one pass over the papers. Counts add up paper by
    paper, so an edit changes them by what the paper counted before and after
    (:meth:`edited`): a quick build updates the page without reading every paper."""

    added: dict[int, int]
    published: dict[int, int]
    undated: int
    tags: dict[str, int]
    orgs: dict[str, int]
    org_names: dict[str, str]
    votes: list[int]
    unvoted: int
    linked: int
    named: int
    counted: int
    abstracts: int

    @property
    def total(self) -> int:
        return sum(self.added.values())

    def edited(self, old: Paper, new: Paper) -> Counts:
        """The counts after an edit of one paper (``old`` -> ``new``)."""
        before, after = count_papers([old]), count_papers([new])

        def changed(now: dict[Any, int], minus: dict[Any, int], plus: dict[Any, int]) -> dict:
            found = dict(now)
            for key, value in minus.items():
                found[key] = found.get(key, 0) - value
            for key, value in plus.items():
                found[key] = found.get(key, 0) + value
            return {key: value for key, value in found.items() if value}  # as if counted

        orgs = changed(self.orgs, before.orgs, after.orgs)
        return Counts(
            added=changed(self.added, before.added, after.added),
            published=changed(self.published, before.published, after.published),
            undated=self.undated - before.undated + after.undated,
            tags=changed(self.tags, before.tags, after.tags),
            orgs=orgs,
            org_names={
                key: name
                for key, name in {**self.org_names, **after.org_names}.items()
                if key in orgs
            },
            votes=[
                now - was + then
                for now, was, then in zip(self.votes, before.votes, after.votes, strict=True)
            ],
            unvoted=self.unvoted - before.unvoted + after.unvoted,
            linked=self.linked - before.linked + after.linked,
            named=self.named - before.named + after.named,
            counted=self.counted - before.counted + after.counted,
            abstracts=self.abstracts - before.abstracts + after.abstracts,
        )

    def to_json(self) -> dict[str, Any]:
        """The counts as JSON (keys that are numbers as pairs), to keep in the page's
        spec. Not the organisations' names: the catalog's are the ones shown."""
        return {
            "added": sorted(self.added.items()),
            "published": sorted(self.published.items()),
            "undated": self.undated,
            "tags": sorted(self.tags.items()),
            "orgs": sorted(self.orgs.items()),
            "votes": list(self.votes),
            "unvoted": self.unvoted,
            "linked": self.linked,
            "named": self.named,
            "counted": self.counted,
            "abstracts": self.abstracts,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Counts:
        return cls(
            added={month: count for month, count in data["added"]},
            published={month: count for month, count in data["published"]},
            undated=data["undated"],
            tags={tag: count for tag, count in data["tags"]},
            orgs={key: count for key, count in data["orgs"]},
            org_names={},
            votes=list(data["votes"]),
            unvoted=data["unvoted"],
            linked=data["linked"],
            named=data["named"],
            counted=data["counted"],
            abstracts=data["abstracts"],
        )


# The fields count_papers reads, fetched in one call per paper.
_FIELDS = operator.attrgetter(
    "added", "published", "tags", "organization", "organization_id", "votes", "links",
    "authors", "author_count", "abstract",
)  # fmt: skip


def count_papers(papers: Iterable[Paper]) -> Counts:
    """Every count of the page in one pass over the papers: reading a paper's fields
    is most of the cost (the objects are all over memory), so each is read once.
    Days, organisations and vote counts are counted as they are and turned into
    months, keys and buckets afterwards, once per distinct value."""
    added: dict[date, int] = {}
    published: dict[date | None, int] = {}
    tags: dict[str, int] = {}
    named_by: dict[tuple[str, str | None], int] = {}
    vote_counts: dict[int | None, int] = {}
    linked = named = counted = abstracts = 0
    for day, published_day, paper_tags, name, org_id, votes, links, authors, count, abstract in map(
        _FIELDS, papers
    ):
        added[day] = added.get(day, 0) + 1
        published[published_day] = published.get(published_day, 0) + 1
        for tag in paper_tags:
            tags[tag] = tags.get(tag, 0) + 1
        if name:
            named_by[name, org_id] = named_by.get((name, org_id), 0) + 1
        vote_counts[votes] = vote_counts.get(votes, 0) + 1
        if links.arxiv or links.pdf or links.code or links.project or links.doi:
            linked += 1
        if authors:
            named += 1
        elif count:
            counted += 1
        if abstract:
            abstracts += 1
    undated = published.pop(None, 0)
    orgs: dict[str, int] = {}
    names: dict[str, str] = {}
    for (name, org_id), number in sorted(named_by.items(), key=_org_order):
        if key := slugify(org_id or name):  # the rule of Paper.org_key
            orgs[key] = orgs.get(key, 0) + number
            names.setdefault(key, name)
    unvoted = vote_counts.pop(None, 0)
    buckets = [0] * len(VOTE_BUCKETS)
    for value, number in vote_counts.items():
        buckets[bisect.bisect_right(_VOTE_FLOORS, value) - 1] += number
    return Counts(
        _by_month(added), _by_month(published), undated, tags, orgs, names, buckets, unvoted,
        linked, named, counted, abstracts,
    )  # fmt: skip


def _by_month(days: Mapping[Any, int]) -> dict[int, int]:
    """Papers by day -> papers by month number (year * 12 + month - 1)."""
    months: dict[int, int] = {}
    for day, count in days.items():
        key = day.year * 12 + day.month - 1
        months[key] = months.get(key, 0) + count
    return months


def _org_order(item: tuple[tuple[str, str | None], int]) -> tuple[str, str]:
    """(name, id) pairs in a fixed order, so the name kept for an organisation named
    two ways is the same in every build (the catalog's name is preferred anyway)."""
    (name, org_id), _ = item
    return (name, org_id or "")


def _tag_section(counts: Counts, vocabulary: Mapping[str, Tag]) -> dict[str, Any]:
    rows = [
        {
            "id": tag,
            "title": vocabulary[tag].title if tag in vocabulary else tag,
            "count": count,
            "url": f"tags/{tag}/",
        }
        for tag, count in counts.tags.items()
    ]
    rows.sort(key=lambda row: (-row["count"], row["title"], row["id"]))
    shown = rows[:TOP_TAGS]
    chart = None
    if shown:
        largest = ", ".join(f"{row['title']} ({count_text(row['count'])})" for row in shown[:3])
        which = f"the {len(shown)} largest of {len(rows)}" if len(rows) > len(shown) else "all"
        chart = bar_chart(
            [(row["title"], row["count"], count_text(row["count"])) for row in shown],
            f"Bar chart of papers per tag, {which} tags with papers; the largest: {largest}.",
        )
    return {
        "rows": rows,
        "unused": sum(1 for tag in vocabulary if tag not in counts.tags),
        "chart": asdict(chart) if chart else None,
    }


def _org_section(counts: Counts, org_names: Mapping[str, str]) -> dict[str, Any]:
    rows = [
        {
            "key": key,
            "name": org_names.get(key) or counts.org_names.get(key, key),
            "count": count,
            "url": f"orgs/{key}/",
        }
        for key, count in counts.orgs.items()
    ]
    rows.sort(key=lambda row: (-row["count"], row["name"].casefold(), row["name"], row["key"]))
    top, rest = rows[:TOP_ORGS], rows[TOP_ORGS:]
    chart = None
    if top:
        which = f"the {len(top)} with the most papers" if rest else "all organisations"
        largest = ", ".join(f"{row['name']} ({count_text(row['count'])})" for row in top[:3])
        chart = bar_chart(
            [(row["name"], row["count"], count_text(row["count"])) for row in top],
            f"Bar chart of papers per organisation, {which}; the largest: {largest}.",
        )
    return {
        "top": top,
        "count": len(rows),
        "papers": sum(counts.orgs.values()),
        "more": len(rest),
        "more_papers": sum(row["count"] for row in rest),
        "chart": asdict(chart) if chart else None,
    }


def _votes_section(counts: Counts, total: int) -> dict[str, Any]:
    voted = total - counts.unvoted
    buckets = [
        {"label": label, "count": count}
        for (label, _), count in zip(VOTE_BUCKETS, counts.votes, strict=True)
    ]
    chart = None
    if voted:
        described = ", ".join(f"{b['label']}: {count_text(b['count'])}" for b in buckets)
        chart = bar_chart(
            [(f"{b['label']} votes", b["count"], count_text(b["count"])) for b in buckets],
            f"Bar chart of the {papers_text(voted)} with votes by their number of votes "
            f"({described}).",
        )
    return {
        "buckets": buckets,
        "voted": voted,
        "unvoted": counts.unvoted,
        "chart": asdict(chart) if chart else None,
    }


def _quality_section(counts: Counts, total: int) -> dict[str, Any]:
    """Shares of the list with each kind of information: where entries need work."""
    dated = total - counts.undated
    with_org = sum(counts.orgs.values())
    facts = [
        ("A link", counts.linked),  # arXiv, PDF, code, project page or DOI
        ("Authors named", counts.named),
        ("Only an author count", counts.counted),
        ("No authors", total - counts.named - counts.counted),
        ("A publication date", dated),
        ("An organisation", with_org),
        ("Votes", total - counts.unvoted),
        ("An abstract", counts.abstracts),
    ]
    rows = [
        {"label": label, "count": count, "percent": percent(count, total)} for label, count in facts
    ]
    chart = None
    if total:
        described = "; ".join(f"{row['label']}: {row['percent']}%" for row in rows)
        chart = bar_chart(
            [
                (row["label"], row["count"], f"{row['percent']}% ({count_text(row['count'])})")
                for row in rows
            ],
            f"Bar chart of the share of the {papers_text(total)} with each kind of "
            f"information: {described}.",
            scale=total,
        )
    return {"rows": rows, "chart": asdict(chart) if chart else None}


def list_stats(
    papers: Sequence[Paper],
    tags: Mapping[str, Tag],
    org_names: Mapping[str, str],
) -> dict[str, Any]:
    """The statistics page's data for ``papers``: sizes over time, by tag, organisation
    and votes, and how complete the entries are. ``tags``: the vocabulary (titles, and
    the tags without papers); ``org_names``: an organisation's name by key, as its own
    page shows it (papershelf.site.catalog). JSON-friendly values only."""
    return statistics(count_papers(papers), tags, org_names)


def statistics(
    counts: Counts, tags: Mapping[str, Tag], org_names: Mapping[str, str]
) -> dict[str, Any]:
    """:func:`list_stats` from the papers' counts."""
    total = counts.total
    published = _month_section(counts.published, "published")
    published["undated"] = counts.undated
    published["dated"] = total - counts.undated
    return {
        "total": total,
        "added": _month_section(counts.added, "added"),
        "published": published,
        "tags": _tag_section(counts, tags),
        "orgs": _org_section(counts, org_names),
        "votes": _votes_section(counts, total),
        "quality": _quality_section(counts, total),
    }

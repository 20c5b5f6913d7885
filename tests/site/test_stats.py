"""The statistics page's data and chart geometry (papershelf.site.stats)."""

from __future__ import annotations

import dataclasses
import itertools
import json
from datetime import date
from typing import Any

import pytest

from papershelf.entries.model import Links, Paper, Tag
from papershelf.site.catalog import build_catalog
from papershelf.site.pages import STATS, STATS_URL, Settings, plan_pages
from papershelf.site.stats import (
    CHAR,
    MAX_COLUMNS,
    MAX_X_LABELS,
    TOP_ORGS,
    Counts,
    bar_chart,
    column_chart,
    count_papers,
    list_stats,
    nice_step,
    percent,
    statistics,
    time_axis_labels,
)
from papershelf.speed.snapshot import encode

TAGS = {
    "agents": Tag("agents", "Agents", "a"),
    "vision": Tag("vision", "Vision", "v"),
    "audio": Tag("audio", "Audio", "no papers"),
}


def paper(n: int, added: str = "2025-01-01", published: str | None = None, **more: Any) -> Paper:
    fields: dict[str, Any] = {"tags": ("agents",), "abstract": "An abstract.", **more}
    return Paper(
        slug=f"p{n}",
        title=f"Paper {n}",
        added=date.fromisoformat(added),
        published=date.fromisoformat(published) if published else None,
        **fields,
    )


def stats_of(papers: list[Paper], tags: dict[str, Tag] = TAGS) -> dict[str, Any]:
    catalog = build_catalog(papers, tags)
    return list_stats(catalog.papers, catalog.tags, catalog.org_names)


def assert_plain(value: Any, where: str = "stats") -> None:
    """Only what the build snapshot keeps as it is: str, int, bool, None, lists and
    dicts with str keys (no tuples, floats, dates or records)."""
    if value is None or type(value) in (str, int, bool):
        return
    if type(value) is list:
        for index, item in enumerate(value):
            assert_plain(item, f"{where}[{index}]")
        return
    assert type(value) is dict, f"{where} is a {type(value).__name__}"
    for key, item in value.items():
        assert type(key) is str, f"{where} has a key {key!r}"
        assert_plain(item, f"{where}.{key}")


# -- Over time ------------------------------------------------------------------


def test_every_month_from_the_first_to_the_last_is_counted_zero_or_not():
    stats = stats_of(
        [
            paper(1, "2024-01-05", "2023-11-30"),
            paper(2, "2024-01-20", "2024-02-01"),
            paper(3, "2024-04-01"),
        ]
    )
    assert stats["added"]["months"] == {"2024-01": 2, "2024-02": 0, "2024-03": 0, "2024-04": 1}
    assert (stats["added"]["first"], stats["added"]["last"]) == ("2024-01", "2024-04")
    assert stats["published"]["months"] == {"2023-11": 1, "2023-12": 0, "2024-01": 0, "2024-02": 1}
    assert (stats["published"]["undated"], stats["published"]["dated"]) == (1, 2)
    rows = stats["added"]["rows"]
    assert rows == [
        {"label": "Jan 2024", "count": 2},
        {"label": "Feb 2024", "count": 0},
        {"label": "Mar 2024", "count": 0},
        {"label": "Apr 2024", "count": 1},
    ]
    assert stats["added"]["span"] == "from Jan 2024 to Apr 2024"
    chart = stats["added"]["chart"]
    assert [column["value"] for column in chart["columns"]] == [2, 0, 0, 1]
    assert "Jan 2024 to Apr 2024: 3 in all, the most in Jan 2024 (2)" in chart["summary"]


def test_a_long_span_is_drawn_by_year_and_labelled_sparsely():
    papers = [paper(1, "2025-01-01", "1950-06-01"), paper(2, "2025-01-02", "2025-03-01")]
    published = stats_of(papers)["published"]
    assert len(published["months"]) == (2025 - 1950) * 12 - 2  # the data keeps every month
    assert published["grouping"] == "year"
    assert [row["label"] for row in published["rows"]][:2] == ["1950", "1951"]
    assert len(published["rows"]) == 76 <= MAX_COLUMNS
    labels = [tick["label"] for tick in published["chart"]["x_ticks"]]
    assert 0 < len(labels) <= MAX_X_LABELS
    assert labels == ["1960", "1980", "2000", "2020"]


def test_a_span_of_centuries_is_drawn_by_decade_or_century():
    centuries = stats_of([paper(1, published="0800-01-01"), paper(2, published="2024-01-01")])
    assert centuries["published"]["grouping"] == "century"
    assert centuries["published"]["rows"][0]["label"] == "800\u2013899"
    by_decade = stats_of([paper(1, published="1900-01-01"), paper(2, published="2024-01-01")])
    assert by_decade["published"]["grouping"] == "decade"
    assert by_decade["published"]["rows"][-1] == {"label": "2020s", "count": 1}


@pytest.mark.parametrize("months", [1, 2, 5, 12, 13, 24, 25, 60, 120])
def test_time_labels_are_few_and_never_overlap(months: int):
    starts = list(range(2024 * 12, 2024 * 12 + months))
    labels = time_axis_labels(starts, 1)
    assert 1 <= len(labels) <= MAX_X_LABELS
    chart = column_chart([("x", 1)] * months, labels, "summary")
    extents = []
    for tick in chart.x_ticks:
        width = len(tick.label) * CHAR
        start = {"start": tick.x, "middle": tick.x - width // 2, "end": tick.x - width}
        extents.append((start[tick.anchor], start[tick.anchor] + width))
    assert all(low >= 0 and high <= chart.width for low, high in extents)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(extents))
    if months > 24:  # years, at Januaries
        assert all(label.isdigit() for label in labels.values())


# -- Geometry -------------------------------------------------------------------


def test_columns_sit_side_by_side_in_the_plot_and_scale_to_round_ticks():
    values = [(f"m{index}", value) for index, value in enumerate([0, 7, 1, 3000, 23])]
    chart = column_chart(values, {}, "summary")
    columns = chart.columns
    assert all(chart.left <= c.x and c.x + c.width <= chart.right for c in columns)
    assert all(a.x + a.width <= b.x for a, b in itertools.pairwise(columns))
    assert [tick.label for tick in chart.y_ticks] == ["0", "1,000", "2,000", "3,000"]
    assert chart.y_ticks[-1].y == chart.top and chart.y_ticks[0].y == chart.bottom
    assert columns[3].y == chart.top and columns[3].height == chart.bottom - chart.top
    assert columns[0].height == 0
    assert columns[2].height == 1  # one paper among thousands still shows


def test_many_columns_keep_integer_edges_without_gaps_or_overlaps():
    chart = column_chart([("m", 1)] * MAX_COLUMNS, {}, "summary")
    assert all(isinstance(c.x, int) and c.width >= 3 for c in chart.columns)
    assert all(a.x < b.x for a, b in itertools.pairwise(chart.columns))


def test_a_few_columns_stay_narrow():
    [column] = column_chart([("Jan 2025", 4)], {0: "Jan 2025"}, "summary").columns
    assert column.width <= 48


def test_bars_are_as_long_as_their_share_and_long_labels_are_shortened():
    name = "An organisation with a name far too long to fit on one line of the chart"
    chart = bar_chart([("A", 10, "10"), (name, 5, "5"), ("C", 0, "0")], "summary")
    assert [row.bar_width for row in chart.rows] == [chart.track, chart.track // 2, 0]
    assert all(row.value_x + len(row.value_text) * CHAR <= chart.width for row in chart.rows)
    assert chart.rows[1].value_x > chart.rows[1].bar_width  # just after the bar's end
    assert chart.rows[1].label.endswith("…") and len(chart.rows[1].label) < len(name)
    assert chart.rows[1].full_label == name
    assert chart.height == 3 * (chart.rows[1].text_y - chart.rows[0].text_y)
    shares = bar_chart([("Links", 1, "1%")], "summary", scale=1000)
    assert shares.shares and shares.rows[0].bar_width == 1  # tiny, but there
    assert shares.rows[0].value_x > shares.track  # values in a column after the track


def test_round_steps_and_percentages():
    assert [nice_step(top) for top in (1, 4, 5, 9, 40, 41, 3000, 50_000)] == [
        1, 1, 2, 5, 10, 20, 1000, 20_000
    ]  # fmt: skip
    assert [percent(count, 1000) for count in (0, 1, 4, 5, 500, 995, 999, 1000)] == [
        0, 1, 1, 1, 50, 99, 99, 100
    ]  # fmt: skip
    assert percent(0, 0) == 0


# -- Tags, organisations, votes, data quality ----------------------------------


def test_tags_with_papers_are_listed_by_size_then_title():
    stats = stats_of(
        [
            paper(1, tags=("vision",)),
            paper(2, tags=("agents",)),
            paper(3, tags=("vision", "agents")),
            paper(4, tags=("vision",)),
        ]
    )
    assert stats["tags"]["rows"] == [
        {"id": "vision", "title": "Vision", "count": 3, "url": "tags/vision/"},
        {"id": "agents", "title": "Agents", "count": 2, "url": "tags/agents/"},
    ]
    assert stats["tags"]["unused"] == 1  # audio
    assert [row["label"] for row in stats["tags"]["chart"]["rows"]] == ["Vision", "Agents"]


def test_organisations_are_counted_as_their_pages_count_them_top_twenty_then_more():
    papers = [paper(n, organization=f"Lab {n:02d}") for n in range(25)]
    papers += [paper(100 + n, organization="Lab 07") for n in range(3)]
    papers += [paper(200, organization="DeepMind (Google)", organization_id="google-deepmind")]
    papers += [paper(201, organization="Google DeepMind", organization_id="google-deepmind")]
    catalog = build_catalog(papers, TAGS)
    orgs = list_stats(catalog.papers, catalog.tags, catalog.org_names)["orgs"]
    assert orgs["count"] == len(catalog.by_org) == 26
    assert orgs["papers"] == len(papers)
    assert len(orgs["top"]) == TOP_ORGS
    assert orgs["top"][0] == {"key": "lab-07", "name": "Lab 07", "count": 4, "url": "orgs/lab-07/"}
    deepmind = orgs["top"][1]
    assert (deepmind["key"], deepmind["count"]) == ("google-deepmind", 2)
    assert deepmind["name"] == catalog.org_names["google-deepmind"]  # as its page names it
    assert [row["name"] for row in orgs["top"][2:4]] == ["Lab 00", "Lab 01"]  # then by name
    assert (orgs["more"], orgs["more_papers"]) == (6, 6)
    for row in orgs["top"]:
        assert row["count"] == len(catalog.by_org[row["key"]])


@pytest.mark.parametrize(
    ("votes", "bucket"),
    [(0, 0), (9, 0), (10, 1), (49, 1), (50, 2), (99, 2), (100, 3), (499, 3), (500, 4),
     (999, 4), (1000, 5), (250_000, 5)],
)  # fmt: skip
def test_votes_fall_into_log_buckets(votes: int, bucket: int):
    stats = stats_of([paper(1, votes=votes), paper(2)])["votes"]
    counts = [b["count"] for b in stats["buckets"]]
    assert counts == [int(index == bucket) for index in range(6)]
    assert (stats["voted"], stats["unvoted"]) == (1, 1)


def test_data_quality_counts_links_authors_dates_and_organisations():
    papers = [
        paper(1, "2025-01-01", "2024-01-01", links=Links(arxiv="2401.00001"), authors=("Ada",)),
        paper(2, links=Links(doi="10.1/x"), author_count=12, organization="Lab"),
        paper(3, links=Links(project="https://example.org/"), votes=3),
        paper(4, abstract=""),
    ]
    rows = {row["label"]: row for row in stats_of(papers)["quality"]["rows"]}
    assert (rows["A link"]["count"], rows["A link"]["percent"]) == (3, 75)
    assert rows["Authors named"]["count"] == rows["Only an author count"]["count"] == 1
    assert rows["No authors"]["count"] == 2
    assert rows["A publication date"]["count"] == 1
    assert rows["An organisation"]["count"] == 1
    assert rows["Votes"]["count"] == 1
    assert rows["An abstract"]["count"] == 3


# -- Edge cases and the page's context --------------------------------------------


def test_an_empty_list_has_numbers_but_no_charts():
    stats = stats_of([])
    assert stats["total"] == 0
    assert stats["added"]["chart"] is None and stats["published"]["chart"] is None
    assert stats["added"]["months"] == {} and stats["published"]["undated"] == 0
    assert stats["tags"] == {"rows": [], "unused": 3, "chart": None}
    assert stats["orgs"]["chart"] is None and stats["votes"]["chart"] is None
    assert stats["quality"]["chart"] is None
    assert_plain(stats)


def test_one_undated_paper_without_organisation_or_votes():
    stats = stats_of([paper(1)])
    assert stats["total"] == 1
    assert stats["added"]["span"] == "in Jan 2025"
    assert stats["published"]["chart"] is None and stats["published"]["undated"] == 1
    assert stats["orgs"]["chart"] is None and stats["votes"]["chart"] is None
    assert [row["percent"] for row in stats["quality"]["rows"]][-1] == 100
    assert_plain(stats)


def test_the_stats_are_plain_values_the_same_whatever_the_input_order():
    papers = [
        paper(n, f"2024-{n % 12 + 1:02d}-01", f"2023-{n % 12 + 1:02d}-03", votes=n * 37,
              organization=f"Lab {n % 3}", tags=("agents", "vision")[: n % 2 + 1])
        for n in range(40)
    ]  # fmt: skip
    stats = stats_of(papers)
    assert_plain(stats)
    assert json.loads(json.dumps(stats)) == stats
    assert stats_of(list(reversed(papers))) == stats


def test_the_stats_page_is_planned_in_its_own_group_with_a_context_the_snapshot_keeps():
    catalog = build_catalog([paper(1, organization="Lab", votes=4), paper(2)], TAGS)
    [spec] = [spec for spec in plan_pages(catalog, Settings()) if spec.kind == "stats"]
    assert (spec.url, spec.group, spec.title) == (STATS_URL, STATS, "Statistics")
    assert spec.template == "papershelf/stats.html"
    assert spec.context == {
        "stats": list_stats(catalog.papers, catalog.tags, catalog.org_names),
        "counts": count_papers(catalog.papers).to_json(),  # what a quick build updates
    }
    encode(spec.context, {}, set())  # no paper, catalog or record in it
    only = plan_pages(catalog, Settings(), groups={STATS})
    assert [spec.url for spec in only] == [STATS_URL]


EDITS = {
    "added date to another month": {"added": date(2023, 5, 2)},
    "published date removed": {"published": None},
    "a tag replaced": {"tags": ("vision",)},
    "organisation named": {"organization": "Lab 7"},
    "organisation removed": {"organization": None},
    "votes into another bucket": {"votes": 700},
    "votes removed": {"votes": None},
    "links added": {"links": Links(arxiv="2401.00001")},
    "authors named": {"authors": ("Ada Lovelace",), "author_count": None},
    "abstract removed": {"abstract": ""},
}


@pytest.mark.parametrize("change", EDITS.values(), ids=EDITS.keys())
def test_counts_changed_by_an_edit_are_the_counts_of_the_edited_list(change: dict[str, Any]):
    papers = [
        paper(n, f"2024-{n % 12 + 1:02d}-01", f"2023-{n % 12 + 1:02d}-03" if n % 5 else None,
              votes=n * 37 if n % 4 else None, organization=f"Lab {n % 3}" if n % 2 else None,
              tags=("agents", "vision")[: n % 2 + 1], author_count=3 if n % 3 else None)
        for n in range(12)
    ]  # fmt: skip
    old = papers[5]
    new = dataclasses.replace(old, **change)
    edited = [new if item is old else item for item in papers]
    counts = count_papers(papers).edited(old, new)
    assert counts.to_json() == count_papers(edited).to_json()
    assert Counts.from_json(json.loads(json.dumps(counts.to_json()))).to_json() == counts.to_json()
    catalog = build_catalog(edited, TAGS)
    assert statistics(counts, TAGS, catalog.org_names) == stats_of(edited)

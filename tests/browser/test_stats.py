"""The statistics page (stats/) in Chromium: its SVG charts render with readable text,
light and dark, on a desktop and a 390 px phone, with no script and no axe finding."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Console, Site
from tests.browser.test_accessibility import blocking_violations

STATS = "stats/"
CHARTS = 6  # added, published, tags, organisations, votes, data quality


def chart_boxes(page: Page) -> list[dict[str, float]]:
    """The rendered size of each chart and of its drawn bars and text."""
    return page.evaluate(
        """() => [...document.querySelectorAll("svg.ps-chart__svg")].map(svg => {
            const box = svg.getBoundingClientRect();
            const bars = [...svg.querySelectorAll(".ps-chart__bars rect")]
                .map(rect => rect.getBoundingClientRect());
            const texts = [...svg.querySelectorAll("text")].map(t => t.getBoundingClientRect());
            return {
                width: box.width, height: box.height, right: box.right,
                bars: bars.length,
                visible_bars: bars.filter(b => b.width > 0 && b.height > 0).length,
                smallest_text: Math.min(...texts.map(t => t.height)),
            };
        })"""
    )


def rgba(colour: str) -> tuple[float, float, float, float]:
    found = re.match(r"rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(?:, ([\d.]+))?\)", colour)
    assert found, colour
    red, green, blue, alpha = found.groups()
    return float(red), float(green), float(blue), float(alpha or 1)


def contrast(colour: str, background: str) -> float:
    """WCAG contrast ratio of a CSS colour (its alpha laid over the background) against
    an opaque background."""
    *under, _ = rgba(background)
    *over, alpha = rgba(colour)
    laid = [alpha * top + (1 - alpha) * bottom for top, bottom in zip(over, under, strict=True)]

    def luminance(channels: list[float]) -> float:
        linear = [
            c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
            for c in (value / 255 for value in channels)
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(laid), luminance(under)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_charts_render_and_stand_out_from_the_page(
    site: Site, desktop: tuple[Page, Console], scheme: str
) -> None:
    page, console = desktop
    page.emulate_media(color_scheme=scheme)
    page.goto(site.url(STATS))
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_have_text("Statistics")
    expect(page.locator(".ps-lead")).to_contain_text("7 papers on the list")
    boxes = chart_boxes(page)
    assert len(boxes) == CHARTS
    for box in boxes:
        assert box["width"] > 300 and box["height"] > 20
        assert box["bars"] > 0 and box["visible_bars"] == box["bars"]
        assert box["smallest_text"] >= 12  # about body size on a desktop
    colours = page.evaluate(
        """() => ({
            bar: getComputedStyle(document.querySelector(".ps-chart__bars rect")).fill,
            text: getComputedStyle(document.querySelector(".ps-chart__labels text")).fill,
            axis: getComputedStyle(document.querySelector(".ps-chart__axis text")).fill,
            page: getComputedStyle(document.body).backgroundColor,
        })"""
    )
    # Non-text contrast (WCAG 1.4.11) for the bars, text contrast for their labels.
    assert contrast(colours["bar"], colours["page"]) >= 3, colours
    assert contrast(colours["text"], colours["page"]) >= 4.5, colours
    assert contrast(colours["axis"], colours["page"]) >= 4.5, colours
    assert console.errors == []


def test_hostile_names_are_drawn_as_text(site: Site, desktop: tuple[Page, Console]) -> None:
    page, console = desktop
    page.goto(site.url(STATS))
    labels = page.locator("svg.ps-chart__svg text").all_text_contents()
    assert "R&D <Lab>" in labels and "Agents & tools" in labels
    assert console.errors == []  # and no alert() opened


def test_show_the_numbers_opens_a_table_without_javascript(
    site: Site, desktop: tuple[Page, Console]
) -> None:
    page, console = desktop
    page.goto(site.url(STATS))
    numbers = page.locator("details.ps-numbers").nth(2)  # the tags
    table = numbers.locator("table")
    expect(table).to_be_hidden()
    numbers.locator("summary").click()
    expect(table).to_be_visible()
    expect(table.locator("tbody tr").first).to_contain_text("Agents & tools")
    table.get_by_role("link", name="Agents & tools").click()
    expect(page).to_have_url(re.compile(r"/tags/agents/$"))
    assert console.errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_stats_page_has_no_serious_accessibility_violations(
    site: Site, desktop: tuple[Page, Console], scheme: str
) -> None:
    page, _ = desktop
    page.emulate_media(color_scheme=scheme)
    page.goto(site.url(STATS))
    for summary in page.locator("details.ps-numbers > summary").all():
        summary.click()  # the tables too
    assert blocking_violations(page) == []


def test_on_a_phone_the_charts_fit_and_their_text_stays_readable(
    site: Site, phone: tuple[Page, Console]
) -> None:
    page, console = phone
    page.goto(site.url(STATS))
    for summary in page.locator("details.ps-numbers > summary").all():
        summary.click()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the stats page is {width} px wide"
    boxes = chart_boxes(page)
    assert len(boxes) == CHARTS
    for box in boxes:
        assert box["width"] >= 300 and box["right"] <= 390
        assert box["smallest_text"] >= 11  # text about 10 px high at least
    assert console.errors == []

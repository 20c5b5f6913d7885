"""Cards are rendered once per paper and reused on every list, with the right links."""

from __future__ import annotations

from datetime import date

from papershelf.entries.model import Paper, Tag
from papershelf.site.cards import CardCache
from papershelf.site.catalog import build_catalog
from papershelf.site.rendering import fragment_environment

TAGS = {"agents": Tag("agents", "Agents & Co", "About agents.")}


def paper(slug: str, title: str) -> Paper:
    return Paper(slug=slug, title=title, added=date(2025, 1, 2), tags=("agents",), votes=3)


def test_a_card_is_rendered_once_and_its_links_follow_each_page():
    env = fragment_environment()
    cards = CardCache(env)
    one = paper("one", "One")
    catalog = build_catalog([one], TAGS)
    cards.start_build(catalog)
    deep = cards(one, "../../../", catalog)
    shallow = cards(one, "../", catalog)
    assert cards.rendered == 1
    assert 'href="../../../papers/one/"' in deep and 'href="../papers/one/"' in shallow
    assert "Agents &amp; Co" in deep
    expected = env.get_template("papershelf/macros.html").module.card(one, "../", catalog)
    assert shallow == expected


def test_entry_text_cannot_forge_the_placeholder():
    env = fragment_environment()
    cards = CardCache(env)
    sly = paper("sly", "Title <ps-base> trick")
    catalog = build_catalog([sly], TAGS)
    cards.start_build(catalog)
    html = cards(sly, "../", catalog)
    assert "Title &lt;ps-base&gt; trick" in html


def test_cards_are_kept_across_builds_until_their_paper_or_the_vocabulary_changes():
    env = fragment_environment()
    cards = CardCache(env)
    one, two = paper("one", "One"), paper("two", "Two")
    catalog = build_catalog([one, two], TAGS)
    cards.start_build(catalog)
    cards(one, "../", catalog)
    cards(two, "../", catalog)
    assert cards.rendered == 2

    edited = paper("two", "Two, edited")
    catalog = build_catalog([one, edited], TAGS)
    cards.start_build(catalog)
    cards(one, "../", catalog)
    assert "Two, edited" in cards(edited, "../", catalog)
    assert cards.rendered == 3  # only the edited paper again

    renamed = {"agents": Tag("agents", "Agentic systems", "About agents.")}
    catalog = build_catalog([one, edited], renamed)
    cards.start_build(catalog)
    assert "Agentic systems" in cards(one, "../", catalog)
    assert cards.rendered == 4

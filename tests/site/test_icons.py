"""The theme's icons drawn from one sprite (papershelf.site.icons)."""

from __future__ import annotations

import re

from papershelf.site.icons import SPRITE, icon_id, sprite_file, sprite_icons

MENU = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M3 6h18v2H3z"/></svg>'
GIT = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 448 512"><!--! Font Awesome Free'
    ' 7.1.0 by @fontawesome - https://fontawesome.com License (CC BY 4.0) --><path d="M439 2"/></svg>'
)
CHART = (
    '<svg class="ps-chart__svg" viewBox="0 0 10 10" role="img" '
    'xmlns="http://www.w3.org/2000/svg"><path d="M0 0h1"/></svg>'
)


def test_icons_become_references_to_the_sprite_from_the_page():
    html, icons = sprite_icons(f"<a>{MENU}</a><b>{MENU}</b>{GIT}", "../../")
    menu, git = icon_id("0 0 24 24", "M3 6h18v2H3z"), icon_id("0 0 448 512", "M439 2")
    assert html == (
        f'<a><svg viewBox="0 0 24 24"><use href="../../{SPRITE}#{menu}"/></svg></a>'
        f'<b><svg viewBox="0 0 24 24"><use href="../../{SPRITE}#{menu}"/></svg></b>'
        f'<svg viewBox="0 0 448 512"><use href="../../{SPRITE}#{git}"/></svg>'
    )
    assert (
        icons[menu] == f'<symbol id="{menu}" viewBox="0 0 24 24"><path d="M3 6h18v2H3z"/></symbol>'
    )
    assert "Font Awesome Free 7.1.0" in icons[git]  # the licence note goes with the drawing


def test_other_svgs_stay_inline():
    html = f"<p>{CHART}</p>"
    assert sprite_icons(html, "") == (html, {})


def test_the_sprite_is_the_same_whatever_the_order_the_icons_were_met():
    _, first = sprite_icons(MENU + GIT, "")
    _, second = sprite_icons(GIT + MENU, "")
    assert sprite_file(first) == sprite_file(dict(reversed(list(second.items()))))
    sprite = sprite_file(first).decode()
    assert sprite.startswith('<svg xmlns="http://www.w3.org/2000/svg"><symbol')
    assert re.findall(r'id="(i[0-9a-f]+)"', sprite) == sorted(first)

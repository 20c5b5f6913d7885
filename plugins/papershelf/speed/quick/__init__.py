"""The quick ``papershelf build``: an edit of a few entries, rebuilt without mkdocs.

Most edits of a reading list fix a title or an abstract, add notes, authors or a
code link. Such an edit moves no paper (:func:`placement` is unchanged): the pages
it changes are exactly the pages whose key holds the paper
(page_fingerprints.page_fingerprint): its own page, its neighbours', the list pages it is
on, perhaps the home page; plus the feeds that list it and a few files of the
search index. Going through mkdocs for those costs seconds at 10,000 papers (its
start, its file list, the plan of every page); here they are rebuilt from the snapshot
the last mkdocs build left (papershelf.speed.snapshot): the same body templates
(papershelf.site.rendering), the theme shells it cut (papershelf.speed.theme_shells) or the pages
it made through the theme cut around their body, the search index patched
(papershelf.speed.search_patch.patch_index).

An edit of a tag, the organisation, the votes or a date *moves* the paper between
lists or along them, and the other papers of those lists shift on their pages. The
new lists are made from the snapshot's placements (papershelf.speed.placements) and only their
pages are planned again (``plan_pages(groups=...)``), with the pages of the papers
whose neighbours in the list changed; a page whose plan is unchanged and holds no
edited paper stays as it is. Papers are numbered by slug in the snapshot and the search
index (papershelf.site.search.numbered), so a paper that moves keeps its number: the
search index gets a new rank file and the feeds list the new order.

A list that grows or shrinks by a page, or that appears or goes (a month, a year,
an organisation), is quick too: its pages are written or deleted, the months beside
a month that came or went are planned again (they link to it), and the sitemaps are
written again.

Anything else raises :class:`NotQuickError` before a file is written, and the CLI runs
the mkdocs build as before: no snapshot or another build's snapshot, a hand-written input
touched, an entry added, removed, renamed or with a problem (the numbers by slug
shift), a new page in mkdocs' nav, a page whose shell the snapshot lacks.
Like every ``papershelf build``, the result is written beside the site and moved in
only when complete; ``tests/speed/test_quick.py`` compares it byte for byte with a clean
build.

The parts: ``edits`` (which edits it takes), ``entries`` (the entry files then and
now), ``moving`` (the lists after a move), ``site`` (pages, feeds, sitemaps, search
index) and ``build`` (the whole run, and what it leaves for the next build).
"""

from papershelf.speed.quick.build import Outcome, rebuild
from papershelf.speed.quick.edits import NotQuickError, check_identities, placement

__all__ = ["NotQuickError", "Outcome", "check_identities", "placement", "rebuild"]

"""Options of the ``papershelf`` mkdocs plugin, declared once with their defaults."""

from __future__ import annotations

from mkdocs.config import config_options as opt
from mkdocs.config.base import Config


class PapershelfConfig(Config):
    # Folder of entry files and the tag vocabulary, relative to mkdocs.yml.
    papers_dir = opt.Type(str, default="papers")
    tags_file = opt.Type(str, default="tags.yml")
    # Folder of reading paths (collections/<slug>.yml), relative to mkdocs.yml; a list
    # without the folder has none (papershelf.entries.collections).
    collections_dir = opt.Type(str, default="collections")
    # Papers per page on tag, archive and organisation pages.
    page_size = opt.Type(int, default=50)
    # Papers on the home page's "recent additions" list.
    home_recent = opt.Type(int, default=20)
    # Related papers a paper page shows (papershelf.site.related); 0: none.
    related_papers = opt.Type(int, default=5)
    # Items per feed (site-wide and per tag); feeds list the newest additions.
    feed_length = opt.Type(int, default=50)
    # Write the header search box's index into search/, made from the catalog
    # (papershelf.site.search); false: no index (the box then says search is not available).
    search_index = opt.Type(bool, default=True)
    # Render generated pages through one theme shell per URL depth (papershelf.speed.shell_pages):
    # the same HTML, without mkdocs' per-page Markdown and theme work. false renders
    # each page through the theme (slow; for comparison and debugging).
    prerender = opt.Type(bool, default=True)
    # Keep validated entries between builds, keyed by file contents, in the user's
    # cache folder (papershelf.speed.entry_cache); a rebuild then parses only changed files.
    cache = opt.Type(bool, default=True)

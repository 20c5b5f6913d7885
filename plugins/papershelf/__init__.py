"""Papershelf: a curated reading list of research papers, built with mkdocs-material.

The folders are the layers, each importing only from those above it in this list:

* ``entries``   paper files -> validated ``Paper`` records (strict YAML, schema, tags)
* ``site``      papers -> catalog -> pages, feeds, sitemaps, search index (pure, no mkdocs)
* ``speed``     caches, build snapshots, quick rebuilds, forked work: the same site, faster
* ``plugin``    the mkdocs hooks that run the above inside ``mkdocs build``
* ``importers`` listings and other files -> new entry files (used by the command line)

docs/architecture.md has the map and the rules that keep every build path equal.
"""

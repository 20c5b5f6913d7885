"""Papershelf: a curated reading list of research papers, built with mkdocs-material.

The data layer (model, loader, catalog, feeds, exports) imports nothing from mkdocs
so another generator could reuse it; only ``plugin.py`` and ``pages.py`` know mkdocs.
"""

"""Papers -> the site: catalog, page plans, rendered bodies, feeds, sitemaps, search index.

Pure functions of the catalog (files are written only by ``publish`` and the index
writer); imports ``entries`` only, never ``speed`` or mkdocs.
"""

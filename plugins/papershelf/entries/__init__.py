"""Entry files -> validated ``Paper`` records, every problem reported with file and line.

Knows nothing of pages, caches or mkdocs: a cache and a parallel parse are passed in.
"""

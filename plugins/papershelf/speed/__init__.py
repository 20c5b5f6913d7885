"""Everything that makes builds faster and nothing else: with ``cache: false`` and
``prerender: false`` a build gives the same site without it.

Entry cache, page fingerprints and build state (incremental builds), theme shells
(pages without mkdocs' page loop), the build snapshot and quick rebuilds, forked work.
It wraps ``entries`` and ``site``; they never import it.
"""

"""The quick ``papershelf build``: an edit of a few entries, rebuilt without mkdocs.

Going through mkdocs for the few pages an edit changes costs seconds at 10,000 papers;
this rebuilds them from the build snapshot, or raises :class:`NotQuickError` before a
file is written so that mkdocs builds. Details: docs/architecture.md, "Quick builds".
"""

from papershelf.speed.quick.edits import NotQuickError, check_identities, placement
from papershelf.speed.quick.rebuild import Outcome, rebuild

__all__ = ["NotQuickError", "Outcome", "check_identities", "placement", "rebuild"]

"""How files are named in messages."""

from __future__ import annotations

import os
from pathlib import Path


def display_path(path: Path | str) -> str:
    """A path as a contributor would type it: relative to the working directory when it
    is inside it (``papers/x.yaml``), else as given (never ``../../tmp/...``)."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)
    return str(path) if relative.startswith(os.pardir) else relative

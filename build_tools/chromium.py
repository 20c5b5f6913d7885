"""The Chromium the tools and the browser tests drive: Debian's package by default
(Playwright's own browser download cannot work here), ``PAPERSHELF_CHROMIUM`` names
another build."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("PAPERSHELF_CHROMIUM", "/usr/bin/chromium"))
# Headless in a container as root, and quiet: no sandbox, no GPU, no background
# requests of the browser's own to count or to wait for.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

"""``papershelf build``: a strict mkdocs build that never destroys the last good site.

``mkdocs build`` empties ``site_dir`` before writing, so a failure halfway would leave
readers (or ``make serve``) with half a site. We build into a sibling temporary folder
and swap it in only when the build succeeded.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HELP = "Build the site into site/ (strict); on failure the previous site stays as it was."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-f", "--config-file", type=Path, default=Path("mkdocs.yml"))
    parser.add_argument("-d", "--site-dir", type=Path, default=Path("site"))
    parser.add_argument(
        "--no-strict", dest="strict", action="store_false", help="do not fail on warnings"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="only print problems")


def run(args: argparse.Namespace) -> int:
    site = args.site_dir.resolve()
    site.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site.name}-new-", dir=site.parent))
    command = [sys.executable, "-m", "mkdocs", "build", "-f", str(args.config_file)]
    command += ["--site-dir", str(staging)]
    if args.strict:
        command.append("--strict")
    if args.quiet:
        command.append("--quiet")
    completed = subprocess.run(command, check=False)
    if completed.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        print(f"build failed; {args.site_dir} was left unchanged", file=sys.stderr)
        return 1
    swap_in(staging, site)
    print(f"site built in {args.site_dir}/ (open {args.site_dir}/index.html or run `make serve`)")
    return 0


def swap_in(staging: Path, site: Path) -> None:
    """Replace ``site`` by ``staging`` with two renames, so a reader never sees a mix."""
    old = None
    if site.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{site.name}-old-", dir=site.parent))
        old.rmdir()
        site.rename(old)
    staging.rename(site)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)

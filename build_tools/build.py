"""``papershelf build``: a strict mkdocs build that never destroys the last good site,
and after an edit rebuilds only what the edit changed.

``mkdocs build`` empties ``site_dir`` before writing, so a failure halfway would leave
readers (or ``make serve``) with half a site. We build into a sibling temporary folder
and swap it in only when the build succeeded. When the last build of this site left a
state (papershelf.speed.build_state) and nothing every page depends on changed, the build
in the temporary folder is a ``--dirty`` one that holds only the changed pages, which
are then moved into the site.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import papershelf
from build_tools.lock import BuildLockedError, build_lock
from papershelf.site.exports import TAG_LIST_FILES
from papershelf.site.publish import PublishError, publish, swap_in, sweep_leftovers
from papershelf.site.search import FOLDER as SEARCH_SUBDIR
from papershelf.speed.build_state import (
    FULL_BUILD_NEEDED,
    STATE_IN,
    STATE_OUT,
    BuildState,
    removed_pages,
    site_signature,
    staging_folder,
    state_location,
)
from papershelf.speed.entry_cache import NO_CACHE, default_location  # NO_CACHE: --clean reads none
from papershelf.speed.snapshot import snapshot_path

HELP = (
    "Build the site into site/ (strict); on failure the previous site stays as it was. "
    "After an edit only the pages it changed are rebuilt (--clean: everything)."
)
PACKAGE = Path(papershelf.__file__).resolve().parent
INHERIT = re.compile(r"^INHERIT:[ \t]*(\S[^#\n]*)", re.MULTILINE)
ENV_TAG = re.compile(r"!ENV\s+(\[[^\]]*\]|\S+)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-f", "--config-file", type=Path, default=Path("mkdocs.yml"))
    parser.add_argument("-d", "--site-dir", type=Path, default=Path("site"))
    parser.add_argument(
        "--no-strict", dest="strict", action="store_false", help="do not fail on warnings"
    )
    parser.add_argument(
        "--clean", action="store_true", help="rebuild every page, not only those that changed"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="only print problems")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="say why a build could not be a quick one"
    )


def environment_names(config: str) -> list[str]:
    """Environment variables mkdocs.yml reads with ``!ENV NAME`` or ``!ENV [NAME, ...,
    default]`` (mkdocs' pyyaml_env_tag): their values are inputs of the build too."""
    names: set[str] = set()
    for match in ENV_TAG.finditer(config):
        value = match.group(1)
        if value.startswith("["):  # names, then a default value if there are several
            parts = [part.strip().strip("'\"") for part in value.strip("[]").split(",")]
            names.update(parts[:-1] if len(parts) > 1 else parts)
        else:
            names.add(value.strip("'\""))
    return sorted(name for name in names if name)


def config_chain(config_file: Path) -> list[Path]:
    """mkdocs.yml and the files it inherits from (``INHERIT: base.yml``, relative to the
    file naming it), each once."""
    chain = [config_file]
    while True:
        try:
            text = chain[-1].read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return chain
        match = INHERIT.search(text)
        if match is None:
            return chain
        parent = (chain[-1].parent / match.group(1).strip().strip("'\"")).resolve()
        if parent in chain:
            return chain
        chain.append(parent)


def input_digest(config_file: Path, strict: bool) -> str:
    """What an incremental build cannot see from inside mkdocs: the configuration (with
    the files it inherits from and the environment variables it reads), the versions of
    mkdocs, the theme and Python, and papershelf's own code and templates. Any change
    means a full build."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{sys.version}|strict={strict}|".encode())
    for package in ("mkdocs", "mkdocs-material", "pymdown-extensions", "markdown", "jinja2"):
        try:
            digest.update(f"{package}={metadata.version(package)}|".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package}=none|".encode())
    for config_path in config_chain(config_file):
        config = config_path.read_bytes() if config_path.is_file() else b""
        digest.update(str(config_path).encode() + b"\0" + config)
        for name in environment_names(config.decode("utf-8", "replace")):
            digest.update(f"{name}={os.environ.get(name)!r}|".encode())
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(PACKAGE)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def run(args: argparse.Namespace) -> int:
    site = args.site_dir.resolve()
    if site.exists() and not site.is_dir():
        print(
            f"papershelf build: {args.site_dir} is a file, not a folder: move it away, or "
            "build into another folder with --site-dir",
            file=sys.stderr,
        )
        return 1
    site.parent.mkdir(parents=True, exist_ok=True)
    config_file = args.config_file.resolve()
    state_path = state_location(config_file.parent, site)
    try:
        # One build per checkout at a time: builds share the site and the caches.
        with build_lock(lock_location(config_file.parent)):
            for leftover in sweep_leftovers(site):
                if args.verbose:
                    print(f"papershelf: removed {leftover.name}, left by a build that was killed")
            return build(args, site, config_file, state_path)
    except BuildLockedError as error:
        print(f"papershelf build: {error}", file=sys.stderr)
        return 1
    except PublishError as error:
        print(f"build failed: {error}; {args.site_dir} was left unchanged", file=sys.stderr)
        return 1


def warn_about_shipped_urls(config_file: Path) -> None:
    """On GitHub Actions, in a fork: say so when the site would still be published with
    papershelf's own site_url, or link to papershelf's repository (build_tools.deploy_check)."""
    if os.environ.get("GITHUB_ACTIONS") != "true":
        return
    from build_tools.deploy_check import config_urls, shipped_defaults_warnings

    site_url, repo_url = config_urls(config_file, os.environ)
    if os.environ.get("PAPERSHELF_PUBLISHING") != "true":
        site_url = None  # a preview is not published: its address does not matter
    for line in shipped_defaults_warnings(site_url, repo_url, os.environ):
        print(line, file=sys.stderr)
        print(f"::warning title=papershelf build::{line.removeprefix('warning: ')}")


def warn_about_size(site: Path) -> None:
    """Say so when the site nears what GitHub Pages publishes (build_tools.site_size).
    After builds with mkdocs only: a quick build changes a few pages, and counting the
    files of a 50,000-paper site takes a few seconds."""
    from build_tools.site_size import size_warning, tally, walk

    kinds = tally(walk(site))
    line = size_warning(sum(kind.bytes for kind in kinds.values()), kinds=kinds)
    if line is not None:
        print(line, file=sys.stderr)
        if os.environ.get("GITHUB_ACTIONS") == "true":
            print(f"::warning title=papershelf build::{line.removeprefix('warning: ')}")


def lock_location(project_root: Path) -> Path:
    """Beside the project's entry cache and build states, in the user's cache folder."""
    return default_location(project_root).parent / "build.lock"


def build(args: argparse.Namespace, site: Path, config_file: Path, state_path: Path) -> int:
    """The build itself, under the lock (see :func:`run`)."""
    warn_about_shipped_urls(config_file)
    inputs = input_digest(config_file, args.strict)
    previous = None if args.clean else BuildState.read(state_path)
    why = "--clean" if args.clean else "no earlier build of this site"
    if previous is not None and previous.inputs != inputs:
        previous, why = None, "mkdocs.yml or an installed version changed"
    elif previous is not None and not (previous.stamp and previous.stamp == site_signature(site)):
        previous, why = None, f"{args.site_dir}/ was changed by something else"
    if previous is None and args.verbose:
        print(f"papershelf: building everything: {why}")
    if previous is not None:
        outcome = quick_build(args, config_file, site, state_path, previous)
        if outcome is not None:
            if not args.quiet:
                print(f"site updated in {args.site_dir}/ without mkdocs: {outcome}")
                print(how_to_view(args.site_dir))
            return 0
    new_state = state_path.with_name(f".{state_path.name}.{os.getpid()}.new")
    new_state.parent.mkdir(parents=True, exist_ok=True)
    try:
        completed, staging = build_into_staging(args, site, state_path, new_state, previous)
        if previous is not None:  # its output was held back (see build_into_staging)
            if completed.returncode != 0 and (staging / FULL_BUILD_NEEDED).is_file():
                shutil.rmtree(staging, ignore_errors=True)  # not a failure: build it all
                previous = None
                completed, staging = build_into_staging(args, site, state_path, new_state, None)
            else:
                sys.stderr.write(completed.stderr)
        if completed.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            print(f"build failed; {args.site_dir} was left unchanged", file=sys.stderr)
            return 1
        state = BuildState.read(new_state)
        if previous is None or state is None:
            try:
                swap_in(staging, site)
            finally:
                shutil.rmtree(staging, ignore_errors=True)  # gone when it was moved in
        else:
            try:
                removed = removed_pages(previous.pages, state.pages)
                publish(staging, site, removed, owned=(SEARCH_SUBDIR,), whole=TAG_LIST_FILES)
            except BaseException:
                state_path.unlink(missing_ok=True)  # the next build starts afresh
                raise
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        if state is not None:
            state.inputs, state.stamp = inputs, site_signature(site)
            if snapshot_path(new_state).is_file():
                snapshot_path(new_state).replace(snapshot_path(state_path))
            else:
                snapshot_path(state_path).unlink(missing_ok=True)
            state.write(state_path)
        else:
            state_path.unlink(missing_ok=True)
    finally:
        new_state.unlink(missing_ok=True)
        snapshot_path(new_state).unlink(missing_ok=True)
    warn_about_size(site)
    if not args.quiet:
        how = "updated" if previous is not None else "built"
        summary = summarise(BuildState.read(state_path))
        print(f"site {how} in {args.site_dir}/" + (f": {summary}" if summary else ""))
        print(how_to_view(args.site_dir))
    return 0


def summarise(state: BuildState | None) -> str:
    """Papers, pages and feeds of the site, from the state the build left."""
    if state is None:
        return ""
    papers = sum(1 for url in state.pages if url.startswith("papers/"))
    return (
        f"{_count(papers, 'paper')}, {_count(len(state.pages), 'generated page')}, "
        f"{_count(len(state.feeds), 'feed')} (RSS, Atom and JSON Feed each)"
    )


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def how_to_view(site_dir: Path) -> str:
    """Directory URLs need a web server: a site opened as files shows folder listings."""
    return (
        f"view it with `make serve`, or `python3 -m http.server -d {site_dir}` "
        "and http://localhost:8000/"
    )


def quick_build(
    args: argparse.Namespace,
    config_file: Path,
    site: Path,
    state_path: Path,
    previous: BuildState,
) -> str | None:
    """After edits of entry contents only, rebuild without mkdocs (papershelf.speed.quick);
    what it did, or None when mkdocs must build."""
    from papershelf.speed.quick import NotQuickError, rebuild

    try:
        outcome = rebuild(config_file, site, state_path, previous)
    except NotQuickError as reason:
        if args.verbose:
            print(f"papershelf: building with mkdocs: {reason}")
        return None
    return str(outcome)


def build_into_staging(
    args: argparse.Namespace,
    site: Path,
    state_path: Path,
    new_state: Path,
    previous: BuildState | None,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Run mkdocs into a new sibling folder: everything, or with ``previous`` only the
    pages changed since then (``--dirty``)."""
    staging = staging_folder(site)
    command = [sys.executable, "-m", "mkdocs", "build", "-f", str(args.config_file.resolve())]
    command += ["--site-dir", str(staging)]
    environment = {**os.environ, STATE_OUT: str(new_state)}
    environment.pop(STATE_IN, None)
    environment.pop(NO_CACHE, None)
    if args.clean:  # every cache is a hint: --clean reads none of them
        environment[NO_CACHE] = "1"
    if previous is not None:
        command.append("--dirty")
        environment[STATE_IN] = str(state_path)
    if args.strict:
        command.append("--strict")
    if args.quiet:
        command.append("--quiet")
    # Material's end-of-life banner is for maintainers (README, "Maintenance"), not
    # for every build a curator runs.
    environment.setdefault("NO_MKDOCS_2_WARNING", "1")
    new_state.unlink(missing_ok=True)
    # An incremental attempt's output is held back: if it turns out that everything
    # must be built, its "abort" is no news to the reader (run() prints it otherwise).
    completed = run_mkdocs(command, environment, hold=previous is not None, verbose=args.verbose)
    return completed, staging


def run_mkdocs(
    command: list[str], environment: dict[str, str], *, hold: bool, verbose: bool
) -> subprocess.CompletedProcess[str]:
    """Run mkdocs, passing on its warnings and errors as they come (or keeping them in
    the result's ``stderr`` with ``hold``); its INFO lines only with ``verbose``."""
    shown: list[str] = []
    with subprocess.Popen(
        command,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            if verbose or not is_chatter(line):
                if hold:
                    shown.append(line)
                else:
                    sys.stderr.write(line)
    return subprocess.CompletedProcess(command, process.returncode, "", "".join(shown))


def is_chatter(line: str) -> bool:
    """mkdocs' progress lines (``INFO - ...``) and blank lines: not news to a curator."""
    return not line.strip() or line.startswith(("INFO ", "DEBUG "))

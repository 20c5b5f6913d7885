"""``papershelf import daily-papers FILE...``: add papers from "Daily Papers" dumps.

The steps, top to bottom in :func:`import_daily_papers`:

1. read and parse every file (``papershelf.importers.daily_papers``), choosing each file's
   capture year (``--year``, else inferred and said so);
2. load the collection (``papers/`` must validate: identity and slugs depend on it);
3. plan (``papershelf.importers.merging``): fold duplicates, match existing entries, tag and
   name new papers;
4. stage every file to write in a temporary folder, read each back with the real
   loader and compare it with the plan;
5. unless ``--dry-run``, move the staged files into place (atomic renames), then
   print the summary.

Nothing in ``papers/`` changes before step 5, so a failed run leaves it as it was.
Exit status: 0 when everything was imported, 1 when some lines could not be parsed
(the rest is imported) or when the run failed (nothing written).

``papershelf import bibtex`` (``build_tools.import_bibtex``) shares steps 2, 4 and 5:
:func:`load_collection`, :func:`write_plan`, and the printing of changes.
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TextIO

from papershelf.entries.loader import (
    LoadResult,
    display_path,
    entry_files,
    load_entry,
    load_project,
)
from papershelf.entries.model import Paper
from papershelf.entries.text_rules import printable
from papershelf.entries.vocabulary import Vocabulary
from papershelf.importers.daily_papers import (
    LineProblem,
    Record,
    choose_year,
    parse_listing,
    resolve_listing,
)
from papershelf.importers.entry_files import PatchError, patch_entry, render_entry
from papershelf.importers.merging import Conflict, Plan, fold_duplicates, plan_import
from papershelf.importers.tagging import UNCATEGORIZED, assign_tags, compile_rules

HELP = (
    "Import papers from listing dumps or BibTeX files; see `papershelf import daily-papers "
    "--help` and `papershelf import bibtex --help`."
)
DAILY_HELP = (
    "Import text dumps of a 'Daily Papers' listing page into papers/: one entry per paper, "
    "duplicates merged, tags from the keyword rules in tags.yml."
)
PROGRESS_EVERY = 500


class ImportAbortedError(Exception):
    """The run cannot go on; nothing has been written."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sources = parser.add_subparsers(dest="source", required=True, metavar="SOURCE")
    daily = sources.add_parser("daily-papers", help=DAILY_HELP, description=DAILY_HELP)
    daily.add_argument("files", nargs="+", type=Path, metavar="FILE", help="text dumps to read")
    daily.add_argument(
        "--into", type=Path, default=Path("papers"), help="entries folder (default: papers/)"
    )
    daily.add_argument(
        "--year",
        type=_year,
        help="year the listings were captured, for dates shown without a year "
        "(default: one more than the latest year written in each file)",
    )
    daily.add_argument(
        "--added",
        type=iso_date,
        help="date the papers joined the list, written into each new entry (default: today)",
    )
    daily.add_argument(
        "--dry-run", action="store_true", help="print what would change and write nothing"
    )
    daily.add_argument("--tags", type=Path, default=Path("tags.yml"), help="tag vocabulary")
    daily.set_defaults(run=run_daily)
    from build_tools import import_bibtex  # here: it imports this module

    bibtex = sources.add_parser("bibtex", help=import_bibtex.HELP, description=import_bibtex.HELP)
    import_bibtex.add_arguments(bibtex)
    bibtex.set_defaults(run=import_bibtex.run)


def _year(text: str) -> int:
    if not (text.isdigit() and len(text) == 4):
        raise argparse.ArgumentTypeError(f"'{text}' is not a year; write e.g. --year 2025")
    return int(text)


def iso_date(text: str) -> date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date; write YYYY-MM-DD, e.g. --added 2025-01-31"
        ) from None


def run(args: argparse.Namespace) -> int:
    """Run the source's import (``daily-papers`` or ``bibtex``)."""
    return int(args.run(args))


def run_daily(args: argparse.Namespace) -> int:
    options = Options(
        files=list(args.files),
        into=args.into,
        tags_file=args.tags,
        year=args.year,
        added=args.added or date.today(),
        dry_run=args.dry_run,
    )
    # Titles and lines of the listings are untrusted: printed escaped (a NUL or ESC in
    # a dump cannot reach the terminal as a control sequence).
    out, err = Printable(sys.stdout), Printable(sys.stderr)
    try:
        report = import_daily_papers(options, out=out, err=err)
    except ImportAbortedError as failure:
        print(f"papershelf import: {failure}", file=err)
        print(f"nothing was written to {shown_dir(options.into)}", file=sys.stderr)
        return 1
    return 1 if report.problems else 0


@dataclass(frozen=True)
class Options:
    files: list[Path]
    into: Path
    tags_file: Path
    year: int | None
    added: date
    dry_run: bool = False


@dataclass
class Report:
    """Everything the summary prints; returned so tests can inspect it."""

    files_read: int = 0
    entries_parsed: int = 0
    problems: list[LineProblem] = field(default_factory=list)
    plan: Plan | None = None
    duplicates_folded: int = 0
    written: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class Staged:
    """One file to write: its final path, text, and the Paper it must read back as."""

    path: Path
    text: str
    expected: Paper
    label: str


class Printable(io.TextIOBase):
    """A text stream that writes through :func:`papershelf.entries.text_rules.printable`."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(printable(text))

    def flush(self) -> None:
        self.stream.flush()


def plural(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def import_daily_papers(options: Options, *, out: TextIO, err: TextIO) -> Report:
    """The whole import; raises ImportAbortedError (nothing written) when it cannot finish."""
    report = Report()
    progress = Progress(err)
    records = _read_listings(options, report, out)
    project = load_collection(options.into, options.tags_file)
    candidates, fold_conflicts = fold_duplicates(records)
    report.duplicates_folded = len(records) - len(candidates)
    rules = compile_rules(project.vocabulary.tags.values())
    plan = plan_import(
        candidates,
        project.papers,
        added=options.added,
        tagger=lambda title, abstract: assign_tags(title, abstract, rules),
        taken_slugs=[path.stem for path in entry_files(options.into)],
        progress=progress.step("tagging new papers"),
    )
    plan = replace(plan, conflicts=fold_conflicts + plan.conflicts)
    report.plan, report.written = write_plan(
        plan, options.into, project.vocabulary, dry_run=options.dry_run, progress=progress
    )
    print_changes(report.plan, options.into, options.dry_run, out)
    _print_summary(report, options, out, err)
    return report


def load_collection(into: Path, tags_file: Path) -> LoadResult:
    """The list to import into: it must validate (identity and slugs depend on it) and
    have the tag for papers no keyword rule matches."""
    project = load_project(into, tags_file)
    if project.problems:
        details = "\n".join(f"  {problem}" for problem in project.problems)
        raise ImportAbortedError(
            f"the collection has {plural(len(project.problems), 'problem')}; fix them first "
            f"(`papershelf validate` lists them):\n{details}"
        )
    if UNCATEGORIZED not in project.vocabulary.tags:
        raise ImportAbortedError(
            f"{display_path(tags_file)} has no '{UNCATEGORIZED}' tag, needed for "
            f"papers no keyword rule matches; add it (title and description)"
        )
    return project


def write_plan(
    plan: Plan, into: Path, vocabulary: Vocabulary, *, dry_run: bool, progress: Progress
) -> tuple[Plan, list[Path]]:
    """Steps 4 and 5: stage and check every file, then (unless ``dry_run``) move them in.

    Returns the plan as carried out (updates that could not be made safely became
    conflicts) and the files written."""
    staged, unpatchable = _prepare(plan, into)
    staging = _staging_folder(into, dry_run)
    written: list[Path] = []
    try:
        failed = _stage_and_check(staged, staging, vocabulary, progress)
        plan = _without_failed_updates(plan, {**unpatchable, **failed})
        if not dry_run:
            written = _move_into_place(staged, plan, staging, progress)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return plan, written


def _read_listings(options: Options, report: Report, out: TextIO) -> list[Record]:
    """Parse every file first: an unreadable file or unknown year stops the run."""
    records: list[Record] = []
    for path in options.files:
        shown = str(path)  # as the user typed it, so FILE:LINE points at their file
        listing = parse_listing(read_input(path), shown)
        choice = choose_year(listing, options.year)
        if choice.year is None and listing.needs_year:
            raise ImportAbortedError(
                f"{shown}: {choice.how}; pass --year YYYY (the year the listing was captured)"
            )
        print(f"{shown}: {len(listing.entries)} entries; {choice.how}", file=out)
        resolved, date_problems = resolve_listing(listing, choice.year)
        report.files_read += 1
        report.entries_parsed += len(listing.entries)
        report.problems.extend(listing.problems)
        report.problems.extend(date_problems)
        records.extend(resolved)
    report.problems.sort(key=lambda p: (p.path, p.line))
    return records


def read_input(path: Path) -> str:
    """The text of an input file; one that cannot be read stops the run."""
    shown = str(path)  # as the user typed it
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ImportAbortedError(f"{shown}: no such file") from None
    except UnicodeDecodeError as error:
        raise ImportAbortedError(
            f"{shown}: not UTF-8 text (byte {error.start}); save it as UTF-8"
        ) from None
    except OSError as error:
        raise ImportAbortedError(f"{shown}: cannot read: {error.strerror}") from None


def _prepare(plan: Plan, into: Path) -> tuple[list[Staged], dict[Path, str]]:
    """The text of every file to write, and updates that cannot be patched (path -> why)."""
    staged = [
        Staged(into / f"{n.paper.slug}.yaml", render_entry(n.paper), n.paper, "create")
        for n in plan.new
    ]
    unpatchable: dict[Path, str] = {}
    for update in plan.updates:
        source = update.paper.source
        assert source is not None, "loaded papers know their file"
        try:
            original = source.read_text(encoding="utf-8")
            text = patch_entry(original, source.suffix, update.changes)
        except (OSError, UnicodeDecodeError, PatchError) as error:
            unpatchable[source] = str(error)
            continue
        staged.append(Staged(source, text, update.updated, "update"))
    return staged, unpatchable


def _staging_folder(into: Path, dry_run: bool) -> Path:
    """A fresh folder for staged files: in the target (same file system, so moves are
    atomic renames), or in the system's temporary folder for a dry run."""
    parent = Path(tempfile.gettempdir()) if dry_run else into
    try:
        parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".papershelf-import-", dir=parent))
    except OSError as error:
        raise ImportAbortedError(f"cannot create a staging folder in {parent}: {error}") from None


def _stage_and_check(
    staged: list[Staged], staging: Path, vocabulary: Vocabulary, progress: Progress
) -> dict[Path, str]:
    """Write every file into ``staging`` and read it back with the real loader.

    A new entry that does not read back as planned is a bug: the run stops. An update
    of a hand-written entry that cannot be made safely is returned (path -> why) and
    becomes a conflict instead.
    """
    failed: dict[Path, str] = {}
    step = progress.step("checking files")
    for done, item in enumerate(staged, start=1):
        temporary = staging / item.path.name
        try:
            with temporary.open("w", encoding="utf-8", newline="") as handle:
                handle.write(item.text)
        except OSError as error:
            raise ImportAbortedError(
                f"cannot stage {item.path.name} in {staging}: {error}"
            ) from None
        paper, problems = load_entry(temporary, vocabulary)
        if paper != item.expected or problems:
            why = "; ".join(f"{p.field}: {p.message}" for p in problems) or (
                "the patched file would not read back as planned"
            )
            if item.label == "create":
                raise ImportAbortedError(
                    f"internal error: {display_path(item.path)} would not read back as "
                    f"planned ({why}); please report this with the input line"
                )
            failed[item.path] = why
        step(done, len(staged))
    return failed


def _without_failed_updates(plan: Plan, failed: dict[Path, str]) -> Plan:
    """Updates that could not be made safely become conflicts; the entry stays as it is."""
    if not failed:
        return plan
    kept, conflicts, unchanged = [], list(plan.conflicts), list(plan.unchanged)
    for update in plan.updates:
        why = failed.get(update.paper.source) if update.paper.source else None
        if why is None:
            kept.append(update)
            continue
        unchanged.append(update.paper)
        conflicts.append(
            Conflict(
                display_path(update.paper.source),  # type: ignore[arg-type]
                ", ".join(update.changes),
                f"cannot update this file automatically ({why}); "
                f"by hand: {'; '.join(update.notes)}",
            )
        )
    return replace(
        plan, updates=kept, unchanged=sorted(unchanged, key=lambda p: p.slug), conflicts=conflicts
    )


def _move_into_place(
    staged: list[Staged], plan: Plan, staging: Path, progress: Progress
) -> list[Path]:
    """Move checked files over their targets (atomic renames); undo them all on failure.

    A file about to be replaced is first copied into the staging folder, so that if a
    later move fails, every earlier one can be rolled back.
    """
    wanted = {n.paper.slug + ".yaml" for n in plan.new} | {
        u.paper.source.name for u in plan.updates if u.paper.source
    }
    todo = [item for item in staged if item.path.name in wanted]
    backups = staging / "backup"
    written: list[Path] = []
    step = progress.step("writing files")
    try:
        backups.mkdir()
        for done, item in enumerate(todo, start=1):
            if item.path.exists():
                shutil.copy2(item.path, backups / item.path.name)
            (staging / item.path.name).replace(item.path)
            written.append(item.path)
            step(done, len(todo))
    except OSError as error:
        failed = todo[len(written)].path if len(written) < len(todo) else staging
        for path in reversed(written):
            backup = backups / path.name
            if backup.exists():
                backup.replace(path)
            else:
                path.unlink(missing_ok=True)
        raise ImportAbortedError(
            f"cannot write {display_path(failed)}: {error.strerror or error}; "
            f"the {len(written)} file(s) already moved were put back"
        ) from None
    return written


def print_changes(plan: Plan, into: Path, dry_run: bool, out: TextIO) -> None:
    """One line per file created or updated (or that would be, in a dry run)."""
    verb = ("would create", "would update") if dry_run else ("create", "update")
    for new in plan.new:
        print(f"{verb[0]} {display_path(into / (new.paper.slug + '.yaml'))}", file=out)
    for update in plan.updates:
        shown = display_path(update.paper.source) if update.paper.source else update.paper.slug
        print(f"{verb[1]} {shown}: {'; '.join(update.notes)}", file=out)


def print_plan_summary(
    plan: Plan,
    read: Sequence[tuple[str, int]],
    dry_run: bool,
    out: TextIO,
    after: Sequence[tuple[str, int]] = (),
) -> None:
    """The summary every import ends with: what was ``read``, what the plan does, the
    counts ``after`` it, then the conflicts."""
    print("", file=out)
    print("Summary" + (" (dry run: nothing written)" if dry_run else ""), file=out)
    rows = [
        *read,
        ("new", len(plan.new)),
        ("merged", len(plan.updates)),
        ("unchanged", len(plan.unchanged)),
        ("conflicts", len(plan.conflicts)),
        *after,
    ]
    for label, count in rows:
        print(f"  {label + ':':<20}{count}", file=out)
    if plan.conflicts:
        print("Conflicts (the entry was kept as it is; edit it by hand if needed):", file=out)
        for conflict in plan.conflicts:
            print(f"  {conflict}", file=out)


def _print_summary(report: Report, options: Options, out: TextIO, err: TextIO) -> None:
    plan = report.plan
    assert plan is not None
    read = [
        ("files read", report.files_read),
        ("entries parsed", report.entries_parsed),
        ("duplicates folded", report.duplicates_folded),
    ]
    unparseable = [("unparseable lines", len(report.problems))]
    print_plan_summary(plan, read, options.dry_run, out, unparseable)
    if report.problems:
        print("Lines that could not be parsed:", file=out)
        for problem in report.problems:
            print(f"  {problem}", file=out)
    print_new_tags(plan, out)
    warn_uncategorized(plan, options.into, options.tags_file, err)
    if report.problems:
        print(
            f"{len(report.problems)} line(s) could not be parsed; fix them and run the import "
            f"again (re-running is safe: it changes nothing that is already imported)",
            file=err,
        )


def print_new_tags(plan: Plan, out: TextIO) -> None:
    """How many new papers got each tag, most first: where the keyword rules land."""
    if not plan.new:
        return
    counts = Counter(tag for new in plan.new for tag in new.paper.tags)
    print("Tags of new papers:", file=out)
    for tag, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        print(f"  {tag + ':':<34}{count}", file=out)


def warn_uncategorized(plan: Plan, into: Path, tags_file: Path, err: TextIO) -> None:
    if not plan.uncategorized:
        return
    print(
        f"warning: {len(plan.uncategorized)} new paper(s) matched no keyword rule and "
        f"were tagged '{UNCATEGORIZED}'; give them real tags (or add keywords to "
        f"{display_path(tags_file)}):",
        file=err,
    )
    for new in plan.uncategorized:
        shown = display_path(into / (new.paper.slug + ".yaml"))
        print(f"  {shown}: {new.paper.title}", file=err)


def shown_dir(path: Path) -> str:
    return display_path(path).rstrip("/") + "/"


class Progress:
    """Progress lines on stderr for large inputs (or any input when stderr is a terminal)."""

    def __init__(self, err: TextIO) -> None:
        self.err = err
        self.tty = bool(getattr(err, "isatty", lambda: False)())

    def step(self, what: str) -> Callable[[int, int], None]:
        def report(done: int, total: int) -> None:
            if total < PROGRESS_EVERY and not self.tty:
                return
            if done % PROGRESS_EVERY == 0 or done == total:
                print(f"{what}: {done}/{total}", file=self.err, flush=True)

        return report


def main(argv: Sequence[str] | None = None) -> int:
    """Run as ``python -m build_tools.import_daily daily-papers FILE...``."""
    parser = argparse.ArgumentParser(prog="papershelf import", description=HELP)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())

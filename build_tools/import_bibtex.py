"""``papershelf import bibtex FILE.bib...``: add the entries of BibTeX files to the list.

The steps, top to bottom in :func:`import_bibtex`, are those of ``import daily-papers``
(:mod:`build_tools.import_daily`, whose steps 2, 4 and 5 this reuses):

1. read every file (``papershelf.importers.bibtex``). Any problem (BibTeX that does not
   parse, a repeated key, an entry without a title, a value the entry rules refuse) is
   listed together with all the others and stops the run before anything is written;
2. load the collection (``papers/`` must validate);
3. plan (``papershelf.importers.bibtex_merging``): fold entries of the same paper,
   match existing entries, tag and name new papers;
4. stage every file to write and read it back with the real loader;
5. unless ``--dry-run``, move the staged files into place, then print the summary.

Exit status: 0 when the import was made (warnings name what was left out of an
entry, such as a link that is not http(s)), 1 when the run stopped (nothing written).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TextIO

from build_tools.import_daily import (
    ImportAbortedError,
    Printable,
    Progress,
    iso_date,
    load_collection,
    plural,
    print_changes,
    print_new_tags,
    print_plan_summary,
    read_input,
    shown_dir,
    warn_uncategorized,
    write_plan,
)
from papershelf.entries.loader import entry_files
from papershelf.entries.model import Problem
from papershelf.entries.vocabulary import Vocabulary
from papershelf.importers.bibtex import BibRecord, keyword_tags, read_bibtex, tags_for
from papershelf.importers.bibtex_merging import BibCandidate, fold_records, plan_bibtex_import
from papershelf.importers.merging import Plan
from papershelf.importers.tagging import Rules, compile_rules

HELP = (
    "Import the entries of BibTeX files into papers/: one entry per paper, duplicates "
    "merged, tags from the entries' keywords that tags.yml knows (else from its keyword "
    "rules); any problem stops the import before anything is written."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files", nargs="+", type=Path, metavar="FILE.bib", help="BibTeX files to read"
    )
    parser.add_argument(
        "--into", type=Path, default=Path("papers"), help="entries folder (default: papers/)"
    )
    parser.add_argument(
        "--added",
        type=iso_date,
        help="date the papers joined the list, written into each new entry (default: today)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print what would change and write nothing"
    )
    parser.add_argument("--tags", type=Path, default=Path("tags.yml"), help="tag vocabulary")


@dataclass(frozen=True)
class Options:
    files: list[Path]
    into: Path
    tags_file: Path
    added: date
    dry_run: bool = False


@dataclass
class Report:
    """Everything the summary prints; returned so tests can inspect it."""

    files_read: int = 0
    entries_read: int = 0
    volumes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    duplicates_folded: int = 0
    dates_without_day: int = 0
    unknown_keywords: Counter[str] = field(default_factory=Counter)
    plan: Plan | None = None
    written: list[Path] = field(default_factory=list)


def run(args: argparse.Namespace) -> int:
    options = Options(
        files=list(args.files),
        into=args.into,
        tags_file=args.tags,
        added=args.added or date.today(),
        dry_run=args.dry_run,
    )
    _quiet_library_logs()
    # Text from a .bib is untrusted: printed escaped, like the listings' text.
    out, err = Printable(sys.stdout), Printable(sys.stderr)
    try:
        import_bibtex(options, out=out, err=err)
    except ImportAbortedError as failure:
        print(f"papershelf import: {failure}", file=err)
        print(f"nothing was written to {shown_dir(options.into)}", file=sys.stderr)
        return 1
    return 0


def _quiet_library_logs() -> None:
    """bibtexparser logs the blocks it cannot read; the import reports each one itself,
    with its line and a fix, so the library's own lines would only repeat them."""
    library = logging.getLogger("bibtexparser")
    library.addHandler(logging.NullHandler())
    library.propagate = False


def import_bibtex(options: Options, *, out: TextIO, err: TextIO) -> Report:
    """The whole import; raises ImportAbortedError (nothing written) when it cannot finish."""
    report = Report()
    progress = Progress(err)
    records = _read_files(options, report, out)
    if report.problems:
        details = "\n".join(f"  {problem}" for problem in report.problems)
        raise ImportAbortedError(
            f"{plural(len(report.problems), 'problem')} in the BibTeX input; nothing is "
            f"imported until every one is fixed:\n{details}"
        )
    project = load_collection(options.into, options.tags_file)
    rules = compile_rules(project.vocabulary.tags.values())
    candidates, fold_conflicts = fold_records(records)
    report.duplicates_folded = len(records) - len(candidates)
    report.dates_without_day = sum(c.record.date_without_day for c in candidates)
    report.unknown_keywords = _unknown_keywords(candidates, project.vocabulary, rules)
    plan = plan_bibtex_import(
        candidates,
        project.papers,
        added=options.added,
        tagger=lambda record: tags_for(record, project.vocabulary, rules),
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


def _read_files(options: Options, report: Report, out: TextIO) -> list[BibRecord]:
    """Read every file; an unreadable file stops the run, problems are collected."""
    records: list[BibRecord] = []
    for path in options.files:
        shown = str(path)  # as the user typed it, so FILE:LINE points at their file
        bib = read_bibtex(read_input(path), shown)
        count = len(bib.records)
        skipped = f"; skipped {', '.join(bib.volumes)} (named by crossref)" if bib.volumes else ""
        print(f"{shown}: {count} {'entry' if count == 1 else 'entries'}{skipped}", file=out)
        report.files_read += 1
        report.entries_read += len(bib.records)
        report.volumes.extend(bib.volumes)
        report.problems.extend(bib.problems)
        report.warnings.extend(bib.warnings)
        records.extend(bib.records)
    return records


def _unknown_keywords(
    candidates: list[BibCandidate], vocabulary: Vocabulary, rules: Rules
) -> Counter[str]:
    """Keywords that are no tag, counted per paper: candidates for tags.yml."""
    counts: Counter[str] = Counter()
    for candidate in candidates:
        _, unknown = keyword_tags(candidate.record.keywords, vocabulary, rules)
        counts.update(unknown)
    return counts


def _print_summary(report: Report, options: Options, out: TextIO, err: TextIO) -> None:
    plan = report.plan
    assert plan is not None
    read = [
        ("files read", report.files_read),
        ("entries read", report.entries_read),
        ("duplicates folded", report.duplicates_folded),
    ]
    print_plan_summary(plan, read, options.dry_run, out)
    print_new_tags(plan, out)
    if report.unknown_keywords:
        print(
            "Keywords that are no tag (add them to tags.yml as a tag, alias or keyword):", file=out
        )
        for word, count in sorted(report.unknown_keywords.items(), key=lambda i: (-i[1], i[0])):
            print(f"  {word + ':':<34}{count}", file=out)
    if report.dates_without_day:
        print(
            f"{plural(report.dates_without_day, 'paper')} with a year or month but no day: "
            "`published` left empty (it is a day; add it by hand when you know it)",
            file=out,
        )
    _print_warnings(report.warnings, err)
    warn_uncategorized(plan, options.into, options.tags_file, err)


def _print_warnings(warnings: list[Problem], err: TextIO) -> None:
    if not warnings:
        return
    print(
        f"warning: {plural(len(warnings), 'value')} of the BibTeX input could not be "
        "imported as written; the rest of each entry was:",
        file=err,
    )
    for warning in warnings:
        print(f"  {warning}", file=err)

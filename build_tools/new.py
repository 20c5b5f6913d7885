"""``papershelf new "Title"``: start an entry that passes ``papershelf validate`` as written;
``papershelf new collection SLUG --title "..."``: start a reading path.

A newcomer should not need to know the slug rules, the date format or the field names:
the scaffold fills in what the command line gave (title, tags, authors, organisation,
arXiv id, PDF, web page, DOI) and lists every other field as a commented hint, in the
order CONTRIBUTING.md documents them. Every given value is checked by the schema first,
so a bad one is refused with nothing written. Rendering and checking are pure
functions; reading the vocabulary and writing the file happen in ``run``.

A reading path (papershelf.entries.collections) starts as ``collections/<slug>.yml``
with its title, any papers given (``--paper``, checked against the entries) and a
commented hint for the rest; the command then says how to propose it by pull request.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from papershelf.entries import strict_yaml
from papershelf.entries.collections import SUFFIX as PATH_SUFFIX
from papershelf.entries.collections import entry_slugs, load_collection, unknown_paper_hint
from papershelf.entries.loader import (
    ENTRY_SUFFIXES,
    display_path,
    find_duplicates,
    load_entry,
    load_project,
)
from papershelf.entries.model import Links, Paper, Problem
from papershelf.entries.schema import bare_arxiv_id, bare_doi, build_paper
from papershelf.entries.slugs import is_valid_slug, slugify
from papershelf.entries.vocabulary import Vocabulary

HELP = (
    "Create papers/<slug>.yaml (or .md) for a new paper, with a hint for every other field; "
    'or, as `papershelf new collection SLUG --title "..."`, collections/<slug>.yml for a '
    "new reading path."
)
# `papershelf new collection SLUG`: the word that starts a reading path instead of a paper.
COLLECTION = "collection"

FORMATS = ("yaml", "md")
# Characters a double-quoted YAML scalar must escape (YAML's non-printable ones, line
# breaks included), so that any text the command line gives reads back exactly.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")


class NewEntryError(Exception):
    """A command-line value that cannot become an entry; the text says what to do."""


@dataclass(frozen=True)
class Draft:
    """What the command line says about the new paper, already checked."""

    title: str
    slug: str
    added: date
    tags: tuple[str, ...]
    arxiv: str | None
    format: str
    example_tag: str = "reasoning"
    authors: tuple[str, ...] = ()
    organization: str | None = None
    pdf: str | None = None
    project: str | None = None
    doi: str | None = None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "title",
        help='the paper\'s title, in quotes: "Attention Is All You Need" '
        "(or `collection`, followed by SLUG, for a reading path)",
    )
    parser.add_argument(
        "path_slug",
        nargs="?",
        metavar="SLUG",
        help="after `collection`: the reading path's file name, e.g. getting-started-with-rlhf",
    )
    path = parser.add_argument_group("a reading path (papershelf new collection SLUG ...)")
    path.add_argument("--title", dest="path_title", metavar="TEXT", help="the path's title")
    path.add_argument(
        "--description", metavar="TEXT", help="one or two sentences: who the path is for"
    )
    path.add_argument(
        "--paper",
        action="append",
        default=[],
        metavar="SLUG",
        help="a paper on the path (its entry's file name); repeat it, in reading order",
    )
    path.add_argument(
        "--collections",
        type=Path,
        default=Path("collections"),
        metavar="DIR",
        help="reading paths folder",
    )
    parser.add_argument(
        "--tag",
        action="append",
        default=[],
        metavar="TAG",
        help="a tag id from tags.yml; repeat for more tags",
    )
    parser.add_argument(
        "--author",
        action="append",
        default=[],
        metavar="NAME",
        help='an author\'s name, in quotes: --author "Ada Lovelace"; repeat it, in order',
    )
    parser.add_argument(
        "--org", metavar="NAME", help='the organisation, e.g. --org "Google Research"'
    )
    parser.add_argument(
        "--arxiv",
        metavar="ID",
        help="arXiv id such as 2310.06770 (arXiv:2310.06770 and arxiv.org abs/pdf links work too)",
    )
    parser.add_argument("--pdf", metavar="URL", help="link to the PDF (https://...)")
    parser.add_argument(
        "--url", metavar="URL", help="the paper's web page (https://...), as its project link"
    )
    parser.add_argument(
        "--doi",
        metavar="DOI",
        help="DOI such as 10.1145/3377811 (doi:10.1145/3377811 and doi.org links work too)",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="yaml",
        help="yaml (default) or md (notes as a Markdown body below the fields)",
    )
    parser.add_argument("--slug", help="file name without extension, instead of one from the title")
    parser.add_argument(
        "--papers", type=Path, default=Path("papers"), metavar="DIR", help="entries folder"
    )
    parser.add_argument(
        "--tags", type=Path, default=Path("tags.yml"), metavar="FILE", help="tag vocabulary"
    )


def run(args: argparse.Namespace, today: date | None = None) -> int:
    """Write the entry; exit 1 with one clear message when nothing could be written."""
    try:
        if args.path_slug is not None or (args.title == COLLECTION and args.path_title):
            return _create_collection(args)
        _refuse_path_options(args)
        return _create(args, today or date.today())
    except NewEntryError as error:
        print(f"papershelf new: {error}", file=sys.stderr)
        return 1


def _create(args: argparse.Namespace, today: date) -> int:
    project = load_project(args.papers, args.tags)
    broken = [p for p in project.problems if p.path == str(args.tags)]
    if broken:
        # `--tags agents` is an easy slip for `--tag agents`.
        slip = "" if args.tags.suffix else f"; to give the paper a tag use --tag {args.tags}"
        raise NewEntryError(f"the tag vocabulary is broken: {broken[0]}{slip}")
    title = clean_title(args.title)
    draft = Draft(
        title=title,
        slug=choose_slug(title, args.slug),
        added=today,
        tags=resolve_tags(args.tag, project.vocabulary),
        arxiv=_given(args.arxiv),
        format=args.format,
        example_tag=next(iter(project.vocabulary.tags), "reasoning"),
        authors=tuple(one_line(name) for name in args.author),
        organization=_given(args.org),
        pdf=_given(args.pdf),
        project=_given(args.url),
        doi=_given(args.doi),
    )
    for problem in check_fields(draft, project.vocabulary):
        option = _option(problem.field)
        fix = _OPTION_FIXES.get(problem.field, problem.fix)
        raise NewEntryError(f"{option}: {problem.message} ({fix}); no file written")
    draft = bare_ids(draft)

    for suffix in ENTRY_SUFFIXES:
        existing = args.papers / f"{draft.slug}{suffix}"
        if existing.exists():
            raise NewEntryError(
                f"{display_path(existing)} already exists; edit that file, or pick another "
                f"file name with --slug {draft.slug}-2"
            )
    target = args.papers / f"{draft.slug}.{draft.format}"
    args.papers.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8", newline="\n") as handle:  # "x": never overwrite
        handle.write(render(draft))
    shown = display_path(target)
    print(f"created {shown}")

    for warning in similar_papers(draft, target, project.papers):
        print(f"warning: {warning.message} ({warning.fix})", file=sys.stderr)
    _, still_to_do = load_entry(target, project.vocabulary)
    for problem in still_to_do:
        print(f"to do: {problem}", file=sys.stderr)
    print(
        f"next: fill in the fields you know (see CONTRIBUTING.md), then run "
        f"`papershelf validate {shown}` and `make serve` to preview"
    )
    return 0


def one_line(raw: str) -> str:
    """One line, NFC, single spaces: text as the schema will store it."""
    return " ".join(unicodedata.normalize("NFC", raw).split())


def _given(raw: str | None) -> str | None:
    return None if raw is None else one_line(raw)


def clean_title(raw: str) -> str:
    """One line, NFC, single spaces: the title as the schema will store it."""
    title = one_line(raw)
    if not title:
        raise NewEntryError('the title is empty; write it in quotes: papershelf new "Title"')
    return title


def choose_slug(title: str, given: str | None) -> str:
    """The file name: ``--slug`` if valid, else the first six significant title words."""
    if given is not None:
        if not is_valid_slug(given):
            better = slugify(given) or "paper-title"
            raise NewEntryError(
                f"--slug '{given}' is not a valid file name; use lowercase a-z, 0-9 and -, "
                f"e.g. --slug {better}"
            )
        return given
    slug = slugify(title, max_words=6)
    if not slug:
        raise NewEntryError(
            "the title has no letters or digits to make a file name from; pass --slug my-paper"
        )
    return slug


def resolve_tags(names: list[str], vocabulary: Vocabulary) -> tuple[str, ...]:
    """Canonical tag ids (aliases resolved, repeats dropped); unknown -> did-you-mean."""
    result: list[str] = []
    for name in names:
        tag = vocabulary.resolve(name.strip())
        if tag is None:
            hint = vocabulary.unknown_tag_hint(name)
            raise NewEntryError(f"--tag: unknown tag '{name}' ({hint}); no file written")
        if tag not in result:
            result.append(tag)
    return tuple(result)


def bare_ids(draft: Draft) -> Draft:
    """The checked draft with the arXiv id and DOI as the schema stores them, so the
    file holds ``2310.06770`` even when the command line gave ``arXiv:`` or a link."""
    arxiv = bare_arxiv_id(draft.arxiv) if draft.arxiv is not None else None
    doi = bare_doi(draft.doi) if draft.doi is not None else None
    return replace(draft, arxiv=arxiv or draft.arxiv, doi=doi or draft.doi)


def check_fields(draft: Draft, vocabulary: Vocabulary) -> list[Problem]:
    """Problems the given values would cause (a missing tag is left for the contributor)."""
    root = strict_yaml.parse(render(replace(draft, format="yaml")))
    _, problems = build_paper(root, slug=draft.slug, path="new", vocabulary=vocabulary)
    return [p for p in problems if not (p.field == "tags" and not draft.tags)]


def similar_papers(draft: Draft, target: Path, papers: list[Paper]) -> list[Problem]:
    """The collection's own duplicate rule applied to the new paper against the others."""
    candidate = Paper(
        slug=draft.slug,
        title=draft.title,
        added=draft.added,
        tags=draft.tags,
        links=Links(arxiv=draft.arxiv, doi=draft.doi),
        source=target,
    )
    shown = display_path(target)
    return [p for p in find_duplicates([*papers, candidate]) if p.path == shown]


_OPTIONS = {
    "title": "title",
    "tags": "--tag",
    "authors": "--author",
    "organization": "--org",
    "links.arxiv": "--arxiv",
    "links.pdf": "--pdf",
    "links.project": "--url",
    "links.doi": "--doi",
}
# The schema's fix tells how to write the field in the file; these tell the option.
_OPTION_FIXES = {
    "links.arxiv": "give the bare id, e.g. --arxiv 2310.06770, or an arxiv.org link",
    "links.doi": "give the bare DOI, e.g. --doi 10.1145/3377811, or a doi.org link",
}


def _option(field: str) -> str:
    return _OPTIONS.get(field, field)


def render(draft: Draft) -> str:
    """The file text: given fields filled in, every other field as a commented hint."""
    path = f"papers/{draft.slug}.{draft.format}"
    lines = [
        "# A new paper for the reading list. Lines starting with `# ` are optional fields:",
        "# delete the `# ` to use one and delete the ones you do not need.",
        f"# Field guide: CONTRIBUTING.md. Check this file with: papershelf validate {path}",
        f"title: {yaml_quote(draft.title)}",
        f"authors: [{', '.join(yaml_quote(name) for name in draft.authors)}]  # in order"
        if draft.authors
        else "# authors: [Ada Lovelace, Alan Turing]  # in order; or author_count: 8 if only"
        " the number is known",
        f"organization: {yaml_quote(draft.organization)}  # gives the paper an organisation page"
        if draft.organization is not None
        else "# organization: Google Research  # gives the paper an organisation page",
        "# organization_id: google  # short account name: the organisation page's address",
        "# published: 2024-01-31  # YYYY-MM-DD, when the paper came out",
        f"added: {draft.added.isoformat()}",
    ]
    if draft.tags:
        lines.append(f"tags: [{', '.join(draft.tags)}]  # ids from tags.yml")
    else:
        lines.append(
            f"tags: []  # required: at least one id from tags.yml, e.g. [{draft.example_tag}]"
        )
    lines += ["# abstract: >-", "#   The abstract as plain text, indented by two spaces."]
    link_hints = {
        "arxiv": '"2310.06770"  # the bare id',
        "pdf": "https://example.org/paper.pdf",
        "code": "https://github.com/owner/repo",
        "project": "https://example.org/project  # the paper's web page",
        "doi": "10.1145/3377811  # the bare DOI",
    }
    given = {
        "arxiv": draft.arxiv,
        "pdf": draft.pdf,
        "code": None,
        "project": draft.project,
        "doi": draft.doi,
    }
    if any(value is not None for value in given.values()):
        lines.append("links:")
        for kind, hint in link_hints.items():
            value = given[kind]
            lines.append(
                f"  # {kind}: {hint}" if value is None else f"  {kind}: {yaml_quote(value)}"
            )
    else:
        lines += ["# links:", *(f"#   {kind}: {hint}" for kind, hint in link_hints.items())]
    lines.append("# votes: 42  # upvotes on the listing where you found the paper")
    if draft.format == "md":
        lines.append("# Notes: write them in Markdown below the closing --- line.")
        return "---\n" + "\n".join(lines) + "\n---\n"
    lines += ["# notes: |", "#   Why this paper is worth reading, in Markdown."]
    return "\n".join(lines) + "\n"


def yaml_quote(text: str) -> str:
    """A double-quoted YAML scalar that reads back as exactly ``text`` (invisible
    characters escaped, so that the schema, not the YAML reader, names them)."""
    quoted = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + _UNPRINTABLE.sub(_escape, quoted) + '"'


def _escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}"


# Reading paths: `papershelf new collection SLUG --title "..."`.

_PAPER_OPTIONS = (
    ("tag", "--tag"),
    ("author", "--author"),
    ("org", "--org"),
    ("arxiv", "--arxiv"),
    ("pdf", "--pdf"),
    ("url", "--url"),
    ("doi", "--doi"),
    ("slug", "--slug"),
)


def _refuse_path_options(args: argparse.Namespace) -> None:
    """A paper given a reading path's options: say how each is meant."""
    for name, option in (("path_title", "--title"), ("description", "--description")):
        if getattr(args, name) is not None:
            raise NewEntryError(
                f"{option} is for a reading path: papershelf new collection SLUG {option} ...; "
                'a paper\'s title is the first argument, in quotes: papershelf new "Title"'
            )
    if args.paper:
        raise NewEntryError(
            "--paper is for a reading path: papershelf new collection SLUG --paper ..."
        )


def _create_collection(args: argparse.Namespace) -> int:
    if args.title != COLLECTION:
        raise NewEntryError(
            f"unexpected argument '{args.path_slug}': give a paper's title as one argument, in "
            f'quotes (papershelf new "{args.title} {args.path_slug}"), or start a reading path '
            'with papershelf new collection SLUG --title "..."'
        )
    for name, option in _PAPER_OPTIONS:
        if getattr(args, name):
            raise NewEntryError(f"{option} is for a paper, not a reading path; no file written")
    slug = args.path_slug
    if slug is None:
        raise NewEntryError('name the reading path: papershelf new collection SLUG --title "..."')
    if not is_valid_slug(slug):
        better = slugify(slug) or "reading-path"
        raise NewEntryError(
            f"'{slug}' is not a valid file name for a reading path; use lowercase a-z, 0-9 "
            f"and -, e.g. {better}"
        )
    if args.path_title is None or not one_line(args.path_title):
        raise NewEntryError(
            f'give the path a title: papershelf new collection {slug} --title "..."; '
            "no file written"
        )
    known = entry_slugs(args.papers)
    papers: list[str] = []
    for raw in args.paper:
        paper = raw.strip()
        if paper not in known:
            hint = unknown_paper_hint(paper, known)
            raise NewEntryError(
                f"--paper: no paper '{paper}' on the list ({hint}); no file written"
            )
        if paper in papers:
            raise NewEntryError(f"--paper: '{paper}' is given twice; list each paper once")
        papers.append(paper)
    target = args.collections / f"{slug}{PATH_SUFFIX}"
    if target.exists():
        raise NewEntryError(
            f"{display_path(target)} already exists; edit that file, or pick another name"
        )
    title = one_line(args.path_title)
    description = None if args.description is None else one_line(args.description)
    args.collections.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8", newline="\n") as handle:  # never overwrite
        handle.write(render_collection(slug, title, description, papers))
    shown = display_path(target)
    print(f"created {shown}")
    _, still_to_do = load_collection(target, known)
    for problem in still_to_do:
        print(f"to do: {problem}", file=sys.stderr)
    print(
        "next: list the papers in reading order, each with a short note (see CONTRIBUTING.md, "
        f'"Propose a reading path"), run `papershelf validate {shown}` and `make serve` to '
        f"preview it at collections/{slug}/"
    )
    print(
        f"then propose it: git switch -c path-{slug} && git add {shown} && "
        f'git commit -m "Reading path: {slug}", push the branch to your fork and open a '
        "pull request"
    )
    return 0


def render_collection(slug: str, title: str, description: str | None, papers: list[str]) -> str:
    """A reading path's file: what was given, and a hint for what is still to write."""
    lines = [
        "# A reading path: papers to read in this order, each with a short note on why.",
        '# Guide: CONTRIBUTING.md, "Propose a reading path". Check this file with:',
        f"#   papershelf validate collections/{slug}{PATH_SUFFIX}",
        f"title: {yaml_quote(title)}",
        f"description: {yaml_quote(description)}"
        if description
        else 'description: ""  # required: one or two sentences on who the path is for',
        "papers:  # in reading order, each paper once",
    ]
    for paper in papers:
        lines += [
            f"  - slug: {paper}",
            '    note: ""  # required: why read it here, in a sentence or two',
        ]
    lines += [
        "  # - slug: paper-slug  # the file name of its entry in papers/, without .yaml or .md",
        "  #   note: Why to read it at this point, in a sentence or two.",
    ]
    return "\n".join(lines) + "\n"

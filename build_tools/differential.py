"""``papershelf differential``: seeded random edits of a small list, and after each one
the incremental ``papershelf build`` checked against a clean build of the same files.

After an edit ``papershelf build`` takes one of three paths: a quick build without
mkdocs (papershelf.speed.quick), an incremental ``mkdocs build --dirty`` or a full build.
Whatever the path, ``site/`` must then be byte for byte the site that
``papershelf build --clean --site-dir clean-site`` makes of the same files; and when
the clean build fails, the incremental build must fail too (exit 1) and leave
``site/`` exactly as it was.

The harness writes a generated list into a folder (:func:`initial_shelf`: a dozen
papers in ``.yaml`` and ``.md``, five tags of which one is unused, two organisations,
papers with and without a published date; pages of one to three papers, so that every
list is paginated, and other settings that vary with the seed, :func:`mkdocs_yml`),
builds it both ways, and then, step by step, makes an edit drawn from :data:`EDITS`
(each a pure function of the project and a ``random.Random``: what it did and the
project after it), writes the files it changed and builds again both ways (now and
then the clean build first: it moves the entry cache the two sites share). The same
seed gives the same edits (:func:`plan` lists them without building). The first
divergence raises :class:`DivergenceError`, whose message names the step, the seed,
the edits so far, the first differing files with a short diff and the command that
replays it.

The builds run in this process (``build_tools.cli.main``): quick builds then use the
code this process started with, and a run reports when papershelf's code changed
under it.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import difflib
import hashlib
import io
import os
import random
import shutil
import sys
import tempfile
import textwrap
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from papershelf.entries.schema import FIELDS  # the field order of an entry file

HELP = (
    "Seeded random edits of a generated list: after each, `papershelf build` must make "
    "the site a clean build makes (a check of quick and incremental builds)."
)

CLEAN_SITE = "clean-site"

# --------------------------------------------------------------------------------------
# The project: entries, vocabulary, hand-written pages and mkdocs.yml as plain data.

TAGS = {
    "agents": {"title": "Agents", "description": "Language-model agents that act & plan."},
    "reasoning": {"title": "Reasoning", "description": "Multi-step reasoning."},
    "vision": {"title": "Vision", "description": "Seeing <things>."},
    "robotics": {"title": "Robotics", "description": "Robots in the world."},
    "safety": {"title": "Safety", "description": "Unused at first."},
}
ORGANISATIONS = ("Lab One", "Lab Two")
_WORDS = (
    "agents plan reason see act learn models data scale tokens memory search tools "
    "reward policy vision language robots steps chains graphs proofs maps worlds"
)
WORDS = tuple(_WORDS.split())
ODD_WORDS = ("&", "<b>", "naïve", "Ünïcode", "🙂", "'quoted'", '"double"', "*stars*", "x<y")
NAMES = (
    "Ada Lovelace",
    "Alan Turing",
    "Grace Hopper",
    "Émile Zola",
    "Kurt Gödel",
    "Emmy Noether",
    "John von Neumann",
    "Sofia Kovalevskaya",
)
PAGE_SIZE, HOME_RECENT, FEED_LENGTH = 2, 3, 3
# Dates of valid edits stay in the past (an ``added`` date after today is a problem).
LATEST = date(2025, 12, 31)

MKDOCS_YML = """\
site_name: Differential shelf
site_url: https://example.org/shelf/
site_description: A list edited at random.
docs_dir: content
theme:
  name: material{features}
plugins:
  - papershelf:
      page_size: {page_size}
      home_recent: {home_recent}
      feed_length: {feed_length}{options}
nav:
  - Home: index.md
  - Tags: tags/index.md
  - Archive: archive/index.md{organisations}
  - About: about.md
"""
HOME = "# Differential shelf\n\nHand-written intro.\n"  # content/index.md, if there is one


def mkdocs_yml(rng: random.Random | None = None) -> str:
    """The tests' configuration (page size 2, 3 recent papers, feeds of 3); with
    ``rng`` one of its variants: other sizes, the organisation index in the nav and
    navigation features (as the shipped site), now and then pages all made through
    the theme or no search index."""
    if rng is None:
        return MKDOCS_YML.format(
            page_size=PAGE_SIZE,
            home_recent=HOME_RECENT,
            feed_length=FEED_LENGTH,
            features="",
            options="",
            organisations="",
        )
    shipped = rng.random() < 0.5
    options = ""
    if rng.random() < 0.1:
        options += "\n      prerender: false"
    if rng.random() < 0.1:
        options += "\n      search_index: false"
    return MKDOCS_YML.format(
        page_size=rng.choice((1, 2, 2, 3)),
        home_recent=rng.choice((2, 3)),
        feed_length=rng.choice((2, 3)),
        features="\n  features:\n    - navigation.tabs" if shipped else "",
        options=options,
        organisations="\n  - Organisations: orgs/index.md" if shipped else "",
    )


Entry = dict[str, Any]  # "format": "yaml" or "md", and fields of FIELDS (dates as text)


@dataclass
class Shelf:
    """A project as data; :func:`files` writes it out."""

    entries: dict[str, Entry]  # slug -> entry
    tags: dict[str, dict[str, Any]]  # id -> title, description, perhaps aliases
    pages: dict[str, str]  # hand-written page under content/ -> its Markdown
    config: str  # mkdocs.yml
    # Files whose text replaces their rendering: an invalid edit waiting for its repair
    # (the entry or vocabulary as data is what the repair restores).
    raw: dict[str, str] = field(default_factory=dict)
    serial: int = 0  # for new titles, slugs and ids: never the same twice

    def copy(self) -> Shelf:
        return copy.deepcopy(self)

    def fresh(self) -> int:
        self.serial += 1
        return self.serial

    def editable(self) -> list[str]:
        """Slugs of the entries an edit may change (not one waiting for its repair)."""
        return sorted(slug for slug in self.entries if entry_path(self, slug) not in self.raw)

    def used_tags(self) -> set[str]:
        return {tag for entry in self.entries.values() for tag in entry["tags"]}


def entry_path(shelf: Shelf, slug: str) -> str:
    return f"papers/{slug}.{shelf.entries[slug]['format']}"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _field(key: str, value: Any) -> str:
    if value is None:  # an emptied field: null
        return f"{key}:\n"
    if key in ("published", "added", "author_count", "votes"):
        return f"{key}: {value}\n"
    if key == "tags":
        return f"tags: [{', '.join(value)}]\n"
    if key == "authors":
        return f"authors: [{', '.join(_quote(name) for name in value)}]\n"
    if key == "links":
        lines = "".join(f"  {kind}: {_quote(link)}\n" for kind, link in value.items())
        return f"links:\n{lines}"
    if key == "notes":
        return "notes: |\n" + textwrap.indent(value, "  ") + "\n"
    if key == "abstract" and len(value) > 60:  # a folded block, as real entries have
        return (
            "abstract: >-\n"
            + textwrap.indent(
                textwrap.fill(value, 60, break_on_hyphens=False, break_long_words=False), "  "
            )
            + "\n"
        )
    return f"{key}: {_quote(value)}\n"


def render_entry(entry: Entry) -> str:
    markdown = entry["format"] == "md"
    fields = f"# {entry['comment']}\n" if entry.get("comment") else ""
    fields += "".join(
        _field(key, entry[key])
        for key in FIELDS
        if key in entry and not (markdown and key == "notes")
    )
    if not markdown:
        return fields
    return f"---\n{fields}---\n{entry.get('notes', '')}\n"


def render_tags(tags: dict[str, dict[str, Any]]) -> str:
    out = ["# The test vocabulary.\n"]
    for tag, values in tags.items():
        out.append(f"{tag}:\n")
        out.append(f"  title: {_quote(values['title'])}\n")
        out.append(f"  description: {_quote(values['description'])}\n")
        if values.get("aliases"):
            out.append(f"  aliases: [{', '.join(values['aliases'])}]\n")
    return "".join(out)


def files(shelf: Shelf) -> dict[str, str]:
    """Every file of the project: relative path -> text."""
    found = {"mkdocs.yml": shelf.config, "tags.yml": render_tags(shelf.tags)}
    found.update((f"content/{name}", text) for name, text in shelf.pages.items())
    for slug, entry in shelf.entries.items():
        found[entry_path(shelf, slug)] = render_entry(entry)
    found.update(shelf.raw)
    return found


def changes(before: Shelf, after: Shelf) -> dict[str, str | None]:
    """The files an edit writes (None: deletes)."""
    old, new = files(before), files(after)
    found: dict[str, str | None] = {path: None for path in old if path not in new}
    found.update((path, text) for path, text in new.items() if old.get(path) != text)
    return dict(sorted(found.items()))


def write_changes(root: Path, changed: dict[str, str | None], touched: Sequence[str] = ()) -> None:
    for relative, text in changed.items():
        path = root / relative
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for relative in touched:  # the same contents, written again (a checkout, an editor)
        path = root / relative
        path.write_bytes(path.read_bytes())


# --------------------------------------------------------------------------------------
# Random text, dates and the starting list.


def words(rng: random.Random, count: int) -> str:
    chosen = [
        rng.choice(WORDS) if rng.random() > 0.08 else rng.choice(ODD_WORDS) for _ in range(count)
    ]
    return " ".join(chosen)


def new_title(shelf: Shelf, rng: random.Random) -> str:
    return f"{words(rng, rng.randint(1, 4)).capitalize()} {shelf.fresh()}"


def new_slug(shelf: Shelf, rng: random.Random) -> str:
    while True:
        slug = f"{rng.choice(WORDS)}-{shelf.fresh()}"
        if slug not in shelf.entries:
            return slug


def notes_text(rng: random.Random) -> str:
    lines = [words(rng, rng.randint(2, 8)).capitalize() + "." for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.3:
        lines.append(f"See [a link](https://example.org/{rng.randint(1, 99)}).")
    if rng.random() < 0.2:
        lines += ["", "- a point", "- another **point**"]
    return "\n".join(lines)


def random_date(rng: random.Random) -> date:
    return date(2023, 1, 1) + timedelta(days=rng.randint(0, 3 * 365))


def new_entry(shelf: Shelf, rng: random.Random, index: int | None = None) -> Entry:
    """A valid entry with a random mix of the optional fields (``index``: the starting
    list's n-th paper, which gets a fixed mix so that every kind of entry is there)."""
    n = index if index is not None else rng.randrange(12)
    entry: Entry = {"format": "md" if n % 4 == 3 else "yaml", "title": new_title(shelf, rng)}
    if n % 3 == 0:
        entry["authors"] = rng.sample(NAMES, rng.randint(1, 3))
    elif n % 3 == 1:
        entry["author_count"] = rng.randint(1, 40)
    if n % 4 in (0, 1) and n < 8:
        entry["organization"] = ORGANISATIONS[n % 2]
        if n == 4:
            entry["organization_id"] = "lab-one"
    added = random_date(rng)
    if n % 3 != 2:
        entry["published"] = (added - timedelta(days=rng.randint(0, 60))).isoformat()
    entry["added"] = added.isoformat()
    # Tags of the vocabulary (an unused one may have been removed from it).
    tags = [tag for tag in ("agents", "reasoning", "vision", "robotics") if tag in shelf.tags]
    tags = tags or sorted(shelf.tags)
    entry["tags"] = rng.sample(tags, min(rng.randint(1, 2), len(tags)))
    if n % 5 != 4:
        entry["abstract"] = words(rng, rng.randint(3, 25)).capitalize() + "."
    if n % 2 == 0:
        entry["links"] = {"arxiv": f"2501.{shelf.fresh():05d}"}
    if n % 3 == 1:
        entry["votes"] = rng.randint(0, 50)
    if n % 4 == 3 or n % 5 == 0:
        entry["notes"] = notes_text(rng)
    return entry


def initial_shelf(rng: random.Random) -> Shelf:
    shelf = Shelf(
        entries={},
        tags=copy.deepcopy(TAGS),
        pages={"index.md": HOME, "about.md": "# About\n\nA hand-written page.\n"},
        config=mkdocs_yml(rng),
    )
    if rng.random() < 0.3:  # a generated home page
        del shelf.pages["index.md"]
    for index in range(12):
        shelf.entries[new_slug(shelf, rng)] = new_entry(shelf, rng, index)
    # Two papers added the same day: the order falls back on the published date and slug.
    first, second = rng.sample(sorted(shelf.entries), 2)
    shelf.entries[second]["added"] = shelf.entries[first]["added"]
    return shelf


def describe(shelf: Shelf) -> str:
    """The project in a line: its papers and its configuration."""
    options = [
        line.strip().replace(": ", " ")
        for line in shelf.config.splitlines()
        if line.startswith("      ")
    ]
    if "orgs/index.md" in shelf.config:
        options.append("organisations in the nav")
    options.append("hand-written home" if "index.md" in shelf.pages else "generated home")
    return f"{len(shelf.entries)} papers, {len(shelf.tags)} tags; " + ", ".join(options)


# --------------------------------------------------------------------------------------
# The edits: each takes the project and a random generator and returns an Edit (what it
# did and the project after it), or None when it cannot apply (no entry to take it).


@dataclass
class Edit:
    kinds: tuple[str, ...]
    description: str
    shelf: Shelf  # the project after the edit
    touched: tuple[str, ...] = ()  # files written again with the same contents


EditFunction = Callable[[Shelf, random.Random], Edit | None]


def _on_entry(
    kind: str, change: Callable[[Shelf, str, Entry, random.Random], str | None]
) -> EditFunction:
    """An edit of one entry: ``change`` edits the copy of the entry and says what it
    did (None: nothing it can do to that entry)."""

    def edit(shelf: Shelf, rng: random.Random) -> Edit | None:
        candidates = shelf.editable()
        rng.shuffle(candidates)
        for slug in candidates[:4]:
            new = shelf.copy()
            what = change(new, slug, new.entries[slug], rng)
            if what is not None:
                return Edit((kind,), f"{kind}: {slug}: {what}", new)
        return None

    edit.__name__ = f"edit_{kind}"
    return edit


def _abstract(shelf: Shelf, slug: str, entry: Entry, rng: random.Random) -> str:
    if "abstract" in entry and rng.random() < 0.2:
        del entry["abstract"]
        return "removed"
    entry["abstract"] = words(rng, rng.randint(3, 30)).capitalize() + "."
    return repr(entry["abstract"][:40])


def _title(shelf: Shelf, slug: str, entry: Entry, rng: random.Random) -> str:
    entry["title"] = new_title(shelf, rng)
    return repr(entry["title"])


def _authors(shelf: Shelf, slug: str, entry: Entry, rng: random.Random) -> str:
    choice = rng.randrange(4)
    if choice == 0 and entry.get("authors"):
        entry["authors"] = [*entry["authors"], rng.choice(NAMES)]
        entry["authors"] = list(dict.fromkeys(entry["authors"]))
        return f"authors {entry['authors']}"
    if choice == 1:
        entry.pop("authors", None)
        entry["author_count"] = rng.randint(1, 99)
        return f"author count {entry['author_count']}"
    if choice == 2:
        entry.pop("author_count", None)
        entry["authors"] = rng.sample(NAMES, rng.randint(1, 4))
        return f"authors {entry['authors']}"
    entry.pop("authors", None)
    entry.pop("author_count", None)
    return "no authors"


def _notes(shelf: Shelf, slug: str, entry: Entry, rng: random.Random) -> str:
    if "notes" in entry and rng.random() < 0.25:
        del entry["notes"]
        return "removed"
    entry["notes"] = notes_text(rng)
    return repr(entry["notes"][:40])


def _links(shelf: Shelf, slug: str, entry: Entry, rng: random.Random) -> str:
    links = dict(entry.get("links", {}))
    kind = rng.choice(("arxiv", "code", "pdf", "doi", "none"))
    if kind == "none":
        entry.pop("links", None)
        return "links removed"
    if kind in links and rng.random() < 0.3:
        del links[kind]
        what = f"{kind} removed"
    else:
        value = {
            "arxiv": f"2502.{shelf.fresh():05d}",
            "code": f"https://example.org/code/{shelf.fresh()}",
            "pdf": f"https://example.org/{shelf.fresh()}.pdf",
            "doi": f"10.1234/shelf.{shelf.fresh()}",
        }[kind]
        links[kind] = value
        what = f"{kind} {value}"
    if links:
        entry["links"] = links
    else:
        entry.pop("links", None)
    return what


def _tags(shelf: Shelf, slug: str, entry: Entry, rng: random.Random) -> str | None:
    tags: list[str] = list(entry["tags"])
    unused = sorted(set(shelf.tags) - shelf.used_tags())
    others = [tag for tag in shelf.tags if tag not in tags]
    choice = rng.randrange(5)
    if choice == 0 and others:  # add one, an unused tag more often than not
        added = rng.choice(unused) if unused and rng.random() < 0.5 else rng.choice(others)
        tags.insert(rng.randint(0, len(tags)), added)
        what = f"tag {added} added"
    elif choice == 1 and len(tags) > 1:
        removed = tags.pop(rng.randrange(len(tags)))
        what = f"tag {removed} removed"
    elif choice == 2 and others:
        at = rng.randrange(len(tags))
        old, tags[at] = tags[at], rng.choice(others)
        what = f"tag {old} -> {tags[at]}"
    elif choice == 3 and len(tags) > 1:
        tags.reverse()
        what = "tags reordered"
    else:  # a tag made unused: taken off every paper that has it and another one
        for tag in sorted(shelf.used_tags()):
            holders = [e for e in shelf.entries.values() if tag in e["tags"]]
            paths = {entry_path(shelf, s) for s, e in shelf.entries.items() if tag in e["tags"]}
            if all(len(e["tags"]) > 1 for e in holders) and not paths & shelf.raw.keys():
                for holder in holders:
                    holder["tags"] = [t for t in holder["tags"] if t != tag]
                return f"tag {tag} taken off its {len(holders)} papers (now unused)"
        return None
    entry["tags"] = tags
    return what


def _moved_date(day: date, rng: random.Random) -> tuple[date, str]:
    """Another date: within its month, in another month or year, or a step away (never
    after :data:`LATEST`)."""
    while True:
        choice = rng.randrange(4)
        if choice == 0:
            moved, how = day.replace(day=rng.randint(1, 28)), "within its month"
        elif choice == 1:
            moved = day.replace(month=rng.randint(1, 12), day=rng.randint(1, 28))
            how = "another month"
        elif choice == 2:
            moved = day.replace(year=rng.choice((2021, 2022, 2023, 2024, 2025)), day=1)
            how = "another year"
        else:
            moved, how = day + timedelta(days=rng.choice((-1, 1, 31, -31, 400))), "a step"
        moved = min(moved, LATEST)
        if moved != day:
            return moved, how


def _added(shelf: Shelf, slug: str, entry: Entry, rng: random.Random) -> str:
    if rng.random() < 0.2:  # the same day as another paper
        other = rng.choice(sorted(set(shelf.entries) - {slug}))
        entry["added"] = shelf.entries[other]["added"]
        return f"added {entry['added']} (as {other})"
    moved, how = _moved_date(date.fromisoformat(entry["added"]), rng)
    entry["added"] = moved.isoformat()
    return f"added {entry['added']} ({how})"


def _published(shelf: Shelf, slug: str, entry: Entry, rng: random.Random) -> str:
    if entry.get("published") is None:
        entry["published"] = (random_date(rng) - timedelta(days=400)).isoformat()
        return f"published {entry['published']} (was undated)"
    if rng.random() < 0.25:
        if rng.random() < 0.5:
            del entry["published"]
        else:
            entry["published"] = None  # `published:` left empty
        return "undated"
    moved, how = _moved_date(date.fromisoformat(entry["published"]), rng)
    entry["published"] = moved.isoformat()
    return f"published {entry['published']} ({how})"


def _organisation(shelf: Shelf, slug: str, entry: Entry, rng: random.Random) -> str | None:
    holders = [s for s, e in shelf.entries.items() if e.get("organization")]
    known = sorted({shelf.entries[s]["organization"] for s in holders})
    choice = rng.randrange(6)
    if choice == 0 and len(holders) == 1:  # the last paper that has one
        last = shelf.entries[holders[0]]
        if entry_path(shelf, holders[0]) in shelf.raw:
            return None
        last.pop("organization")
        last.pop("organization_id", None)
        return f"organisation removed from {holders[0]}, the last paper that had one"
    if choice <= 1 and entry.get("organization"):
        if rng.random() < 0.5:
            entry.pop("organization")
        else:
            entry["organization"] = None  # `organization:` left empty
        entry.pop("organization_id", None)
        return "organisation removed"
    if choice == 2:
        name = f"Lab {shelf.fresh()}"
    elif choice == 3 and entry.get("organization"):
        name = entry["organization"].upper()  # the same key, spelled otherwise
    else:
        name = rng.choice(known) if known else rng.choice(ORGANISATIONS)
    entry["organization"] = name
    if rng.random() < 0.2:
        entry["organization_id"] = name.lower().replace(" ", "-")
    elif "organization_id" in entry and rng.random() < 0.5:
        del entry["organization_id"]
    return f"organisation {name!r}" + (
        f" ({entry['organization_id']})" if "organization_id" in entry else ""
    )


def _votes(shelf: Shelf, slug: str, entry: Entry, rng: random.Random) -> str:
    if "votes" in entry and rng.random() < 0.25:
        del entry["votes"]
        return "votes removed"
    others = [e["votes"] for e in shelf.entries.values() if e.get("votes") is not None]
    if others and rng.random() < 0.3:
        entry["votes"] = rng.choice(others)  # a tie
    else:
        entry["votes"] = rng.choice((0, rng.randint(1, 200)))
    return f"votes {entry['votes']}"


def edit_new(shelf: Shelf, rng: random.Random) -> Edit | None:
    new = shelf.copy()
    slug = new_slug(new, rng)
    new.entries[slug] = new_entry(new, rng)
    return Edit(("new",), f"new: {entry_path(new, slug)} added {new.entries[slug]['added']}", new)


def edit_delete(shelf: Shelf, rng: random.Random) -> Edit | None:
    candidates = shelf.editable()
    if len(shelf.entries) <= 6 or not candidates:
        return None
    new = shelf.copy()
    slug = rng.choice(candidates)
    path = entry_path(new, slug)
    del new.entries[slug]
    return Edit(("delete",), f"delete: {path}", new)


def edit_rename(shelf: Shelf, rng: random.Random) -> Edit | None:
    candidates = shelf.editable()
    if not candidates:
        return None
    new = shelf.copy()
    slug = rng.choice(candidates)
    entry = new.entries.pop(slug)
    renamed = new_slug(new, rng)
    new.entries[renamed] = entry
    return Edit(("rename",), f"rename: {slug} -> {renamed}", new)


def edit_convert(shelf: Shelf, rng: random.Random) -> Edit | None:
    candidates = shelf.editable()
    if not candidates:
        return None
    new = shelf.copy()
    slug = rng.choice(candidates)
    entry = new.entries[slug]
    entry["format"] = "md" if entry["format"] == "yaml" else "yaml"
    return Edit(("convert",), f"convert: {slug} to .{entry['format']}", new)


def edit_vocabulary(shelf: Shelf, rng: random.Random) -> Edit | None:
    if "tags.yml" in shelf.raw:
        return None
    new = shelf.copy()
    tag = rng.choice(sorted(new.tags))
    choice = rng.randrange(5)
    if choice == 0:
        new.tags[tag]["description"] = words(rng, rng.randint(2, 8)).capitalize() + "."
        what = f"description of {tag}"
    elif choice == 1:
        new.tags[tag]["title"] = words(rng, 2).title()
        what = f"title of {tag} {new.tags[tag]['title']!r}"
    elif choice == 2:
        added = f"topic-{new.fresh()}"
        new.tags[added] = {"title": added.title(), "description": "A new tag."}
        what = f"tag {added} added"
    elif choice == 3:
        unused = sorted(set(new.tags) - new.used_tags())
        if len(new.tags) <= 3 or not unused:
            return None
        removed = rng.choice(unused)
        del new.tags[removed]
        what = f"unused tag {removed} removed"
    else:
        new.tags[tag]["aliases"] = [f"alias-{new.fresh()}"]
        what = f"alias of {tag}"
    return Edit(("vocabulary",), f"vocabulary: {what}", new)


def edit_page(shelf: Shelf, rng: random.Random) -> Edit | None:
    """A hand-written page added, deleted or edited; the hand-written home page (else
    the home page is generated), or a page at the URL of a generated one (which wins)."""
    new = shelf.copy()
    choice = rng.randrange(5)
    added = sorted(name for name in new.pages if name not in ("index.md", "about.md"))
    if choice == 0:
        name = f"page-{new.fresh()}.md"
        new.pages[name] = f"# Page {name}\n\n{words(rng, 6)}\n"
        what = f"content/{name} added"
    elif choice == 1 and added:
        name = rng.choice(added)
        del new.pages[name]
        what = f"content/{name} deleted"
    elif choice == 2:
        if new.pages.pop("index.md", None) is None:
            new.pages["index.md"] = HOME
            what = "content/index.md added (a hand-written home page)"
        else:
            what = "content/index.md deleted (the home page is generated)"
    elif choice == 3:
        name = rng.choice([f"tags/{tag}.md" for tag in sorted(new.tags)] + ["orgs/index.md"])
        if new.pages.pop(name, None) is None:
            new.pages[name] = f"# Hand-written {name}\n\n{words(rng, 4)}\n"
            what = f"content/{name} added, at a generated page's URL"
        else:
            what = f"content/{name} deleted (its page is generated again)"
    else:
        name = rng.choice(sorted(new.pages))
        new.pages[name] += f"\n{words(rng, 5).capitalize()}.\n"
        what = f"content/{name} edited"
    return Edit(("page",), f"page: {what}", new)


def _set_line(text: str, key: str, value: str) -> str:
    """An entry's text with the line of ``key`` replaced (or added before its tags)."""
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if line.startswith(f"{key}:"):
            lines[number] = f"{key}: {value}"
            return "\n".join(lines)
    return text.replace("tags:", f"{key}: {value}\ntags:", 1)


# Ways to spoil an entry's text (given the title of another entry).
INVALID_ENTRY: tuple[tuple[str, Callable[[str, str], str]], ...] = (
    ("an unknown tag", lambda text, other: text.replace("tags: [", "tags: [no-such-tag, ", 1)),
    ("a date that does not exist", lambda text, other: _set_line(text, "added", "2025-02-30")),
    ("a published date that is not one", lambda text, other: _set_line(text, "published", "soon")),
    ("the title of another entry", lambda text, other: _set_line(text, "title", _quote(other))),
    ("an unknown field", lambda text, other: _set_line(text, "venue", "NeurIPS")),
    ("no title", lambda text, other: _set_line(text, "title", "")),
    ("votes that are not a number", lambda text, other: _set_line(text, "votes", "many")),
    ("an added date in the future", lambda text, other: _set_line(text, "added", "2999-01-01")),
)


def edit_invalid(shelf: Shelf, rng: random.Random) -> Edit | None:
    """An edit the clean build refuses: kept in ``raw`` until :func:`edit_repair`."""
    if shelf.raw:
        return None
    new = shelf.copy()
    if rng.random() < 0.2:  # a used tag removed from the vocabulary
        tag = rng.choice(sorted(new.used_tags()))
        kept = {name: values for name, values in new.tags.items() if name != tag}
        new.raw["tags.yml"] = render_tags(kept)
        return Edit(("invalid",), f"invalid: tags.yml loses tag {tag}, which papers use", new)
    slug = rng.choice(new.editable())
    path = entry_path(new, slug)
    other = new.entries[rng.choice(sorted(set(new.entries) - {slug}))]["title"]
    what, spoil = rng.choice(INVALID_ENTRY)
    text = spoil(render_entry(new.entries[slug]), other)
    new.raw[path] = text
    return Edit(("invalid",), f"invalid: {path} gets {what}", new)


def edit_repair(shelf: Shelf, rng: random.Random) -> Edit | None:
    if not shelf.raw:
        return None
    new = shelf.copy()
    repaired = sorted(new.raw)
    new.raw.clear()
    return Edit(("repair",), f"repair: {', '.join(repaired)}", new)


def edit_touch(shelf: Shelf, rng: random.Random) -> Edit | None:
    candidates = shelf.editable()
    if not candidates:
        return None
    slug = rng.choice(candidates)
    path = entry_path(shelf, slug)
    return Edit(("touch",), f"touch: {path} written again, unchanged", shelf.copy(), (path,))


def _cosmetic(shelf: Shelf, slug: str, entry: Entry, rng: random.Random) -> str:
    """Another text that makes the same paper: a comment, quotes, a folded abstract."""
    if entry.get("comment") and rng.random() < 0.5:
        del entry["comment"]
        return "comment removed"
    entry["comment"] = f"{rng.choice(('Checked', 'Read', 'Seen'))} on day {shelf.fresh()}."
    return f"comment {entry['comment']!r} (the same paper)"


ENTRY_EDITS: dict[str, EditFunction] = {
    "abstract": _on_entry("abstract", _abstract),
    "title": _on_entry("title", _title),
    "authors": _on_entry("authors", _authors),
    "notes": _on_entry("notes", _notes),
    "links": _on_entry("links", _links),
    "tags": _on_entry("tags", _tags),
    "added": _on_entry("added", _added),
    "published": _on_entry("published", _published),
    "organisation": _on_entry("organisation", _organisation),
    "votes": _on_entry("votes", _votes),
    "cosmetic": _on_entry("cosmetic", _cosmetic),
}


def edit_several(shelf: Shelf, rng: random.Random) -> Edit | None:
    """Two to four edits at once (of entries, sometimes a new or deleted one)."""
    choices = [*ENTRY_EDITS.values(), edit_new, edit_delete, edit_rename, edit_convert]
    weights = [4] * len(ENTRY_EDITS) + [1, 1, 1, 1]
    made: list[Edit] = []
    current = shelf
    for function in rng.choices(choices, weights, k=rng.randint(2, 4)):
        edit = function(current, rng)
        if edit is not None:
            made.append(edit)
            current = edit.shelf
    if len(made) < 2:
        return None
    kinds = ("several", *(kind for edit in made for kind in edit.kinds))
    return Edit(kinds, "several: " + "; ".join(edit.description for edit in made), current)


# Every kind of edit, and how often it is drawn after the first round (papershelf.speed.quick
# takes the edits of entries; the others go through mkdocs, and cost more).
EDITS: dict[str, tuple[EditFunction, int]] = {
    **{kind: (function, 6) for kind, function in ENTRY_EDITS.items() if kind != "cosmetic"},
    "cosmetic": (ENTRY_EDITS["cosmetic"], 1),
    "new": (edit_new, 2),
    "delete": (edit_delete, 2),
    "rename": (edit_rename, 1),
    "convert": (edit_convert, 1),
    "vocabulary": (edit_vocabulary, 1),
    "page": (edit_page, 1),
    "invalid": (edit_invalid, 2),
    "several": (edit_several, 6),
    "touch": (edit_touch, 1),
}
KINDS = (*EDITS, "repair")


class Planner:
    """The seeded sequence of edits: the first round deals every kind once in a random
    order, then kinds are drawn by weight; a project left invalid is repaired within
    three steps."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.shelf = initial_shelf(self.rng)
        self.deck = list(EDITS)
        self.rng.shuffle(self.deck)
        self.deferred: set[str] = set()
        self.broken_for = 0

    def next(self) -> Edit:
        rng, shelf = self.rng, self.shelf
        if shelf.raw:
            self.broken_for += 1
            if self.broken_for > 3 or rng.random() < 0.4:
                edit = edit_repair(shelf, rng)
                assert edit is not None
                return self._took(edit)
        while True:
            dealt = bool(self.deck)
            if dealt:
                kind = self.deck.pop(0)
            else:
                kind = rng.choices(list(EDITS), [weight for _, weight in EDITS.values()])[0]
            edit = EDITS[kind][0](shelf, rng)
            if edit is not None:
                return self._took(edit)
            if dealt and kind not in self.deferred:  # later in the round: it may apply then
                self.deferred.add(kind)
                self.deck.append(kind)

    def _took(self, edit: Edit) -> Edit:
        if not edit.shelf.raw:
            self.broken_for = 0
        self.shelf = edit.shelf
        return edit


def plan(seed: int, steps: int) -> list[Edit]:
    """The edits of a run, without building anything."""
    planner = Planner(seed)
    return [planner.next() for _ in range(steps)]


# --------------------------------------------------------------------------------------
# Builds and their comparison.


@dataclass
class Built:
    code: int | None  # None: it raised
    out: str
    seconds: float

    @property
    def path(self) -> str:
        """How the build went: quick (without mkdocs), dirty (incremental mkdocs), full,
        failed or crashed."""
        if self.code is None:
            return "crashed"
        if self.code != 0:
            return "failed"
        if "without mkdocs" in self.out:
            return "quick"
        if "site updated in" in self.out:
            return "dirty"
        return "full"

    @property
    def reason(self) -> str:
        """Why the build was not a quick one (papershelf build --verbose)."""
        for line in self.out.splitlines():
            if line.startswith("papershelf: building "):
                return line.removeprefix("papershelf: ")
        return ""


def build(root: Path, *args: str) -> Built:
    """``papershelf build --verbose ARGS`` in ``root``, in this process; what it printed."""
    from build_tools.cli import main

    captured = io.StringIO()
    start = time.perf_counter()
    code: int | None
    with (
        contextlib.chdir(root),
        contextlib.redirect_stdout(captured),
        contextlib.redirect_stderr(captured),
    ):
        try:
            code = main(["build", "--verbose", *args])
        except SystemExit as error:
            code = error.code if isinstance(error.code, int) else 1
        except Exception:  # reported as a divergence
            traceback.print_exc()
            code = None
    return Built(code, captured.getvalue(), time.perf_counter() - start)


def tree(site: Path) -> dict[str, bytes]:
    """Every file of a site: path -> bytes."""
    if not site.is_dir():
        return {}
    return {
        str(path.relative_to(site)): path.read_bytes() for path in site.rglob("*") if path.is_file()
    }


def differences(site: dict[str, bytes], clean: dict[str, bytes], *, shown: int = 3) -> list[str]:
    """The files that differ between two trees, the first few with a short diff."""
    lines: list[str] = []
    for path in sorted(site.keys() - clean.keys()):
        lines.append(f"only in site/: {path}")
    for path in sorted(clean.keys() - site.keys()):
        lines.append(f"only in {CLEAN_SITE}/: {path}")
    differing = sorted(path for path in site.keys() & clean.keys() if site[path] != clean[path])
    for number, path in enumerate(differing):
        lines.append(f"differs: {path}")
        if number < shown:
            lines += ["    " + line for line in short_diff(site[path], clean[path])]
    return lines


def short_diff(incremental: bytes, clean: bytes, *, context: int = 1, most: int = 16) -> list[str]:
    old = incremental.decode("utf-8", "replace").splitlines()
    new = clean.decode("utf-8", "replace").splitlines()
    diff = difflib.unified_diff(old, new, "site", CLEAN_SITE, n=context, lineterm="")
    lines = [line if len(line) <= 200 else line[:197] + "..." for line in diff]
    return lines[:most] + ([f"... ({len(lines) - most} more lines)"] if len(lines) > most else [])


def code_digest() -> str:
    """A digest of papershelf's code and templates (build_tools.build.input_digest has
    it too)."""
    import papershelf

    digest = hashlib.blake2b(digest_size=16)
    package = Path(papershelf.__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class DivergenceError(AssertionError):
    """An incremental build that did not do what the clean build did."""


@dataclass
class Step:
    number: int
    edit: Edit | None  # None: the first build
    incremental: Built
    clean: Built
    clean_first: bool = False

    def line(self) -> str:
        """One line: the build's path and time, the clean build's, the edit, and why
        the build was not a quick one."""
        what = self.edit.description if self.edit else "first build"
        if len(what) > 90:
            what = what[:87] + "..."
        incremental = self.incremental
        clean = "fails" if self.clean.code else f"{self.clean.seconds:.1f} s"
        clean += ", first" if self.clean_first else ""
        why = f"  [{incremental.reason}]" if incremental.reason and self.edit else ""
        return (
            f"step {self.number:>3}  {incremental.path:<7} {incremental.seconds:5.1f} s "
            f"(clean {clean})  {what}{why}"
        )


class Differential:
    """One seeded run in ``root`` (an empty or missing folder)."""

    def __init__(self, root: Path, seed: int, log: Callable[[str], None] = lambda line: None):
        self.root = root
        self.seed = seed
        self.log = log
        self.planner = Planner(seed)
        self.order = random.Random(f"builds-{seed}")  # not the planner's: the same edits
        self.steps: list[Step] = []
        self.code = code_digest()

    @property
    def site(self) -> Path:
        return self.root / "site"

    def start(self) -> Step:
        self.log(f"seed {self.seed}: {describe(self.planner.shelf)}")
        self.root.mkdir(parents=True, exist_ok=True)
        write_changes(self.root, dict(files(self.planner.shelf)))
        return self._check(None, {})

    def step(self) -> Step:
        before = self.planner.shelf
        edit = self.planner.next()
        snapshot = tree(self.site)
        write_changes(self.root, changes(before, edit.shelf), edit.touched)
        return self._check(edit, snapshot)

    def run(self, steps: int) -> list[Step]:
        self.start()
        for _ in range(steps):
            self.step()
        return self.steps

    def _check(self, edit: Edit | None, snapshot: dict[str, bytes]) -> Step:
        # Now and then the clean build comes first: it moves the entry cache, which
        # every site of the project shares, past the version site/ was built from.
        clean_first = edit is not None and self.order.random() < 0.15
        if clean_first:
            clean = build(self.root, "--clean", "--site-dir", CLEAN_SITE)
        incremental = build(self.root)
        if not clean_first:
            clean = build(self.root, "--clean", "--site-dir", CLEAN_SITE)
        problems = self._leftovers()
        step = Step(len(self.steps), edit, incremental, clean, clean_first)
        self.steps.append(step)
        self.log(step.line())
        if clean.code is None:
            problems.append("the clean build crashed:\n" + clean.out)
        elif clean.code != 0:
            if incremental.code != 1:
                problems.append(
                    f"the clean build failed, the incremental one did not ({incremental.path})"
                )
            elif edit is not None and tree(self.site) != snapshot:
                found = differences(tree(self.site), snapshot)
                problems.append("the failed build changed site/ (compared with before):")
                problems += found[:40]
        elif incremental.code != 0:
            problems.append(f"the incremental build {incremental.path}, the clean one did not")
        else:
            found = differences(tree(self.site), tree(self.root / CLEAN_SITE))
            if found:
                problems.append(
                    f"site/ ({incremental.path} build) differs from the clean build's site:"
                )
                problems += found[:60]
        if problems:
            if code_digest() != self.code:
                problems.append(
                    "(papershelf's code changed during this run: the quick builds in this "
                    "process use the code it started with, mkdocs the new one)"
                )
            raise DivergenceError(self.report(step, problems))
        return step

    def _leftovers(self) -> list[str]:
        left = sorted(p.name for p in self.root.iterdir() if p.name.startswith("."))
        return [f"a build left {name} behind" for name in left]

    def report(self, step: Step, problems: list[str]) -> str:
        history = [f"  {s.number:>3}. {s.edit.description}" for s in self.steps if s.edit]
        output = step.incremental.out.strip().splitlines()[-25:]
        return "\n".join(
            [
                f"DIVERGENCE at step {step.number} of seed {self.seed} "
                f"(incremental build: {step.incremental.path})",
                *problems,
                "edits so far:",
                *(history or ["  (none: the first build)"]),
                "the incremental build printed (last lines):",
                *("  " + line for line in output),
                f"reproduce: papershelf differential --seed {self.seed} --steps {step.number} "
                "--keep DIR",
            ]
        )


# --------------------------------------------------------------------------------------
# The command.


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--steps", type=int, default=40, help="edits to make (default: 40)")
    parser.add_argument(
        "--seed",
        type=int,
        action="append",
        help="random seed; repeat for several runs (default: 1)",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="build in DIR (created; must be empty) and keep it: the project in DIR/shelf, "
        "its cache in DIR/cache",
    )


@contextlib.contextmanager
def private_cache(folder: Path) -> Iterator[None]:
    """The entry cache and build states in ``folder``, not the user's cache folder."""
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("XDG_CACHE_HOME", None)
        else:
            os.environ["XDG_CACHE_HOME"] = old


def run(args: argparse.Namespace) -> int:
    seeds = args.seed or [1]
    if args.keep is not None and args.keep.exists() and any(args.keep.iterdir()):
        print(f"papershelf differential: {args.keep} is not empty", file=sys.stderr)
        return 2
    paths: dict[str, int] = {}
    start = time.perf_counter()
    for seed in seeds:
        work = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="differential-"))
        folder = work / f"seed-{seed}" if len(seeds) > 1 else work
        try:
            with private_cache(folder / "cache"):
                harness = Differential(folder / "shelf", seed, lambda line: print(line, flush=True))
                try:
                    harness.run(args.steps)
                except DivergenceError as divergence:
                    print(divergence, flush=True)
                    if args.keep is None:
                        print("(run it with --keep DIR to look at the project and both sites)")
                    return 1
            for step in harness.steps[1:]:
                paths[step.incremental.path] = paths.get(step.incremental.path, 0) + 1
        finally:
            if args.keep is None:
                shutil.rmtree(work, ignore_errors=True)
    taken = ", ".join(f"{count} {path}" for path, count in sorted(paths.items()))
    print(
        f"differential: {len(seeds)} seed(s) x {args.steps} steps, every incremental build "
        f"gave the clean site ({taken}) in {time.perf_counter() - start:.0f} s"
    )
    return 0

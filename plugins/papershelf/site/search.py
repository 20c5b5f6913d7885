"""Full-text search: a static index built from the catalog, read in small parts.

The header search box (``assets/papershelf.js``) answers queries from files under
``search/``, written by :func:`search_outputs` from the catalog (no HTML is parsed):

* ``search/index.json``, the manifest: format version, number of papers, papers per
  document chunk, the folder of this index (named by a hash of its contents, so a
  republished site never mixes old and new files in a reader's cache) and the shards
  that exist (so the script never asks for a file that is not there). The script
  fetches it once per page load, revalidating it with the server.
* ``search/<hash>/terms/<key>.json``, the shards of terms (``<key>``: the code points
  of the shard's key in hex): for each term, the papers with it in a *strong* field
  (title, authors, organisation, tags) and those with it only in the *body* (abstract,
  notes), each as a delta-encoded list of paper numbers (:func:`encode_postings`).
  A shard holds the terms starting with its key: their first two characters, or more
  where a shard would pass ``SHARD_LIMIT`` bytes (:func:`split_shards`), so a shard
  stays small as the list grows. Query terms match as prefixes ("pretrain" finds
  "pretraining"): a term of three or more characters usually reads one shard, a
  two-character one the shards of its completions (:func:`shards_for`). One-character
  terms match exactly.
* ``search/<hash>/docs/<n>.json``, a chunk of papers in the order of the list (newest
  first, as ``rank.json`` places them), named by its first paper's number ``n``: URL
  (relative to the site root), title, a line of authors and organisation, abstract,
  a row a line; read for the results shown, ten at a time. A chunk begins at the
  newest paper and at each paper that :func:`starts_chunk` picks by a hash of its
  number (about one in ``chunk``), so chunks depend on the papers and not on their
  places (:func:`chunk_layout`): the first results of a common word (the newest)
  share a chunk or two, and a paper that moves along the list changes only the chunk
  it leaves and the one it joins.
* ``search/<hash>/rank.json``, the order of the list: a JSON list whose item ``n`` is
  the place of paper number ``n`` in the catalog (newest first, 0 the newest)
  (:func:`ranks_of`). Results with the same number of strong-field hits are shown
  newest first, by this rank. Only a list with papers has one.

Papers are numbered by slug (:func:`numbered`), not by date, so a paper keeps its
number when its dates change (the snapshot numbers papers the same way). Terms are
lower-cased runs of letters and digits, ``[^\\W_]+`` over ``str.lower()`` here and
``[\\p{L}\\p{N}]+`` over ``toLowerCase()`` in the script (``tests/browser`` checks that
both agree). The output depends only on the catalog: the same papers give
byte-identical files.

An edit of entries that keeps the same papers (the same slugs) keeps every paper's
number, so the index in the site can be patched instead of built again
(:func:`patch_index`, 0.85 s -> well under 0.1 s at 10,000 papers): the terms an edited
paper gains or loses change the postings of their shards, the document chunk of that
paper changes, and a date that moves papers in the list changes ``rank.json`` and the
chunks the paper leaves and joins. A
two-character group is split as a whole by its size (:func:`split_shards`), so each
group with a changed term is read whole and split again, which may merge or split its
shards. The other files are hard-linked into the staged index (:func:`write_patch`).
The folder's name is a hash of every file's path and digest (:func:`_name_of`): a
patch takes the digests of the files it does not change from what the last build
recorded of the index in the site (:func:`known_files`, kept in the snapshot), for files
whose size and time are unchanged, and reads the others; naming the old folder again
checks that its files are the ones it was named for. The result has the bytes
:func:`search_outputs` gives for the edited catalog, which the tests check file by
file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, count, pairwise
from operator import add, attrgetter
from pathlib import Path
from typing import Any, NamedTuple

from papershelf.site.catalog import Catalog
from papershelf.entries.model import Paper, Tag
from papershelf.site.pages import paper_url

VERSION = 2
FOLDER = "search"
MANIFEST = f"{FOLDER}/index.json"
RANK = "rank.json"  # inside the index folder
# Papers per document chunk, on average (chunk_layout). Ten results touch at most ten
# chunks, so smaller chunks mean fewer bytes per search and more files: at 10,000
# papers, about 8 papers a chunk is about 1,250 files of about 14 KB.
CHUNK_SIZE = 8
PREFIX_LENGTH = 2  # shard terms by their first two characters...
SHARD_LIMIT = 16 * 1024  # ...and a shard bigger than this by one character more
AUTHORS_SHOWN = 5  # names in a result's author line, then "and N more"

_TOKEN = re.compile(r"[^\W_]+")
# Postings digits: URL-safe base64 characters. 0-31 end a number, 32-63 carry five
# more bits (least significant group first).
DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_ASCII_SPACES = bytes(c if chr(c).isascii() and chr(c).isalnum() else 32 for c in range(256))
_DIGIT_VALUES = {char: value for value, char in enumerate(DIGITS)}
_FOLDER_NAME = re.compile(r"[0-9a-f]{16}")


def tokens(text: str) -> list[str]:
    """The terms of ``text``: lower-cased runs of letters and digits."""
    return _TOKEN.findall(text.lower())


def term_set(text: str) -> set[str]:
    """The distinct terms of ``text``, as :func:`tokens` finds them. ASCII text (most
    of it) takes a shortcut twice as fast: bytes that are not letters or digits
    become spaces."""
    if text.isascii():
        words = set(text.lower().encode().translate(_ASCII_SPACES).split())
        return set(b" ".join(words).decode().split())
    return set(tokens(text))


def shard_key(term: str, length: int = PREFIX_LENGTH) -> str:
    """The first ``length`` characters of ``term`` followed by a space ("x" -> "x "):
    a term is in the one shard whose key is a beginning of ``term + " "`` (no key is
    a beginning of another)."""
    return (term + " ")[:length]


def shard_file(key: str) -> str:
    """A safe file name for a shard key: its code points in hex ("ab" -> "61-62")."""
    return "-".join(f"{ord(char):x}" for char in key)


def shards_for(keys: Iterable[str], term: str) -> list[str]:
    """The shards a query term reads (what the script does): for a one-letter term the
    shard of that word; else every shard whose words may start with the term: those
    whose key begins with it ("co" -> "con", "com", ...) or begins it ("con" -> "co")."""
    if len(term) == 1:
        return [key for key in keys if key == term + " "]
    return [key for key in keys if key.startswith(term) or term.startswith(key)]


def split_shards(
    terms: dict[str, list[str]], limit: int | None = None
) -> dict[str, dict[str, list[str]]]:
    """Terms (-> encoded postings) in shards by their first two characters; a shard of
    more than ``limit`` bytes (default ``SHARD_LIMIT``, read at call time so tests can
    lower it) and more than one term is split by one character more, and so on (a
    common prefix would otherwise make a shard grow with the list). Each group of a
    two-character prefix is split on its own terms only: :func:`patch_index` relies on
    that to re-split one group."""
    if limit is None:
        limit = SHARD_LIMIT
    done: dict[str, dict[str, list[str]]] = {}
    todo = [(PREFIX_LENGTH, terms)]
    while todo:
        length, group = todo.pop()
        by_key: dict[str, dict[str, list[str]]] = defaultdict(dict)
        for term, lists in group.items():
            by_key[shard_key(term, length)][term] = lists
        for key, part in by_key.items():
            size = sum(len(term.encode()) + len(s) + len(b) + 8 for term, (s, b) in part.items())
            if len(part) > 1 and size > limit:
                todo.append((length + 1, part))
            else:
                done[key] = part
    return dict(sorted(done.items()))


def _encode_number(value: int) -> str:
    if value < 32:
        return DIGITS[value]
    digits = []
    while value >= 32:
        digits.append(DIGITS[32 + (value & 31)])
        value >>= 5
    digits.append(DIGITS[value])
    return "".join(digits)


def encode_postings(numbers: list[int], codes: list[str] | None = None) -> str:
    """Ascending paper numbers as a string: each the gap to the one before, less one
    (the first: itself), as base-32 digits. ``codes``: the encodings of every gap that
    can occur (``gap_codes``), looked up instead of computed."""
    gaps = [number - previous - 1 for previous, number in pairwise([-1, *numbers])]
    if gaps and min(gaps) < 0:
        raise ValueError(f"paper numbers must ascend: {numbers}")
    if codes is None:
        return "".join(map(_encode_number, gaps))
    return "".join(map(codes.__getitem__, gaps))


def gap_codes(count: int) -> list[str]:
    """The encoding of every gap between numbers of ``count`` papers."""
    return [_encode_number(gap) for gap in range(count)]


def decode_postings(text: str) -> list[int]:
    """The paper numbers of :func:`encode_postings` (what the script does)."""
    numbers = []
    previous = -1
    value = shift = 0
    for char in text:
        digit = _DIGIT_VALUES.get(char)
        if digit is None:
            raise ValueError(f"not a postings digit: {char!r}")
        if digit >= 32:
            value += (digit - 32) << shift
            shift += 5
            continue
        previous += value + (digit << shift) + 1
        numbers.append(previous)
        value = shift = 0
    if shift:
        raise ValueError("postings end in the middle of a number")
    return numbers


def strong_text(paper: Paper, tags: Mapping[str, Tag]) -> str:
    """Title, authors, organisation, tag ids and titles: hits here rank first. Takes
    the vocabulary alone (not the catalog) so an index can be patched without one."""
    parts = [paper.title, *paper.authors, paper.organization or ""]
    for tag in paper.tags:
        parts.append(tag)
        known = tags.get(tag)
        if known is not None:
            parts.append(known.title)
    return "\n".join(parts)


def author_line(paper: Paper) -> str:
    """What a result shows under its title: some authors and the organisation."""
    names = list(paper.authors[:AUTHORS_SHOWN])
    if len(paper.authors) > AUTHORS_SHOWN:
        names[-1] += f" and {len(paper.authors) - AUTHORS_SHOWN} more"
    people = ", ".join(names)
    if not people and paper.author_count:
        people = f"{paper.author_count} author{'s' if paper.author_count != 1 else ''}"
    return " · ".join(part for part in (people, paper.organization or "") if part)


def to_json(value: object) -> bytes:
    """Compact, sorted, UTF-8 JSON with ``<``, ``>`` and ``&`` escaped: entry text
    stays data even if someone pastes a file into a page."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return text.encode("utf-8")


def paper_terms(paper: Paper, tags: Mapping[str, Tag]) -> tuple[set[str], set[str]]:
    """(terms of the strong fields, terms only in the body): one definition for
    :func:`postings` and :func:`patch_index`, so a patch indexes what a build does."""
    strong = term_set(strong_text(paper, tags))
    body = term_set(paper.abstract)
    if paper.notes:
        body |= term_set(paper.notes)
    return strong, body - strong


def numbered(papers: Sequence[Paper]) -> list[Paper]:
    """The papers in number order: by slug. A paper's number (its place here) stays
    when its dates move it in the list; only adding or removing papers changes it."""
    return sorted(papers, key=attrgetter("slug"))


def ranks_of(catalog: Catalog) -> list[int]:
    """By paper number: the paper's place in the catalog's order (newest first, 0 the
    newest), what ``rank.json`` holds."""
    papers = catalog.papers
    return sorted(range(len(papers)), key=lambda place: papers[place].slug)


def rank_bytes(ranks: Sequence[int]) -> bytes:
    """The bytes of ``rank.json`` for these ranks (by paper number)."""
    return to_json(list(ranks))


def postings(catalog: Catalog) -> dict[str, tuple[list[int], list[int]]]:
    """term -> (papers with it in a strong field, papers with it only in the body), by
    paper number (:func:`numbered`)."""
    in_strong: dict[str, list[int]] = defaultdict(list)
    in_body: dict[str, list[int]] = defaultdict(list)
    for number, paper in enumerate(numbered(catalog.papers)):
        strong, body = paper_terms(paper, catalog.tags)
        for term in strong:
            in_strong[term].append(number)
        for term in body:
            in_body[term].append(number)
    return {term: (in_strong.get(term, []), in_body.get(term, [])) for term in in_strong | in_body}


class BuiltIndex(NamedTuple):
    """A search index made from a catalog (:func:`build_index`)."""

    outputs: dict[str, bytes]  # every file: path relative to the site root -> bytes
    folder: str | None  # its hash-named folder (None for an empty list: only the manifest)
    digests: dict[str, str]  # path inside the folder -> file_digest (what the name is of)


def search_outputs(catalog: Catalog, *, chunk_size: int = CHUNK_SIZE) -> dict[str, bytes]:
    """Every file of the search index: path relative to the site root -> bytes."""
    return build_index(catalog, chunk_size=chunk_size).outputs


def build_index(catalog: Catalog, *, chunk_size: int = CHUNK_SIZE) -> BuiltIndex:
    """The search index of ``catalog``, with the digests of its files (what a build
    tells the snapshot, :func:`known_files`), each file hashed once."""
    codes = gap_codes(len(catalog.papers))
    encoded = {
        term: [encode_postings(strong, codes), encode_postings(body, codes)]
        for term, (strong, body) in sorted(postings(catalog).items())
    }
    shards = split_shards(encoded)
    files: dict[str, bytes] = {}
    for key, terms in shards.items():
        files[terms_path(key)] = to_json(terms)
    papers = catalog.papers  # newest first: the results shown first share chunks
    ranks = ranks_of(catalog)
    rows = {number: to_json(doc_row(papers[place])) for number, place in enumerate(ranks)}
    for numbers in chunk_layout(invert(ranks), chunk_size):
        files[docs_path(numbers[0])] = chunk_bytes([rows[number] for number in numbers])
    if papers:
        files[RANK] = rank_bytes(ranks)
    digests = {path: file_digest(data) for path, data in sorted(files.items())}
    folder = _name_of(digests.items())
    outputs = {f"{FOLDER}/{folder}/{path}": data for path, data in sorted(files.items())}
    outputs[MANIFEST] = manifest_bytes(len(papers), chunk_size, folder, shards)
    return BuiltIndex(outputs, folder if files else None, digests)


def terms_path(key: str) -> str:
    """A shard's path inside the index folder."""
    return f"terms/{shard_file(key)}.json"


def docs_path(first: int) -> str:
    """A document chunk's path inside the index folder: named by its first paper."""
    return f"docs/{first}.json"


def starts_chunk(number: int, chunk: int) -> bool:
    """Whether paper ``number`` begins a document chunk: about one paper in ``chunk``,
    picked by a hash of its number (what the script does; exact in JavaScript's
    doubles below 3 million papers)."""
    return (number * 2654435761) % 4294967296 * chunk < 4294967296


def chunk_layout(order: Sequence[int], chunk: int) -> list[list[int]]:
    """The document chunks of papers in the order of the list (paper numbers, newest
    first): a chunk begins at the first paper and at each paper :func:`starts_chunk`
    picks. The chunks depend on the papers, not on their places, so a paper that moves
    along the list changes only the chunk it leaves and the one it joins (chunks of
    eight places each would all shift between its old and new place)."""
    chunks: list[list[int]] = []
    for number in order:
        if not chunks or starts_chunk(number, chunk):
            chunks.append([])
        chunks[-1].append(number)
    return chunks


def doc_row(paper: Paper) -> list[str]:
    """What a document chunk holds for one paper: URL, title, author line, abstract."""
    return [paper_url(paper), paper.title, author_line(paper), paper.abstract]


def chunk_bytes(rows: Sequence[bytes]) -> bytes:
    """A document chunk: a JSON list with a row (:func:`to_json` of :func:`doc_row`) a
    line. JSON text has no raw newline inside a row, so a patch moves rows between
    chunks as they are (:func:`chunk_rows`), without parsing or writing JSON."""
    return b"[" + b",\n".join(rows) + b"]"


def chunk_rows(data: bytes) -> list[bytes]:
    """The rows of a chunk (:func:`chunk_bytes`), as bytes."""
    if not (data.startswith(b"[") and data.endswith(b"]")):
        raise _UnusableIndexError("a chunk that is not a JSON list")
    return data[1:-1].split(b",\n")


def file_digest(data: bytes) -> str:
    """The digest of one file of the index (the folder's name is made of these)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _name_of(digests: Iterable[tuple[str, str]]) -> str:
    """The index folder's name: a hash of the path and digest (:func:`file_digest`) of
    every file, given in sorted path order, so equal contents give an equal name. From
    digests, not bytes: a patch knows most of them from the last build (:data:`Known`)
    instead of reading every file again."""
    digest = hashlib.blake2b(digest_size=8)
    for path, file in digests:
        digest.update(f"{path}\0{file}\0".encode())
    return digest.hexdigest()


# What a build knows of the index in the site: {"folder": its name, "files": {path
# inside it: [size, mtime_ns, file_digest]}} (:func:`known_files`). A file whose size
# and time are as recorded is not read again to name the folder.
Known = Mapping[str, Any]


def known_files(site_dir: Path, folder: str, digests: Mapping[str, str]) -> dict[str, Any]:
    """:data:`Known` of the index folder ``folder`` in ``site_dir`` whose files have these
    digests (path inside the folder -> :func:`file_digest`), as they are on disk now."""
    root = f"{site_dir}/{FOLDER}/{folder}"
    files: dict[str, list[Any]] = {}
    for path, digest in digests.items():
        try:
            info = os.stat(f"{root}/{path}")  # noqa: PTH116 (thousands: strings are quicker)
        except OSError:
            continue
        files[path] = [info.st_size, info.st_mtime_ns, digest]
    return {"folder": folder, "files": files}


def manifest_bytes(docs: int, chunk: int, folder: str, shards: Iterable[str]) -> bytes:
    """``search/index.json``: what the script needs to find the index's files."""
    return to_json(
        {
            "version": VERSION,
            "docs": docs,
            "chunk": chunk,
            "folder": folder,
            "shards": sorted(shards),
        }
    )


def write_index(site_dir: Path, outputs: dict[str, bytes]) -> int:
    """Write the index into ``site_dir`` and return the number of files written.

    Its files first, then the manifest (replaced in one step), then the folders of
    earlier indexes are removed (``mkdocs serve`` and incremental builds keep the
    output). Nothing is written when the manifest there already names this index:
    its folder's name is the hash of its contents."""
    manifest = site_dir / MANIFEST
    folder = _folder(outputs)
    if (
        manifest.is_file()
        and manifest.read_bytes() == outputs[MANIFEST]
        and (folder is None or (manifest.parent / folder).is_dir())
    ):
        return 0
    for relative, data in outputs.items():
        if relative != MANIFEST:
            path = site_dir / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    manifest.parent.mkdir(parents=True, exist_ok=True)
    partial = manifest.with_name(f".{manifest.name}.partial")
    partial.write_bytes(outputs[MANIFEST])
    partial.replace(manifest)
    _drop_other_indexes(manifest.parent, keep={folder})
    return len(outputs)


def install_index(staged: Path, site_dir: Path) -> None:
    """Move an index that :func:`write_index` wrote into ``staged`` into ``site_dir``
    (same file system: renames), the manifest last, then drop earlier index folders.
    A build's helper starts before mkdocs empties the site folder, so it writes beside
    it and the build moves the index in at the end (the caller removes ``staged``)."""
    source, target = staged / FOLDER, site_dir / FOLDER
    target.mkdir(parents=True, exist_ok=True)
    current = {entry.name for entry in source.iterdir() if entry.is_dir()}
    for name in sorted(current):
        if (target / name).exists():
            continue  # the same contents: the folder is named by their hash
        (source / name).rename(target / name)
    (staged / MANIFEST).replace(site_dir / MANIFEST)
    _drop_other_indexes(target, keep=current)


# --- patching ----------------------------------------------------------------------


@dataclass(frozen=True)
class IndexPatch:
    """The index of an edited catalog, as changes to the index in the site: what
    :func:`write_patch` needs to stage it (paths relative to the index folder)."""

    previous_folder: str  # hash-named folder of the index now in the site
    folder: str  # hash-named folder of the patched index (may equal previous_folder)
    manifest: bytes  # new search/index.json bytes
    files: dict[str, bytes]  # new or changed files ("terms/61-62.json", "rank.json")
    kept: tuple[str, ...]  # files whose bytes are unchanged (linked, not rewritten)
    removed: tuple[str, ...]  # files of the previous index the new one no longer has
    # every file of the patched index -> its file_digest (empty if the index is unchanged)
    digests: dict[str, str]


class _UnusableIndexError(Exception):
    """The index in the site cannot be patched (missing, other version, corrupt, or
    not the index of the papers the changes start from): rebuild it instead."""


# One list of one term: (numbers that gain it, numbers that lose it).
_Delta = tuple[set[int], set[int]]


def patch_index(
    site_dir: Path,
    changes: Sequence[tuple[int, Paper, Paper]],
    tags: Mapping[str, Tag],
    papers_at: Callable[[Sequence[int]], list[Paper]],
    ranks: Sequence[int],
    known: Known | None = None,
) -> IndexPatch | None:
    """The index after ``changes`` (paper number, old paper, new paper) that keep the
    set of papers (their slugs, so their numbers: :func:`numbered`), patched from the
    index in ``site_dir`` instead of built from the whole catalog: the same bytes as
    :func:`search_outputs` of the new catalog. Only the shards of the two-character
    groups whose terms change (read, edited and re-split), the document chunks of the
    changed papers and ``rank.json`` are rewritten; every other file is read only for
    the folder's hash, unless ``known`` (:func:`known_files`, what the last build
    recorded) has its digest and its size and time are unchanged. ``papers_at``: the
    current papers at these numbers, in that order. ``ranks``: :func:`ranks_of` the new
    catalog (dates may have moved papers in it).
    None when the index there cannot be patched (no manifest, another ``VERSION``, a
    missing or corrupt file, an index that does not hold the old papers): the caller
    builds it whole. A paper changed twice goes from its first old to its last new
    version. ``ValueError`` if ``papers_at`` gives another number of papers than asked
    for, ``ranks`` is not one place for each paper of the index, or a change renames a
    paper: the caller's mistake, not the index's."""
    try:
        return _patch(site_dir / FOLDER, changes, tags, papers_at, ranks, known)
    except _UnusableIndexError:
        return None


def write_patch(patch: IndexPatch, site_dir: Path, staging: Path) -> int:
    """Stage the patched index as ``staging/search/``, the tree a full build writes:
    kept files hard-linked from the site's index folder (copied where links fail),
    new ones written, the manifest last. An unchanged folder is staged empty: the
    merge into the site keeps a folder it already has (``incremental.merge_into``).
    ``staging``: on the file system of ``site_dir``. Returns the files written or
    linked."""
    root = staging / FOLDER
    target = root / patch.folder
    target.mkdir(parents=True, exist_ok=True)
    count = 0
    if patch.folder != patch.previous_folder:
        source = site_dir / FOLDER / patch.previous_folder
        for folder in {path.rpartition("/")[0] for path in (*patch.kept, *patch.files)}:
            (target / folder).mkdir(parents=True, exist_ok=True)
        for path in patch.kept:
            try:
                os.link(source / path, target / path)
            except OSError:
                shutil.copyfile(source / path, target / path)
        for path, data in patch.files.items():
            (target / path).write_bytes(data)
        count = len(patch.kept) + len(patch.files)
    (root / "index.json").write_bytes(patch.manifest)
    return count + 1


def _patch(
    root: Path,
    changes: Sequence[tuple[int, Paper, Paper]],
    tags: Mapping[str, Tag],
    papers_at: Callable[[Sequence[int]], list[Paper]],
    ranks: Sequence[int],
    known: Known | None,
) -> IndexPatch:
    """:func:`patch_index`, raising :class:`_UnusableIndexError` where it returns None."""
    docs, chunk, previous, old_keys = _read_manifest(root / "index.json")
    if not _is_permutation(ranks, docs):
        raise ValueError(f"ranks must be one place for each of the {docs} papers")
    folder = f"{root}/{previous}"
    if not Path(folder).is_dir():
        raise _UnusableIndexError(f"no folder {previous}")
    old_papers: dict[int, Paper] = {}
    new_papers: dict[int, Paper] = {}
    for number, old, new in changes:
        if old.slug != new.slug:
            raise ValueError(f"a change renames {old.slug} to {new.slug}: not the same paper")
        if not 0 <= number < docs:
            raise _UnusableIndexError(f"paper {number} is not in an index of {docs}")
        old_papers.setdefault(number, old)  # one paper edited twice: first to last
        new_papers[number] = new

    # Terms: what each changed paper gains and loses, in which list.
    deltas: dict[str, tuple[_Delta, _Delta]] = {}
    for number in sorted(new_papers):
        old_strong, old_body = paper_terms(old_papers[number], tags)
        new_strong, new_body = paper_terms(new_papers[number], tags)
        for which, gained, lost in (
            (0, new_strong - old_strong, old_strong - new_strong),
            (1, new_body - old_body, old_body - new_body),
        ):
            for term in gained:
                deltas.setdefault(term, ((set(), set()), (set(), set())))[which][0].add(number)
            for term in lost:
                deltas.setdefault(term, ((set(), set()), (set(), set())))[which][1].add(number)
    old_files: dict[str, bytes] = {}  # what was read: previous bytes by path
    new_files: dict[str, bytes] = {}  # what the patched index has instead
    groups: dict[str, list[str]] = defaultdict(list)
    for key in old_keys:
        groups[key[:PREFIX_LENGTH]].append(key)
    touched: dict[str, list[str]] = defaultdict(list)  # group -> its changed terms
    for term in sorted(deltas):
        touched[shard_key(term)].append(term)
    new_keys = [key for key in old_keys if key[:PREFIX_LENGTH] not in touched]
    for group, changed in sorted(touched.items()):
        # A group is split as a whole (split_shards), so all of it is read and re-split.
        terms: dict[str, list[str]] = {}
        for key in groups.get(group, []):
            path = terms_path(key)
            old_files[path] = _read(f"{folder}/{path}")
            terms.update(_shard_terms(old_files[path]))
        for term in changed:
            lists = [
                _apply(text, delta)
                for text, delta in zip(terms.get(term, ("", "")), deltas[term], strict=True)
            ]
            if any(lists):
                terms[term] = lists
            else:
                terms.pop(term, None)
        for key, part in split_shards(terms).items():
            new_files[terms_path(key)] = to_json(part)
            new_keys.append(key)

    # The order of the list (rank.json): a date edit may move papers in it.
    old_ranks: list[int] = []
    if docs:
        old_files[RANK] = _read(f"{folder}/{RANK}")
        found = _loads(old_files[RANK])
        if not (
            isinstance(found, list)
            and all(type(rank) is int for rank in found)
            and _is_permutation(found, docs)
        ):
            raise _UnusableIndexError(f"{RANK} is not one place for each of {docs} papers")
        old_ranks = found
        new_files[RANK] = rank_bytes(ranks)
    old_order, new_order = invert(old_ranks), invert(ranks)

    # Documents, in the order of the list (chunk_layout): the chunks whose papers
    # changed, came or went. Rows of papers that moved come from the chunks they were in.
    old_chunks = {numbers[0]: numbers for numbers in chunk_layout(old_order, chunk)}
    new_chunks = {numbers[0]: numbers for numbers in chunk_layout(new_order, chunk)}
    old_place = {
        number: (first, at)
        for first, numbers in old_chunks.items()
        for at, number in enumerate(numbers)
    }
    old_rows: dict[int, list[bytes]] = {}

    def rows_in(first: int) -> list[bytes]:
        if first not in old_rows:
            path = docs_path(first)
            old_files[path] = _read(f"{folder}/{path}")
            rows = chunk_rows(old_files[path])
            if len(rows) != len(old_chunks[first]):
                raise _UnusableIndexError(f"{path} does not hold a chunk of papers")
            old_rows[first] = rows
        return old_rows[first]

    # The chunks the changed papers were in are checked against the papers: the
    # changed ones as they were, the others as they are.
    for first in sorted({old_place[number][0] for number in new_papers}):
        numbers = old_chunks[first]
        papers = papers_at(numbers)
        if len(papers) != len(numbers):
            raise ValueError(f"papers_at gave {len(papers)} papers for {len(numbers)} numbers")
        expected = [
            to_json(doc_row(old_papers.get(number, paper)))
            for number, paper in zip(numbers, papers, strict=True)
        ]
        if rows_in(first) != expected:
            path = docs_path(first)
            raise _UnusableIndexError(f"{path} does not hold the papers the changes start from")
    for first, numbers in new_chunks.items():
        if old_chunks.get(first) == numbers and not new_papers.keys() & set(numbers):
            continue
        rows = []
        for number in numbers:
            if number in new_papers:
                rows.append(to_json(doc_row(new_papers[number])))
            else:
                was, at = old_place[number]
                rows.append(rows_in(was)[at])
        new_files[docs_path(first)] = chunk_bytes(rows)
    files = {path: data for path, data in sorted(new_files.items()) if old_files.get(path) != data}
    rank = [RANK] if docs else []
    old_paths = sorted([*map(terms_path, old_keys), *map(docs_path, old_chunks), *rank])
    new_paths = sorted([*map(terms_path, new_keys), *map(docs_path, new_chunks), *rank])
    removed = tuple(sorted(set(old_paths) - set(new_paths)))
    kept = tuple(path for path in new_paths if path not in files)
    if not (files or removed):  # the same index: the same name, the same record
        return IndexPatch(
            previous, previous, manifest_bytes(docs, chunk, previous, new_keys), {}, kept, (), {}
        )
    # The digest of every old file: from its bytes when read, else as the last build
    # recorded it if its size and time are unchanged, else read now. Naming the old
    # folder again checks that its files are what it was named for (a file cut short
    # by an interrupted write would otherwise live on).
    recorded = known.get("files") if known and known.get("folder") == previous else None
    if not isinstance(recorded, dict):  # none, another folder's, or not a record
        recorded = {}
    old_digests: dict[str, str] = {}
    for path in old_paths:
        if path in old_files:
            old_digests[path] = file_digest(old_files[path])
            continue
        entry = recorded.get(path)
        if isinstance(entry, list) and len(entry) == 3:
            try:
                info = os.stat(f"{folder}/{path}")  # noqa: PTH116 (as _read)
            except OSError as error:
                raise _UnusableIndexError(str(error)) from error
            if [info.st_size, info.st_mtime_ns] == entry[:2]:
                old_digests[path] = entry[2]
                continue
        old_digests[path] = file_digest(_read(f"{folder}/{path}"))
    if _name_of((path, old_digests[path]) for path in old_paths) != previous:
        raise _UnusableIndexError(f"the files of {previous} are not the ones it was named for")
    digests = {
        path: file_digest(files[path]) if path in files else old_digests[path] for path in new_paths
    }
    name = _name_of(digests.items())
    return IndexPatch(
        previous_folder=previous,
        folder=name,
        manifest=manifest_bytes(docs, chunk, name, new_keys),
        files=files,
        kept=kept,
        removed=removed,
        digests=digests,
    )


def invert(permutation: Sequence[int]) -> list[int]:
    """The inverse of a permutation of ``range(n)``: the paper numbers in the order of
    the list from their ranks (:func:`ranks_of`), or the ranks from that order."""
    inverse = [0] * len(permutation)
    for index, value in enumerate(permutation):
        inverse[value] = index
    return inverse


def _is_permutation(values: Sequence[Any], size: int) -> bool:
    """Whether ``values`` are ``0 .. size - 1``, each once (ranks)."""
    return sorted(values) == list(range(size))


def _apply(text: str, delta: _Delta) -> str:
    """Encoded postings with ``delta``'s numbers added and removed: a number added
    must be missing and one removed present, else the index is not of the old papers."""
    gained, lost = delta
    if not gained and not lost:
        return text
    # The string as one code per number (a common term's postings are thousands of
    # numbers long): the codes around an edit change, the rest is joined as it was.
    codes = _NUMBER_CODE.findall(text)
    if sum(map(len, codes)) != len(text):
        raise _UnusableIndexError(f"not postings: {text!r}")
    numbers = list(map(add, accumulate(map(_GAP_VALUES.__getitem__, codes)), count()))
    for number in sorted(lost):
        at = bisect_left(numbers, number)
        if at == len(numbers) or numbers[at] != number:
            raise _UnusableIndexError(f"paper {number} was not indexed under a term it had")
        del numbers[at], codes[at]
        if at < len(numbers):
            codes[at] = _encode_number(numbers[at] - (numbers[at - 1] if at else -1) - 1)
    for number in sorted(gained):
        at = bisect_left(numbers, number)
        if at < len(numbers) and numbers[at] == number:
            raise _UnusableIndexError(f"paper {number} was indexed under a term it did not have")
        numbers.insert(at, number)
        codes.insert(at, _encode_number(number - (numbers[at - 1] if at else -1) - 1))
        if at + 1 < len(numbers):
            codes[at + 1] = _encode_number(numbers[at + 1] - number - 1)
    return "".join(codes)


class _GapValues(dict[str, int]):
    """The code of one number in postings -> its value, decoded once per code."""

    def __missing__(self, code: str) -> int:
        [value] = decode_postings(code)
        self[code] = value
        return value


_GAP_VALUES = _GapValues()
# One number in postings: digits that carry five more bits, then one that ends it.
_NUMBER_CODE = re.compile(r"[g-z0-9_-]*[A-Za-f]")


def _read_manifest(path: Path) -> tuple[int, int, str, list[str]]:
    """(papers, papers per chunk, folder, shard keys) of a manifest of this version."""
    manifest = _loads(_read(path))
    if not isinstance(manifest, dict) or manifest.get("version") != VERSION:
        raise _UnusableIndexError("not a manifest of this version")
    docs, chunk = manifest.get("docs"), manifest.get("chunk")
    folder, keys = manifest.get("folder"), manifest.get("shards")
    if not (
        type(docs) is int
        and docs >= 0
        and type(chunk) is int
        and chunk > 0
        and isinstance(folder, str)
        and _FOLDER_NAME.fullmatch(folder)
        and isinstance(keys, list)
        and all(isinstance(key, str) and len(key) >= PREFIX_LENGTH for key in keys)
        and keys == sorted(set(keys))
    ):
        raise _UnusableIndexError("a manifest without the fields of this version")
    return docs, chunk, folder, keys


def _shard_terms(data: bytes) -> dict[str, list[str]]:
    """A shard's terms -> [strong, body] encoded postings, checked for shape."""
    terms = _loads(data)
    if not isinstance(terms, dict) or not all(
        isinstance(lists, list) and len(lists) == 2 and all(isinstance(text, str) for text in lists)
        for lists in terms.values()
    ):
        raise _UnusableIndexError("a shard that is not term -> [strong, body]")
    return terms


def _read(path: str | Path) -> bytes:
    try:
        # A patch reads every file of the index (~1,600 at 10,000 papers): the builtin
        # open on a string path takes two thirds of the time of Path.read_bytes.
        with open(path, "rb") as file:  # noqa: PTH123
            return file.read()
    except OSError as error:
        raise _UnusableIndexError(str(error)) from error


def _loads(data: bytes) -> object:
    try:
        return json.loads(data)
    except ValueError as error:  # UnicodeDecodeError and JSONDecodeError included
        raise _UnusableIndexError(str(error)) from error


def _drop_other_indexes(folder: Path, keep: set[str | None]) -> None:
    """Remove the index folders in ``folder`` (hash-named) other than ``keep``."""
    for entry in folder.iterdir():
        if entry.is_dir() and _FOLDER_NAME.fullmatch(entry.name) and entry.name not in keep:
            shutil.rmtree(entry, ignore_errors=True)


def _folder(outputs: dict[str, bytes]) -> str | None:
    """The index folder's name (None for an empty list: only the manifest)."""
    for relative in outputs:
        if relative != MANIFEST:
            return relative.split("/")[1]
    return None

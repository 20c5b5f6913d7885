"""The search index after an edit, patched from the index in the site instead of built
again: only the files the edit changes are made, byte for byte what papershelf.site.search
builds from the whole catalog (:func:`patch_index`).
Details: docs/search.md, "Patching the index after an edit".
"""

from __future__ import annotations

import json
import os
import re
import shutil
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, count
from operator import add
from pathlib import Path
from typing import Any

from papershelf.entries.model import Paper, Tag
from papershelf.site.search import (
    FIELDS,
    FOLDER,
    FOLDER_NAME,
    PREFIX_LENGTH,
    RANK,
    VERSION,
    chunk_bytes,
    chunk_layout,
    chunk_rows,
    decode_postings,
    doc_row,
    docs_path,
    encode_number,
    file_digest,
    index_name,
    invert,
    manifest_bytes,
    paper_terms,
    rank_bytes,
    shard_key,
    split_shards,
    terms_path,
    to_json,
)

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
    merge into the site keeps a folder it already has (``papershelf.site.publish.publish``).
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

    # Terms: what each changed paper gains and loses, in which field's list.
    deltas: dict[str, tuple[_Delta, ...]] = {}

    def delta(term: str) -> tuple[_Delta, ...]:
        found = deltas.get(term)
        if found is None:
            found = deltas[term] = tuple((set(), set()) for _ in FIELDS)
        return found

    for number in sorted(new_papers):
        old_fields = paper_terms(old_papers[number], tags)
        new_fields = paper_terms(new_papers[number], tags)
        for field, (old, new) in enumerate(zip(old_fields, new_fields, strict=True)):
            for term in new - old:
                delta(term)[field][0].add(number)
            for term in old - new:
                delta(term)[field][1].add(number)
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
            old_lists = terms.get(term, [])
            old_lists = [*old_lists, *[""] * (len(FIELDS) - len(old_lists))]
            lists = [
                _apply(text, change) for text, change in zip(old_lists, deltas[term], strict=True)
            ]
            while lists and not lists[-1]:
                lists.pop()
            if lists:
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
            try:
                rows = chunk_rows(old_files[path])
            except ValueError as error:  # damaged: build the index anew
                raise _UnusableIndexError(f"{path}: {error}") from error
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
                info = os.stat(f"{folder}/{path}")  # noqa: PTH116
            except OSError as error:
                raise _UnusableIndexError(str(error)) from error
            if [info.st_size, info.st_mtime_ns] == entry[:2]:
                old_digests[path] = entry[2]
                continue
        old_digests[path] = file_digest(_read(f"{folder}/{path}"))
    if index_name((path, old_digests[path]) for path in old_paths) != previous:
        raise _UnusableIndexError(f"the files of {previous} are not the ones it was named for")
    digests = {
        path: file_digest(files[path]) if path in files else old_digests[path] for path in new_paths
    }
    name = index_name(digests.items())
    return IndexPatch(
        previous_folder=previous,
        folder=name,
        manifest=manifest_bytes(docs, chunk, name, new_keys),
        files=files,
        kept=kept,
        removed=removed,
        digests=digests,
    )


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
            codes[at] = encode_number(numbers[at] - (numbers[at - 1] if at else -1) - 1)
    for number in sorted(gained):
        at = bisect_left(numbers, number)
        if at < len(numbers) and numbers[at] == number:
            raise _UnusableIndexError(f"paper {number} was indexed under a term it did not have")
        numbers.insert(at, number)
        codes.insert(at, encode_number(number - (numbers[at - 1] if at else -1) - 1))
        if at + 1 < len(numbers):
            codes[at + 1] = encode_number(numbers[at + 1] - number - 1)
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
        and FOLDER_NAME.fullmatch(folder)
        and isinstance(keys, list)
        and all(isinstance(key, str) and len(key) >= PREFIX_LENGTH for key in keys)
        and keys == sorted(set(keys))
    ):
        raise _UnusableIndexError("a manifest without the fields of this version")
    return docs, chunk, folder, keys


def _shard_terms(data: bytes) -> dict[str, list[str]]:
    """A shard's terms -> encoded postings per field, checked for shape."""
    terms = _loads(data)
    if not isinstance(terms, dict) or not all(
        isinstance(lists, list)
        and 0 < len(lists) <= len(FIELDS)
        and all(isinstance(text, str) for text in lists)
        and lists[-1]
        for lists in terms.values()
    ):
        raise _UnusableIndexError("a shard that is not term -> postings per field")
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

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
* ``search/<hash>/docs/<n>.json``, the papers numbered ``n * chunk`` onwards: URL
  (relative to the site root), title, a line of authors and organisation, abstract;
  read for the results shown, ten at a time.

Papers are numbered in catalog order (newest first), so a lower number ranks first
among results with the same number of strong-field hits. Terms are lower-cased runs of
letters and digits, ``[^\\W_]+`` over ``str.lower()`` here and ``[\\p{L}\\p{N}]+`` over
``toLowerCase()`` in the script (``tests/browser`` checks that both agree). The output
depends only on the catalog: the same papers give byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections import defaultdict
from collections.abc import Iterable
from itertools import pairwise
from pathlib import Path

from papershelf.catalog import Catalog
from papershelf.model import Paper
from papershelf.pages import paper_url

VERSION = 1
FOLDER = "search"
MANIFEST = f"{FOLDER}/index.json"
# Papers per document chunk. Ten results touch at most ten chunks, so smaller chunks
# mean fewer bytes per search and more files: at 10,000 papers, 8 papers a chunk is
# 1,250 files of about 14 KB.
CHUNK_SIZE = 8
PREFIX_LENGTH = 2  # shard terms by their first two characters...
SHARD_LIMIT = 16 * 1024  # ...and a shard bigger than this by one character more
AUTHORS_SHOWN = 5  # names in a result's author line, then "and N more"

_TOKEN = re.compile(r"[^\W_]+")
# Postings digits: URL-safe base64 characters. 0-31 end a number, 32-63 carry five
# more bits (least significant group first).
DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_ASCII_SPACES = bytes(c if chr(c).isascii() and chr(c).isalnum() else 32 for c in range(256))
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
    terms: dict[str, list[str]], limit: int = SHARD_LIMIT
) -> dict[str, dict[str, list[str]]]:
    """Terms (-> encoded postings) in shards by their first two characters; a shard of
    more than ``limit`` bytes and more than one term is split by one character more,
    and so on (a common prefix would otherwise make a shard grow with the list)."""
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
        digit = DIGITS.index(char)
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


def strong_text(paper: Paper, catalog: Catalog) -> str:
    """Title, authors, organisation, tag ids and titles: hits here rank first."""
    parts = [paper.title, *paper.authors, paper.organization or ""]
    for tag in paper.tags:
        parts.append(tag)
        known = catalog.tags.get(tag)
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


def postings(catalog: Catalog) -> dict[str, tuple[list[int], list[int]]]:
    """term -> (papers with it in a strong field, papers with it only in the body)."""
    in_strong: dict[str, list[int]] = defaultdict(list)
    in_body: dict[str, list[int]] = defaultdict(list)
    for number, paper in enumerate(catalog.papers):
        strong = term_set(strong_text(paper, catalog))
        body = term_set(paper.abstract)
        if paper.notes:
            body |= term_set(paper.notes)
        for term in strong:
            in_strong[term].append(number)
        for term in body - strong:
            in_body[term].append(number)
    return {term: (in_strong.get(term, []), in_body.get(term, [])) for term in in_strong | in_body}


def search_outputs(catalog: Catalog, *, chunk_size: int = CHUNK_SIZE) -> dict[str, bytes]:
    """Every file of the search index: path relative to the site root -> bytes."""
    codes = gap_codes(len(catalog.papers))
    encoded = {
        term: [encode_postings(strong, codes), encode_postings(body, codes)]
        for term, (strong, body) in sorted(postings(catalog).items())
    }
    shards = split_shards(encoded)
    files: dict[str, bytes] = {}
    for key, terms in shards.items():
        files[f"terms/{shard_file(key)}.json"] = to_json(terms)
    papers = catalog.papers
    for start in range(0, len(papers), chunk_size):
        chunk = [
            [paper_url(paper), paper.title, author_line(paper), paper.abstract]
            for paper in papers[start : start + chunk_size]
        ]
        files[f"docs/{start // chunk_size}.json"] = to_json(chunk)
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + files[path] + b"\0")
    folder = digest.hexdigest()
    manifest = {
        "version": VERSION,
        "docs": len(papers),
        "chunk": chunk_size,
        "folder": folder,
        "shards": sorted(shards),
    }
    outputs = {f"{FOLDER}/{folder}/{path}": data for path, data in sorted(files.items())}
    outputs[MANIFEST] = to_json(manifest)
    return outputs


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

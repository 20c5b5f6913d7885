"""Full-text search: a static index built from the catalog, read in small parts.

The header search box (``assets/papershelf.js``) fetches only the manifest, the shards of
the words typed and the results shown, so a search stays small as the list grows;
:func:`search_outputs` writes every file. Details: docs/search.md, "The index format".
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import shutil
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise
from json.encoder import encode_basestring
from operator import attrgetter, sub
from pathlib import Path
from typing import NamedTuple

from papershelf.entries.model import Paper, Tag
from papershelf.site.catalog import Catalog
from papershelf.site.pages import paper_url
from papershelf.site.stemming import ASCII_SPACES, stem, stems

VERSION = 3
# Where a word is found, in rank order: a paper is listed under the first field that
# has the word (a title hit ranks above an author or organisation hit, and so on).
FIELDS = ("title", "people", "tags", "body")
FOLDER = "search"
MANIFEST = f"{FOLDER}/index.json"
RANK = "rank.json"  # inside the index folder
# Papers per document chunk, on average (chunk_layout). Ten results are in up to ten
# chunks, so this sets a first search's download: on the shipped list (60 queries of
# `papershelf search-eval`) the result files of a first search take 46 KB gzipped
# (median; 81 KB at most) with 8 papers a chunk, 27 KB (46 KB) with 4, 16 KB (24 KB)
# with 2, for twice and four times the files (some 2,500 and 5,000 at 10,000 papers).
CHUNK_SIZE = 4
PREFIX_LENGTH = 2  # shard terms by their first two characters...
SHARD_LIMIT = 16 * 1024  # ...and a shard bigger than this by one character more
AUTHORS_SHOWN = 5  # names in a result's author line, then "and N more"

_TOKEN = re.compile(r"[^\W_]+")
_HYPHEN = re.compile("[-\u2010\u2011]")
_HYPHENATED = re.compile(r"[^\W_]+(?:[-\u2010\u2011][^\W_]+)+")
_KEYS: dict[str, str] = {}  # word -> index_key
# Postings digits: URL-safe base64 characters. 0-31 end a number, 32-63 carry five
# more bits (least significant group first).
DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_ASCII_WORDS_AND_HYPHENS = bytes(c if c == 45 else b for c, b in enumerate(ASCII_SPACES))
_DIGIT_VALUES = {char: value for value, char in enumerate(DIGITS)}
FOLDER_NAME = re.compile(r"[0-9a-f]{16}")
# One encoder for every file (json.dumps with options makes one a call: 10,000 rows).
_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def tokens(text: str) -> list[str]:
    """The terms of ``text``: lower-cased runs of letters and digits."""
    return _TOKEN.findall(text.lower())


def term_set(text: str) -> set[str]:
    """The distinct terms of ``text``, as :func:`tokens` finds them. ASCII text (most
    of it) takes a shortcut twice as fast: bytes that are not letters or digits
    become spaces."""
    if text.isascii():
        return set(text.encode().lower().translate(ASCII_SPACES).decode().split())
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
    sizes = {term: shard_entry_size(term, lists) for term, lists in terms.items()}  # once
    done: dict[str, dict[str, list[str]]] = {}
    todo = [(PREFIX_LENGTH, terms)]
    while todo:
        length, group = todo.pop()
        by_key: dict[str, dict[str, list[str]]] = defaultdict(dict)
        for term, lists in group.items():
            by_key[shard_key(term, length)][term] = lists
        for key, part in by_key.items():
            size = sum(map(sizes.__getitem__, part))
            if len(part) > 1 and size > limit:
                todo.append((length + 1, part))
            else:
                done[key] = part
    return dict(sorted(done.items()))


def shard_entry_size(term: str, lists: Sequence[str]) -> int:
    """About the bytes of one term in a shard's JSON."""
    return len(term.encode()) + sum(map(len, lists)) + 3 * len(lists) + 5


def encode_number(value: int) -> str:
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
    (the first: itself), as base-32 digits. ``codes``: :func:`gap_codes`, the encoding
    of every step between numbers looked up instead of computed (an index build
    encodes some 100,000 lists)."""
    if codes is not None and len(numbers) == 1:  # most words: one paper has them
        return codes[numbers[0] + 1]
    steps = list(map(sub, numbers, [-1, *numbers]))
    if steps and min(steps) < 1:
        raise ValueError(f"paper numbers must ascend: {numbers}")
    if codes is None:
        return "".join(encode_number(step - 1) for step in steps)
    return "".join(map(codes.__getitem__, steps))


def gap_codes(count: int) -> list[str]:
    """The encoding of every step (gap + 1) between numbers of ``count`` papers, by
    step: ``codes[1]`` is the gap of zero ("A"); ``codes[0]`` is never a step."""
    return ["", *map(encode_number, range(count))]


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


def field_texts(paper: Paper, tags: Mapping[str, Tag]) -> tuple[str, str, str, str]:
    """The text of each of :data:`FIELDS`. Takes the vocabulary alone (not the
    catalog) so an index can be patched without one."""
    tag_text = []
    for tag in paper.tags:
        tag_text.append(tag)
        known = tags.get(tag)
        if known is not None:
            tag_text.append(known.title)
    people = [*paper.authors, paper.organization or ""]
    body = f"{paper.abstract}\n{paper.notes}" if paper.notes else paper.abstract
    return paper.title, "\n".join(people), "\n".join(tag_text), body


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
    return _escape_markup(_JSON.encode(value)).encode("utf-8")


def _escape_markup(text: str) -> str:
    """JSON text with ``<``, ``>`` and ``&`` as escapes (:func:`to_json`)."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def words_of(text: str) -> set[str]:
    """The words a text is found by: its terms (:func:`term_set`) and, for each
    hyphenated run ("fine-tuning", "state-of-the-art"), its parts joined whole and in
    neighbouring pairs ("finetuning", "stateoftheart", "ofthe"), so "finetuning" finds
    what "fine-tuning" does."""
    if text.isascii():  # most text: split once, keeping hyphens inside the chunks
        words = set(text.encode().lower().translate(_ASCII_WORDS_AND_HYPHENS).decode().split())
        if "-" in text:
            for chunk in [word for word in words if "-" in word]:
                words.discard(chunk)
                _add_hyphenated(words, chunk.split("-"))
        return words
    words = set(tokens(text))
    if "-" in text or "\u2010" in text or "\u2011" in text:
        for run in _HYPHENATED.findall(text.lower()):
            _add_hyphenated(words, _HYPHEN.split(run))
    for word in [word for word in words if not word.isascii()]:
        words.update(_folded_terms(word))  # "TÜLU" is found by "tulu" (queries are folded)
    return words


@functools.lru_cache(maxsize=65536)
def _folded_terms(word: str) -> list[str]:
    """The terms of a word without its accents: names and words recur across papers."""
    return tokens(fold(word))


def _add_hyphenated(words: set[str], parts: list[str]) -> None:
    """Add the parts of a hyphenated chunk and, for each run of two or more parts
    between empty ones ("a-b--c" has one: a, b), the run joined whole and in pairs."""
    if len(parts) == 2 and parts[0] and parts[1]:  # most of them: "fine-tuning"
        words.update(parts)
        words.add(parts[0] + parts[1])
        return
    run: list[str] = []
    for part in [*parts, ""]:
        if part:
            run.append(part)
            continue
        words.update(run)
        if len(run) > 1:
            words.add("".join(run))
            words.update(a + b for a, b in pairwise(run))
        run = []


def fold(text: str) -> str:
    """Text without accents and with compatibility characters plain ("Tülu" -> "Tulu",
    "ﬁne" -> "fine"): NFKD without combining marks, as the script folds a query."""
    return "".join(
        char
        for char in unicodedata.normalize("NFKD", text)
        if not unicodedata.category(char).startswith("M")
    )


def index_key(word: str) -> str:
    """How a word is written in a shard: the word, then its stem after a ``~`` when the
    stem differs: as a length when the stem begins the word ("models~5"), else
    whole ("happy~happi"). Words are letters and digits only, so ``~`` is free."""
    key = _KEYS.get(word)
    if key is None:
        key = _KEYS[word] = _key(word, stem(word))
    return key


def index_keys(words: set[str]) -> dict[str, str]:
    """:func:`index_key` of each word; the words not seen before stemmed in one call
    (PyStemmer's ``stemWords``, without its cache: each word is stemmed once)."""
    new = list(words.difference(_KEYS))
    for word, root in zip(new, stems(new, distinct=True), strict=True):
        _KEYS[word] = _key(word, root)
    return {word: _KEYS[word] for word in words}


def _key(word: str, root: str) -> str:
    """:func:`index_key` of a word with this stem."""
    if root == word:
        return word
    if word.startswith(root):
        return f"{word}~{len(root)}"
    return f"{word}~{root}"


def paper_words(paper: Paper, tags: Mapping[str, Tag]) -> tuple[set[str], ...]:
    """The words of a paper, one set per field of :data:`FIELDS`, each word in the
    first field that has it only: :func:`words_of` each of :func:`field_texts`, but
    names and tags (which recur) each looked up whole. The words of lines joined are
    the words of each line: no word or hyphenated run goes past a line's end."""
    in_title = words_of(paper.title)
    in_people = set().union(*map(_line_words, paper.authors))
    if paper.organization:
        in_people |= _line_words(paper.organization)
    in_people -= in_title
    in_tags = set().union(*[_tag_words(tag, _tag_title(tags, tag)) for tag in paper.tags])
    in_tags -= in_title
    in_tags -= in_people
    in_body = words_of(f"{paper.abstract}\n{paper.notes}" if paper.notes else paper.abstract)
    in_body -= in_title
    in_body -= in_people
    in_body -= in_tags
    return in_title, in_people, in_tags, in_body


@functools.lru_cache(maxsize=65536)
def _line_words(line: str) -> frozenset[str]:
    """:func:`words_of` one name or organisation: found again in paper after paper."""
    return frozenset(words_of(line))


def _tag_title(tags: Mapping[str, Tag], tag: str) -> str | None:
    """The title of a tag of the vocabulary; None for a tag outside it."""
    known = tags.get(tag)
    return None if known is None else known.title


@functools.lru_cache(maxsize=4096)
def _tag_words(tag: str, title: str | None) -> frozenset[str]:
    """:func:`words_of` a tag and its title (as :func:`field_texts` puts them): a list
    has few tags and many combinations of them."""
    return frozenset(words_of(tag if title is None else f"{tag}\n{title}"))


def paper_terms(paper: Paper, tags: Mapping[str, Tag]) -> tuple[set[str], ...]:
    """The index keys of a paper, per field (:func:`paper_words`, :func:`index_key`):
    one definition for :func:`postings` and the patch (papershelf.speed.search_patch),
    so a patch indexes what a build does."""
    return tuple({index_key(word) for word in words} for words in paper_words(paper, tags))


def encoded_lists(numbers: Sequence[list[int]], codes: list[str] | None = None) -> list[str]:
    """A term's postings, one per field, encoded; empty ones at the end left out."""
    lists = [encode_postings(field, codes) for field in numbers]
    while lists and not lists[-1]:
        lists.pop()
    return lists


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


def postings(catalog: Catalog) -> dict[str, tuple[list[int], ...]]:
    """index key -> the papers having it, by paper number (:func:`numbered`), one list
    per field of :data:`FIELDS` (a paper in the first field it has the word in)."""
    by_field = word_postings(numbered(catalog.papers), catalog.tags)
    keys = index_keys(set().union(*by_field))  # made once a word, not once a paper
    return {key: tuple(found.get(word, []) for found in by_field) for word, key in keys.items()}


def word_postings(papers: Sequence[Paper], tags: Mapping[str, Tag]) -> list[dict[str, list[int]]]:
    """Per field of :data:`FIELDS`: word -> the numbers of the papers (their places in
    ``papers``) having it there first (:func:`paper_words`), ascending."""
    by_field: list[dict[str, list[int]]] = [defaultdict(list) for _ in FIELDS]
    in_title, in_people, in_tags, in_body = by_field
    for number, paper in enumerate(papers):
        title, people, tagged, body = paper_words(paper, tags)
        # A loop a field, not over zip(by_field, ...): a million words at 10,000 papers.
        for word in title:
            in_title[word].append(number)
        for word in people:
            in_people[word].append(number)
        for word in tagged:
            in_tags[word].append(number)
        for word in body:
            in_body[word].append(number)
    return by_field


def encoded_terms(
    by_field: Sequence[Mapping[str, list[int]]], codes: list[str]
) -> dict[str, list[str]]:
    """index key -> :func:`encoded_lists` of its postings, in key order, from
    :func:`word_postings`: each field's lists encoded on their own (most words are in
    one field), with ``codes`` (:func:`gap_codes`) for every step."""
    title, people, tagged, body = (_encoded_field(found, codes) for found in by_field)
    keys = index_keys(set().union(*by_field))
    terms: dict[str, list[str]] = {}
    for key, word in sorted(zip(keys.values(), keys, strict=True)):
        lists = [
            title.get(word, ""),
            people.get(word, ""),
            tagged.get(word, ""),
            body.get(word, ""),
        ]
        while not lists[-1]:  # a word is in one field at least
            lists.pop()
        terms[key] = lists
    return terms


def _encoded_field(found: Mapping[str, list[int]], codes: list[str]) -> dict[str, str]:
    """:func:`encode_postings` of each word's numbers (ascending by construction, so
    not checked): the steps between them looked up and joined in C."""
    code = codes.__getitem__
    return {
        word: code(numbers[0] + 1)
        if len(numbers) == 1
        else "".join(map(code, map(sub, numbers, [-1, *numbers])))
        for word, numbers in found.items()
    }


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
    papers = catalog.papers  # newest first: the results shown first share chunks
    ranks = ranks_of(catalog)
    in_order = [papers[place] for place in ranks]  # numbered(papers), sorted once
    by_field = word_postings(in_order, catalog.tags)
    shards = split_shards(encoded_terms(by_field, gap_codes(len(papers))))
    files: dict[str, bytes] = {}
    for key, terms in shards.items():
        files[terms_path(key)] = to_json(terms)
    rows = list(map(row_bytes, in_order))
    for numbers in chunk_layout(invert(ranks), chunk_size):
        files[docs_path(numbers[0])] = chunk_bytes([rows[number] for number in numbers])
    if papers:
        files[RANK] = rank_bytes(ranks)
    digests = {path: file_digest(data) for path, data in sorted(files.items())}
    folder = index_name(digests.items())
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


def row_bytes(paper: Paper) -> bytes:
    """:func:`to_json` of the paper's :func:`doc_row`, a list of strings, written
    directly: a JSONEncoder call makes an encoder each time (10,000 rows)."""
    row = "[" + ",".join(map(encode_basestring, doc_row(paper))) + "]"
    return _escape_markup(row).encode("utf-8")


def chunk_bytes(rows: Sequence[bytes]) -> bytes:
    """A document chunk: a JSON list with a row (:func:`to_json` of :func:`doc_row`) a
    line. JSON text has no raw newline inside a row, so a patch moves rows between
    chunks as they are (:func:`chunk_rows`), without parsing or writing JSON."""
    return b"[" + b",\n".join(rows) + b"]"


def chunk_rows(data: bytes) -> list[bytes]:
    """The rows of a chunk (:func:`chunk_bytes`), as bytes."""
    if not (data.startswith(b"[") and data.endswith(b"]")):
        raise ValueError("a chunk that is not a JSON list")
    return data[1:-1].split(b",\n")


def file_digest(data: bytes) -> str:
    """The digest of one file of the index (the folder's name is made of these)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def index_name(digests: Iterable[tuple[str, str]]) -> str:
    """The index folder's name: a hash of the path and digest (:func:`file_digest`) of
    every file, given in sorted path order, so equal contents give an equal name. From
    digests, not bytes: a patch knows most of them from the last build (:data:`Known`)
    instead of reading every file again."""
    digest = hashlib.blake2b(digest_size=8)
    for path, file in digests:
        digest.update(f"{path}\0{file}\0".encode())
    return digest.hexdigest()


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
    _write_files(str(site_dir), {path: data for path, data in outputs.items() if path != MANIFEST})
    manifest.parent.mkdir(parents=True, exist_ok=True)
    partial = manifest.with_name(f".{manifest.name}.partial")
    partial.write_bytes(outputs[MANIFEST])
    partial.replace(manifest)
    _drop_other_indexes(manifest.parent, keep={folder})
    return len(outputs)


def _write_files(root: str, files: Mapping[str, bytes]) -> None:
    """Write files under ``root`` (relative paths with ``/``), making each folder once:
    some 3,000 files at 10,000 papers, where a ``Path`` and a ``mkdir`` a file cost a
    fifth of the writing."""
    made: set[str] = set()
    for relative, data in files.items():
        folder = relative.rpartition("/")[0]
        if folder not in made:
            Path(root, folder).mkdir(parents=True, exist_ok=True)
            made.add(folder)
        with open(f"{root}/{relative}", "wb") as file:  # noqa: PTH123 (strings: quicker)
            file.write(data)


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


def invert(permutation: Sequence[int]) -> list[int]:
    """The inverse of a permutation of ``range(n)``: the paper numbers in the order of
    the list from their ranks (:func:`ranks_of`), or the ranks from that order."""
    inverse = [0] * len(permutation)
    for index, value in enumerate(permutation):
        inverse[value] = index
    return inverse


def _drop_other_indexes(folder: Path, keep: set[str | None]) -> None:
    """Remove the index folders in ``folder`` (hash-named) other than ``keep``."""
    for entry in folder.iterdir():
        if entry.is_dir() and FOLDER_NAME.fullmatch(entry.name) and entry.name not in keep:
            shutil.rmtree(entry, ignore_errors=True)


def _folder(outputs: dict[str, bytes]) -> str | None:
    """The index folder's name (None for an empty list: only the manifest)."""
    for relative in outputs:
        if relative != MANIFEST:
            return relative.split("/")[1]
    return None

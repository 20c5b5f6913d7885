"""Validated entries kept between builds, keyed by the bytes of each file.

Parsing and checking 10,000 entries takes about two seconds; a rebuild after one edit
should not pay that again. The cache is a hint, never the truth: an entry is reused only
when the digest of its file's bytes, read now, is the one it was made from.
Details: docs/architecture.md, "Entry cache".
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, fields
from datetime import date
from operator import attrgetter
from pathlib import Path
from typing import Any, TypeVar

from papershelf.entries.model import Links, Paper

# 2: papers as lists of field values; 3: SQLite, one row per entry; 4: rows sealed
FORMAT = 4
# Set (to anything but "" or "0") in the environment of a build that must read no
# cache: `papershelf build --clean` (build_tools/build.py). The plugin then parses
# every entry (and writes a fresh cache) and compiles every template.
NO_CACHE = "PAPERSHELF_NO_CACHE"
# Modules whose code decides what a Paper looks like.
# The entries layer (papershelf.entries) is all the code that turns a file into a Paper.
ENTRIES_PACKAGE = Path(__file__).parent.parent / "entries"
# Seconds to wait while another process (`mkdocs serve` and a build) holds the
# database; a save takes milliseconds, so waiting longer means something is stuck.
BUSY_TIMEOUT = 5.0
# Parameters per `WHERE path IN (...)`: well below SQLite's limit, and one query per
# batch instead of one per path.
_BATCH = 500
PAGE_SIZE = 16384  # bytes, for new databases (see _connection)
_CORRUPT = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}  # another process: not damage
_T = TypeVar("_T")


def caches_ignored() -> bool:
    """Whether this build must read no cache (:data:`NO_CACHE`)."""
    return os.environ.get(NO_CACHE, "") not in ("", "0")


def validation_key(tags_file: Path) -> str:
    """Changes whenever a cached Paper might no longer be what loading would give."""
    digest = hashlib.blake2b(f"papershelf-entries-{FORMAT}".encode(), digest_size=16)
    for module in sorted(ENTRIES_PACKAGE.glob("*.py")):  # every module that validates
        digest.update(module.name.encode() + b"\0" + module.read_bytes())
    digest.update(tags_file.read_bytes() if tags_file.is_file() else b"")
    return digest.hexdigest()


def default_location(project_root: Path) -> Path:
    """``<user cache>/papershelf/<project>-<hash of its path>/entries.sqlite``."""
    from platformdirs import user_cache_dir

    root = project_root.resolve()
    tag = hashlib.blake2b(str(root).encode(), digest_size=8).hexdigest()
    return Path(user_cache_dir("papershelf")) / f"{root.name}-{tag}" / "entries.sqlite"


@dataclass
class Entry:
    size: int
    mtime_ns: int
    digest: str
    paper: Paper


def content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def read_entry_file(path: Path | str) -> tuple[bytes, int, int]:
    """(bytes, size, mtime_ns) of a file: one open, one fstat and usually one read,
    for 10,000 files twice as fast as ``Path.read_bytes`` after ``Path.stat``."""
    fd = os.open(path, os.O_RDONLY)
    try:
        stat = os.fstat(fd)
        data = os.read(fd, stat.st_size + 1)
        if len(data) != stat.st_size:  # it changed since, or a short read: to the end
            parts = [data]
            while chunk := os.read(fd, 1 << 16):
                parts.append(chunk)
            data = b"".join(parts)
    finally:
        os.close(fd)
    return data, stat.st_size, stat.st_mtime_ns


def seal(path: bytes, digest: bytes, paper: bytes) -> bytes:
    """The digest a row is stored with, of its UTF-8 path, file digest and paper."""
    return hashlib.blake2b(b"%s\0%s\0%s" % (path, digest, paper), digest_size=16).digest()


class EntryCache:
    """Path -> validated Paper, valid for one :func:`validation_key`. Remembers which paths
    changed since it was opened or saved, so that :meth:`save` writes only those."""

    def __init__(self, validation_key: str, location: Path | None = None) -> None:
        self.validation_key = validation_key
        self.location = location
        self.entries: dict[str, Entry] = {}
        self.changed = False
        self.hits = 0
        self._stored: set[str] = set()  # new or edited: the whole row is written
        self._touched: set[str] = set()  # same contents, new size or time
        self._removed: set[str] = set()
        # Whether the database must be made to hold exactly `entries`: true until
        # they were read from a usable database (this object does not know the rest).
        self._rewrite = True
        self._discard = False  # the database is unreadable: a new file on save

    @classmethod
    def open(cls, location: Path, validation_key: str) -> EntryCache:
        """The cache saved at ``location``, or an empty one (missing, other validation_key,
        busy, unreadable: a cache is never worth failing a build for). Rows whose
        seal does not match are left out (their entries are parsed again); an
        unreadable database is replaced on save. Either is said on stderr."""
        cache = cls(validation_key, location)
        rows, reason = _examine(location, validation_key, _all_rows)
        if reason is not None:
            _notice(f"the entry cache at {location} was unreadable and is rebuilt ({reason})")
            cache._discard = cache.changed = True  # replaced on save, even if left empty
            return cache
        if rows is None:
            return cache
        # One json.loads per row: measured faster than one of all rows joined into a
        # single 20 MB string (115 ms against 130 for the whole open).
        loads, decode, entries = json.loads, paper_from_json, cache.entries
        damaged = 0
        for path, size, mtime_ns, digest, paper, sealed in rows:
            try:
                if seal(path, digest, paper) != sealed or not _ints(size, mtime_ns):
                    raise ValueError("damaged")
                paper_now = decode(loads(paper.decode()))  # faster than loads(bytes)
                entries[path.decode()] = Entry(size, mtime_ns, digest.decode(), paper_now)
            except (ValueError, TypeError, AttributeError):  # UnicodeDecodeError too
                damaged += 1
        if damaged:  # the next save writes the database again, without them
            _notice(
                f"the entry cache at {location} had {damaged} damaged "
                f"entr{'y' if damaged == 1 else 'ies'}, parsed again"
            )
            cache.changed = True
        else:
            cache._rewrite = False
        return cache

    def lookup(self, path: Path) -> tuple[Paper | None, bytes | None]:
        """(the cached Paper, None) when the bytes of ``path`` are those the entry was
        made from, else (None, its bytes) for the caller to load and :meth:`store`;
        (None, None) when it cannot be read."""
        key = str(path)
        try:
            data, size, mtime_ns = read_entry_file(path)
        except OSError:
            return None, None
        entry = self.entries.get(key)
        if entry is None or entry.digest != content_digest(data):
            return None, data
        self.hits += 1
        if (entry.size, entry.mtime_ns) != (size, mtime_ns):
            # Same contents, new size or time (a checkout): kept for quick builds.
            entry.size, entry.mtime_ns = size, mtime_ns
            self._touched.add(key)
            self.changed = True
        return entry.paper, None

    def store(self, path: Path, data: bytes, paper: Paper) -> None:
        stat = path.stat()
        key = str(path)
        self.entries[key] = Entry(stat.st_size, stat.st_mtime_ns, content_digest(data), paper)
        self._stored.add(key)
        self._removed.discard(key)
        self.changed = True

    def keep_only(self, paths: set[str]) -> None:
        """Forget entries whose file is gone."""
        for key in [key for key in self.entries if key not in paths]:
            del self.entries[key]
            self._stored.discard(key)
            self._touched.discard(key)
            self._removed.add(key)
            self.changed = True

    def save(self) -> None:
        """Write what changed since the cache was opened or last saved, in one
        transaction; everything when the database has another validation_key or format, or is
        damaged. Errors are ignored (a busy or unwritable cache is only slower)."""
        if self.location is None or not self.changed:
            return
        # Encoded before the database is locked, to hold the lock for less time;
        # everything only when it is known to be needed (10,000 papers: 0.1 s).
        stored = _rows((key, self.entries[key]) for key in self._stored)
        touched = [
            (self.entries[key].size, self.entries[key].mtime_ns, key)
            for key in self._touched - self._stored
        ]
        removed = [(key,) for key in self._removed]
        everything = _rows(self.entries.items()) if self._rewrite else None

        def write(db: sqlite3.Connection, usable: bool) -> bool:
            if usable and everything is None:
                _upsert(db, stored)
                db.executemany("UPDATE entries SET size = ?, mtime_ns = ? WHERE path = ?", touched)
                db.executemany("DELETE FROM entries WHERE path = ?", removed)
            else:  # another validation_key or format, new, damaged, or not read by this object
                _reset(db, self.validation_key)
                _upsert(db, everything or _rows(self.entries.items()))
            return True

        try:
            self.location.parent.mkdir(parents=True, exist_ok=True)
            if self._discard:
                _remove_database(self.location)
            try:
                _write(self.location, self.validation_key, write, create=True)
            except sqlite3.DatabaseError as error:
                if _error_code(error) not in _CORRUPT:
                    raise
                _remove_database(self.location)  # damaged: start a new one
                _write(self.location, self.validation_key, write, create=True)
        except (OSError, sqlite3.Error):
            return
        self._stored.clear()
        self._touched.clear()
        self._removed.clear()
        self._rewrite = self._discard = False
        self.changed = False
        _remove_json_cache(self.location)


def read_stats(location: Path, validation_key: str) -> dict[str, tuple[int, int, str]] | None:
    """Path -> (size, mtime_ns, digest) of every entry, without decoding a paper: what
    a quick rebuild needs to find the files that changed. None when there is no
    usable cache (missing, other validation_key or format, unreadable)."""

    def query(db: sqlite3.Connection) -> dict[str, tuple[int, int, str]]:
        rows = db.execute("SELECT path, size, mtime_ns, digest FROM entries")
        return {path: (size, mtime_ns, digest) for path, size, mtime_ns, digest in rows}

    return _read(location, validation_key, query)


def read_papers(
    location: Path, validation_key: str, paths: Iterable[str]
) -> dict[str, Paper] | None:
    """The Papers of those ``paths`` that are cached with a matching seal (others,
    damaged ones too, are absent from the result), decoding only those. None when
    there is no usable cache."""
    wanted = list(dict.fromkeys(str(path) for path in paths))

    def query(db: sqlite3.Connection) -> dict[str, Paper]:
        db.text_factory = bytes  # the stored bytes, as sealed
        found: dict[str, Paper] = {}
        for start in range(0, len(wanted), _BATCH):
            batch = wanted[start : start + _BATCH]
            marks = ",".join("?" * len(batch))
            rows = db.execute(
                f"SELECT path, digest, paper, seal FROM entries WHERE path IN ({marks})", batch
            )
            for path, digest, text, sealed in rows:
                if seal(path, digest, text) != sealed:
                    continue
                with suppress(ValueError, TypeError):
                    found[path.decode()] = paper_from_json(json.loads(text.decode()))
        return found

    return _read(location, validation_key, query)


def write_entries(location: Path, validation_key: str, entries: Mapping[str, Entry]) -> bool:
    """Add or replace these entries in the cache at ``location``, in one transaction.
    False, and nothing written, when there is no cache with this validation_key and format
    there (a few entries are not a cache to start from) or on any SQLite error."""
    rows = _rows(entries.items())

    def write(db: sqlite3.Connection, usable: bool) -> bool:
        if usable:
            _upsert(db, rows)
        return usable

    try:
        return _write(location, validation_key, write, create=False)
    except sqlite3.Error:
        return False


# The database. The default rollback journal, not WAL: every operation is one short
# connection (see the module docstring), and in WAL mode the last connection to close
# checkpoints and deletes the log each time, while a reader waiting out a save of a
# few milliseconds costs nothing worth avoiding; WAL also needs shared memory that
# some file systems (network home folders) lack. Either way a reader sees a save
# whole or not at all: each save is one transaction, and each read runs in one.


@contextmanager
def _connection(location: Path, *, create: bool) -> Iterator[sqlite3.Connection]:
    """A connection for one operation, closed after it (closing also rolls back an
    unfinished transaction). ``create=False`` never makes a new file."""
    if create:
        db = sqlite3.connect(location, timeout=BUSY_TIMEOUT, isolation_level=None)
        # Takes effect only in a new file: larger pages hold several 2 KB rows each
        # (4 KB pages held one, nearly doubling the file and the time to read it).
        db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
    else:
        uri = location.absolute().as_uri() + "?mode=rw"
        db = sqlite3.connect(uri, timeout=BUSY_TIMEOUT, isolation_level=None, uri=True)
    try:
        yield db
    finally:
        db.close()


def _matches(db: sqlite3.Connection, validation_key: str) -> bool:
    """Whether the database holds entries for this validation_key and format."""
    try:
        return db.execute("SELECT validation_key, format FROM meta").fetchall() == [
            (validation_key, FORMAT)
        ]
    except sqlite3.OperationalError as error:  # no such table (or column): new or foreign
        if _error_code(error) in _BUSY:
            raise
        return False


def _error_code(error: sqlite3.Error) -> int:
    return (getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF


def _notice(message: str) -> None:
    """One line on stderr: not a warning, which would fail a ``--strict`` build."""
    with suppress(OSError, ValueError):
        sys.stderr.write(f"papershelf: {' '.join(message.split())}\n")
        sys.stderr.flush()


def _read(
    location: Path, validation_key: str, query: Callable[[sqlite3.Connection], _T]
) -> _T | None:
    """What ``query`` gives, read in one transaction (never part of a save), or None
    when there is no usable cache."""
    return _examine(location, validation_key, query)[0]


def _examine(
    location: Path, validation_key: str, query: Callable[[sqlite3.Connection], _T]
) -> tuple[_T | None, str | None]:
    """(what ``query`` gives or None, why the database is unreadable or None). A
    missing, new or busy database, or one of another validation_key or format, is unusable
    but not unreadable."""
    if not location.is_file():
        return None, None
    try:
        with _connection(location, create=False) as db:
            db.execute("BEGIN")  # one snapshot for the validation_key and the rows
            try:
                meta = db.execute("SELECT validation_key, format FROM meta").fetchall()
            except sqlite3.OperationalError as error:  # no such table or column
                if _error_code(error) in _BUSY:
                    raise
                # A new database has no tables; one with others is no entry cache.
                tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
                return None, f"not an entry cache: {error}" if tables else None
            if meta != [(validation_key, FORMAT)]:  # another vocabulary, code or format
                return None, None
            return query(db), None
    except sqlite3.Error as error:
        if _error_code(error) in _BUSY:
            return None, None
        return None, str(error) or type(error).__name__
    except (ValueError, TypeError) as error:
        return None, str(error) or type(error).__name__


def _ints(*values: object) -> bool:
    """Size and time are not sealed (a touched entry updates them alone): they are at
    least whole numbers, never text read as bytes."""
    return all(type(value) is int for value in values)


def _write(
    location: Path,
    validation_key: str,
    write: Callable[[sqlite3.Connection, bool], bool],
    *,
    create: bool,
) -> bool:
    """Run ``write(db, whether it holds this validation_key's entries)`` in one transaction,
    committed when it returns True. Errors are the caller's to handle."""
    with _connection(location, create=create) as db:
        # The write lock at once: a transaction that starts reading and then wants to
        # write fails without waiting when another process is writing.
        db.execute("BEGIN IMMEDIATE")
        if not write(db, _matches(db, validation_key)):
            return False
        db.execute("COMMIT")
        return True


_Row = tuple[str, int, int, str, str, bytes]  # path, size, mtime_ns, digest, paper, seal


def _all_rows(db: sqlite3.Connection) -> list[tuple[bytes, int, int, bytes, bytes, bytes]]:
    """Every row, its text columns as the stored bytes: what was sealed (and a row
    damaged into invalid UTF-8 is one damaged row, not an unreadable database)."""
    db.text_factory = bytes
    return db.execute("SELECT path, size, mtime_ns, digest, paper, seal FROM entries").fetchall()


def _rows(entries: Iterable[tuple[str, Entry]]) -> list[_Row]:
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    rows = []
    for path, entry in entries:
        paper = encode(paper_to_json(entry.paper))
        sealed = seal(path.encode(), entry.digest.encode(), paper.encode())
        rows.append((path, entry.size, entry.mtime_ns, entry.digest, paper, sealed))
    return rows


def _upsert(db: sqlite3.Connection, rows: list[_Row]) -> None:
    # ON CONFLICT ... DO UPDATE changes the row in place (INSERT OR REPLACE would
    # delete it and add a new one).
    db.executemany(
        "INSERT INTO entries (path, size, mtime_ns, digest, paper, seal)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET size = excluded.size,"
        " mtime_ns = excluded.mtime_ns, digest = excluded.digest, paper = excluded.paper,"
        " seal = excluded.seal",
        rows,
    )


def _reset(db: sqlite3.Connection, validation_key: str) -> None:
    """Empty tables for this validation_key and format, whatever the database held before."""
    db.execute("DROP TABLE IF EXISTS entries")
    db.execute("DROP TABLE IF EXISTS meta")
    db.execute("CREATE TABLE meta (validation_key TEXT NOT NULL, format INTEGER NOT NULL)")
    db.execute("INSERT INTO meta (validation_key, format) VALUES (?, ?)", (validation_key, FORMAT))
    db.execute(
        "CREATE TABLE entries (path TEXT PRIMARY KEY, size INTEGER NOT NULL,"
        " mtime_ns INTEGER NOT NULL, digest TEXT NOT NULL, paper TEXT NOT NULL,"
        " seal BLOB NOT NULL)"
    )
    # read_stats scans this instead of every paper: 7 ms instead of 18 at 10,000.
    db.execute("CREATE INDEX entries_stats ON entries (path, size, mtime_ns, digest)")


def _remove_database(location: Path) -> None:
    """A damaged database and its journal (if any), so that a new one can start."""
    for path in (location, location.with_name(location.name + "-journal")):
        path.unlink(missing_ok=True)


def _remove_json_cache(location: Path) -> None:
    """The cache before SQLite (``entries.json``, 20 MB at 10,000 entries), once."""
    old = location.with_name("entries.json")
    if old != location:
        with suppress(OSError):
            old.unlink(missing_ok=True)


Codec = Callable[[Any], Any]


def _field_codecs() -> list[tuple[str, Codec | None, Codec | None]]:
    """(name, encode, decode) for each field of Paper, from its declared type; None
    where the JSON value is the value itself. Made once: a generic walk over every
    value made saving and loading 10,000 entries take a second of every incremental
    build. A field of a type not listed here fails loudly (add it)."""

    def optional(encode: Codec, decode: Codec) -> tuple[Codec, Codec]:
        return (
            lambda value: None if value is None else encode(value),
            lambda value: None if value is None else decode(value),
        )

    def links_to(value: Links) -> list[Any]:
        return [getattr(value, name) for name in LINK_FIELDS]

    def links_from(value: list[Any]) -> Links:
        if len(value) != len(LINK_FIELDS):
            raise ValueError("cached links have other fields than Links")
        return Links(*value)

    plain = (None, None)
    codecs: dict[str, tuple[Codec | None, Codec | None]] = {
        "str": plain,
        "int": plain,
        "str | None": plain,
        "int | None": plain,
        "tuple[str, ...]": (list, tuple),
        "date": (date.isoformat, date.fromisoformat),
        "date | None": optional(date.isoformat, date.fromisoformat),
        "Path | None": optional(str, Path),
        "Links": (links_to, links_from),
    }
    return [(f.name, *codecs[str(f.type)]) for f in fields(Paper)]


LINK_FIELDS = tuple(field.name for field in fields(Links))
_CODECS = _field_codecs()
_FIELD_VALUES = attrgetter(*(name for name, _, _ in _CODECS))
# Only the fields that change on the way (a call per plain field was a fifth of
# opening the cache).
_ENCODERS = [(index, encode) for index, (_, encode, _) in enumerate(_CODECS) if encode]
_DECODERS = [(index, decode) for index, (_, _, decode) in enumerate(_CODECS) if decode]


def paper_to_json(paper: Paper) -> list[Any]:
    """Every field of the Paper, in declaration order."""
    values = list(_FIELD_VALUES(paper))
    for index, encode in _ENCODERS:
        values[index] = encode(values[index])
    return values


def paper_from_json(item: list[Any]) -> Paper:
    if not isinstance(item, list) or len(item) != len(_CODECS):
        raise ValueError("cached paper has other fields than Paper")
    values = item.copy()
    for index, decode in _DECODERS:
        values[index] = decode(values[index])
    return Paper(*values)

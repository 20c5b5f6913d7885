"""Compiled Jinja templates kept between builds: on disk for ``papershelf build``
(sealed files), in memory across ``mkdocs serve`` rebuilds."""

from __future__ import annotations

import hashlib
import os
import tempfile
from contextlib import suppress
from pathlib import Path

import jinja2


class CheckedBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's file system bytecode cache, with each file sealed by a digest of its
    key and contents. Jinja trusts the file: a damaged one failed every build
    (``KeyError: 'blocks'``, a name misspelt in the code, a segmentation fault in
    ``marshal``) and was never replaced. Here a file is unpickled and unmarshalled
    only when its digest matches; a file that does not match, or that jinja cannot
    load, is deleted and the template compiled from source (and written anew).
    ``read=False``: files are written, never read (a build that must read no cache).
    Failing to write is never an error: a cache is only faster."""

    # The version of what compiled code depends on besides the source: 2, templates
    # compiled compact (papershelf.site.templating.compact).
    MAGIC = b"papershelf-jinja-code-2\n"
    DIGEST_SIZE = 32

    def __init__(self, directory: str | Path, *, read: bool = True) -> None:
        # Another pattern than jinja's: files it wrote unsealed are never read.
        super().__init__(str(directory), "__papershelf_%s.code")
        self.read = read

    def _digest(self, key: str, code: bytes) -> bytes:
        digest = hashlib.blake2b(key.encode(), digest_size=self.DIGEST_SIZE)
        digest.update(b"\0")
        digest.update(code)
        return digest.digest()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if not self.read:
            return
        name = Path(self._get_cache_filename(bucket))
        try:
            stored = name.read_bytes()
        except OSError:  # missing (the usual case), unreadable, a directory
            return
        head = len(self.MAGIC) + self.DIGEST_SIZE
        digest, code = stored[len(self.MAGIC) : head], stored[head:]
        if stored.startswith(self.MAGIC) and digest == self._digest(bucket.key, code):
            try:
                bucket.bytecode_from_string(code)  # resets it when the source changed
                return
            except Exception:  # sealed, so never damaged: another jinja's code?
                bucket.reset()
        with suppress(OSError):
            name.unlink()  # damaged: compiled again, then written by dump_bytecode

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        name = Path(self._get_cache_filename(bucket))
        code = bucket.bytecode_to_string()
        try:
            # A new file renamed over the old one: a reader sees either, whole.
            handle, temporary = tempfile.mkstemp(prefix=name.name, suffix=".tmp", dir=name.parent)
        except OSError:
            return
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(self.MAGIC + self._digest(bucket.key, code) + code)
            Path(temporary).replace(name)
        except OSError:
            with suppress(OSError):
                Path(temporary).unlink()


def compiled_templates(*, read: bool = True) -> jinja2.BytecodeCache | None:
    """Compiled theme and page templates kept in the user's cache folder: every
    build is a new process, and compiling material's templates took a fifth of a
    second (jinja compares each template's source checksum before reusing code).
    ``read=False``: compiled afresh and written for later builds (papershelf build
    --clean)."""
    from platformdirs import user_cache_dir

    folder = Path(user_cache_dir("papershelf")) / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return CheckedBytecodeCache(folder, read=read)


class InMemoryTemplateCode(jinja2.BytecodeCache):
    """Compiled theme templates kept across rebuilds. mkdocs makes a new template
    environment for every build, so material's templates were compiled again each
    time (a third of a second); jinja checks the source checksum, so an edited
    template is compiled anew."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()

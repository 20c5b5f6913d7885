"""Page bodies from specs: the fragment templates, shared by the mkdocs plugin and
the quick rebuild (papershelf.speed.quick), so both write the same bytes. No mkdocs here."""

from __future__ import annotations

import hashlib
import os
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from papershelf.site.cards import CardCache
from papershelf.site.markup import render_notes, truncate
from papershelf.site.pages import PageSpec
from papershelf.site.templating import strict_environment

TEMPLATES = Path(__file__).parent.parent / "templates"


def relative_root(url: str) -> str:
    """Prefix from a directory URL back to the site root ("papers/x/" -> "../../")."""
    return "../" * url.count("/")


def fragment_environment() -> jinja2.Environment:
    """Jinja environment for page bodies: autoescaped, strict about missing names."""
    env = strict_environment(TEMPLATES)
    env.filters["notes_html"] = lambda text: Markup(render_notes(text))
    env.filters["truncate_words"] = truncate
    return env


class CheckedBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's file system bytecode cache, with each file sealed by a digest of its
    key and contents. Jinja trusts the file: a damaged one failed every build
    (``KeyError: 'blocks'``, a name misspelt in the code, a segmentation fault in
    ``marshal``) and was never replaced. Here a file is unpickled and unmarshalled
    only when its digest matches; a file that does not match, or that jinja cannot
    load, is deleted and the template compiled from source (and written anew).
    ``read=False``: files are written, never read (a build that must read no cache).
    Failing to write is never an error: a cache is only faster."""

    MAGIC = b"papershelf-jinja-code-1\n"
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


class BodyRenderer:
    """Renders the body of a generated page; cards are rendered once per paper
    (papershelf.site.cards) and templates fetched once per build."""

    def __init__(self) -> None:
        self.env = fragment_environment()
        self.cards = CardCache(self.env)
        self.env.globals["papershelf_card"] = self.cards
        self.templates: dict[str, jinja2.Template] = {}

    def start_build(self, catalog: Any) -> None:
        """``catalog``: the build's catalog (templates read its names and counts)."""
        self.templates = {}  # get_template checks the file each time
        self.cards.start_build(catalog)

    def render(
        self, spec: PageSpec, catalog: Any, site: dict[str, str], *, standalone: bool = True
    ) -> str:
        template = self.templates.get(spec.template)
        if template is None:
            template = self.templates[spec.template] = self.env.get_template(spec.template)
        return template.render(
            spec.context,
            base=relative_root(spec.url),
            catalog=catalog,
            spec=spec,
            standalone=standalone,
            **site,
        )

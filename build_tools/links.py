"""``papershelf links --find-arxiv [PATH...]``: fill in ``links.arxiv`` from the arXiv API.

Most entries have no link, so readers cannot reach the paper. This opt-in, online
command looks each such entry's title up on arXiv and writes the id only when exactly
one arXiv paper has the same title under the collection's own duplicate rule
(:func:`papershelf.entries.slugs.title_key`); anything less certain is reported, not guessed.

Pure parts (query URL, feed parsing, matching, editing the entry text) are plain
functions; the network, the response cache and file writes are small classes and
functions at the edge, with the clock injectable so tests check the request spacing
without sleeping. A failed request stops the run with one line and no traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import io
import os
import re
import stat
import sys
import tempfile
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TextIO

import feedparser
import frontmatter

from papershelf.entries import strict_yaml
from papershelf.entries.loader import (
    display_path,
    entry_files,
    load_entry,
    load_project,
    split_front_matter,
)
from papershelf.entries.model import Paper
from papershelf.entries.slugs import title_key
from papershelf.entries.vocabulary import Vocabulary
from papershelf.importers.entry_files import INDENT, PatchError, quoted

HELP = (
    "Fill in missing links online; --find-arxiv (required, the only action so far) looks "
    "each entry's title up on the arXiv API and adds links.arxiv when exactly one paper matches."
)

API_URL = "https://export.arxiv.org/api/query"
MAX_RESULTS = 10
# arXiv's API terms ask for no more than one request every three seconds.
DEFAULT_DELAY = 3.0
TIMEOUT = 20.0
CACHE_MAX_AGE = 7 * 24 * 3600.0
PROJECT_URL = "https://github.com/papershelf/papershelf"

# The abs URL in an Atom <id>; the version suffix is dropped (the link means the paper).
_ENTRY_ID = re.compile(
    r"^https?://(?:export\.)?arxiv\.org/abs/"
    r"(?P<id>\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$"
)
_LINKS_LINE = re.compile(r"^links:[ \t]*(?:#.*)?$")
# C0/C1 controls and the bidirectional overrides: entry text must not drive the terminal.
_TERMINAL_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class ApiError(Exception):
    """The arXiv API gave no usable answer; the text is the reason, for one line."""


@dataclass(frozen=True)
class Result:
    """One paper of an arXiv answer: its bare id (no version) and title as arXiv has it."""

    arxiv_id: str
    title: str


# --- pure functions -------------------------------------------------------------------


def query_url(api_url: str, title: str) -> str:
    """The search URL for a title phrase.

    Only the title's words go into the phrase: quotes, colons, question marks and
    brackets are query syntax to arXiv's search, and its tokenizer drops punctuation
    anyway; the exact comparison happens here, in :func:`matching_ids`.
    """
    words = " ".join(re.findall(r"\w+", unicodedata.normalize("NFKC", title)))
    query = urllib.parse.urlencode({"search_query": f'ti:"{words}"', "max_results": MAX_RESULTS})
    separator = "&" if urllib.parse.urlsplit(api_url).query else "?"
    return f"{api_url}{separator}{query}"


def arxiv_id_from_url(url: str) -> str | None:
    """``http://arxiv.org/abs/2310.06770v2`` -> ``2310.06770``; old ids like
    ``hep-th/9901001v1`` -> ``hep-th/9901001``; anything else -> None."""
    match = _ENTRY_ID.match(url.strip())
    return match["id"] if match else None


def parse_feed(data: bytes) -> list[Result]:
    """The papers in an arXiv Atom answer; ApiError if it is not one.

    A malformed document is an error rather than "no results": a truncated answer
    could hide the second paper that makes a title ambiguous.
    """
    # A file-like object: given bytes, feedparser would first try them as a file name.
    parsed = feedparser.parse(io.BytesIO(data))
    if parsed.get("bozo") or not str(parsed.get("version", "")).startswith("atom"):
        raise ApiError("the answer is not an Atom feed")
    results: list[Result] = []
    for entry in parsed.get("entries", []):
        entry_id = str(entry.get("id", ""))
        if "/api/errors" in entry_id:
            summary = " ".join(str(entry.get("summary", "")).split()) or entry_id
            raise ApiError(f"it answered with an error: {summary}")
        arxiv_id = arxiv_id_from_url(entry_id)
        if arxiv_id is not None:
            results.append(Result(arxiv_id, str(entry.get("title", ""))))
    return results


def matching_ids(title: str, results: Iterable[Result]) -> list[str]:
    """Distinct arXiv ids whose title equals ``title`` the way duplicates are compared
    (NFKC, case-folded, punctuation and whitespace runs ignored), in answer order."""
    key = title_key(title)
    if not key:
        return []
    found: list[str] = []
    for result in results:
        if title_key(result.title) == key and result.arxiv_id not in found:
            found.append(result.arxiv_id)
    return found


def add_arxiv_link(text: str, suffix: str, arxiv_id: str) -> str:
    """The entry text with ``arxiv: "ID"`` added, every other byte unchanged.

    Inside an existing block ``links:`` mapping it becomes the first item, indented
    like the others; otherwise a ``links:`` block goes at the end of the YAML (before
    the closing ``---`` of a Markdown entry). Raises PatchError for layouts it will not
    guess at: flow-style links, mixed line endings, unreadable YAML.
    """
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text.removeprefix("\ufeff")
    newline = "\r\n" if "\r\n" in body else "\n"
    unix = body.replace("\r\n", "\n")
    if "\r" in unix or (newline == "\r\n" and unix.count("\n") != body.count("\r\n")):
        raise PatchError("the file mixes line endings")
    lines = unix.split("\n")
    item = f"arxiv: {quoted(arxiv_id)}"
    if suffix == ".md":
        # The loader splits with python-frontmatter; find its closing `---` the same way.
        boundaries = list(frontmatter.YAMLHandler.FM_BOUNDARY.finditer(unix))
        split = split_front_matter(unix)
        if len(boundaries) < 2 or split is None:
            raise PatchError("no YAML front matter found")
        front, _, offset = split
        end = unix.count("\n", 0, boundaries[1].start())  # index of the closing `---`
    else:
        front, offset = unix, 0
        end = len(lines) - 1 if lines[-1] == "" else len(lines)
    try:
        root = strict_yaml.parse(front, line_offset=offset)
    except strict_yaml.StrictYamlError as error:
        raise PatchError(f"line {error.line}: {error.message}") from error
    if not isinstance(root, strict_yaml.Mapping):
        raise PatchError("the entry is not a mapping of fields")
    if "links" not in root.entries:
        new_lines = ["links:", INDENT + item]
        if end == len(lines):  # a .yaml file without a final newline: end its last line
            new_lines.append("")
        lines[end:end] = new_lines
        return bom + "\n".join(lines).replace("\n", newline)
    key_line = root.key_lines["links"]  # 1-based, in the whole file
    links = root.entries["links"]
    if not _LINKS_LINE.match(lines[key_line - 1]):
        raise PatchError("`links:` is not followed by one link per line")
    if isinstance(links, strict_yaml.Mapping) and links.entries:
        if "arxiv" in links.entries:
            raise PatchError("links.arxiv is already there, without a value; fill it in by hand")
        first = lines[min(links.key_lines.values()) - 1]
        indent = first[: len(first) - len(first.lstrip(" \t"))]
    elif isinstance(links, strict_yaml.Scalar) and links.is_null:
        indent = INDENT
    else:
        raise PatchError("`links:` is not a mapping of link kinds")
    lines.insert(key_line, indent + item)
    return bom + "\n".join(lines).replace("\n", newline)


def checked_update(
    path: Path, data: bytes, expected: Paper, arxiv_id: str, vocabulary: Vocabulary
) -> bytes:
    """The new file bytes, read back with the real loader first: PatchError unless the
    file still holds ``expected`` and the edit adds ``links.arxiv`` and nothing else."""
    current, problems = load_entry(path, vocabulary, data)
    if current != expected or problems:
        raise PatchError("the file changed during the lookup; run the command again")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:  # load_entry would have said so already
        raise PatchError("not UTF-8 text") from error
    new_data = add_arxiv_link(text, path.suffix, arxiv_id).encode("utf-8")
    edited, problems = load_entry(path, vocabulary, new_data)
    if problems or edited is None:
        first = f": {problems[0].message}" if problems else ""
        raise PatchError(f"the edited file would not validate{first}")
    unlinked = replace(edited, links=replace(edited.links, arxiv=expected.links.arxiv))
    if edited.links.arxiv != arxiv_id or unlinked != expected:
        raise PatchError("the edit would change more than links.arxiv")
    return new_data


def terminal_safe(text: str) -> str:
    """``text`` with control characters shown as escapes, so a title or file name
    cannot move the cursor, recolour or hide output in the user's terminal."""
    return _TERMINAL_UNSAFE.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)


def user_agent() -> str:
    """Who is asking, as arXiv asks API clients to say: name, version, where to look."""
    try:
        release = version("papershelf")
    except PackageNotFoundError:
        release = "unknown"
    return f"papershelf/{release} (+{PROJECT_URL})"


# --- I/O at the edge ------------------------------------------------------------------


def default_cache_folder() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("papershelf")) / "arxiv"


class ResponseCache:
    """Raw API answers on disk, one file per request URL, fresh for ``max_age`` seconds.

    Best effort: a cache that cannot be read or written only costs a request.
    """

    def __init__(
        self,
        folder: Path,
        max_age: float = CACHE_MAX_AGE,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.folder = folder
        self.max_age = max_age
        self.now = now

    def path(self, url: str) -> Path:
        return self.folder / f"{hashlib.sha256(url.encode('utf-8')).hexdigest()}.xml"

    def get(self, url: str) -> bytes | None:
        path = self.path(url)
        try:
            if self.now() - path.stat().st_mtime > self.max_age:
                return None
            return path.read_bytes()
        except OSError:
            return None

    def put(self, url: str, data: bytes) -> None:
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path(url), data)


class ArxivClient:
    """Title searches on the arXiv API: cached, spaced by ``delay``, with a timeout."""

    def __init__(
        self,
        api_url: str = API_URL,
        *,
        delay: float = DEFAULT_DELAY,
        cache: ResponseCache | None = None,
        read_cache: bool = True,
        timeout: float = TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.api_url = api_url
        self.delay = delay
        self.cache = cache
        self.read_cache = read_cache
        self.timeout = timeout
        self.clock = clock
        self.sleep = sleep
        self.requests = 0
        self._last_request: float | None = None

    def search_title(self, title: str) -> list[Result]:
        """The papers arXiv finds for the title phrase; ApiError when it cannot answer."""
        url = query_url(self.api_url, title)
        if self.cache is not None and self.read_cache:
            cached = self.cache.get(url)
            if cached is not None:
                with contextlib.suppress(ApiError):  # a damaged copy: ask again
                    return parse_feed(cached)
        data = self._request(url)
        results = parse_feed(data)
        if self.cache is not None:  # --no-cache still refreshes the cache
            self.cache.put(url, data)
        return results

    def _request(self, url: str) -> bytes:
        if self._last_request is not None:
            wait = self._last_request + self.delay - self.clock()
            if wait > 0:
                self.sleep(wait)
        request = urllib.request.Request(
            url, headers={"User-Agent": user_agent(), "Accept": "application/atom+xml"}
        )
        self.requests += 1
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                if response.status != 200:
                    raise ApiError(f"HTTP {response.status} {response.reason}")
                return response.read()
        except urllib.error.HTTPError as error:
            error.close()
            raise ApiError(f"HTTP {error.code} {error.reason}") from None
        except urllib.error.URLError as error:
            raise ApiError(self._reason(error.reason)) from None
        except (OSError, http.client.HTTPException) as error:
            raise ApiError(self._reason(error)) from None
        finally:
            self._last_request = self.clock()  # the spacing counts from the answer

    def _reason(self, error: object) -> str:
        if isinstance(error, TimeoutError):
            return f"no answer within {self.timeout:g} s"
        if isinstance(error, OSError) and error.strerror:
            return error.strerror
        return str(error) or type(error).__name__


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` in one step (temporary file in the same folder + os.replace),
    keeping its permissions, so an interrupted run never leaves half a file."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)  # a dot name: entry_files() ignores it if a crash leaves it
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileNotFoundError):
            temporary.chmod(stat.S_IMODE(path.stat().st_mode))
        temporary.replace(path)  # os.replace: atomic within one folder
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


# --- the command ----------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    papers: Path
    tags_file: Path
    paths: list[Path]
    dry_run: bool = False


@dataclass
class Report:
    """What the run did; returned so tests and callers can inspect it."""

    linked: list[tuple[Path, str]] = field(default_factory=list)
    no_match: int = 0
    ambiguous: int = 0
    refused: int = 0
    problems: int = 0
    failure: str | None = None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--find-arxiv",
        action="store_true",
        required=True,
        help="look each entry without links.arxiv up on arXiv by title and add the id when "
        "exactly one paper has that title (required: the only action for now)",
    )
    parser.add_argument(
        "paths", nargs="*", type=Path, help="entry files or folders (default: all of papers/)"
    )
    parser.add_argument(
        "--papers", type=Path, default=Path("papers"), metavar="DIR", help="entries folder"
    )
    parser.add_argument(
        "--tags", type=Path, default=Path("tags.yml"), metavar="FILE", help="tag vocabulary"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print what would change and write nothing"
    )
    parser.add_argument(
        "--api-url", default=API_URL, metavar="URL", help=f"arXiv API endpoint (default: {API_URL})"
    )
    parser.add_argument(
        "--delay",
        type=_seconds,
        default=DEFAULT_DELAY,
        metavar="SECONDS",
        help=f"pause between requests (default: {DEFAULT_DELAY:g}, as arXiv's API terms ask)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="ask the API even when an answer from the last 7 days is cached "
        "(fresh answers still refresh the cache)",
    )


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds") from None
    if not value >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError("the delay cannot be negative")
    return value


def run(
    args: argparse.Namespace,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Exit 0 when every candidate was looked up, 1 on errors (problems, refused
    edits, an unreachable API)."""
    out = out or sys.stdout
    err = err or sys.stderr
    client = ArxivClient(
        args.api_url,
        delay=args.delay,
        cache=ResponseCache(default_cache_folder()),
        read_cache=not args.no_cache,
        clock=clock,
        sleep=sleep,
    )
    options = Options(args.papers, args.tags, list(args.paths), args.dry_run)
    report = find_arxiv(options, client, out=out, err=err)
    if report.failure is not None:
        done = 0 if options.dry_run else len(report.linked)
        after = f"{done} entries were updated before it failed" if done else "nothing was changed"
        _say(
            err,
            f"papershelf links: cannot reach the arXiv API at {args.api_url} "
            f"({report.failure}); {after}",
        )
        return 1
    return 1 if report.refused or report.problems else 0


def find_arxiv(options: Options, client: ArxivClient, *, out: TextIO, err: TextIO) -> Report:
    """Look up every candidate in file order, writing each link as soon as it is found
    (a later network failure keeps the earlier ones); stops at the first failed request."""
    report = Report()
    project = load_project(options.papers, options.tags_file, options.paths or None)
    report.problems = len(project.problems)
    for problem in project.problems:
        _say(err, str(problem))
    with_problems = {problem.path for problem in project.problems}
    candidates = [
        paper
        for paper in project.papers
        if paper.source is not None
        and not paper.links.arxiv
        and display_path(paper.source) not in with_problems
    ]
    taken = _ids_in_use(options.papers, project.papers, project.vocabulary)
    for paper in candidates:
        assert paper.source is not None
        shown = display_path(paper.source)
        try:
            ids = matching_ids(paper.title, client.search_title(paper.title))
        except ApiError as error:
            report.failure = str(error)
            return report
        if not ids:
            report.no_match += 1
            _say(out, f"{shown}: no match")
            continue
        if len(ids) > 1:
            report.ambiguous += 1
            _say(out, f"{shown}: ambiguous: {len(ids)} papers with this title ({', '.join(ids)})")
            continue
        arxiv_id = ids[0]
        try:
            if arxiv_id in taken:
                raise PatchError(f"{taken[arxiv_id]} already links to it")
            data = checked_update(
                paper.source, paper.source.read_bytes(), paper, arxiv_id, project.vocabulary
            )
            if not options.dry_run:
                write_atomically(paper.source, data)
        except (PatchError, OSError) as error:
            report.refused += 1
            reason = error.strerror if isinstance(error, OSError) and error.strerror else error
            _say(out, f"{shown}: arXiv {arxiv_id} found but not added: {reason}")
            continue
        taken[arxiv_id] = shown
        report.linked.append((paper.source, arxiv_id))
        _say(
            out,
            f"{shown}: arXiv {arxiv_id}" + (" (dry run: not written)" if options.dry_run else ""),
        )
    _print_summary(report, options, out)
    return report


def _ids_in_use(papers_dir: Path, loaded: list[Paper], vocabulary: Vocabulary) -> dict[str, str]:
    """arXiv id (no version) -> the entry linking to it, across the whole collection, so
    that a found id is never given to a second entry."""
    papers = {paper.source.resolve(): paper for paper in loaded if paper.source}
    for path in entry_files(papers_dir):
        if path.resolve() not in papers:
            paper, _ = load_entry(path, vocabulary)
            if paper is not None:
                papers[path.resolve()] = paper
    return {
        re.sub(r"v\d+$", "", paper.links.arxiv): display_path(paper.source)
        for paper in papers.values()
        if paper.links.arxiv and paper.source
    }


def _print_summary(report: Report, options: Options, out: TextIO) -> None:
    verb = "would be updated" if options.dry_run else "updated"
    parts = [
        f"{len(report.linked)} entries {verb}",
        f"{report.no_match} without a match",
        f"{report.ambiguous} ambiguous",
    ]
    if report.refused:
        parts.append(f"{report.refused} not added")
    if report.problems:
        noun = "problem" if report.problems == 1 else "problems"
        parts.append(f"{report.problems} {noun} in entries skipped (see papershelf validate)")
    prefix = "dry run, nothing written: " if options.dry_run else ""
    _say(out, prefix + ", ".join(parts))


def _say(stream: TextIO, line: str) -> None:
    print(terminal_safe(line), file=stream)

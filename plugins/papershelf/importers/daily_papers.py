"""Parse a text dump of a "Daily Papers" listing page into located records.

No I/O: :func:`parse_listing` reads the text, :func:`resolve_listing` gives dates their
year. Every block it cannot use becomes a :class:`LineProblem` (``FILE:LINE: why``), so no
entry is dropped silently. Details: docs/architecture.md, "Reading a listing".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date

from papershelf.entries.schema import CONTROL_CHARACTERS

CHROME = frozenset(
    {
        "new",
        "get trending papers in your email inbox!",
        "subscribe",
        "daily papers",
        "byak and the research community",
        "by ak and the research community",
    }
)
SEPARATOR = "·"
# A title longer than this is almost surely an abstract whose title line is missing
# (seed titles are at most 174 characters, abstracts at least 1,300).
MAX_TITLE_LENGTH = 300

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
# "Aug 14", "Jun 4, 2024", "Jun 4, 2024 2" (votes), "Oct 8 15" (votes, no year).
_DATE_LINE = re.compile(
    r"^(?P<month>[A-Za-z]+)\.? (?P<day>\d{1,2})(?:, (?P<year>\d{4}))?(?: (?P<votes>\d+))?$"
)
_AUTHORS = re.compile(r"^•\s*(?P<count>\d+)\s+authors?$")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DATE_HINT = "expected e.g. 'Aug 14', 'Jun 4, 2024', or with votes 'Jun 4, 2024 2' / 'Oct 8 15'"


@dataclass(frozen=True, slots=True)
class LineProblem:
    """A line the importer could not use, and what it did about it."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class WrittenDate:
    """A date as the listing shows it; ``year`` is None for "Aug 14"."""

    month: int
    day: int
    year: int | None
    line: int


@dataclass(frozen=True, slots=True)
class RawEntry:
    """One entry as written in the dump, before the year is known."""

    title: str
    abstract: str
    path: str
    line: int
    author_count: int | None = None
    organization: str | None = None
    organization_id: str | None = None
    written_date: WrittenDate | None = None
    votes: int | None = None


@dataclass(frozen=True, slots=True)
class Listing:
    """A parsed dump: its entries, its own date if shown, and unusable lines."""

    path: str
    entries: tuple[RawEntry, ...]
    listing_date: WrittenDate | None
    problems: tuple[LineProblem, ...]

    @property
    def latest_year(self) -> int | None:
        """The latest explicit year in the file (for year inference)."""
        years = [d.year for d in self._dates() if d.year is not None]
        return max(years) if years else None

    @property
    def needs_year(self) -> bool:
        """True when some date (or the listing's own date) has no year."""
        return any(d.year is None for d in self._dates())

    def _dates(self) -> list[WrittenDate]:
        found = [e.written_date for e in self.entries if e.written_date]
        return [*found, self.listing_date] if self.listing_date else found


@dataclass(frozen=True, slots=True)
class Record:
    """One imported paper with full dates, ready to merge; ``source`` is FILE:LINE."""

    title: str
    abstract: str
    source: str
    author_count: int | None = None
    organization: str | None = None
    organization_id: str | None = None
    published: date | None = None
    votes: int | None = None


@dataclass(frozen=True, slots=True)
class YearChoice:
    """The capture year used for a file and how it was chosen (for the summary)."""

    year: int | None
    how: str


@dataclass(frozen=True, slots=True)
class Block:
    """Consecutive non-blank lines; ``start`` is the 1-based line of the first."""

    start: int
    lines: tuple[str, ...]

    @property
    def is_metadata(self) -> bool:
        return any(line == SEPARATOR or line.startswith("•") for line in self.lines)

    @property
    def text(self) -> str:
        return " ".join(self.lines)


def clean(text: str) -> str:
    """NFC with the ends trimmed: the only change made to listing text."""
    return unicodedata.normalize("NFC", text).strip()


def blocks_of(text: str) -> list[Block]:
    """Split text into blocks of non-blank lines, keeping line numbers."""
    result: list[Block] = []
    current: list[str] = []
    start = 0
    # Only "\n" ends a line (as in editors); str.splitlines would also split at
    # form feeds and U+2028, silently changing the text and the line numbers.
    for number, raw in enumerate(text.split("\n"), start=1):
        line = clean(raw)
        if not line:
            if current:
                result.append(Block(start, tuple(current)))
                current = []
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        result.append(Block(start, tuple(current)))
    return result


def parse_written_date(text: str, line: int) -> tuple[WrittenDate, int | None] | None:
    """``(date, votes)`` from a date line, or None when it is not one."""
    match = _DATE_LINE.match(text)
    if not match:
        return None
    month = _MONTHS.get(match["month"].lower())
    if month is None:
        return None
    year = int(match["year"]) if match["year"] else None
    votes = int(match["votes"]) if match["votes"] else None
    written = WrittenDate(month, int(match["day"]), year, line)
    return written, votes


def parse_listing(text: str, path: str) -> Listing:
    """Read one dump; see the module docstring for the format."""
    blocks = blocks_of(text.removeprefix("\ufeff"))
    problems: list[LineProblem] = []
    index = 0
    while index < len(blocks) and _is_chrome(blocks[index]):
        index += 1
    listing_date = None
    if index < len(blocks) and len(blocks[index].lines) == 1:
        parsed = parse_written_date(blocks[index].lines[0], blocks[index].start)
        if parsed is not None and parsed[1] is None:
            listing_date = parsed[0]
            index += 1
    entries: list[RawEntry] = []
    # After a broken entry is reported, its remaining blocks are skipped quietly.
    skip_abstract = skip_metadata = False
    while index < len(blocks):
        block = blocks[index]
        index += 1
        if block.is_metadata:
            if not skip_metadata:
                problems.append(
                    LineProblem(path, block.start, "metadata without a title and abstract; skipped")
                )
            skip_abstract = skip_metadata = False
            continue
        if skip_abstract:
            skip_abstract = False
            continue
        skip_metadata = False
        if len(block.lines) > 1:
            problems.append(
                LineProblem(
                    path,
                    block.start,
                    f"expected a one-line title, found {len(block.lines)} lines; entry skipped",
                )
            )
            skip_abstract = skip_metadata = True
            continue
        title = block.lines[0]
        if len(title) > MAX_TITLE_LENGTH:
            problems.append(
                LineProblem(
                    path,
                    block.start,
                    f"a {len(title)}-character line where a title should be "
                    "(is the title line missing?); entry skipped",
                )
            )
            skip_metadata = True
            continue
        if index >= len(blocks):
            problems.append(
                LineProblem(
                    path,
                    block.start,
                    f"entry '{_short(title)}' ends after its title (truncated file?); skipped",
                )
            )
            break
        abstract = ""
        if blocks[index].is_metadata or _is_next_title(blocks, index):
            problems.append(
                LineProblem(
                    path,
                    blocks[index].start,
                    f"entry '{_short(title)}' has no abstract; imported without one",
                )
            )
        else:
            abstract = blocks[index].text
            index += 1
        entry = RawEntry(title=title, abstract=abstract, path=path, line=block.start)
        if index < len(blocks) and blocks[index].is_metadata:
            entry = _with_metadata(entry, blocks[index], problems)
            index += 1
        unusable = _control_character(entry)
        if unusable:
            problems.append(LineProblem(path, block.start, unusable))
            continue
        entries.append(entry)
    return Listing(path, tuple(entries), listing_date, tuple(problems))


def _is_next_title(blocks: list[Block], index: int) -> bool:
    """True when ``blocks[index]`` is short and followed by an abstract-length line:
    then it is the next entry's title and the current entry has no abstract."""
    here = blocks[index]
    after = blocks[index + 1] if index + 1 < len(blocks) else None
    return (
        len(here.lines) == 1
        and len(here.lines[0]) <= MAX_TITLE_LENGTH
        and after is not None
        and not after.is_metadata
        and len(after.text) > MAX_TITLE_LENGTH
    )


def _control_character(entry: RawEntry) -> str | None:
    """Why an entry cannot be imported as-is (the schema rejects control characters)."""
    for field in ("title", "abstract", "organization", "organization_id"):
        found = CONTROL_CHARACTERS.search(getattr(entry, field) or "")
        if found:
            return (
                f"the {field} of '{_short(entry.title)}' contains the control character "
                f"U+{ord(found.group()):04X}; entry skipped"
            )
    return None


def _is_chrome(block: Block) -> bool:
    return len(block.lines) == 1 and " ".join(block.lines[0].split()).lower() in CHROME


def _short(title: str, limit: int = 60) -> str:
    return title if len(title) <= limit else title[: limit - 3] + "..."


def _with_metadata(entry: RawEntry, block: Block, problems: list[LineProblem]) -> RawEntry:
    """Fill author count / organisation, date and votes from a metadata block."""
    values: dict[str, object] = {}
    lines = list(enumerate(block.lines, start=block.start))
    try:
        cut = block.lines.index(SEPARATOR)
    except ValueError:
        cut = len(lines)
        problems.append(
            LineProblem(
                entry.path,
                lines[-1][0],
                f"metadata of '{_short(entry.title)}' has no '{SEPARATOR}' line and no date; "
                "imported without a date",
            )
        )
    for number, line in lines[:cut]:
        if line.startswith("•"):
            match = _AUTHORS.match(line)
            if match and int(match["count"]) >= 1:
                values["author_count"] = int(match["count"])
            else:
                problems.append(
                    LineProblem(
                        entry.path,
                        number,
                        f"cannot read the author count '{line}' (expected e.g. '• 7 authors'); "
                        "imported without it",
                    )
                )
        else:
            account, *display = line.split(None, 1)
            values["organization_id"] = account
            values["organization"] = " ".join(" ".join(display).split()) or account
    after = lines[cut + 1 :]
    if cut < len(lines) and not after:
        problems.append(
            LineProblem(
                entry.path,
                lines[cut][0],
                f"metadata of '{_short(entry.title)}' ends without a date "
                "(truncated file?); imported without a date",
            )
        )
    for position, (number, line) in enumerate(after):
        parsed = parse_written_date(line, number) if position == 0 else None
        if parsed is None:
            what = (
                f"cannot read the date '{line}' ({_DATE_HINT})"
                if position == 0
                else (f"unexpected line '{_short(line)}' after the date")
            )
            problems.append(LineProblem(entry.path, number, f"{what}; ignored"))
            continue
        values["written_date"], values["votes"] = parsed
    return replace(entry, **values)  # type: ignore[arg-type]


def choose_year(listing: Listing, given: int | None) -> YearChoice:
    """The capture year: ``--year`` if given, else one more than the latest explicit year."""
    if given is not None:
        return YearChoice(given, f"year {given} (from --year)")
    if not listing.needs_year:
        return YearChoice(None, "every date has a year; no year needed")
    latest = listing.latest_year
    if latest is None:
        return YearChoice(None, "dates without a year and no explicit year to infer it from")
    return YearChoice(
        latest + 1,
        f"inferred year {latest + 1} (one more than the latest year in the file, {latest}); "
        "pass --year to override",
    )


def resolve_listing(listing: Listing, year: int | None) -> tuple[list[Record], list[LineProblem]]:
    """Full dates for every entry; a yearless date after the listing's own date is last year's.

    ``year`` may be None only when every date carries its year.
    """
    problems: list[LineProblem] = []
    cutoff = None
    if listing.listing_date is not None:
        cutoff = (listing.listing_date.month, listing.listing_date.day)
    records: list[Record] = []
    for entry in listing.entries:
        published = None
        written = entry.written_date
        if written is not None:
            full_year = written.year
            if full_year is None:
                if year is None:
                    raise ValueError("a year is needed for dates without one")
                late = cutoff is not None and (written.month, written.day) > cutoff
                full_year = year - 1 if late else year
            try:
                published = date(full_year, written.month, written.day)
            except ValueError:
                problems.append(
                    LineProblem(
                        listing.path,
                        written.line,
                        f"{_MONTH_NAMES[written.month - 1]} {written.day} is not a real date "
                        f"in {full_year}; imported without a date",
                    )
                )
        records.append(
            Record(
                title=" ".join(entry.title.split()),
                abstract=entry.abstract,
                source=f"{entry.path}:{entry.line}",
                author_count=entry.author_count,
                organization=entry.organization,
                organization_id=entry.organization_id,
                published=published,
                votes=entry.votes,
            )
        )
    return records, problems

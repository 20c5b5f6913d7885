"""What text an entry may hold: characters that cannot be shown or spoof what is
shown, and sizes that keep pages and feeds bounded.

Pure: each rule turns a text into ``(message, fix)`` or None; the schema and the
vocabulary attach the file, line and field. CONTRIBUTING.md ("Fields") states the rules
for contributors. Details: docs/architecture.md, "Text rules".
"""

from __future__ import annotations

import re
import unicodedata

# Sizes, in characters (one-line fields) or bytes (the file).
TITLE_MAX = 300
NAME_MAX = 200  # an author, an organisation, a tag title
DESCRIPTION_MAX = 1_000  # a tag's description
ABSTRACT_MAX = 10_000
NOTES_MAX = 20_000
ENTRY_FILE_MAX = 64 * 1024

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
SURROGATES = re.compile("[\ud800-\udfff]")
# Non-characters: U+FDD0..U+FDEF and the last two code points of every plane. A class
# listing the 34 of the planes above the first made each search 50 times slower than
# one of ranges (2 s of a 10,000-paper build), so ranges find the candidates (above
# U+1FFFE: no emoji) and first_non_character keeps the real ones.
NON_CHARACTER_CANDIDATES = re.compile("[\ufdd0-\ufdef\ufffe\uffff\U0001fffe-\U0010ffff]")


def is_non_character(character: str) -> bool:
    code = ord(character)
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


def first_non_character(text: str) -> str | None:
    for match in NON_CHARACTER_CANDIDATES.finditer(text):
        if is_non_character(match.group()):
            return match.group()
    return None


BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
JOINERS = frozenset("\u200c\u200d")


def codepoint(character: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``: what a contributor can search for."""
    name = unicodedata.name(character, "")
    return f"U+{ord(character):04X}" + (f" {name}" if name else "")


def character_problem(text: str, *, one_line: bool) -> tuple[str, str] | None:
    """The first character of ``text`` that an entry may not hold, as (message, fix)."""
    found = CONTROL_CHARACTERS.search(text)
    if found:
        return (
            f"contains a control character ({codepoint(found.group())})",
            "delete the invisible character",
        )
    found = SURROGATES.search(text)
    if found:
        return (
            f"contains an unpaired surrogate (U+{ord(found.group()):04X}), which is no character",
            "delete it, or write the character itself instead of a \\u escape",
        )
    non_character = first_non_character(text)
    if non_character:
        return (
            f"contains a non-character ({codepoint(non_character)})",
            "delete the invisible character",
        )
    found = BIDI_CONTROLS.search(text)
    if found:
        return (
            f"contains a bidirectional control ({codepoint(found.group())}), which can "
            "make text appear in another order than it is",
            "delete the invisible character; right-to-left text needs no control characters",
        )
    if one_line:
        for character in text:
            if unicodedata.category(character) == "Cf" and character not in JOINERS:
                return (
                    f"contains an invisible format character ({codepoint(character)})",
                    "delete the invisible character",
                )
    return None


def length_problem(text: str, limit: int) -> tuple[str, str] | None:
    if len(text) <= limit:
        return None
    return (
        f"is {len(text):,} characters long; at most {limit:,} are allowed",
        "shorten it (a link to the full text can go in `links`)",
    )


def printable(text: str) -> str:
    """``text`` safe to print to a terminal: control, bidirectional and other
    invisible characters as ``\\x1b`` / ``\\u202e`` escapes (a title from an entry
    cannot move the cursor, clear the screen or reorder a line)."""
    return "".join(_escaped(character) if _hidden(character) else character for character in text)


def _hidden(character: str) -> bool:
    if character == "\n" or character == "\t":
        return False
    category = unicodedata.category(character)
    return category in ("Cc", "Cs", "Co", "Cn") or (category == "Cf" and character not in JOINERS)


def _escaped(character: str) -> str:
    code = ord(character)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"

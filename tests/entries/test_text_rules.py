"""What text an entry may hold (papershelf.entries.text_rules); the schema's tests show
the messages in context, per field."""

from __future__ import annotations

import unicodedata

import pytest

from papershelf.entries.text_rules import character_problem, first_non_character

# Unicode's 66 non-characters: U+FDD0..U+FDEF and the last two code points of each plane.
NON_CHARACTERS = [chr(code) for code in range(0xFDD0, 0xFDF0)] + [
    chr(plane << 16 | last) for plane in range(17) for last in (0xFFFE, 0xFFFF)
]


def test_there_are_66_non_characters_and_each_is_found_wherever_it_is():
    assert len(NON_CHARACTERS) == 66
    for character in NON_CHARACTERS:
        assert first_non_character(f"text {character} more") == character
        message, _ = character_problem(f"An abstract with {character}.", one_line=False)
        assert message.startswith("contains a non-character (U+")


@pytest.mark.parametrize(
    "character",
    ["\ufdcf", "\ufdf0", "\ufffd", "\U0001f600", "\U0001fffd", "\U00020000", "\U0010fffd", "é"],
)
def test_characters_beside_them_are_not_non_characters(character: str):
    assert first_non_character(f"a{character}b") is None


def test_cjk_beyond_the_first_plane_is_text():
    text = "\U00020000\U0002a6d6 and \U0001f389"  # CJK Extension B, an emoji
    assert all(unicodedata.category(c) == "Lo" for c in text[:2])
    assert character_problem(text, one_line=False) is None

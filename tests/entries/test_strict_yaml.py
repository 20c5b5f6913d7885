"""The strict YAML layer keeps every scalar as written and refuses unsafe constructs."""

from __future__ import annotations

import pytest

from papershelf.entries.strict_yaml import Mapping, Scalar, Sequence, StrictYamlError, parse


def test_scalars_stay_strings_whatever_they_look_like():
    root = parse("arxiv: 2310.06770\nanswer: no\nwhen: 2024-13-45\ncount: 012\n")
    assert isinstance(root, Mapping)
    texts = {key: value.text for key, value in root.entries.items()}  # type: ignore[union-attr]
    assert texts == {"arxiv": "2310.06770", "answer": "no", "when": "2024-13-45", "count": "012"}


def test_values_carry_their_line_numbers_and_quoting():
    root = parse("title: x\ntags:\n  - a\n  - 'b'\n", line_offset=1)
    assert isinstance(root, Mapping)
    assert root.key_lines == {"title": 2, "tags": 3}
    tags = root.entries["tags"]
    assert isinstance(tags, Sequence)
    assert tags.items == (Scalar("a", 4, quoted=False), Scalar("b", 5, quoted=True))


def test_plain_empty_values_are_null_but_quoted_ones_are_not():
    root = parse('a:\nb: ~\nc: ""\n')
    assert isinstance(root, Mapping)
    assert [v.is_null for v in root.entries.values()] == [True, True, False]  # type: ignore[union-attr]


def test_empty_document_is_none():
    assert parse("") is None


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a: 1\na: 2\n", 2, "duplicate key 'a' (first on line 1)"),
        ("a: &x 1\nb: *x\n", 1, "anchor &x is not allowed"),
        (
            "a: !!python/object:os.system 1\n",
            1,
            "YAML tag tag:yaml.org,2002:python/object:os.system is not allowed",
        ),
        ("a: 1\n<<: {b: 2}\n", 2, "merge keys (<<) are not allowed"),
        ("a: [1, 2\n", 2, "YAML syntax error"),
        ("a: 1\n---\nb: 2\n", 2, "YAML syntax error: more than one YAML document"),
        ("[1, 2]: x\n", 1, "a key must be plain text"),
    ],
)
def test_refused_documents_name_the_line(text: str, line: int, message: str):
    with pytest.raises(StrictYamlError) as caught:
        parse(text)
    assert caught.value.line == line
    assert caught.value.message.startswith(message)
    assert caught.value.fix


def test_line_offset_applies_to_errors():
    with pytest.raises(StrictYamlError) as caught:
        parse("a: 1\na: 2\n", line_offset=1)
    assert caught.value.line == 3


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("title: x\nlinks:\n\tarxiv: '2310.06770'\n", 3),
        ("tags:\n\t- agents\n", 2),
        ("tags:\n  -\tagents\n", 2),
        ("links:\n  \tpdf: https://x.org\n", 2),
        ("\ttitle: x\n", 1),
    ],
)
def test_a_tab_used_for_indentation_is_named(text: str, line: int):
    with pytest.raises(StrictYamlError) as caught:
        parse(text, line_offset=1)
    assert (caught.value.line, caught.value.message, caught.value.fix) == (
        line + 1,
        "a tab is used for indentation",
        "use spaces, not tabs",
    )


def test_a_tab_inside_a_value_is_just_text():
    root = parse('title: "a\tb"\nabstract: c\td\n')
    assert isinstance(root, Mapping)
    assert [v.text for v in root.entries.values()] == ["a\tb", "c\td"]  # type: ignore[union-attr]


def test_a_tab_pyyaml_refuses_between_values_is_named_as_such():
    # libyaml reads `a:<tab>b`; the anchor below sends the document to pyyaml, which does not.
    with pytest.raises(StrictYamlError) as caught:
        parse("a:\tb\nc: &x 1\n")
    assert (caught.value.line, caught.value.message, caught.value.fix) == (
        1,
        "a tab is used between values on this line",
        "use spaces, not tabs",
    )

"""libyaml's C parser speeds up loading; the trees and every error stay pyyaml's."""

from __future__ import annotations

import pytest

from papershelf.entries import strict_yaml

DOCUMENTS = [
    'title: "A: quoted title"\nauthors: [Ana Zhang, "Wei, Li"]\n',
    "abstract: >-\n  folded\n  text\nnotes: |\n  line one\n  line two\n",
    "links:\n  arxiv: '2310.06770'\n  doi: 10.1000/xyz\nvotes: 12\nempty:\nnull: ~\n",
    "tags:\n  - agents\n  - reasoning\nnested:\n  - [a, b]\n  - {k: v}\n",
    "title: Ünïcode ✓ & <tags>\n# a comment\nadded: 2025-01-02\n",
]


@pytest.mark.parametrize("text", DOCUMENTS)
def test_the_c_parser_gives_the_same_tree_as_pyyaml(text: str, monkeypatch):
    fast = strict_yaml.parse(text, line_offset=3)
    monkeypatch.setattr(strict_yaml, "_fast_parse", lambda text, offset: None)
    assert strict_yaml.parse(text, line_offset=3) == fast


def test_the_c_parser_is_really_used():
    if strict_yaml.CParser is None:
        pytest.skip("pyyaml without libyaml")
    assert strict_yaml._fast_parse("title: x\n", 0) is not None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &x 1\nb: *x\n", "anchor &x is not allowed"),
        ("a: [1, 2\n", "YAML syntax error"),
        ("a: 1\n---\nb: 2\n", "more than one YAML document"),
        ("a: 1\nb: \x07\n", "character U+0007 is not allowed in YAML"),
    ],
)
def test_errors_are_reported_exactly_as_by_the_pure_python_parser(text: str, message: str):
    with pytest.raises(strict_yaml.StrictYamlError) as fast:
        strict_yaml.parse(text)
    assert message in fast.value.message
    assert strict_yaml._fast_parse(text, 0) is None  # decided by pyyaml, not libyaml


def test_a_control_character_is_a_problem_with_its_line_not_a_crash():
    with pytest.raises(strict_yaml.StrictYamlError) as error:
        strict_yaml.parse('title: x\nabstract: "a\x07b"\n', line_offset=1)
    assert error.value.line == 3
    assert error.value.message == "character U+0007 is not allowed in YAML"
    assert "delete it" in error.value.fix


def _outcome(text: str):
    try:
        return strict_yaml.parse(text, line_offset=2)
    except strict_yaml.StrictYamlError as error:
        return (error.line, error.message, error.fix)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# only a comment\n",
        "a: !!str 12\nb: !!seq x\n",
        "a: !custom x\n",
        "a: ! x\n",
        "base: &b {x: 1}\nother: *b\n",
        "<<: {x: 1}\n",
        "a: 1\na: 2\n",
        "? [a, b]\n: c\n",
        "- 1\n- [2, {3: 4}]\n",
        "a: 1\n...\n---\nb: 2\n",
        "a: 'single'\nb: \"double\"\nc: |\n  block\nd: >\n  folded\n",
    ],
)
def test_tricky_documents_give_the_same_tree_or_error_with_and_without_libyaml(
    text: str, monkeypatch
):
    fast = _outcome(text)
    monkeypatch.setattr(strict_yaml, "_fast_parse", lambda text, offset: None)
    assert _outcome(text) == fast

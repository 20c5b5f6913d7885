"""tags.yml: the controlled vocabulary every entry's tags must come from."""

from __future__ import annotations

from papershelf.entries.model import Tag
from papershelf.entries.vocabulary import Vocabulary, load_vocabulary


def test_tags_load_in_file_order_with_aliases(project):
    vocabulary, problems = load_vocabulary(project.tags_file)
    assert problems == []
    assert list(vocabulary.tags) == ["agents", "reasoning", "vision"]
    assert vocabulary.tags["agents"] == Tag(
        "agents",
        "Agents",
        "Language-model agents that act & plan.",
        aliases=("llm-agents",),
        keywords=("agent", "agents"),
    )
    assert vocabulary.resolve("llm-agents") == "agents"
    assert vocabulary.resolve("nope") is None
    assert vocabulary.suggest("reasonin") == "reasoning"


def test_every_vocabulary_problem_is_reported(project):
    project.write(
        "tags.yml",
        """\
        Bad Id:
          title: x
          description: y
        agents:
          title: Agents
          descripton: typo
        vision:
          title: Vision
          description: Seeing.
          aliases: [agents]
        rl:
          title: RL
          description: Rewards.
          keywords: reward
        """,
    )
    _, problems = load_vocabulary(project.tags_file)
    lines = [str(p).split("tags.yml", 1)[1] for p in problems]
    assert lines == [
        ":1: Bad Id.id: 'Bad Id' is not a valid tag id (use lowercase a-z, 0-9 and -)",
        ":6: agents.descripton: unknown field (did you mean 'description'?)",
        ":4: agents.description: required text is missing (add `description: ...`)",
        ":14: rl.keywords: expected a list of words (write `keywords: [one, two]`)",
    ]


def test_an_alias_that_is_another_tags_id_is_a_problem(project):
    project.write(
        "tags.yml",
        """\
        agents:
          title: Agents
          description: a
        vision:
          title: Vision
          description: b
          aliases: [agents]
        """,
    )
    _, problems = load_vocabulary(project.tags_file)
    assert [p.message for p in problems] == ["alias 'agents' already names tag 'agents'"]


def test_a_missing_vocabulary_is_reported_not_raised(tmp_path):
    vocabulary, problems = load_vocabulary(tmp_path / "tags.yml")
    assert vocabulary.tags == {}
    assert [(p.field, p.message) for p in problems] == [("tags.yml", "file not found")]


def tag(tag_id: str, title: str, *aliases: str) -> Tag:
    return Tag(tag_id, title, "d", aliases=aliases)


def test_suggestions_come_from_ids_titles_and_aliases_best_first():
    tags = [
        tag("cat", "Cats"),
        tag("cog", "Cogs"),
        tag("cut", "Cuts"),
        tag("cow", "Cows"),
        tag("felines", "Felines", "kitten"),
        tag("nlp", "Natural language processing"),
    ]
    vocabulary = Vocabulary({t.id: t for t in tags}, {"kitten": "felines"})
    assert vocabulary.suggestions("cot") == ["cat", "cog", "cow"]  # at most three
    assert vocabulary.suggestions("cot", limit=5) == ["cat", "cog", "cow", "cut"]
    assert vocabulary.suggestions("kittens") == ["felines"]  # by alias
    assert vocabulary.suggestions("natural-language-procesing") == ["nlp"]  # by title
    assert vocabulary.suggestions("Natural Language Processin") == ["nlp"]
    assert vocabulary.suggestions("zebra") == []
    assert vocabulary.suggest("cot") == "cat"
    assert vocabulary.suggest("zebra") is None


def test_a_clear_typo_gets_only_its_tag():
    tags = [tag("reasoning", "Reasoning"), tag("pretraining", "Pretraining")]
    vocabulary = Vocabulary({t.id: t for t in tags}, {})
    assert vocabulary.suggestions("reasoningg") == ["reasoning"]


def test_the_unknown_tag_hint_names_the_vocabulary_file(project, tmp_path):
    vocabulary, _ = load_vocabulary(project.tags_file)
    assert vocabulary.path == str(project.tags_file)
    assert vocabulary.unknown_tag_hint("visoin") == (
        f"did you mean 'vision'? every tag is listed in {project.tags_file}"
    )
    assert vocabulary.unknown_tag_hint("zzz") == (
        f"pick one of the tags listed in {project.tags_file}, or add it there"
    )
    two = Vocabulary({"cat": tag("cat", "Cat"), "cut": tag("cut", "Cut")}, {}, "my/tags.yml")
    assert two.unknown_tag_hint("cot") == (
        "did you mean 'cat' or 'cut'? every tag is listed in my/tags.yml"
    )
    assert Vocabulary({}, {}).path == "tags.yml"  # the default keeps old callers working
    assert load_vocabulary(tmp_path / "missing.yml")[0].path == str(tmp_path / "missing.yml")


def test_tag_titles_and_descriptions_follow_the_text_rules(tmp_path):
    """A tag's title shows on every paper it tags: no spoofing characters, bounded."""
    path = tmp_path / "tags.yml"
    path.write_text(
        'agents:\n  title: "Agents \\u202e"\n  description: Fine.\n'
        "vision:\n  title: Vision\n  description: " + "d" * 1001 + "\n",
        encoding="utf-8",
    )
    vocabulary, problems = load_vocabulary(path)
    assert [(p.line, p.field, p.message.split(" (")[0]) for p in problems] == [
        (2, "agents.title", "contains a bidirectional control"),
        (6, "vision.description", "is 1,001 characters long; at most 1,000 are allowed"),
    ]
    assert vocabulary.tags == {}

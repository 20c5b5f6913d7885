"""The controlled tag vocabulary (``tags.yml``): load, validate and resolve tags."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from papershelf import strict_yaml
from papershelf.model import Problem, Tag
from papershelf.slugs import is_valid_slug

TAG_FIELDS = ("title", "description", "aliases", "keywords")


def did_you_mean(name: str, choices: tuple[str, ...] | list[str]) -> str:
    """The fix for a misspelt name: the closest choice, else the list of choices."""
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return "allowed: " + ", ".join(choices)


@dataclass(frozen=True)
class Vocabulary:
    """Tags by id, in file order, plus alias -> id for lenient lookups."""

    tags: dict[str, Tag]
    aliases: dict[str, str]

    def resolve(self, name: str) -> str | None:
        """The canonical tag id for an id or alias, or None when unknown."""
        if name in self.tags:
            return name
        return self.aliases.get(name)

    def suggest(self, name: str) -> str | None:
        """The closest known id or alias, for did-you-mean messages."""
        candidates = [*self.tags, *self.aliases]
        matches = difflib.get_close_matches(name.lower(), candidates, n=1, cutoff=0.6)
        return matches[0] if matches else None


def load_vocabulary(path: Path) -> tuple[Vocabulary, list[Problem]]:
    """Read ``tags.yml``; every problem is collected, the valid tags are kept."""
    display = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Vocabulary({}, {}), [
            Problem(display, 1, "tags.yml", "file not found", "create it; see the guide")
        ]
    try:
        root = strict_yaml.parse(text)
    except strict_yaml.StrictYamlError as error:
        return Vocabulary({}, {}), [
            Problem(display, error.line, "tags.yml", error.message, error.fix)
        ]
    return parse_vocabulary(root, display)


def parse_vocabulary(
    root: strict_yaml.Value | None, display: str
) -> tuple[Vocabulary, list[Problem]]:
    problems: list[Problem] = []
    if not isinstance(root, strict_yaml.Mapping):
        problem = Problem(
            display, 1, "tags.yml", "expected a mapping of tag ids", "write `tag-id:` blocks"
        )
        return Vocabulary({}, {}), [problem]
    tags: dict[str, Tag] = {}
    aliases: dict[str, str] = {}
    for tag_id, body in root.entries.items():
        line = root.key_lines[tag_id]

        def report(field: str, message: str, fix: str, at: int = line, tag: str = tag_id) -> None:
            problems.append(Problem(display, at, f"{tag}.{field}", message, fix))

        if not is_valid_slug(tag_id):
            report("id", f"'{tag_id}' is not a valid tag id", "use lowercase a-z, 0-9 and -")
            continue
        if not isinstance(body, strict_yaml.Mapping):
            report("title", "expected title and description", "indent them under the id")
            continue
        for key in body.entries:
            if key not in TAG_FIELDS:
                report(key, "unknown field", did_you_mean(key, TAG_FIELDS), body.key_lines[key])
        texts = {}
        for key in ("title", "description"):
            value = body.entries.get(key)
            if not isinstance(value, strict_yaml.Scalar) or not value.text.strip():
                report(key, "required text is missing", f"add `{key}: ...`")
            else:
                texts[key] = value.text.strip()
        lists = {}
        for key in ("aliases", "keywords"):
            value = body.entries.get(key)
            if value is None:
                lists[key] = ()
            elif isinstance(value, strict_yaml.Sequence) and all(
                isinstance(item, strict_yaml.Scalar) and item.text.strip() for item in value.items
            ):
                lists[key] = tuple(item.text.strip() for item in value.items)  # type: ignore[union-attr]
            else:
                report(key, "expected a list of words", f"write `{key}: [one, two]`", value.line)
                lists[key] = ()
        if len(texts) < 2:
            continue
        tags[tag_id] = Tag(tag_id, texts["title"], texts["description"], **lists)
    for tag in tags.values():
        for alias in tag.aliases:
            owner = aliases.get(alias) or (alias if alias in tags else None)
            if owner and owner != tag.id:
                problems.append(
                    Problem(
                        display,
                        root.key_lines[tag.id],
                        f"{tag.id}.aliases",
                        f"alias '{alias}' already names tag '{owner}'",
                        "remove one of them",
                    )
                )
            else:
                aliases[alias] = tag.id
    return Vocabulary(tags, aliases), problems

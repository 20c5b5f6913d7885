"""The controlled tag vocabulary (``tags.yml``): load, validate and resolve tags."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from papershelf.entries import strict_yaml
from papershelf.entries.model import Problem, Tag
from papershelf.entries.paths import display_path
from papershelf.entries.slugs import is_valid_slug, slugify
from papershelf.entries.text_rules import (
    DESCRIPTION_MAX,
    NAME_MAX,
    character_problem,
    length_problem,
)

TAG_FIELDS = ("title", "description", "aliases", "keywords")
# Tag suggestions: difflib's usual cutoff; a further tag is suggested only if it is
# within _NEARLY of the closest one.
_CUTOFF = 0.6
_NEARLY = 0.1


def did_you_mean(name: str, choices: tuple[str, ...] | list[str]) -> str:
    """The fix for a misspelt name: the closest choice, else the list of choices."""
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return "allowed: " + ", ".join(choices)


@dataclass(frozen=True)
class Vocabulary:
    """Tags by id, in file order, plus alias -> id for lenient lookups.

    ``path`` is the vocabulary file as given, for messages that point to the full list.
    """

    tags: dict[str, Tag]
    aliases: dict[str, str]
    path: str = "tags.yml"

    def resolve(self, name: str) -> str | None:
        """The canonical tag id for an id or alias, or None when unknown."""
        if name in self.tags:
            return name
        return self.aliases.get(name)

    def suggest(self, name: str) -> str | None:
        """The closest known tag id, for did-you-mean messages."""
        close = self.suggestions(name, limit=1)
        return close[0] if close else None

    def suggestions(self, name: str, limit: int = 3) -> list[str]:
        """Up to ``limit`` tag ids closest to ``name`` by id, title or alias, best first:
        the closest, and others only when nearly as close (a clear typo gets one)."""
        best: dict[str, float] = {}  # tag id -> its closest id, title or alias
        matcher = difflib.SequenceMatcher(b=name.strip().lower())
        for text, tag_id in self._names():
            matcher.set_seq1(text)
            if matcher.real_quick_ratio() >= _CUTOFF and matcher.quick_ratio() >= _CUTOFF:
                best[tag_id] = max(best.get(tag_id, 0.0), matcher.ratio())
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
        if not ranked:
            return []
        floor = max(_CUTOFF, ranked[0][1] - _NEARLY)
        return [tag_id for tag_id, score in ranked[:limit] if score >= floor]

    def _names(self) -> list[tuple[str, str]]:
        """(text, tag id) for every id, title (as written and as a slug) and alias."""
        names = [
            (text, tag.id)
            for tag in self.tags.values()
            for text in (tag.id, tag.title.lower(), slugify(tag.title))
        ]
        return names + list(self.aliases.items())

    def unknown_tag_hint(self, name: str) -> str:
        """The fix for an unknown tag: the closest tags and where the whole list is."""
        close = [f"'{tag}'" for tag in self.suggestions(name)]
        if not close:
            return f"pick one of the tags listed in {self.path}, or add it there"
        names = close[0] if len(close) == 1 else f"{', '.join(close[:-1])} or {close[-1]}"
        return f"did you mean {names}? every tag is listed in {self.path}"


def load_vocabulary(path: Path) -> tuple[Vocabulary, list[Problem]]:
    """Read ``tags.yml``; every problem is collected, the valid tags are kept."""
    display = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Vocabulary({}, {}, display), [
            Problem(display, 1, "tags.yml", "file not found", "create it; see the guide")
        ]
    try:
        root = strict_yaml.parse(text)
    except strict_yaml.StrictYamlError as error:
        # "yaml", as for an entry: FILE:LINE: yaml: a tab is used for indentation (...)
        return Vocabulary({}, {}, display), [
            Problem(display, error.line, "yaml", error.message, error.fix)
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
        return Vocabulary({}, {}, display), [problem]
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
                continue
            text = value.text.strip()
            one_line = key == "title"  # shown as a tag's name, like an entry's title
            limit = NAME_MAX if one_line else DESCRIPTION_MAX
            problem = character_problem(text, one_line=one_line) or length_problem(text, limit)
            if problem:
                report(key, *problem, at=value.line)
            else:
                texts[key] = text
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
    return Vocabulary(tags, aliases, display), problems

"""Every way an entry can be wrong yields one FILE:LINE: FIELD: message (fix) line."""

from __future__ import annotations

from datetime import date

import pytest

from papershelf.entries.loader import load_entry
from papershelf.entries.model import Links, Paper
from papershelf.entries.vocabulary import load_vocabulary

VALID = """\
title: A good paper
authors: [Ada Lovelace, Alan Turing]
organization: AI at Meta
organization_id: facebook
published: 2024-02-29
added: 2025-01-02
tags: [agents, reasoning]
abstract: We study things & stuff.
links:
  arxiv: 2310.06770
  pdf: https://arxiv.org/pdf/2310.06770
  code: https://github.com/x/y
  project: http://example.org/p
  doi: 10.1145/3377811
votes: 0
notes: Some *notes*.
"""


def load(project, text: str, slug: str = "good-paper", suffix: str = ".yaml"):
    path = project.paper(slug, text, suffix)
    vocabulary, problems = load_vocabulary(project.tags_file)
    assert problems == []
    return load_entry(path, vocabulary)


def messages(project, text: str, slug: str = "good-paper", suffix: str = ".yaml") -> list[str]:
    paper, problems = load(project, text, slug, suffix)
    assert paper is None
    # Unknown tags point to the vocabulary file as given (here: absolute).
    return [
        _from_papers_dir(str(problem)).replace(str(project.tags_file), "tags.yml")
        for problem in problems
    ]


def _from_papers_dir(line: str) -> str:
    """Problems show the path relative to the working directory; compare from papers/ on."""
    return line[line.index("papers/") :]


def test_a_valid_yaml_entry_becomes_a_typed_paper(project):
    paper, problems = load(project, VALID)
    assert problems == []
    assert paper == Paper(
        slug="good-paper",
        title="A good paper",
        added=date(2025, 1, 2),
        tags=("agents", "reasoning"),
        authors=("Ada Lovelace", "Alan Turing"),
        organization="AI at Meta",
        organization_id="facebook",
        published=date(2024, 2, 29),
        abstract="We study things & stuff.",
        links=Links(
            arxiv="2310.06770",
            pdf="https://arxiv.org/pdf/2310.06770",
            code="https://github.com/x/y",
            project="http://example.org/p",
            doi="10.1145/3377811",
        ),
        votes=0,
        notes="Some *notes*.",
    )
    assert paper.number_of_authors == 2
    assert paper.org_key == "facebook"


def test_a_markdown_entry_takes_its_notes_from_the_body(project):
    text = "---\ntitle: A good paper\nadded: 2025-01-02\ntags: [agents]\n---\n\nMy **notes**.\n"
    paper, problems = load(project, text, suffix=".md")
    assert problems == []
    assert paper is not None and paper.notes == "My **notes**."


def test_ambiguous_scalars_are_not_converted_behind_your_back(project):
    text = "title: no\nadded: 2025-01-02\ntags: [agents]\nlinks:\n  arxiv: 2310.06770\n"
    paper, _ = load(project, text)
    assert paper is not None
    assert paper.title == "no"
    assert paper.links.arxiv == "2310.06770"


def test_tag_aliases_resolve_to_the_canonical_id(project):
    paper, _ = load(project, "title: T\nadded: 2025-01-02\ntags: [llm-agents]\n")
    assert paper is not None and paper.tags == ("agents",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "added: 2025-01-02\ntags: [agents]\n",
            ["papers/good-paper.yaml:1: title: required field is missing (add `title: ...`)"],
        ),
        (
            "title: T\ntags: [agents]\n",
            ["papers/good-paper.yaml:1: added: required field is missing (add `added: ...`)"],
        ),
        (
            "title: T\nadded: 2025-01-02\n",
            ["papers/good-paper.yaml:1: tags: required field is missing (add `tags: ...`)"],
        ),
        (
            "title: T\nadded: 2025-01-02\ntags: []\n",
            ["papers/good-paper.yaml:3: tags: at least one tag is required (add a tag id)"],
        ),
        (
            "title: T\nadded: 2025-01-02\ntags: [agent]\n",
            [
                "papers/good-paper.yaml:3: tags: unknown tag 'agent' (did you mean 'agents'? "
                "every tag is listed in tags.yml)"
            ],
        ),
        (
            "title: T\nadded: 2025-01-02\ntags: [cooking]\n",
            [
                "papers/good-paper.yaml:3: tags: unknown tag 'cooking' "
                "(pick one of the tags listed in tags.yml, or add it there)"
            ],
        ),
        (
            "title: T\nadded: 2025-01-02\ntags: [agents, llm-agents]\n",
            [
                "papers/good-paper.yaml:3: tags: tag 'llm-agents' is listed twice (remove the repeat)"
            ],
        ),
        (
            "title: T\nadded: 2025-01-02\ntags: agents\n",
            ["papers/good-paper.yaml:3: tags: expected a list of tag ids (write `tags: [agents]`)"],
        ),
        (
            "title: T\nadded: 2025-01-02\ntags: [agents]\nabstarct: x\n",
            ["papers/good-paper.yaml:4: abstarct: unknown field (did you mean 'abstract'?)"],
        ),
        (
            "title: T\nadded: 2025-01-02\ntags: [agents]\ncolour: red\n",
            [
                "papers/good-paper.yaml:4: colour: unknown field (allowed: title, authors, "
                "author_count, organization, organization_id, published, added, tags, abstract, "
                "links, votes, notes)"
            ],
        ),
        (
            "title: T\nadded: 2025-02-30\ntags: [agents]\n",
            [
                "papers/good-paper.yaml:2: added: '2025-02-30' is not a valid date "
                "(use YYYY-MM-DD with a real day, e.g. 2024-02-29)"
            ],
        ),
        (
            "title: T\nadded: 2025-01-02\npublished: 12/03/2024\ntags: [agents]\n",
            [
                "papers/good-paper.yaml:3: published: '12/03/2024' is not a valid date "
                "(use YYYY-MM-DD with a real day, e.g. 2024-02-29)"
            ],
        ),
        (
            "title: T\nadded: 2025-01-02\ntags: [agents]\nvotes: many\n",
            [
                "papers/good-paper.yaml:4: votes: 'many' is not a whole number of at least 0 (write e.g. `votes: 3`)"
            ],
        ),
        (
            "title: T\nadded: 2025-01-02\ntags: [agents]\nauthor_count: 0\n",
            [
                "papers/good-paper.yaml:4: author_count: '0' is not a whole number of at least 1 "
                "(write e.g. `author_count: 3`)"
            ],
        ),
        (
            "title: T\nadded: 2025-01-02\ntags: [agents]\nauthors: [A]\nauthor_count: 3\n",
            [
                "papers/good-paper.yaml:5: author_count: both authors and author_count are given "
                "(keep `authors` (the count is derived from it) and remove `author_count`)"
            ],
        ),
        (
            "title: T\nadded: 2025-01-02\ntags: [agents]\nauthors: Ada Lovelace\n",
            [
                "papers/good-paper.yaml:4: authors: expected a list of names "
                "(write `authors: [Ada Lovelace, ...]`)"
            ],
        ),
        (
            "title: [a, b]\nadded: 2025-01-02\ntags: [agents]\n",
            [
                "papers/good-paper.yaml:1: title: expected text, found a list (write `title: <text>`)"
            ],
        ),
        (
            "title: T\nadded: 2025-01-02\ntags: [agents]\norganization_id: meta\n",
            [
                "papers/good-paper.yaml:4: organization_id: organization_id without organization "
                "(add `organization: <display name>`)"
            ],
        ),
        (
            "title: T\nadded: 2025-01-02\ntags: [agents]\nlinks:\n  code: javascript:alert(1)\n",
            [
                "papers/good-paper.yaml:5: links.code: 'javascript:alert(1)' is not an http(s) link "
                "(use a full URL starting with https://)"
            ],
        ),
        (
            "title: T\nadded: 2025-01-02\ntags: [agents]\nlinks:\n  pdf: ftp://example.org/a.pdf\n",
            [
                "papers/good-paper.yaml:5: links.pdf: 'ftp://example.org/a.pdf' is not an http(s) link "
                "(use a full URL starting with https://)"
            ],
        ),
        (
            "title: T\nadded: 2025-01-02\ntags: [agents]\nlinks:\n  arxiv: arxiv.org/abs/x\n",
            [
                "papers/good-paper.yaml:5: links.arxiv: 'arxiv.org/abs/x' is not an arXiv id "
                '(write the bare id: arxiv: "2310.06770")'
            ],
        ),
        (
            "title: T\nadded: 2025-01-02\ntags: [agents]\nlinks:\n  arxiv: arxiv.org/abs/2401.00001\n",
            [
                "papers/good-paper.yaml:5: links.arxiv: 'arxiv.org/abs/2401.00001' is not an arXiv "
                'id (write the bare id: arxiv: "2401.00001")'
            ],
        ),
        (
            "title: T\nadded: 2025-01-02\ntags: [agents]\nlinks:\n"
            "  arxiv: https://example.org/abs/2401.00001\n",
            [
                "papers/good-paper.yaml:5: links.arxiv: 'https://example.org/abs/2401.00001' is not "
                'an arXiv id (write the bare id: arxiv: "2401.00001")'
            ],
        ),
        (
            "title: T\nadded: 2025-01-02\ntags: [agents]\nlinks:\n"
            "  pdf: https://example.org/my paper.pdf\n",
            [
                "papers/good-paper.yaml:5: links.pdf: 'https://example.org/my paper.pdf' contains a "
                "space (replace it with %20)"
            ],
        ),
        (
            "title: T\nadded: 2025-01-02\ntags: [agents]\nlinks:\n"
            '  code: "https://github.com/x/\\ty"\n',
            [
                "papers/good-paper.yaml:5: links.code: 'https://github.com/x/\ty' contains a tab "
                "(delete it)"
            ],
        ),
        (
            "title: T\nadded: 2025-01-02\ntags: [agents]\nlinks:\n  project: example.org/my page\n",
            [
                "papers/good-paper.yaml:5: links.project: 'example.org/my page' is not an http(s) "
                "link (use a full URL starting with https://)"
            ],
        ),
        (
            "title: T\nadded: 2025-01-02\ntags: [agents]\nlinks:\n  doi: doi:10.1/x\n",
            [
                "papers/good-paper.yaml:5: links.doi: 'doi:10.1/x' is not a DOI "
                "(write the bare DOI, e.g. 10.1145/3377811)"
            ],
        ),
        (
            "title: T\nadded: 2025-01-02\ntags: [agents]\nlinks:\n  github: https://github.com/x\n",
            [
                "papers/good-paper.yaml:5: links.github: unknown link kind (allowed: arxiv, pdf, code, project, doi)"
            ],
        ),
        (
            "title: T\nadded: 2025-01-02\ntags: [agents]\nlinks: https://x.org\n",
            [
                "papers/good-paper.yaml:4: links: expected link kinds with values "
                "(write `links:` then `  pdf: https://...`)"
            ],
        ),
        (
            'title: "T\\u0007"\nadded: 2025-01-02\ntags: [agents]\n',
            [
                "papers/good-paper.yaml:1: title: contains a control character (U+0007) "
                "(delete the invisible character)"
            ],
        ),
        (
            'title: "  "\nadded: 2025-01-02\ntags: [agents]\n',
            ["papers/good-paper.yaml:1: title: is empty (write the title or remove the line)"],
        ),
        (
            "title: T\ntitle: U\nadded: 2025-01-02\ntags: [agents]\n",
            [
                "papers/good-paper.yaml:2: yaml: duplicate key 'title' (first on line 1) (keep one of the two)"
            ],
        ),
        (
            "- title: T\n",
            [
                "papers/good-paper.yaml:1: entry: expected `field: value` lines (start with `title: ...`)"
            ],
        ),
    ],
)
def test_each_problem_is_reported_with_file_line_field_and_fix(project, text, expected):
    assert messages(project, text) == expected


def test_all_problems_of_an_entry_are_reported_together(project):
    text = "titel: T\nadded: 2025-13-01\ntags: [agent]\nvotes: -1\n"
    found = messages(project, text)
    assert [line.split(": ")[1] for line in found] == ["titel", "title", "added", "tags", "votes"]


def test_markdown_entries_report_lines_of_the_whole_file(project):
    text = "---\ntitle: T\nadded: 2025-01-02\ntags: [agnets]\n---\nbody\n"
    assert messages(project, text, suffix=".md") == [
        "papers/good-paper.md:4: tags: unknown tag 'agnets' (did you mean 'agents'? "
        "every tag is listed in tags.yml)"
    ]


def test_markdown_entries_keep_notes_in_the_body(project):
    text = "---\ntitle: T\nadded: 2025-01-02\ntags: [agents]\nnotes: x\n---\nbody\n"
    assert messages(project, text, suffix=".md") == [
        "papers/good-paper.md:5: notes: a Markdown entry keeps its notes in the body "
        "(move the notes below the closing `---` and remove the `notes` field)"
    ]


def test_markdown_without_front_matter_is_explained(project):
    assert messages(project, "# Just a title\n", suffix=".md") == [
        "papers/good-paper.md:1: front matter: no YAML front matter found (start the file with "
        "a `---` line, the fields, then another `---` line)"
    ]


def test_file_names_must_be_valid_slugs(project):
    found = messages(project, "title: T\nadded: 2025-01-02\ntags: [agents]\n", slug="My Paper")
    assert found == [
        "papers/My Paper.yaml:1: slug: file name 'My Paper' is not a valid slug "
        "(rename it to my-paper.yaml (lowercase a-z, 0-9 and -))"
    ]


def test_unexpected_file_types_are_named(project):
    assert messages(project, "title: T\n", slug="paper", suffix=".yml") == [
        "papers/paper.yml:1: file: unexpected file type '.yml' (rename it to paper.yaml)"
    ]


def test_anchors_and_aliases_are_refused(project):
    text = "title: &t T\nadded: 2025-01-02\ntags: [agents]\nabstract: *t\n"
    assert messages(project, text) == [
        "papers/good-paper.yaml:1: yaml: anchor &t is not allowed (write the value out in full)"
    ]


@pytest.mark.parametrize(
    "written",
    [
        "2310.06770v2",
        "arXiv:2310.06770v2",
        "https://arxiv.org/abs/2310.06770v2",
        "http://arxiv.org/abs/2310.06770v2/",
        "https://www.arxiv.org/abs/2310.06770v2",
        "https://arxiv.org/pdf/2310.06770v2",
        "https://arxiv.org/pdf/2310.06770v2.pdf",
        "https://arxiv.org/abs/2310.06770v2?context=cs",
    ],
)
def test_an_arxiv_link_is_stored_as_the_bare_id(project, written):
    paper, problems = load(
        project, f"title: T\nadded: 2025-01-02\ntags: [agents]\nlinks:\n  arxiv: {written}\n"
    )
    assert problems == []
    assert paper is not None and paper.links.arxiv == "2310.06770v2"


def test_an_old_style_arxiv_link_is_stored_as_the_bare_id(project):
    text = "title: T\nadded: 2025-01-02\ntags: [agents]\nlinks:\n  arxiv: https://arxiv.org/abs/hep-th/9901001v1\n"
    paper, problems = load(project, text)
    assert problems == []
    assert paper is not None and paper.links.arxiv == "hep-th/9901001v1"


@pytest.mark.parametrize(
    "written",
    [
        "10.1145/3377811",
        "doi:10.1145/3377811",
        "DOI: 10.1145/3377811",
        "https://doi.org/10.1145/3377811",
        "http://dx.doi.org/10.1145/3377811",
    ],
)
def test_a_doi_link_or_prefix_is_stored_as_the_bare_doi(project, written):
    paper, problems = load(
        project, f"title: T\nadded: 2025-01-02\ntags: [agents]\nlinks:\n  doi: '{written}'\n"
    )
    assert problems == []
    assert paper is not None and paper.links.doi == "10.1145/3377811"


def test_a_percent_encoded_doi_link_is_decoded(project):
    text = (
        "title: T\nadded: 2025-01-02\ntags: [agents]\nlinks:\n"
        "  doi: https://doi.org/10.1002/%28SICI%291097-4571\n"
    )
    paper, problems = load(project, text)
    assert problems == []
    assert paper is not None and paper.links.doi == "10.1002/(SICI)1097-4571"


def test_unknown_tags_get_the_close_tags_by_id_title_or_alias(project):
    project.write(
        "tags.yml",
        """\
        agents:
          title: Agents
          description: a
        agentic:
          title: Agentic systems
          description: b
        chemistry:
          title: Chemistry
          description: c
          aliases: [reagent]
        chain-of-thought:
          title: Step by step
          description: d
          aliases: [cot]
        vision:
          title: Computer vision
          description: e
        """,
    )
    text = "title: T\nadded: 2025-01-02\ntags: [agent, cots, computer-vison, step-by-stp]\n"
    assert messages(project, text) == [
        "papers/good-paper.yaml:3: tags: unknown tag 'agent' (did you mean 'agents', 'agentic' "
        "or 'chemistry'? every tag is listed in tags.yml)",
        "papers/good-paper.yaml:3: tags: unknown tag 'cots' (did you mean 'chain-of-thought'? "
        "every tag is listed in tags.yml)",
        "papers/good-paper.yaml:3: tags: unknown tag 'computer-vison' (did you mean 'vision'? "
        "every tag is listed in tags.yml)",
        "papers/good-paper.yaml:3: tags: unknown tag 'step-by-stp' (did you mean "
        "'chain-of-thought'? every tag is listed in tags.yml)",
    ]


# Text rules (papershelf.entries.text_rules): characters that cannot be shown or that spoof
# what is shown, and sizes, each refused with the field, the line and the fix.
@pytest.mark.parametrize(
    ("field_line", "expected"),
    [
        ('title: "H28 lone \\ud800 surrogate"', "title: contains an unpaired surrogate (U+D800)"),
        (
            'title: "Invoice \\u202egpj.exe"',
            "title: contains a bidirectional control (U+202E RIGHT-TO-LEFT OVERRIDE)",
        ),
        (
            'title: "Isolated \\u2067text\\u2069"',
            "title: contains a bidirectional control (U+2067 RIGHT-TO-LEFT ISOLATE)",
        ),
        (
            'title: "Zero\\u200bwidth"',
            "title: contains an invisible format character (U+200B ZERO WIDTH SPACE)",
        ),
        ('title: "Non\\uffffcharacter"', "title: contains a non-character (U+FFFF)"),
        ('authors: ["Ada \\u202eLovelace"]', "authors: contains a bidirectional control (U+202E"),
        (
            'organization: "Lab\\ufeff"',
            "organization: contains an invisible format character (U+FEFF",
        ),
        ('abstract: "Spoofed \\u202dorder"', "abstract: contains a bidirectional control (U+202D"),
        ('abstract: "A \\ufdd0 non-character"', "abstract: contains a non-character (U+FDD0)"),
        (f"title: {'T' * 301}", "title: is 301 characters long; at most 300 are allowed"),
        (
            f"organization: {'O' * 201}",
            "organization: is 201 characters long; at most 200 are allowed",
        ),
        (
            f"abstract: {'word ' * 2001}",
            "abstract: is 10,004 characters long; at most 10,000 are allowed",
        ),
    ],
)
def test_text_that_cannot_be_shown_or_spoofs_what_is_shown_is_refused(
    project, field_line, expected
):
    text = f"title: Fine title\nadded: 2025-01-02\ntags: [agents]\n{field_line}\n"
    if field_line.startswith("title:"):
        text = text.replace("title: Fine title\n", "")
    found = messages(project, text)
    assert len(found) == 1 and expected in found[0], found


def test_joiners_that_scripts_and_emoji_need_are_kept_and_invisible_characters_in_abstracts_too(
    project,
):
    text = (
        'title: "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \U0001f469\u200d\U0001f52c"\n'
        "added: 2025-01-02\ntags: [agents]\n"
        'abstract: "Soft\u00adhyphen and zero\u200bwidth space."\n'
    )
    paper, problems = load(project, text, "good-paper", ".yaml")
    assert problems == [] and paper is not None
    assert "\u200c" in paper.title and "\u200b" in paper.abstract


def test_notes_in_a_markdown_body_follow_the_same_rules_with_their_line(project):
    text = "---\ntitle: Fine\nadded: 2025-01-02\ntags: [agents]\n---\nFirst line.\nSpoof \u202e here.\n"
    [problem] = messages(project, text, suffix=".md")
    assert problem.startswith("papers/good-paper.md:6: notes: contains a bidirectional control")


def test_an_entry_file_over_64_kb_is_refused_before_it_is_read(project):
    text = "title: Big\nadded: 2025-01-02\ntags: [agents]\nnotes: |\n" + "  line\n" * 12_000
    [problem] = messages(project, text)
    assert problem == (
        "papers/good-paper.yaml:1: file: is 84,053 bytes; an entry may be at most 65,536 "
        "(shorten the abstract or the notes)"
    )


def test_entry_text_in_a_message_is_escaped_for_the_terminal():
    from papershelf.entries.model import Problem

    problem = Problem("papers/x.yaml", 3, "tags", "unknown tag 'a\x1b[2Jb\u202e'", "fix it")
    assert str(problem) == "papers/x.yaml:3: tags: unknown tag 'a\\x1b[2Jb\\u202e' (fix it)"

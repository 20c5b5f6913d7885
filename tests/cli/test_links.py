"""``papershelf links --find-arxiv``: ids from arXiv, only when certain, never a lost byte.

A local HTTP server stands in for the arXiv API, answering with recorded Atom documents
(tests/fixtures/arxiv/) and recording every request, so nothing here needs the network.
"""

from __future__ import annotations

import argparse
import os
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from build_tools import links
from build_tools.cli import main
from papershelf.entries.loader import load_entry
from papershelf.entries.vocabulary import load_vocabulary
from papershelf.importers.entry_files import PatchError

FIXTURES = Path(__file__).parents[1] / "fixtures" / "arxiv"

# Title phrase as the command sends it (its words), case-folded -> recorded answer.
ANSWERS = {
    "swe bench can language models resolve real world github issues": "swe-bench.xml",
    "scaling laws": "ambiguous.xml",
    "the large n limit of superconformal field theories and supergravity": "old-style-id.xml",
    "broken on purpose": "api-error.xml",
}

SWE_BENCH = """\
# Picked for the agents reading group.
title: "SWE-bench: Can Language Models Resolve Real-World GitHub Issues?"
authors: [Carlos E. Jimenez, John Yang]
added: 2024-01-15
tags: [agents]  # benchmark
# votes: 42
"""


@dataclass
class Seen:
    """One request the fake API received."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]
    at: float | None


class FakeClock:
    """Monotonic time that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass
class FakeArxiv:
    """The stand-in API: its URL, what it received, and knobs to make it fail."""

    url: str = ""
    requests: list[Seen] = field(default_factory=list)
    clock: FakeClock | None = None
    fail_with: dict[str, int] = field(default_factory=dict)  # phrase -> HTTP status

    def phrases(self) -> list[str]:
        return [seen.query["search_query"] for seen in self.requests]


def _handler(fake: FakeArxiv) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            params = dict(urllib.parse.parse_qsl(query))
            fake.requests.append(
                Seen(path, params, dict(self.headers), fake.clock() if fake.clock else None)
            )
            phrase = params.get("search_query", "").removeprefix('ti:"').removesuffix('"')
            status = fake.fail_with.get(phrase.casefold(), 200)
            name = ANSWERS.get(phrase.casefold(), "no-results.xml")
            body = (FIXTURES / name).read_bytes() if status == 200 else b"Service Unavailable"
            self.send_response(status)
            self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # keep test output clean
            pass

    return Handler


@pytest.fixture
def arxiv() -> Iterator[FakeArxiv]:
    fake = FakeArxiv()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/api/query"
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(autouse=True)
def _own_cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache per test: a port reused by a later test must not hit an earlier answer."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


@pytest.fixture
def shelf(project, monkeypatch):
    """The throwaway project as the working directory, like a contributor's checkout."""
    monkeypatch.chdir(project.root)
    return project


def find(arxiv: FakeArxiv, *extra: str) -> int:
    return main(["links", "--find-arxiv", "--api-url", arxiv.url, "--delay", "0", *extra])


def test_a_unique_match_fills_the_link_and_keeps_every_other_byte(shelf, arxiv, capsys):
    path = shelf.paper("swe-bench", SWE_BENCH)
    assert find(arxiv) == 0
    out = capsys.readouterr().out
    assert path.read_text(encoding="utf-8") == SWE_BENCH + 'links:\n  arxiv: "2310.06770"\n'
    assert out == (
        "papers/swe-bench.yaml: arXiv 2310.06770\n1 entries updated, 0 without a match, 0 ambiguous\n"
    )
    [seen] = arxiv.requests
    assert seen.path == "/api/query"
    assert seen.query == {
        "search_query": 'ti:"SWE bench Can Language Models Resolve Real World GitHub Issues"',
        "max_results": "10",
    }


def test_the_updated_entries_validate(shelf, arxiv, capsys):
    shelf.paper("swe-bench", SWE_BENCH)
    shelf.paper(
        "maldacena",
        """\
        title: The large N limit of superconformal field theories and supergravity
        added: 2024-02-01
        tags: [reasoning]
        """,
    )
    assert find(arxiv) == 0
    assert main(["validate"]) == 0
    assert "2 papers OK" in capsys.readouterr().out
    vocabulary = load_vocabulary(shelf.tags_file)[0]
    paper, problems = load_entry(shelf.papers / "maldacena.yaml", vocabulary)
    assert problems == []
    assert paper is not None and paper.links.arxiv == "hep-th/9711200"  # old-style id


def test_a_title_differing_in_case_punctuation_and_spaces_matches(shelf, arxiv, capsys):
    path = shelf.paper(
        "swe-bench",
        """\
        title: swe bench -- can language models resolve REAL WORLD  github issues
        added: 2024-01-15
        tags: [agents]
        """,
    )
    assert find(arxiv) == 0
    assert path.read_text(encoding="utf-8").endswith('\nlinks:\n  arxiv: "2310.06770"\n')
    assert "papers/swe-bench.yaml: arXiv 2310.06770" in capsys.readouterr().out


def test_no_match_leaves_the_file_untouched(shelf, arxiv, capsys):
    path = shelf.paper(
        "nobody",
        """\
        title: A Paper Nobody Wrote
        added: 2024-01-15
        tags: [agents]
        """,
    )
    before = path.read_bytes()
    assert find(arxiv) == 0
    assert path.read_bytes() == before
    assert capsys.readouterr().out == (
        "papers/nobody.yaml: no match\n0 entries updated, 1 without a match, 0 ambiguous\n"
    )


def test_a_search_result_with_a_longer_title_is_not_a_match(shelf, arxiv, capsys):
    """arXiv's phrase search also finds "SWE-agent"-style neighbours; only equal titles count."""
    path = shelf.paper(
        "swe",
        """\
        title: "SWE-bench: Can Language Models Resolve Real-World GitHub Issues? Part 2"
        added: 2024-01-15
        tags: [agents]
        """,
    )
    before = path.read_bytes()
    assert find(arxiv) == 0
    assert path.read_bytes() == before
    assert "papers/swe.yaml: no match" in capsys.readouterr().out


def test_two_papers_with_the_same_title_are_ambiguous(shelf, arxiv, capsys):
    path = shelf.paper(
        "scaling-laws",
        """\
        title: Scaling Laws
        added: 2024-01-15
        tags: [reasoning]
        """,
    )
    before = path.read_bytes()
    assert find(arxiv) == 0
    assert path.read_bytes() == before
    assert capsys.readouterr().out == (
        "papers/scaling-laws.yaml: ambiguous: 2 papers with this title (2401.00001, 2401.00002)\n"
        "0 entries updated, 0 without a match, 1 ambiguous\n"
    )


def test_an_entry_that_already_has_an_arxiv_link_is_not_looked_up(shelf, arxiv, capsys):
    shelf.paper(
        "linked",
        """\
        title: Scaling Laws
        added: 2024-01-15
        tags: [reasoning]
        links:
          arxiv: "2001.08361"
        """,
    )
    assert find(arxiv) == 0
    assert arxiv.requests == []
    assert capsys.readouterr().out == "0 entries updated, 0 without a match, 0 ambiguous\n"


def test_an_existing_links_block_gets_the_arxiv_line_first_with_its_indentation(shelf, arxiv):
    text = """\
title: "SWE-bench: Can Language Models Resolve Real-World GitHub Issues?"
added: 2024-01-15
tags: [agents]
links:  # where to read it
    # the benchmark's code
    code: https://github.com/princeton-nlp/SWE-bench
    project: https://www.swebench.com
votes: 7
"""
    path = shelf.paper("swe-bench", text)
    assert find(arxiv) == 0
    assert path.read_text(encoding="utf-8") == text.replace(
        "links:  # where to read it\n", 'links:  # where to read it\n    arxiv: "2310.06770"\n'
    )


def test_a_markdown_entry_gets_the_link_at_the_end_of_its_front_matter(shelf, arxiv):
    text = """\
---
title: "SWE-bench: Can Language Models Resolve Real-World GitHub Issues?"
added: 2024-01-15
tags: [agents]
# votes: 42
---

Worth reading with **SWE-agent**.

---

A horizontal rule above, not front matter.
"""
    path = shelf.paper("swe-bench", text, suffix=".md")
    assert find(arxiv) == 0
    assert path.read_text(encoding="utf-8") == text.replace(
        "# votes: 42\n---\n", '# votes: 42\nlinks:\n  arxiv: "2310.06770"\n---\n', 1
    )
    paper, problems = load_entry(path, load_vocabulary(shelf.tags_file)[0])
    assert problems == []
    assert paper is not None and paper.notes.startswith("Worth reading")


def test_dry_run_writes_nothing_and_says_what_it_would_do(shelf, arxiv, capsys):
    path = shelf.paper("swe-bench", SWE_BENCH)
    assert find(arxiv, "--dry-run") == 0
    assert path.read_text(encoding="utf-8") == SWE_BENCH
    assert capsys.readouterr().out == (
        "papers/swe-bench.yaml: arXiv 2310.06770 (dry run: not written)\n"
        "dry run, nothing written: 1 entries would be updated, 0 without a match, 0 ambiguous\n"
    )
    assert [p.name for p in shelf.papers.iterdir()] == ["swe-bench.yaml"]  # no temporary file


def test_running_twice_changes_nothing_the_second_time(shelf, arxiv, capsys):
    path = shelf.paper("swe-bench", SWE_BENCH)
    assert find(arxiv) == 0
    once = path.read_bytes()
    assert find(arxiv) == 0
    assert path.read_bytes() == once
    assert len(arxiv.requests) == 1
    assert capsys.readouterr().out.endswith("0 entries updated, 0 without a match, 0 ambiguous\n")


def test_the_second_run_is_answered_from_the_cache(shelf, arxiv, capsys):
    shelf.paper("scaling-laws", "title: Scaling Laws\nadded: 2024-01-15\ntags: [reasoning]\n")
    assert find(arxiv) == 0
    assert find(arxiv) == 0
    assert len(arxiv.requests) == 1
    assert capsys.readouterr().out.count("ambiguous: 2 papers with this title") == 2


def test_no_cache_asks_again(shelf, arxiv):
    shelf.paper("scaling-laws", "title: Scaling Laws\nadded: 2024-01-15\ntags: [reasoning]\n")
    assert find(arxiv) == 0
    assert find(arxiv, "--no-cache") == 0
    assert len(arxiv.requests) == 2


def test_cached_answers_expire_after_a_week(shelf, arxiv, tmp_path):
    shelf.paper("scaling-laws", "title: Scaling Laws\nadded: 2024-01-15\ntags: [reasoning]\n")
    assert find(arxiv) == 0
    [cached] = (tmp_path / "user-cache").rglob("*.xml")
    eight_days_ago = time.time() - 8 * 24 * 3600
    os.utime(cached, (eight_days_ago, eight_days_ago))
    assert find(arxiv) == 0
    assert len(arxiv.requests) == 2


def test_requests_are_spaced_by_the_delay_and_cached_answers_need_no_wait(shelf, arxiv):
    for slug in ("one", "two", "three"):
        shelf.paper(slug, f"title: Paper {slug}\nadded: 2024-01-15\ntags: [agents]\n")
    clock = FakeClock()
    arxiv.clock = clock

    def run(*argv: str) -> int:
        parser = argparse.ArgumentParser()
        links.add_arguments(parser)
        args = parser.parse_args(["--find-arxiv", "--api-url", arxiv.url, *argv])
        return links.run(args, clock=clock, sleep=clock.sleep)

    assert run("--delay", "5") == 0
    times = [seen.at for seen in arxiv.requests]
    assert times == [1000.0, 1005.0, 1010.0]
    assert clock.sleeps == [5.0, 5.0]
    assert run() == 0  # default delay, but every answer is cached
    assert len(arxiv.requests) == 3
    assert clock.sleeps == [5.0, 5.0]


def test_the_default_delay_is_three_seconds():
    parser = argparse.ArgumentParser()
    links.add_arguments(parser)
    assert parser.parse_args(["--find-arxiv"]).delay == 3.0
    with pytest.raises(SystemExit):
        parser.parse_args(["--find-arxiv", "--delay", "-1"])


def test_requests_name_papershelf_its_version_and_a_url(shelf, arxiv):
    shelf.paper("scaling-laws", "title: Scaling Laws\nadded: 2024-01-15\ntags: [reasoning]\n")
    assert find(arxiv) == 0
    agent = arxiv.requests[0].headers["User-Agent"]
    assert agent.startswith("papershelf/0.1.0 (+https://")
    assert agent == links.user_agent()


def test_an_unreachable_api_stops_with_one_line_and_changes_nothing(shelf, capsys):
    path = shelf.paper("swe-bench", SWE_BENCH)
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/api/query"
    assert main(["links", "--find-arxiv", "--api-url", url]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"papershelf links: cannot reach the arXiv API at {url} (Connection refused); "
        "nothing was changed\n"
    )
    assert path.read_text(encoding="utf-8") == SWE_BENCH


def test_a_failure_midway_keeps_the_links_already_written_and_says_how_many(shelf, arxiv, capsys):
    shelf.paper("a-swe-bench", SWE_BENCH)
    later = shelf.paper("b-scaling", "title: Scaling Laws\nadded: 2024-01-15\ntags: [reasoning]\n")
    before = later.read_bytes()
    arxiv.fail_with["scaling laws"] = 503
    assert find(arxiv) == 1
    captured = capsys.readouterr()
    assert captured.out == "papers/a-swe-bench.yaml: arXiv 2310.06770\n"
    assert captured.err == (
        f"papershelf links: cannot reach the arXiv API at {arxiv.url} "
        "(HTTP 503 Service Unavailable); 1 entries were updated before it failed\n"
    )
    assert '  arxiv: "2310.06770"' in (shelf.papers / "a-swe-bench.yaml").read_text()
    assert later.read_bytes() == before


def test_an_error_answer_from_the_api_stops_the_run(shelf, arxiv, capsys):
    shelf.paper("broken", "title: Broken on purpose\nadded: 2024-01-15\ntags: [agents]\n")
    assert find(arxiv) == 1
    assert capsys.readouterr().err == (
        f"papershelf links: cannot reach the arXiv API at {arxiv.url} (it answered with an "
        "error: incorrect id format for 1234.12345v); nothing was changed\n"
    )


def test_entries_with_problems_are_reported_and_skipped_the_rest_proceeds(shelf, arxiv, capsys):
    shelf.paper("broken", "title: Scaling Laws\nadded: 2024-01-15\ntags: [no-such-tag]\n")
    good = shelf.paper("swe-bench", SWE_BENCH)
    assert find(arxiv) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("papers/broken.yaml:3: tags")
    assert captured.out == (
        "papers/swe-bench.yaml: arXiv 2310.06770\n"
        "1 entries updated, 0 without a match, 0 ambiguous, "
        "1 problem in entries skipped (see papershelf validate)\n"
    )
    assert [seen.query["search_query"] for seen in arxiv.requests] == [
        'ti:"SWE bench Can Language Models Resolve Real World GitHub Issues"'
    ]
    assert good.read_text(encoding="utf-8").endswith('arxiv: "2310.06770"\n')


def test_only_the_given_paths_are_looked_up(shelf, arxiv):
    shelf.paper("swe-bench", SWE_BENCH)
    shelf.paper("scaling-laws", "title: Scaling Laws\nadded: 2024-01-15\ntags: [reasoning]\n")
    assert find(arxiv, "papers/scaling-laws.yaml") == 0
    assert arxiv.phrases() == ['ti:"Scaling Laws"']


def test_an_id_another_entry_already_links_to_is_not_given_twice(shelf, arxiv, capsys):
    shelf.paper(
        "swe-bench-v1",
        """\
        title: SWE-bench (first version)
        added: 2023-10-11
        tags: [agents]
        links:
          arxiv: "2310.06770v1"
        """,
    )
    path = shelf.paper("swe-bench", SWE_BENCH)
    assert find(arxiv) == 1
    assert path.read_text(encoding="utf-8") == SWE_BENCH
    assert (
        "papers/swe-bench.yaml: arXiv 2310.06770 found but not added: "
        "papers/swe-bench-v1.yaml already links to it\n"
    ) in capsys.readouterr().out


def test_the_papershelf_command_lists_links_and_requires_the_action(capsys):
    with pytest.raises(SystemExit) as listed:
        main(["--help"])
    assert listed.value.code == 0
    assert "links" in capsys.readouterr().out
    with pytest.raises(SystemExit) as missing:
        main(["links"])
    assert missing.value.code == 2
    assert "--find-arxiv" in capsys.readouterr().err


# --- the pure parts ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://arxiv.org/abs/2310.06770v2", "2310.06770"),
        ("https://arxiv.org/abs/2310.06770", "2310.06770"),
        ("http://arxiv.org/abs/0704.0001v1", "0704.0001"),
        ("http://arxiv.org/abs/hep-th/9901001v1", "hep-th/9901001"),
        ("http://arxiv.org/abs/math.AG/0309136v2", "math.AG/0309136"),
        ("http://arxiv.org/api/errors#incorrect_id_format_for_1234.12345v", None),
        ("http://example.org/abs/2310.06770v2", None),
    ],
)
def test_arxiv_ids_drop_the_version(url, expected):
    assert links.arxiv_id_from_url(url) == expected


def test_the_query_quotes_the_title_words_as_one_phrase():
    url = links.query_url("https://export.arxiv.org/api/query", 'Say "No" & (Mean) It: 100%?')
    base, _, query = url.partition("?")
    assert base == "https://export.arxiv.org/api/query"
    assert urllib.parse.parse_qs(query) == {
        "search_query": ['ti:"Say No Mean It 100"'],
        "max_results": ["10"],
    }
    assert " " not in url and '"' not in url


def test_matching_compares_titles_as_duplicates_are_compared():
    results = [
        links.Result("2401.00001", "Tülu 3:\n  Pushing Frontiers"),
        links.Result("2401.00001", "TÜLU 3 - pushing frontiers"),  # another version
        links.Result("2401.00009", "Tulu 3 pushing frontiers"),  # no diacritic: another title
    ]
    assert links.matching_ids("TÜLU 3: Pushing Frontiers", results) == ["2401.00001"]
    assert links.matching_ids("!!!", [links.Result("2401.00002", "???")]) == []


def test_parsing_refuses_what_is_not_an_arxiv_feed():
    with pytest.raises(links.ApiError, match="not an Atom feed"):
        links.parse_feed(b"<html><body>Please log in to the wifi</body></html>")
    with pytest.raises(links.ApiError, match="not an Atom feed"):
        links.parse_feed((FIXTURES / "swe-bench.xml").read_bytes()[:-200])  # truncated
    assert links.parse_feed((FIXTURES / "no-results.xml").read_bytes()) == []


def test_editing_keeps_crlf_a_bom_and_a_missing_final_newline():
    text = "\ufefftitle: X\r\nadded: 2024-01-15\r\ntags: [agents]\r\n"
    assert links.add_arxiv_link(text, ".yaml", "2310.06770") == (
        '\ufefftitle: X\r\nadded: 2024-01-15\r\ntags: [agents]\r\nlinks:\r\n  arxiv: "2310.06770"\r\n'
    )
    assert links.add_arxiv_link("title: X\ntags: [a]  # end", ".yaml", "2310.06770") == (
        'title: X\ntags: [a]  # end\nlinks:\n  arxiv: "2310.06770"\n'
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("title: X\nlinks: {code: 'https://x.org'}\n", "one link per line"),
        ("title: X\nlinks:\n  arxiv:\n  code: https://x.org\n", "already there"),
        ("title: X\r\nadded: 2024-01-15\n", "mixes line endings"),
    ],
)
def test_editing_refuses_layouts_it_would_have_to_guess_at(text, reason):
    with pytest.raises(PatchError, match=reason):
        links.add_arxiv_link(text, ".yaml", "2310.06770")


def test_an_empty_links_field_becomes_the_block():
    assert links.add_arxiv_link("title: X\nlinks:\nvotes: 3\n", ".yaml", "2310.06770") == (
        'title: X\nlinks:\n  arxiv: "2310.06770"\nvotes: 3\n'
    )


def test_terminal_output_cannot_carry_escape_sequences():
    assert links.terminal_safe("papers/x.yaml: \x1b[2J\u202egnp.exe\n") == (
        "papers/x.yaml: \\x1b[2J\\u202egnp.exe\\n"
    )


def test_a_silent_api_times_out_with_the_reason():
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/api/query"
        client = links.ArxivClient(url, timeout=0.2)
        with pytest.raises(links.ApiError, match=r"^no answer within 0\.2 s$"):
            client.search_title("Scaling Laws")


def test_an_edit_the_loader_would_read_differently_is_refused(shelf, arxiv, capsys):
    text = SWE_BENCH + "...\n"  # a document end: anything after it is a second document
    path = shelf.paper("swe-bench", text)
    assert find(arxiv) == 1
    assert path.read_text(encoding="utf-8") == text
    assert capsys.readouterr().out.startswith(
        "papers/swe-bench.yaml: arXiv 2310.06770 found but not added: the edited file would "
        "not validate: "
    )


def test_a_file_edited_during_the_lookup_is_not_overwritten(shelf):
    path = shelf.paper("swe-bench", SWE_BENCH)
    vocabulary = load_vocabulary(shelf.tags_file)[0]
    paper, _ = load_entry(path, vocabulary)
    assert paper is not None
    edited = SWE_BENCH.replace("added: 2024-01-15", "added: 2024-01-16").encode()
    with pytest.raises(PatchError, match="changed during the lookup"):
        links.checked_update(path, edited, paper, "2310.06770", vocabulary)


def test_a_markdown_entry_with_a_links_block_gets_the_line_inside_it():
    text = "---\n\ntitle: X\nlinks:\n  code: https://x.org\n---\n\nlinks:\n  not: front matter\n"
    assert links.add_arxiv_link(text, ".md", "2310.06770") == text.replace(
        "links:\n  code", 'links:\n  arxiv: "2310.06770"\n  code', 1
    )

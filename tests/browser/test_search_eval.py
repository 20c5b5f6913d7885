"""``papershelf search-eval`` end to end on a tiny list of its own (never the shipped
papers/): the relevant sets come from the rules, the metrics from what the site's search
box (and Pagefind, when installed) show in Chromium."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from build_tools import search_eval
from tests.conftest import curator_checkout

TAGS_YML = """\
agents:
  title: Agents
  description: Language-model agents.
training:
  title: Training
  description: How models are trained.
vision:
  title: Vision
  description: Seeing things.
"""

PAPERS = {
    "zebrafish-agents": """\
        title: Agents That Navigate Like Zebrafish
        authors: [Quetzalcoatl Okonkwo, Ada Lovelace]
        organization: DeepMind
        added: 2025-02-01
        tags: [agents]
        abstract: Larval zebrafish explore unfamiliar tanks; agents that browse can too.
        """,
    "low-rank-adapters": """\
        title: Low-Rank Adapters for Small Models
        added: 2025-01-20
        tags: [training]
        abstract: Parameter-efficient fine-tuning of small models with adapters.
        """,
    "finetuning-survey": """\
        title: A Survey of Finetuning Methods
        added: 2025-01-15
        tags: [training]
        abstract: Every way we know to adapt a trained model to a new task.
        """,
    "careful-vision": """\
        title: A Careful Study of Vision Transformers
        authors: [Grace Hopper]
        added: 2025-01-10
        tags: [vision]
        abstract: Vision transformers, measured carefully on many benchmarks.
        """,
    "pretraining-mixtures": """\
        title: Data Mixtures for Pretraining
        added: 2025-01-05
        tags: [training]
        abstract: Which data to pretrain a language model on, and in what proportions.
        """,
    "planning-agents": """\
        title: Planning With Language-Model Agents
        added: 2025-01-01
        tags: [agents]
        abstract: Agents that plan several steps ahead before calling a tool.
        """,
}

QUERIES_YML = r"""
queries:
  - query: zebrafish
    category: single-word
    relevant: '\bzebrafish\b'
  - query: Okonkwo
    category: author
    fields: [authors]
    relevant: '\bokonkwo\b'
  - query: fine-tuning
    category: hyphenation
    relevant: '\bfine[-\s]?tun(e|ed|ing)\b'
  - query: xqzvkj
    category: typo
    relevant: '\bvision\b'
  - query: robots
    category: single-word
    relevant: '\brobots?\b'
"""


def test_score_follows_the_definitions() -> None:
    relevant = {"a", "b", "c"}
    first = search_eval.score(["a", "x", "b"], relevant)
    assert first["recall_at_10"] == pytest.approx(2 / 3)
    assert first["precision_at_10"] == pytest.approx(2 / 3)
    assert first["reciprocal_rank"] == 1.0
    assert first["relevant_ranks"] == [1, 3]
    later = search_eval.score(["x", "y", "c"], relevant)
    assert later["reciprocal_rank"] == pytest.approx(1 / 3)
    assert later["first_relevant_rank"] == 3
    none = search_eval.score([], relevant)
    assert none["no_result"] and none["reciprocal_rank"] == 0.0 == none["precision_at_10"]
    # Recall is capped at 10 relevant papers: ten hits of twenty relevant is 1.0.
    many = {f"p{n}" for n in range(20)}
    full = search_eval.score([f"p{n}" for n in range(12)], many)
    assert full["recall_at_10"] == 1.0 and full["recall_at_10_uncapped"] == 0.5
    summary = search_eval.summarize([first, later, none])
    assert summary["mrr"] == pytest.approx((1 + 1 / 3 + 0) / 3, abs=1e-4)
    assert summary["no_result"] == 1


def test_result_links_are_site_paths() -> None:
    base = "http://127.0.0.1:8000/"
    assert search_eval.site_path("http://127.0.0.1:8000/papers/x/#abstract", base) == "papers/x/"
    assert search_eval.site_path("/papers/x/index.html", base) == "papers/x/"


def test_search_eval_end_to_end(tmp_path: Path) -> None:
    project = curator_checkout(tmp_path / "list", TAGS_YML)
    for slug, text in PAPERS.items():
        project.paper(slug, text)
    queries = tmp_path / "queries.yml"
    queries.write_text(QUERIES_YML, encoding="utf-8")
    out = tmp_path / "eval.json"
    pagefind = importlib.util.find_spec("pagefind") is not None
    engines = "papershelf,pagefind" if pagefind else "papershelf"
    arguments = ["search-eval", "--project", str(project.root), "--queries", str(queries)]
    # In a process of its own: it drives Chromium with Playwright's sync API, which
    # cannot start while this session's browser fixtures hold theirs.
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "build_tools.cli",
            *arguments,
            "--out",
            str(out),
            "--engines",
            engines,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))

    # Relevance comes from the rules over the entries, whatever any engine does.
    relevant = {query["query"]: set(query["relevant"]) for query in report["queries"]}
    assert relevant == {
        "zebrafish": {"papers/zebrafish-agents/"},
        "Okonkwo": {"papers/zebrafish-agents/"},
        "fine-tuning": {"papers/low-rank-adapters/", "papers/finetuning-survey/"},
        "xqzvkj": {"papers/careful-vision/"},
    }
    assert report["skipped_no_relevant"] == ["robots"]
    assert report["papers"] == len(PAPERS)

    for name in engines.split(","):
        result = report["engines"][name]
        rows = {row["query"]: row for row in result["queries"]}
        assert result["timed_out"] == []
        # A query whose only relevant paper is the only one matching: found first.
        for query in ("zebrafish", "Okonkwo") if name == "papershelf" else ("zebrafish",):
            row = rows[query]
            assert row["results"][0] == "papers/zebrafish-agents/", (name, row)
            assert row["reciprocal_rank"] == 1.0 and row["recall_at_10"] == 1.0
            assert row["gzip_bytes"] > 0 and row["requests"] > 0
        # A word no paper has: no result, nothing found.
        nonsense = rows["xqzvkj"]
        assert nonsense["results"] == [] and nonsense["no_result"]
        assert nonsense["reciprocal_rank"] == 0.0 == nonsense["recall_at_10"]
        # Whatever the engine found for the others, the metrics match its results.
        for row in result["queries"]:
            found = [url for url in row["results"] if url in relevant[row["query"]]]
            assert row["relevant_found"] == len(found)
            assert row["recall_at_10"] == len(found) / min(len(relevant[row["query"]]), 10)
        summary = result["summary"]
        assert summary["queries"] == 4 and summary["no_result"] >= 1
        mean_rr = sum(row["reciprocal_rank"] for row in result["queries"]) / 4
        assert summary["mrr"] == pytest.approx(mean_rr, abs=1e-4)
        assert result["categories"]["author"]["queries"] == 1
        assert result["first_search"]["gzip_bytes_median"] > 0
    papershelf = {row["query"]: row for row in report["engines"]["papershelf"]["queries"]}
    assert papershelf["zebrafish"]["message"]  # the panel says something besides the links
    if pagefind:
        assert report["engines"]["pagefind"]["index"]["pages"] == len(PAPERS)

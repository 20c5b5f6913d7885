"""``papershelf related-eval``: how good the related papers are, method by method.

No reader has judged which papers are related, so the figure is a proxy: the share of
shown pairs (a paper and one of its related papers) that have a tag in common, against
the share among all pairs of papers (what a random pick would give). It favours the
methods that read tags, so the report also shows, for every method, how many papers
get no related paper at all and a few papers with their lists, to be read by a person.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from papershelf.entries.loader import load_project
from papershelf.entries.model import Paper
from papershelf.site import related

HELP = "Compare the related-paper methods on a list (share of related pairs sharing a tag)."
METHODS = {
    "title and abstract": related.TEXT_ONLY,
    "title, abstract and tags (used)": related.METHOD,
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--papers", type=Path, default=Path("papers"), help="entries folder")
    parser.add_argument("--tags", type=Path, default=Path("tags.yml"), help="tag vocabulary")
    parser.add_argument("--examples", type=int, default=3, help="papers shown with their lists")
    parser.add_argument("--seed", type=int, default=0, help="which papers are shown")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")


def shares_a_tag(papers: Sequence[Paper], lists: dict[str, tuple[str, ...]]) -> float | None:
    """The share of shown pairs whose papers have a tag in common (None: no pair)."""
    tags = {paper.slug: set(paper.tags) for paper in papers}
    pairs = [(slug, other) for slug, others in lists.items() for other in others]
    if not pairs:
        return None
    return sum(1 for slug, other in pairs if tags[slug] & tags[other]) / len(pairs)


def random_pairs_share(papers: Sequence[Paper]) -> float | None:
    """The share of all pairs of distinct papers with a tag in common: what related
    papers picked at random would give (counted by sets of tags, not pair by pair)."""
    if len(papers) < 2:
        return None
    sets = list(Counter(frozenset(paper.tags) for paper in papers).items())
    shared = 0
    for index, (tags, count) in enumerate(sets):
        if tags:
            shared += count * (count - 1) // 2
        shared += sum(count * other for others, other in sets[index + 1 :] if tags & others)
    return shared / (len(papers) * (len(papers) - 1) / 2)


def evaluate(papers: Sequence[Paper], examples: int, seed: int) -> dict[str, Any]:
    shown = random.Random(seed).sample(
        sorted(papers, key=lambda p: p.slug), min(examples, len(papers))
    )
    titles = {paper.slug: paper.title for paper in papers}
    report: dict[str, Any] = {
        "papers": len(papers),
        "random_pairs_share_a_tag": random_pairs_share(papers),
    }
    methods = []
    for name, method in METHODS.items():
        start = time.perf_counter()
        lists = related.related_slugs(papers, method)
        seconds = time.perf_counter() - start
        methods.append(
            {
                "method": name,
                "settings": asdict(method),
                "share_a_tag": shares_a_tag(papers, lists),
                "papers_without_related": sum(1 for others in lists.values() if not others),
                "average_shown": sum(map(len, lists.values())) / max(1, len(lists)),
                "seconds": seconds,
                "examples": [
                    {"paper": paper.title, "related": [titles[slug] for slug in lists[paper.slug]]}
                    for paper in shown
                ],
            }
        )
    report["methods"] = methods
    return report


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f} %"


def print_report(report: dict[str, Any]) -> None:
    any_two = _percent(report["random_pairs_share_a_tag"])
    print(f"{report['papers']} papers; any two share a tag: {any_two}")
    print()
    print("| method | related sharing a tag | papers without related | shown per paper | seconds |")
    print("|---|---|---|---|---|")
    for method in report["methods"]:
        print(
            f"| {method['method']} | {_percent(method['share_a_tag'])} "
            f"| {method['papers_without_related']} | {method['average_shown']:.1f} "
            f"| {method['seconds']:.2f} |"
        )
    for method in report["methods"]:
        print(f"\n## {method['method']}")
        for example in method["examples"]:
            print(f"\n{example['paper']}")
            for title in example["related"] or ["(none)"]:
                print(f"  - {title}")


def run(args: argparse.Namespace) -> int:
    result = load_project(args.papers, args.tags)
    if result.problems:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        return 1
    report = evaluate(result.papers, args.examples, args.seed)
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print_report(report)
    return 0

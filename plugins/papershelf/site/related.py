"""Related papers: for each paper, the few others of the list whose text is most alike.

TF-IDF cosine over title, abstract and tags (Snowball stems, the search index's;
each tag a term of its own). Measured on the shipped list against title and
abstract alone (``papershelf related-eval``; README, "Related papers"): with tags,
more of the papers shown share a topic with the paper, and a rare tag links the
papers of a niche that use different words.

The all-pairs products are sparse matrix products (SciPy): a Python loop over the
postings would take seconds at 10,000 papers, a dense matrix of 10,000² floats
800 MB. Each paper keeps only its most telling terms, as Lucene's MoreLikeThis does,
and terms in too many papers are left out, which bounds the products' work at any
size of list.
"""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from papershelf.entries.model import Paper
from papershelf.site.stemming import ASCII_SPACES, stems

LIMIT = 5  # related papers shown on a paper page


@dataclass(frozen=True)
class Method:
    """How papers are compared; :data:`METHOD` is the one the site uses."""

    tag_terms: float = 3.0  # each tag is a term of the vector, counted this many times
    threshold: float = 0.15  # scores below it are not shown: nothing rather than noise
    terms_kept: int = 30  # per paper, its highest-weighted terms
    max_share: float = 0.1  # terms in more of the papers than this say little of a topic
    max_papers: int = 250  # nor terms in more papers than this (bounds the work at any size)
    small_list: int = 10  # but a term may always be in this many (a short list has few)
    title_weight: int = 2  # a title word counts as this many abstract words


METHOD = Method()
TEXT_ONLY = Method(tag_terms=0.0)


# Words that say nothing of a paper's topic; the rest of the common words the
# document-frequency cut (Method.max_share) removes on any list large enough.
_STOP_WORDS = """
    a about above across after again against all almost also although am among an and
    any are as at be because been before being below between both but by can could did
    do does doing done down during each either et etc even ever every few for from
    further had has have having he her here hers herself him his how however i if in
    into is it its itself just less many may me might more most much must my neither no
    nor not now of off often on once one only or other our ours out over own per rather
    same several she should show shows shown since so some such than that the their
    theirs them then there therefore these they this those though three through thus
    to too two under until up upon us use used uses using very via was we were what
    when where whether which while who whom whose why will with within without would
    yet you your paper propose proposed proposes present presents introduce introduces
    approach approaches method methods new novel result results work based
    """
STOP_WORDS = frozenset(_STOP_WORDS.split())
_WORD = re.compile(r"[^\W_]+")  # letters and digits


def _words(text: str) -> list[str]:
    """A text's words, lowercased, in order."""
    if text.isascii():  # most text: split once in C (as site.search.words_of does)
        return text.encode().lower().translate(ASCII_SPACES).decode().split()
    return _WORD.findall(text.lower())


def paper_terms(paper: Paper, method: Method = METHOD) -> Counter[str]:
    """A paper's terms with their counts: the stems of the telling words of its title
    (each counted ``title_weight`` times) and abstract, and its tags when the method
    counts them as terms (``#id``, which no word can be). Not remembered between builds
    (as search words are): at 10,000 papers that took 60 MB, for a second saved in a
    serve rebuild."""
    words = Counter(_words(paper.abstract))
    for word in _words(paper.title):
        words[word] += method.title_weight
    telling = [
        word for word in words if len(word) > 1 and not word[0].isdigit() and word not in STOP_WORDS
    ]
    terms: Counter[str] = Counter()
    for word, root in zip(telling, stems(telling), strict=True):
        terms[root] += words[word]
    if method.tag_terms:
        for tag in paper.tags:
            terms[f"#{tag}"] += method.tag_terms
    return terms


@dataclass(frozen=True)
class Relations:
    """Each paper's related papers by slug, best first; and in how many papers each
    term is (what :func:`keeps_relations` needs to tell that an edit changes none)."""

    related: dict[str, tuple[str, ...]]
    frequencies: dict[str, int]


def related_slugs(
    papers: Sequence[Paper], method: Method = METHOD, limit: int = LIMIT
) -> dict[str, tuple[str, ...]]:
    """Each paper's related papers by slug, best first, ties by slug; a paper with
    none above the threshold has none. Deterministic: the same papers give the same
    lists, in any order."""
    return relations(papers, method, limit).related


def relations(papers: Sequence[Paper], method: Method = METHOD, limit: int = LIMIT) -> Relations:
    """:func:`related_slugs`, with the terms' document frequencies."""
    ordered = sorted(papers, key=lambda paper: paper.slug)
    # The papers' terms as flat arrays of machine numbers (a term's number, its count,
    # where each paper's terms begin): at 10,000 papers a Counter per paper held
    # 60 MB more, and the build's helpers are forked with it.
    vocabulary: dict[str, int] = {}
    columns, counts, bounds = array("l"), array("d"), array("l", [0])
    for paper in ordered:
        terms_ = paper_terms(paper, method)
        columns.extend([vocabulary.setdefault(term, len(vocabulary)) for term in terms_])
        counts.extend(terms_.values())
        bounds.append(len(columns))
    # Imported here: NumPy and SciPy take a tenth of a second to import, which quick
    # builds (that only check an edit with keeps_relations) need not pay.
    from papershelf.site.similarity import Terms, nearest

    terms = Terms(columns, counts, bounds, len(vocabulary))
    found = nearest(terms, method, limit)
    in_papers = terms.document_frequencies()
    frequencies = {term: in_papers[number] for term, number in sorted(vocabulary.items())}
    related = {
        paper.slug: tuple(ordered[other].slug for other in others)
        for paper, others in zip(ordered, found, strict=True)
    }
    return Relations(related, frequencies)


def keeps_relations(
    old: Paper, new: Paper, frequencies: dict[str, int], count: int, method: Method = METHOD
) -> bool:
    """Whether an edit of a paper (``old`` -> ``new``, on a list of ``count`` papers
    whose terms are in ``frequencies`` papers) leaves every paper's related papers as
    they were: every term whose count changed (a word of the title or the abstract, a
    tag) says nothing, before and after (it is in fewer than two papers, or in too
    many, :func:`telling`), so no paper's vector changes. A quick build that cannot
    tell builds in full."""
    return _keeps(paper_terms(old, method), paper_terms(new, method), frequencies, count, method)


def edited_frequencies(old: Paper, new: Paper, frequencies: dict[str, int]) -> None:
    """Update ``frequencies`` (:attr:`Relations.frequencies`) for an edit of a paper."""
    _count_edit(paper_terms(old), paper_terms(new), frequencies)


def count_edit(
    old: Paper, new: Paper, frequencies: dict[str, int], count: int, method: Method = METHOD
) -> bool:
    """:func:`keeps_relations`, then, if it does, :func:`edited_frequencies`, with the
    paper's terms worked out once; ``frequencies`` are left as they were if not."""
    before, after = paper_terms(old, method), paper_terms(new, method)
    if not _keeps(before, after, frequencies, count, method):
        return False
    _count_edit(before, after, frequencies)
    return True


def same_terms(old: Paper, new: Paper) -> bool:
    """Whether an edit leaves a paper's terms as they were, without working them out:
    they are made of its title, abstract and tags alone."""
    return (old.title, old.abstract, old.tags) == (new.title, new.abstract, new.tags)


def _keeps(
    before: Counter[str],
    after: Counter[str],
    frequencies: dict[str, int],
    count: int,
    method: Method,
) -> bool:
    if before == after:
        return True
    most = most_papers(count, method)
    for term in before.keys() | after.keys():
        if before[term] == after[term]:
            continue
        then = frequencies.get(term, 0)
        now = then - (term in before) + (term in after)
        if telling(then, most) or telling(now, most):
            return False
    return True


def _count_edit(before: Counter[str], after: Counter[str], frequencies: dict[str, int]) -> None:
    for term in before.keys() - after.keys():
        left = frequencies.get(term, 0) - 1
        if left > 0:
            frequencies[term] = left
        else:
            frequencies.pop(term, None)
    for term in after.keys() - before.keys():
        frequencies[term] = frequencies.get(term, 0) + 1


def most_papers(count: int, method: Method) -> int:
    """How many papers a term may be in and still tell papers apart."""
    return max(2, method.small_list, min(math.floor(method.max_share * count), method.max_papers))


def telling(frequency: Any, most: int) -> Any:
    """Terms in at least two papers (else they match no other) and at most ``most``."""
    return (frequency >= 2) & (frequency <= most)

"""The all-pairs part of papershelf.site.related: TF-IDF vectors and their cosines as
sparse matrix products (NumPy, SciPy), block by block so memory stays bounded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sparse

from papershelf.site.related import Method, most_papers, telling


@dataclass(frozen=True)
class Terms:
    """Every paper's terms (papershelf.site.related.paper_terms), papers in slug order:
    paper ``i``'s term numbers and counts are ``columns`` and ``counts`` from
    ``bounds[i]`` to ``bounds[i + 1]``."""

    columns: Sequence[int]
    counts: Sequence[float]
    bounds: Sequence[int]
    vocabulary: int  # how many terms there are

    @property
    def papers(self) -> int:
        return len(self.bounds) - 1

    def document_frequencies(self) -> list[int]:
        """In how many papers each term is, by term number (a term is once in a paper)."""
        return np.bincount(np.asarray(self.columns), minlength=self.vocabulary).tolist()


def nearest(terms: Terms, method: Method, limit: int) -> list[list[int]]:
    """For each paper (in slug order), the ``limit`` others of highest cosine at or
    above the threshold, best first, ties by slug."""
    count = terms.papers
    found: list[list[int]] = [[] for _ in range(count)]
    if count < 2:
        return found
    vectors = _vectors(terms, method)
    columns_first = vectors.T.tocsr()
    for start in range(0, count, _BLOCK):
        product = vectors[start : start + _BLOCK] @ columns_first
        product.sort_indices()  # each paper's candidates in slug order
        scores = product.tocoo()
        rows, columns, values = scores.row + start, scores.col, scores.data
        # Rounded, so that ties are ties whatever the last bits of the sums.
        values = np.round(values, 9)
        keep = (values >= method.threshold) & (rows != columns)
        rows, columns, values = rows[keep], columns[keep], values[keep]
        # By paper, best first, ties by slug: a stable sort keeps the slug order of
        # equal scores (scores are at most 1, so rows do not mix).
        order = np.argsort(rows * 4.0 - values, kind="stable")
        rows, columns = rows[order], columns[order]
        best = np.arange(len(rows)) - np.searchsorted(rows, rows) < limit
        for row, column in zip(rows[best].tolist(), columns[best].tolist(), strict=True):
            found[row].append(column)
    return found


_BLOCK = 512  # papers whose scores are worked out together


def _vectors(terms: Terms, method: Method) -> sparse.csr_matrix:
    """Rows of L2-normalised TF-IDF weights (log-scaled counts, smooth IDF) over the
    terms that tell papers apart (papershelf.site.related.telling), each row cut to
    its ``terms_kept`` heaviest."""
    count = terms.papers
    column = np.asarray(terms.columns, dtype=np.int64)
    document_frequency = np.bincount(column, minlength=terms.vocabulary)
    says_something = telling(document_frequency, most_papers(count, method))
    idf = np.log((1 + count) / (1 + document_frequency)) + 1.0
    weights = (1.0 + np.log(np.asarray(terms.counts, dtype=np.float64))) * idf[column]
    weights[~says_something[column]] = 0.0
    rows = np.repeat(np.arange(count), np.diff(np.asarray(terms.bounds)))
    keep = weights > 0
    rows, column, weights = rows[keep], column[keep], weights[keep]
    # Each paper's heaviest terms, ties by column (first seen), so the cut is stable.
    order = np.lexsort((column, -weights, rows))
    rows, column, weights = rows[order], column[order], weights[order]
    keep = np.arange(len(rows)) - np.searchsorted(rows, rows) < method.terms_kept
    rows, column, weights = rows[keep], column[keep], weights[keep]
    norms = np.sqrt(np.bincount(rows, weights * weights, minlength=count))
    weights = weights / norms[rows]
    return sparse.csr_matrix((weights, (rows, column)), shape=(count, max(1, terms.vocabulary)))

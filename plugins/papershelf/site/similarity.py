"""The all-pairs part of papershelf.site.related: TF-IDF vectors and their cosines as
sparse matrix products (NumPy, SciPy), block by block so memory stays bounded."""

from __future__ import annotations

from collections import Counter

import numpy as np
import scipy.sparse as sparse

from papershelf.site.related import Method, most_papers, telling


def nearest(terms: list[Counter[str]], method: Method, limit: int) -> list[list[int]]:
    """For each paper (its terms, in slug order), the ``limit`` others of highest
    cosine at or above the threshold, best first, ties by slug."""
    count = len(terms)
    found: list[list[int]] = [[] for _ in terms]
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


def _vectors(terms: list[Counter[str]], method: Method) -> sparse.csr_matrix:
    """Rows of L2-normalised TF-IDF weights (log-scaled counts, smooth IDF) over the
    terms that are in at least two papers and at most ``max_share`` of them, each row
    cut to its ``terms_kept`` heaviest."""
    count = len(terms)
    vocabulary: dict[str, int] = {}
    columns: list[int] = []
    counts: list[float] = []
    bounds = [0]
    for paper_terms_ in terms:
        for term, value in paper_terms_.items():
            columns.append(vocabulary.setdefault(term, len(vocabulary)))
            counts.append(value)
        bounds.append(len(columns))
    column = np.array(columns, dtype=np.int64)
    document_frequency = np.bincount(column, minlength=len(vocabulary))
    says_something = telling(document_frequency, most_papers(count, method))
    idf = np.log((1 + count) / (1 + document_frequency)) + 1.0
    weights = (1.0 + np.log(np.array(counts, dtype=np.float64))) * idf[column]
    weights[~says_something[column]] = 0.0
    rows = np.repeat(np.arange(count), np.diff(np.array(bounds)))
    keep = weights > 0
    rows, column, weights = rows[keep], column[keep], weights[keep]
    # Each paper's heaviest terms, ties by column (first seen), so the cut is stable.
    order = np.lexsort((column, -weights, rows))
    rows, column, weights = rows[order], column[order], weights[order]
    keep = np.arange(len(rows)) - np.searchsorted(rows, rows) < method.terms_kept
    rows, column, weights = rows[keep], column[keep], weights[keep]
    norms = np.sqrt(np.bincount(rows, weights * weights, minlength=count))
    weights = weights / norms[rows]
    return sparse.csr_matrix((weights, (rows, column)), shape=(count, max(1, len(vocabulary))))

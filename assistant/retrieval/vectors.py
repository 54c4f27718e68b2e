"""The chunks' vectors, held in memory beside the lexical index, for exact dense search (within a metadata filter,
or over every chunk of an index of up to ``EXACT_SEARCH_MAX`` chunks).

Chroma's metadata-filtered query is its slowest path (a few ms here, 35-145 ms at 20,000-100,000 chunks); a
filter of years, topics or call ids over the in-memory metadata columns, then one matrix-vector product, gives
the same ranking exactly and in well under a millisecond at corpus size. Memory: 1.5 KiB per chunk (float32 x 384).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

# Up to this many chunks, the unfiltered dense search ranks the snapshot's chunks exactly too (one matrix-vector
# product, about 0.1 ms at 1,600 chunks and 1.5 ms at 20,000) rather than by Chroma's approximate HNSW search, whose
# nearest neighbours were seen to differ between two processes for the same question (so did the answer). Chroma
# still answers for the chunks written since the snapshot was read.
EXACT_SEARCH_MAX = 20_000


class ChunkVectors:
    """Unit-length chunk vectors (one row per chunk, in the lexical index's chunk order) and their metadata.

    A float32 ``matrix`` is normalised in place (it is owned from then on): no second copy of a large matrix.
    """

    def __init__(self, matrix: np.ndarray, metadatas: Sequence[dict[str, Any]]) -> None:
        matrix = np.asarray(matrix, dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        matrix /= np.where(norms == 0, 1.0, norms)  # in place: no second copy of a large matrix
        self.matrix = matrix
        self.metadatas = list(metadatas)
        self._rows = lru_cache(maxsize=256)(self._rows_uncached)

    def nearest(self, vector: Sequence[float], where: dict | None, k: int) -> list[tuple[int, float]]:
        """Rows passing ``where`` (``$in`` clauses, ``$and``; every row when None) nearest to ``vector``: (row,
        cosine), best first; ties keep row order, so the same question always gets the same rows."""
        rows = self._rows(_key(where)) if where is not None else np.arange(len(self.matrix))
        if not len(rows):
            return []
        sims = self.matrix[rows] @ np.asarray(vector, dtype=np.float32)
        k = min(k, len(rows))
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top], kind="stable")]
        return [(int(rows[i]), float(sims[i])) for i in top]

    def _rows_uncached(self, key: tuple) -> np.ndarray:
        return np.flatnonzero([_passes(meta, key) for meta in self.metadatas])


def passes(meta: dict[str, Any], where: dict) -> bool:
    """Whether a chunk's metadata passes a filter of ``$in`` clauses (joined by ``$and``), as Chroma reads it."""
    return _passes(meta, _key(where))


def _key(where: dict) -> tuple:
    """A hashable form of a filter: ((field, values), ...) clauses that must all pass."""
    clauses = where.get("$and", [where])
    return tuple(
        (field, tuple(sorted(condition["$in"], key=repr))) for clause in clauses for field, condition in clause.items()
    )


def _passes(meta: dict[str, Any], key: tuple) -> bool:
    return all(meta.get(field) in values for field, values in key)

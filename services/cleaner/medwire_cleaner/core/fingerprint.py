"""MinHash signature of an article's text over character 5-shingles (datasketch), for
near-duplicate detection downstream. Deterministic: fixed seed, SHA-1 based hashing."""

from __future__ import annotations

import re
from functools import lru_cache

from datasketch import MinHash

from medwire_common.dedup import NUM_PERM

SHINGLE = 5
# Pinned: signatures are stored by the API and compared across versions of the cleaner.
SCHEME = "affine32"


@lru_cache(maxsize=1)
def _template() -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME)


def minhash_signature(text: str) -> list[int]:
    compact = re.sub(r"\s+", "", text)
    shingles = {compact[i : i + SHINGLE] for i in range(max(1, len(compact) - SHINGLE + 1))}
    m = MinHash(num_perm=NUM_PERM, seed=1, permutations=_template().permutations, scheme=SCHEME)
    m.update_batch([s.encode("utf-8") for s in shingles])
    return [int(v) for v in m.hashvalues]

"""Near-duplicate clustering over MinHash signatures: banding (LSH) and cluster assignment.

Pure code, shared by the `medwire process` batch (in memory) and the API (candidates read from
PostgreSQL), so both cluster the same way. Signatures come from the cleaner (datasketch MinHash
over character shingles); an article's `dup_cluster` is the content hash of the first article of
its cluster, so exact duplicates cluster even without a signature.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

NUM_PERM = 64
BANDS, ROWS = 16, 4  # 16 bands × 4 rows: pairs above ~0.6 Jaccard very likely meet in a band
# Estimated Jaccard similarity of 5-shingles above which two articles are one story: a repost with
# a new intro line and source note scores ~0.8, a different story on the same topic < 0.2.
THRESHOLD = 0.7


def content_hash(text: str) -> str:
    return hashlib.sha256(re.sub(r"\s+", "", text).encode("utf-8")).hexdigest()[:24]


def band_keys(signature: Sequence[int]) -> tuple[int, ...]:
    """The LSH keys of a signature, one a band: a 64-bit hash of the band's rows and its number
    (signed, to be a PostgreSQL bigint), so that one array of keys per article serves an overlap
    search (`&&`) and a key of one band never meets another band's."""
    if len(signature) != BANDS * ROWS:
        raise ValueError(f"a signature has {BANDS * ROWS} values, got {len(signature)}")
    return _band_keys(tuple(signature))


@functools.lru_cache(maxsize=65536)  # an article's keys are needed to find, index and store it
def _band_keys(signature: tuple[int, ...]) -> tuple[int, ...]:
    keys = []
    for band in range(BANDS):
        chunk = f"{band}:" + ",".join(map(str, signature[band * ROWS : (band + 1) * ROWS]))
        digest = hashlib.blake2b(chunk.encode(), digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return tuple(keys)


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity: the share of equal MinHash values."""
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


@dataclass
class Member:
    article_id: str
    cluster: str
    signature: Sequence[int]


@dataclass
class DuplicateIndex:
    """Articles seen so far, by band. `assign` returns the cluster of a new article and adds it."""

    by_band: dict[int, list[Member]] = field(default_factory=dict)
    by_hash: dict[str, str] = field(default_factory=dict)

    def add(self, member: Member, content: str | None = None) -> None:
        for key in band_keys(member.signature):
            self.by_band.setdefault(key, []).append(member)
        if content:
            self.by_hash.setdefault(content, member.cluster)

    def match(self, article_id: str, signature: Sequence[int] | None, content: str) -> str | None:
        if content in self.by_hash:
            return self.by_hash[content]
        if not signature:
            return None
        best: tuple[float, str] | None = None
        for key in band_keys(signature):
            for member in self.by_band.get(key, ()):
                if member.article_id == article_id:
                    continue
                score = similarity(signature, member.signature)
                if score >= THRESHOLD and (best is None or score > best[0]):
                    best = (score, member.cluster)
        return best[1] if best else None

    def assign(self, article_id: str, signature: Sequence[int] | None, content: str) -> str:
        cluster = self.match(article_id, signature, content) or content
        if signature:
            self.add(Member(article_id, cluster, signature), content)
        else:
            self.by_hash.setdefault(content, cluster)
        return cluster

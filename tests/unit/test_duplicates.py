"""Exact and near-duplicate articles share a `dup_cluster`; different stories do not."""

import json
import subprocess
import sys
from pathlib import Path

from medwire_cleaner.core.fingerprint import minhash_signature
from medwire_common.dedup import DuplicateIndex, band_keys, content_hash, similarity
from tests.support import ROOT

STORY = (
    "7月25日,由山西省药品监督管理局与晋中市人民政府联合主办的医药创新转化公共服务平台启动仪式在晋中市举行。"
    "省药监局党组书记、局长李庭芳出席并致辞,省内外40余家医药企业代表参加。平台将为企业提供从研发到市场的全流程服务。"
)
REPOSTED = "(转载)" + STORY + "来源:山西科技报"  # true Jaccard of 5-shingles ≈ 0.87
OTHER = (
    "9月17日,第五届长三角医疗器械产业发展论坛在杭州举办,来自沪苏浙皖的300余名企业代表参加。"
    "论坛围绕医疗器械注册人制度、临床评价和国际化发展等议题展开研讨。"
)


def test_signatures_are_deterministic_and_estimate_similarity() -> None:
    assert minhash_signature(STORY) == minhash_signature(STORY)
    assert similarity(minhash_signature(STORY), minhash_signature(REPOSTED)) >= 0.7
    assert similarity(minhash_signature(STORY), minhash_signature(OTHER)) < 0.2
    assert len(band_keys(minhash_signature(STORY))) == 16


def test_index_clusters_reposts_and_exact_copies_with_the_first_article() -> None:
    index = DuplicateIndex()
    first = index.assign("a", minhash_signature(STORY), content_hash(STORY))
    assert first == content_hash(STORY)
    assert index.assign("b", minhash_signature(REPOSTED), content_hash(REPOSTED)) == first
    assert index.assign("c", None, content_hash(" " + STORY)) == first  # exact, whitespace aside
    assert index.assign("d", minhash_signature(OTHER), content_hash(OTHER)) == content_hash(OTHER)


def test_process_batch_gives_near_duplicate_pages_one_cluster(tmp_path: Path) -> None:
    pages = []
    for name, text in [("a.html", STORY), ("b.html", REPOSTED), ("c.html", OTHER)]:
        page = tmp_path / name
        page.write_text(
            f"<html><body><h1>标题{name}</h1><p>{text}</p></body></html>", encoding="utf-8"
        )
        pages.append(str(page))
    done = subprocess.run(
        [sys.executable, "-m", "medwire_cli", "process", *pages],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    clusters = [json.loads(line)["dup_cluster"] for line in done.stdout.splitlines()]
    assert clusters[0] == clusters[1] != clusters[2]


def test_signature_is_datasketch_affine32_with_murmur_shingles() -> None:
    """Stored signatures must not change with the implementation: the numpy code computes what
    datasketch's MinHash(seed=1, scheme="affine32", hashfunc=murmur32) gives, bit for bit."""
    import mmh3
    from datasketch import MinHash

    from medwire_common.dedup import NUM_PERM

    def reference(text: str) -> list[int]:
        compact = "".join(text.split())
        shingles = {compact[i : i + 5] for i in range(max(1, len(compact) - 4))}
        m = MinHash(
            num_perm=NUM_PERM,
            seed=1,
            scheme="affine32",
            hashfunc=lambda b: int(mmh3.hash(b, 1, signed=False)),
        )
        m.update_batch([s.encode("utf-8") for s in shingles])
        return [int(v) for v in m.hashvalues]

    for text in (STORY, REPOSTED, OTHER, "短", ""):
        assert minhash_signature(text) == reference(text)

"""NER quality on public test text the model never trained on (`medwire_extractor.ner_corpus`
splits of `../shared/corpus/ner/`): exact-span precision / recall / F1 overall and per type for
the committed model (`core/ner.py`) beside jieba's part-of-speech tags (nr → PER, nt → ORG,
ns → LOC) in the same run; speed in characters/s for both.

    uv run python bench/ner_quality.py     # rewrites its section of BENCHMARKS.md

Issue #20's targets: People's Daily test F1 ≥ 0.82 overall and ≥ 0.78 per type; CLUENER
(mapped) ≥ 0.70 overall.
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import jieba
import jieba.posseg as pseg

from medwire_extractor.core.ner import Entity, EntityType, find_entities
from medwire_extractor.ner_corpus import Score, Sentence, corpus_dir, score, splits

sys.path.insert(0, str(Path(__file__).parent))
from benchfile import ROOT, best_of, write_section  # noqa: E402

JIEBA_TYPES: dict[str, EntityType] = {"nr": "PER", "nt": "ORG", "ns": "LOC"}
TESTS = {
    "pd_test": "People's Daily 1998 dev, odd sentences",
    "cluener_test": "CLUENER2020 train, every 10th sentence",
}


def jieba_entities(text: str) -> list[Entity]:
    found: list[Entity] = []
    at = 0
    for w in pseg.cut(text):
        kind = JIEBA_TYPES.get(w.flag)
        if kind:
            found.append((at, at + len(w.word), kind))
        at += len(w.word)
    return found


def run(sentences: list[Sentence], tagger: Callable[[str], list[Entity]]) -> list[list[Entity]]:
    return [tagger(s.text) for s in sentences]


def row(name: str, scores: dict[str, Score]) -> str:
    a = scores["ALL"]
    per_type = " | ".join(f"{scores[k].f1:.3f}" for k in ("PER", "ORG", "LOC"))
    return f"| {name} | {a.precision:.3f} / {a.recall:.3f} / **{a.f1:.3f}** | {per_type} |"


def main() -> None:
    root = corpus_dir()
    if not (root / "pd1998_dev.bio").exists():
        sys.exit(f"ner_quality: no corpus at {root}")
    jieba.setLogLevel(60)
    jieba_entities("预热：加载词性标注模型。")
    find_entities("预热：加载模型。")
    data = splits(root)
    lines = [
        "## ner quality",
        "",
        f"`bench/ner_quality.py`, {datetime.now(UTC):%Y-%m-%d}, {platform.python_implementation()} "
        f"{platform.python_version()}: the committed model "
        "(`services/extractor/medwire_extractor/data/ner.crfsuite`, trained by `scripts/train-ner`) "
        "beside jieba POS (nr/nt/ns) on test splits it never trained on. Exact spans; "
        "P / R / F1 overall, F1 per type. Targets (#20): People's Daily ≥ 0.82 overall and ≥ 0.78 "
        "per type; CLUENER mapped ≥ 0.70 overall.",
        "",
    ]
    for name, description in TESTS.items():
        sentences = data[name]
        chars = sum(len(s.text) for s in sentences)
        gold = [s.entities() for s in sentences]
        lines += [
            f"**{name}** ({description}; {len(sentences):,} sentences, {chars:,} characters):",
            "",
            "| tagger | P / R / F1 | PER | ORG | LOC | speed |",
            "|---|---|---|---|---|---|",
        ]
        for label, tagger in (("medwire CRF", find_entities), ("jieba POS", jieba_entities)):
            predicted = run(sentences, tagger)
            elapsed = best_of(3, lambda t=tagger, s=sentences: run(s, t))
            scores = score(zip(predicted, gold, strict=True))
            lines.append(row(label, scores) + f" {chars / elapsed:,.0f} chars/s |")
        lines.append("")
    write_section(ROOT / "BENCHMARKS.md", "ner quality", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()

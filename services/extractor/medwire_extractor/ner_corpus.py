"""The public NER corpora in `../shared/corpus/ner/` (read in place, never copied), mapped to
PER/ORG/LOC, split into what the model trains on and what it is tested on, and exact-span
scoring. Used by training (`medwire_extractor.train`) and `bench/ner_quality.py`; the service
never reads them.

Splits (fixed, no randomness):
- `pd_train` / `pd_test`: People's Daily 1998 dev, even / odd sentence index.
- `cluener_train` / `cluener_test`: CLUENER2020 train, sentence index not / a multiple of 10;
  name → PER; company, government, organization → ORG; address → LOC (CLUENER's addresses are
  whole addresses, `北京市海淀区中关村大街`, where People's Daily tags `北京` and `海淀区`); position,
  scene, book, game and movie are left untagged.
- `cluener_train_places`: the same with the places it leaves untagged tagged LOC
  (`with_untagged_places`: names that the People's Daily training half and MSRA tag LOC, and
  gazetteer names), for training only.
- `msra`: the MSRA train part, for training only.
- `weibo`: Weibo NER train + dev, named mentions only (`.NAM`; GPE → LOC), for training only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .core.locations import place_mentions
from .core.ner import Entity, bio_entities

CORPUS_ENV = "MEDWIRE_NER_CORPUS"
REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "ner"

CLUENER_TYPES = {
    "name": "PER",
    "company": "ORG",
    "government": "ORG",
    "organization": "ORG",
    "address": "LOC",
}
WEIBO_TYPES = {"PER.NAM": "PER", "ORG.NAM": "ORG", "LOC.NAM": "LOC", "GPE.NAM": "LOC"}


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    tags: tuple[str, ...]

    def entities(self) -> list[Entity]:
        return bio_entities(self.tags)


def corpus_dir() -> Path:
    return Path(os.environ.get(CORPUS_ENV, DEFAULT_CORPUS))


def read_bio(path: Path, types: dict[str, str] | None = None) -> list[Sentence]:
    """`char TAG` lines, a blank line between sentences; `types` renames tag types (others
    become O)."""
    sentences: list[Sentence] = []
    chars: list[str] = []
    tags: list[str] = []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        parts = line.split()
        if len(parts) >= 2:
            chars.append(parts[0])
            tags.append(_rename(parts[-1], types))
        elif not line.strip() and chars:
            sentences.append(Sentence("".join(chars), tuple(tags)))
            chars, tags = [], []
    return sentences


def _rename(tag: str, types: dict[str, str] | None) -> str:
    if tag == "O" or types is None:
        return tag
    mapped = types.get(tag[2:])
    return f"{tag[:2]}{mapped}" if mapped else "O"


def read_cluener(path: Path) -> list[Sentence]:
    sentences = []
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        text: str = record["text"]
        tags = ["O"] * len(text)
        for kind, mentions in record.get("label", {}).items():
            mapped = CLUENER_TYPES.get(kind)
            if not mapped:
                continue
            for spans in mentions.values():
                for start, end in spans:
                    tags[start] = "B-" + mapped
                    for i in range(start + 1, end + 1):
                        tags[i] = "I-" + mapped
        sentences.append(Sentence(text, tuple(tags)))
    return sentences


def place_lexicon(sentences: Iterable[Sentence]) -> frozenset[str]:
    """Names tagged LOC in `sentences` (2 characters or more)."""
    return frozenset(
        s.text[a:b] for s in sentences for a, b, kind in s.entities() if kind == "LOC" and b - a > 1
    )


def with_untagged_places(sentence: Sentence, lexicon: frozenset[str]) -> Sentence:
    """`sentence` with the places CLUENER leaves untagged (about half its country names) tagged
    LOC as People's Daily does: names of `lexicon` (People's Daily's and MSRA's own LOC names)
    and of the gazetteer lying wholly outside any entity, longest first."""
    tags = list(sentence.tags)
    text = sentence.text
    spans = [(a, b) for a, b, _ in place_mentions(text)]
    spans += [
        (i, i + n)
        for i in range(len(text))
        for n in range(min(6, len(text) - i), 1, -1)
        if text[i : i + n] in lexicon
    ]
    for start, end in sorted(spans, key=lambda s: (s[0], -s[1])):
        if all(t == "O" for t in tags[start:end]):
            tags[start:end] = ["B-LOC"] + ["I-LOC"] * (end - start - 1)
    return Sentence(text, tuple(tags))


def splits(root: Path | None = None) -> dict[str, list[Sentence]]:
    root = root or corpus_dir()
    pd = read_bio(root / "pd1998_dev.bio")
    cluener = read_cluener(root / "cluener2020_train.jsonl")
    msra = read_bio(root / "msra_train_part.bio")
    lexicon = place_lexicon(pd[0::2] + msra)
    return {
        "pd_train": pd[0::2],
        "pd_test": pd[1::2],
        "cluener_train": [s for i, s in enumerate(cluener) if i % 10],
        "cluener_test": cluener[0::10],
        "cluener_train_places": [
            with_untagged_places(s, lexicon) for i, s in enumerate(cluener) if i % 10
        ],
        "msra": msra,
        "weibo": read_bio(root / "weibo_train.bio", WEIBO_TYPES)
        + read_bio(root / "weibo_dev.bio", WEIBO_TYPES),
    }


@dataclass(frozen=True, slots=True)
class Score:
    found: int
    gold: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(pairs: Iterable[tuple[list[Entity], list[Entity]]]) -> dict[str, Score]:
    """Exact-span precision / recall / F1 of (predicted, gold) entity lists, overall and per
    type."""
    counts = {k: [0, 0, 0] for k in ("ALL", "PER", "ORG", "LOC")}
    for predicted, gold in pairs:
        p, g = set(predicted), set(gold)
        for kind in ("PER", "ORG", "LOC"):
            pk = {e for e in p if e[2] == kind}
            gk = {e for e in g if e[2] == kind}
            counts[kind][0] += len(pk)
            counts[kind][1] += len(gk)
            counts[kind][2] += len(pk & gk)
        counts["ALL"][0] += len(p)
        counts["ALL"][1] += len(g)
        counts["ALL"][2] += len(p & g)
    return {k: Score(*v) for k, v in counts.items()}

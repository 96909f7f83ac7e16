"""Trains the NER model (`core/ner.py`) from the public corpora in `../shared/corpus/ner/` and
scores it on the held-out splits (`ner_corpus.py`): the one command behind `scripts/train-ner`.

    python -m medwire_extractor.train                      # writes data/ner.crfsuite
    python -m medwire_extractor.train --out /tmp/x.crfsuite --sets pd_train,msra --c1 0.05

Deterministic (L-BFGS, fixed splits): the same corpus and options give the same model.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pycrfsuite

from .core.ner import MODEL_FILE, bio_entities, char_features
from .ner_corpus import Score, Sentence, corpus_dir, score, splits

PACKAGE_MODEL = Path(__file__).resolve().parent / MODEL_FILE
TRAIN_SETS = ("pd_train", "msra", "cluener_train_places")
CHOICES = ("pd_train", "msra", "cluener_train", "cluener_train_places", "weibo")
TEST_SETS = ("pd_test", "cluener_test")


def train(sentences: list[Sentence], out: Path, c1: float, c2: float, iterations: int) -> None:
    trainer = pycrfsuite.Trainer(verbose=False)
    for s in sentences:
        trainer.append(char_features(s.text), list(s.tags))
    trainer.set_params(
        {
            "c1": c1,
            "c2": c2,
            "max_iterations": iterations,
            "feature.possible_transitions": True,
        }
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(out))


def evaluate(model: Path, sentences: list[Sentence]) -> tuple[dict[str, Score], float]:
    """Scores of `model` on `sentences`, and its speed in characters/s (features included)."""
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    start = time.perf_counter()
    predicted = [bio_entities(tagger.tag(char_features(s.text))) for s in sentences]
    elapsed = time.perf_counter() - start
    chars = sum(len(s.text) for s in sentences)
    return score(zip(predicted, (s.entities() for s in sentences), strict=True)), chars / elapsed


def format_scores(name: str, scores: dict[str, Score]) -> str:
    cells = "  ".join(f"{k} {v.f1:.3f}" for k, v in scores.items())
    overall = scores["ALL"]
    return f"{name:13s} F1 {cells}  (P {overall.precision:.3f} R {overall.recall:.3f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=None, help="default: ../shared/corpus/ner")
    parser.add_argument("--out", type=Path, default=PACKAGE_MODEL)
    parser.add_argument(
        "--sets",
        default=",".join(TRAIN_SETS),
        help=f"comma-separated training splits among {', '.join(CHOICES)}",
    )
    parser.add_argument(
        "--every", type=int, default=1, help="train on every Nth sentence (a learning curve)"
    )
    parser.add_argument("--c1", type=float, default=0.1)
    parser.add_argument("--c2", type=float, default=0.1)
    parser.add_argument("--iterations", type=int, default=200)
    args = parser.parse_args(argv)

    root = args.corpus or corpus_dir()
    if not (root / "pd1998_dev.bio").exists():
        print(
            f"train-ner: no corpus at {root} (set --corpus or MEDWIRE_NER_CORPUS)", file=sys.stderr
        )
        return 2
    used = args.sets.split(",")
    if unknown := set(used) - set(CHOICES):
        print(
            f"train-ner: unknown splits {sorted(unknown)}; choose among {CHOICES}", file=sys.stderr
        )
        return 2
    data = splits(root)
    sentences = [s for name in used for s in data[name]][:: args.every]
    chars = sum(len(s.text) for s in sentences)
    print(f"train-ner: {len(sentences)} sentences, {chars} characters from {', '.join(used)}")
    start = time.perf_counter()
    train(sentences, args.out, args.c1, args.c2, args.iterations)
    elapsed = time.perf_counter() - start
    size = args.out.stat().st_size
    print(f"train-ner: {args.out} ({size / 1e6:.1f} MB) in {elapsed:.0f} s")
    for name in TEST_SETS:
        scores, speed = evaluate(args.out, data[name])
        print(format_scores(name, scores) + f"  {speed:,.0f} chars/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

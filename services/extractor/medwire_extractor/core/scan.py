"""What several finders read of one article, computed once: the text after layout joins (with
the offsets back into the article's own text), its sentences, its place names and its dates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from medwire_common.schemas import CleanArticle

from .locations import Mentions, place_mentions
from .timeexpr import DateMention, find_dates

# A line break between two characters of a sentence (no closing punctuation before it) is the
# layout's, not the author's: `…临床转化\n研究中心` is one name.
_LAYOUT_BREAK = re.compile(r"(?<=[\u4e00-\u9fff])\n(?=[\u4e00-\u9fff])")
_SPEAKER_LINE = re.compile(r"^[\u4e00-\u9fff]{2,4}[:：]|^记者")
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")


def join_layout_breaks(text: str) -> tuple[str, list[int]]:
    """The text with layout line breaks removed, and for each of its characters the offset in
    the original (so that spans point into the article's own text)."""
    keep = [True] * len(text)
    for m in _LAYOUT_BREAK.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        line = text[line_start : m.start()]
        if len(line) >= 12 and not _SPEAKER_LINE.match(line):
            keep[m.start()] = False
    index = [i for i, k in enumerate(keep) if k]
    return "".join(text[i] for i in index), index


def sentences(text: str) -> list[tuple[int, str]]:
    """Each sentence of `text` with its start, closing punctuation included."""
    return [(m.start(), m.group(0)) for m in _SENTENCE.finditer(text) if m.group(0).strip()]


@dataclass(frozen=True)
class ArticleScan:
    """`text` is what the finders read; `index[i]` is where its character i sits in the
    article's own text. `dates` are in text order; relative ones are read against `page_date`."""

    text: str
    index: list[int]
    page_date: date | None
    sentences: list[tuple[int, str]]
    places: Mentions
    dates: list[DateMention]

    @classmethod
    def of(cls, text: str, page_date: date | None = None) -> ArticleScan:
        """The scan of `text` as it is (no layout joins)."""
        return cls._scan(text, list(range(len(text))), page_date)

    @classmethod
    def of_article(cls, article: CleanArticle) -> ArticleScan:
        """The scan of an article's text after layout joins. Relative dates (`昨日`, `7月25日`)
        are read against the page's date, or the day it was fetched."""
        text, index = join_layout_breaks(article.text)
        return cls._scan(text, index, article.published_at or article.fetched_at.date())

    @classmethod
    def _scan(cls, text: str, index: list[int], page_date: date | None) -> ArticleScan:
        return cls(
            text=text,
            index=index,
            page_date=page_date,
            sentences=sentences(text),
            places=place_mentions(text),
            dates=find_dates(text, page_date),
        )

    @property
    def joined(self) -> bool:
        """Whether layout joins removed characters (spans then need `remap`)."""
        # A removed break always has a kept character after it, so the last offset shows it.
        return bool(self.index) and self.index[-1] != len(self.index) - 1

    def remap(self, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Spans in `text` as spans in the article's own text."""
        return [(self.index[s], self.index[e - 1] + 1) for s, e in spans]

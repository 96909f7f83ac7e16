"""A title made from an article's own text, for an article whose page names none (a plain-text
page that opens with its body, an HTML page with no findable title): its first sentence or
clause, bounded, never a line of page furniture. The article keeps its body and is flagged
`title_inferred`."""

from __future__ import annotations

import re

MAX_TITLE_CHARS = 40  # about the longest headline Chinese news sites print
MIN_CLAUSE_CHARS = 8  # shorter than this, a clause (`近日`) says nothing about the article
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SENTENCE_END = re.compile(r"[。！？!?]|\.(?=\s|$)")
_CLAUSE_END = re.compile(r"[，,；;：:]")  # not 、: it joins a list inside a clause
# Lines that open an article without being about it: dates, bylines, labels, page furniture.
_FURNITURE = re.compile(
    r"^[\s\d\-/:：.年月日时分秒]*$"
    r"|^(?:发布|更新|发表)?(?:时间|日期)\s*[:：]"
    r"|^(?:来源|作者|记者|编辑|责任编辑|通讯员|摄影|供稿|文/|图/|浏览|阅读|点击|字号|分享)"
    r"|^[■●◆▲▼★☆※>]"
)
# A dateline is not the story: `本报讯(记者 王强)`, `新浪财经讯 `, `新华社北京3月5日电`,
# `(法新社羅馬19日電)` (traditional: the title is made before the text is simplified).
_DATELINE = re.compile(
    r"^[(（]?(?:本报讯|\S{1,8}讯(?=[\s(（])|\S{2,6}社\S{0,10}[电電]|\S{0,8}\d{1,2}月\d{1,2}日[电電])"
    r"[)）]?\s*(?:[(（][^()（）]{0,30}[)）])?\s*"
)
# What a title does not start or end with (closing brackets and quotes may end one: `（附全文）`).
_LEAD = "，,；;：:、。.—-–·•…　 \t)）]】》」』”’"
_TAIL = "，,；;：:、。.—-–·•…　 \t(（[【《「『“‘"


def infer_title(paragraphs: list[str]) -> str:
    """The first sentence of the first paragraph that is not furniture, cut to a clause when it
    is long; "" when no paragraph has words to make one."""
    for paragraph in paragraphs:
        text = _trim(_DATELINE.sub("", paragraph.strip(), count=1))
        if len(text) < 2 or _FURNITURE.match(text):
            continue
        return _bounded(_first_sentence(text))
    return ""


def _first_sentence(text: str) -> str:
    end = _SENTENCE_END.search(text)
    return _trim(text[: end.start()] if end else text)


def _bounded(sentence: str) -> str:
    """A sentence longer than a headline is cut at its last clause break within the bound, or
    (in a Latin-script text) at a word break, or at the bound with an ellipsis."""
    if len(sentence) <= MAX_TITLE_CHARS:
        return sentence
    head = sentence[: MAX_TITLE_CHARS + 1]
    clauses = [m.start() for m in _CLAUSE_END.finditer(head) if m.start() >= MIN_CLAUSE_CHARS]
    if clauses:
        return _trim(head[: clauses[-1]])
    space = head.rfind(" ")
    if space >= MIN_CLAUSE_CHARS and not _CJK.search(head):  # words, not hanzi
        return _trim(head[:space]) + "…"
    return _trim(sentence[:MAX_TITLE_CHARS]) + "…"


def _trim(text: str) -> str:
    return text.strip().lstrip(_LEAD).rstrip(_TAIL)

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
    r"|.*(?:https?://|www\.)"  # a link line (`官网：https://…`), never a headline
)
MIN_WORDS_CHARS = 4  # a line shorter than this (`话题`, `近日，`) is a label or a cut, not a title
# A dateline is not the story: `本报讯(记者 王强)`, `新浪财经讯 `, `新华社北京3月5日电`,
# `(法新社羅馬19日電)` (traditional: the title is made before the text is simplified).
_DATELINE = re.compile(
    r"^[(（]?(?:本报讯|\S{1,8}讯(?=[\s(（])|\S{2,6}社\S{0,10}[电電]|\S{0,8}\d{1,2}月\d{1,2}日[电電])"
    r"[)）]?\s*(?:[(（][^()（）]{0,30}[)）])?\s*"
)
# Who said it is not what happened: `据新华社消息，`, `据中国地震台网正式测定，`, `东方网记者X报道：`.
_ATTRIBUTION = re.compile(
    r"^(?:据|根据)[^，,。：:]{2,30}(?:消息|报道|介绍|了解|测定|统计|通报|显示)[，,:：]\s*"
    r"|^[^，,。：:]{0,16}记者[^，,。：:]{1,16}报道[:：，,]\s*"
)
# What a title does not start or end with (closing brackets and quotes may end one: `（附全文）`).
_LEAD = "，,；;：:、。.—-–·•…　 \t)）]】》」』”’"
_TAIL = "，,；;：:、。.—-–·•…　 \t(（[【《「『“‘"


def infer_title(paragraphs: list[str]) -> str:
    """The first sentence of the first paragraph that is not furniture, cut to a clause when it
    is long; "" when no paragraph has words to make one."""
    for paragraph in paragraphs:
        text = _trim(_DATELINE.sub("", paragraph.strip(), count=1))
        if len(text) < MIN_WORDS_CHARS or _FURNITURE.match(text):
            continue
        told = _trim(_ATTRIBUTION.sub("", text, count=1))
        if len(told) >= MIN_CLAUSE_CHARS:
            text = told
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

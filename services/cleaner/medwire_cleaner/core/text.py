"""Plain-text page → drafts: e-paper OCR text (mastheads, colophons, several articles, words
broken across the layout), markdown-like pages (`## title`, `■ author`, `● caption`), portal
dumps (breadcrumbs, repeated titles, comment boxes) and social-media posts."""

from __future__ import annotations

import re
from datetime import date

from .bylines import read_byline
from .dates import date_from_url, make_date, parse_date
from .draft import Draft
from .furniture import is_caption, is_furniture, is_headline
from .posts import looks_like_posts, split_posts

_END_PUNCT = "。！？!?；;…”’」』)）】》"
_MASTHEAD = re.compile(
    r"^(?:\d{1,2}|星期[一二三四五六日天]|农历.{0,12}|闰?[正一二三四五六七八九十冬腊]{1,2}月[初十廿三][一二三四五六七八九十]|"
    r"\d{4}年\d{1,2}月(?:\d{1,2}日)?(?:\s*星期.)?|周刊|日报|晚报|\d{5,}|新闻热线.*|.*连续出版物号.*|.*邮发代号.*|.*邮发代投号.*|"
    r"\S{2,6}(?:科技报|日报|晚报|商报|时报|周报|导报)|立媒 科经|.*改变世界.*|主管[:：].*|主办[:：].*|.*广告经营许可证.*|.*全年定价.*|新闻传播更及时.*|总编辑[:：].*|.*今日\s*\d+\s*版)$"
)
_JUMP = re.compile(
    r"^[(（]\s*(?:下转|转下|上接|接上|转第)[^)）]{0,12}[)）]$|^[(（]?未完待续[)）]?$"
)
_GUIDE = re.compile(r"^>*\s*导读\s*$|^>>\s*导读")
_EDITION = re.compile(r"^[A-Z]?\d{1,2}\s*版$")
_PORTAL_CHROME = re.compile(
    r"^(?:首页(?:\s+\S{1,6}){0,4}\s+正文|.{0,10}正文\s+\d+\s+\d+|欢迎\s*发表评论[:：]?|评论列表|暂时没有评论|暂无评论.*)$"
)
_SLOGAN = re.compile(r"^\S{2,8}[ ·・]\S{2,8}$")
_CJK_END = re.compile(r"[\u4e00-\u9fff\w,、，]$")
_CJK_START = re.compile(r"^[\u4e00-\u9fff\w]")


def blocks_of(text: str) -> list[str]:
    """Lines are the units of a plain-text page (paragraphs are one line each; a layout break
    is rejoined later), so `新闻热线\n4159087` is two masthead lines, not one paragraph."""
    return [
        re.sub(r"[ \t\u3000]+", " ", line).strip() for line in text.splitlines() if line.strip()
    ]


def masthead_date(blocks: list[str]) -> date | None:
    """`2025年8月` `1` `星期五` printed on separate lines at the top of an e-paper page, or a
    portal's info line there (`来源:省科技厅2019-11-14 15:53`, `发布时间:2019-09-24`)."""
    for i, b in enumerate(blocks[:20]):
        m = re.fullmatch(r"(\d{4})年(\d{1,2})月", b)
        if m and i + 1 < len(blocks) and re.fullmatch(r"\d{1,2}", blocks[i + 1]):
            return make_date(m.group(1), m.group(2), blocks[i + 1])
        dated = len(b) < 30 and "年" in b or len(b) < 80 and is_furniture(b)
        found = parse_date(b) if dated else None
        if found:
            return found
    return None


def is_heading(block: str) -> bool:
    """A short line without closing punctuation heads an article, unless it is page furniture
    (`浏览次数:12`, `来源:…`) or a photo caption (`▲…致辞`, `…现场。 周志杭 摄`)."""
    return (
        len(block) <= 40
        and block[-1] not in _END_PUNCT
        and "\n" not in block
        and not block.startswith("本报讯")
        and is_headline(block)
    )


def _cut_sentence(block: str, following: str) -> bool:
    """A short line with a sentence comma, not followed by a new article's dateline, is the head
    of a sentence the layout cut (`随后,卢东亮主持召开座谈会,认真听` | `取入驻…`), not a headline."""
    return (
        bool(re.search(r"[,，]", block))
        and not following.startswith("本报")
        and _CJK_START.match(following) is not None
    )


def rejoin_breaks(blocks: list[str]) -> list[str]:
    """`…山西中医药大学、中` + `北大学发布了…` → one paragraph: a body block cut mid-sentence by the
    layout continues in the next body block."""
    out: list[str] = []
    for b in blocks:
        if (
            out
            and len(out[-1]) > 40
            and _CJK_END.search(out[-1])
            and _CJK_START.match(b)
            and not is_heading(b)
            and not b.startswith("本报讯")
        ):
            out[-1] += b
        else:
            out.append(b)
    return out


def _markdown(blocks: list[str], when: date | None) -> list[Draft]:
    drafts: list[Draft] = []
    for b in blocks:
        if b.startswith("## "):
            drafts.append(
                Draft(title=re.sub(r"\s+", " ", b[3:]).strip(), paragraphs=[], published_at=when)
            )
        elif not drafts:
            continue
        elif b.startswith("■"):
            drafts[-1].authors.append(b.lstrip("■ ").strip())
        elif b.startswith("●"):
            drafts[-1].captions.append(b.lstrip("● ").strip())  # photo caption: metadata, not body
        elif b.startswith("#"):
            drafts[-1].paragraphs.append(b.lstrip("# ").strip())
        else:
            drafts[-1].paragraphs.append(b)
    for d in drafts:
        d.paragraphs = rejoin_breaks(d.paragraphs)
    return drafts


def _epaper(blocks: list[str], when: date | None) -> list[Draft]:
    drafts: list[Draft] = []
    heads: list[str] = []
    captions: list[str] = []
    truncated = False
    for i, b in enumerate(blocks):
        if _GUIDE.match(b):
            break
        if _MASTHEAD.match(b) or _PORTAL_CHROME.match(b) or _EDITION.match(b):
            continue
        if _JUMP.match(b):
            truncated = True
            continue
        byline = read_byline(b)
        if byline and (drafts or heads):
            if heads:  # the byline under a headline belongs to that article, not the one before
                drafts.append(_headed_draft(heads, when))
                heads = []
            drafts[-1].authors.extend(byline.authors)
            drafts[-1].editors.extend(byline.editors)
            continue
        if not drafts and not heads and is_caption(b):
            captions.append(b)  # a photo over the first headline: its caption goes with it
            continue
        following = blocks[i + 1] if i + 1 < len(blocks) else ""
        if (
            is_heading(b)
            and not _cut_sentence(b, following)
            and (heads or not drafts or drafts[-1].paragraphs)
        ):
            if drafts and b == drafts[-1].title:
                continue  # a portal prints the title again
            if b not in heads:
                heads.append(b)
            continue
        if heads:
            drafts.append(_headed_draft(heads, when))
            heads = []
            if (
                not b.startswith("本报讯")
                and b[-1] not in _END_PUNCT
                and len(b) > 40
                and drafts[-1].subtitle is None
            ):
                drafts[-1].subtitle = b  # a lede printed under the headline
                continue
        if not drafts:
            # The page opens with its body, no headline above it: still an article, titled
            # later from its first sentence (`title_inferred`).
            drafts.append(Draft(title="", paragraphs=[], published_at=when))
        drafts[-1].paragraphs.append(b)
        if truncated:
            drafts[-1].flags.add("truncated")
    if truncated and drafts:
        drafts[-1].flags.add("truncated")
    if drafts:
        drafts[0].captions[:0] = captions
    for d in drafts:
        d.paragraphs = rejoin_breaks(d.paragraphs)
    return [d for d in drafts if d.paragraphs]


def _headed_draft(heads: list[str], when: date | None) -> Draft:
    """A headline group: a slogan-like kicker (`政策赋能 创新驱动`) is the subtitle; the other lines
    are one headline printed on several lines."""
    kicker = None
    if len(heads) > 1 and _SLOGAN.match(heads[0]):
        kicker, heads = heads[0], heads[1:]
    title = "".join(heads) if len(heads) <= 3 else heads[-1]
    return Draft(title=title, paragraphs=[], published_at=when, subtitle=kicker)


def extract_text(text: str, url: str) -> list[Draft]:
    blocks = blocks_of(text)
    if not blocks:
        return []
    when = masthead_date(blocks) or date_from_url(url)
    if any(b.startswith("## ") for b in blocks):
        return _markdown(blocks, when)
    if looks_like_posts(blocks):
        return split_posts(blocks, when)
    return _epaper(blocks, when)

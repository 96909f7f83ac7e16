"""Social-media posts (Weibo and the like): several `#话题# 【title】text` posts on one page."""

from __future__ import annotations

import re
from datetime import date

from .draft import Draft

POST_START = re.compile(r"^(?:#[^#\n]{1,40}#\s*)?【([^】\n]{4,120})】\s*")
_SHORT_URL = re.compile(r"\s*https?://t\.cn/\S+")
_UI_LINE = re.compile(r"^(?:发布|转发|评论|赞|举报|写留言|收藏|👍|🖊|\s|\d)+$")
HOT_LIST = re.compile(r"^[✋\s]*热门推荐")


def looks_like_posts(paragraphs: list[str]) -> bool:
    return bool(paragraphs) and POST_START.match(paragraphs[0]) is not None


def split_posts(paragraphs: list[str], when: date | None) -> list[Draft]:
    """One draft per post; repeated paragraphs are dropped later by the normaliser, so a post
    printed twice becomes one. Everything from a 热门推荐 list on is not the page's content."""
    drafts: list[Draft] = []
    seen_titles: set[str] = set()
    for p in paragraphs:
        if HOT_LIST.match(p):
            break
        if _UI_LINE.match(p):
            continue
        p = _SHORT_URL.sub("", p).strip()
        start = POST_START.match(p)
        if start:
            title = start.group(1)
            rest = p[start.end() :].strip()
            if title in seen_titles:  # the same post printed again
                drafts.append(
                    Draft(
                        title="",
                        paragraphs=[],
                        published_at=when,
                        flags={"duplicate_blocks_removed"},
                    )
                )
                continue
            seen_titles.add(title)
            drafts.append(Draft(title=title, paragraphs=[rest] if rest else [], published_at=when))
        elif drafts and p:
            drafts[-1].paragraphs.append(p)
    flags = set().union(*(d.flags for d in drafts)) if drafts else set()
    kept = [d for d in drafts if d.title]
    for d in kept:
        d.flags |= flags
    return kept

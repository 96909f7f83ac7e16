"""Discussion pages — forums, Q&A, comment pages. Their content is the thread: the opening post
and the replies under it (the gold of real forum pages holds all of them, user names included),
so on such a page replies are not pruned as a comment box and the text is every prose line the
pruned page still holds, not one densest block."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement

from .dom import cjk_count, metas
from .mainblock import BLOCK_TAGS

# Forum and Q&A software names its pages alike everywhere: a path segment /thread/, /question/…,
# /topic/123 (a news site's /topic/2024lh/ is a special-report page, not a thread), Discuz's
# thread-1-1-1.html and forum.php?mod=viewthread, Flarum's /d/123, Discourse's /t/123, /q/123, and
# hosts such as bbs.*, *bbs*, forum.*, tieba, zhidao. Whole segments and host labels only, so
# a news path that merely contains the letters (…/d12345.html, task.gov.cn) does not count.
_THREAD_SEGMENT = re.compile(
    r"(?i)(?:^|/)(?:bbs|forums?|threads?|discuss(?:ions?)?|questions?|answers?|faq|"
    r"comments?|ask|wenda)(?:/|$)|(?:^|/)thread-\d|(?:^|/)(?:d|t|q|topics?)/\d+(?:[/.?]|$)|mod=viewthread"
)
_THREAD_HOST_LABEL = re.compile(r"(?i)bbs|forum|^(?:discuss|tieba|zhidao|wenda|ask)$")
_THREAD_SOFTWARE = re.compile(
    r"(?i)discuz|phpwind|flarum|discourse|nodebb|vbulletin|phpbb|xenforo|mybb"
)
_THREAD_TYPES = frozenset({"DiscussionForumPosting", "QAPage", "Question", "Answer"})
_ITEMTYPES = etree.XPath("//@itemtype", smart_strings=False)
_MICRODATA_THREAD = re.compile(r"schema\.org/(?:DiscussionForumPosting|QAPage|Question|Answer)\b")
# The buttons and counters forum and Q&A software prints around every post.
_UI_WORDS = (
    "只看该作者|只看楼主|仅看楼主|倒序浏览|倒序看帖|阅读模式|电梯直达|手机查看|展开全部|全部评论|"
    "等人赞过|复制链接|选择文件|联系作者|个人认证用户|我来答|收起|"
    "点赞|首赞|评论|回复|回答|举报|分享|收藏|关注|私信|引用|打赏|置顶|精华|主题|帖子|积分|"
    "查看|阅读|浏览|楼主|沙发|板凳|最热|最新|追问|追答|采纳数|获赞数|采纳|"
    "更多回答|为你推荐|抢首赞|已赞过|已踩过|提交|取消|确定|广告|"
    "条|个|楼|次|人|×"
)
_UI_LINE = re.compile(rf"^(?:{_UI_WORDS}|[\d\s#:：|｜()（）\[\]·.,，/+-])+$")
# `发表于 2024-4-5 23:20:45 | 只看该作者`, `2020.06.09 09:42 发布`, `2021-10-19 · 活跃答主`.
_POST_META = re.compile(
    r"(?:发表于|发布于|回复于|发布|发表)\s*\d|\d{4}[-./年]\d{1,2}[-./月]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*(?:发布|发表|·)"
)
_POST_META_MAX = 80
# The share of a page's text (outside links) the region of its thread holds; chosen by
# leave-one-site-out cross-validation on the tuned forum pages (bench/cleaner_cv.py).
_THREAD_REGION_SHARE = 0.85
# A line mostly made of links is a menu, a tag list or pagination, not a post.
_MAX_LINK_SHARE = 0.5


def is_discussion(doc: HtmlElement, url: str) -> bool:
    """Whether the page is a thread, by what forum and Q&A software says of itself: its URL
    conventions, its `<meta name=generator>`, or schema.org types in JSON-LD or microdata."""
    parts = urlsplit(url)
    labels = (parts.hostname or "").split(".")
    if any(_THREAD_HOST_LABEL.search(label) for label in labels):
        return True
    if _THREAD_SEGMENT.search(parts.path) or _THREAD_SEGMENT.search(parts.query):
        return True
    if _THREAD_SOFTWARE.search(metas(doc).get("generator", "")):
        return True
    if any(_MICRODATA_THREAD.search(kind) for kind in _ITEMTYPES(doc)):
        return True
    return any(
        _THREAD_TYPES & _ld_types(s.text or "")
        for s in doc.iter("script")
        if s.get("type") == "application/ld+json"
    )


def _ld_types(source: str) -> set[str]:
    try:
        data = json.loads(source)
    except ValueError:
        return set()
    items = data if isinstance(data, list) else [data]
    found: set[str] = set()
    for item in items:
        if isinstance(item, dict):
            kind = item.get("@type")
            found |= (
                {kind} if isinstance(kind, str) else set(kind) if isinstance(kind, list) else set()
            )
            main = item.get("mainEntity")
            if isinstance(main, dict) and isinstance(main.get("@type"), str):
                found.add(main["@type"])
    return found


def text_lines(
    root: HtmlElement,
    skip: Callable[[HtmlElement], bool] | None = None,
    *,
    source_breaks: bool = False,
) -> list[tuple[str, int]]:
    """The text of `root` cut at block boundaries, as a browser lays it out: each line with how
    many of its characters are link text. Unlike leaf blocks, this keeps text that sits beside a
    nested block (`<div>user <span>…</span><div>…</div> reply text</div>`, or a `<p>` that a
    nested `<div>` closed, leaving the rest of the paragraph as the div's tail). Elements for
    which `skip` holds are left out, their tails not. With `source_breaks`, a newline in the
    page's source also ends a line (pages that wrap plain text in one `<p>`); the link count of
    a block so broken is then not kept."""
    lines: list[tuple[str, int]] = []
    current: list[str] = []
    linked = 0

    def flush() -> None:
        nonlocal linked
        text = "".join(current)
        if not source_breaks or "\n" not in text:
            line = re.sub(r"\s+", " ", text).strip()
            if line:
                lines.append((line, min(linked, len(line))))
        else:  # a block the source broke into lines cannot say which line its links are on
            parts = [
                line for part in text.split("\n") if (line := re.sub(r"\s+", " ", part).strip())
            ]
            lines.extend((line, min(linked, len(line)) if len(parts) == 1 else 0) for line in parts)
        current.clear()
        linked = 0

    def walk(el: HtmlElement, in_link: bool) -> None:
        nonlocal linked
        if not isinstance(el.tag, str) or (skip is not None and skip(el)):
            return
        block = el.tag in BLOCK_TAGS or el.tag == "br"
        if block:
            flush()
        in_link = in_link or el.tag == "a"
        if el.tag == "pre":
            # A code block is one paragraph: its lines are not article lines for the
            # normaliser to judge one by one (it drops repeats and `#` lines).
            current.append(re.sub(r"\s+", " ", el.text_content()))
            if block:
                flush()
            return
        if el.text:
            current.append(el.text)
            linked += len(el.text.strip()) if in_link else 0
        for child in el:
            walk(child, in_link)
            if child.tail:
                current.append(child.tail)
                linked += len(child.tail.strip()) if in_link else 0
        if block:
            flush()

    walk(root, False)
    flush()
    return lines


def is_post_furniture(line: str) -> bool:
    """A forum's buttons, counters and `posted at` lines, not anybody's words."""
    if _UI_LINE.match(line):
        return True
    return len(line) <= _POST_META_MAX and _POST_META.search(line) is not None


def prose_lines(root: HtmlElement) -> list[str]:
    """The lines of `root` that are not mostly links."""
    return [line for line, linked in text_lines(root) if linked <= _MAX_LINK_SHARE * len(line)]


def thread_lines(body: HtmlElement, title: str = "") -> list[str]:
    return [line for line in prose_lines(thread_region(body, title)) if not is_post_furniture(line)]


_LINK_TEXT = etree.XPath(".//a//text()", smart_strings=False)


def unlinked_cjk(el: HtmlElement) -> int:
    """Chinese characters of an element outside its links: its own words, not its menus."""
    return cjk_count(el.text_content()) - cjk_count("".join(_LINK_TEXT(el)))


def thread_region(body: HtmlElement, title: str = "") -> HtmlElement:
    """The deepest element holding most of the page's own text: the thread, without the
    sidebars, profile cards and recommendation boxes beside it that hold the rest. Never below
    a line of the thread printed before it (a question apart from its answers comes first);
    the page's title and the software's counters may be left above."""
    total, region = unlinked_cjk(body), body
    while True:
        children = [child for child in region if isinstance(child.tag, str)]
        enough = _THREAD_REGION_SHARE * total
        inner = next(  # a text's length bounds its Chinese characters: the cheap test first
            (c for c in children if len(c.text_content()) >= enough and unlinked_cjk(c) >= enough),
            None,
        )
        if inner is None or _thread_text_before(children[: children.index(inner)], title):
            return region
        region = inner


def _thread_text_before(elements: list[HtmlElement], title: str) -> bool:
    own_title = re.sub(r"\s+", "", title)
    return any(
        not is_post_furniture(line) and re.sub(r"\s+", "", line) != own_title
        for el in elements
        for line in prose_lines(el)
    )

"""Bylines as Chinese pages print them — `作者:张三`, `文/张三`, `（记者 张三 见习记者 李四）`,
`（张三 李明）`, `新华社记者 王五` — read into authors, with editors (`责任编辑:赵六`) kept apart:
an editor did not write the text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_ROLE = re.compile(
    r"(责任编辑|值班编辑|责编|编辑|本报记者|特约记者|见习记者|实习记者|首席记者|记者|通讯员|实习生"
    r"|特约评论员|评论员|撰稿人?|撰文|作者|摄影|文/图|文丨图"
    r"|(?<![\u4e00-\u9fff])[文图](?=\s*[/丨|:：]))\s*[:：/丨|]?\s*"
)
EDITOR_ROLES = frozenset({"责任编辑", "值班编辑", "责编", "编辑"})
_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,6}·[\u4e00-\u9fff·]{1,12}")
_SEPARATORS = re.compile(r"[\s、,，;；]+")
# Words that sit where a name would and are not names.
_NOT_NAMES = frozenset(
    "字号 来源 发布 时间 日期 分享 编辑 责任 通讯员 浏览 阅读 本报 记者 作者 综合 报道 整理 供图 图片"
    " 视频 制图 原创 转载 未完 待续 完 关注 加关注 已关注 粉丝 楼主 创建 联系作者 私信 订阅 主页 更多"
    " 文章 作品 获赞 点赞 评论 收藏 转发 举报 发表 回复".split()
)
# Not a person either: a platform account type (`搜狐号`), or where the account posts from.
_ACCOUNT = re.compile(r"(?:号|账号)$")
_LOCATION = re.compile(r"(?:IP属地|发布于|来自)\s*[:：]?\s*\S+")
# An organisation, not a person: `（新华社）`, `（人民网）` closing an article.
_ORGANISATION = re.compile(
    r"(?:社|报|网|台|局|部|委|会|院|厅|办|处|站|所|中心|集团|公司|平台|新闻)$"
)
# Bullets e-papers print before a byline (`■本报记者 张三`, `◎ 记者 李四`).
_MARKS = re.compile(r"^[■□●○◆◇▲△◎★☆※·\s]+")
_BRACKETED = re.compile(r"^[(（【\[]\s*(.*?)\s*[)）】\]]$")


@dataclass
class Byline:
    authors: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)


def is_name(token: str) -> bool:
    return (
        _NAME.fullmatch(token) is not None
        and token not in _NOT_NAMES
        and not _ORGANISATION.search(token)
        and not _ACCOUNT.search(token)
    )


def _names(segment: str) -> tuple[list[str], str]:
    """Names opening `segment`, and what is left after them."""
    tokens = [t for t in _SEPARATORS.split(segment.strip()) if t]
    names: list[str] = []
    for i, token in enumerate(tokens):
        if not is_name(token):
            return names, " ".join(tokens[i:])
        names.append(token)
    return names, ""


def _parts(text: str) -> tuple[str, list[tuple[str, str]]]:
    """`新华社记者 张三 编辑 李四` → ("新华社", [("记者", "张三 "), ("编辑", "李四")])."""
    pieces = _ROLE.split(text)
    return pieces[0], list(zip(pieces[1::2], pieces[2::2], strict=True))


def _own_text(segment: str, followed_by_role: bool) -> str:
    """A segment without the word glued to the role after it: in `张三 新华社记者 李四` or
    `文丨政能亮特约评论员 韩涵` that word names who the next person works for, not a person."""
    if followed_by_role and segment and not segment[-1].isspace():
        head, _, _ = segment.rpartition(" ")
        return head
    return segment


def _read(lead: str, parts: list[tuple[str, str]], whole: bool) -> Byline | None:
    """Names after each role; with `whole`, None when anything but names and affiliations is there."""
    if whole and _own_text(lead, bool(parts)).strip():
        return None
    found = Byline()
    for i, (role, segment) in enumerate(parts):
        names, rest = _names(_own_text(segment, i < len(parts) - 1))
        if whole and rest:
            return None
        (found.editors if role in EDITOR_ROLES else found.authors).extend(names)
    return found


def labelled_byline(text: str) -> Byline:
    """Every `role name…` pair in a line that may hold other things (`来源:人民网 作者:张三 2024-05-01`)."""
    lead, parts = _parts(text)
    return _read(lead, parts, whole=False) or Byline()


def read_byline(line: str) -> Byline | None:
    """The byline a whole line is (`作者:张三`, `文/张三`, `（记者 张三 见习记者 李四）`, `（张三 李明）`,
    `责任编辑:赵六`), or None when the line says anything else."""
    line = _MARKS.sub("", line).strip()
    if not line or len(line) > 60:
        return None
    bracketed = _BRACKETED.match(line)
    inner = bracketed.group(1) if bracketed else line
    lead, parts = _parts(inner)
    if not parts:
        names, rest = _names(inner)
        return Byline(authors=names) if bracketed and names and not rest else None
    found = _read(lead, parts, whole=True)
    return found if found and (found.authors or found.editors) else None


def strip_location(text: str) -> str:
    """A byline box without the place the account posts from (`IP属地:广东`, `来自北京`)."""
    return _LOCATION.sub(" ", text)


def merged(*bylines: Byline) -> Byline:
    return Byline(
        authors=list(dict.fromkeys(n for b in bylines for n in b.authors)),
        editors=list(dict.fromkeys(n for b in bylines for n in b.editors)),
    )

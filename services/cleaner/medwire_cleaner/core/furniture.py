"""What a page prints around an article — labelled fields (来源:, 浏览次数:, 招聘热线:), breadcrumbs,
date lines, photo captions — which is never the article's headline, whatever its markup says."""

from __future__ import annotations

import re

from .dates import parse_date
from .dom import cjk_count

# A field label opening the line: source, date, byline, counters, contacts, page tools.
_LABELLED = re.compile(
    r"^\s*[【\[(（]?\s*(?:来源|稿源|信息来源|文章来源|图片来源|出处|发布时间|发布日期|发表时间|更新时间|时间|日期"
    r"|作者|记者|编辑|责任编辑|责编|审核|校对|浏览(?:次数|量)?|阅读(?:次数|量|数)?|点击(?:数|量|率|次数)?"
    r"|访问(?:量|次数)|字号|字体|分享到?|打印|关闭|收藏|(?:招聘|服务|咨询|投诉|举报|新闻)?热线"
    r"|(?:联系|咨询|办公)?电话|传真|邮箱|地址|邮编|投稿)\s*[:：]"
)
# Anywhere in a short line: counters, contacts, legal lines a site prints on every page.
_FURNITURE_WORDS = re.compile(
    r"热线\s*[:：]|电话\s*[:：]|浏览次数|阅读次数|点击次数|访问量|ICP备|公网安备|版权所有|Copyright|©"
    r"|当前位置|您的位置|现在位置|更多\s*(?:>|»|＞)"
    r"|^(?:网站地图|网站导航|联系我们|关于我们|设为首页|加入收藏|返回首页|返回顶部)$"
)
# Breadcrumb trails: `首页 > 新闻 > 正文`, `中国科普网 > 时政新闻 >`.
_CRUMB = re.compile(r"[>»›＞]\s*\S{0,12}\s*[>»›＞]|[>»›＞]\s*$|^\s*首页\s*[>»›＞/]")
_DATE_OR_TIME = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?|\d{1,2}[:：]\d{2}(?:[:：]\d{2})?"
    r"|星期.|周[一二三四五六日天]"
)
# Photo captions and credits: `▲张三在开幕式上致辞`, `…现场。 周志杭 摄`, `（新华社记者 李四 摄）`.
_CAPTION_START = re.compile(r"^\s*(?:[▲△▼↑↓]|图为|上图|下图|左图|右图|图[:：/丨|]|图片[:：])")
_CAPTION_CREDIT = re.compile(
    r"(?:^|[\s。，,:：/丨|]|记者|通讯员|摄影)[\u4e00-\u9fff·]{2,5}\s*(?<![拍偷航抓跟])摄[)）]?$"
    r"|[(（][^()（）]{0,30}(?:摄|供图)[)）]$|供图$|^摄影\s*[:：]"
)


_ORIGIN = re.compile(
    r"(?:来源|稿源|转载自)\s*[:：]\s*([^\s|｜:：]{2,20}?)(?=[\s|｜]|(?:19|20)\d{2}\s*[-/.年]|$)"
)


def origin_in(line: str) -> str | None:
    """The source an info line names (`来源:省科技厅2019-11-14 15:53` → 省科技厅)."""
    m = _ORIGIN.search(line)
    return m.group(1) if m else None


def is_info_line(line: str) -> bool:
    """A line of labelled fields (`来源:人民网 作者:张三 2024-05-09`), short enough to be one."""
    return len(line) < 120 and _LABELLED.match(line) is not None


def is_caption(line: str) -> bool:
    """A photo caption or credit (it belongs to the article around it, never heads one)."""
    line = line.strip()
    return bool(line) and (
        _CAPTION_START.match(line) is not None or _CAPTION_CREDIT.search(line) is not None
    )


def is_date_line(line: str) -> bool:
    """A line that is a date (and time) with little else: `2023-12-01 14:43 星期五`."""
    return parse_date(line) is not None and cjk_count(_DATE_OR_TIME.sub("", line)) < 4


def is_furniture(line: str) -> bool:
    """A line of page furniture: labelled field, counter, contact, breadcrumb or date line."""
    line = line.strip()
    if not line:
        return True
    if _LABELLED.match(line) or _CRUMB.search(line) or is_date_line(line):
        return True
    return len(line) < 80 and _FURNITURE_WORDS.search(line) is not None


def is_headline(line: str) -> bool:
    """Could this line be an article's headline? (not furniture, not a caption)"""
    return not is_furniture(line) and not is_caption(line)


_INFO_TAIL = re.compile(
    r"\s+(?:[【\[(（]?\s*(?:来源|稿源|作者|记者|编辑|责任编辑|发布时间|发布日期|时间|日期|浏览|点击)\s*[:：]"
    r"|(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})"
)


def without_info_tail(title: str) -> str:
    """`标题 来源:新华社 作者: 2023-12-01 14:43` → `标题`: a title block that also holds the page's
    info line (one `<div class="title">` around both)."""
    m = _INFO_TAIL.search(title)
    return title[: m.start()].rstrip() if m and m.start() >= 4 else title

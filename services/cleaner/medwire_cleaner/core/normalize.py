"""Text normalisation shared by the HTML and plain-text paths: pinyin glosses, full-width
characters, traditional → simplified, injected spam, repeated blocks, bylines, boilerplate lines."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import opencc

from .bylines import labelled_byline, read_byline
from .furniture import is_info_line, origin_in

_TONES = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü", "aaaaeeeeiiiioooouuuuvvvvv")
_SYLLABLE = re.compile(
    r"(?:(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|uai|uan|ian|iao|van|ai|ei|ao|ou|an|en|in|un|vn|ia|ie|iu|ua|uo|ui|ve|ue|er|a|o|e|i|u|v|n|ng))"
)
_PINYIN_WORD = re.compile(f"(?:{_SYLLABLE.pattern})+")
_GLOSS = re.compile(r"(?<=[\u4e00-\u9fff])(?:\(([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,30})\))+")
_FULLWIDTH = (
    {c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}
    | {c: c - 0xFEE0 for c in range(0xFF21, 0xFF3B)}
    | {c: c - 0xFEE0 for c in range(0xFF41, 0xFF5B)}
    | {0x3000: 0x20}
)
_CJK = re.compile(r"[\u4e00-\u9fff]")

SPAM_STRONG = (
    "澳门新葡京",
    "百家乐",
    "六合彩",
    "时时彩",
    "北京赛车",
    "真人娱乐",
    "娱乐城",
    "博彩",
    "赌场",
    "无码",
    "成人视频",
    "色情",
    "AV在线",
    "av在线",
    "黄色网站",
    "约炮",
    "发票代开",
    "代开发票",
)
SPAM_WEAK = (
    "在线观看",
    "高清",
    "免费视频",
    "注册送",
    "彩金",
    "开奖",
    "官方网站",
    "老虎机",
    "棋牌",
    "下注",
)

_BOILERPLATE_LINE = re.compile(
    r"^(?:[(（【\[]?\s*(?:责任编辑|编辑|责编|审核|校对|值班编辑|来源|原标题|本文来源|转载自|作者|图片来源|点击|浏览|阅读|"
    r"打印本页|关闭窗口|扫一扫|分享到|分享|收藏|字号|上一篇|下一篇|相关(?:阅读|新闻|推荐|文章)|推荐阅读|热门|免责声明|版权声明|"
    r"版权所有|Copyright|©|我要纠错|纠错|返回顶部|关注我们|发表评论|评论列表|网友评论|暂无评论|暂时没有评论)\b"
    r"|.{0,40}(?:记者|摄影|通讯员)\s*\S{2,4}\s*摄$"
    r"|.*(?:ICP备|网站标识码|公网安备|举报电话|违法和不良信息|阅读时长|阅读量|浏览次数|点击数|快抢沙发))",
    re.I,
)
# A byline closing the last paragraph: `…召开。（记者 张三 见习记者 李四）`.
_BYLINE_TAIL = re.compile(r"[(（][^()（）]{2,40}[)）]$")
# The reporters a dateline names: `本报讯（记者 张三）…`, `新华社北京5月9日电（记者戴小河、印朋）…`.
_DATELINE_REPORTER = re.compile(r"^.{0,30}?(?:讯|电)\s*([(（][^()（）]{2,40}[)）])")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def is_pinyin(word: str) -> bool:
    """True for one or more pinyin syllables, with or without tone marks (`xiàngmù`, `le`)."""
    return _PINYIN_WORD.fullmatch(word.translate(_TONES)) is not None


def remove_pinyin_glosses(text: str) -> str:
    """`由(yóu)` → `由`, `了(le)(le)` → `了`; `(GLP)`, `(北航)` and `(ppm)`-like non-pinyin stay."""

    def drop(m: re.Match[str]) -> str:
        glosses = re.findall(r"\(([^)]*)\)", m.group(0))
        return "" if all(is_pinyin(g) for g in glosses) else m.group(0)

    return _GLOSS.sub(drop, text)


def normalize_chars(text: str) -> str:
    """Full-width letters, digits and spaces to ASCII; compatibility forms folded; spaces collapsed."""
    text = unicodedata.normalize("NFC", text).translate(_FULLWIDTH)
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    return re.sub(r"[ \t\r\f\v]+", " ", text).strip()


def simplify(text: str) -> str:
    """OpenCC traditional → simplified, unconditionally."""
    return str(_t2s().convert(text))


def to_simplified(text: str) -> tuple[str, bool]:
    """OpenCC t2s when the text is traditional Chinese (enough characters change)."""
    if not text:
        return text, False
    converted = simplify(text)
    changed = sum(a != b for a, b in zip(text, converted, strict=False))
    cjk = len(_CJK.findall(text))
    return (converted, True) if cjk and changed >= max(3, 0.03 * cjk) else (text, False)


def spam_score(text: str) -> int:
    """Strong words count at each use; weak words once each, since news repeats one of them
    (`官方网站` twice in a notice) where spam strings several together."""
    return 2 * sum(text.count(w) for w in SPAM_STRONG) + sum(w in text for w in SPAM_WEAK)


def is_spam(paragraph: str) -> bool:
    score = spam_score(paragraph)
    return score >= 3 or (score >= 2 and len(paragraph) < 200)


def is_boilerplate_line(line: str) -> bool:
    return len(line) < 200 and _BOILERPLATE_LINE.match(line) is not None


_PHOTO_CREDIT = re.compile(r"^.{0,40}(?:记者|摄影|通讯员)\s*\S{2,4}\s*摄$")
# The source a line names, without the date a portal prints right after it
# (`来源:省科技厅2019-11-14 15:53` → 省科技厅).
_ORIGIN_LINE = re.compile(
    r"^[(（【\[]?\s*(?:来源|本文来源|稿源|转载自)\s*[:：]\s*"
    r"([^\s)）】\]]{2,30}?)(?=[\s)）】\]]|(?:19|20)\d{2}\s*[-/.年]|$)"
)


@dataclass
class Cleaned:
    paragraphs: list[str]
    authors: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    captions: list[str] = field(default_factory=list)
    origin: str | None = None
    editors: list[str] = field(default_factory=list)


def clean_paragraphs(paragraphs: list[str]) -> Cleaned:
    """Normalise each paragraph and drop boilerplate, spam and repeats; read a trailing byline."""
    out: list[str] = []
    seen: set[str] = set()
    result = Cleaned(out)
    for raw in paragraphs:
        p = normalize_chars(remove_pinyin_glosses(raw))
        if not p:
            continue
        if _PHOTO_CREDIT.match(p):
            result.captions.append(p)  # a photo credit is metadata, not body
            continue
        if is_info_line(
            p
        ):  # `来源:人民网 作者:张三 编辑:李四`: read its facts, whatever becomes of it
            info = labelled_byline(p)
            result.authors.extend(info.authors)
            result.editors.extend(info.editors)
            result.origin = result.origin or origin_in(p)
        origin = _ORIGIN_LINE.match(p)
        if origin and len(p) < 60:
            result.origin = result.origin or origin.group(1)
            continue
        byline = read_byline(p)
        if byline:  # `作者:张三`, `责任编辑:李四`: facts about the article, not its text
            result.authors.extend(byline.authors)
            result.editors.extend(byline.editors)
            continue
        if is_boilerplate_line(p):
            continue
        if is_spam(p):
            result.flags.add("spam_injection")
            continue
        key = re.sub(r"\s+", "", p)
        if len(key) >= 8 and key in seen:
            result.flags.add("duplicate_blocks_removed")
            continue
        seen.add(key)
        out.append(p)
    if out:
        _read_edge_bylines(out, result)
    result.authors = list(dict.fromkeys(result.authors))
    result.editors = list(dict.fromkeys(result.editors))
    return result


def _read_edge_bylines(out: list[str], result: Cleaned) -> None:
    """The reporters a first-paragraph dateline names (the dateline stays: it is part of the lede)
    and a byline closing the last paragraph (cut off: it is not part of the text)."""
    reporter = _DATELINE_REPORTER.search(out[0])
    dateline = read_byline(reporter.group(1)) if reporter else None
    if dateline:
        result.authors.extend(dateline.authors)
    tail = _BYLINE_TAIL.search(out[-1])
    byline = read_byline(tail.group(0)) if tail and (tail.start() > 0 or len(out) > 1) else None
    if tail and byline:
        result.authors.extend(byline.authors)
        result.editors.extend(byline.editors)
        out[-1] = out[-1][: tail.start()].rstrip()
        if not out[-1]:
            out.pop()

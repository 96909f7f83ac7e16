"""Dates in the text resolved against the page's date (its published_at, or the day it was
fetched): `7月25日`/`7月25号` on a page of 2025-08-01 is 2025-07-25, `二〇二五年三月五日`
2025-03-05; a range's end is read against its start (`2017年8月11日至8月22日`, `2025年7月25日至27日`);
`今年5月中旬` is 2025-05-15, `8月下旬` the 25th, `本月初` the 5th of the page's month; `昨日`,
`大前天`, `上周三` count from the page's day; `会议将于8月1日召开` stays in the page's year however
far ahead. A month (`二〇二五年三月`, `今年5月`) or a half-year (`上半年`) is a period, listed with
its first and last day but dating no event. `近日`/`日前` give none; lunar dates (`农历…`,
`闰六月初八`) are never dates."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from medwire_common.schemas import EARLIEST_DAY, LATEST_DAY

from .numbers import chinese_digits, chinese_to_int

_YEAR = r"(\d{4}|[〇零一二三四五六七八九]{4})\s*年"
_MONTH = r"(\d{1,2}|十[一二]?|[一二三四五六七八九])\s*月"
_DAY = r"(\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])\s*[日号]"
_TO = r"\s*(?:至|到|—|－|-|~|～)\s*"
_PART = r"(上旬|中旬|下旬|初|底|末)"
# A day, or a range of days whose end may leave out the year and month it shares with its start.
_DAY_OR_RANGE = re.compile(
    rf"(?<!\d)(?:{_YEAR}\s*)?{_MONTH}\s*{_DAY}(?:{_TO}(?:{_YEAR}\s*)?(?:{_MONTH}\s*)?{_DAY})?"
)
_YEAR_MONTH = re.compile(rf"(?<!\d){_YEAR}\s*{_MONTH}{_PART}?")
# `今年5月` alone is a period; a part of the month (`今年5月中旬`) makes a day.
_NAMED_YEAR_MONTH = re.compile(rf"(今年|去年|明年)\s*{_MONTH}{_PART}?")
_MONTH_XUN = re.compile(rf"(?<![\d年今去明]){_MONTH}(上旬|中旬|下旬)")
_NAMED_MONTH = re.compile(rf"(本|上|下)个?月\s*(?:{_DAY}|{_PART})")
_HALF_YEAR = re.compile(rf"(?:{_YEAR}|(今年|去年|明年))?\s*(上|下)半年")
# Not the 上 of `线上`/`网上`/`晚上` (`线上周三直播`).
_WEEKDAY = re.compile(r"(?<![线网晚早马])(上上|上|本|这|下)个?(?:周|星期|礼拜)([一二三四五六日天])")
_RELATIVE_DAY = re.compile(r"大前天|前天|昨天|昨日|昨晚|今天|今日|明天")
_SHIFT = {
    "大前天": -3,
    "前天": -2,
    "昨天": -1,
    "昨日": -1,
    "昨晚": -1,
    "今天": 0,
    "今日": 0,
    "明天": 1,
}
_NAMED_YEAR = {"今年": 0, "去年": -1, "明年": 1}
_NAMED_YEAR_BEFORE = re.compile(r"(今年|去年|明年)\s*$")
_NAMED_WEEK = {"上上": -2, "上": -1, "本": 0, "这": 0, "下": 1}
_NAMED_MONTH_SHIFT = {"本": 0, "上": -1, "下": 1}
_LUNAR = re.compile(r"(农历|阴历|闰)[^\s,，。]{0,8}$")
_XUN = {"上旬": 5, "初": 5, "中旬": 15, "下旬": 25, "底": 28, "末": 28}
# A month-day later than the page by more than this is last year's (a January page on 12月28日),
# unless the text says it is still to come (`将于8月1日召开`); then one earlier than the page by
# more than this is next year's (a December page on `将于1月5日举行`).
_SLACK = timedelta(days=45)
_FUTURE_BEFORE = re.compile(r"(将|拟|计划|预计|定|即将)(于|在)?\s*$")
_FUTURE_AFTER = re.compile(r"\s*[,，]?\s*(将|拟|即将)")


_Day = date  # the field `date` below hides the type inside the class


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    date: date  # the day; a range's or a period's first day
    end_date: _Day | None = None  # the last day of a range or a period
    period: bool = False  # a month or half-year: no single day, so it dates no event


def _make(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _number(written: str | None) -> int | None:
    """A year, month or day in Arabic or Chinese digits (`2025`, `二〇二五`, `十二`, `3`)."""
    if written is None:
        return None
    if written.isdigit():
        return int(written)
    return chinese_digits(written) if len(written) == 4 else chinese_to_int(written)


def _near_page(page_date: date, month: int, day: int, future: bool) -> date | None:
    """Month and day in the page's year, or in the year before when that would be well after the
    page (a January page on 12月28日); in the year after when the text speaks of what is to come
    and the day would be well before the page."""
    when = _make(page_date.year, month, day)
    if when and not future and when > page_date + _SLACK:
        return _make(page_date.year - 1, month, day)
    if when and future and when < page_date - _SLACK:
        return _make(page_date.year + 1, month, day)
    return when


def _is_future(text: str, start: int, end: int) -> bool:
    return bool(
        _FUTURE_BEFORE.search(text[max(0, start - 4) : start])
        or _FUTURE_AFTER.match(text[end : end + 4])
    )


def _month_shift(day: date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _whole_month(year: int, month: int) -> tuple[date, date] | None:
    if not 1 <= month <= 12:
        return None
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


class _Found:
    """The mentions found so far: a later pattern does not take text an earlier one took."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.mentions: list[DateMention] = []
        # One flag a character, so that the overlap check stays linear in the text (comparing
        # each mention with every other took minutes on a text of 30,000 dates).
        self.taken = bytearray(len(text))

    def add(
        self,
        m: re.Match[str],
        first: date | None,
        last: date | None = None,
        *,
        period: bool = False,
        start: int | None = None,
    ) -> None:
        """`start`: where the mention starts when it is before the match (`去年` of `去年12月1日`)."""
        start, end = m.start() if start is None else start, m.end()
        if (
            first
            # `0001年1月1日` in a text (or a day before an 1900-01-01 page) is no date to publish.
            and EARLIEST_DAY <= first <= LATEST_DAY
            and (last is None or first < last <= LATEST_DAY)
            and not any(self.taken[start:end])
            and not _LUNAR.search(self.text[max(0, start - 10) : start])
        ):
            self.mentions.append(DateMention(start, end, first, last, period))
            self.taken[start:end] = b"\x01" * (end - start)


def _day_or_range(found: _Found, m: re.Match[str], page_date: date | None) -> None:
    year, month, day = (_number(m.group(i)) for i in (1, 2, 3))
    if month is None or day is None:
        return
    named = None
    if year is not None:
        first = _make(year, month, day)
    elif page_date is None:
        return
    else:
        named = _NAMED_YEAR_BEFORE.search(found.text, max(0, m.start() - 3), m.start())
        if named:
            first = _make(page_date.year + _NAMED_YEAR[named.group(1)], month, day)
        else:
            first = _near_page(page_date, month, day, _is_future(found.text, *m.span()))
    last = None
    if first and m.group(6):
        end_month = _number(m.group(5)) or first.month
        last = _make(_number(m.group(4)) or first.year, end_month, _number(m.group(6)) or 0)
        if last and last < first and m.group(4) is None and m.group(5):  # `12月30日至1月2日`
            last = _make(first.year + 1, end_month, last.day)
        if last is None or last <= first:
            last = None  # no range a reader would write: the start alone is still a day
    found.add(m, first, last, start=named.start() if named else None)


def _month_or_part(
    found: _Found, m: re.Match[str], year: int, month: int | None, part: str | None
) -> None:
    """`2025年3月` is a period; `2025年3月中旬` the 15th."""
    if month is None:
        return
    if part:
        found.add(m, _make(year, month, _XUN[part]))
    elif whole := _whole_month(year, month):
        found.add(m, *whole, period=True)


def _relative(found: _Found, text: str, page_date: date) -> None:
    for m in _NAMED_YEAR_MONTH.finditer(text):
        year = page_date.year + _NAMED_YEAR[m.group(1)]
        _month_or_part(found, m, year, _number(m.group(2)), m.group(3))
    for m in _MONTH_XUN.finditer(text):  # `8月下旬` on a September page
        month = _number(m.group(1))
        if month is not None:
            found.add(
                m, _near_page(page_date, month, _XUN[m.group(2)], _is_future(text, *m.span()))
            )
    for m in _NAMED_MONTH.finditer(text):  # `本月初`, `上月15日`
        year, month = _month_shift(page_date, _NAMED_MONTH_SHIFT[m.group(1)])
        day = _number(m.group(2)) if m.group(2) else _XUN[m.group(3)]
        found.add(m, _make(year, month, day or 0))
    for m in _HALF_YEAR.finditer(text):
        written = _number(m.group(1))
        year = (
            written if written is not None else page_date.year + _NAMED_YEAR[m.group(2) or "今年"]
        )
        first, last = ((1, 1), (6, 30)) if m.group(3) == "上" else ((7, 1), (12, 31))
        found.add(m, _make(year, *first), _make(year, *last), period=True)
    for m in _WEEKDAY.finditer(text):  # weeks start on Monday
        monday = page_date - timedelta(days=page_date.weekday())
        weekday = "一二三四五六日".find(m.group(2).replace("天", "日"))
        found.add(m, monday + timedelta(weeks=_NAMED_WEEK[m.group(1)], days=weekday))
    for m in _RELATIVE_DAY.finditer(text):
        found.add(m, page_date + timedelta(days=_SHIFT[m.group(0)]))


def find_dates(text: str, page_date: date | None) -> list[DateMention]:
    """Every date the text writes, in text order; year-less and relative ones only when there
    is a page date to read them against."""
    found = _Found(text)
    for m in _DAY_OR_RANGE.finditer(text):
        _day_or_range(found, m, page_date)
    for m in _YEAR_MONTH.finditer(text):
        year = _number(m.group(1))
        if year is not None:
            _month_or_part(found, m, year, _number(m.group(2)), m.group(3))
    if page_date is not None:
        _relative(found, text, page_date)
    return sorted(found.mentions, key=lambda d: d.start)

"""Dates in the text resolved against the page's own date: `7月25日` on a page of 2025-08-01 is
2025-07-25; `今年5月中旬` is 2025-05-15 and `8月下旬` the 25th; `今年5月` alone none; `昨天` the day before; `近日`/`日前` give none; lunar
dates (`农历…`, `闰六月初八`) are never event dates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from medwire_common.schemas import EARLIEST_DAY, LATEST_DAY

from .spans import Coverage

_FULL = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_MONTH_DAY = re.compile(r"(?<![\d年])(\d{1,2})\s*月\s*(\d{1,2})\s*日")
# `今年5月` alone names a month, not a day: only a part of the month makes a date.
_THIS_YEAR_MONTH = re.compile(r"(今年|去年|明年)\s*(\d{1,2})\s*月(上旬|中旬|下旬|初|底|末)")
_MONTH_XUN = re.compile(r"(?<![\d年今去明])(\d{1,2})\s*月(上旬|中旬|下旬)")
_RELATIVE = {"今天": 0, "今日": 0, "昨天": -1, "昨日": -1, "前天": -2, "明天": 1}
_LUNAR = re.compile(r"(农历|阴历|闰)[^\s,，。]{0,8}$")
_XUN = {"上旬": 5, "初": 5, "中旬": 15, "下旬": 25, "底": 28, "末": 28}
# A month-day later than the page by more than this is last year's (a January page on 12月28日).
_FUTURE_SLACK = timedelta(days=45)


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    date: date


def _make(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _near_page(page_date: date, month: int, day: int) -> date | None:
    """Month and day in the page's year, or the year before when that would be well after the
    page (a January page on 12月28日)."""
    when = _make(page_date.year, month, day)
    if when and when > page_date + _FUTURE_SLACK:
        when = _make(page_date.year - 1, month, day)
    return when


def find_dates(text: str, page_date: date | None) -> list[DateMention]:
    found: list[DateMention] = []
    taken = Coverage(len(text))

    def add(start: int, end: int, when: date | None) -> None:
        if (
            when
            # `0001年1月1日` in a text (or a day before an 1900-01-01 page) is no date to publish.
            and EARLIEST_DAY <= when <= LATEST_DAY
            and not taken.overlaps(start, end)
            and not _LUNAR.search(text[max(0, start - 10) : start])
        ):
            found.append(DateMention(start, end, when))
            taken.add(start, end)

    for m in _FULL.finditer(text):
        add(m.start(), m.end(), _make(int(m.group(1)), int(m.group(2)), int(m.group(3))))
    if page_date is not None:
        for m in _MONTH_DAY.finditer(text):
            add(m.start(), m.end(), _near_page(page_date, int(m.group(1)), int(m.group(2))))
        for m in _MONTH_XUN.finditer(text):  # `8月下旬` on a September page
            add(m.start(), m.end(), _near_page(page_date, int(m.group(1)), _XUN[m.group(2)]))
        for m in _THIS_YEAR_MONTH.finditer(text):
            year = page_date.year + {"今年": 0, "去年": -1, "明年": 1}[m.group(1)]
            add(m.start(), m.end(), _make(year, int(m.group(2)), _XUN[m.group(3)]))
        for word, shift in _RELATIVE.items():
            for m in re.finditer(word, text):
                add(m.start(), m.end(), page_date + timedelta(days=shift))
    return sorted(found, key=lambda d: d.start)

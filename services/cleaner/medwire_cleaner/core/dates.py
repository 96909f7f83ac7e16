"""Publication dates written the ways Chinese pages write them."""

from __future__ import annotations

import re
from datetime import date

from medwire_common.schemas import EARLIEST_DAY, LATEST_DAY

_FULL = re.compile(r"(20\d{2}|19\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_URL = re.compile(
    r"/(20\d{2})[-/_]?(\d{2})[-/_]?(\d{2})(?=[/_.-]|$)|/(20\d{2})[-_](\d{2})/(\d{2})/"
)


def make_date(y: str | int, m: str | int, d: str | int) -> date | None:
    """The date, if it is one and within the window records allow (a masthead's `0001年` is a
    misprint or a trap, not a date to publish)."""
    try:
        made = date(int(y), int(m), int(d))
    except ValueError:
        return None
    return made if EARLIEST_DAY <= made <= LATEST_DAY else None


def parse_date(text: str | None) -> date | None:
    """The first full date in `text` (`2025-08-01`, `2025年8月1日`, `2025/8/1 10:00`)."""
    if not text:
        return None
    for m in _FULL.finditer(text):
        found = make_date(*m.groups())
        if found:
            return found
    return None


_TIME_AFTER_DATE = re.compile(
    r"(?:20\d{2}|19\d{2})\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s+|T)([01]?\d|2[0-3])[:：时]([0-5]\d)"
)


def parse_time(text: str | None) -> str | None:
    """The time of day written right after a full date (`2025-06-16 09:12` → `09:12`)."""
    m = _TIME_AFTER_DATE.search(text or "")
    return f"{int(m.group(1)):02d}:{m.group(2)}" if m else None


def date_from_url(url: str) -> date | None:
    for m in _URL.finditer(url):
        groups = [g for g in m.groups() if g]
        found = make_date(*groups[:3])
        if found:
            return found
    return None

"""Numbers as Chinese news writes them: `10.52`, `1,200`, `四十`, `两千`, `1/7`."""

from __future__ import annotations

import math

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}
CHINESE_NUMERAL = "零〇一二两三四五六七八九十百千"


def chinese_to_int(text: str) -> int | None:
    """`四十` → 40, `两千三百` → 2300, `十二` → 12; None when it is not a numeral below 10,000."""
    if not text or any(c not in _DIGITS and c not in _UNITS for c in text):
        return None
    total, digit = 0, None
    for c in text:
        if c in _DIGITS:
            digit = _DIGITS[c]
        else:
            total += (digit if digit is not None else 1) * _UNITS[c]
            digit = None
    return total + (digit or 0)


def parse_number(text: str) -> float | None:
    """The number written in `text`; None when there is none, or it is too long to be finite
    (400 digits are a float overflow, not an amount)."""
    cleaned = text.replace(",", "").replace("，", "").strip()
    try:
        value = float(cleaned)
    except ValueError:
        numeral = chinese_to_int(cleaned)
        return float(numeral) if numeral is not None else None
    return value if math.isfinite(value) else None

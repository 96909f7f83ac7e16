"""Numbers as Chinese news writes them: `10.52`, `1,200`, `８２，２２５．００`, `四十`, `两千`,
`六十四万零一百四十三`, `三点五亿`, `二〇二五`, `1/7`."""

from __future__ import annotations

import math
import unicodedata
from decimal import Decimal, InvalidOperation

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
_SECTIONS = (("亿", 10**8), ("万", 10**4))
CHINESE_NUMERAL = "零〇一二两三四五六七八九十百千"
# With the section units and the decimal point: what a written-out amount can hold.
CHINESE_AMOUNT = CHINESE_NUMERAL + "万亿点"


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


def chinese_digits(text: str) -> int | None:
    """A number read digit by digit, as years are written: `二〇二五` → 2025."""
    if not text or any(c not in _DIGITS for c in text):
        return None
    return int("".join(str(_DIGITS[c]) for c in text))


def _chinese_sections(text: str) -> int | None:
    """`六十四万零一百四十三` → 640143: sections of at most 9,999 before 亿 and 万."""
    for unit, scale in _SECTIONS:
        if unit in text:
            high, _, low = text.partition(unit)
            upper = _chinese_sections(high) if high else 1
            lower = _chinese_sections(low.lstrip("零〇")) if low.strip("零〇") else 0
            if upper is None or lower is None:
                return None
            return upper * scale + lower
    return chinese_to_int(text)


def chinese_to_decimal(text: str) -> Decimal | None:
    """A written-out number with sections and a decimal point: `一万五千` → 15000,
    `三点五亿` → 350000000; None when `text` is not one."""
    whole, point, rest = text.partition("点")
    if not point:
        value = _chinese_sections(text)
        return Decimal(value) if value is not None else None
    # `三点五亿`: the fraction's digits are read one by one, then the trailing section unit scales.
    scale = 1
    for unit, section in _SECTIONS:
        if rest.endswith(unit):
            rest, scale = rest[: -len(unit)], section
            break
    head = _chinese_sections(whole) if whole else None
    if head is None or chinese_digits(rest) is None:
        return None
    return Decimal(f"{head}.{''.join(str(_DIGITS[c]) for c in rest)}") * scale


def parse_decimal(text: str) -> Decimal | None:
    """The exact number written in `text`, in Arabic digits (half- or full-width, with `,`/`，`
    between thousands) or in Chinese numerals; None when there is none."""
    cleaned = unicodedata.normalize("NFKC", text).replace(",", "").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return chinese_to_decimal(cleaned)
    return value if value.is_finite() else None


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

"""Money and quantities: `10.52亿元` → 1,052,000,000 CNY, `2800万美元`, `人民币100万元`,
`100万元人民币`, `港币3亿` (currency before or after), `六十四万零一百四十三元`, `三点五亿元`,
`８２，２２５．００元`; `40余家` (approx), `76亩`, `12.69万平方米`, `同比增长5.1%`."""

from __future__ import annotations

import math
import re
from decimal import Decimal

from medwire_common.schemas import Amount, AmountKind, Quantity

from .numbers import CHINESE_AMOUNT, CHINESE_NUMERAL, parse_decimal, parse_number
from .spans import Coverage
from .vocab.amounts import KIND_WORDS

_NUM = rf"(\d[\d,]*(?:\.\d+)?|[{CHINESE_NUMERAL}]+)"
_SCALE = {"万亿": 10**12, "亿": 10**8, "千万": 10**7, "百万": 10**6, "万": 10**4, "千": 10**3}
_CURRENCY = {
    "元": "CNY",
    "人民币": "CNY",
    "美元": "USD",
    "欧元": "EUR",
    "港元": "HKD",
    "港币": "HKD",
    "日元": "JPY",
    "英镑": "GBP",
}
_APPROX_BEFORE = ("近", "约", "超", "逾")
_APPROX_AFTER = ("以上", "左右", "上下", "多")
# Thousands separated by `,`/`，` only in groups of three (`82，225.00`): a comma before any other
# count of digits is a list's or a clause's. `\d` takes full-width digits too.
_MONEY_NUM = rf"(\d{{1,3}}(?:[,，]\d{{3}})+(?:[.．]\d+)?|\d+(?:[.．]\d+)?|[{CHINESE_NUMERAL}][{CHINESE_AMOUNT}]*)"
_UNIT = "美元|欧元|港元|港币|日元|英镑|元"
_MONEY = re.compile(
    rf"(近|约|超过|超|逾)?\s*(人民币|{_UNIT.replace('|元', '')})?\s*(近|约|超过|超|逾)?\s*"
    rf"{_MONEY_NUM}\s*(多|余)?\s*(万亿|亿|千万|百万|万|千)?\s*(多|余)?\s*({_UNIT})?(人民币)?"
)
_COUNT = re.compile(
    rf"(近|约|超过|超|逾)?\s*{_NUM}\s*(多|余)?\s*(万)?\s*(家|项|个|名|位|所|件|条|种|次|场|批|款|台|套|人)"
    r"([\u4e00-\u9fff]{0,6}?(?:企业|医院|机构|单位|高校|院校|项目|成果|产品|代表|专家|患者|平台|园区))?"
)
_AREA = re.compile(rf"{_NUM}\s*(万)?\s*(平方米|平方公里|亩|公顷)")
_GROWTH = re.compile(r"(同比|环比)?(增长|上升|提高|下降|减少)\s*(\d+(?:\.\d+)?)\s*%")


def _kind(before: str) -> AmountKind:
    for kind, words in KIND_WORDS:
        if any(w in before for w in words):
            return kind
    return "other"


def _money(m: re.Match[str]) -> tuple[Decimal, str] | None:
    """Value and currency of a money match; None when it names no currency, or names one
    before a bare number (`人民币2023年` is a year: a currency in front needs a 万/亿 or a 元)."""
    before, unit = m.group(2), m.group(8)
    if not unit and not (before and (m.group(6) or m.group(4)[-1] in "万亿")):
        return None
    value = parse_decimal(m.group(4))
    if value is None:
        return None
    value *= _SCALE.get(m.group(6) or "", 1)
    # `港币3亿元`: the currency in front says which 元.
    currency = _CURRENCY[before] if before and unit in (None, "元") else _CURRENCY[unit or "元"]
    return value, currency


def find_amounts(text: str) -> list[Amount]:
    found = []
    for m in _MONEY.finditer(text):
        money = _money(m)
        if money is None or not math.isfinite(float(money[0])):  # 1e300 亿元 is no amount
            continue
        context = text[max(0, m.start() - 12) : m.start()] + " " + text[m.end() : m.end() + 6]
        found.append(
            Amount(
                text=m.group(0).strip(),
                value=float(money[0]),
                unit=money[1],
                kind=_kind(context),
            )
        )
    return found


def find_quantities(text: str) -> list[Quantity]:
    found: list[Quantity] = []
    money = Coverage(len(text), (m.span() for m in _MONEY.finditer(text) if _money(m)))
    for m in _COUNT.finditer(text):
        if money.covers(m.start()):
            continue
        value = parse_number(m.group(2))
        if value is None or not math.isfinite(value * 1e4):
            continue
        approx = (
            bool(m.group(1) or m.group(3))
            or text[max(0, m.start() - 1) : m.start()] in _APPROX_BEFORE
            or text[m.end() : m.end() + 2] in _APPROX_AFTER
        )
        found.append(
            Quantity(
                text=m.group(0).strip(),
                value=value * (1e4 if m.group(4) else 1),
                unit=m.group(5),
                approx=approx,
            )
        )
    for m in _AREA.finditer(text):
        value = parse_number(m.group(1))
        if value is not None and math.isfinite(value * 1e4):
            found.append(
                Quantity(text=m.group(0), value=value * (1e4 if m.group(2) else 1), unit=m.group(3))
            )
    for m in _GROWTH.finditer(text):
        sign = -1 if m.group(2) in ("下降", "减少") else 1
        rate = parse_number(m.group(3))
        if rate is not None:
            found.append(Quantity(text=m.group(0), value=sign * rate, unit="%"))
    return found

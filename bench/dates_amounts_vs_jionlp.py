"""Dates and amounts as users write them: medwire's own parser (`core/timeexpr.py`,
`core/amounts.py`) beside JioNLP's (`jio.ner.extract_time`, `jio.ner.extract_money`) on the same
sentences, with the same reference date; which is right on each, the time per call, and the
import time of each in a fresh interpreter. jionlp is not a dependency of medwire: run it with

    uv run --with jionlp==1.5.31 python bench/dates_amounts_vs_jionlp.py

It prints a markdown table (docs/extractor.md carries the last one). The first cases are the
forms of issue #20; those marked `extra` were written afterwards, untuned, to see how each
parser does on forms neither was written for.

A date case is right when the first date found in the sentence is the expected day, or range or
period (first and last day); a vague one (`本月初`) when the answer lies inside its window (the
1st–10th: we say the 5th, jionlp the 1st–5th). An amount case is right when the first amount has
the expected value exactly and the expected currency.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from benchfile import best_of

from medwire_extractor.core.amounts import find_amounts
from medwire_extractor.core.timeexpr import find_dates

PAGE = date(2025, 8, 20)


@dataclass(frozen=True)
class DateCase:
    text: str
    first: date
    last: date | None = None  # a range or a period
    page: date = PAGE
    vague: bool = False  # right when the answer lies within first … last
    extra: bool = False


@dataclass(frozen=True)
class MoneyCase:
    text: str
    value: Decimal
    currency: str
    extra: bool = False


D = date
DATES = [
    DateCase("双方于7月25号完成签约", D(2025, 7, 25)),
    DateCase("二〇二五年三月，方案正式获批", D(2025, 3, 1), D(2025, 3, 31)),
    DateCase("二〇二五年三月五日，基地开工", D(2025, 3, 5)),
    DateCase("展会于2017年8月11日至8月22日举办", D(2017, 8, 11), D(2017, 8, 22)),
    DateCase("培训班2025年7月25日至27日举行", D(2025, 7, 25), D(2025, 7, 27)),
    DateCase("本月初，企业递交了申请", D(2025, 8, 1), D(2025, 8, 10), vague=True),
    DateCase("上半年完成产值三成", D(2025, 1, 1), D(2025, 6, 30)),
    DateCase("大前天，检查组进驻", D(2025, 8, 17)),
    DateCase("昨日，项目通过验收", D(2025, 8, 19)),
    DateCase("上周三，两家医院签约", D(2025, 8, 13)),
    DateCase("交流会将于8月1日召开", D(2025, 8, 1), page=D(2025, 4, 10)),
    DateCase("12月28日，双方签约", D(2024, 12, 28), page=D(2025, 1, 5)),
    DateCase("在今年5月中旬召开的会议上", D(2025, 5, 11), D(2025, 5, 20), vague=True),
    DateCase("二零二四年十月九日正式投产", D(2024, 10, 9), extra=True),
    DateCase("上个月20号举行了揭牌仪式", D(2025, 7, 20), extra=True),
    DateCase("9月下旬将举办博览会", D(2025, 9, 21), D(2025, 9, 30), vague=True, extra=True),
    DateCase("2024年11月30日-12月2日召开年会", D(2024, 11, 30), D(2024, 12, 2), extra=True),
    DateCase("上星期五，专家组抵达", D(2025, 8, 15), extra=True),
    DateCase("去年下半年投产", D(2024, 7, 1), D(2024, 12, 31), extra=True),
]
M = Decimal
AMOUNTS = [
    MoneyCase("共筹集善款一万五千元", M(15000), "CNY"),
    MoneyCase("合同金额六十四万零一百四十三元", M(640143), "CNY"),
    MoneyCase("计划投入三点五亿元", M(350000000), "CNY"),
    MoneyCase("获得资助人民币100万元", M(1000000), "CNY"),
    MoneyCase("注册资本100万元人民币", M(1000000), "CNY"),
    MoneyCase("完成5000万美元融资", M(50000000), "USD"),
    MoneyCase("募集港币3亿用于研发", M(300000000), "HKD"),
    MoneyCase("首期投入欧元200万", M(2000000), "EUR"),
    MoneyCase("中标金额82，225.00元", M(82225), "CNY"),
    MoneyCase("中标金额８２，２２５．００元", M(82225), "CNY"),
    MoneyCase("项目总投资10.52亿元", M(1052000000), "CNY"),
    MoneyCase("获得三千五百万元支持", M(35000000), "CNY", extra=True),
    MoneyCase("完成1.2亿美元C轮融资", M(120000000), "USD", extra=True),
    MoneyCase("注资4500万港元", M(45000000), "HKD", extra=True),
    MoneyCase("奖励人民币五百万元", M(5000000), "CNY", extra=True),
    MoneyCase("合同价款为1,280,000元", M(1280000), "CNY", extra=True),
]

Answer = tuple[date, date | None] | None


def ours_date(case: DateCase) -> Answer:
    found = find_dates(case.text, case.page)
    return (found[0].date, found[0].end_date) if found else None


def ours_money(case: MoneyCase) -> tuple[Decimal, str] | None:
    found = find_amounts(case.text)
    return (Decimal(str(found[0].value)), found[0].unit) if found else None


def _base(page: date) -> float:
    return datetime(page.year, page.month, page.day).timestamp()


def jio_date(case: DateCase) -> Answer:
    import jionlp as jio

    found = jio.ner.extract_time(case.text, time_base=_base(case.page), with_parsing=True)
    if not found:
        return None
    first, last = (datetime.fromisoformat(t).date() for t in found[0]["detail"]["time"][:2])
    return (first, last if last != first else None)


_JIO_CURRENCY = {"元": "CNY", "人民币": "CNY", "美元": "USD", "港元": "HKD", "欧元": "EUR"}


def jio_money(case: MoneyCase) -> tuple[Decimal, str] | None:
    import jionlp as jio

    try:
        found = jio.ner.extract_money(case.text, with_parsing=True)
    except Exception:  # noqa: BLE001 - jionlp raises on what it cannot parse: a wrong answer
        return None
    if not found or not isinstance(found[0]["detail"]["num"], str):
        return None
    detail = found[0]["detail"]
    return Decimal(detail["num"]), _JIO_CURRENCY.get(detail["case"], detail["case"])


def date_right(case: DateCase, answer: Answer) -> bool:
    if answer is None:
        return False
    if case.vague and case.last is not None:
        return case.first <= answer[0] and (answer[1] or answer[0]) <= case.last
    return answer == (case.first, case.last)


def per_call_us(fn: Callable[[object], object], cases: list) -> float:
    total = best_of(5, lambda: [fn(c) for c in cases * 20])
    return total / (len(cases) * 20) * 1e6


def import_seconds(module: str) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    runs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        for _ in range(3)
    ]
    return min(float(r.stdout.split()[-1]) for r in runs)


def mark(right: bool) -> str:
    return "✓" if right else "✗"


def main() -> None:
    with contextlib.redirect_stdout(io.StringIO()):  # jionlp prints a banner when imported
        import jionlp  # noqa: F401
    rows, score = [], {"ours": [0, 0], "jionlp": [0, 0]}
    for case in DATES:
        a, b = date_right(case, ours_date(case)), date_right(case, jio_date(case))
        rows.append((case.text, case.extra, a, b))
    for case in AMOUNTS:
        want = (case.value, case.currency)
        rows.append((case.text, case.extra, ours_money(case) == want, jio_money(case) == want))
    for _, extra, a, b in rows:
        score["ours"][extra] += a
        score["jionlp"][extra] += b
    n_extra = sum(extra for _, extra, _, _ in rows)
    n_issue = len(rows) - n_extra
    print("| case | ours | jionlp |\n|---|---|---|")
    for text, extra, a, b in rows:
        print(f"| `{text}`{' (extra)' if extra else ''} | {mark(a)} | {mark(b)} |")
    print(
        f"\nRight: ours {score['ours'][0]}/{n_issue} on the issue's forms and "
        f"{score['ours'][1]}/{n_extra} on the extra ones; jionlp {score['jionlp'][0]}/{n_issue} "
        f"and {score['jionlp'][1]}/{n_extra}."
    )
    print(
        f"Per call (best of 5): dates ours {per_call_us(ours_date, DATES):.0f} µs, jionlp "
        f"{per_call_us(jio_date, DATES):.0f} µs; amounts ours {per_call_us(ours_money, AMOUNTS):.0f} "
        f"µs, jionlp {per_call_us(jio_money, AMOUNTS):.0f} µs."
    )
    print(
        f"Import in a fresh interpreter (best of 3): ours "
        f"{import_seconds('medwire_extractor.core.timeexpr, medwire_extractor.core.amounts'):.2f} s, "
        f"jionlp {import_seconds('jionlp'):.2f} s."
    )


if __name__ == "__main__":
    main()

"""Money, quantities, dates resolved against the page date, and typed events (issue #4, part)."""

from datetime import UTC, date, datetime

import pytest

from medwire_common.schemas import CleanArticle, Source
from medwire_extractor.core import extract
from medwire_extractor.core.amounts import find_amounts, find_quantities
from medwire_extractor.core.numbers import chinese_to_int
from medwire_extractor.core.timeexpr import find_dates


@pytest.mark.parametrize(
    "text, value, unit, kind",
    [
        ("目前,项目初期总投资 10.52 亿元。", 1052000000, "CNY", "investment"),
        ("宣布完成2800万美元B轮融资", 28000000, "USD", "fund"),
        ("实现营业收入2343.4亿元", 234340000000, "CNY", "revenue"),
        ("带动精准医学产业产值规模超 1000 亿元", 100000000000, "CNY", "output"),
        ("发放慰问金、慰问品 20 余万元", 200000, "CNY", "fund"),
    ],
)
def test_money_has_value_currency_and_kind(text: str, value: float, unit: str, kind: str) -> None:
    (amount,) = find_amounts(text)
    assert (amount.value, amount.unit, amount.kind) == (value, unit, kind)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("省内外40余家医药企业代表参加", ("40余家医药企业", 40, "家", True)),
        ("近200项成果(技术)", ("近200项成果", 200, "项", True)),
        ("汇聚产学研合作单位 600 家以上", ("600 家", 600, "家", True)),
        ("占地面积76亩", ("76亩", 76, "亩", False)),
        ("总建筑面积12.69万平方米", ("12.69万平方米", 126900, "平方米", False)),
        ("营业收入同比增长5.1%", ("同比增长5.1%", 5.1, "%", False)),
        ("同比下降0.8%", ("同比下降0.8%", -0.8, "%", False)),
    ],
)
def test_quantities_counts_areas_and_growth(text: str, expected: tuple) -> None:
    (q,) = find_quantities(text)
    assert (q.text, q.value, q.unit, q.approx) == expected


def test_chinese_numerals() -> None:
    assert [chinese_to_int(t) for t in ("四十", "两千三百", "十二", "一百零五", "abc")] == [
        40,
        2300,
        12,
        105,
        None,
    ]


@pytest.mark.parametrize(
    "text, page, expected",
    [
        ("7月25日,平台启动", date(2025, 8, 1), [date(2025, 7, 25)]),
        ("12月28日,双方签约", date(2026, 1, 5), [date(2025, 12, 28)]),
        ("在今年5月中旬召开的会议上", date(2025, 6, 16), [date(2025, 5, 15)]),
        ("2021 年 7 月获批", date(2022, 4, 8), []),  # a month, not a day (listed as a period)
        ("今年5月获批上市", date(2025, 6, 20), []),
        ("于今年 1 月 19 日获国家发改委正式批复", date(2022, 4, 8), [date(2022, 1, 19)]),
        ("近日,中心揭牌;日前,企业签约", date(2022, 4, 8), []),
        ("农历乙巳年 闰六月初八", date(2025, 8, 1), []),
        ("7月25日,平台启动", None, []),
    ],
)
def test_dates_resolve_against_the_page_date(
    text: str, page: date | None, expected: list[date]
) -> None:
    assert [d.date for d in find_dates(text, page) if not d.period] == expected


def test_seed_launch_event_has_type_date_place_and_organisers() -> None:
    text = (
        "本报讯 7月25日,由山西省药品监督管理局与晋中市人民政府联合主办,山西转型综改示范区晋中开发区承办的"
        "“医药创新转化公共服务平台”启动仪式在晋中市举行。省药监局党组书记、局长李庭芳出席并致辞。"
    )
    article = CleanArticle.of(
        "a",
        text,
        datetime(2025, 8, 1, tzinfo=UTC),
        title="医药创新转化公共服务平台在晋中启动",
        published_at=date(2025, 8, 1),
        source=Source(name="山西科技报", domain="x"),
    )
    (event,) = extract(article).events
    assert (event.type, event.date, event.location) == ("launch", date(2025, 7, 25), "晋中市")
    assert {"山西省药品监督管理局", "晋中市人民政府"} <= set(event.participants)

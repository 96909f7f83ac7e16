"""Dates as users write them (issue #20, part 3): `7月25号`, Chinese numerals, ranges whose end is
read against their start, relative days and periods, a meeting still to come; every dated
mention listed on the record. Each case with its normalised value."""

from datetime import UTC, date, datetime

import pytest

from medwire_common.schemas import CleanArticle
from medwire_extractor.core import extract
from medwire_extractor.core.timeexpr import find_dates

PAGE = date(2025, 8, 20)  # a Wednesday


def dated(text: str, page: date | None = PAGE) -> list[tuple[str, date, date | None, bool]]:
    return [(text[d.start : d.end], d.date, d.end_date, d.period) for d in find_dates(text, page)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("双方于7月25号在省城完成签约", ("7月25号", date(2025, 7, 25), None, False)),
        (
            "方案自二〇二五年三月起实施",
            ("二〇二五年三月", date(2025, 3, 1), date(2025, 3, 31), True),
        ),
        ("二〇二五年三月五日，基地开工", ("二〇二五年三月五日", date(2025, 3, 5), None, False)),
        ("十二月二十五日发布了名单", ("十二月二十五日", date(2024, 12, 25), None, False)),
        ("2025年5月中旬召开推进会", ("2025年5月中旬", date(2025, 5, 15), None, False)),
    ],
)
def test_days_written_with_hao_and_chinese_numerals(text: str, expected: tuple) -> None:
    assert dated(text) == [expected]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "展会于2017年8月11日至8月22日举办",
            ("2017年8月11日至8月22日", date(2017, 8, 11), date(2017, 8, 22), False),
        ),
        (
            "培训班2025年7月25日至27日在园区举行",
            ("2025年7月25日至27日", date(2025, 7, 25), date(2025, 7, 27), False),
        ),
        (
            "义诊活动12月30日至1月2日进行",
            ("12月30日至1月2日", date(2024, 12, 30), date(2025, 1, 2), False),
        ),
    ],
)
def test_range_end_is_read_against_its_start(text: str, expected: tuple) -> None:
    assert dated(text) == [expected]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("本月初，企业递交了申请", ("本月初", date(2025, 8, 5), None, False)),
        ("本月15日起接受报名", ("本月15日", date(2025, 8, 15), None, False)),
        ("上半年完成产值三成", ("上半年", date(2025, 1, 1), date(2025, 6, 30), True)),
        ("去年下半年投产", ("去年下半年", date(2024, 7, 1), date(2024, 12, 31), True)),
        ("2023年上半年营收增长", ("2023年上半年", date(2023, 1, 1), date(2023, 6, 30), True)),
        ("大前天，检查组进驻", ("大前天", date(2025, 8, 17), None, False)),
        ("昨日，项目通过验收", ("昨日", date(2025, 8, 19), None, False)),
        ("上周三，两家医院签约", ("上周三", date(2025, 8, 13), None, False)),
        ("下周一开始试运行", ("下周一", date(2025, 8, 25), None, False)),
        ("今年5月获批上市", ("今年5月", date(2025, 5, 1), date(2025, 5, 31), True)),
        ("去年3月1日起施行", ("去年3月1日", date(2024, 3, 1), None, False)),
        ("明年1月5日交付", ("明年1月5日", date(2026, 1, 5), None, False)),
    ],
)
def test_relative_expressions_resolve_against_the_page_date(text: str, expected: tuple) -> None:
    assert dated(text) == [expected]


def test_online_is_not_last_week() -> None:
    assert dated("活动改为线上周三直播") == []


def test_a_meeting_still_to_come_stays_in_the_page_year() -> None:
    spring = date(2025, 4, 10)
    assert dated("交流会将于8月1日召开", spring) == [("8月1日", date(2025, 8, 1), None, False)]
    # without the future tense, a day months after the page is last year's
    assert dated("交流会于8月1日召开", spring) == [("8月1日", date(2024, 8, 1), None, False)]
    # and a meeting to come on a December page is next year's
    assert dated("年会定于1月9日举行", date(2025, 12, 18))[0][1] == date(2026, 1, 9)


def test_every_dated_mention_is_listed_with_its_value_and_span() -> None:
    text = "上半年，园区引进项目12个。7月25号，联盟成立；年会将于9月18日至20日举行。"
    article = CleanArticle.of("d", text, datetime(2025, 8, 20, 9, tzinfo=UTC), title="t")
    enriched = extract(article)  # no published date: read against the day it was fetched
    listed = [(m.text, m.date, m.end_date, m.period) for m in enriched.dates]
    assert listed == [
        ("上半年", date(2025, 1, 1), date(2025, 6, 30), True),
        ("7月25号", date(2025, 7, 25), None, False),
        ("9月18日至20日", date(2025, 9, 18), date(2025, 9, 20), False),
    ]
    assert all(text[slice(*m.span)] == m.text for m in enriched.dates)
    # a period dates no event: the half-year sentence is no `other` event of 2025-01-01
    assert date(2025, 1, 1) not in {e.date for e in enriched.events}

"""Money as users write it (issue #20, part 3): Chinese numerals, the currency before or after the
number, full-width digits and separators. Each case with its exact value and currency code."""

import pytest

from medwire_extractor.core.amounts import find_amounts


@pytest.mark.parametrize(
    "text, written, value, unit",
    [
        ("共筹集善款一万五千元", "一万五千元", 15000, "CNY"),
        ("合同金额六十四万零一百四十三元", "六十四万零一百四十三元", 640143, "CNY"),
        ("计划投入三点五亿元", "三点五亿元", 350_000_000, "CNY"),
        ("获得资助人民币100万元", "人民币100万元", 1_000_000, "CNY"),
        ("注册资本100万元人民币", "100万元人民币", 1_000_000, "CNY"),
        ("完成5000万美元融资", "5000万美元", 50_000_000, "USD"),
        ("募集港币3亿用于研发", "港币3亿", 300_000_000, "HKD"),
        ("另募港币2亿元", "港币2亿元", 200_000_000, "HKD"),
        ("首期投入欧元200万", "欧元200万", 2_000_000, "EUR"),
        ("中标金额82，225.00元", "82，225.00元", 82225, "CNY"),
        ("中标金额８２，２２５．００元", "８２，２２５．００元", 82225, "CNY"),
        ("成交价１２３４．５６元", "１２３４．５６元", 1234.56, "CNY"),
    ],
)
def test_money_as_written_has_its_exact_value_and_currency(
    text: str, written: str, value: float, unit: str
) -> None:
    (amount,) = find_amounts(text)
    assert (amount.text, amount.value, amount.unit) == (written, value, unit)


@pytest.mark.parametrize("text", ["人民币2023年度预算", "亿元以上项目", "美元走强"])
def test_a_currency_word_without_an_amount_is_none(text: str) -> None:
    assert find_amounts(text) == []

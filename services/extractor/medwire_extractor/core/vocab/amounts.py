"""Words before an amount that say what kind of money it is."""

from __future__ import annotations

from medwire_common.schemas import AmountKind

KIND_WORDS: list[tuple[AmountKind, tuple[str, ...]]] = [
    ("investment", ("总投资", "投资", "投入", "注册资本")),
    ("revenue", ("营业收入", "营收", "销售收入", "收入", "销售额")),
    ("output", ("产值", "产出", "规模")),
    ("fund", ("基金", "融资", "资金", "奖励", "补贴", "支持", "资助", "募集", "善款", "慰问金")),
]

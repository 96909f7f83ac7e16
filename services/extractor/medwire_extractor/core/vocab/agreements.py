"""Words that make a 《title》 a policy, and words that make it something else."""

from __future__ import annotations

POLICY_WORDS = (
    "措施",
    "办法",
    "意见",
    "方案",
    "规划",
    "通知",
    "条例",
    "规定",
    "细则",
    "指引",
    "纲要",
    "政策",
    "清单",
    "决定",
    "计划",
    "指南",
    "标准",
)

NOT_POLICY_WORDS = (
    "报告",
    "协议",
    "备忘录",
    "合同",
    "白皮书",
    "蓝皮书",
    "年鉴",
    "杂志",
    "日报",
    "丛书",
    "指数",
)

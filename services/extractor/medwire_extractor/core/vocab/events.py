"""Words that make a sentence report an event, by event type."""

from __future__ import annotations

from medwire_common.schemas import EventType

TRIGGERS: list[tuple[EventType, tuple[str, ...]]] = [
    ("unveiling", ("揭牌",)),
    ("groundbreaking", ("开工", "奠基")),
    ("launch", ("启动仪式", "启动会", "正式启动", "正式上线", "启动")),
    ("signing", ("签约仪式", "签订", "签署", "集中签约", "签约")),
    ("matchmaking", ("对接会", "供需对接", "洽谈会", "路演")),
    ("forum", ("论坛", "峰会", "研讨会", "交流会", "沙龙", "展览会", "博览会")),
    ("visit", ("调研", "考察", "视察", "走访")),
    ("founding", ("成立", "组建", "注册成立")),
    ("release", ("印发", "出台", "发布", "公布")),
]

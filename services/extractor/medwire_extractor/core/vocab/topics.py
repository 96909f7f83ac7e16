"""Topic words and the domain vocabulary that scores an article's relevance."""

from __future__ import annotations

TOPIC_KEYWORDS: dict[str, tuple[str, ...]] = {
    "医疗器械": ("医疗器械", "器械"),
    "生物医药": ("生物医药", "生物制药", "生物制品"),
    "中药": ("中药", "中医药"),
    "化学药": ("化学药", "仿制药", "原研药"),
    "血液制品": ("血液制品",),
    "精准医学": ("精准医学", "精准医疗"),
    "成果转化": ("成果转化", "转化"),
    "产业链": ("产业链",),
    "政策": ("政策", "若干措施", "实施方案"),
}

DOMAIN_TERMS = (
    "医药",
    "药品",
    "医疗",
    "器械",
    "生物",
    "临床",
    "医院",
    "药监",
    "制药",
    "疫苗",
    "健康",
)

"""The extractor's pure core: `extract(clean) -> EnrichedArticle`. So far: organisations by their
name endings, money and quantities (`amounts.py`), dates resolved against the page date
(`timeexpr.py`), typed events (`events.py`), persons with roles (`persons.py`), topics and a
relevance score from domain vocabulary. Still to come (issue #4): locations with adcodes,
agreements, policies, in-article alias resolution, and gold for 30+ more articles.
"""

from __future__ import annotations

import re

from medwire_common.dedup import content_hash
from medwire_common.schemas import CleanArticle, EnrichedArticle, Organization, OrgType

from .agreements import find_agreements, find_policies, is_abbreviation
from .amounts import find_amounts, find_quantities
from .events import find_events
from .locations import find_locations
from .persons import find_persons

EXTRACTOR_VERSION = "0.2.0"

# Longest endings first so that 股份有限公司 wins over 公司.
_ORG_ENDINGS: list[tuple[str, OrgType]] = [
    ("股份有限公司", "company"),
    ("有限责任公司", "company"),
    ("有限公司", "company"),
    ("集团", "company"),
    ("药业", "company"),
    ("医疗", "company"),
    ("大学", "university"),
    ("学院", "university"),
    ("医院", "hospital"),
    ("研究院", "research_institute"),
    ("研究所", "research_institute"),
    ("监督管理局", "government"),
    ("人民政府", "government"),
    ("委员会", "government"),
    ("管理局", "government"),
    ("局", "government"),
    ("商会", "association"),
    ("协会", "association"),
    ("产业园", "park"),
    ("开发区", "park"),
    ("科技报", "media"),
]
_ORG = re.compile(
    r"[\u4e00-\u9fff()（）]{2,18}?(?:" + "|".join(re.escape(e) for e, _ in _ORG_ENDINGS) + r")"
)
# Words that end a clause, so an organisation name never starts before them.
_CLAUSE_START = re.compile(
    r".*(?:由|与|和|及|、|在|是|为|对|将|向|从|的|了|等|于|共同|联合|分别|包括)"
)

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
_DOMAIN_TERMS = (
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


def _org_type(name: str) -> OrgType:
    for ending, kind in _ORG_ENDINGS:
        if name.endswith(ending):
            return kind
    return "other"


# A candidate holding one of these is a clause that happens to end like a name, not a name.
_NOT_IN_NAMES = (
    "签约",
    "落户",
    "预示",
    "推动",
    "发布",
    "召开",
    "举行",
    "参加",
    "出席",
    "集中",
    "入驻",
    "当地",
    "全面深化",
    "促进",
    "以及",
    "进一步",
)
_QUOTED = re.compile(r"《[^》]*》")


def find_organizations(text: str) -> list[Organization]:
    """Names ending like organisations, outside 《》 titles; abbreviations found on the same page
    (`省药监局`, `晋中开发区`) become aliases of the full name (`山西省药品监督管理局`, …)."""
    quoted = [m.span() for m in _QUOTED.finditer(text)]
    found: dict[str, Organization] = {}
    for m in _ORG.finditer(text):
        name, start = m.group(0), m.start()
        clause = _CLAUSE_START.match(name)
        if clause:
            start += clause.end()
            name = name[clause.end() :]
        if (
            len(name) < 4
            or any(w in name for w in _NOT_IN_NAMES)
            or any(s <= start < e for s, e in quoted)
        ):
            continue
        org = found.setdefault(name, Organization(name=name, type=_org_type(name)))
        org.spans.append((start, start + len(name)))
    return merge_abbreviations(list(found.values()))


def merge_abbreviations(orgs: list[Organization]) -> list[Organization]:
    by_length = sorted(orgs, key=lambda o: len(o.name), reverse=True)
    kept: list[Organization] = []
    for org in by_length:
        full = next((k for k in kept if is_abbreviation(org.name, k.name)), None)
        if full is None:
            kept.append(org)
        else:
            full.aliases.append(org.name)
            full.spans = sorted(full.spans + org.spans)
    order = {o.name: i for i, o in enumerate(orgs)}
    return sorted(kept, key=lambda o: order[o.name])


def _not_places(text: str, organizations: list[Organization]) -> list[tuple[int, int]]:
    """Spans where a place name is part of something else: organisation names, 《》 titles."""
    return [s for o in organizations for s in o.spans] + [m.span() for m in _QUOTED.finditer(text)]


def find_topics(text: str) -> list[str]:
    return [topic for topic, words in TOPIC_KEYWORDS.items() if any(w in text for w in words)]


def relevance(title: str, text: str) -> float:
    """Share of domain vocabulary, squashed to [0, 1]; the title counts five times."""
    hits = sum(text.count(t) for t in _DOMAIN_TERMS) + 5 * sum(
        title.count(t) for t in _DOMAIN_TERMS
    )
    density = hits / max(1.0, len(text) / 100)
    return round(min(1.0, density / 2.0), 3)


def extract(article: CleanArticle) -> EnrichedArticle:
    text = article.text
    organizations = find_organizations(text)
    return EnrichedArticle(
        **article.model_dump(),
        organizations=organizations,
        persons=find_persons(text, organizations),
        locations=find_locations(text, _not_places(text, organizations)),
        agreements=find_agreements(text, article.published_at, organizations),
        policies=find_policies(text),
        amounts=find_amounts(text),
        quantities=find_quantities(text),
        events=find_events(text, article.published_at, organizations),
        topics=find_topics(article.title + "\n" + text),
        relevance=relevance(article.title, text),
        # Exact duplicates share a cluster here; near-duplicates are clustered where all
        # articles are seen (the API's store, or a `medwire process` batch).
        dup_cluster=article.content_hash or content_hash(text),
        extractor_version=EXTRACTOR_VERSION,
    )

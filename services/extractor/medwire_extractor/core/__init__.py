"""The extractor's pure core: `extract(clean) -> EnrichedArticle`.

Organisations with canonical names and in-article aliases (`organizations.py`), persons with
roles (`persons.py`), places with administrative codes (`locations.py`), money and quantities
(`amounts.py`), dates resolved against the page date (`timeexpr.py`), typed events
(`events.py`), agreements and policies (`agreements.py`), topics and a relevance score from
domain vocabulary (here). Layout line breaks inside sentences are joined first; every span
points into the article's own text.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from medwire_common.dedup import content_hash
from medwire_common.schemas import CleanArticle, DatedMention, EnrichedArticle, Organization

from .agreements import find_agreements, find_policies
from .amounts import find_amounts, find_quantities
from .combine import join_model_entities
from .events import find_events
from .locations import find_locations, place_mentions
from .ner import EntityType, find_entities
from .organizations import find_organizations
from .persons import find_persons
from .timeexpr import find_dates

EXTRACTOR_VERSION = "0.4.0"

# Which types the NER model adds beside the rules by default: persons only, because its
# organisations and places cost the gold more than 0.02 (docs/extractor.md has the figures).
MODEL_ENTITIES: tuple[EntityType, ...] = ("PER",)

__all__ = [
    "EXTRACTOR_VERSION",
    "MODEL_ENTITIES",
    "extract",
    "find_amounts",
    "find_organizations",
    "find_topics",
    "join_layout_breaks",
    "relevance",
]

_QUOTED = re.compile(r"《[^》]*》")

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


# A line break between two characters of a sentence (no closing punctuation before it) is the
# layout's, not the author's: `…临床转化\n研究中心` is one name.
_LAYOUT_BREAK = re.compile(r"(?<=[\u4e00-\u9fff])\n(?=[\u4e00-\u9fff])")


def join_layout_breaks(text: str) -> tuple[str, list[int]]:
    """The text with layout line breaks removed, and for each of its characters the offset in
    the original (so that spans point into the article's own text)."""
    keep = [True] * len(text)
    for m in _LAYOUT_BREAK.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        line = text[line_start : m.start()]
        if len(line) >= 12 and not _SPEAKER_LINE.match(line):
            keep[m.start()] = False
    index = [i for i, k in enumerate(keep) if k]
    return "".join(text[i] for i in index), index


_SPEAKER_LINE = re.compile(r"^[\u4e00-\u9fff]{2,4}[:：]|^记者")


def _remap(spans: list[tuple[int, int]], index: list[int]) -> list[tuple[int, int]]:
    return [(index[s], index[e - 1] + 1) for s, e in spans]


def extract(
    article: CleanArticle, model_entities: Collection[EntityType] = MODEL_ENTITIES
) -> EnrichedArticle:
    """`model_entities`: the types the NER model may add to the rules' (none: rules only)."""
    text, index = join_layout_breaks(article.text)
    places = place_mentions(text)  # one scan, read by organisations and places alike
    organizations = find_organizations(text, places)
    # Relative dates (`昨日`, `7月25日`) read against the page's date, or the day it was fetched.
    page_date = article.published_at or article.fetched_at.date()
    dates = find_dates(text, page_date)  # read by agreements and events alike
    persons = find_persons(text, organizations)
    locations = find_locations(text, _not_places(text, organizations), places)
    if model_entities:
        entities = find_entities(text)
        all_orgs, persons, locations = join_model_entities(
            text, entities, model_entities, organizations, persons, locations
        )
    else:
        all_orgs = organizations
    enriched = EnrichedArticle(
        **article.model_dump(),
        organizations=all_orgs,
        persons=persons,
        locations=locations,
        agreements=find_agreements(text, page_date, organizations, dates),
        policies=find_policies(text),
        amounts=find_amounts(text),
        quantities=find_quantities(text),
        events=find_events(text, page_date, organizations, dates),
        dates=[
            DatedMention(
                text=text[d.start : d.end],
                span=(d.start, d.end),
                date=d.date,
                end_date=d.end_date,
                period=d.period,
            )
            for d in dates
        ],
        topics=find_topics(article.title + "\n" + text),
        relevance=relevance(article.title, text),
        # Exact duplicates share a cluster here; near-duplicates are clustered where all
        # articles are seen (the API's store, or a `medwire process` batch).
        dup_cluster=article.content_hash or content_hash(text),
        extractor_version=EXTRACTOR_VERSION,
    )
    if len(index) != len(article.text):
        for org in enriched.organizations:
            org.spans = _remap(org.spans, index)
        for person in enriched.persons:
            person.spans = _remap(person.spans, index)
        for place in enriched.locations:
            place.spans = _remap(place.spans, index)
        for mention in enriched.dates:
            (mention.span,) = _remap([mention.span], index)
    return enriched

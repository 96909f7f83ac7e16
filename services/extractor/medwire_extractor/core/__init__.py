"""The extractor's pure core: `extract(clean) -> EnrichedArticle`.

Organisations with canonical names and in-article aliases (`organizations.py`), persons with
roles (`persons.py`), places with administrative codes (`locations.py`), money and quantities
(`amounts.py`), dates resolved against the page date (`timeexpr.py`), typed events
(`events.py`), agreements and policies (`agreements.py`), topics and a relevance score from
domain vocabulary (here). Each reads the article's `ArticleScan` (`scan.py`: the text after
layout joins, its sentences, places and dates, computed once); every span points into the
article's own text.
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
from .locations import find_locations
from .ner import EntityType, find_entities
from .organizations import find_organizations
from .persons import find_persons
from .scan import ArticleScan, join_layout_breaks
from .vocab.topics import DOMAIN_TERMS, TOPIC_KEYWORDS

EXTRACTOR_VERSION = "0.4.0"

# Which types the NER model adds beside the rules by default: persons only, because its
# organisations and places cost the gold more than 0.02 (docs/extractor.md has the figures).
MODEL_ENTITIES: tuple[EntityType, ...] = ("PER",)

__all__ = [
    "EXTRACTOR_VERSION",
    "ArticleScan",
    "MODEL_ENTITIES",
    "extract",
    "find_amounts",
    "find_organizations",
    "find_topics",
    "join_layout_breaks",
    "relevance",
]

_QUOTED = re.compile(r"《[^》]*》")


def _not_places(text: str, organizations: list[Organization]) -> list[tuple[int, int]]:
    """Spans where a place name is part of something else: organisation names, 《》 titles."""
    return [s for o in organizations for s in o.spans] + [m.span() for m in _QUOTED.finditer(text)]


def find_topics(text: str) -> list[str]:
    return [topic for topic, words in TOPIC_KEYWORDS.items() if any(w in text for w in words)]


def relevance(title: str, text: str) -> float:
    """Share of domain vocabulary, squashed to [0, 1]; the title counts five times."""
    hits = sum(text.count(t) for t in DOMAIN_TERMS) + 5 * sum(title.count(t) for t in DOMAIN_TERMS)
    density = hits / max(1.0, len(text) / 100)
    return round(min(1.0, density / 2.0), 3)


def extract(
    article: CleanArticle, model_entities: Collection[EntityType] = MODEL_ENTITIES
) -> EnrichedArticle:
    """`model_entities`: the types the NER model may add to the rules' (none: rules only)."""
    scan = ArticleScan.of_article(article)
    text = scan.text
    organizations = find_organizations(scan)
    persons = find_persons(text, organizations)
    locations = find_locations(scan, _not_places(text, organizations))
    if model_entities:
        entities = find_entities(text, scan.places)
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
        agreements=find_agreements(scan, organizations),
        policies=find_policies(text),
        amounts=find_amounts(text),
        quantities=find_quantities(text),
        events=find_events(scan, organizations),
        dates=[
            DatedMention(
                text=text[d.start : d.end],
                span=(d.start, d.end),
                date=d.date,
                end_date=d.end_date,
                period=d.period,
            )
            for d in scan.dates
        ],
        topics=find_topics(article.title + "\n" + text),
        relevance=relevance(article.title, text),
        # Exact duplicates share a cluster here; near-duplicates are clustered where all
        # articles are seen (the API's store, or a `medwire process` batch).
        dup_cluster=article.content_hash or content_hash(text),
        extractor_version=EXTRACTOR_VERSION,
    )
    if scan.joined:
        for org in enriched.organizations:
            org.spans = scan.remap(org.spans)
        for person in enriched.persons:
            person.spans = scan.remap(person.spans)
        for place in enriched.locations:
            place.spans = scan.remap(place.spans)
        for mention in enriched.dates:
            (mention.span,) = scan.remap([mention.span])
    return enriched

"""Each stored article's entities in their own tables (migration 0003): canonical organisations
and persons shared across articles, and the article's places, events, agreements, policies and
amounts. Written in the article upsert's transaction, one statement per table for the whole
batch (`unnest` of column arrays), and only for articles whose record changed, so a redelivered
batch writes nothing twice."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from medwire_common.schemas import EnrichedArticle

from .tables import UNDATED_SORT_DATE

ARTICLE_TABLES = (
    "article_organizations",
    "article_persons",
    "article_locations",
    "article_events",
    "article_agreements",  # agreement_parties go with them (ON DELETE CASCADE)
    "article_policies",
    "article_amounts",
)


@dataclass
class EntityRows:
    """Column arrays per table for one batch; organisations and persons by their natural keys
    (their ids are known only after they are upserted)."""

    organizations: dict[str, str] = field(default_factory=dict)  # name → type
    aliases: set[tuple[str, str]] = field(default_factory=set)  # (organisation, alias)
    persons: set[tuple[str, str]] = field(default_factory=set)  # (name, organisation or '')
    tables: dict[str, list[tuple[Any, ...]]] = field(
        default_factory=lambda: {t: [] for t in (*ARTICLE_TABLES, "agreement_parties")}
    )


def entity_rows(articles: Sequence[EnrichedArticle]) -> EntityRows:
    rows = EntityRows()
    for a in articles:
        t, aid = rows.tables, a.article_id
        for org in a.organizations:
            rows.organizations.setdefault(org.name, org.type)
            rows.aliases.update((org.name, alias) for alias in org.aliases if alias != org.name)
            t["article_organizations"].append(
                (aid, org.name, max(1, len(org.spans)), a.published_at)
            )
        for person in {p.name: p for p in a.persons}.values():  # one row per name and article
            key = (person.name, person.organization or "")
            rows.persons.add(key)
            t["article_persons"].append((aid, *key, person.roles))
        for i, place in enumerate(a.locations):
            t["article_locations"].append(
                (aid, i, place.name, place.adcode, place.province, place.city, place.district,
                 a.published_at)
            )  # fmt: skip
        for i, event in enumerate(a.events):
            t["article_events"].append(
                (aid, i, event.type, event.date, event.location, event.participants, event.summary)
            )
        named = {o.name for o in a.organizations}
        for i, agreement in enumerate(a.agreements):
            t["article_agreements"].append(
                (aid, i, agreement.title, agreement.date, agreement.parties)
            )
            t["agreement_parties"] += [
                (aid, i, p) for p in dict.fromkeys(agreement.parties) if p in named
            ]
        for i, policy in enumerate(a.policies):
            t["article_policies"].append((aid, i, policy.title, policy.issuer))
        for i, amount in enumerate(a.amounts):
            t["article_amounts"].append(
                (aid, i, amount.text, amount.value, amount.unit, amount.kind)
            )
    return rows


def columns_of(rows: Sequence[tuple[Any, ...]]) -> list[list[Any]]:
    """Rows as column arrays, for `unnest` (every row the same width)."""
    return [list(c) for c in zip(*rows, strict=True)]


# Rows that list articles by date carry the article's `sort_date` (migration 0007): its
# publication date, and for an undated article the one the articles table gives it.
UNDATED = f"DATE '{UNDATED_SORT_DATE}'"

# In order: canonical rows first (articles' rows join them by name), agreements before their
# parties. Arrays of arrays cannot be unnested column-wise, so text[] columns travel as JSON.
_INSERTS = {
    "organizations": """
        INSERT INTO organizations (name, type)
        SELECT * FROM unnest(CAST(:c0 AS text[]), CAST(:c1 AS text[]))
        ON CONFLICT (name) DO NOTHING""",
    "organization_aliases": """
        INSERT INTO organization_aliases
        SELECT x.alias, o.organization_id
        FROM unnest(CAST(:c0 AS text[]), CAST(:c1 AS text[])) AS x(name, alias)
        JOIN organizations o ON o.name = x.name
        ON CONFLICT DO NOTHING""",
    "persons": """
        INSERT INTO persons (name, organization)
        SELECT * FROM unnest(CAST(:c0 AS text[]), CAST(:c1 AS text[]))
        ON CONFLICT DO NOTHING""",
    "article_locations": f"""
        INSERT INTO article_locations (article_id, position, name, adcode, province, city,
            district, sort_date)
        SELECT a, p, n, c, pr, ci, d, coalesce(s, {UNDATED})
        FROM unnest(CAST(:c0 AS text[]), CAST(:c1 AS int[]), CAST(:c2 AS text[]),
            CAST(:c3 AS text[]), CAST(:c4 AS text[]), CAST(:c5 AS text[]), CAST(:c6 AS text[]),
            CAST(:c7 AS date[])) AS x(a, p, n, c, pr, ci, d, s)""",
    "article_events": """
        INSERT INTO article_events
        SELECT a, p, t, d, l, ARRAY(SELECT jsonb_array_elements_text(j)), s
        FROM unnest(CAST(:c0 AS text[]), CAST(:c1 AS int[]), CAST(:c2 AS text[]),
            CAST(:c3 AS date[]), CAST(:c4 AS text[]), CAST(:c5 AS jsonb[]), CAST(:c6 AS text[]))
            AS x(a, p, t, d, l, j, s)""",
    "article_agreements": """
        INSERT INTO article_agreements
        SELECT a, p, t, d, ARRAY(SELECT jsonb_array_elements_text(j))
        FROM unnest(CAST(:c0 AS text[]), CAST(:c1 AS int[]), CAST(:c2 AS text[]),
            CAST(:c3 AS date[]), CAST(:c4 AS jsonb[])) AS x(a, p, t, d, j)""",
    "agreement_parties": """
        INSERT INTO agreement_parties
        SELECT x.a, x.p, o.organization_id
        FROM unnest(CAST(:c0 AS text[]), CAST(:c1 AS int[]), CAST(:c2 AS text[])) AS x(a, p, n)
        JOIN organizations o ON o.name = x.n
        ON CONFLICT DO NOTHING""",
    "article_policies": """
        INSERT INTO article_policies
        SELECT * FROM unnest(CAST(:c0 AS text[]), CAST(:c1 AS int[]), CAST(:c2 AS text[]),
            CAST(:c3 AS text[]))""",
    "article_amounts": """
        INSERT INTO article_amounts
        SELECT * FROM unnest(CAST(:c0 AS text[]), CAST(:c1 AS int[]), CAST(:c2 AS text[]),
            CAST(:c3 AS float8[]), CAST(:c4 AS text[]), CAST(:c5 AS text[]))""",
    "article_organizations": f"""
        INSERT INTO article_organizations (article_id, organization_id, mentions, sort_date)
        SELECT x.a, o.organization_id, x.m, coalesce(x.s, {UNDATED})
        FROM unnest(CAST(:c0 AS text[]), CAST(:c1 AS text[]), CAST(:c2 AS int[]),
            CAST(:c3 AS date[])) AS x(a, n, m, s)
        JOIN organizations o ON o.name = x.n""",
    "article_persons": """
        INSERT INTO article_persons
        SELECT x.a, p.person_id, ARRAY(SELECT jsonb_array_elements_text(x.r))
        FROM unnest(CAST(:c0 AS text[]), CAST(:c1 AS text[]), CAST(:c2 AS text[]),
            CAST(:c3 AS jsonb[])) AS x(a, n, o, r)
        JOIN persons p ON p.name = x.n AND p.organization = x.o""",
}
_JSON_COLUMNS = {"article_events": 5, "article_agreements": 4, "article_persons": 3}


async def store_entities(
    conn: AsyncConnection, articles: Sequence[EnrichedArticle], replaced: Sequence[str]
) -> None:
    """Write the entity rows of `articles` (whose records changed) inside `conn`'s transaction,
    first deleting those of the `replaced` ones (articles stored before; a new article has none,
    and looking for them cost seven index probes an article). Organisations and persons are
    inserted in name order, so that two writers take their row locks in the same order."""
    if not articles:
        return
    rows = entity_rows(articles)
    if replaced:
        for table in ARTICLE_TABLES:
            await conn.execute(
                text(f"DELETE FROM {table} WHERE article_id = ANY(:ids)"), {"ids": list(replaced)}
            )
    batches = {
        "organizations": sorted(rows.organizations.items()),
        "organization_aliases": sorted(rows.aliases),
        "persons": sorted(rows.persons),
        **rows.tables,
    }
    for table, sql in _INSERTS.items():
        table_rows = batches[table]
        if not table_rows:
            continue
        columns = columns_of(table_rows)
        if table in _JSON_COLUMNS:
            at = _JSON_COLUMNS[table]
            columns[at] = [json.dumps(v, ensure_ascii=False) for v in columns[at]]
        await conn.execute(text(sql), {f"c{i}": c for i, c in enumerate(columns)})

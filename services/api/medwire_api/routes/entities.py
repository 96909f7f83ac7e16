"""Entity routes: organisations (with counts, co-occurring organisations, agreements and a
timeline), persons, and the events, agreements and policies the articles report."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    Text,
    cast,
    desc,
    func,
    literal,
    literal_column,
    or_,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql import TableClause

from medwire_common.schemas import EventType, OrgType

from ..core.cursor import decode_cursor, encode_cursor
from ..deps import EngineDep
from ..params import Cursor, IsoDate, Limit
from ..problems import ProblemError
from ..queries.filters import organization_ids
from ..schemas import (
    AgreementItem,
    AgreementPage,
    ArticleRef,
    CoOrganization,
    EventItem,
    EventPage,
    OrganizationDetail,
    OrganizationItem,
    OrganizationPage,
    PeriodCount,
    PersonItem,
    PersonPage,
    PolicyItem,
    PolicyPage,
    Problem,
)
from ..tables import (
    UNDATED_SORT_DATE,
    ArticleRow,
    agreement_parties,
    article_agreements,
    article_events,
    article_organizations,
    article_persons,
    article_policies,
    organization_aliases,
    organizations,
    persons,
)

router = APIRouter(prefix="/v1", tags=["entities"])
ERRORS = {400: {"model": Problem}, 422: {"model": Problem}}
Name = Annotated[str | None, Query(max_length=200)]


def _cursor(cursor: str | None, order: str, *types: Any) -> tuple[Any, ...] | None:
    # A bad cursor is a 400 problem (problems.py).
    return decode_cursor(cursor, order, *types) if cursor else None


def _by_name(stmt: Select[Any], name: Any, key: Any, cursor: str | None, limit: int) -> Select[Any]:
    """`stmt` in name order (then id), the page after `cursor`, one more row than `limit`."""
    after = _cursor(cursor, "name", str, int)
    if after:
        stmt = stmt.where(tuple_(name, key) > tuple_(*after))
    return stmt.order_by(name, key).limit(limit + 1)


def _contains(column: Any, q: str) -> ColumnElement[bool]:
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    result: ColumnElement[bool] = column.like(f"%{escaped}%", escape="\\")
    return result


def _aliases() -> Any:
    return literal_column(
        "ARRAY(SELECT a.alias FROM organization_aliases a"
        " WHERE a.organization_id = organizations.organization_id ORDER BY a.alias)"
    )


def _article_count(table: TableClause, key: str, value: Any) -> Any:
    return select(func.count()).where(table.c[key] == value).scalar_subquery()


@router.get("/organizations", response_model=OrganizationPage, responses=ERRORS)
async def list_organizations(
    engine: EngineDep,
    q: Annotated[
        str | None, Query(max_length=100, description="Part of the name or of an alias")
    ] = None,
    type: Annotated[OrgType | None, Query(description="Organisation type")] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> OrganizationPage:
    """Organisations by name, with the number of articles that name each."""
    o = organizations.c
    stmt = select(
        o.organization_id,
        o.name,
        o.type,
        _aliases().label("aliases"),
        _article_count(article_organizations, "organization_id", o.organization_id).label("n"),
    )
    if q:
        stmt = stmt.where(
            or_(
                _contains(o.name, q),
                o.organization_id.in_(
                    select(organization_aliases.c.organization_id).where(
                        _contains(organization_aliases.c.alias, q)
                    )
                ),
            )
        )
    if type:
        stmt = stmt.where(o.type == type)
    async with engine.connect() as conn:
        rows = (await conn.execute(_by_name(stmt, o.name, o.organization_id, cursor, limit))).all()
    items = [
        OrganizationItem(
            organization_id=r.organization_id, name=r.name, type=r.type, aliases=r.aliases,
            article_count=r.n,
        )
        for r in rows[:limit]
    ]  # fmt: skip
    more = len(rows) > limit
    return OrganizationPage(
        items=items,
        next_cursor=encode_cursor("name", items[-1].name, items[-1].organization_id)
        if more
        else None,
    )


def _ref(row: Any) -> ArticleRef:
    return ArticleRef(
        article_id=row.article_id,
        title=row.article_title,
        url=row.url,
        published_at=row.published_at,
        source=row.source_name,
    )


_REF_COLUMNS = (
    ArticleRow.article_id,
    ArticleRow.title.label("article_title"),  # type: ignore[attr-defined]
    ArticleRow.url,
    ArticleRow.published_at,
    ArticleRow.source_name,
)


@router.get(
    "/organizations/{organization_id}",
    response_model=OrganizationDetail,
    responses={404: {"model": Problem}, 422: {"model": Problem}},
)
async def get_organization(
    engine: EngineDep, organization_id: Annotated[int, Path(ge=1, le=2**63 - 1)]
) -> OrganizationDetail:
    o, ao = organizations.c, article_organizations.c
    mine = select(ao.article_id).where(ao.organization_id == organization_id)
    other = article_organizations.alias("other")
    async with engine.connect() as conn:
        org = (
            await conn.execute(
                select(o.organization_id, o.name, o.type, _aliases().label("aliases")).where(
                    o.organization_id == organization_id
                )
            )
        ).one_or_none()
        if org is None:
            raise ProblemError(404, f"no organisation with id {organization_id}")
        # The organisation's rows carry their articles' dates (migration 0007): its span,
        # timeline and newest articles are read from them alone.
        published = func.nullif(ao.sort_date, cast(literal(UNDATED_SORT_DATE), Date))
        span = (
            await conn.execute(
                select(func.count(), func.min(published), func.max(published)).where(
                    ao.organization_id == organization_id
                )
            )
        ).one()
        shared = func.count().label("shared")
        co = (
            await conn.execute(
                select(o.organization_id, o.name, o.type, shared)
                .select_from(
                    other.join(organizations, o.organization_id == other.c.organization_id)
                )
                .where(other.c.article_id.in_(mine), other.c.organization_id != organization_id)
                .group_by(o.organization_id)
                .order_by(desc("shared"), o.name)
                .limit(20)
            )
        ).all()
        agreements = (
            await conn.execute(
                _agreements_stmt(agreement_parties.c.organization_id == organization_id).limit(20)
            )
        ).all()
        month = func.date_trunc("month", published).label("period")
        timeline = (
            await conn.execute(
                select(month, func.count())
                .where(ao.organization_id == organization_id, published.is_not(None))
                .group_by(month)
                .order_by(month)
            )
        ).all()
        newest = (
            select(ao.article_id)
            .where(ao.organization_id == organization_id)
            .order_by(ao.sort_date.desc(), ao.article_id.desc())
            .limit(10)
        )
        recent = (
            await conn.execute(
                select(*_REF_COLUMNS)
                .where(ArticleRow.article_id.in_(newest))  # type: ignore[attr-defined]
                .order_by(ArticleRow.sort_date.desc(), ArticleRow.article_id.desc())  # type: ignore[union-attr]
            )
        ).all()
    return OrganizationDetail(
        organization_id=org.organization_id,
        name=org.name,
        type=org.type,
        aliases=org.aliases,
        article_count=span[0],
        first_published=span[1],
        last_published=span[2],
        co_organizations=[
            CoOrganization(organization_id=r[0], name=r[1], type=r[2], shared_articles=r[3])
            for r in co
        ],
        agreements=[_agreement(r) for r in agreements],
        timeline=[PeriodCount(period=r[0].date(), articles=r[1]) for r in timeline],
        recent_articles=[_ref(r) for r in recent],
    )


@router.get("/persons", response_model=PersonPage, responses=ERRORS)
async def list_persons(
    engine: EngineDep,
    q: Annotated[str | None, Query(max_length=50, description="Part of the name")] = None,
    organization: Annotated[
        str | None, Query(max_length=200, description="The organisation the person is with")
    ] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> PersonPage:
    """Persons by name (one per name and organisation), with their roles and article counts."""
    p, ap = persons.c, article_persons.c
    stmt = select(
        p.person_id,
        p.name,
        p.organization,
        _article_count(article_persons, "person_id", p.person_id).label("n"),
    )
    if q:
        stmt = stmt.where(_contains(p.name, q))
    if organization:
        stmt = stmt.where(p.organization == organization)
    async with engine.connect() as conn:
        rows = (await conn.execute(_by_name(stmt, p.name, p.person_id, cursor, limit))).all()
        ids = [r.person_id for r in rows[:limit]]
        held = (
            select(ap.person_id, func.unnest(ap.roles).label("role"))
            .where(ap.person_id.in_(ids))
            .subquery()
        )
        found_roles = dict(
            (
                await conn.execute(
                    select(held.c.person_id, func.array_agg(func.distinct(held.c.role))).group_by(
                        held.c.person_id
                    )
                )
            ).all()
            if ids
            else []
        )
    items = [
        PersonItem(
            person_id=r.person_id,
            name=r.name,
            organization=r.organization or None,
            roles=sorted(found_roles.get(r.person_id) or []),
            article_count=r.n,
        )
        for r in rows[:limit]
    ]
    more = len(rows) > limit
    return PersonPage(
        items=items,
        next_cursor=encode_cursor("name", items[-1].name, items[-1].person_id) if more else None,
    )


def _child_page(
    stmt: Select[Any], child: TableClause, cursor: str | None, limit: int
) -> Select[Any]:
    """`stmt` (rows of `child` joined to their articles) newest article first, in order on
    the page, after `cursor`."""
    key = tuple_(ArticleRow.sort_date, ArticleRow.article_id, child.c.position)
    after = _cursor(cursor, "newest", _iso_date, str, int)
    if after:
        stmt = stmt.where(key < tuple_(*after))
    return stmt.order_by(
        ArticleRow.sort_date.desc(),  # type: ignore[union-attr]
        ArticleRow.article_id.desc(),  # type: ignore[attr-defined]
        child.c.position.desc(),
    ).limit(limit + 1)


def _iso_date(value: str) -> ColumnElement[Any]:
    # As text: asyncpg would send date.min (undated articles' sort_date) as -infinity.
    return cast(literal(date.fromisoformat(value).isoformat()), Date)


def _next(rows: list[Any], limit: int) -> str | None:
    if len(rows) <= limit:
        return None
    last = rows[limit - 1]
    return encode_cursor("newest", last.sort_date.isoformat(), last.article_id, last.position)


def _joined(child: TableClause, *columns: Any) -> Select[Any]:
    return select(*_REF_COLUMNS, ArticleRow.sort_date, *columns).join_from(
        child, ArticleRow, ArticleRow.article_id == child.c.article_id
    )


@router.get("/events", response_model=EventPage, responses=ERRORS)
async def list_events(
    engine: EngineDep,
    type: Annotated[EventType | None, Query(description="Event type")] = None,
    date_from: Annotated[IsoDate | None, Query(description="Event on or after")] = None,
    date_to: Annotated[IsoDate | None, Query(description="Event on or before")] = None,
    participant: Annotated[
        str | None, Query(max_length=200, description="An organisation taking part")
    ] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> EventPage:
    """Events the articles report (signings, launches, approvals…), newest article first."""
    e = article_events.c
    stmt = _joined(
        article_events, e.position, e.type, e.date, e.location, e.participants, e.summary
    )
    if type:
        stmt = stmt.where(e.type == type)
    if date_from:
        stmt = stmt.where(e.date >= date_from)
    if date_to:
        stmt = stmt.where(e.date <= date_to)
    if participant:
        stmt = stmt.where(e.participants.op("@>")(cast([participant], ARRAY(Text))))
    async with engine.connect() as conn:
        rows = (await conn.execute(_child_page(stmt, article_events, cursor, limit))).all()
    return EventPage(
        items=[
            EventItem(
                article=_ref(r), position=r.position, type=r.type, date=r.date,
                location=r.location, participants=r.participants, summary=r.summary,
            )
            for r in rows[:limit]
        ],
        next_cursor=_next(rows, limit),
    )  # fmt: skip


def _agreements_stmt(*conditions: ColumnElement[bool]) -> Select[Any]:
    a = article_agreements.c
    stmt = _joined(article_agreements, a.position, a.title, a.date, a.parties)
    if conditions:
        p = agreement_parties.c
        stmt = stmt.where(
            tuple_(a.article_id, a.position).in_(
                select(p.article_id, p.position).where(*conditions)
            )
        )
    return stmt.order_by(
        ArticleRow.sort_date.desc(),  # type: ignore[union-attr]
        ArticleRow.article_id.desc(),  # type: ignore[attr-defined]
        a.position.desc(),
    )


def _agreement(r: Any) -> AgreementItem:
    return AgreementItem(
        article=_ref(r), position=r.position, title=r.title, date=r.date, parties=r.parties
    )


@router.get("/agreements", response_model=AgreementPage, responses=ERRORS)
async def list_agreements(
    engine: EngineDep,
    organization: Annotated[
        str | None, Query(max_length=200, description="A party (full name or alias)")
    ] = None,
    q: Annotated[str | None, Query(max_length=100, description="Part of the title")] = None,
    date_from: Annotated[IsoDate | None, Query(description="Signed on or after")] = None,
    date_to: Annotated[IsoDate | None, Query(description="Signed on or before")] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> AgreementPage:
    """Agreements and their parties, newest article first."""
    a = article_agreements.c
    conditions = []
    if organization:
        conditions.append(agreement_parties.c.organization_id.in_(organization_ids(organization)))
    stmt = _agreements_stmt(*conditions).order_by(None)
    if q:
        stmt = stmt.where(_contains(a.title, q))
    if date_from:
        stmt = stmt.where(a.date >= date_from)
    if date_to:
        stmt = stmt.where(a.date <= date_to)
    async with engine.connect() as conn:
        rows = (await conn.execute(_child_page(stmt, article_agreements, cursor, limit))).all()
    return AgreementPage(
        items=[_agreement(r) for r in rows[:limit]], next_cursor=_next(rows, limit)
    )


@router.get("/policies", response_model=PolicyPage, responses=ERRORS)
async def list_policies(
    engine: EngineDep,
    q: Annotated[str | None, Query(max_length=100, description="Part of the title")] = None,
    issuer: Annotated[str | None, Query(max_length=200, description="The issuer")] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> PolicyPage:
    """Policies (《…》 documents) the articles name, newest article first."""
    p = article_policies.c
    stmt = _joined(article_policies, p.position, p.title, p.issuer)
    if q:
        stmt = stmt.where(_contains(p.title, q))
    if issuer:
        stmt = stmt.where(p.issuer == issuer)
    async with engine.connect() as conn:
        rows = (await conn.execute(_child_page(stmt, article_policies, cursor, limit))).all()
    return PolicyPage(
        items=[
            PolicyItem(article=_ref(r), position=r.position, title=r.title, issuer=r.issuer)
            for r in rows[:limit]
        ],
        next_cursor=_next(rows, limit),
    )

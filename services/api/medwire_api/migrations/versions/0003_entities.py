"""entities: canonical organisations with aliases and types, persons, and each article's
organisations, persons, places, events, agreements (with their organisation parties), policies
and amounts, so that the API can filter and aggregate without reading the JSON record.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _article_id() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "article_id",
        sa.Text(),
        sa.ForeignKey("articles.article_id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "organizations",
        sa.Column("organization_id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False, unique=True),
        sa.Column("type", sa.Text(), nullable=False),
    )
    op.create_table(
        "organization_aliases",
        sa.Column("alias", sa.Text(), nullable=False),
        sa.Column(
            "organization_id",
            sa.BigInteger(),
            sa.ForeignKey("organizations.organization_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("alias", "organization_id"),
    )
    op.create_table(
        "article_organizations",
        _article_id(),
        sa.Column(
            "organization_id",
            sa.BigInteger(),
            sa.ForeignKey("organizations.organization_id"),
            nullable=False,
        ),
        sa.Column("mentions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("article_id", "organization_id"),
    )
    op.create_index(
        "ix_article_organizations_org", "article_organizations", ["organization_id", "article_id"]
    )
    op.create_table(
        "persons",
        sa.Column("person_id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        # '' when the article names no organisation: a unique key cannot hold NULLs apart.
        sa.Column("organization", sa.Text(), nullable=False),
        sa.UniqueConstraint("name", "organization"),
    )
    op.create_table(
        "article_persons",
        _article_id(),
        sa.Column("person_id", sa.BigInteger(), sa.ForeignKey("persons.person_id"), nullable=False),
        sa.Column("roles", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("article_id", "person_id"),
    )
    op.create_index("ix_article_persons_person", "article_persons", ["person_id", "article_id"])
    op.create_table(
        "article_locations",
        _article_id(),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("adcode", sa.Text(), nullable=True),
        sa.Column("province", sa.Text(), nullable=True),
        sa.Column("city", sa.Text(), nullable=True),
        sa.Column("district", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("article_id", "position"),
    )
    op.create_index("ix_article_locations_adcode", "article_locations", ["adcode", "article_id"])
    op.create_table(
        "article_events",
        _article_id(),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("participants", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("article_id", "position"),
    )
    op.create_index("ix_article_events_type_date", "article_events", ["type", "date"])
    op.create_table(
        "article_agreements",
        _article_id(),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("date", sa.Date(), nullable=True),
        # As the article names them, organisations or not (`8家入驻企业`).
        sa.Column("parties", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("article_id", "position"),
    )
    op.create_table(
        "agreement_parties",
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "organization_id",
            sa.BigInteger(),
            sa.ForeignKey("organizations.organization_id"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["article_id", "position"],
            ["article_agreements.article_id", "article_agreements.position"],
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "position", "organization_id"),
    )
    op.create_index("ix_agreement_parties_org", "agreement_parties", ["organization_id"])
    op.create_table(
        "article_policies",
        _article_id(),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("issuer", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("article_id", "position"),
    )
    op.create_index("ix_article_policies_title", "article_policies", ["title"])
    op.create_table(
        "article_amounts",
        _article_id(),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("article_id", "position"),
    )


def downgrade() -> None:
    for table in (
        "article_amounts",
        "article_policies",
        "agreement_parties",
        "article_agreements",
        "article_events",
        "article_locations",
        "article_persons",
        "persons",
        "article_organizations",
        "organization_aliases",
        "organizations",
    ):
        op.drop_table(table)

"""Search moves to OpenSearch (issue #21): the articles' bigram `search` vector and its GIN
index go, so an upsert no longer writes either. PostgreSQL stays the system of record; the
indexer (services/indexer) keeps the search index, `medwire reindex` rebuilds it.

A downgrade puts the column and index back empty: the vectors were computed by code that left
with them, and search no longer reads them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_articles_search", "articles")
    op.drop_column("articles", "search")


def downgrade() -> None:
    op.add_column("articles", sa.Column("search", postgresql.TSVECTOR(), nullable=True))
    op.create_index("ix_articles_search", "articles", ["search"], postgresql_using="gin")

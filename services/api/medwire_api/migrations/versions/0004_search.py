"""full-text search: each article's title and text as a bigram `tsvector` with a GIN index.

Migration 0008 drops both (search moved to OpenSearch, issue #21), and the code that computed
the vectors left with them: the column is added empty here, as 0008 drops it next.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("articles", sa.Column("search", postgresql.TSVECTOR(), nullable=True))
    op.create_index("ix_articles_search", "articles", ["search"], postgresql_using="gin")


def downgrade() -> None:
    op.drop_index("ix_articles_search", "articles")
    op.drop_column("articles", "search")

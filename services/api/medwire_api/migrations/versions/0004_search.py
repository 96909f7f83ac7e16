"""full-text search: each article's title and text as a bigram `tsvector` (see core/search.py)
with a GIN index; stored articles are indexed here, new ones as they are upserted.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from medwire_api.core.search import tsvector_literal

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_BATCH = 1000


def upgrade() -> None:
    op.add_column("articles", sa.Column("search", postgresql.TSVECTOR(), nullable=True))
    conn = op.get_bind()
    after = ""
    while True:
        rows = conn.execute(
            sa.text(
                "SELECT article_id, record->>'title', record->>'text' FROM articles"
                " WHERE article_id > :after ORDER BY article_id LIMIT :n"
            ),
            {"after": after, "n": _BATCH},
        ).all()
        if not rows:
            break
        conn.execute(
            sa.text(
                "UPDATE articles SET search = CAST(x.s AS tsvector) FROM"
                " unnest(CAST(:ids AS text[]), CAST(:s AS text[])) AS x(id, s)"
                " WHERE articles.article_id = x.id"
            ),
            {
                "ids": [r[0] for r in rows],
                "s": [tsvector_literal(r[1] or "", r[2] or "") for r in rows],
            },
        )
        after = rows[-1][0]
    op.create_index("ix_articles_search", "articles", ["search"], postgresql_using="gin")


def downgrade() -> None:
    op.drop_index("ix_articles_search", "articles")
    op.drop_column("articles", "search")

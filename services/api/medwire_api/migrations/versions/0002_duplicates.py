"""near-duplicate clusters: dup_cluster, content hash and MinHash per article; LSH band index.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("articles", sa.Column("dup_cluster", sa.Text(), nullable=True))
    op.add_column("articles", sa.Column("content_hash", sa.Text(), nullable=True))
    op.add_column(
        "articles", sa.Column("minhash", postgresql.ARRAY(sa.BigInteger()), nullable=True)
    )
    op.create_index(
        "ix_articles_dup_cluster", "articles", ["dup_cluster", "ingested_at", "article_id"]
    )
    op.create_index("ix_articles_content_hash", "articles", ["content_hash"])
    op.create_table(
        "article_bands",
        sa.Column("band_key", sa.Text(), nullable=False),
        sa.Column(
            "article_id",
            sa.Text(),
            sa.ForeignKey("articles.article_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("band_key", "article_id"),
    )


def downgrade() -> None:
    op.drop_table("article_bands")
    op.drop_index("ix_articles_content_hash", "articles")
    op.drop_index("ix_articles_dup_cluster", "articles")
    op.drop_column("articles", "minhash")
    op.drop_column("articles", "content_hash")
    op.drop_column("articles", "dup_cluster")

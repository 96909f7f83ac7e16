"""crawler_pages and crawler_schedule: what the crawler fetched (validators, body hash, status)
and when each source is due. They were made by inline SQL before this lineage existed, so the
tables are created only if missing: a database that has them is adopted as it is.

Revision ID: c0001
Revises:
Create Date: 2026-12-03
"""

from alembic import op

revision = "c0001"
down_revision = None
branch_labels = ("crawler",)
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE IF NOT EXISTS crawler_schedule (
            source text PRIMARY KEY,
            next_at timestamptz NOT NULL
        )
        """
    )
    op.execute(
        """
        CREATE TABLE IF NOT EXISTS crawler_pages (
            url text PRIMARY KEY,
            etag text,
            last_modified text,
            content_hash text NOT NULL,
            status integer NOT NULL,
            fetched_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )


def downgrade() -> None:
    op.drop_table("crawler_pages")
    op.drop_table("crawler_schedule")

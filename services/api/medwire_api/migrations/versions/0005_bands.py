"""LSH band keys move onto the articles (a bigint[], a btree index on each band) from a table
of their own: 16 rows an article, each checked against `articles` by a foreign key, cost more
to write than the article, and deleting an article scanned the whole table (no index led by
article_id). One GIN index on the array was tried: a batch's 16,000 keys took 400 µs an
article to look up there, against 100 µs in the 16 btrees.
Stored records lose their MinHash (it has its own column and is not public) and record and
search vector are compressed with lz4 where the server has it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from medwire_api.db import array_literal
from medwire_common.dedup import BANDS, band_keys

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_BATCH = 5000


def upgrade() -> None:
    conn = op.get_bind()
    has_lz4 = conn.execute(
        sa.text(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
    ).scalar()
    if has_lz4:  # several times faster to compress than pglz, for a little more space
        op.execute("ALTER TABLE articles ALTER COLUMN record SET COMPRESSION lz4")
        op.execute("ALTER TABLE articles ALTER COLUMN search SET COMPRESSION lz4")
    op.add_column("articles", sa.Column("bands", postgresql.ARRAY(sa.BigInteger()), nullable=True))
    after = ""
    while True:
        rows = conn.execute(
            sa.text(
                "SELECT article_id, minhash FROM articles WHERE article_id > :after"
                " ORDER BY article_id LIMIT :n"
            ),
            {"after": after, "n": _BATCH},
        ).all()
        if not rows:
            break
        conn.execute(
            sa.text(
                "UPDATE articles SET bands = CAST(x.b AS bigint[]), record = record - 'minhash'"
                " FROM unnest(CAST(:ids AS text[]), CAST(:b AS text[])) AS x(id, b)"
                " WHERE articles.article_id = x.id"
            ),
            {
                "ids": [r[0] for r in rows],
                "b": [array_literal(band_keys(r[1])) if r[1] else None for r in rows],
            },
        )
        after = rows[-1][0]
    for band in range(1, BANDS + 1):
        op.execute(f"CREATE INDEX ix_articles_band_{band} ON articles ((bands[{band}]))")
    op.drop_table("article_bands")


def downgrade() -> None:
    # The old table's keys were hex text: articles stored before the downgrade are no longer
    # found as duplicate candidates (their clusters stay as they are).
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
    for band in range(1, BANDS + 1):
        op.execute(f"DROP INDEX ix_articles_band_{band}")
    op.drop_column("articles", "bands")

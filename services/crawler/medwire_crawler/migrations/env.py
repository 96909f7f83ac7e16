"""Alembic environment of the crawler's tables (`crawler_pages`, `crawler_schedule`): a lineage
of its own, recorded in `crawler_alembic_version` beside the API's `alembic_version` in the same
database, so that neither service's migrations need the other's. Runs on the connection the
crawler hands over (`medwire_crawler.schema.migrate`)."""

from __future__ import annotations

from alembic import context

VERSION_TABLE = "crawler_alembic_version"

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit(
        "the crawler's migrations run when the crawler starts (medwire_crawler.schema.migrate), "
        "not from the alembic command line"
    )
context.configure(connection=connection, version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()

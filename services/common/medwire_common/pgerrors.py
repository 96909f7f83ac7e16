"""Which PostgreSQL errors mean the database is away or busy — retry the same work later — rather
than that the statement or its data is wrong (that record's dead letter). A restart shows first
as "the database system is shutting down" (57P01) on a live connection, then "is starting up"
(57P03): neither says anything about the record that was being written."""

from __future__ import annotations

# SQLSTATE classes: connection exception, insufficient resources, operator intervention
# (shutdown, crash, cannot connect now), system error (I/O).
_TRANSIENT_CLASSES = ("08", "53", "57", "58")
# Serialization failure and deadlock: the same statement succeeds when run again.
_TRANSIENT_CODES = frozenset({"40001", "40P01"})
# A cancelled statement (57014) is left out: a statement timeout would cancel the same record's
# statement on every retry and stop the stage.
_QUERY_CANCELED = "57014"


def is_transient_sqlstate(sqlstate: str | None) -> bool:
    """Whether an error with this SQLSTATE is the database being away or busy."""
    if not sqlstate or sqlstate == _QUERY_CANCELED:
        return False
    return sqlstate in _TRANSIENT_CODES or sqlstate[:2] in _TRANSIENT_CLASSES

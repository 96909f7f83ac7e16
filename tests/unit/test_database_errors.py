"""A database restart is the database being away, not the record being wrong: the API's ingest
once dead-lettered an article as rejected_by_database because PostgreSQL answered "the database
system is shutting down" (57P01) while it was being written (found by the chaos suite)."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError

from medwire_api.db import is_transient
from medwire_common.pgerrors import is_transient_sqlstate


@pytest.mark.parametrize(
    "sqlstate",
    ["57P01", "57P02", "57P03", "08006", "08001", "53300", "58030", "40001", "40P01"],
)
def test_shutdown_restart_connection_and_contention_errors_are_transient(sqlstate: str) -> None:
    assert is_transient_sqlstate(sqlstate)


@pytest.mark.parametrize("sqlstate", ["23505", "22P05", "22021", "42P01", "57014", "", None])
def test_errors_about_the_statement_or_its_data_are_not(sqlstate: str | None) -> None:
    assert not is_transient_sqlstate(sqlstate)


class _DriverError(Exception):
    """What SQLAlchemy's asyncpg adapter wraps: the server's error with its SQLSTATE."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"server error {sqlstate}")
        self.sqlstate = sqlstate


def test_the_api_retries_a_write_the_server_refused_because_it_is_shutting_down() -> None:
    shutting_down = DBAPIError("INSERT …", None, _DriverError("57P01"))
    assert is_transient(shutting_down)


def test_the_api_dead_letters_a_write_the_server_refused_for_its_data() -> None:
    bad_byte = DBAPIError("INSERT …", None, _DriverError("22P05"))
    assert not is_transient(bad_byte)

"""Every error leaves the API as `application/problem+json` (RFC 9457)."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from .core.cursor import BadCursor
from .core.search import EmptyQuery
from .db import is_transient
from .queries.search import SearchUnavailable, TooManyMatches

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)


class ProblemError(Exception):
    def __init__(
        self,
        status: int,
        detail: str,
        type_: str = "about:blank",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.detail, self.type = status, detail, type_
        self.headers = headers or {}


def problem(
    request: Request,
    status: int,
    detail: str | None,
    type_: str = "about:blank",
    errors: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": type_,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _unavailable(request: Request, detail: str, retry_after_s: int = 1) -> JSONResponse:
    response = problem(request, 503, detail)
    response.headers["retry-after"] = str(retry_after_s)
    return response


QUERY_CANCELED = "57014"  # statement_timeout (MEDWIRE_QUERY_TIMEOUT_S)


def _database_problem(
    request: Request, sqlstate: str | None, transient: bool, cause: object
) -> JSONResponse:
    """A database error as a problem: a cancelled query or an unavailable database is a 503
    (retry), anything else a 500."""
    if sqlstate == QUERY_CANCELED:
        log.warning("query timeout on %s?%s", request.url.path, request.url.query)
        detail = (
            "the query took too long and was cancelled; narrow it (more or longer search "
            "terms, a source, a date range) and retry"
        )
        return problem(request, 503, detail)
    if transient:
        log.warning("database unavailable on %s: %s", request.url.path, cause)
        return _unavailable(request, "the database is unavailable; retry shortly")
    log.error("database error on %s: %r", request.url.path, cause, exc_info=cause)
    return problem(request, 500, "internal error; the server log has the details")


# What any /v1 route can answer whatever its parameters: a NUL in the request or a bad cursor
# (400), parameters that do not validate (422), the rate limit (429), a database that is away or
# a query that took too long (503).
EVERY_ROUTE = {
    "400": "Bad request (a NUL character, a cursor this API did not issue…)",
    "422": "Invalid parameters or body",
    "429": "Over the rate limit (see Retry-After)",
    "503": "The database or the search engine is unavailable, or the query took too long "
    "(retry, or narrow it)",
}


def document(app: FastAPI) -> None:
    """Make the OpenAPI document say what the API does: every error of every /v1 route is an
    `application/problem+json` Problem, and each route lists the errors any route can give."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        problem_ref = {"schema": {"$ref": "#/components/schemas/Problem"}}
        for path, operations in schema.get("paths", {}).items():
            if not path.startswith("/v1/"):
                continue
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in EVERY_ROUTE.items():
                    responses.setdefault(status, {"description": description})
                for status, response in responses.items():
                    if status[0] in "45":
                        response["content"] = {PROBLEM_JSON: problem_ref}
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at this path (Starlette names only the first route's,
    though PUT and DELETE of a path are routes of their own)."""
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in _METHODS
        if any(r.matches({**request.scope, "method": method})[0] is Match.FULL for r in routes)
    )


def install(app: FastAPI) -> None:
    document(app)

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        response = problem(request, exc.status, exc.detail, exc.type)
        response.headers.update(exc.headers)
        return response

    # Cursors come back from clients: one that does not decode to keys a query can bind is
    # theirs to fix, whichever listing it was given to.
    @app.exception_handler(BadCursor)
    async def _bad_cursor(request: Request, exc: BadCursor) -> JSONResponse:
        return problem(request, 400, str(exc))

    # A search: no terms to find, or more matches than a route reads (see `queries.search`).
    @app.exception_handler(EmptyQuery)
    async def _empty_query(request: Request, exc: EmptyQuery) -> JSONResponse:
        return problem(request, 422, str(exc))

    @app.exception_handler(TooManyMatches)
    async def _too_many(request: Request, exc: TooManyMatches) -> JSONResponse:
        return problem(request, 422, str(exc))

    @app.exception_handler(SearchUnavailable)
    async def _search_unavailable(request: Request, exc: SearchUnavailable) -> JSONResponse:
        log.warning("search on %s: %s", request.url.path, exc)
        # OpenSearch away is seconds at least (a restart answers after ~7 s).
        return _unavailable(request, str(exc), retry_after_s=5)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = problem(request, exc.status_code, str(exc.detail))
        response.headers.update(exc.headers or {})  # a 401's WWW-Authenticate…
        if exc.status_code == 405:
            response.headers["allow"] = _allowed_methods(request)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
            for e in exc.errors()
        ]
        where = ", ".join(".".join(str(p) for p in e["loc"]) + f": {e['msg']}" for e in errors)
        return problem(request, 422, f"invalid request parameters ({where})", errors=errors)

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> JSONResponse:
        sqlstate = getattr(exc.orig, "sqlstate", None)
        return _database_problem(request, sqlstate, is_transient(exc), exc.orig)

    # The reads through asyncpg's own pool (see `db.open_read_pool`) raise the driver's errors.
    @app.exception_handler(asyncpg.PostgresError)
    async def _driver(request: Request, exc: asyncpg.PostgresError) -> JSONResponse:
        away = (asyncpg.PostgresConnectionError, asyncpg.exceptions.OperatorInterventionError)
        return _database_problem(request, exc.sqlstate, isinstance(exc, away), exc)

    @app.exception_handler(asyncpg.InterfaceError)
    async def _driver_connection(request: Request, exc: asyncpg.InterfaceError) -> JSONResponse:
        return _database_problem(request, None, True, exc)

    @app.exception_handler(OSError)
    async def _unreachable(request: Request, exc: OSError) -> JSONResponse:
        log.warning("unreachable on %s: %s", request.url.path, exc)
        return _unavailable(request, "a service the API needs is unreachable; retry shortly")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return problem(request, 500, "internal error; the server log has the details")

"""uvicorn's HTTP protocol, answering a request it cannot parse with problem+json.

A request line uvicorn's parser refuses (raw non-ASCII such as `?organization=省药监局` pasted
unencoded, a space in the path, a broken header) never reaches the application: uvicorn answers
it itself with a plain-text 400. Every other error of the API is `application/problem+json`, so
this one is too, with a detail saying how to send the request instead.
"""

from __future__ import annotations

import json
from http import HTTPStatus

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .problems import PROBLEM_JSON

UNPARSABLE_DETAIL = (
    "the HTTP request could not be parsed: a URL must be ASCII, with any other character "
    "percent-encoded as UTF-8 (e.g. `curl -G --data-urlencode 'organization=省药监局' URL`)"
)


def unparsable_response(default_headers: list[tuple[bytes, bytes]]) -> bytes:
    """The whole HTTP/1.1 response to a request that could not be parsed, with the server's
    `default_headers` (date, server) as on every other response."""
    body = json.dumps(
        {
            "type": "about:blank",
            "title": HTTPStatus.BAD_REQUEST.phrase,
            "status": 400,
            "detail": UNPARSABLE_DETAIL,
        },
        ensure_ascii=False,
    ).encode()
    headers = [
        *default_headers,
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        (b"connection", b"close"),
    ]
    head = b"".join(name + b": " + value + b"\r\n" for name, value in headers)
    return b"HTTP/1.1 400 Bad Request\r\n" + head + b"\r\n" + body


class ProblemHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol (the one it picks when httptools is installed, as here),
    whose answer to an unparsable request is problem+json rather than plain text."""

    def send_400_response(self, msg: str) -> None:
        # uvicorn's `msg` is its own fixed text ("Invalid HTTP request received."); the
        # detail above says more. The connection closes: the parser's state is unknown.
        self.transport.write(unparsable_response(self.server_state.default_headers))
        self.transport.close()

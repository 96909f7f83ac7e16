"""A request uvicorn cannot parse is answered problem+json by the API's protocol (a real uvicorn
server on a free port, a trivial application behind it), and a path or query that is not UTF-8
once percent-decoded is named in a 400 (the edge's pure check)."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import pytest
import uvicorn
from starlette.types import Receive, Scope, Send

from medwire_api.edge import undecodable
from medwire_api.protocol import ProblemHttpProtocol


async def _ok(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]}
    )
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture
async def port() -> AsyncIterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    config = uvicorn.Config(
        _ok, host="127.0.0.1", port=free, http=ProblemHttpProtocol, log_config=None, lifespan="off"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    yield free
    server.should_exit = True
    await asyncio.wait_for(task, 10)


async def _exchange(port: int, request: bytes) -> tuple[bytes, dict[str, str], bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 10)  # the server closes after a 400
    writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    status, *lines = head.split(b"\r\n")
    headers = {k.decode().lower(): v.decode() for k, v in (x.split(b": ", 1) for x in lines)}
    return status, headers, body


async def test_a_raw_utf8_query_is_a_400_problem_saying_how_to_encode_it(port: int) -> None:
    request = "GET /v1/articles?organization=省药监局 HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    status, headers, body = await _exchange(port, request)
    assert status == b"HTTP/1.1 400 Bad Request"
    assert headers["content-type"] == "application/problem+json"
    assert int(headers["content-length"]) == len(body)
    problem = json.loads(body)
    assert problem["status"] == 400 and "--data-urlencode" in problem["detail"]
    assert "date" in headers  # the server's own headers, as on every response


async def test_a_broken_request_line_is_a_problem_too(port: int) -> None:
    status, headers, body = await _exchange(port, b"GET /a b c\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 400")
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["status"] == 400


async def test_a_well_formed_request_reaches_the_application(port: int) -> None:
    request = (
        b"GET /v1/articles?organization=%E7%9C%81 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    status, _, body = await _exchange(port, request)
    assert status == b"HTTP/1.1 200 OK" and body == b"ok"


@pytest.mark.parametrize(
    "raw_path, query, named",
    [
        (b"/v1/articles", b"q=%FF", "query parameter 'q'"),
        (b"/v1/articles", b"limit=5&organization=%BC%E0", "query parameter 'organization'"),
        (b"/v1/articles/%FF", b"", "path"),
    ],
)
def test_bytes_that_are_not_utf8_once_decoded_are_named(
    raw_path: bytes, query: bytes, named: str
) -> None:
    detail = undecodable(raw_path, query)
    assert detail is not None and named in detail


@pytest.mark.parametrize(
    "raw_path, query",
    [
        (b"/v1/articles", b""),
        (b"/v1/articles", b"q=%E5%8C%BB+%E9%99%A2&limit=5"),
        (b"/a%20b", b"x"),
    ],
)
def test_utf8_paths_and_queries_pass(raw_path: bytes, query: bytes) -> None:
    assert undecodable(raw_path, query) is None

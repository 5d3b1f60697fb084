"""Answers made once in a worker process and then served from memory, compressed as stored.

JSON and SVG are stored gzipped and sent as they are to clients that accept gzip
(nearly all), inflated for the others; images are stored as encoded. A cached answer
never waits behind a render: the exact URL of an answer already made is remembered,
and FastAnswers sends it again from the middleware, before any parsing or routing.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import time

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from .cache import DRAWING_VERSION, ByteBudgetLRU
from .work import pool

IMMUTABLE = "public, max-age=31536000, immutable"
_answers = ByteBudgetLRU(128 * 2**20, size=lambda entry: len(entry[0]))   # key -> (body, gzipped), measured as stored
# exact URL -> (answer key, etag or None, headers): aliases of stored answers, not copies
_urls = ByteBudgetLRU(8 * 2**20, size=lambda entry: 100 + len(entry[0]) + sum(len(k) + len(v) for k, v in entry[2]))


def etag(*parts) -> str:
    """A strong ETag from the drawing's version and the canonical parts of the request."""
    text = json.dumps([DRAWING_VERSION, *parts], sort_keys=True)
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:40] + '"'


def accepts_gzip(header: str) -> bool:
    for part in header.split(","):
        name, _, q = part.strip().partition(";")
        if name.strip() in ("gzip", "*"):
            return q.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def asked_ahead(request: Request) -> bool:
    """The request is a guess at a later one (`Purpose: prefetch`, or a browser's `Sec-Purpose: prefetch`):
    its job runs only on an idle pool (Pool.run), so guesses never make a real request wait."""
    return any("prefetch" in request.headers.get(name, "") for name in ("purpose", "sec-purpose"))


async def made(key: str, job, *args, gzipped: bool = False, ahead: bool = False) -> tuple[object, bool, str]:
    """(body, gzipped, source): from the cache, or made by `job` in a worker process and stored."""
    found = _answers.get(key)
    if found is not None:
        return (*found, "cache")
    body = await pool.run(key, job, *args, ahead=ahead)
    _answers.put(key, (body, gzipped))
    return body, gzipped, "render"


def stored(key: str):
    """The body stored under `key`, or None."""
    found = _answers.get(key)
    return None if found is None else found[0]


def keep(key: str, body, gzipped: bool = False) -> None:
    """Store an answer made by a job that made more than one (see network_pictures.network_scene)."""
    _answers.put(key, (body, gzipped))


async def send(request: Request, key: str, job, *args, media_type: str, headers: dict | None = None,
               gzipped: bool = False, tag: str | None = None) -> Response:
    """The answer under `key` (made by `job` if need be) as the client can take it; its URL is remembered."""
    started = time.perf_counter()
    if _unchanged(request, tag):   # before any work
        return Response(status_code=304, headers=_headers(headers, tag, gzipped))
    body, gzipped, source = await made(key, job, *args, gzipped=gzipped, ahead=asked_ahead(request))
    return await respond(request, key, body, gzipped, source, started, media_type=media_type, headers=headers, tag=tag)


def _unchanged(request: Request, tag: str | None) -> bool:
    """The client holds the answer tagged `tag` already (If-None-Match)."""
    return bool(tag) and tag in request.headers.get("if-none-match", "")


def _headers(headers: dict | None, tag: str | None, gzipped: bool) -> dict:
    headers = {**(headers or {}), **({"ETag": tag, "Cache-Control": IMMUTABLE} if tag else {})}
    if gzipped:
        headers["Vary"] = "Accept-Encoding"
    return headers


async def respond(request: Request, key: str, body, gzipped: bool, source: str, started: float, *, media_type: str,
                  headers: dict | None = None, tag: str | None = None) -> Response:
    """The answer stored under `key` (from `source`, asked for at `started`) as the client can take it; its URL is remembered."""
    headers = _headers(headers, tag, gzipped)
    if _unchanged(request, tag):
        return Response(status_code=304, headers=headers)
    listed = [(b"content-type", media_type.encode())] + [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    if request.method == "GET":
        _urls.put(request.url.path + "?" + request.url.query, (key, tag, listed))
    # Server-Timing: how long this answer took inside the server, and whether it was rendered
    headers["Server-Timing"] = f"{source};dur={(time.perf_counter() - started) * 1000:.2f}"
    if gzipped:
        if accepts_gzip(request.headers.get("accept-encoding", "")):
            headers["Content-Encoding"] = "gzip"
        else:
            body = await run_in_threadpool(gzip.decompress, body) if len(body) > 65536 else gzip.decompress(body)
    return Response(body, media_type=media_type, headers=headers)


class FastAnswers:
    """Pure ASGI: a GET for a URL whose answer is stored is sent straight from memory (or 304)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, sender):
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"].startswith("/api/v1/"):
            started = time.perf_counter()
            url = _urls.get(scope["path"] + "?" + scope["query_string"].decode("latin-1"))
            stored = url and _answers.get(url[0])
            if stored and (not stored[1] or len(stored[0]) < 65536 or accepts_gzip(_header(scope, b"accept-encoding"))):
                return await self._send(scope, sender, url[1], url[2], *stored, started)
        await self.app(scope, receive, sender)

    @staticmethod
    async def _send(scope, sender, tag, headers, body, gzipped, started):
        asked = dict(scope["headers"])
        timing = [(b"server-timing", f"cache;dur={(time.perf_counter() - started) * 1000:.2f}".encode())]
        if tag and tag.encode() in asked.get(b"if-none-match", b""):
            await sender({"type": "http.response.start", "status": 304, "headers": headers[1:]})
            return await sender({"type": "http.response.body", "body": b""})
        if gzipped:
            if accepts_gzip(asked.get(b"accept-encoding", b"").decode("latin-1")):
                timing.append((b"content-encoding", b"gzip"))
            else:
                body = gzip.decompress(body)
        length = [(b"content-length", str(len(body)).encode())]
        await sender({"type": "http.response.start", "status": 200, "headers": headers + length + timing})
        await sender({"type": "http.response.body", "body": body})



def _header(scope, name: bytes) -> str:
    return next((v for k, v in scope["headers"] if k == name), b"").decode("latin-1")

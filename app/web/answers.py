"""Answers made once in a worker process and then served from memory, compressed as stored.

JSON and SVG are stored gzipped and sent as they are to clients that accept gzip
(nearly all), inflated for the others; images are stored as encoded. A cached answer
is a dictionary look-up on the event loop: it never waits behind a render.
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


def etag(*parts) -> str:
    """A strong ETag from the drawing's version and the canonical parts of the request."""
    text = json.dumps([DRAWING_VERSION, *parts], sort_keys=True)
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:40] + '"'


def accepts_gzip(request: Request) -> bool:
    for part in request.headers.get("accept-encoding", "").split(","):
        name, _, q = part.strip().partition(";")
        if name.strip() in ("gzip", "*"):
            return q.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


async def made(key: str, job, *args, gzipped: bool = False) -> tuple[bytes, bool, str]:
    """(body, gzipped, source): from the cache, or made by `job` in a worker process and stored."""
    found = _answers.get(key)
    if found is not None:
        return (*found, "cache")
    body = await pool.run(key, job, *args)
    _answers.put(key, (body, gzipped))
    return body, gzipped, "render"


async def send(request: Request, body: bytes, gzipped: bool, media_type: str, headers: dict, status: int = 200) -> Response:
    """The stored bytes as the client can take them."""
    if gzipped:
        headers = {**headers, "Vary": "Accept-Encoding"}
        if accepts_gzip(request):
            headers["Content-Encoding"] = "gzip"
        else:
            body = await run_in_threadpool(gzip.decompress, body) if len(body) > 65536 else gzip.decompress(body)
    return Response(body, status_code=status, media_type=media_type, headers=headers)


async def cached(request: Request, key: str, job, *args, media_type: str, headers: dict, gzipped: bool = False) -> Response:
    """An immutable answer with its ETag: 304 when the client has it, else the bytes (made at most once)."""
    started = time.perf_counter()
    tag = etag(key)
    headers = {**headers, "ETag": tag, "Cache-Control": IMMUTABLE}
    if tag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    body, gzipped, source = await made(tag, job, *args, gzipped=gzipped)
    # Server-Timing: how long this answer took inside the server, and whether it was rendered
    headers["Server-Timing"] = f"{source};dur={(time.perf_counter() - started) * 1000:.2f}"
    return await send(request, body, gzipped, media_type, headers)

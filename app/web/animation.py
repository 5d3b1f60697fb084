"""Pictures over HTTP: the scene JSON for the playground, and rendered animations.

Same query -> same bytes: the ETag is a digest of the canonical spec, the canonical
options and the format, so spelling and parameter order do not matter, and a
client that already has the bytes gets a 304 without any rendering.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app import __version__
from app.engine import build_spec
from app.engine.query import parse_value
from app.render import build_options, build_scene, file_name, writer
from app.render.caps import check_scene_bytes
from app.render.options import OPTION_DOCS, OPTION_NAMES

from . import params
from .cache import ByteBudgetLRU, trace_for

router = APIRouter()

IMMUTABLE = "public, max-age=31536000, immutable"
_bytes = ByteBudgetLRU(128 * 2**20)
_renders = threading.BoundedSemaphore(2)   # rendering is CPU work: at most one per core


def split_query(items):
    """Query pairs -> (spec, render options), both validated; `lang` is the labels' language."""
    spec_items = [(k, v) for k, v in items if k not in OPTION_NAMES]
    option_raw = {k: parse_value(k, v) for k, v in items if k in OPTION_NAMES}
    spec = build_spec(params.from_query(spec_items))
    return spec, build_options(option_raw)


def _etag(spec, options, fmt: str) -> str:
    text = json.dumps([__version__, spec.key(), options.canonical(), fmt], sort_keys=True)
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:40] + '"'


def _headers(etag: str, request: Request, options) -> dict:
    """Caching headers, and the labels' language: Chinese asked for but drawn in English
    (no CJK font on this server) is said, not hidden."""
    out = {"ETag": etag, "Cache-Control": IMMUTABLE, "Access-Control-Allow-Origin": "*",
           "Content-Language": "zh-Hans" if options.lang == "zh" else "en"}
    if request.query_params.get("lang") == "zh" and options.lang != "zh":
        out["X-Label-Language"] = "en; reason=\"no CJK font on the server\""
    return out


@router.get("/api/v1/scene", tags=["render"], summary="The scene the playground draws",
            openapi_extra={"parameters": params.query_parameters(OPTION_DOCS)})
def scene(request: Request) -> Response:
    spec, options = split_query(request.query_params.multi_items())
    etag = _etag(spec, options, "scene")
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=_headers(etag, request, options))
    data = _bytes.get(etag)
    if data is None:
        data = json.dumps(build_scene(trace_for(spec), options), separators=(",", ":"), ensure_ascii=False).encode()
        check_scene_bytes(len(data))
        _bytes.put(etag, data)
    return Response(data, media_type="application/json", headers=_headers(etag, request, options))


@router.get("/api/v1/animation.{fmt}", tags=["render"], summary="The animation in any format of /api/v1/limits render.writers",
            openapi_extra={"parameters": params.query_parameters(OPTION_DOCS)})
def animation(fmt: str, request: Request) -> Response:
    drawer = writer(fmt)
    started = time.perf_counter()
    spec, options = split_query(request.query_params.multi_items())
    etag = _etag(spec, options, fmt)
    headers = {**_headers(etag, request, options), "Content-Disposition": f'inline; filename="{file_name(spec, fmt)}"'}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    data, source = _bytes.get(etag), "cache"
    if data is None:
        scene = build_scene(trace_for(spec), options, drawer)
        with _renders:
            data = drawer.write(scene, options.frame)
        _bytes.put(etag, data)
        source = "render"
    # Server-Timing: how long this answer took inside the server, and whether it was rendered
    headers["Server-Timing"] = f"{source};dur={(time.perf_counter() - started) * 1000:.2f}"
    return Response(data, media_type=drawer.media_type, headers=headers)

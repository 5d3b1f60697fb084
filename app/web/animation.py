"""Pictures over HTTP: the scene JSON for the playground, and rendered animations.

Same query -> same bytes: the ETag is a digest of the drawing's version, the canonical
spec, the canonical options and the format, so spelling and parameter order do not
matter, and a client that already has the bytes gets a 304 without any rendering.
Rendering happens in a worker process (work.py); answers are cached (answers.py).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from app.engine import build_spec
from app.engine.query import parse_value
from app.render import WRITERS, build_options, file_name, writer
from app.render.options import OPTION_NAMES

from . import params, work
from .answers import etag, send

router = APIRouter()

LONG_QUERY = 4096   # characters: longer queries (arrays) are read off the event loop
REFUSALS = {
    422: {"description": "A parameter breaks a rule or a cap; `detail[0].param` names it and `msg` says how to stay under."},
    503: {"description": "The render queue is full or the render passed its time limit; retry after `Retry-After` seconds."},
}
# an animation route answers in its writer's media type
PICTURES = {200: {"description": "The picture in the format asked for.", "content": {w.media_type: {} for w in WRITERS.values()}},
            **REFUSALS}


def split_query(items):
    """Query pairs -> (spec, render options), both validated; `lang` is the labels' language."""
    spec_items = [(k, v) for k, v in items if k not in OPTION_NAMES]
    option_raw = {k: parse_value(k, v) for k, v in items if k in OPTION_NAMES}
    spec = build_spec(params.from_query(spec_items))
    return spec, build_options(option_raw)


def language_headers(request: Request, options) -> dict:
    """The labels' language: Chinese asked for but drawn in English (no CJK font on
    this server) is said, not hidden."""
    out = {"Content-Language": "zh-Hans" if options.lang == "zh" else "en"}
    if request.query_params.get("lang") == "zh" and options.lang != "zh":
        out["X-Label-Language"] = "en; reason=\"no CJK font on the server\""
    return out


async def read_query(request: Request):
    items = request.query_params.multi_items()
    if len(request.url.query) > LONG_QUERY:
        return await run_in_threadpool(split_query, items)
    return split_query(items)


@router.get("/api/v1/scene", tags=["render"], summary="The scene the playground draws", responses=REFUSALS,
            openapi_extra={"parameters": params.query_parameters() + params.option_parameters()})
async def scene(request: Request) -> Response:
    spec, options = await read_query(request)
    tag = etag(spec.key(), options.canonical(), "scene")
    return await send(request, tag, work.scene_job, spec, options, media_type="application/json", headers=language_headers(request, options),
                      gzipped=True, tag=tag)



@router.get("/api/v1/animation.{fmt}", tags=["render"], summary="The animation in any format of /api/v1/limits render.writers",
            responses=PICTURES, openapi_extra={"parameters": params.query_parameters() + params.option_parameters()})
async def animation(request: Request, fmt: str = params.format_path()) -> Response:
    drawer = writer(fmt)
    spec, options = await read_query(request)
    headers = {"Content-Disposition": f'inline; filename="{file_name(spec, drawer.name, options.frame if not drawer.animated else None)}"', **language_headers(request, options)}
    tag = etag(spec.key(), options.canonical(), drawer.name)
    return await send(request, tag, work.animation_job, spec, options, drawer.name, media_type=drawer.media_type, headers=headers,
                      gzipped=drawer.name in work.TEXT_FORMATS, tag=tag)

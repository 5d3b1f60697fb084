"""The JSON API: /api/v1/trace (GET and POST), /api/v1/limits and /healthz.

Handlers are async: a cached trace is served from memory on the event loop; a new one is
computed in a worker process (work.py); a POST body is read under the size limit
(edge.py) and parsed in a thread, with its nesting bounded.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from app.engine import LIMITS, build_spec, describe, operations
from app.engine.query import MAX_DEPTH
from app.render import WRITERS, caps, teaching
from app.render.options import OPTION_FIELDS

from . import params, work
from .animation import LONG_QUERY, REFUSALS
from .answers import etag, send
from .edge import MAX_BODY_BYTES

router = APIRouter()

TRACE_DOC = """Run one operation step by step and return every step.

The response holds `output_size`, `output` ([C][H][W]), the `canvas` (which cells are
input, padding `p`, inserted zeros `z`, ceil-mode overhang `x`; for the scatter view
output `o` and cropped `c`), every step with its taps (`input_index`, `canvas_index`,
`weight_index`, `product`) and value, and the `arithmetic` with your numbers.

`detail=summary` (a query parameter, on POST too) answers the same without `steps`, with
`step_count` instead: what the playground redraws from, about a thirtieth of the bytes (16x16,
k3). `detail=full` (the default) is the answer above. Both carry an ETag and may be cached.
"""

DETAIL_PARAMETER = params.detail_parameter("full: every step with its taps; summary: everything but `steps`, with `step_count` instead.")
TRACE_ANSWERS = {200: {"description": "detail=full: the trace with `steps`; detail=summary: the same without `steps`, with `step_count`.",
                       "content": {"application/json": {"schema": {"oneOf": [
                           {"title": "full", "type": "object", "required": ["op", "output_shape", "arithmetic", "steps"],
                            "properties": {"steps": {"type": "array", "items": {"type": "object"}}}},
                           {"title": "summary", "type": "object", "required": ["op", "output_shape", "arithmetic", "step_count"],
                            "properties": {"step_count": {"type": "integer", "minimum": 0}}}]}}}}}


def _examples() -> dict:
    """OpenAPI body examples: each operation's first preset."""
    out = {}
    for op in operations():
        if op.presets:
            p = op.presets[0]
            out[p.slug] = {"summary": f"{op.name}: {p.title.en}", "value": p.spec}
    return out


BODY_REFUSALS = {**REFUSALS, 413: {"description": f"The body is larger than {MAX_BODY_BYTES:,} bytes (`/api/v1/limits`: `max_body_bytes`)."}}


async def _trace(request: Request, spec, detail: str) -> Response:
    tag = etag(spec.key(), "trace", detail)
    return await send(request, tag, work.trace_job, spec, detail, media_type="application/json", gzipped=True, tag=tag)


@router.get("/healthz", tags=["meta"])
async def healthz() -> dict:
    return {"status": "ok"}


@router.get("/api/v1/limits", tags=["meta"])
async def limits() -> dict:
    """The caps every request must stay under, the operations and the output formats on offer.

    `render`: the raster caps (GIF, WebP, MP4, PNG), the scene caps (what the browser
    is sent: /api/v1/scene, SVG), the encoding budget, and every writer with its own limits.
    """
    render = {"max_frames": caps.MAX_FRAMES, "max_frame_pixels": caps.MAX_FRAME_PIXELS, "max_total_pixels": caps.MAX_TOTAL_PIXELS,
              "max_render_seconds": caps.MAX_RENDER_SECONDS,
              "scene": {"max_items": caps.MAX_SCENE_ITEMS, "max_bytes": caps.MAX_SCENE_BYTES},
              "writers": [w.describe() for w in WRITERS.values()]}
    return {"ops": [op.name for op in operations()], **LIMITS, "max_body_bytes": MAX_BODY_BYTES, "max_json_depth": MAX_DEPTH, "render": render}


@router.get("/api/v1/ops", tags=["meta"], summary="Every operation, its fields, the render options and the formats")
def ops() -> dict:
    """What the playground's form and the CLI's flags are built from.

    Each operation: its name and label (English and 简体中文), the torch module it
    mirrors, its weight layout, its output-size formula, and its fields (kind,
    default or the field it defaults to, bounds, choices, docs).
    """
    return ops_description()


def ops_description() -> dict:
    return {
        "ops": describe(),
        "render": [f.describe() for f in OPTION_FIELDS],
        "formats": [w.describe() for w in WRITERS.values()],
        "views": teaching.describe(),
    }


def _spec_from_query(items):
    return build_spec(params.from_query(items, skip=frozenset({"lang", "detail"})))


@router.get("/api/v1/trace", tags=["trace"], summary="Trace (query parameters)", description=TRACE_DOC, responses={**TRACE_ANSWERS, **REFUSALS},
            openapi_extra={"parameters": params.query_parameters({"lang": "Language of error messages: en or zh."}) + [DETAIL_PARAMETER]})
async def trace_get(request: Request) -> Response:
    items = request.query_params.multi_items()
    detail = params.read_detail(items)
    long = len(request.url.query) > LONG_QUERY
    spec = await run_in_threadpool(_spec_from_query, items) if long else _spec_from_query(items)
    return await _trace(request, spec, detail)


@router.post("/api/v1/trace", tags=["trace"], summary="Trace (JSON body)", description=TRACE_DOC, responses={**TRACE_ANSWERS, **BODY_REFUSALS},
             openapi_extra={"requestBody": {"content": {"application/json": {"schema": params.body_schema(), "examples": _examples()}}},
                            "parameters": [DETAIL_PARAMETER]})
async def trace_post(request: Request) -> Response:
    detail = params.read_detail(request.query_params.multi_items())
    spec = await run_in_threadpool(build_spec, await params.json_body(request))
    return await _trace(request, spec, detail)

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
from .answers import send
from .edge import MAX_BODY_BYTES

router = APIRouter()

TRACE_DOC = """Run one operation step by step and return every step.

The response holds `output_size`, `output` ([C][H][W]), the `canvas` (which cells are
input, padding `p`, inserted zeros `z`, ceil-mode overhang `x`; for the scatter view
output `o` and cropped `c`), every step with its taps (`input_index`, `canvas_index`,
`weight_index`, `product`) and value, and the `arithmetic` with your numbers.
"""


def _examples() -> dict:
    """OpenAPI body examples: each operation's first preset."""
    out = {}
    for op in operations():
        if op.presets:
            p = op.presets[0]
            out[p.slug] = {"summary": f"{op.name}: {p.title.en}", "value": p.spec}
    return out


BODY_REFUSALS = {**REFUSALS, 413: {"description": f"The body is larger than {MAX_BODY_BYTES:,} bytes (`/api/v1/limits`: `max_body_bytes`)."}}


async def _trace(request: Request, spec) -> Response:
    return await send(request, "trace:" + spec.key(), work.trace_job, spec, media_type="application/json", gzipped=True)


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
    return build_spec(params.from_query(items, skip=frozenset({"lang"})))


@router.get("/api/v1/trace", tags=["trace"], summary="Trace (query parameters)", description=TRACE_DOC, responses=REFUSALS,
            openapi_extra={"parameters": params.query_parameters({"lang": "Language of error messages: en or zh."})})
async def trace_get(request: Request) -> Response:
    items = request.query_params.multi_items()
    long = len(request.url.query) > LONG_QUERY
    spec = await run_in_threadpool(_spec_from_query, items) if long else _spec_from_query(items)
    return await _trace(request, spec)


@router.post("/api/v1/trace", tags=["trace"], summary="Trace (JSON body)", description=TRACE_DOC, responses=BODY_REFUSALS,
             openapi_extra={"requestBody": {"content": {"application/json": {"schema": params.body_schema(), "examples": _examples()}}}})
async def trace_post(request: Request) -> Response:
    spec = await run_in_threadpool(build_spec, await params.json_body(request))
    return await _trace(request, spec)

"""The JSON API: /api/v1/trace (GET and POST), /api/v1/limits and /healthz.

Handlers are async: a cached trace is served from memory on the event loop; a new one is
computed in a worker process (work.py); a POST body is read under the size limit
(edge.py) and parsed in a thread, with its nesting bounded.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from app.engine import LIMITS, OPS, build_spec
from app.engine.query import MAX_DEPTH, loads
from app.render import options as render_options

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

EXAMPLES = {
    "padding_strides": {"summary": "conv2d, 5x5, k3 s2 p1", "value": {"op": "conv2d", "input_size": 5, "kernel_size": 3, "stride": 2, "padding": 1}},
    "transposed": {"summary": "conv_transpose2d with output_padding", "value": {"op": "conv_transpose2d", "input_size": 3, "kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1}},
    "depthwise": {"summary": "depthwise conv2d", "value": {"op": "conv2d", "input_size": 6, "in_channels": 3, "out_channels": 3, "groups": 3}},
    "max_pool": {"summary": "max pooling with the paper's numbers", "value": {"op": "max_pool2d", "kernel_size": 3, "stride": 1}},
}
BODY_REFUSALS = {**REFUSALS, 413: {"description": f"The body is larger than {MAX_BODY_BYTES:,} bytes (`/api/v1/limits`: `max_body_bytes`)."}}


async def _trace(request: Request, spec) -> Response:
    return await send(request, "trace:" + spec.key(), work.trace_job, spec, media_type="application/json", gzipped=True)


@router.get("/healthz", tags=["meta"])
async def healthz() -> dict:
    return {"status": "ok"}


@router.get("/api/v1/limits", tags=["meta"])
async def limits() -> dict:
    """The caps every request must stay under, and the operations on offer."""
    render = {"max_frames": render_options.MAX_FRAMES, "max_frame_pixels": render_options.MAX_FRAME_PIXELS,
              "max_total_pixels": render_options.MAX_TOTAL_PIXELS, "max_webp_pixels": render_options.MAX_WEBP_PIXELS,
              "max_render_seconds": render_options.MAX_RENDER_SECONDS}
    return {"ops": list(OPS), **LIMITS, "max_body_bytes": MAX_BODY_BYTES, "max_json_depth": MAX_DEPTH, "render": render}


def _spec_from_query(items):
    return build_spec(params.from_query(items, skip=frozenset({"lang"})))


@router.get("/api/v1/trace", tags=["trace"], summary="Trace (query parameters)", description=TRACE_DOC, responses=REFUSALS,
            openapi_extra={"parameters": params.query_parameters({"lang": "Language of error messages: en or zh."})})
async def trace_get(request: Request) -> Response:
    items = request.query_params.multi_items()
    long = len(request.url.query) > LONG_QUERY
    spec = await run_in_threadpool(_spec_from_query, items) if long else _spec_from_query(items)
    return await _trace(request, spec)


def _spec_from_body(data: bytes):
    return build_spec(loads("body", data, constants=True) if data.strip() else {})


@router.post("/api/v1/trace", tags=["trace"], summary="Trace (JSON body)", description=TRACE_DOC, responses=BODY_REFUSALS,
             openapi_extra={"requestBody": {"content": {"application/json": {"schema": params.body_schema(), "examples": EXAMPLES}}}})
async def trace_post(request: Request) -> Response:
    spec = await run_in_threadpool(_spec_from_body, await request.body())
    return await _trace(request, spec)

"""The JSON API: /api/v1/trace (GET and POST) and /healthz."""

from __future__ import annotations

from fastapi import APIRouter, Body, Request
from fastapi.responses import Response

from app.engine import LIMITS, OPS, build_spec, run
from app.render import WRITERS, caps

from . import params
from .cache import trace_for

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


def _json(data: bytes) -> Response:
    return Response(data, media_type="application/json")


@router.get("/healthz", tags=["meta"])
def healthz() -> dict:
    return {"status": "ok"}


@router.get("/api/v1/limits", tags=["meta"])
def limits() -> dict:
    """The caps every request must stay under, the operations and the output formats on offer.

    `render`: the raster caps (GIF, WebP, MP4, PNG), the scene caps (what the browser
    is sent: /api/v1/scene, SVG), and every writer with its own limits.
    """
    render = {"max_frames": caps.MAX_FRAMES, "max_frame_pixels": caps.MAX_FRAME_PIXELS, "max_total_pixels": caps.MAX_TOTAL_PIXELS,
              "scene": {"max_items": caps.MAX_SCENE_ITEMS, "max_bytes": caps.MAX_SCENE_BYTES},
              "writers": [w.describe() for w in WRITERS.values()]}
    return {"ops": list(OPS), **LIMITS, "render": render}


@router.get("/api/v1/trace", tags=["trace"], summary="Trace (query parameters)", description=TRACE_DOC,
            openapi_extra={"parameters": params.query_parameters({"lang": "Language of error messages: en or zh."})})
def trace_get(request: Request) -> Response:
    raw = params.from_query(request.query_params.multi_items(), skip=frozenset({"lang"}))
    return _json(trace_for(build_spec(raw)).to_json())


@router.post("/api/v1/trace", tags=["trace"], summary="Trace (JSON body)", description=TRACE_DOC,
             openapi_extra={"requestBody": {"content": {"application/json": {"schema": params.body_schema(), "examples": EXAMPLES}}}})
def trace_post(body: dict = Body(default_factory=dict, include_in_schema=False)) -> Response:
    return _json(trace_for(build_spec(body)).to_json())


__all__ = ["router", "run"]

"""The JSON API: /api/v1/trace (GET and POST) and /healthz."""

from __future__ import annotations

from fastapi import APIRouter, Body, Request
from fastapi.responses import Response

from app.engine import LIMITS, build_spec, describe, operations, run
from app.render import WRITERS, caps
from app.render.options import OPTION_FIELDS

from . import params
from .cache import trace_for

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
    return {"ops": [op.name for op in operations()], **LIMITS, "render": render}


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
    }


@router.get("/api/v1/trace", tags=["trace"], summary="Trace (query parameters)", description=TRACE_DOC,
            openapi_extra={"parameters": params.query_parameters({"lang": "Language of error messages: en or zh."})})
def trace_get(request: Request) -> Response:
    raw = params.from_query(request.query_params.multi_items(), skip=frozenset({"lang"}))
    return _json(trace_for(build_spec(raw)).to_json())


@router.post("/api/v1/trace", tags=["trace"], summary="Trace (JSON body)", description=TRACE_DOC,
             openapi_extra={"requestBody": {"content": {"application/json": {"schema": params.body_schema(), "examples": _examples()}}}})
def trace_post(body: dict = Body(default_factory=dict, include_in_schema=False)) -> Response:
    return _json(trace_for(build_spec(body)).to_json())


__all__ = ["router", "run"]

"""Other views of one operation: its matrix (`y = C x`) and its backward pass.

Both take the trace's fields (GET query or POST body) and answer JSON made in a render
worker (work.py: time limit, admission bound) from the forward trace; the backward pass
also takes `grad_output`. Answers are cached like traces (answers.py).
"""

from __future__ import annotations

import hashlib
import json

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from app.engine import SpecError, build_spec

from . import params, work
from .animation import REFUSALS
from .answers import send

router = APIRouter(tags=["views"])

MATRIX_DOC = """Convolution as a matrix: `output.flatten() = C @ input.flatten() (+ bias)`.

`entries` are `[row, col, value, weight_index]` (entries with the same row and column add up:
copied padding reads a cell twice). For conv_transpose2d, `transpose_of` names the conv2d
whose C this is the transpose of. For conv2d, `im2col` is `F.unfold` of the padded input.
Linear operations only (not max pooling).
"""
BACKWARD_DOC = """The backward pass: `grad_output` (default: small whole numbers fixed by position) in,
`grad_input`, `grad_weight` (PyTorch's layout) and `grad_bias` out, with one step per input
cell listing the output gradients and weights that reach it. For a convolution, `drawn_as`
is the forward operation that computes the same `grad_input` as a full convolution with the
kernel turned 180 degrees (pass it to /api/v1/scene to see it drawn).
"""
_LANG = {"lang": "Language of error messages: en or zh."}
_GRAD = {"grad_output": "Optional dL/dY, [OC][OH][OW] (query: JSON)."}


async def _matrix(request: Request, raw) -> Response:
    spec = await run_in_threadpool(build_spec, raw)
    return await send(request, "matrix:" + spec.key(), work.matrix_job, spec, media_type="application/json", gzipped=True)


async def _backward(request: Request, raw) -> Response:
    if not isinstance(raw, dict):
        raise SpecError("body", "not_object")
    grad = raw.get("grad_output")
    spec = await run_in_threadpool(build_spec, {k: v for k, v in raw.items() if k != "grad_output"})
    key = "backward:" + spec.key() + ":" + hashlib.sha256(json.dumps(grad).encode()).hexdigest()
    return await send(request, key, work.backward_job, spec, grad, media_type="application/json", gzipped=True)


def _query(request: Request) -> dict:
    return params.from_query(request.query_params.multi_items(), skip=frozenset({"lang"}))


def _body_schema(extra: dict | None = None) -> dict:
    schema = params.body_schema()
    for name, doc in (extra or {}).items():
        schema["properties"][name] = {"type": "array", "items": {}, "description": doc}
    return {"requestBody": {"content": {"application/json": {"schema": schema}}}}


@router.get("/api/v1/matrix", summary="The matrix form (query parameters)", description=MATRIX_DOC, responses=REFUSALS,
            openapi_extra={"parameters": params.query_parameters(_LANG)})
async def matrix_get(request: Request) -> Response:
    return await _matrix(request, await run_in_threadpool(_query, request))


@router.post("/api/v1/matrix", summary="The matrix form (JSON body)", description=MATRIX_DOC, responses=REFUSALS,
             openapi_extra=_body_schema())
async def matrix_post(request: Request) -> Response:
    return await _matrix(request, await params.json_body(request))


@router.get("/api/v1/backward", summary="The backward pass (query parameters)", description=BACKWARD_DOC, responses=REFUSALS,
            openapi_extra={"parameters": params.query_parameters({**_GRAD, **_LANG})})
async def backward_get(request: Request) -> Response:
    return await _backward(request, await run_in_threadpool(_query, request))


@router.post("/api/v1/backward", summary="The backward pass (JSON body)", description=BACKWARD_DOC, responses=REFUSALS,
             openapi_extra=_body_schema(_GRAD))
async def backward_post(request: Request) -> Response:
    return await _backward(request, await params.json_body(request))

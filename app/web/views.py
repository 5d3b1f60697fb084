"""Other views of one operation: its matrix (`y = C x`) and its backward pass.

Both take the trace's fields (GET query or POST body) and answer JSON computed
from the cached forward trace; the backward pass also takes `grad_output`.
"""

from __future__ import annotations

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from app.engine import SpecError, build_spec
from app.engine import backward as bw
from app.engine import matrix

from . import params
from .cache import trace_for

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


def _matrix(raw: dict) -> JSONResponse:
    return JSONResponse(matrix.to_json(trace_for(build_spec(raw))))


def _backward(raw: dict) -> JSONResponse:
    if not isinstance(raw, dict):
        raise SpecError("body", "not_object")
    spec = build_spec({k: v for k, v in raw.items() if k != "grad_output"})
    return JSONResponse(bw.to_json(bw.backward(trace_for(spec), raw.get("grad_output"))))


_QUERY = {"parameters": params.query_parameters({"lang": "Language of error messages: en or zh."})}
_GRAD = {"grad_output": "Optional dL/dY, [OC][OH][OW] (query: JSON)."}


@router.get("/api/v1/matrix", summary="The matrix form (query parameters)", description=MATRIX_DOC, openapi_extra=_QUERY)
def matrix_get(request: Request) -> JSONResponse:
    return _matrix(params.from_query(request.query_params.multi_items(), skip=frozenset({"lang"})))


@router.post("/api/v1/matrix", summary="The matrix form (JSON body)", description=MATRIX_DOC,
             openapi_extra={"requestBody": {"content": {"application/json": {"schema": params.body_schema()}}}})
def matrix_post(body: dict = Body(default_factory=dict, include_in_schema=False)) -> JSONResponse:
    return _matrix(body)


@router.get("/api/v1/backward", summary="The backward pass (query parameters)", description=BACKWARD_DOC,
            openapi_extra={"parameters": params.query_parameters({**_GRAD, "lang": "Language of error messages: en or zh."})})
def backward_get(request: Request) -> JSONResponse:
    return _backward(params.from_query(request.query_params.multi_items(), skip=frozenset({"lang"})))


def _backward_schema() -> dict:
    schema = params.body_schema()
    schema["properties"]["grad_output"] = {"type": "array", "items": {}, "description": _GRAD["grad_output"]}
    return schema


@router.post("/api/v1/backward", summary="The backward pass (JSON body)", description=BACKWARD_DOC,
             openapi_extra={"requestBody": {"content": {"application/json": {"schema": _backward_schema()}}}})
def backward_post(body: dict = Body(default_factory=dict, include_in_schema=False)) -> JSONResponse:
    return _backward(body)

"""The teaching views' pictures over HTTP: `/api/v1/views/{name}/scene` (what the
playground draws) and `/api/v1/views/{name}/animation.{fmt}` (the downloads), for the
names of app/render/teaching.py. The same query as the forward pictures (spec fields
and render options) plus, for the backward view, `grad_output` (JSON); drawn in the
worker pool within the render caps, cached and tagged like the forward pictures.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from app.engine.query import parse_value
from app.render import file_name, writer
from app.render import teaching

from . import params, work
from .animation import PICTURES, REFUSALS, language_headers, split_query
from .answers import etag, send

router = APIRouter(tags=["render"])

GRAD = "grad_output"
_DOCS = {GRAD: "backward view only: dL/dY as JSON, [OC][OH][OW] (default small whole numbers)."}
VIEW_NAMES = [n for n, v in teaching.VIEWS.items() if v.build is not None]


def _name():
    return params.path_choice(VIEW_NAMES, "The view.")


def _read(name: str, items):
    """(view, spec, options, grad_output) from the query; grad_output only where the view takes it."""
    v = teaching.view(name)
    grad = None
    rest = []
    for k, value in items:
        if k == GRAD and v.takes_grad:
            grad = parse_value(k, value)
        else:
            rest.append((k, value))
    spec, options = split_query(rest)
    return v, spec, options, grad


async def _query(name: str, request: Request):
    items = request.query_params.multi_items()
    return await run_in_threadpool(_read, name, items) if len(request.url.query) > 4096 else _read(name, items)


@router.get("/api/v1/views/{name}/scene", summary="A teaching view's scene (matrix, im2col, backward)", responses=REFUSALS,
            openapi_extra={"parameters": [*params.query_parameters(_DOCS), *params.option_parameters()]})
async def view_scene(request: Request, name: str = _name()) -> Response:
    v, spec, options, grad = await _query(name, request)
    tag = etag(spec.key(), options.canonical(), "view-scene", v.name, grad)
    return await send(request, tag, work.view_scene_job, v.name, spec, options, grad, media_type="application/json",
                      headers=language_headers(request, options), gzipped=True, tag=tag)


@router.get("/api/v1/views/{name}/animation.{fmt}", summary="A teaching view as GIF, WebP, MP4, PNG or SVG", responses=PICTURES,
            openapi_extra={"parameters": [*params.query_parameters(_DOCS), *params.option_parameters()]})
async def view_animation(request: Request, name: str = _name(), fmt: str = params.format_path()) -> Response:
    drawer = writer(fmt)
    v, spec, options, grad = await _query(name, request)
    stem = file_name(spec, drawer.name).rsplit(".", 1)[0]
    headers = {"Content-Disposition": f'inline; filename="{stem}_{v.name}.{drawer.name}"', **language_headers(request, options)}
    tag = etag(spec.key(), options.canonical(), "view", v.name, drawer.name, grad)
    return await send(request, tag, work.view_animation_job, v.name, spec, options, drawer.name, grad, media_type=drawer.media_type,
                      headers=headers, gzipped=drawer.name in work.TEXT_FORMATS, tag=tag)

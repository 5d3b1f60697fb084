"""Networks drawn over HTTP: the scene, the animation in every format, the embed and its oEmbed.

The same query as GET /api/v1/network (input_size, in_channels, input, layers) plus the
render options. The network is built (and refused, naming the layer and field) in the
request, from the cache network_api keeps; drawing and encoding happen in the worker
pool (work.py) within the same caps and cost budget as a single layer's pictures, and
answers are stored and sent by answers.py. Same network, same options -> same bytes and
ETag, whatever the spelling of the query.
"""

from __future__ import annotations

import gzip
import json
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from app.engine.network import Network, build_network
from app.engine.network_text import query as network_query
from app.engine.query import parse_value
from app.render import WRITERS, build_options, writer
from app.render.options import OPTION_DOCS, OPTION_NAMES

from . import i18n
from .animation import REFUSALS, _language
from .answers import etag, made, send
from .cache import network_for
from .network_api import from_query
from .work import GZIP_LEVEL, TEXT_FORMATS, _answer

router = APIRouter()

PICTURE_DOC = """The network drawn as the single-layer pictures are: the input at the bottom, each layer's
output above the map it reads (`layout=flat`: left to right), frames walking layers[0]'s windows,
then layers[1]'s, and so on, and a last frame with the dependency cone of the last map's centre
cell (every cell below that it reads, composed from the taps; dashed: the recurrence's field).
The network's query is GET /api/v1/network's; the render options are /api/v1/animation's
(`numbers` is not drawn for networks). Cell polygons are named `m{map}:{c}:{y}:{x}`.
"""


def split(items) -> tuple[dict, object]:
    """Query pairs -> (network body, render options); `lang` is the labels' language."""
    raw, _ = from_query([(k, v) for k, v in items if k not in OPTION_NAMES])
    return raw, build_options({k: parse_value(k, v) for k, v in items if k in OPTION_NAMES})


async def read(request: Request) -> tuple[Network, object]:
    items = request.query_params.multi_items()
    raw, options = split(items)
    net = await run_in_threadpool(network_for, raw)
    return net, options


def file_name(net: Network, fmt: str) -> str:
    """network_8x8_conv2d-conv_transpose2d.gif"""
    h, w = net.input.shape[1:]
    return f"network_{h}x{w}_{'-'.join(s.op for s in net.specs)}.{fmt}"


def _tag(net: Network, options, what: str) -> str:
    return etag("network", net.canonical(), options.canonical(), what)


# --------------------------------------------------------------- in the worker process

def _scene(raw: dict, options) -> bytes:
    from app.render.caps import check_scene, check_scene_bytes
    from app.render.network_scene import build_network_scene

    scene = build_network_scene(build_network(raw), options)
    check_scene(scene)
    data = json.dumps(scene, separators=(",", ":"), ensure_ascii=False).encode()
    check_scene_bytes(len(data))
    return gzip.compress(data, GZIP_LEVEL, mtime=0)


def _animation(raw: dict, options, fmt: str) -> bytes:
    from app.render.caps import check_cost, check_pixels, check_scene
    from app.render.network_scene import build_network_scene, check_network_frames

    drawer = writer(fmt)
    net = build_network(raw)
    if drawer.raster:
        check_network_frames(net, options)
    scene = build_network_scene(net, options)
    if drawer.raster:
        check_pixels(scene, options)
        drawer.check(scene)
    else:
        check_scene(scene)
    check_cost(scene, fmt)
    data = drawer.write(scene, options.frame)
    return gzip.compress(data, GZIP_LEVEL, mtime=0) if fmt in TEXT_FORMATS else data


def _size(raw: dict, options) -> tuple[int, int]:
    from app.render.network_scene import build_network_scene

    scene = build_network_scene(build_network(raw), options)
    return scene["width"], scene["height"]


def scene_job(raw, options):
    return _answer(_scene, raw, options)


def animation_job(raw, options, fmt: str):
    return _answer(_animation, raw, options, fmt)


def size_job(raw, options):
    return _answer(_size, raw, options)


# --------------------------------------------------------------- routes

def _query_parameters() -> list[dict]:
    from .network_api import _query_parameters as network_parameters

    options = [{"name": k, "in": "query", "required": False, "description": doc, "schema": {"type": "string"}}
               for k, doc in OPTION_DOCS.items() if k != "lang"]
    return network_parameters() + options


@router.get("/api/v1/network/scene", tags=["network"], summary="The network's scene, as the playground draws it",
            description=PICTURE_DOC, responses=REFUSALS, openapi_extra={"parameters": _query_parameters()})
async def network_scene(request: Request) -> Response:
    net, options = await read(request)
    tag = _tag(net, options, "scene")
    return await send(request, tag, scene_job, net.canonical(), options, media_type="application/json",
                      headers=_language(request, options), gzipped=True, tag=tag)


FORMAT = {"name": "fmt", "in": "path", "required": True, "description": "The file format (/api/v1/limits render.writers).",
          "schema": {"type": "string", "enum": list(WRITERS)}}


@router.get("/api/v1/network/animation.{fmt}", tags=["network"], summary="The network's animation in any format of /api/v1/limits render.writers",
            description=PICTURE_DOC, responses=REFUSALS, openapi_extra={"parameters": [FORMAT, *_query_parameters()]})
async def network_animation(fmt: str, request: Request) -> Response:
    drawer = writer(fmt)
    net, options = await read(request)
    headers = {"Content-Disposition": f'inline; filename="{file_name(net, drawer.name)}"', **_language(request, options)}
    tag = _tag(net, options, drawer.name)
    return await send(request, tag, animation_job, net.canonical(), options, drawer.name, media_type=drawer.media_type,
                      headers=headers, gzipped=drawer.name in TEXT_FORMATS, tag=tag)


def permalink(net: Network, options) -> str:
    """The network's readable query with the render options that differ from the defaults."""
    from app.render import RenderOptions

    from .pages import query_text

    defaults = RenderOptions().canonical()
    extra = [(k, query_text(v)) for k, v in options.canonical().items() if v != defaults.get(k)]
    return network_query(net) + ("&" + urlencode(extra) if extra else "")


async def oembed(url_query: str, public: str, maxwidth: int | None, maxheight: int | None) -> dict:
    """oEmbed 'rich' answer for a /network or /network/embed permalink (pages.oembed hands these over)."""
    import html as htmllib

    pairs = [(k, v) for k, v in parse_qsl(url_query) if k != "lang" or v in i18n.LANGUAGES]
    raw, options = split(pairs)
    net = await run_in_threadpool(network_for, raw)
    (width, height), _, _ = await made(_tag(net, options, "size"), size_job, net.canonical(), options)
    height += 56   # the embed's controls
    if maxwidth and width > maxwidth:
        height, width = round(height * maxwidth / width), maxwidth
    if maxheight and height > maxheight:
        width, height = round(width * maxheight / height), maxheight
    src = f"{public}/network/embed?{permalink(net, options)}"
    title = " → ".join(s.op for s in net.specs)
    html = (f'<iframe src="{htmllib.escape(src)}" width="{width}" height="{height}" style="border:0;max-width:100%" '
            f'title="{htmllib.escape(title)}" loading="lazy" allowfullscreen></iframe>')
    return {"version": "1.0", "type": "rich", "provider_name": "convplay", "provider_url": public + "/",
            "title": title, "html": html, "width": width, "height": height}


@router.get("/network/embed", response_class=HTMLResponse, include_in_schema=False)
def network_embed(request: Request) -> HTMLResponse:
    from .pages import _context, templates

    return templates.TemplateResponse(request, "embed.html", _context(
        request, query=request.url.query, api="/api/v1/network", page="/network"))


"""Networks drawn over HTTP: the scene, the animation in every format, the embed and its oEmbed.

The same query as GET /api/v1/network (input_size, in_channels, input, layers) plus the
render options. Only the query is read in the request (and its options checked): the
network is built, drawn and encoded in the worker pool (by work.py's network jobs), within its time limit
and admission bound, and refused there naming the layer and field; answers are stored
and sent by answers.py. The ETag (and the stored answer's key) is a digest of the network as
the engine reads it (every default filled in: any spelling of one network reads alike),
made in a worker once per spelling, and of the options given: granularity and scale left
out are chosen per network in the worker (network_scene.network_scene). A scene (the /network
page's redraw: a new spelling each time) of a spelling not yet seen is normalised and drawn in
one job; an animation's spelling is normalised first, so another spelling of a network already
drawn is answered from the store, not drawn again.
"""

from __future__ import annotations

import json
import re
import time
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from app.engine import SpecError
from app.engine.query import parse_value
from app.render import build_options, writer
from app.render.options import OPTION_NAMES

from . import i18n, params, work
from .animation import LONG_QUERY, PICTURES, REFUSALS, language_headers
from .answers import asked_ahead, etag, keep, made, respond, send, stored
from .network_api import answer_key, from_query, query_parameters
from .pages import page_context, templates
from .work import pool

router = APIRouter()

PICTURE_DOC = """The network drawn as the single-layer pictures are: the input at the bottom, each layer's
output above the map it reads (`layout=flat`: left to right), frames walking layers[0]'s windows,
then layers[1]'s, and so on, and a last frame with the dependency cone of the last map's centre
cell (every cell below that it reads, composed from the taps; dashed: the recurrence's field).
A map a scatter-view layer writes is drawn on its full grid, the cells its padding crops dashed.
The network's query is GET /api/v1/network's; the render options are /api/v1/animation's
(`numbers`: every map's values in its cells, the step's weights and running sum, each output
from when it is made to the end). Left out, `granularity` is `step` up to 100 frames and
`row` beyond, and `scale` the largest of 1, 0.75, 0.5, 0.35, 0.25 whose GIF is within the pixel
caps, so the default download of any network that fits at all works; the scene's
`meta.options` says which were chosen. Cell polygons are named `m{map}:{c}:{y}:{x}`.
"""

STILL_DOC = """`still=N` (the scene only): draw frame N alone (the last frame if there are fewer), for a
quick first paint: `frames` holds that one frame, `meta.still` its index and `polys` the cells
it draws; size, base, `meta` and the styles it draws with are the whole scene's, so the same query without
`still` brings the other frames and every cell's polygon into the same picture (the /network
page asks for both). A still's `meta.numbers` is the network's numbers, the answer of
`/api/v1/network?detail=summary`: one request paints a page (measured: the two asked for at
once took 10 ms longer, each job building the network on its own core). The page also asks
ahead, with `Purpose: prefetch`, for the stills of the focused number box's next values: such a
request is made only while no render runs (else 503 `busy_ahead` at once), so guesses cost nobody a wait.
"""


def split(items) -> tuple[dict, dict]:
    """Query pairs -> (network body, render options given, checked); `lang` is the labels' language."""
    raw, _ = from_query([(k, v) for k, v in items if k not in OPTION_NAMES])
    given = {k: parse_value(k, v) for k, v in items if k in OPTION_NAMES}
    build_options(given)   # a bad option is refused here, before any work is queued
    return raw, given


def file_name(raw: dict, fmt: str) -> str:
    """network_8x8_conv2d-conv_transpose2d.gif (from the query: the network is built in the worker)."""
    layers = raw.get("layers")
    ops = [layer.get("op") for layer in layers if isinstance(layer, dict)] if isinstance(layers, list) else []
    ops = [op for op in ops if isinstance(op, str) and re.fullmatch(r"\w{1,40}", op)]
    size = raw.get("input_size")
    size = [size, size] if isinstance(size, int) else size
    shown = f"{size[0]}x{size[1]}_" if isinstance(size, list) and len(size) == 2 and all(isinstance(n, int) for n in size) else ""
    return f"network_{shown}{'-'.join(ops[:8]) or 'layers'}.{fmt}"


def _spelling(raw) -> str:
    """The key of a network's spelling, under which its normal form is stored."""
    return answer_key("network-spelling", raw)


async def normal(raw) -> tuple[dict, str]:
    """The network as the engine reads it, and its text: made in a worker once per spelling (refused there,
    by name), so the picture jobs are given it and every spelling of one network shares their answers."""
    text, _, _ = await made(_spelling(raw), work.network_normal_job, raw)
    return json.loads(text), text.decode()


def _tag(text: str, given: dict, what: str) -> str:
    shown = {k: v for k, v in build_options(given).canonical().items() if k in given}
    return etag("network", text, shown, what)


# --------------------------------------------------------------- routes

def read_still(items) -> int | None:
    """The scene's `still` query parameter: absent, or one whole number from 0."""
    given = [v for k, v in items if k == "still"]
    if not given:
        return None
    if len(given) > 1 or not given[0].isascii() or not given[0].isdigit():
        got = ",".join(given)
        raise SpecError("still", "negative" if got.startswith("-") and got[1:].isdigit() else "not_whole", got=got)
    return int(given[0])


async def read(request: Request, skip: tuple = ()) -> tuple[dict, dict]:
    items = [(k, v) for k, v in request.query_params.multi_items() if k not in skip]
    if len(request.url.query) > LONG_QUERY:
        return await run_in_threadpool(split, items)
    return split(items)


STILL_PARAMETER = {"name": "still", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0},
                   "description": "Draw only this frame (the last if there are fewer), in the whole scene's picture: a quick first paint."}


def picture_parameters() -> list[dict]:
    return query_parameters() + params.option_parameters(skip=("lang",))


@router.get("/api/v1/network/scene", tags=["network"], summary="The network's scene, as the playground draws it",
            description=PICTURE_DOC + "\n" + STILL_DOC, responses=REFUSALS, openapi_extra={"parameters": picture_parameters() + [STILL_PARAMETER]})
async def network_scene(request: Request) -> Response:
    still = read_still(request.query_params.multi_items())
    raw, given = await read(request, skip=("still",))
    started = time.perf_counter()
    what = "scene" if still is None else f"scene-still-{still}"
    answer = {"media_type": "application/json", "headers": language_headers(request, build_options(given))}
    spelling = _spelling(raw)
    text = stored(spelling)
    if text is not None:   # a spelling seen before: its normal form is known, so is the answer's key
        tag = _tag(text.decode(), given, what)
        return await send(request, tag, work.network_scene_job, json.loads(text), given, still, gzipped=True, tag=tag, **answer)
    # a new spelling: one job normalises and draws (this spelling's answer may be another's, drawn again)
    text, body = await pool.run(etag("network-scene-of", spelling, given, what), work.network_normal_scene_job, raw, given, still,
                                ahead=asked_ahead(request))
    keep(spelling, text)
    tag = _tag(text.decode(), given, what)
    keep(tag, body, gzipped=True)
    return await respond(request, tag, body, True, "render", started, tag=tag, **answer)


@router.get("/api/v1/network/animation.{fmt}", tags=["network"], summary="The network's animation in any format of /api/v1/limits render.writers",
            description=PICTURE_DOC, responses=PICTURES, openapi_extra={"parameters": picture_parameters()})
async def network_animation(request: Request, fmt: str = params.format_path()) -> Response:
    drawer = writer(fmt)
    raw, given = await read(request)
    headers = {"Content-Disposition": f'inline; filename="{file_name(raw, drawer.name)}"', **language_headers(request, build_options(given))}
    network, text = await normal(raw)
    tag = _tag(text, given, drawer.name)
    return await send(request, tag, work.network_animation_job, network, given, drawer.name, media_type=drawer.media_type,
                      headers=headers, gzipped=drawer.name in work.TEXT_FORMATS, tag=tag)


def permalink(network_query: str, given: dict) -> str:
    """The network's readable query with the render options given that differ from the defaults."""
    from app.render import RenderOptions

    from .pages import query_text

    defaults = RenderOptions().canonical()
    extra = [(k, query_text(v)) for k, v in build_options(given).canonical().items() if k in given and v != defaults.get(k)]
    return network_query + ("&" + urlencode(extra) if extra else "")


async def oembed(url_query: str, public: str, maxwidth: int | None, maxheight: int | None) -> dict:
    """oEmbed 'rich' answer for a /network or /network/embed permalink (pages.oembed hands these over)."""
    import html as htmllib

    pairs = [(k, v) for k, v in parse_qsl(url_query) if k != "lang" or v in i18n.LANGUAGES]
    raw, given = split(pairs)
    network, text = await normal(raw)
    (width, height, network_query, title), _, _ = await made(_tag(text, given, "embedding"), work.network_embedding_job, network, given)
    height += 56   # the embed's controls
    if maxwidth and width > maxwidth:
        height, width = round(height * maxwidth / width), maxwidth
    if maxheight and height > maxheight:
        width, height = round(width * maxheight / height), maxheight
    src = f"{public}/network/embed?{permalink(network_query, given)}"
    html = (f'<iframe src="{htmllib.escape(src)}" width="{width}" height="{height}" style="border:0;max-width:100%" '
            f'title="{htmllib.escape(title)}" loading="lazy" allowfullscreen></iframe>')
    return {"version": "1.0", "type": "rich", "provider_name": "convplay", "provider_url": public + "/",
            "title": title, "html": html, "width": width, "height": height}


@router.get("/network/embed", response_class=HTMLResponse, include_in_schema=False)
def network_embed(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "embed.html", page_context(
        request, query=request.url.query, api="/api/v1/network", page="/network"))

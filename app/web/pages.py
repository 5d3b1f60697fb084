"""The pages: playground, embed, gallery, and oEmbed discovery.

Pages are Jinja2 templates; everything they draw comes from the same JSON API
(trace and scene), so the browser shows exactly what the GIFs show. The playground's
form is built in the page from the operations' description (GET /api/v1/ops), embedded.
"""

from __future__ import annotations

import html as htmllib
import io
import json
import os
from pathlib import Path
from urllib.parse import urlencode, urlsplit, parse_qsl

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from PIL import Image, ImageDraw

from app import __version__
from app.engine import build_spec, registry
from app.engine.kernels import KERNELS
from app.presets import PRESETS
from app.render import RenderOptions, teaching
from app.render.scene import operation_line

from . import i18n, work
from .api import ops_description
from .animation import split_query
from .answers import etag, made


def data_dir(name: str) -> Path:
    """static/ or templates/: inside the package when installed from a wheel
    (pyproject.toml puts them there), at the top of the repository in a checkout."""
    package = Path(__file__).resolve().parents[1]
    installed = package / name
    return installed if installed.is_dir() else package.parent / name


STATIC = data_dir("static")
templates = Jinja2Templates(directory=str(data_dir("templates")))
router = APIRouter(include_in_schema=False)


def public_url() -> str:
    """Where users reach this server (`convplay serve --public-url`, or CONVPLAY_PUBLIC_URL); never the Host header."""
    return os.environ.get("CONVPLAY_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")


def query_text(value) -> str:
    """One value in the query form the API and the playground share."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return ",".join(f"{k}:{v}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        if any(isinstance(v, (list, tuple)) for v in value):
            return json.dumps(value, separators=(",", ":"))
        return str(value[0]) if len(value) == 2 and value[0] == value[1] else ",".join(str(v) for v in value)
    return str(value)


def preset_query(preset, **options) -> str:
    """A preset as the query string the API and the playground share (with `options` on top)."""
    return urlencode({key: query_text(value) for key, value in {**preset.spec, **preset.options, **options}.items()})


def array_text(value) -> str:
    """An array of values as compact JSON (whole numbers without `.0`): never a bare number, which the API reads as no array."""
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(array_text(v) for v in value) + "]"
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def permalink_query(spec, options) -> str:
    """The query of a validated spec and options: the fields the user set and the options that differ, in one spelling."""
    canonical, defaults = spec.canonical(), RenderOptions().canonical()
    kinds = {f.name: f.kind for f in registry.get(spec.op).fields}
    items = [(name, array_text(canonical[name]) if kinds.get(name) == "array" else query_text(canonical[name]))
             for name in canonical if name in spec.given]
    items += [(name, query_text(v)) for name, v in options.canonical().items() if v != defaults.get(name)]   # lang: only when not English
    return urlencode(items, safe="[],:")   # arrays stay readable JSON (the WHATWG URL standard keeps these in a query)


def script_json(data) -> str:
    """JSON to put inside <script type="application/json">: no `<`, `>` or `&` in it, so no
    `</script>` or `<!--` can end the element early (JSON.parse reads the escapes back)."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def page_context(request: Request, **extra) -> dict:
    lang = i18n.language(request)
    return {
        "request": request, "lang": lang, "t": i18n.ui(lang), "version": __version__,
        "strings_json": script_json({"lang": lang, "strings": i18n.UI}),
        **extra,
    }


@router.get("/", response_class=HTMLResponse)
def playground(request: Request) -> HTMLResponse:
    presets = [{"slug": p.slug, "title": p.title.en, "title_zh": p.title.zh, "group": p.group, "query": preset_query(p)} for p in PRESETS]
    return templates.TemplateResponse(request, "playground.html", page_context(
        request, presets=presets, presets_json=script_json(presets), ops_json=script_json(ops_description()),
        kernels_json=script_json([k.describe() for k in KERNELS]),
        oembed=public_url() + "/oembed?" + urlencode({"url": public_url() + "/?" + request.url.query, "format": "json"}),
    ))


def _favicon() -> bytes:
    """The site's icon as a small PNG: Chromium decodes an SVG icon again at every history change,
    which cost the playground 3 ms a redraw; a PNG costs nothing measurable."""
    icon = Image.new("RGBA", (32, 32))
    draw = ImageDraw.Draw(icon)
    draw.rectangle((2, 18, 29, 29), fill="#268bd2")
    draw.rectangle((8, 2, 23, 11), fill="#2aa198")
    out = io.BytesIO()
    icon.save(out, "PNG", optimize=True)
    return out.getvalue()


FAVICON = _favicon()


@router.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for it on every URL, JSON ones included: answer, don't 404. The pages link it."""
    return Response(FAVICON, media_type="image/png", headers={"Cache-Control": "public, max-age=86400"})


@router.get("/embed", response_class=HTMLResponse)
def embed(request: Request) -> HTMLResponse:
    query = request.url.query
    # a teaching view (`picture=`) is drawn from its own endpoints, with the rest of the query; the link back keeps it
    picture = request.query_params.get(teaching.PARAM)
    if not picture:
        return templates.TemplateResponse(request, "embed.html", page_context(request, query=query))
    rest = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != teaching.PARAM])
    return templates.TemplateResponse(request, "embed.html", page_context(request, query=rest, open=query, api=teaching.api_prefix(picture)))


@router.get("/gallery", response_class=HTMLResponse)
def gallery(request: Request) -> HTMLResponse:
    lang = i18n.language(request)
    drawn_in = {"lang": lang} if lang != "en" else {}   # the thumbnails' labels in the page's language
    sections = []
    for group in ("reference", "paper", "ours"):
        items = [{"title": p.title(lang), "query": preset_query(p), "thumb": preset_query(p, scale=0.5, **drawn_in),
                  "line": operation_line(build_spec(p.spec))}
                 for p in PRESETS if p.group == group]
        sections.append({"key": group, "items": items})
    return templates.TemplateResponse(request, "gallery.html", page_context(request, sections=sections))


@router.get("/oembed", name="oembed")
async def oembed(request: Request, url: str = "", format: str = "json", maxwidth: int | None = Query(None, ge=1, le=10_000),
                 maxheight: int | None = Query(None, ge=1, le=10_000)) -> Response:
    """oEmbed 1.0 'rich' response for a playground permalink of this site, built from the canonical spec and escaped."""
    if format != "json":
        return JSONResponse({"detail": "only format=json is offered"}, status_code=501)
    base, parts = urlsplit(public_url()), urlsplit(url)
    if (parts.scheme, parts.netloc) == (base.scheme, base.netloc) and parts.path in (base.path + "/network", base.path + "/network/embed"):
        from .network_pictures import oembed as network_oembed

        return JSONResponse(await network_oembed(parts.query, public_url(), maxwidth, maxheight))
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or parts.path not in (base.path + "/", base.path + "/embed"):
        return JSONResponse({"detail": "url: not a convplay permalink of this site"}, status_code=404)
    # the page's `lang` is its language, an unknown one English (i18n.language): so for its labels
    pairs = [(k, v) for k, v in parse_qsl(parts.query) if (k != "lang" or v in i18n.LANGUAGES) and k != teaching.PARAM]
    picture = dict(parse_qsl(parts.query)).get(teaching.PARAM)   # a teaching view: embedded as it is, sized as the forward picture
    spec, options = split_query(pairs)
    size_key = etag(spec.key(), options.canonical(), "size")
    (width, height), _, _ = await made(size_key, work.size_job, spec, options)
    height += 56  # room for the embed's controls
    if maxwidth and width > maxwidth:
        height, width = round(height * maxwidth / width), maxwidth
    if maxheight and height > maxheight:
        width, height = round(width * maxheight / height), maxheight
    query = permalink_query(spec, options)
    query = "&".join(q for q in (query, urlencode({teaching.PARAM: picture}) if picture else "") if q)
    src = public_url() + "/embed" + ("?" + query if query else "")
    title = operation_line(spec)
    html = (f'<iframe src="{htmllib.escape(src)}" width="{width}" height="{height}" style="border:0;max-width:100%" '
            f'title="{htmllib.escape(title)}" loading="lazy" allowfullscreen></iframe>')
    return JSONResponse({
        "version": "1.0", "type": "rich", "provider_name": "convplay", "provider_url": public_url() + "/",
        "title": title, "html": html, "width": width, "height": height,
    })

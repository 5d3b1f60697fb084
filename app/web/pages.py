"""The pages: playground, embed, gallery, and oEmbed discovery.

Pages are Jinja2 templates; everything they draw comes from the same JSON API
(trace and scene), so the browser shows exactly what the GIFs show.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode, urlsplit, parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates

from app import __version__
from app.engine import LIMITS, build_spec
from app.presets import PRESETS
from app.render import build_scene
from app.render.scene import operation_line

from . import i18n
from .animation import split_query
from .cache import trace_for

ROOT = Path(__file__).resolve().parents[2]
templates = Jinja2Templates(directory=str(ROOT / "templates"))
router = APIRouter(include_in_schema=False)


def preset_query(preset) -> str:
    """A preset as the query string the API and the playground share."""
    out = {}
    for key, value in {**preset.spec, **preset.options}.items():
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, (list, tuple)) and any(isinstance(v, (list, tuple)) for v in value):
            out[key] = json.dumps(value, separators=(",", ":"))   # an array: JSON, as the query reads it
        elif isinstance(value, (list, tuple)):
            out[key] = ",".join(str(v) for v in value)
        else:
            out[key] = str(value)
    return urlencode(out)


def _context(request: Request, **extra) -> dict:
    lang = i18n.language(request)
    return {
        "request": request, "lang": lang, "t": i18n.ui(lang), "version": __version__,
        "strings_json": json.dumps({"lang": lang, "strings": i18n.UI}, ensure_ascii=False),
        **extra,
    }


@router.get("/", response_class=HTMLResponse)
def playground(request: Request) -> HTMLResponse:
    presets = [{"slug": p.slug, "title": p.title.en, "title_zh": p.title.zh, "group": p.group, "query": preset_query(p)} for p in PRESETS]
    return templates.TemplateResponse(request, "playground.html", _context(
        request, presets=presets, presets_json=json.dumps(presets, ensure_ascii=False), limits=LIMITS,
        oembed=str(request.url_for("oembed")) + "?" + urlencode({"url": str(request.url), "format": "json"}),
    ))


FAVICON = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect x="1" y="9" width="14" height="6" fill="#268bd2"/>'
           '<rect x="4" y="1" width="8" height="5" fill="#2aa198"/></svg>')


@router.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for it on every URL, JSON ones included: answer, don't 404."""
    return Response(FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})


@router.get("/embed", response_class=HTMLResponse)
def embed(request: Request) -> HTMLResponse:
    query = request.url.query
    return templates.TemplateResponse(request, "embed.html", _context(request, query=query))


@router.get("/gallery", response_class=HTMLResponse)
def gallery(request: Request) -> HTMLResponse:
    lang = i18n.language(request)
    groups = []
    for group in ("reference", "paper", "ours"):
        items = [{"title": p.title(lang), "query": preset_query(p), "line": operation_line(build_spec(p.spec))}
                 for p in PRESETS if p.group == group]
        groups.append({"key": group, "items": items})
    return templates.TemplateResponse(request, "gallery.html", _context(request, groups=groups))


@router.get("/oembed", name="oembed")
def oembed(request: Request, url: str = "", format: str = "json", maxwidth: int | None = None, maxheight: int | None = None) -> Response:
    """oEmbed 1.0 'rich' response for a playground permalink of this site."""
    if format != "json":
        return JSONResponse({"detail": "only format=json is offered"}, status_code=501)
    parts = urlsplit(url)
    if parts.netloc != request.url.netloc or parts.path not in ("/", "/embed"):
        return JSONResponse({"detail": "url: not a convplay permalink of this site"}, status_code=404)
    spec, options = split_query(parse_qsl(parts.query))
    scene = build_scene(trace_for(spec), options)
    width, height = scene["width"], scene["height"] + 56  # room for the embed's controls
    if maxwidth and width > maxwidth:
        height, width = round(height * maxwidth / width), maxwidth
    if maxheight and height > maxheight:
        width, height = round(width * maxheight / height), maxheight
    src = str(request.url_for("embed")) + ("?" + parts.query if parts.query else "")
    title = operation_line(spec)
    html = (f'<iframe src="{src}" width="{width}" height="{height}" style="border:0;max-width:100%" '
            f'title="{title}" loading="lazy" allowfullscreen></iframe>')
    return JSONResponse({
        "version": "1.0", "type": "rich", "provider_name": "convplay", "provider_url": str(request.base_url),
        "title": title, "html": html, "width": width, "height": height,
    })


async def frame_policy(request: Request, call_next):
    """Only /embed may be framed by other sites, sandboxed iframes included.

    A sandboxed iframe has an opaque origin, so its module scripts are fetched
    in CORS mode: the static files say any origin may read them.
    """
    response = await call_next(request)
    path = request.url.path
    if path.startswith("/static/"):
        response.headers["Access-Control-Allow-Origin"] = "*"
    elif path != "/embed" and response.headers.get("content-type", "").startswith("text/html"):
        response.headers["Content-Security-Policy"] = "frame-ancestors 'self'"
    return response
